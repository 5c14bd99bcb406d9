// A layer as a class (Julia's callable struct): its gradient is a
// record of its fields.
import { gradient, sum } from 'zygote-ts';

class Linear {
  constructor(readonly W: number[][], readonly b: number[]) {}
  apply(x: number[]): number[] {
    return this.W.map((row, i) => row.reduce((s, w, j) => s + w * x[j]!, this.b[i]!));
  }
}

const model = new Linear([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [0.04, 0.53]);
const x = [0.5, -1, 2];

model.apply(x);
gradient((m: Linear) => sum(m.apply(x)), model); // { W: [x, x], b: [1, 1] }
