// The seed's examples with structures (Zygote's docs), in TypeScript, with the same numbers.
import { describe, expect, it } from 'vitest';
import { gradient, operators } from 'zygote-ts';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  // a::Point + b::Point = Point(a.x + b.x, a.y + b.y), through zygote-ts's operator symbols
  [operators.add](other: Point): Point {
    return new Point(this.x + other.x, this.y + other.y);
  }
  [operators.sub](other: Point): Point {
    return new Point(this.x - other.x, this.y - other.y);
  }
}
const add = (a: Point, b: Point) => new Point(a.x + b.x, a.y + b.y);
const dist = (p: Point) => Math.sqrt(p.x ** 2 + p.y ** 2);
const a = new Point(1, 2);
const b = new Point(3, 4);

const sum = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0);

/** θ.W · x + θ.b with plain loops (matrices come with the arrays issue). */
function linear(θ: { W: number[][]; b: number[] }, x: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < θ.W.length; i++) {
    let s = θ.b[i]!;
    for (let j = 0; j < x.length; j++) s += θ.W[i]![j]! * x[j]!;
    out.push(s);
  }
  return out;
}

class Linear {
  constructor(
    public W: number[][],
    public b: number[],
  ) {}
  apply(x: number[]): number[] {
    return linear(this, x);
  }
}

const x = [0.3, -1.2, 2.5, 0.7, 1.1];
const W = [
  [0.1, 0.2, 0.3, 0.4, 0.5],
  [-0.5, 0.4, -0.3, 0.2, -0.1],
];

describe('the seed, structures', () => {
  it('Point: dist(a + b) and its gradient as a named-tuple-like object', () => {
    expect(dist(add(a, b))).toBe(7.211102550927978);
    expect(gradient((a: Point) => dist(add(a, b)), a)).toEqual([{ x: 0.5547001962252291, y: 0.8320502943378437 }]);
  });
  it('Point with user-defined + and -, written as in Julia', () => {
    // @ts-expect-error TypeScript does not know that Point defines +; the rewrite does.
    const plus = (p: Point, q: Point): Point => p + q;
    expect(dist(plus(a, b))).toBe(7.211102550927978);
    expect(gradient((a: Point) => dist(plus(a, b)), a)).toEqual([{ x: 0.5547001962252291, y: 0.8320502943378437 }]);
    // @ts-expect-error as above, for -
    const minus = (p: Point, q: Point): Point => p - q;
    const [g] = gradient((b: Point) => dist(minus(a, b)), b); // -(a - b) / |a - b|, a - b = (-2, -2)
    expect(g!.x).toBeCloseTo(Math.SQRT1_2, 15);
    expect(g!.y).toBeCloseTo(Math.SQRT1_2, 15);
  });
  it('a dictionary captured by the closure, mutated inside f (a Map)', () => {
    const d = new Map<string, number>();
    expect(
      gradient((x: number) => {
        d.set('x', x);
        return d.get('x')! * d.get('x')!;
      }, 5),
    ).toEqual([10]);
    expect(d.get('x')).toBe(5);
  });
  it('the same with a plain record', () => {
    const d: Record<string, number> = {};
    expect(
      gradient((x: number) => {
        d.x = x;
        return d.x * d.x;
      }, 5),
    ).toEqual([10]);
    expect(d.x).toBe(5);
  });
  it('sum(abs2, x) of an array', () => {
    expect(gradient((x: number[]) => x.reduce((s, v) => s + v * v, 0), [7, 11, 13])).toEqual([[14, 22, 26]]);
  });
  it('gradient([7, 11], 0, 1) do x, y, d … end', () => {
    const f = (x: number[], y: number, d: number) => {
      const p = d === 1 ? x.length : 1; // size(x, d)
      return sum(x.map((v) => v ** p + y));
    };
    expect(gradient(f, [7, 11], 0, 1)).toEqual([[14, 22], 2, null]);
  });
  it('explicit parameters in a record: gradient(θ -> sum(linear(θ, x)), θ)', () => {
    const θ = { W, b: [0.04, 0.53] };
    const [g] = gradient((θ: { W: number[][]; b: number[] }) => sum(linear(θ, x)), θ);
    expect(g).toEqual({ W: [x, x], b: [1, 1] });
  });
  it('explicit parameters in a Map', () => {
    const θ = new Map<string, number[][] | number[]>([
      ['W', W],
      ['b', [0.04, 0.53]],
    ]);
    const [g] = gradient((θ: Map<string, number[][] | number[]>) => sum(linear({ W: θ.get('W') as number[][], b: θ.get('b') as number[] }, x)), θ);
    expect(g).toBeInstanceOf(Map);
    expect([...g!.keys()]).toEqual(['W', 'b']);
    expect(g!.get('W')).toEqual([x, x]);
    expect(g!.get('b')).toEqual([1, 1]);
  });
  it('a callable-struct analogue: gradient(m -> sum(m(x)), model)', () => {
    const model = new Linear(W, [0.04, 0.53]);
    const [g] = gradient((m: Linear) => sum(m.apply(x)), model);
    expect(g).toEqual({ W: [x, x], b: [1, 1] });
    expect(model.W).toBe(W); // the caller's model is untouched
    expect(model.W[0]).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
  });
});
