// The examples of Zygote's documentation, in TypeScript.
// Run: npm start   (node --import zygote-ts/register examples/seed.ts)
import { colordiffOf, RGB } from './colors-jl.js';
import { array, compileGradient, derivative, gradient, hessian, matmul, mul, NDArray, operators, Params, pullback, rand, reshape, sum, withgradient } from 'zygote-ts';

const show = (code: string, value: unknown) => console.log(`${code.padEnd(58)} ${format(value)}`);
const format = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(format).join(', ')}]` : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);

console.log('zygote-ts — the seed examples (Zygote’s docs) in TypeScript\n');

show('gradient(x => 3*x**2 + 2*x + 1, 5)', gradient((x: number) => 3 * x ** 2 + 2 * x + 1, 5));
show('gradient((a, b) => a*b, 2, 3)', gradient((a: number, b: number) => a * b, 2, 3));
show('gradient((a, b, c) => a*b*c, 2, 3, 5)', gradient((a: number, b: number, c: number) => a * b * c, 2, 3, 5));

// Control flow is fully supported, including recursion.
function pow(x: number, n: number): number {
  let r = 1;
  for (let i = 1; i <= n; i++) r *= x;
  return r;
}
const pow2 = (x: number, n: number): number => (n <= 0 ? 1 : x * pow2(x, n - 1));
show('gradient(x => pow(x, 3), 5)          // a loop', gradient((x: number) => pow(x, 3), 5));
show('gradient(x => pow2(x, 3), 5)         // recursion', gradient((x: number) => pow2(x, 3), 5));

// Closures, branches, Math, and an argument that is never used (null, Zygote's `nothing`).
const k = 10;
show('gradient(x => k * Math.sin(x), 0)    // k = 10', gradient((x: number) => k * Math.sin(x), 0));
show('gradient(x => x > 0 ? x : 0, 3)      // relu', gradient((x: number) => (x > 0 ? x : 0), 3));
show('gradient((a, b) => a * 2, 1, 2)', gradient((a: number, _b: number) => a * 2, 1, 2));

// Conveniences on the one core function, pullback.
show('withgradient(x => x**2, 3)', withgradient((x: number) => x ** 2, 3));
const [y, back] = pullback((a: number, b: number) => a * b, 2, 3);
show('pullback((a, b) => a*b, 2, 3): y, back(1), back(10)', [y, back(1), back(10)]);
show('derivative(Math.tanh, 0.5)', derivative(Math.tanh, 0.5));
show('hessian(x => x**3, 2)', hessian((x: number) => x ** 3, 2));

// Data structures, including mutable ones (a Map captured by the closure).
const d = new Map<string, number>();
show("gradient(x => { d.set('x', x); … }, 5)", gradient((x: number) => (d.set('x', x), d.get('x')! * d.get('x')!), 5));
show("d.get('x')                             // a number again", d.get('x'));

// Structs and types: the seed's Point, with + defined through zygote-ts's operator symbols.
class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  [operators.add](other: Point): Point {
    return new Point(this.x + other.x, this.y + other.y);
  }
}
const dist = (p: Point) => Math.sqrt(p.x ** 2 + p.y ** 2);
const a = new Point(1, 2);
const b = new Point(3, 4);
// @ts-expect-error TypeScript does not know Point's +; the rewrite does.
const plus = (p: Point, q: Point): Point => p + q;
show('dist(a + b)', dist(plus(a, b)));
show('gradient(a => dist(a + b), a)', gradient((a: Point) => dist(plus(a, b)), a));
show('gradient(x => sum(abs2, x), [7, 11, 13])', gradient((x: number[]) => x.reduce((s, v) => s + v * v, 0), [7, 11, 13]));

// Colors.jl's colordiff (CIEDE2000) in TypeScript; Julia's RGB(1, 0, 0) holds 8-bit channels,
// which Colors.jl turns into Float32 XYZ and Lab: Math.fround there gives the seed's numbers.
const colordiff = colordiffOf(Math.fround);
show('colordiff(RGB(1, 0, 0), RGB(0, 1, 0))', colordiff(new RGB(1, 0, 0), new RGB(0, 1, 0)));
show('gradient(colordiff, RGB(1, 0, 0), RGB(0, 1, 0))', gradient(colordiff, new RGB(1, 0, 0), new RGB(0, 1, 0)));

// Explicit parameters: a record, a Map, and a callable-struct analogue.
function linear(θ: { W: number[][]; b: number[] }, x: number[]): number[] {
  return θ.W.map((row, i) => row.reduce((s, w, j) => s + w * x[j]!, θ.b[i]!));
}
const x = [0.5, -1, 2];
type Θ = { W: number[][]; b: number[] };
const θ: Θ = { W: [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], b: [0.04, 0.53] };
show('gradient(θ => sum(linear(θ, x)), θ)', gradient((p: Θ) => sum(linear(p, x)), θ));
const θmap = new Map<string, number[][] | number[]>([['W', θ.W], ['b', θ.b]]);
const [gmap] = gradient((m: typeof θmap) => sum(linear({ W: m.get('W') as number[][], b: m.get('b') as number[] }, x)), θmap);
show('… with θ as a Map', Object.fromEntries(gmap!));
class Linear {
  constructor(
    readonly W: number[][],
    readonly b: number[],
  ) {}
  apply(x: number[]): number[] {
    return linear(this, x);
  }
}
show('gradient(m => sum(m.apply(x)), model)', gradient((m: Linear) => sum(m.apply(x)), new Linear(θ.W, θ.b)));

// Arrays: whole-array operations, one tape node each.
const Wm = rand(2, 3, { seed: 1 });
const xv = rand(3, { seed: 2 });
show('gradient(W => sum(matmul(W, x)), W)    // both rows = x', gradient((W: NDArray) => sum(matmul(W, xv)), Wm)[0]!.toArray());
show('x', xv.toArray());
// Implicit parameters (the seed's Params example), keyed by identity.
const xs = [[1, 2, 3], [4, 5, 6]];
const ys = [7, 8];
const zs = [1, 10, 100];
const gs = gradient(() => sum(mul(mul(xs, reshape(ys, [2, 1])), zs)), new Params([xs, ys]));
show('gradient(() => sum(x .* y .* z), Params([x, y])): g[x]', gs.get(xs));
show('g has z?', gs.has(zs));
show('hessian(x => sum(x .^ 3), [1, 2])', hessian((v: NDArray) => sum(mul(mul(v, v), v)), array([1, 2])).toArray());

// Compiled: the same gradient as generated JavaScript (recorded on the first call, one path per branch).
const compiledPolynomial = compileGradient((x: number) => 3 * x ** 2 + 2 * x + 1);
compiledPolynomial(1);
show('compileGradient(x => 3x² + 2x + 1)(5)', compiledPolynomial(5));
