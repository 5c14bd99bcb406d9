// immer in user code (issue 17): a deeply frozen immer state as an argument, and `produce`
// called inside f — a reducer that updates a model, differentiated. Every gradient is
// checked against central differences of the same function on plain copies.
import { describe, expect, it } from 'vitest';
import { applyPatches, castDraft, current, enableMapSet, enablePatches, freeze, immerable, produce, produceWithPatches } from 'immer';
import { array, gradient, jvp, mul, NDArray, sum, withgradient } from 'zygote-ts';
import { expectMatchesFiniteDifferences } from './fd.js';
import { isPlainData } from './plain-data.js';

enableMapSet();
enablePatches();

class Linear {
  [immerable] = true;
  constructor(
    public w: number[],
    public b: number,
  ) {}
  predict(x: number[]): number {
    return this.w.reduce((s, wi, i) => s + wi * x[i]!, this.b);
  }
}

interface State {
  model: Linear;
  trained: number;
  note: string;
}

const xs = [
  [1, 0.5],
  [-0.3, 2],
  [0.7, -1.2],
];
const ys = [1.5, -0.4, 0.9];

const mse = (m: Linear) => xs.reduce((s, x, i) => s + (m.predict(x) - ys[i]!) ** 2, 0) / xs.length;

// A reducer as a Redux/Zustand store would hold it: one gradient step, by hand.
function train(state: State, lr: number): State {
  return produce(state, (draft) => {
    const m = draft.model;
    const residuals = xs.map((x, i) => m.predict(x) - ys[i]!);
    m.w = m.w.map((wj, j) => wj - (lr * 2 * residuals.reduce((s, r, i) => s + r * xs[i]![j]!, 0)) / xs.length);
    m.b -= (lr * 2 * residuals.reduce((s, r) => s + r, 0)) / xs.length;
    draft.trained += 1;
  });
}

const initial = (): State => produce({ model: new Linear([0.2, -0.1], 0.05), trained: 0, note: 'fresh' }, () => {});

/** A plain, unfrozen copy with the same numbers (for central differences, which set fields). */
const thawed = (s: { model: { w: number[]; b: number } }) => ({ model: { w: [...s.model.w], b: s.model.b } });
const asState = (p: { model: { w: number[]; b: number } }): State => ({ model: new Linear([...p.model.w], p.model.b), trained: 0, note: '' });

describe('a frozen immer state as an argument', () => {
  it('differentiates through records, arrays, an immerable class, a Map and an NDArray, all frozen', () => {
    const state = freeze(
      {
        model: new Linear([0.5, -1.5], 0.25),
        table: new Map([
          ['a', 2],
          ['b', -3],
        ]),
        weights: array([1, -2, 0.5]),
        tag: 'v1',
      },
      true,
    );
    expect(Object.isFrozen(state.model.w) && Object.isFrozen(state.table)).toBe(true);
    const loss = (s: typeof state) => mse(s.model) * s.table.get('a')! + s.table.get('b')! ** 2 + sum(mul(s.weights, s.weights)) * s.model.b;
    const [g] = gradient(loss, state);
    expect(g!.tag).toBe(null);
    const plain = () => ({ model: { w: [0.5, -1.5], b: 0.25 }, table: new Map([['a', 2], ['b', -3]]) });
    const onPlain = (p: ReturnType<typeof plain>) => loss({ ...state, model: new Linear(p.model.w, p.model.b), table: p.table });
    expectMatchesFiniteDifferences(onPlain, plain, { model: g!.model, table: g!.table });
    // ∂/∂weights of Σ weights² · b is 2 · b · weights
    expect((g!.weights as NDArray).toArray()).toEqual([1, -2, 0.5].map((v) => 2 * 0.25 * v));
    // the state is as it was: frozen, same numbers
    expect(Object.isFrozen(state.model) && state.model.w[0] === 0.5 && state.table.get('a') === 2).toBe(true);
  });
});

