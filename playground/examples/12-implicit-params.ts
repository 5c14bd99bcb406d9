// Implicit parameters: differentiate a function of no arguments with
// respect to arrays it reaches by itself (found by identity), as
// Zygote's Params.
import { gradient, mul, Params, reshape, sum } from 'zygote-ts';

const x = [[1, 2, 3], [4, 5, 6]];
const y = [7, 8];
const z = [1, 10, 100];

// sum(x .* y .* z): y is a column, z a row, broadcast over x.
const loss = () => sum(mul(mul(x, reshape(y, [2, 1])), z));
const g = gradient(loss, new Params([x, y]));

g.get(x); // [[7, 70, 700], [8, 80, 800]]
g.get(y);
g.has(z); // false: z is not a parameter
g;
