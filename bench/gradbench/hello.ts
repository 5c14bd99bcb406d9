// hello: the square of a number, and its derivative (the protocol's smoke test; its input
// has no min_runs/min_seconds, so each function runs once).

import { gradient } from 'zygote-ts';
import { multipleRuns } from './protocol.js';

const f = (x: number) => x * x;
const once = { min_runs: 1, min_seconds: 0 };

export const square = (x: number) => multipleRuns(() => () => f(x))(once);
export const double = (x: number) => multipleRuns(() => () => gradient(f, x)[0])(once);
