// The layout of a parameter structure (lib/tree/layout.ts): one slot per parameter, a tied
// parameter once, gradients read into slots — their sums along several paths checked
// against central differences of the function of the one shared parameter.
import { describe, expect, it } from 'vitest';
import { array, gradient, mul, NDArray, sum } from 'zygote-ts';
// (from dist/, the modules the package's exports load: one NDArray class, one tape)
import { Layout } from '../../dist/lib/tree/layout.js';

class Dense {
  constructor(
    public W: NDArray,
    public b: number[],
    public activation = 'tanh',
  ) {}
  get size(): number {
    return this.b.length;
  }
}

const caller = 'spec';

describe('the layout of a structure', () => {
  it('one slot per number, NDArray and typed array, through class instances, arrays and Maps; nothing for the rest', () => {
    const x = {
      layer: new Dense(array([[1, 2], [3, 4]]), [0.5, -0.5]),
      scales: new Map<string, number | Float32Array>([['a', 2], ['b', new Float32Array([1, 2, 3])]]),
      when: new Date(0),
      tags: new Set([1, 2]),
      name: 'net',
    };
    const layout = Layout.of(x, caller);
    expect(layout.count).toBe(1 + 2 + 1 + 1);
    expect(layout.size).toBe(4 + 2 + 1 + 3);
    const leaves = layout.gather(x, caller);
    const v = layout.flatten(leaves);
    expect(Array.from(v)).toEqual([1, 2, 3, 4, 0.5, -0.5, 2, 1, 2, 3]);
    // flatten ∘ unflatten is the identity, and the leaves keep their kinds
    const back = layout.unflatten(v);
    expect(back[0]).toBeInstanceOf(NDArray);
    expect(back[4]).toBeInstanceOf(Float32Array);
    expect(Array.from(layout.flatten(back))).toEqual(Array.from(v));
  });

  it("a gradient's slots: scatter gives the gradient's own shape back", () => {
    const x = { layer: new Dense(array([1, 2]), [3]), k: new Map([['s', 4]]) };
    const f = (p: typeof x) => sum(mul(p.layer.W, p.layer.b[0]!)) * p.k.get('s')!;
    const [g] = gradient(f, x);
    const layout = Layout.of(x, caller);
    const slots = layout.gather(g, caller);
    const tree = layout.scatter(slots) as typeof g;
    expect((tree!.layer!.W as NDArray).toArray()).toEqual((g!.layer!.W as NDArray).toArray());
    expect(tree!.layer!.b).toEqual(g!.layer!.b);
    expect(tree!.k).toEqual(g!.k);
    expect(tree!.layer!.activation).toBe(null);
  });

  it('a tied NDArray is one slot, and its gradients along each path add up (central differences of the tied function)', () => {
    const W = array([0.3, -1.2, 2]);
    const net = { encoder: W, decoder: W, bias: 0.5 };
    const f = (p: typeof net) => sum(mul(p.encoder, p.encoder)) * p.bias + sum(mul(p.decoder, 3));
    const layout = Layout.of(net, caller);
    expect(layout.count).toBe(2);
    const [g] = gradient(f, net);
    const slots = layout.gather(g, caller);
    const tiedGradient = (slots[0] as NDArray).toArray() as number[];
    const h = 1e-6;
    const fOfW = (w: number[]) => {
      const t = array(w);
      return f({ encoder: t, decoder: t, bias: 0.5 });
    };
    const w0 = [0.3, -1.2, 2];
    w0.forEach((_, i) => {
      const plus = w0.map((v, j) => (j === i ? v + h : v));
      const minus = w0.map((v, j) => (j === i ? v - h : v));
      expect(tiedGradient[i]).toBeCloseTo((fOfW(plus) - fOfW(minus)) / (2 * h), 6);
    });
  });

  it('a record reached twice is one set of slots; its shared gradient object is counted once', () => {
    const shared = { w: 2 };
    const x = { first: shared, second: shared };
    const f = (p: typeof x) => p.first.w * p.first.w + 5 * p.second.w;
    const layout = Layout.of(x, caller);
    expect(layout.count).toBe(1);
    const [g] = gradient(f, x);
    const [slot] = layout.gather(g, caller);
    const h = 1e-6;
    const fOfW = (w: number) => f({ first: { w }, second: { w } });
    expect(slot).toBeCloseTo((fOfW(2 + h) - fOfW(2 - h)) / (2 * h), 6);
  });

  it('names the place where a gradient does not fit the structure', () => {
    const x = { w: [1, 2], m: new Map([['a', 1]]), s: new Set([1]) };
    const layout = Layout.of(x, caller);
    expect(() => layout.gather({ w: [1, 2], m: new Map([['a', 1]]), extra: 3 }, 'update')).toThrow(/update: \.extra holds numbers .* where the parameters have none/);
    expect(() => layout.gather({ w: [1, 2, 3] }, 'update')).toThrow(/\.w\[2\] holds numbers/);
    expect(() => layout.gather({ m: new Map([['b', 1]]) }, 'update')).toThrow(/\.m\.get\("b"\) holds numbers/);
    expect(() => layout.gather({ w: array([1, 2]) }, 'update')).toThrow(/\.w is an NDArray of shape \[2\] where the parameters have an array/);
    expect(() => layout.gather({ s: new Map([[1, 1]]) }, 'update')).toThrow(/\.s holds numbers \(a Map\) where the parameters have none/);
    const t = Layout.of({ W: array([1, 2]) }, caller);
    expect(() => t.gather({ W: array([1, 2, 3]) }, 'update')).toThrow(/\.W is an NDArray of shape \[3\] where an NDArray of shape \[2\] is/);
    expect(() => Layout.of({ a: 1 }, caller).gather({ a: 1, '#secret': 2 }, 'update')).toThrow(/\.#secret is a #private field/);
  });

  it('refuses values being differentiated (library code would lose their derivative)', () => {
    expect(() => gradient((w: number) => Layout.of({ w }, 'minimize').count, 2)).toThrow(/minimize: \.w is being differentiated/);
    expect(() => gradient((W: NDArray) => Layout.of([W], 'minimize').count, array([1]))).toThrow(/minimize: \[0\] is being differentiated/);
  });
});
