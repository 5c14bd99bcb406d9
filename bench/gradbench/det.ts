// det: the determinant of an ℓ×ℓ matrix by expansion by minors (along the first row, then
// recursively), and its gradient. Scalar code on a plain array, as the algorithm is written:
// the minor's remaining columns are a linked list, unlinked and relinked in place.

import { checkpointed, gradient } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  A: number[];
  ell: number;
}

// Expansion by minors does e·ℓ! multiplications: at ℓ = 11 the whole tape is ~2·10⁸
// operations (8.7 GB resident and 50 s a gradient on our 2-core VM). Checkpointing each
// minor of this size keeps one such minor's tape alive at a time (0.2 GB, 28 s): its
// operations are recorded again, one minor after another, on the backward pass.
const CHECKPOINT = 9;

/**
 * The determinant of the minor of A (ℓ×ℓ, row-major) made of rows `row`… and the columns
 * linked from `next[ℓ]` (`next[c]` is the column after c; ℓ ends the list), of size m.
 */
function minor(A: number[], ell: number, row: number, m: number, next: number[]): number {
  if (m === 1) return A[row * ell + next[ell]!]!;
  if (m === CHECKPOINT && m < ell) {
    const M: number[] = [];
    for (let r = row; r < ell; r++) for (let c = next[ell]!; c !== ell; c = next[c]!) M.push(A[r * ell + c]!);
    return checkpointed((...M: number[]) => det(M, m), ...M);
  }
  let sum = 0;
  let previous = ell; // the list's head
  for (let j = 0, col = next[ell]!; j < m; j++, previous = col, col = next[col]!) {
    next[previous] = next[col]!; // unlink col
    const term = A[row * ell + col]! * minor(A, ell, row + 1, m - 1, next);
    next[previous] = col; // relink it
    sum = j % 2 === 0 ? sum + term : sum - term;
  }
  return sum;
}

export function det(A: number[], ell: number): number {
  const next = Array.from({ length: ell + 1 }, (_, c) => c + 1);
  next[ell] = 0;
  return minor(A, ell, 0, ell, next);
}

export const primal = multipleRuns(({ A, ell }: Input) => () => det(A, ell));

export const gradient_ = multipleRuns(({ A, ell }: Input) => () => gradient((A: number[]) => det(A, ell), A)[0]);
export { gradient_ as gradient };
