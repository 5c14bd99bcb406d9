// Arrays: W = rand(2, 3), x = rand(3). The gradient of sum(W·x)
// with respect to W has both rows equal to x.
import { gradient, matmul, rand, sum, type NDArray } from 'zygote-ts';

const W = rand(2, 3, { seed: 1 });
const x = rand(3, { seed: 2 });

x;
gradient((W: NDArray) => sum(matmul(W, x)), W);
