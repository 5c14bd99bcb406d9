// Compiled gradients: f is recorded once per path through its branches and becomes
// generated JavaScript; later calls on the same path run that code.
import { compileGradient, gradient } from 'zygote-ts';

const f = (x: number) => (x > 0 ? Math.sin(x) * x : -x);
const g = compileGradient(f);

g(2);            // recorded (the x > 0 path), then run as generated code
g(3);            // the same path: only the generated code runs
g(-1);           // a guard fails: the x ≤ 0 path is recorded too
g.recordings;    // 2
gradient(f, 2);  // the eager gradient: the same numbers
g.source.split('\n')[0]; // its first line; g.source is the generated code of both paths
