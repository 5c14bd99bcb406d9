// The seed's array examples (Zygote's docs) in TypeScript, with whole-array operations.
import { describe, expect, it } from 'vitest';
import { array, gradient, matmul, mul, NDArray, Params, pow, rand, reshape, size, sum, type Grad } from 'zygote-ts';
import { plainTypeOf } from '../proxies/plain-data.js';

// TypeScript cannot type operators on objects; the rewrite makes them elementwise. Specs
// use both spellings: `pow(x, 2)` where types matter, `(x as any) ** 2` to show the operator.
type Untyped = any;

const plain = (x: unknown) => (x instanceof NDArray ? x.toArray() : x);

describe('the seed, arrays', () => {
  it('W = rand(2, 3); x = rand(3); gradient(W -> sum(W*x), W): both rows equal x', () => {
    const W = rand(2, 3);
    const x = rand(3);
    const [g] = gradient((W: NDArray) => sum(matmul(W, x)), W);
    expect(g).toBeInstanceOf(NDArray);
    expect(g!.shape).toEqual([2, 3]);
    expect(plain(g)).toEqual([x.toArray(), x.toArray()]);
  });
  it('sum(abs2, x) of a plain array: the gradient is a plain array', () => {
    expect(gradient((x: number[]) => sum((x as Untyped) ** 2), [7, 11, 13])).toEqual([[14, 22, 26]]);
    expect(plain(gradient((x: NDArray) => sum(pow(x, 2)), array([7, 11, 13]))[0])).toEqual([14, 22, 26]);
  });
  it('gradient([7, 11], 0, 0) do x, y, d … end (axes count from 0)', () => {
    const f = (x: number[], y: number, d: number) => {
      const p = size(x, d);
      return sum((x as Untyped) ** p + y);
    };
    expect(gradient(f, [7, 11], 0, 0)).toEqual([[14, 22], 2, null]);
  });
  describe('linear(θ, x) = W*x + b', () => {
    const x = array([0.3, -1.2, 2.5, 0.7, 1.1]);
    const W = rand(2, 5, { seed: 7 });
    const b = rand(2, { seed: 8 });
    const linear = (θ: { W: NDArray; b: NDArray }, x: NDArray) => matmul(θ.W, x) + θ.b;
    it('θ a record: { W: [x, x], b: [1, 1] }', () => {
      const [g] = gradient((θ: { W: NDArray; b: NDArray }) => sum(linear(θ, x)), { W, b });
      expect(plain(g!.W)).toEqual([x.toArray(), x.toArray()]);
      expect(plain(g!.b)).toEqual([1, 1]);
      const typed: Grad<{ W: NDArray; b: NDArray }> | null = g;
      expect(typed).not.toBe(null);
    });
    it('θ a Map', () => {
      const θ = new Map([['W', W], ['b', b]]);
      const [g] = gradient((θ: Map<string, NDArray>) => sum(linear({ W: θ.get('W')!, b: θ.get('b')! }, x)), θ);
      expect([...g!.keys()]).toEqual(['W', 'b']);
      expect(plain(g!.get('W'))).toEqual([x.toArray(), x.toArray()]);
      expect(plain(g!.get('b'))).toEqual([1, 1]);
    });
    it('a callable-struct analogue: model.apply(x)', () => {
      class Linear {
        constructor(
          readonly W: NDArray,
          readonly b: NDArray,
        ) {}
        apply(x: NDArray): NDArray {
          return matmul(this.W, x) + this.b;
        }
      }
      const model = new Linear(W, b);
      const [g] = gradient((m: Linear) => sum(m.apply(x)), model);
      expect(plain(g!.W)).toEqual([x.toArray(), x.toArray()]);
      expect(plain(g!.b)).toEqual([1, 1]);
      expect(model.W).toBe(W);
      expect(W.tracedTape).toBe(null);
    });
    it('nested plain arrays work too, and come back as nested arrays', () => {
      const θ = { W: W.toArray() as number[][], b: b.toArray() as number[] };
      const [g] = gradient((θ: { W: number[][]; b: number[] }) => sum(matmul(θ.W, x) + θ.b), θ);
      expect(g!.W).toEqual([x.toArray(), x.toArray()]);
      expect(g!.b).toEqual([1, 1]);
    });
  });
  it('implicit parameters: gradient(() -> sum(x .* y .* z), Params([x, y]))', () => {
    const x = [[1, 2, 3], [4, 5, 6]];
    const y = [7, 8];
    const z = [1, 10, 100];
    const g = gradient(() => sum(mul(mul(x, reshape(y, [2, 1])), z)), new Params([x, y]));
    expect(g.get(x)).toEqual([[7, 70, 700], [8, 80, 800]]);
    expect(g.has(z)).toBe(false);
    expect(g.get(y)).toEqual([1 * 1 + 2 * 10 + 3 * 100, 4 * 1 + 5 * 10 + 6 * 100]);
    expect(x).toEqual([[1, 2, 3], [4, 5, 6]]); // the caller's arrays hold numbers again
    expect(plainTypeOf(x[0]![0])).toBe('number');
  });
  it('W = rand(2, 5); b = rand(2); linear(x) = W*x .+ b; gradient(() -> sum(linear(x)), Params([W, b])): grads[W] rows equal x, grads[b] = [1, 1]', () => {
    const W = rand(2, 5, { seed: 3 });
    const b = rand(2, { seed: 4 });
    const x = rand(5, { seed: 5 });
    const linear = (x: NDArray) => matmul(W, x) + b;
    const grads = gradient(() => sum(linear(x)), new Params([W, b]));
    expect(plain(grads.get(W))).toEqual([x.toArray(), x.toArray()]);
    expect(plain(grads.get(b))).toEqual([1, 1]);
    expect(grads.has(x)).toBe(false);
  });
});

describe('array forms', () => {
  it('a Float64Array argument is received as an NDArray; its gradient is a Float64Array', () => {
    const [g] = gradient((x: Float64Array) => sum(pow(x as unknown as NDArray, 2)), Float64Array.of(1, 2, 3));
    expect(g).toBeInstanceOf(Float64Array);
    expect([...(g as Float64Array)]).toEqual([2, 4, 6]);
  });
  it('conversions to and from nested arrays and Float64Array', () => {
    const x = array([[[1, 2]], [[3, 4]]]);
    expect(x.shape).toEqual([2, 1, 2]);
    expect(x.toArray()).toEqual([[[1, 2]], [[3, 4]]]);
    expect([...x.toFloat64Array()]).toEqual([1, 2, 3, 4]);
    expect(array(Float64Array.of(5, 6)).toArray()).toEqual([5, 6]);
    expect(() => array([[1, 2], [3]])).toThrow(/rectangular/);
  });
});
