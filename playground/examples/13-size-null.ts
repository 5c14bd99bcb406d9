// An argument that only chooses an axis has no gradient: null
// (Zygote's `nothing`). Axes count from 0, so size(x, 0) of [7, 11]
// is 2 and f = sum(x .^ 2 .+ y).
import { gradient, size, sum } from 'zygote-ts';

const f = (x: number[], y: number, d: number) => {
  const p = size(x, d);
  // On an array, ** and + are elementwise in rewritten code.
  return sum(x ** p + y);
};

gradient(f, [7, 11], 0, 0); // [[14, 22], 2, null]
