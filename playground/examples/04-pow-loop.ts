// Control flow is plain code: the loop runs as often as it runs,
// and each step is differentiated.
import { gradient } from 'zygote-ts';

function pow(x: number, n: number): number {
  let r = 1;
  for (let i = 1; i <= n; i++) r *= x;
  return r;
}

pow(5, 3);
gradient((x: number) => pow(x, 3), 5); // [75] = 3·5²
