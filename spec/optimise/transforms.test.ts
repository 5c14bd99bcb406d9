// The gradient transformations against their papers' recurrences, written out per number
// below, over structures of every kind (the same numbers whatever holds them); null
// gradients; and training loops that reach a closed-form optimum.
import { describe, expect, it, vi } from 'vitest';
import {
  adam,
  adamw,
  applyUpdates,
  array,
  chain,
  clipByGlobalNorm,
  cosineDecay,
  gradient,
  mul,
  NDArray,
  rmsprop,
  scale,
  scaleByAdam,
  scaleByLearningRate,
  sgd,
  sum,
  type OptState,
  type GradientTransformation,
} from 'zygote-ts';

/** A structure holding six numbers in every kind of leaf, and its numbers in order. */
interface Params {
  a: number;
  v: number[];
  W: NDArray;
  t: Float64Array;
}
const make = (xs: number[]): Params => ({ a: xs[0]!, v: [xs[1]!, xs[2]!], W: array([xs[3]!, xs[4]!]), t: Float64Array.of(xs[5]!) });
const numbers = (p: { a: number | null; v: number[] | null; W: NDArray | null; t: Float64Array | null }): (number | null)[] => [
  p.a,
  ...(p.v ?? [null, null]),
  ...(p.W === null ? [null, null] : Array.from(p.W.data)),
  ...(p.t === null ? [null] : Array.from(p.t)),
];

/** Gradients for five steps (a deterministic sequence with signs and scales mixed). */
const gradientsAt = (step: number) => Array.from({ length: 6 }, (_, i) => Math.sin(1.7 * step + i) * (1 + i / 2));
const start = [0.5, -1, 2, 0.25, -0.75, 1.5];

/** Runs `opt` for five steps on the structure; each step's update as six numbers. */
function run(opt: GradientTransformation, nullAt?: { step: number; index: 'a' | 'v' }): (number | null)[][] {
  let params = make(start);
  let state = opt.init(params);
  const out: (number | null)[][] = [];
  for (let step = 0; step < 5; step++) {
    const g = make(gradientsAt(step));
    const grads = { ...g, ...(nullAt?.step === step ? { [nullAt.index]: null } : {}) };
    const [u, next] = opt.update(grads, state, params);
    state = next;
    params = applyUpdates(params, u);
    out.push(numbers(u!));
  }
  return out;
}

/**
 * The same recurrence per number: `rule(i)` makes the rule of number i, which gets its
 * gradient (null where `nullAt` says there is none) and its parameter, and gives its update.
 */
type Rule = (g: number | null, p: number) => number | null;
function reference(rule: (i: number) => Rule, nullAt?: { step: number; indices: number[] }): (number | null)[][] {
  const rules = start.map((_, i) => rule(i));
  const p = [...start];
  return [0, 1, 2, 3, 4].map((step) =>
    gradientsAt(step).map((gi, i) => {
      const u = rules[i]!(nullAt?.step === step && nullAt.indices.includes(i) ? null : gi, p[i]!);
      if (u !== null) p[i]! += u;
      return u;
    }),
  );
}

/**
 * Adam's recurrence (with decoupled weight decay `decay`). A skipped number's count stays,
 * with its moments: t is how many gradients m and v took, which the bias correction undoes.
 */
const adamRule = (lr: number, decay: number) => (): Rule => {
  let [m, v, t] = [0, 0, 0];
  return (g, p) => {
    if (g === null) return null;
    t++;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    return -lr * (m / (1 - 0.9 ** t) / (Math.sqrt(v / (1 - 0.999 ** t)) + 1e-8) + decay * p);
  };
};

function expectSame(actual: (number | null)[][], expected: (number | null)[][]): void {
  actual.forEach((row, s) =>
    row.forEach((u, i) => {
      const e = expected[s]![i]!;
      if (e === null) expect(u, `step ${s}, number ${i}`).toBe(null);
      else expect(Math.abs(u! - e), `step ${s}, number ${i}: ${u} vs ${e}`).toBeLessThan(1e-14 * Math.max(1, Math.abs(e)));
    }),
  );
}

