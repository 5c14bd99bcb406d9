// Explicit parameters: θ as a record, then as a Map. The gradient has θ's shape.
import { gradient, sum } from 'zygote-ts';

type Θ = { W: number[][]; b: number[] };

function linear(θ: Θ, x: number[]): number[] {
  return θ.W.map((row, i) => row.reduce((s, w, j) => s + w * x[j]!, θ.b[i]!));
}

const x = [0.5, -1, 2];
const θ: Θ = { W: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], b: [0.04, 0.53] };

gradient((θ: Θ) => sum(linear(θ, x)), θ); // { W: [x, x], b: [1, 1] }

const θmap = new Map<string, number[][] | number[]>([['W', θ.W], ['b', θ.b]]);
gradient((m: typeof θmap) => sum(linear({ W: m.get('W') as number[][], b: m.get('b') as number[] }, x)), θmap);
