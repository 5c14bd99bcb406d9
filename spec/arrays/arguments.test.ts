// An NDArray argument is traced as a new array (arrays are values): f must still see the
// caller's array as it is — its class (a subclass of NDArray, its methods and fields) and its
// own properties — or it computes another value than plain JavaScript, without a word.
import { describe, expect, it } from 'vitest';
import { array, compileGradient, gradient, hessian, jvp, NDArray, sum, withgradient } from 'zygote-ts';

class Scaled extends NDArray {
  scale = 3;
  weighted(): number {
    return sum((this as any) * (this as any)) * this.scale;
  }
}

const nested = (x: unknown) => (x instanceof NDArray ? x.toArray() : x);

describe('NDArray arguments keep their class and own properties', () => {
  const t = () => new Scaled([2], Float64Array.of(1, 2));

  it("a subclass's fields, methods and instanceof are f's as in plain JavaScript", () => {
    // (were undefined, missing and false: `sum(t) * t.scale` was NaN, the instanceof test took
    // the other branch: -3 where plain JavaScript gives 3)
    const field = (x: Scaled) => sum(x) * x.scale;
    const method = (x: Scaled) => x.weighted();
    const kind = (x: Scaled) => (x instanceof Scaled ? sum(x) : -sum(x));
    for (const f of [field, method, kind]) {
      expect(withgradient(f, t()).val).toBe(f(t()));
    }
    expect(nested(gradient(field, t())[0])).toEqual([3, 3]);
    expect(nested(gradient(method, t())[0])).toEqual([6, 12]);
    expect(nested(gradient(kind, t())[0])).toEqual([1, 1]);
  });

  it("the caller's own properties on an NDArray (`x.label`, a number beside it: a constant)", () => {
    const x = Object.assign(array([1, 2]), { label: 'w', k: 5 });
    const f = (y: any) => (y.label === 'w' ? sum(y) * y.k : 0);
    const { val, grad } = withgradient(f, x);
    expect([val, nested(grad[0])]).toEqual([15, [5, 5]]);
  });

  it("compiled code, which reads an argument's numbers only, does not keep the recording's properties", () => {
    // (a compiled f kept the first call's x.scale: 3 on every later call, where eager gave 5, 7)
    const f = (x: Scaled) => sum(x) * x.scale;
    const g = compileGradient(f);
    for (const s of [3, 3, 5, 7]) {
      const x = t();
      x.scale = s;
      expect(nested(g(x)[0])).toEqual([s, s]);
    }
    // a plain NDArray recorded first, one with an own property later (and back)
    const h = compileGradient((x: any) => sum(x) * (x.k ?? 1));
    for (const k of [undefined, undefined, 9, undefined, 4]) {
      const x = k === undefined ? array([1, 2]) : Object.assign(array([1, 2]), { k });
      expect(nested(h(x)[0])).toEqual([k ?? 1, k ?? 1]);
    }
  });

  it('also compiled, in forward mode and nested', () => {
    const f = (x: NDArray) => (x instanceof Scaled ? x.weighted() : -1);
    const g = compileGradient(f);
    expect(nested(g(t())[0])).toEqual([6, 12]);
    expect(nested(g(t())[0])).toEqual([6, 12]);
    expect(jvp(f, [t()], [array([1, 0])])).toEqual([15, 6]);
    expect(nested(hessian(f, t()))).toEqual([[6, 0], [0, 6]]);
    expect(nested(gradient((o: { x: Scaled }) => f(o.x), { x: t() })[0]!.x)).toEqual([6, 12]);
  });
});
