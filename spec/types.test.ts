// The public API's types: a gradient's type follows its argument's type. Checked by
// `tsc` (npm test type-checks spec/) and at run time by vitest.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { immerable } from 'immer';
import {
  adam,
  applyUpdates,
  array,
  compileGradient,
  densegradient,
  gradient,
  hessian,
  jvp,
  Grads,
  jacobian,
  leastSquares,
  minimize,
  NDArray,
  Params,
  pullback,
  withgradient,
  type DenseGrad,
  type Grad,
  type Gradients,
  type Nested,
  type OptState,
} from 'zygote-ts';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}

describe('types', () => {
  it('gradients follow the arguments', () => {
    const g = gradient((a: number, s: string, b: number) => (s.length > 0 ? a * b : a), 2, 'x', 3);
    expectTypeOf(g).toEqualTypeOf<[number | null, null, number | null]>();
    expectTypeOf<Gradients<[number, boolean]>>().toEqualTypeOf<[number | null, null]>();
  });
  it('pullback, withgradient and jacobian', () => {
    const [y, back] = pullback((x: number) => x * 2, 1);
    expectTypeOf(y).toEqualTypeOf<number>();
    expectTypeOf(back).parameter(0).toEqualTypeOf<number | NDArray | readonly (number | Nested)[] | Float64Array | Float32Array | undefined>();
    expectTypeOf(withgradient((x: number) => x, 1).grad).toEqualTypeOf<[number | null]>();
    expectTypeOf(jacobian((x: number, s: string) => [x, s.length], 1, 'a')).toEqualTypeOf<[number[], null]>();
  });
  it('densegradient: the same shapes, without null where numbers are', () => {
    const [g, s] = densegradient((p: Point, name: string) => p.x * name.length, new Point(3, 4), 'ab');
    expectTypeOf(g).toEqualTypeOf<{ x: number; y: number }>();
    expectTypeOf(s).toEqualTypeOf<null>();
    expectTypeOf<DenseGrad<{ W: number[][]; b: Map<string, number>; m: NDArray; f: Float32Array }>>().toEqualTypeOf<{
      W: number[][];
      b: Map<string, number>;
      m: NDArray;
      f: Float32Array;
    }>();
  });
  it('structures: Grad<T> mirrors T', () => {
    expectTypeOf<Grad<Point>>().toEqualTypeOf<{ x: number | null; y: number | null }>();
    expectTypeOf<Grad<number[]>>().toEqualTypeOf<number[]>();
    expectTypeOf<Grad<[number, string]>>().toEqualTypeOf<[number, null]>();
    expectTypeOf<Grad<Point[]>>().toEqualTypeOf<({ x: number | null; y: number | null } | null)[]>();
    expectTypeOf<Grad<Map<string, number[]>>>().toEqualTypeOf<Map<string, number[] | null>>();
    expectTypeOf<Grad<{ W: number[][]; b: number[]; name: string }>>().toEqualTypeOf<{
      W: (number[] | null)[] | null;
      b: number[] | null;
      name: null;
    }>();
    const [g] = gradient((p: Point) => p.norm(), new Point(3, 4));
    expectTypeOf(g).toEqualTypeOf<{ x: number | null; y: number | null } | null>();
  });
  it('arrays: an NDArray argument has an NDArray gradient; Params give Grads', () => {
    const [g] = gradient((x: NDArray) => x.get(0), array([1, 2]));
    expectTypeOf(g).toEqualTypeOf<NDArray | null>();
    expectTypeOf<Grad<{ W: NDArray; b: number[] }>>().toEqualTypeOf<{ W: NDArray | null; b: number[] | null }>();
    const W = array([1]);
    const gs = gradient(() => W.get(0), new Params([W]));
    expectTypeOf(gs).toEqualTypeOf<Grads>();
    expectTypeOf(gs.get(W)).toEqualTypeOf<NDArray | null>();
    expectTypeOf(jacobian((x: NDArray) => x, array([1]))).toEqualTypeOf<[NDArray]>();
  });
  it("an array's subclass has its base's gradient: an NDArray, a Float64Array (not the subclass, whose methods it lacks)", () => {
    class Shaped extends NDArray {
      rows(): number {
        return this.shape[0]!;
      }
    }
    class Vec3 extends Float64Array {
      norm(): number {
        return Math.hypot(...this);
      }
    }
    const [g] = gradient((a: Shaped) => a.get(0), new Shaped([2], new Float64Array([1, 2])));
    expectTypeOf(g).toEqualTypeOf<NDArray | null>();
    expect(g).toBeInstanceOf(NDArray);
    expect(g).not.toBeInstanceOf(Shaped);
    const [v] = densegradient((v: Vec3) => v[0]! * v[1]!, Vec3.from([1, 2, 3]) as Vec3);
    expectTypeOf(v).toEqualTypeOf<Float64Array<ArrayBuffer>>();
    expect(v.constructor).toBe(Float64Array);
    expectTypeOf<Grad<{ f: Float32Array }>>().toEqualTypeOf<{ f: Float32Array | null }>();
    // a tangent of a subclass's argument may be a plain NDArray, as forward mode takes it
    expect(jvp((a: Shaped) => a.get(1), [new Shaped([2], new Float64Array([1, 2]))], [array([0, 1])])[1]).toBe(1);
  });
  it('what holds no derivative is null: integer typed arrays, dates, regular expressions', () => {
    const g = gradient((a: Int32Array, d: Date, r: RegExp, x: number) => a[0]! * x + (r.test('a') ? d.getTime() : 0), new Int32Array([2]), new Date(0), /a/, 1);
    expectTypeOf(g).toEqualTypeOf<[null, null, null, number | null]>();
    expect(g).toEqual([null, null, null, 2]);
    expectTypeOf<DenseGrad<{ counts: Uint8Array; at: Date; w: number }>>().toEqualTypeOf<{ counts: null; at: null; w: number }>();
  });
  it('a class instance: its data fields, writable, without its methods', () => {
    class Body {
      readonly kind = 'body';
      #secret = 1;
      constructor(
        readonly mass: number,
        public velocity: readonly number[],
      ) {}
      energy(): number {
        return (this.mass * this.velocity.reduce((s, v) => s + v * v, 0)) / 2 + this.#secret * 0;
      }
    }
    const [g] = gradient((b: Body) => b.energy(), new Body(2, [1, 3]));
    expectTypeOf(g).toEqualTypeOf<{ kind: null; mass: number | null; velocity: number[] | null } | null>();
    expect(g).toEqual({ kind: null, mass: 5, velocity: [2, 6], '#secret': 0 });
  });
  it('optional fields, unions with null, Maps and Sets, tuples', () => {
    expectTypeOf<Grad<{ a?: number; b: number }>>().toEqualTypeOf<{ a?: number | null; b: number | null }>();
    expectTypeOf<Grad<{ p: Point | null }>>().toEqualTypeOf<{ p: { x: number | null; y: number | null } | null }>();
    expectTypeOf<Grad<Map<string, number>>>().toEqualTypeOf<Map<string, number | null>>();
    expectTypeOf<Grad<Set<Point>>>().toEqualTypeOf<Map<Point, { x: number | null; y: number | null } | null>>();
    expectTypeOf<Grad<readonly [number, number]>>().toEqualTypeOf<[number, number]>();
    const [m] = gradient((m: Map<string, number>) => m.get('a')! * 2, new Map([['a', 1], ['b', 2]]));
    expectTypeOf(m).toEqualTypeOf<Map<string, number | null> | null>();
    expect(m).toEqual(new Map([['a', 2], ['b', null]]));
  });
  it('densegradient of Params gives Grads; hessian takes a tuple; back takes a typed array', () => {
    const W = [1, 2];
    const gs = densegradient(() => W[0]! * 3, new Params([W]));
    expectTypeOf(gs).toEqualTypeOf<Grads>();
    expect(gs.get(W)).toEqual([3, 0]);
    const h = hessian((v: [number, number]) => v[0] * v[0] * v[1], [2, 3]);
    expectTypeOf(h).toEqualTypeOf<number[][]>();
    expect(h).toEqual([[6, 4], [4, 0]]);
    const [, back] = pullback((a: NDArray) => a, array([1, 2]));
    expect(back(new Float64Array([1, 3]))[0]!.toArray()).toEqual([1, 3]);
  });
  it('compileGradient: its gradients follow the arguments; called with Params, Grads', () => {
    const g = compileGradient((p: Point, w: number[]) => p.x * w[0]!);
    expectTypeOf(g(new Point(1, 2), [3])).toEqualTypeOf<[{ x: number | null; y: number | null } | null, number[] | null]>();
    expect(g(new Point(1, 2), [3])).toEqual([{ x: 3, y: null }, [1]]);
    const W = [1, 2];
    const implicit = compileGradient(() => W[0]! * W[1]!);
    const gs = implicit(new Params([W]));
    expectTypeOf(gs).toEqualTypeOf<Grads>();
    expect(gs.get(W)).toEqual([2, 1]);
  });
  it('a gradient has no symbol-keyed members (immer marks classes with one)', () => {
    class Drafted {
      [immerable] = true;
      constructor(public w: number) {}
    }
    expectTypeOf<Grad<Drafted>>().toEqualTypeOf<{ w: number | null }>();
    expectTypeOf<DenseGrad<Drafted>>().toEqualTypeOf<{ w: number }>();
  });
  it('optimisers and solvers: their types follow the parameters', () => {
    const model = { p: new Point(1, 2), w: [1, 2], W: array([1]), name: 'm' };
    type Model = typeof model;
    const opt = adam(0.1);
    const state = opt.init(model);
    expectTypeOf(state).toEqualTypeOf<OptState<Model>>();
    const [g] = gradient((m: Model) => m.p.x * m.w[0]!, model);
    const [u, next] = opt.update(g, state, model);
    expectTypeOf(u).toEqualTypeOf<Grad<Model> | null>();
    expectTypeOf(next).toEqualTypeOf<OptState<Model>>();
    expectTypeOf(applyUpdates(model, u)).toEqualTypeOf<Model>();
    // dense gradients fit too
    opt.update(densegradient((m: Model) => m.p.x, model)[0], state);
    // (and what TypeScript refuses, the optimiser refuses too)
    // @ts-expect-error a gradient of another structure
    expect(() => opt.update({ q: 1 }, state)).toThrow(/\.q holds numbers/);
    // @ts-expect-error a state made for another structure
    expect(() => opt.update(g, opt.init({ other: 1 }))).toThrow(/\.p holds numbers/);
    const r = minimize((p: Point) => p.norm(), new Point(3, 4), { maxIterations: 1 });
    expectTypeOf(r.x).toEqualTypeOf<Point>();
    expectTypeOf(r.gradient).toEqualTypeOf<{ x: number | null; y: number | null }>();
    expectTypeOf(leastSquares((p: { a: number }) => [p.a - 1], { a: 0 }).x).toEqualTypeOf<{ a: number }>();
  });
});
