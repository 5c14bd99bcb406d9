// kmeans: the k-means cost Σᵢ minⱼ |Cⱼ − Pᵢ|² over NDArrays, and the Newton direction J ⊘ H
// from its gradient J and Hessian H in the centroids. H is diagonal (each centroid's block
// is 2·(its number of points)·I), so H·1 is its diagonal: one jvp of the gradient along
// the all-ones direction (forward over reverse) gives J and H·1 together. (Reverse over
// reverse — J, then the gradient of ⟨J, 1⟩ — gives the same numbers ~20 % slower.)

import { add, array, div, gradient, jvp, matmul, min, mul, ones, reshape, sub, sum, transpose, type NDArray } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  points: number[][];
  centroids: number[][];
}

const squaredNorms = (X: NDArray) => sum(mul(X, X), 1);

export function kmeansCost(C: NDArray, P: NDArray): number {
  // |Pᵢ − Cⱼ|² for every pair (n×k) as |Pᵢ|² − 2 Pᵢ·Cⱼ + |Cⱼ|², without an n×k×d array
  const cross = matmul(P, transpose(C));
  const distances = add(sub(reshape(squaredNorms(P), [P.shape[0]!, 1]), mul(cross, 2)), squaredNorms(C));
  return sum(min(distances, 1));
}

export const cost_ = multipleRuns(({ points, centroids }: Input) => {
  const P = array(points);
  const C = array(centroids);
  return () => kmeansCost(C, P);
});
export { cost_ as cost };

export const dir = multipleRuns(({ points, centroids }: Input) => {
  const P = array(points);
  const C = array(centroids);
  return () => {
    const J = (C: NDArray) => gradient((C: NDArray) => kmeansCost(C, P), C)[0]!;
    const [Jc, Hdiag] = jvp(J, [C], [ones(...C.shape)]);
    return div(Jc, Hdiag).toArray();
  };
});