describe('the transformations follow their recurrences, for every kind of leaf', () => {
  it('sgd, with momentum and with Nesterov', () => {
    expectSame(run(sgd(0.1)), reference(() => (g) => -0.1 * g!));
    const momentum = (nesterov: boolean) => (): Rule => {
      let t = 0;
      return (g) => {
        t = g! + 0.9 * t;
        return -0.05 * (nesterov ? g! + 0.9 * t : t);
      };
    };
    expectSame(run(sgd(0.05, { momentum: 0.9 })), reference(momentum(false)));
    expectSame(run(sgd(0.05, { momentum: 0.9, nesterov: true })), reference(momentum(true)));
  });

  it('adam and adamw (Kingma & Ba; Loshchilov & Hutter)', () => {
    expectSame(run(adam(0.01)), reference(adamRule(0.01, 0)));
    expectSame(run(adamw(0.01, { weightDecay: 0.1 })), reference(adamRule(0.01, 0.1)));
  });

  // (eps was added outside the root, as PyTorch does: optax adds it inside, which bounds the
  // step at lr·|g|/√eps for small gradients — updates 1e4 times larger for g ≈ 1e-12)
  it("rmsprop (Tieleman & Hinton) as optax defines it: eps inside the root", () => {
    const rms = (lr: number, eps: number, inside: boolean) => (): Rule => {
      let v = 0;
      return (g) => {
        v = 0.9 * v + 0.1 * g! * g!;
        return (-lr * g!) / (inside ? Math.sqrt(v + eps) : Math.sqrt(v) + eps);
      };
    };
    expectSame(run(rmsprop(0.01)), reference(rms(0.01, 1e-8, true)));
    expectSame(run(rmsprop(0.01, { eps: 0.1 })), reference(rms(0.01, 0.1, true)));
    expectSame(run(rmsprop(0.01, { eps: 0.1, epsInSqrt: false })), reference(rms(0.01, 0.1, false)));
  });

  // (optax's rmsprop scales by the learning rate before the momentum trace: with a schedule,
  // the trace holds each step's own rate, lr_t·g_t + m·(earlier), not lr_t·(g_t + m·earlier))
  it('rmsprop with momentum traces the scaled steps (optax: the learning rate before the trace)', () => {
    const lr = (step: number) => 0.1 / (step + 1);
    expectSame(
      run(rmsprop(lr, { momentum: 0.5 })),
      reference(() => {
        let [v, t, step] = [0, 0, 0];
        return (g) => {
          v = 0.9 * v + 0.1 * g! * g!;
          t = -lr(step++) * (g! / Math.sqrt(v + 1e-8)) + 0.5 * t;
          return t;
        };
      }),
    );
  });

  it('a schedule is read at the step count, from 0', () => {
    const seen: number[] = [];
    run(scaleByLearningRate((step) => (seen.push(step), 0.1)));
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expectSame(
      run(scaleByLearningRate((step) => 1 / (step + 1))),
      reference(() => {
        let step = 0;
        return (g) => -g! / ++step;
      }),
    );
  });

  it('a null gradient leaves its parameters and their moments alone', () => {
    expectSame(run(adam(0.01), { step: 2, index: 'v' }), reference(adamRule(0.01, 0), { step: 2, indices: [1, 2] }));
    expectSame(run(adam(0.01), { step: 0, index: 'a' }), reference(adamRule(0.01, 0), { step: 0, indices: [0] }));
  });

  // (found by helper O: another kind's state was read as this one's — sgd with a schedule on
  // Adam's state stepped by NaN, a momentum trace took RMSprop's mean squares as its trace)
  it("a state made by another kind of optimiser is refused; one of the same kind with other numbers is taken", () => {
    const p = { a: 1, b: [2, 3] };
    const g = { a: 0.5, b: [1, -1] };
    expect(() => sgd(cosineDecay(0.1, 10)).update(g, adam(0.1).init(p))).toThrow(/sgd\(schedule\)\.update: the state was made by another kind of optimiser \(chain\(scaleByAdam, scaleByLearningRate\), where this is chain\(scaleByLearningRate\)\)/);
    expect(() => sgd(0.1, { momentum: 0.9 }).update(g, rmsprop(0.1).init(p))).toThrow(/another kind of optimiser/);
    expect(() => adamw(0.1).update(g, adam(0.1).init(p), p)).toThrow(/another kind of optimiser/);
    expect(() => adam(0.1).update(g, sgd(0.1).init(p))).toThrow(/another kind of optimiser/);
    // (a learning rate changed between steps: the moments carry over, as adam(0.05)'s own would)
    const [, afterOne] = adam(0.1).update(g, adam(0.1).init(p));
    const [, ownAfterOne] = adam(0.05).update(g, adam(0.05).init(p));
    expect(adam(0.05).update(g, afterOne)[0]).toEqual(adam(0.05).update(g, ownAfterOne)[0]);
    expect(chain(scaleByAdam(), scaleByLearningRate(0.05)).update(g, afterOne)[0]).toEqual(adam(0.05).update(g, ownAfterOne)[0]);
  });

  it("a parameter first reached after some steps takes Adam's first step, lr·sign(g), as a parameter reached from the start", () => {
    let p = { a: 1, b: 1 };
    const opt = adam(0.1);
    let state = opt.init(p);
    for (let step = 0; step < 10; step++) {
      const [g] = gradient((q: typeof p) => (step < 9 ? 2 * q.a : 2 * q.a + 3 * q.b), p);
      const [u, next] = opt.update(g, state);
      state = next;
      if (step === 9) expect(u!.b).toBeCloseTo(-0.1, 7); // was −0.0484: moments of one gradient, corrected as if of ten
      p = applyUpdates(p, u);
    }
    expect(p.b).toBeCloseTo(0.9, 7);
  });

  it('clipByGlobalNorm scales the whole update to the norm, and passes a smaller one', () => {
    const params = make(start);
    const clip = clipByGlobalNorm(1);
    const state = clip.init(params);
    const big = make(gradientsAt(0));
    const [u] = clip.update(big, state);
    const norm = (xs: (number | null)[]) => Math.sqrt(xs.reduce((s: number, x) => s + x! * x!, 0));
    expect(norm(numbers(u!))).toBeCloseTo(1, 14);
    // one factor for every number (the first gradient is sin 0 = 0)
    const ratios = numbers(u!).slice(1).map((x, i) => x! / gradientsAt(0)[i + 1]!);
    ratios.forEach((r) => expect(r).toBeCloseTo(ratios[0]!, 14));
    expect(numbers(u!)[0]).toBe(0);
    const small = make(gradientsAt(0).map((g) => g / 100));
    expect(numbers(clip.update(small, state)[0]!)).toEqual(numbers(small));
  });

  it('clipByGlobalNorm clips gradients whose sum of squares overflows to the norm, not to zero', () => {
    // (the norm was Infinity and the factor 0: the update of { a: [3e200, 4e200] } was [0, 0], not [0.6, 0.8])
    const clip = clipByGlobalNorm(1);
    const state = clip.init({ a: [1, 2], w: array([1, 1]), b: 3 });
    const [u] = clip.update({ a: [3e200, 4e200], w: array([0, -1e200]), b: null }, state);
    const norm = Math.sqrt(26); // the gradient is (3, 4, 0, −1)·1e200
    expect(u!.a![0]).toBeCloseTo(3 / norm, 14);
    expect(u!.a![1]).toBeCloseTo(4 / norm, 14);
    expect(u!.w!.data[1]).toBeCloseTo(-1 / norm, 14);
    expect(u!.b).toBe(null);
    // a gradient holding Infinity still gives NaN there and 0 elsewhere, as optax's
    const [v] = clip.update({ a: [Infinity, 1], w: array([0, 0]), b: 1 }, state);
    expect([v!.a![0], v!.a![1], v!.b]).toEqual([NaN, 0, 0]);
  });

  it("warns when Adam's or RMSprop's mean square of gradients overflows, freezing its parameter; clipping first keeps it moving", () => {
    // (one gradient of 1e21 made a float32 parameter's second moment Infinity: its updates were 0 ever after, with no word)
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const frozenAfter = (opt: ReturnType<typeof adam>) => {
        let p = { w: new Float32Array([1]) };
        let state = opt.init(p);
        for (const g of [1e21, 1, 1]) {
          const [u, next] = opt.update({ w: new Float32Array([g]) }, state);
          state = next;
          p = applyUpdates(p, u);
        }
        return p.w[0];
      };
      expect(frozenAfter(adam(0.1))).toBe(1); // (as optax's and PyTorch's: the formula is theirs)
      expect(frozenAfter(rmsprop(0.1))).toBe(1);
      const said = warn.mock.calls.map((c) => String(c[0]));
      expect(said.some((m) => /scaleByAdam: a parameter's mean square of gradients is Infinity.*clipByGlobalNorm/.test(m))).toBe(true);
      expect(said.some((m) => /scaleByRms: a parameter's mean square of gradients is Infinity/.test(m))).toBe(true);
      warn.mockClear();
      const clipped = chain(clipByGlobalNorm(1), adam(0.1));
      let q = { w: 1 };
      let state = clipped.init(q);
      for (const g of [1e160, 1]) {
        const [u, next] = clipped.update({ w: g }, state);
        state = next;
        q = applyUpdates(q, u);
      }
      expect(q.w).toBeCloseTo(0.8, 6); // two Adam steps of lr · sign(g)
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it('chain composes, in order', () => {
    expectSame(run(chain(scale(2), scaleByLearningRate(0.1))), reference(() => (g) => -0.2 * g!));
    expectSame(run(chain(clipByGlobalNorm(1e9), sgd(0.3))), reference(() => (g) => -0.3 * g!));
  });

  it('adamw needs the parameters, and a state from another optimiser is refused', () => {
    const p = make(start);
    const opt = adamw(0.1);
    expect(() => opt.update(make(gradientsAt(0)), opt.init(p))).toThrow(/addDecayedWeights\(0.0001\) needs the parameters/);
    expect(() => sgd(0.1).update(make(gradientsAt(0)), { stolen: true } as unknown as OptState<Params>)).toThrow(/the state must come from sgd\(0.1\)\.init/);
  });
});

describe('training loops reach the least-squares optimum (the normal equations, solved by hand)', () => {
  // y ≈ w·x + b on fixed data
  const xs = [[1, 0.5], [-0.3, 2], [0.7, -1.2], [1.5, 1], [-1, -0.4], [0.2, 0.3]];
  const ys = [1.5, -0.4, 0.9, 2.2, -1.1, 0.6];
  const X = xs.map(([a, c]) => [a!, c!, 1]);
  // the optimum: XᵀX θ = Xᵀy (3×3, by Cramer's rule)
  const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((s, r) => s + r[i]! * r[j]!, 0)));
  const rhs = [0, 1, 2].map((i) => X.reduce((s, r, k) => s + r[i]! * ys[k]!, 0));
  const det = (m: number[][]) =>
    m[0]![0]! * (m[1]![1]! * m[2]![2]! - m[1]![2]! * m[2]![1]!) - m[0]![1]! * (m[1]![0]! * m[2]![2]! - m[1]![2]! * m[2]![0]!) + m[0]![2]! * (m[1]![0]! * m[2]![1]! - m[1]![1]! * m[2]![0]!);
  const theta = [0, 1, 2].map((c) => det(A.map((row, i) => row.map((v, j) => (j === c ? rhs[i]! : v)))) / det(A));

  class Model {
    constructor(
      public w: NDArray,
      public b: number,
    ) {}
    predict(x: number[]): number {
      return sum(mul(this.w, array(x))) + this.b;
    }
  }
  const loss = (m: Model) => xs.reduce((s, x, i) => s + (m.predict(x) - ys[i]!) ** 2, 0) / xs.length;

  for (const [name, opt, steps] of [
    ['adam with a cosine schedule', adam(cosineDecay(0.1, 300)), 300],
    ['sgd with Nesterov momentum', sgd(0.05, { momentum: 0.9, nesterov: true }), 300],
  ] as const) {
    it(`${name}, on a class instance holding an NDArray`, () => {
      let model = new Model(array([0, 0]), 0);
      let state = opt.init(model);
      for (let i = 0; i < steps; i++) {
        const [g] = gradient(loss, model);
        const [u, next] = opt.update(g, state, model);
        state = next;
        model = applyUpdates(model, u);
      }
      expect(model).toBeInstanceOf(Model);
      const got = [...(model.w.toArray() as number[]), model.b];
      got.forEach((v, i) => expect(Math.abs(v - theta[i]!), `θ${i}: ${v} vs ${theta[i]}`).toBeLessThan(1e-4));
    });
  }
});
