// Implicit parameters: Params / Grads, keyed by identity.
import { describe, expect, it, vi } from 'vitest';
import { add, array, configure, derivative, exp, gradient, Grads, sub, jacobian, jvp, matmul, mul, NDArray, Params, pullback, rand, sum, tanh, withgradient } from 'zygote-ts';
import { plainTypeOf } from '../proxies/plain-data.js';

describe('Params and Grads', () => {
  const W = rand(2, 3, { seed: 1 });
  const b = array([0.1, -0.2]);
  const x = array([1, 2, 3]);
  const loss = () => sum(tanh(add(matmul(W, x), b)));

  it('gives each parameter its gradient, in its form, checked against finite differences', () => {
    const gs = gradient(loss, new Params([W, b]));
    expect(gs).toBeInstanceOf(Grads);
    const gW = gs.get(W)!;
    expect(gW.shape).toEqual([2, 3]);
    const h = 1e-6;
    for (let k = 0; k < W.size; k++) {
      const was = W.data[k]!;
      (W.data as Float64Array)[k] = was + h;
      const up = loss();
      (W.data as Float64Array)[k] = was - h;
      const down = loss();
      (W.data as Float64Array)[k] = was;
      expect(gW.data[k]).toBeCloseTo((up - down) / (2 * h), 6);
    }
    expect(W.tracedTape).toBe(null); // the parameter is plain again
  });
  it('is keyed by identity: mutating the numbers between calls keeps the key', () => {
    const ps = new Params([W, b]);
    const before = gradient(loss, ps).get(b)!.toArray();
    (b.data as Float64Array)[0] = 2;
    const after = gradient(loss, ps);
    expect(after.has(b)).toBe(true);
    expect(after.get(b)!.toArray()).not.toEqual(before);
    (b.data as Float64Array)[0] = 0.1;
    const twin = array([0.1, -0.2]);
    expect(after.has(twin)).toBe(false);
    expect(() => after.get(twin)).toThrow(/not one of the Params/);
  });
  it('reaches parameters however f does: through objects, indexing, and plain arrays', () => {
    const model = { layer: { W } };
    const v = [1, 2];
    const gs = gradient(() => model.layer.W.get(1, 2) * 3 + v[0]! * v[1]!, new Params([W, v]));
    expect(gs.get(W)!.toArray()).toEqual([[0, 0, 0], [0, 0, 3]]);
    expect(gs.get(v)).toEqual([2, 1]);
    expect(v).toEqual([1, 2]);
  });
  // (Grads listed the Params as they were when back ran: a parameter pushed after marking had
  // an undefined gradient, and `has` said yes, where f read it as a constant)
  it('Grads are of the parameters as they were marked: one pushed later, inside f or before back, is not among them', () => {
    const v = [1, 2];
    const u = [3];
    const ps = new Params([v]);
    const [, back] = pullback(() => v[0]! * v[1]! * u[0]!, ps);
    ps.push(u);
    const gs = back(1);
    expect(gs.get(v)).toEqual([6, 3]);
    expect(gs.has(u)).toBe(false);
    expect(() => gs.get(u)).toThrow(/not one of the Params .* or was added to them after this gradient was taken/);
    const later = new Params([v]);
    const inside = gradient(() => {
      later.push(u);
      return v[0]! * u[0]!;
    }, later);
    expect([...inside].map(([p]) => p)).toEqual([v]);
    expect(() => inside.get(u)).toThrow(/not one of the Params/);
  });
  it('a parameter with no path has a null gradient; iteration lists every parameter', () => {
    const unused = array([5]);
    const gs = gradient(loss, new Params([W, unused]));
    expect(gs.get(unused)).toBe(null);
    expect([...gs].map(([p]) => p)).toEqual([W, unused]);
  });
  // (Zygote's gs[W] read the property named by W's text, "1,2": undefined, with no word, and a
  // step w - 0.1 * gs[W][i] made NaN; `W in gs` was false)
  it("gs[p], Zygote's indexing, and p in gs are refused, pointing to get and has; Grads inspect, serialise and resolve as before", () => {
    const v = [1, 2];
    const empty: number[] = [];
    const gs = gradient(() => v[0]! * v[1]! + sum(mul(b, b)), new Params([v, b, empty]));
    const indexed = gs as unknown as Record<string, unknown>;
    expect(() => indexed[v as unknown as string]).toThrow(/gs\[p\] reads the property named by parameter 0's text \("1,2"\), not the parameter: .* Use gs\.get\(p\)\./);
    expect(() => indexed[b as unknown as string]).toThrow(/parameter 1's text/);
    expect(() => indexed[empty as unknown as string]).toThrow(/parameter 2's text \(""\)/);
    expect(() => (v as unknown as string) in gs).toThrow(/p in gs asks for the property named by parameter 0's text .* Use gs\.has\(p\)\./);
    expect([gs.get(v), gs.has(b), [...gs].length, (gs as unknown as { then?: unknown }).then, indexed['other']]).toEqual([[2, 1], true, 3, undefined, undefined]);
    expect(JSON.parse(JSON.stringify(gs)).grads[0]).toEqual([2, 1]);
    expect(gs.plus(gs).times(0.5).get(v)).toEqual([2, 1]);
    // (as an argument it is refused by what it is, not as a Proxy the user made)
    expect(() => gradient((g: Grads) => g.get(v)![0]! * 2, gs)).toThrow(/arg 0 is Grads: pass the gradients it holds/);
  });

  it("a key Grads lacks makes a parameter's text only where the key could be it (a nested array's rows are joined by commas too)", () => {
    const nested = [[1, 2], [], [3]];
    const gs = gradient(() => nested[0]![0]! * nested[2]![0]! + sum(mul(b, b)), new Params([nested, b]));
    expect(() => (gs as unknown as Record<string, unknown>)[nested as unknown as string]).toThrow(/parameter 0's text \("1,2,,3"\)/);
    const texts = vi.spyOn(NDArray.prototype, 'toString');
    try {
      expect([(gs as unknown as Record<string, unknown>)['asymmetricMatch'], 'then' in gs]).toEqual([undefined, false]);
      expect(texts).not.toHaveBeenCalled();
    } finally {
      texts.mockRestore();
    }
  });

  it('Grads add, scale, and update parameters in place (an optimiser step)', () => {
    const p = array([1, 2]);
    const f = () => sum(mul2(p));
    const gs = gradient(f, new Params([p]));
    expect(gs.get(p)!.toArray()).toEqual([2, 4]);
    expect(gs.plus(gs).get(p)!.toArray()).toEqual([4, 8]);
    expect(gs.times(0.5).get(p)!.toArray()).toEqual([1, 2]);
    const G: any = gs;
    expect((G + G).get(p).toArray()).toEqual([4, 8]); // operators, through the rewrite
    const tripled: any = G * 3;
    expect(tripled.get(p).toArray()).toEqual([6, 12]);
    gs.update(-0.25);
    expect(p.toArray()).toEqual([0.5, 1]);
  });
  // (found by helper O: these fell to JavaScript's meaning, NaN with no error)
  it('Grads subtract, divide and negate, through the rewrite; a power or a number on the wrong side is refused', () => {
    const w = array([1, 2]);
    const v = [3, 4];
    const ps = new Params([w, v]);
    const G: any = gradient(() => sum(mul2(w)) + v[0]! * 5, ps); // ∂w = 2w = [2, 4], ∂v = [5, 0]
    const H: any = gradient(() => sum(w) * 3, ps); // ∂w = [3, 3], ∂v: no path
    const difference: any = G - H;
    expect(difference).toBeInstanceOf(Grads);
    expect(difference.get(w).toArray()).toEqual([2 - 3, 4 - 3]);
    expect(difference.get(v)).toEqual([5, 0]);
    expect(((H - G) as any).get(v)).toEqual([0 - 5, 0 - 0]); // (null is zero)
    expect(G.minus(H).get(w).toArray()).toEqual([-1, 1]);
    expect(((G / 4) as any).get(w).toArray()).toEqual([2 / 4, 4 / 4]);
    expect(((G / 4) as any).get(v)).toEqual([5 / 4, 0]);
    expect(G.dividedBy(4).get(v)).toEqual([5 / 4, 0]);
    expect((-G as any).get(w).toArray()).toEqual([-2, -4]);
    expect((-H as any).get(v)).toBe(null);
    expect(() => G ** 2).toThrow(/Grads have no power/);
    expect(() => 2 / G).toThrow(/divided by a number only/);
    expect(() => G - 1).toThrow(/subtracted from Grads only/);
    expect(() => 1 - G).toThrow(/subtracted from Grads only/);
  });
  it('withgradient and pullback take Params too', () => {
    const p = array([3]);
    const { val, grad } = withgradient(() => sum(mul2(p)), new Params([p]));
    expect(val).toBe(9);
    expect(grad.get(p)!.toArray()).toEqual([6]);
    const [y, back] = pullback(() => sum(mul2(p)), new Params([p]));
    expect(y).toBe(9);
    expect(back(2).get(p)!.toArray()).toEqual([12]);
  });
  it('Params of number arrays inside a differentiation that traces them (second order): Params or an explicit argument outside', () => {
    // (new Params refused the traced numbers the enclosing differentiation put there: "is object, not a number")
    const make = () => ({ W: [1, 2, 3] });
    const inner = (s: { W: number[] }) => gradient(() => s.W[0]! * s.W[1]! * s.W[2]!, new Params([s.W])).get(s.W)![0]! * s.W[0]!;
    const h = 1e-6;
    const fd = (s0: { W: number[] }) => s0.W.map((_, i) => {
      const plus = make();
      plus.W[i]! += h;
      const minus = make();
      minus.W[i]! -= h;
      return (inner(plus) - inner(minus)) / (2 * h);
    });
    const s = make();
    const { val, grad } = withgradient(() => inner(s), new Params([s.W]));
    expect(val).toBe(inner(make()));
    grad.get(s.W)!.forEach((g, i) => expect(g).toBeCloseTo(fd(make())[i]!, 6));
    expect(s).toEqual(make());
    const [explicit] = gradient(inner, make());
    explicit!.W!.forEach((g, i) => expect(g).toBeCloseTo(fd(make())[i]!, 6));
  });
  it("Params' and Grads' own methods, given arrays an enclosing differentiation traces, are not doubted as unrewritten code (strict mode)", () => {
    // (gs.get(W), ps.has(W), ps.push(W) go through the runtime's method call by their names, and were
    // taken for a package's unrewritten code: a warning, and in strict mode an error, for documented second order)
    const previous = configure({ strict: true });
    try {
      const f = (x: number) => {
        const W = [x, 2];
        const ps = new Params([]).push(W);
        expect(ps.has(W)).toBe(true);
        const gs = gradient(() => W[0]! * W[0]! * W[0]! * W[1]!, ps);
        expect(gs.has(W)).toBe(true);
        return gs.get(W)![0]!;
      };
      expect(derivative(f, 1.5)).toBeCloseTo(6 * 1.5 * 2, 12);
    } finally {
      configure(previous);
    }
  });
  it('Grads add and scale inside an enclosing differentiation, keeping its derivative (second order)', () => {
    // Each is a function of the outer x, against central differences of itself run plainly.
    // (plus and times copied an NDArray gradient's numbers: the derivative in x was 0; on a
    // number array they threw, blaming code that was not rewritten, or 'different forms')
    const W = array([0.3, 0.5]);
    const P = [0.4, 0.6];
    const cases = {
      'NDArray, plus': (x: number) => {
        const g1 = gradient(() => sum(exp(mul(W, x))), new Params([W]));
        const g2 = gradient(() => sum(mul(W, x * x)), new Params([W]));
        return sum(g1.plus(g2).get(W)!);
      },
      'NDArray, times and +': (x: number) => {
        const g: any = gradient(() => sum(exp(mul(W, x))), new Params([W]));
        return sum((g.times(3) as Grads).get(W)!) + sum((g + g).get(W));
      },
      'number array, plus and times': (x: number) => {
        const g1 = gradient(() => P[0]! * x * P[1]!, new Params([P]));
        const g2 = gradient(() => P[0]! * P[0]! * x, new Params([P]));
        const [a, b] = g1.plus(g2).times(2).get(P)!;
        return a! + 3 * b!;
      },
      'times a number of the enclosing differentiation': (x: number) => {
        const g: any = gradient(() => P[0]! * P[1]!, new Params([P]));
        const [a, b] = (g.times(x) as Grads).get(P)! as number[];
        const [c] = ((g * x) as unknown as Grads).get(P) as number[];
        return a! + b! + c!;
      },
    };
    const h = 1e-5;
    for (const [name, g] of Object.entries(cases)) {
      const expected = (g(0.7 + h) - g(0.7 - h)) / (2 * h);
      expect(derivative(g, 0.7), name).toBeCloseTo(expected, 6);
      expect(jvp(g, [0.7], [1])[1], name).toBeCloseTo(expected, 6);
    }
  });
  it('Grads.update inside an enclosing differentiation: a number array steps with the derivative (a hypergradient); an NDArray is refused', () => {
    // (update wrote plain numbers: an NDArray's gradient traced by the enclosing
    // differentiation gave [0.9, 1.9] where it is [0.7, 1.7]; a number array threw, blaming
    // code that was not rewritten (a traced step size) or 'a object' of another form)
    const steps = (lr: number) => {
      const U = [1.5, -0.5];
      for (let t = 0; t < 3; t++) gradient(() => Math.sin(U[0]!) * U[1]! + U[1]! ** 2, new Params([U])).update(-lr);
      return U[0]! * U[1]!;
    };
    const h = 1e-6;
    expect(derivative(steps, 0.1)).toBeCloseTo((steps(0.1 + h) - steps(0.1 - h)) / (2 * h), 7);
    // parameters the enclosing differentiation marks: d/dW of W0'·W1', W' = W - 0.1·∇(W0²W1)
    const W = [1, 2];
    const outer = gradient(() => {
      gradient(() => W[0]! * W[0]! * W[1]!, new Params([W])).update(-0.1);
      return W[0]! * W[1]!;
    }, new Params([W]));
    (outer.get(W) as number[]).forEach((g, i) => expect(g).toBeCloseTo([1.02, 0.22][i]!, 12));
    expect(W).toEqual([0.6, 1.9]);
    expect(W.map(plainTypeOf)).toEqual(['number', 'number']);
    const A = array([1, 2]);
    const B = array([1, 1]);
    expect(() =>
      gradient(() => {
        gradient(() => sum(mul(mul(A, B), B)), new Params([A])).update(-0.1);
        return sum(mul(A, B));
      }, new Params([B])),
    ).toThrow(/Grads\.update: parameter 0 is an NDArray, and its step holds numbers an enclosing differentiation traces .* add\(W, mul\(gs\.get\(W\), scale\)\)/);
    expect(() => derivative((lr: number) => (gradient(() => sum(mul(A, A)), new Params([A])).update(-lr), sum(A)), 0.1)).toThrow(/parameter 0 is an NDArray/);
    expect(A.toArray()).toEqual([1, 2]); // (refused before any number was written)
  });
  it('the parameters are restored when f throws, and bad parameters are refused clearly', () => {
    const v = [1, 2];
    expect(() =>
      gradient(() => {
        throw new Error('stop ' + String(v[0]));
      }, new Params([v, W])),
    ).toThrow('stop 1');
    expect(v).toEqual([1, 2]);
    expect(plainTypeOf(v[0])).toBe('number');
    expect(W.tracedTape).toBe(null);
    expect(() => new Params([Float64Array.of(1) as unknown as number[]])).toThrow(/typed array/);
    expect(() => new Params([{ W } as unknown as number[]])).toThrow(/pass its arrays/);
    expect(() => new Params([Object.freeze([1, 2]) as number[]])).toThrow(/frozen/);
    expect(() => new Params([['a'] as unknown as number[]])).toThrow(/not a number/);
  });
  it('Grads.update refuses a parameter frozen since the gradient was taken before it steps any (immer freezes its state)', () => {
    // (the step threw JavaScript's own error midway: A was left stepped to [0.8, 2], W as it was)
    const A = [1, 2];
    const W = [1, 2, 3];
    const gs = gradient(() => A[0]! * W[0]! * W[1]! + W[2]!, new Params([A, W]));
    Object.freeze(W);
    expect(() => gs.update(-0.1)).toThrow(/Grads\.update: parameter 1 is a frozen array/);
    expect([A, W]).toEqual([[1, 2], [1, 2, 3]]);
  });
  it("an array whose numbers cannot be replaced in place is refused, naming it, and the caller's arrays are left as they were", () => {
    // (a Proxy's get trap scaling by 10 left the caller's [1, 2, 3] as [10, 20, 30] and gave a
    // gradient of length 30; a parameter frozen after the Params were made, as immer freezes
    // its state, or with a read-only element, threw JavaScript's own error, naming no parameter)
    const target = [1, 2, 3];
    const scaled = new Proxy(target, { get: (t, k) => (typeof Reflect.get(t, k) === 'number' ? Reflect.get(t, k) * 10 : Reflect.get(t, k)) });
    expect(() => gradient(() => scaled[0]! * scaled[1]!, new Params([scaled]))).toThrow(/parameter 0 is a Proxy that zygote-ts did not make.*the array behind the Proxy/);
    expect(() => new Params([[[1], new Proxy([2], {})]])).toThrow(/parameter 0\[1\] is a Proxy/);
    expect(target).toEqual([1, 2, 3]);

    const frozenLater = [[1, 2], [3, 4]];
    const ps = new Params([frozenLater]);
    Object.freeze(frozenLater[1]);
    expect(() => gradient(() => frozenLater[0]![0]! * frozenLater[1]![1]!, ps)).toThrow(/parameter 0\[1\] is a frozen array/);
    const readOnly = [1, 2, 3];
    const ps2 = new Params([readOnly, frozenLater[0]!]);
    Object.defineProperty(readOnly, 2, { value: 3, writable: false });
    expect(() => gradient(() => readOnly[0]! * frozenLater[0]![0]!, ps2)).toThrow(/parameter 0\[2\] is read-only/);
    for (const a of [frozenLater[0]!, frozenLater[1]!, readOnly]) for (const v of a) expect(plainTypeOf(v)).toBe('number');
    expect([frozenLater, readOnly]).toEqual([[[1, 2], [3, 4]], [1, 2, 3]]);
    // an NDArray is traced by setting its fields: frozen, when pushed or later
    expect(() => new Params([Object.freeze(array([1, 2])) as NDArray])).toThrow(/parameter 0 is a frozen NDArray/);
    const A = array([1, 2]);
    const ps3 = new Params([[1], A]);
    Object.freeze(A);
    expect(() => gradient(() => sum(mul(A, A)), ps3)).toThrow(/parameter 1 is a frozen NDArray/);
    expect(A.tracedTape).toBe(null);
  });
});

function mul2(p: NDArray): NDArray {
  const P: any = p;
  return (P * P) as unknown as NDArray;
}

describe('Params beside other arguments', () => {
  // (they were wrapped as a plain object: gradient((x, ps) => x * v[0], 3, new Params([v]))
  // was [2, null], v's gradient nowhere, with no word)
  it('is refused, for every way in', () => {
    const v = [2, 3];
    const ps = new Params([v]);
    const f = ((x: number) => x * v[0]!) as (...args: unknown[]) => number;
    expect(() => gradient(f, 3, ps)).toThrow(/argument 1 is a Params among 2 arguments, but Params must be the only argument/);
    expect(() => gradient(f, ps, 3)).toThrow(/argument 0 is a Params/);
    expect(() => withgradient(f, 3, ps)).toThrow(/Params must be the only argument/);
    expect(() => pullback(f, 3, ps)).toThrow(/Params must be the only argument/);
    expect(() => jvp(f, [3, ps], [1, null])).toThrow(/Params must be the only argument/);
    expect(gradient(() => 3 * v[0]!, ps).get(v)).toEqual([3, 0]);
  });

  // (traced as a record, its arrays read through f's closure got no gradient: { ps: null, x: 6 })
  it('and inside an argument, naming its place', () => {
    const v = [2, 3];
    const ps = new Params([v]);
    expect(() => gradient((o: { x: number; ps: Params }) => o.x * v[0]! * v[1]!, { x: 1, ps })).toThrow(/arg 0 \.ps is a Params: implicit parameters are given as the only argument/);
    expect(() => gradient((list: Params[]) => v[0]! * list.length, [ps])).toThrow(/arg 0 \[0\] is a Params/);
    expect(() => jvp((o: { x: number; ps: Params }) => o.x * v[0]!, [{ x: 1, ps }], [{ x: 1, ps: null }])).toThrow(/is a Params/);
  });
});

describe('jacobian and Params', () => {
  // (found by helper H: two parameters threw "Cannot read properties of undefined (reading
  // 'push')"; one gave [J] where a Grads would be expected)
  it('is refused with the explicit form to use', () => {
    const a = array([1, 2]);
    const b = array([3, 4]);
    for (const ps of [new Params([a]), new Params([a, b])]) {
      expect(() => jacobian((() => mul(a, b)) as never, ps as never)).toThrow(/jacobian takes explicit arguments, not Params/);
    }
    expect(jacobian((x: NDArray) => mul(x, b), a)[0].toArray()).toEqual([[3, 0], [0, 4]]);
  });

  it("warns when f's result depends on none of the Params: arrays replaced after the Params were made", () => {
    // (a loop that replaced its arrays got null for every gradient, and gs.update stepped nothing, with no word)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const m = { W: array([1, 2]), v: [1, 2] };
      const ps = new Params([m.W, m.v]);
      const lossOfModel = () => sum(mul(m.W, m.W)) + m.v[0]! * m.v[1]!;
      const first = gradient(lossOfModel, ps);
      expect(warn).not.toHaveBeenCalled();
      m.W = sub(m.W, mul(first.get(m.W)!, 0.1)) as NDArray; // new arrays, not among the Params
      m.v = m.v.map((x, i) => x - 0.1 * first.get(m.v)![i]!);
      const stale = gradient(lossOfModel, ps);
      expect([...stale].map(([, g]) => g)).toEqual([null, null]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/f's result depends on none of its 2 Params .*keyed by identity/);
    } finally {
      warn.mockRestore();
    }
  });
});
