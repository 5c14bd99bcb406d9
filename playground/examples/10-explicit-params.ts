// Explicit parameters: θ as a record, then as a Map.
// The gradient has θ's shape.
import { gradient, sum } from 'zygote-ts';

type Θ = { W: number[][]; b: number[] };

// W·x + b, with plain arrays and loops.
function linear(θ: Θ, x: number[]): number[] {
  return θ.W.map((row, i) => row.reduce((s, w, j) => s + w * x[j]!, θ.b[i]!));
}

const x = [0.5, -1, 2];
const θ: Θ = { W: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], b: [0.04, 0.53] };

gradient((θ: Θ) => sum(linear(θ, x)), θ); // { W: [x, x], b: [1, 1] }

const m = new Map<string, any>([['W', θ.W], ['b', θ.b]]);
const viaMap = (m: Map<string, any>) => sum(linear({ W: m.get('W'), b: m.get('b') }, x));
gradient(viaMap, m); // a Map with the same keys