describe('produce inside f', () => {
  it('a reducer that trains a model: the loss after the step, by the initial model and the learning rate', () => {
    const lossAfterStep = (s: State, lr: number) => mse(train(s, lr).model);
    const state = initial();
    const [gs, glr] = gradient(lossAfterStep, state, 0.3);
    expectMatchesFiniteDifferences((p) => lossAfterStep(asState(p), 0.3), () => thawed(state), { model: gs!.model });
    const h = 1e-6;
    expect(glr).toBeCloseTo((lossAfterStep(state, 0.3 + h) - lossAfterStep(state, 0.3 - h)) / (2 * h), 7);
    // the reducer did its work, and left the state frozen and untouched
    expect(train(state, 0.3).trained).toBe(1);
    expect(Object.isFrozen(state) && state.trained === 0).toBe(true);
  });

  it('a reducer whose step is a gradient taken inside the recipe (of current(draft)): second order through produce', () => {
    const step = (s: State, lr: number) =>
      produce(s, (draft) => {
        const [g] = gradient(mse, current(draft.model));
        draft.model.w = draft.model.w.map((wj, j) => wj - lr * g!.w![j]!);
        draft.model.b -= lr * g!.b!;
      });
    const after = (s: State, lr: number) => mse(step(s, lr).model);
    const state = initial();
    const [gs, glr] = gradient(after, state, 0.2);
    expectMatchesFiniteDifferences((p) => after(asState(p), 0.2), () => thawed(state), { model: gs!.model }, { tol: 1e-5 });
    const h = 1e-6;
    expect(glr).toBeCloseTo((after(state, 0.2 + h) - after(state, 0.2 - h)) / (2 * h), 7);
    // the same numbers as the hand-written step
    expect(after(state, 0.2)).toBeCloseTo(mse(train(state, 0.2).model), 14);
  });

  it('Map drafts, a recipe that returns the next state, and a push through a draft', () => {
    const s = freeze({ m: new Map([['a', 2], ['b', 3]]), v: array([1, 2]) }, true);
    const viaMap = (st: typeof s, k: number) => {
      const next = produce(st, (d) => {
        d.m.set('a', d.m.get('a')! * k);
        d.v = castDraft(mul(st.v, k) as NDArray);
      });
      return next.m.get('a')! * next.m.get('b')! + sum(next.v);
    };
    const [g, gk] = gradient(viaMap, s, 2);
    // closed forms of (a k) b + k Σv
    expect(g!.m).toEqual(new Map([['a', 2 * 3], ['b', 2 * 2]]));
    expect((g!.v as NDArray).toArray()).toEqual([2, 2]);
    expect(gk).toBe(2 * 3 + 3);

    const returning = (st: { w: number[] }, k: number) => produce(st, (d) => ({ w: [...d.w, k * k] })).w.reduce((a, b) => a + b, 0);
    expect(gradient(returning, { w: [1, 5] }, 3)).toEqual([{ w: [1, 1] }, 6]);

    const pushing = (st: { w: number[] }, k: number) =>
      produce(st, (d) => {
        d.w.push(k * 2);
        d.w[0] = current(d).w[1]! * k;
      }).w.reduce((a, b) => a + b, 0);
    const [gw, gk2] = gradient(pushing, { w: [1, 5] }, 3);
    expectMatchesFiniteDifferences((p) => pushing(p, 3), () => ({ w: [1, 5] }), gw);
    expect(gk2).toBeCloseTo((pushing({ w: [1, 5] }, 3 + 1e-6) - pushing({ w: [1, 5] }, 3 - 1e-6)) / 2e-6, 8);
  });

  it('a recipe that stores traced numbers equal to those there returns the state it was given, as in plain code (next === state)', () => {
    type S = { x: number; y: number; a: { z: number }; w: number[]; m: Map<string, number> };
    const make = (): S => ({ x: 2, y: 20, a: { z: 3 }, w: [1, 4], m: new Map([['p', 5]]) });
    // immer compares by identity: a traced number is another object than the number there, so
    // produce made a new state at k = 1, and `next === s` took the other branch (3, not 20)
    const scaled = (s: S, k: number) => {
      const next = produce(s, (d) => {
        d.x = d.x * k;
      });
      return next === s ? s.y : next.x + 1;
    };
    const nested = (s: S, k: number) => {
      const next = produce(s, (d) => {
        d.a.z = d.a.z * k;
        d.w[1] = d.w[1]! * k;
        d.m.set('p', d.m.get('p')! * k);
      });
      return Object.is(next, s) && next.a === s.a ? s.y * k : next.a.z + next.w[1]! + next.m.get('p')!;
    };
    // a change beside the equal numbers is a change
    const changed = (s: S, k: number) => {
      const next = produce(s, (d) => {
        d.x = d.x * k;
        d.y = d.y + 1;
      });
      return next !== s ? next.x * next.y : 0;
    };
    const h = 1e-6;
    for (const f of [scaled, nested, changed]) {
      for (const k of [1, 2]) {
        const [gs, gk] = gradient(f, make(), k);
        expect(withgradient(f, make(), k).val).toBe(f(make(), k)); // (plain numbers: plain JavaScript)
        expectMatchesFiniteDifferences((s: S) => f(s, k), make, gs);
        // (k = 1 is where the identity branches, as `k === 1 ? …` would: the branch taken's derivative)
        if (k !== 1 || f === changed) expect(gk ?? 0).toBeCloseTo((f(make(), k + h) - f(make(), k - h)) / (2 * h), 6);
      }
    }
    expect(withgradient(scaled, make(), 1).val).toBe(20);
    expect(gradient(scaled, make(), 1)[1]).toBe(null);
    expect(gradient(nested, make(), 1)[1]).toBe(20);
    // the number read from the result keeps its derivative in k
    expect(gradient((k: number) => produce(make(), (d) => void (d.x = d.x * k)).x, 1)).toEqual([2]);
  });

  it('a base produce found unchanged is frozen as plain immer freezes it: the next write to it throws there too', () => {
    // (plain immer returned the base itself, deeply frozen, and `s.b = 5` threw; the traced
    // number made a copy, the base stayed open and the write went through: 7 where it is 102)
    type S = { a: number; b: number; n: { c: number } };
    const make = (): S => ({ a: 2, b: 1, n: { c: 3 } });
    const top = (s: S, x: number) => {
      const next = produce(s, (d) => void (d.a = d.a * x));
      try {
        s.b = 5;
      } catch {
        return 100 + next.a;
      }
      return next.a + s.b;
    };
    // (a part found unchanged beside a change is shared, and frozen with the state)
    const part = (s: S, x: number) => {
      const next = produce(s, (d) => {
        d.n.c = d.n.c * x;
        d.a = 7;
      });
      try {
        s.n.c = 5;
      } catch {
        return 100 + next.n.c;
      }
      return next.n.c + s.n.c;
    };
    // (a change undone is a change to plain immer: a new state, the base left open; the base
    // was frozen, and s.b = 5 threw where plain code writes it)
    const undone = (s: S & { v: number[] }, x: number) => {
      const next = produce(s, (d) => {
        d.a = d.a * x;
        d.v.push(d.b);
        d.v.pop();
      });
      try {
        s.b = 5;
      } catch {
        return 100 + next.a;
      }
      return next.a + s.b;
    };
    const moved = (s: S & { v: number[] }, x: number) => {
      const next = produce(s, (d) => {
        d.v[0] = d.v[0]! * x;
        d.v.reverse();
        d.v.reverse();
      });
      try {
        s.b = 5;
      } catch {
        return 100 + next.v[0]!;
      }
      return next.v[0]! + s.b;
    };
    for (const x of [1, 2]) {
      const withV = () => ({ ...make(), v: [0.5, -1.25] });
      expect(withgradient(undone, withV(), x).val).toBe(undone(withV(), x));
      expect(withgradient(moved, withV(), x).val).toBe(moved(withV(), x));
    }
    for (const f of [top, part]) {
      for (const x of [1, 2]) {
        const plain = make();
        const traced = make();
        const { val, grad } = withgradient(f, traced, x);
        expect(val).toBe(f(plain, x));
        expect(traced).toEqual(plain);
        expect([Object.isFrozen(traced), Object.isFrozen(traced.n)]).toEqual([Object.isFrozen(plain), Object.isFrozen(plain.n)]);
        expectMatchesFiniteDifferences((s: S) => f(s, x), make, grad[0]);
      }
    }
    expect(withgradient(top, make(), 1).val).toBe(102);
  });

  it('such a state is its base to searches and keys too (includes, indexOf, a Set, a Map), as in plain code', () => {
    type S = { x: number; y: number };
    const make = (): S => ({ x: 2, y: 20 });
    const step = (s: S, k: number) => produce(s, (d) => void (d.x = d.x * k));
    // (each was a new object to them at k = 1: 3 where plain code gives 20, or 7)
    const searched = (s: S, k: number) => ([s].includes(step(s, k)) ? s.y : 3) + [s].indexOf(step(s, k));
    const inSet = (s: S, k: number) => (new Set([s]).has(step(s, k)) ? s.y : step(s, k).x + 1);
    const inMap = (s: S, k: number) => (new Map([[s, 7]]).get(step(s, k)) ?? 0) * s.x;
    for (const f of [searched, inSet, inMap]) {
      for (const k of [1, 2]) {
        expect(withgradient(f, make(), k).val).toBe(f(make(), k));
        expectMatchesFiniteDifferences((s: S) => f(s, k), make, gradient(f, make(), k)[0]);
      }
    }
    expect([withgradient(searched, make(), 1).val, withgradient(inSet, make(), 1).val, withgradient(inMap, make(), 1).val]).toEqual([20, 20, 14]);
  });

  it("a Map or Set draft's own set, add, has, get, delete key a traced number by its value, as in plain code", () => {
    // (immer's draft methods compare by identity: at x = 1, d.s.add(x) gave a Set of three members
    // where plain code keeps two, d.s.delete(x) deleted nothing, d.m.set(x, …) added a key)
    const make = () => freeze({ s: new Set([1, 2]), m: new Map([[1, 10], [2, 20]]) }, true);
    const members = (x: number) => {
      const state = make();
      const n = produce(state, (d) => void d.s.add(x));
      let t = 0;
      for (const v of n.s) t += v * v;
      return t + n.s.size * 100 + (n === state ? 1000 : 0);
    };
    const deleted = (x: number) => {
      const n = produce(make(), (d) => {
        d.s.delete(x * 2);
        d.m.delete(x);
      });
      return n.s.size * 100 + n.m.size;
    };
    const keyed = (x: number) => {
      const n = produce(make(), (d) => {
        d.m.set(x, d.m.get(x)! * x);
        d.m.set(x * 3, x);
      });
      return n.m.size * 100 + n.m.get(1)! + n.m.get(3)! * 2 + (n.m.has(3) ? 1 : 0);
    };
    const seenInRecipe = (x: number) => {
      let found = 0;
      produce(make(), (d) => {
        d.s.add(x + 4);
        found = (d.s.has(5) ? 1 : 0) + d.s.size;
      });
      return found * x;
    };
    for (const f of [members, deleted, keyed, seenInRecipe]) for (const x of [1, 1.5]) expect(withgradient(f, x).val).toBe(f(x));
    // (at x = 1 a key equal to one held is a branch taken, as `x === 1 ? …` would be: that branch's derivative)
    expect(gradient(keyed, 1)).toEqual([10 + 1 * 2]);
    expect(gradient(seenInRecipe, 1)).toEqual([4]);
    expect(gradient(members, 1.5)).toEqual([3]);
  });

  it("a Map or Set draft keyed by an object f was given finds it under the caller's object, as plain code does", () => {
    // (the key inside f is f's copy of the argument: the draft's own get, has and delete compared
    // it by identity, and found nothing — 11200 where plain code gives 11130)
    const key = { id: 1, w: 2 };
    const other = { id: 2, w: 3 };
    const state = freeze({ m: new Map([[key, 10]]), s: new Set([key, other]) }, true);
    const f = (k: typeof key, x: number) => {
      let seen = 0;
      const next = produce(state, (d) => {
        d.m.set(k, (d.m.get(k) ?? 0) * x * k.w);
        seen = (d.s.has(k) ? 1 : 0) + (d.s.delete(k) ? 2 : 0);
      });
      return next.m.get(k)! + next.m.size * 100 + next.s.size * 1000 + seen * 10000;
    };
    expect(withgradient(f, key, 1.5).val).toBe(f(key, 1.5));
    expect(gradient(f, key, 1.5)).toEqual([{ id: null, w: 10 * 1.5 }, 10 * 2]);
    expect(state.m.get(key)).toBe(10);
  });

  it("Maps and Sets immer makes itself (current, applyPatches) find f's traced keys by value", () => {
    // (a Map current() copied held the traced key 3, which c.has(3) did not find: 20 where plain code gives 22)
    const make = () => freeze({ m: new Map([[1, 10]]), s: new Set([1]) }, true);
    const copied = (x: number) => {
      let found = 0;
      produce(make(), (d) => {
        d.m.set(x * 3, 1);
        d.s.add(x * 3);
        const m = current(d.m);
        const s = current(d.s);
        found = (m.has(3) ? 1 : 0) + m.size * 10 + (m.get(3) ?? 0) * x + (s.has(3) ? 100 : 0);
      });
      return found;
    };
    const patched = (x: number) => {
      const state = make();
      const [, patches] = produceWithPatches(state, (d) => {
        d.m.set(x * 3, x);
        d.s.add(x * 3);
      });
      const next = applyPatches(state, patches);
      return (next.m.has(3) ? 1 : 0) + next.m.size * 10 + (next.m.get(3) ?? 0) * 2 + (next.s.has(3) ? 100 : 0);
    };
    for (const f of [copied, patched]) for (const x of [1, 1.5]) expect(withgradient(f, x).val).toBe(f(x));
    expect([gradient(copied, 1)[0], gradient(patched, 1)[0]]).toEqual([1, 2]);
  });

  it("a draft of a Set or Map argument keys f's numbers by value against the argument's traced members and keys", () => {
    // (the copy immer made of the argument's Set held its stand-in's traced members, which the
    // draft's own add and delete compared by identity: at x = 1, 435 where plain code gives 229)
    const members = (s: Set<number>, x: number) => {
      const n = produce(s, (d) => {
        d.add(5);
        d.delete(x);
        d.add(x * 2);
      });
      let t = 0;
      for (const v of n) t += v * v;
      return t + n.size * 100 + (n.has(2) ? 1000 : 0);
    };
    const keys = (m: Map<number, number>, x: number) => {
      const n = produce(m, (d) => {
        d.set(3, 1);
        d.set(x, d.get(x)! * x);
      });
      let t = 0;
      for (const [k, v] of n) t += k * v;
      return t + n.size * 100;
    };
    const set = () => freeze(new Set([1, 2]), true);
    const map = () => freeze(new Map([[1, 10], [2, 20]]), true);
    for (const x of [1, 1.5]) {
      expect(withgradient(members, set(), x).val).toBe(members(set(), x));
      expect(withgradient(keys, map(), x).val).toBe(keys(map(), x));
    }
    // member 1 deleted: no path; 2 kept: 2·2
    expect(gradient(members, set(), 1)[0]).toEqual(new Map([[1, null], [2, 4]]));
    expect(gradient(keys, map(), 1)).toEqual([new Map([[1, 1], [2, 2]]), 10]);
  });

  it("jvp of f returning a state produce made, holding a frozen Map and Set (immer's locks are functions of their own)", () => {
    // (it was refused as "a function in f's output": immer's set, add, clear, delete that throw)
    const state = freeze({ w: 2, m: new Map([['a', 1]]), s: new Set([1]) }, true);
    const step = (x: number) =>
      produce(state, (d) => {
        d.w = d.w * x;
        d.m.set('a', x * x);
        d.s.add(x * 3);
      });
    const [y, t] = jvp(step, [1.5], [1]) as [ReturnType<typeof step>, { w: number; m: Map<string, number>; s: Map<number, number> }];
    expect([y.w, [...y.m], [...y.s]]).toEqual([3, [['a', 2.25]], [1, 4.5]]);
    expect([t.w, [...t.m], [...t.s]]).toEqual([2, [['a', 3]], [[1, 0], [4.5, 3]]]);
    expect(Object.isFrozen(y.m)).toBe(true);
    expect(() => y.m.set('b', 1)).toThrow(/frozen/);
  });

  it("a frozen state's Map and Set refuse f's writes as they do in plain JavaScript (immer's locks are their own properties)", () => {
    // (the Map's stand-in had no own properties: m.set went through, and the caller's Map kept 3)
    const make = () => freeze({ m: new Map([['a', 3]]), s: new Set([1]) }, true);
    const setA = (state: ReturnType<typeof make>) => (state.m.set('a', state.m.get('a')! * 2), state.m.get('a')!);
    const addTwo = (state: ReturnType<typeof make>) => (state.s.add(2), state.m.get('a')!);
    for (const f of [setA, addTwo]) {
      expect(() => f(make())).toThrow(/frozen/);
      const state = make();
      expect(() => gradient(f, state)).toThrow(/frozen/);
      expect([[...state.m], [...state.s]]).toEqual([[['a', 3]], [1]]);
    }
  });
  it('a store outside f that f dispatches to holds the state plain JavaScript leaves: frozen, with numbers (no traced value, no stand-in)', () => {
    // (a frozen object cannot be written: the state produce returned kept f's traced numbers, and the argument's stand-in)
    const make = () => {
      const store = { state: freeze({ model: { w: [0.5, -1], b: 0.25 }, seen: new Map([['steps', 0]]) }, true) as { model: { w: number[]; b: number }; seen: Map<string, number>; input?: { x: number } } };
      const loss = (input: { x: number }, lr: number) => {
        store.state = produce(store.state, (d) => {
          d.model.w[0] = d.model.w[0]! - lr * input.x;
          d.seen.set('steps', d.seen.get('steps')! + lr);
          d.input = input;
        });
        return store.state.model.w[0]! * store.state.model.b + store.state.seen.get('steps')!;
      };
      return { store, loss, input: { x: 2 } };
    };
    const plain = make();
    const value = plain.loss(plain.input, 0.1);
    const traced = make();
    const { val, grad } = withgradient(traced.loss, traced.input, 0.1);
    expect(val).toBe(value);
    expect(traced.store.state).toEqual(plain.store.state);
    expect(isPlainData(traced.store.state)).toBe(true);
    expect(traced.store.state.input).toBe(traced.input);
    expect(Object.isFrozen(traced.store.state.model.w)).toBe(true);
    const h = 1e-6;
    const at = (x: number, lr: number) => make().loss({ x }, lr);
    expect(grad[0]!.x).toBeCloseTo((at(2 + h, 0.1) - at(2 - h, 0.1)) / (2 * h), 7);
    expect(grad[1]).toBeCloseTo((at(2, 0.1 + h) - at(2, 0.1 - h)) / (2 * h), 7);
  });
  it('a state of [immerable] class instances produce made, held outside f, is left holding numbers, as a record is', () => {
    // (a frozen class instance cannot be written: the traced numbers stayed in it, with a warning;
    // immer copies such instances itself, so the clean-up gives its holders a copy)
    class Point {
      [immerable] = true;
      constructor(
        public a: number,
        public b: number[],
      ) {}
      norm() {
        return this.a * this.a + this.b[0]! * this.b[1]!;
      }
    }
    class Scale {
      static [immerable] = true;
      constructor(public a: number) {}
      get twice() {
        return this.a * 2;
      }
    }
    const run = () => {
      const store: { p?: Point; held?: unknown[]; q?: Scale } = {};
      const point = freeze(new Point(2, [3, 4]), true);
      const scale = freeze(new Scale(5), true);
      const f = (x: number) => {
        const next = produce(point, (d) => {
          d.a *= x;
          d.b[1] = x;
        });
        store.p = next;
        store.held = [next, next.b];
        store.q = produce(scale, (d) => void (d.a = d.a * x));
        return next.norm() + store.q.twice;
      };
      return { store, f };
    };
    const plain = run();
    const traced = run();
    const { val, grad } = withgradient(traced.f, 1.5);
    expect(val).toBe(plain.f(1.5));
    expect(grad[0]).toBeCloseTo(2 * 4 * 1.5 + 3 + 2 * 5, 12); // (d/dx of (2x)² + 3x + 2·5x)
    const { p, held, q } = traced.store;
    expect(isPlainData([p!.a, p!.b, q!.a])).toBe(true);
    expect([p instanceof Point, q instanceof Scale, Object.isFrozen(p), held![0] === p, held![1] === p!.b]).toEqual([true, true, true, true, true]);
    expect([p!.norm(), q!.twice]).toEqual([plain.store.p!.norm(), plain.store.q!.twice]);
  });

  it('a draft given to gradient is refused with what to pass instead', () => {
    const s = freeze({ m: new Map([['a', 2]]), r: { x: 2 } }, true);
    produce(s, (d) => {
      expect(() => gradient((m: Map<string, number>) => m.get('a')! * 2, d.m)).toThrow(/arg 0 is an immer draft .*current\(draft\)/);
      expect(() => gradient((r: { x: number }) => r.x * 2, d.r)).toThrow(/arg 0 is an immer draft .*current\(draft\)/);
      expect(gradient((r: { x: number }) => r.x * 2, current(d.r))).toEqual([{ x: 2 }]);
    });
  });
});
