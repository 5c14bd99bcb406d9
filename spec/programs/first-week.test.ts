// Programs a newcomer writes in the first week, run as written: every gradient against central
// differences of the same program on plain numbers, every value and side effect against the
// program run plain, and the caller's data after the call (also when f throws part-way).
import { describe, expect, it } from 'vitest';
import { adam, applyUpdates, compileGradient, gradient, withgradient } from 'zygote-ts';

/** Central differences of f over every number of `x` (a copy per evaluation: f may write to it). */
function differences<T>(f: (x: T) => number, x: T, h = 1e-6): number[] {
  const numbers: number[] = [];
  JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && numbers.push(v), v));
  const at = (k: number, dx: number): number => {
    let i = 0;
    return f(JSON.parse(JSON.stringify(x), (_k, v: unknown) => (typeof v === 'number' ? (i++ === k ? v + dx : v) : v)) as T);
  };
  return numbers.map((_, k) => (at(k, h) - at(k, -h)) / (2 * h));
}
/** The numbers of a gradient in the order JSON writes its argument (null: 0). */
function flat(g: unknown, like: unknown): number[] {
  const out: number[] = [];
  const walk = (a: unknown, b: unknown): void => {
    if (typeof b === 'number') out.push(typeof a === 'number' ? a : 0);
    else if (b !== null && typeof b === 'object') for (const k of Object.keys(b)) walk(a == null ? null : (a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]);
  };
  walk(g, like);
  return out;
}
function expectClose(got: number[], want: number[], tolerance = 1e-5): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(tolerance * (1 + Math.abs(want[i]!))));
}

describe('a small network on plain arrays, trained with adam', () => {
  type Layer = { W: number[][]; b: number[] };
  type Net = { layers: Layer[]; act: 'tanh' | 'relu' };
  const forward = (net: Net, x: number[]) =>
    net.layers.reduce((h, L, li) => {
      const z = L.W.map((row, i) => row.reduce((s, w, j) => s + w * h[j]!, L.b[i]!));
      return li < net.layers.length - 1 ? z.map((v) => (net.act === 'relu' ? (v > 0 ? v : 0) : Math.tanh(v))) : z;
    }, x);
  const data = Array.from({ length: 8 }, (_, i) => ({ x: [i / 4 - 1, (i / 4 - 1) ** 2], y: Math.sin(i / 2) }));
  const loss = (net: Net) => data.reduce((s, { x, y }) => s + (forward(net, x)[0]! - y) ** 2, 0) / data.length;
  const make = (act: Net['act']): Net => {
    let seed = 7;
    const r = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
    const layer = (rows: number, cols: number): Layer => ({ W: Array.from({ length: rows }, () => Array.from({ length: cols }, r)), b: Array.from({ length: rows }, r) });
    return { layers: [layer(4, 2), layer(1, 4)], act };
  };
  for (const act of ['tanh', 'relu'] as const) {
    it(`${act}: the gradient is the central differences', and the network is left as it was`, () => {
      const net = make(act);
      const before = JSON.stringify(net);
      const [g] = gradient(loss, net);
      expect(JSON.stringify(net)).toBe(before);
      expectClose(flat(g, net), differences(loss, net));
    });
  }
  it('adam lowers the loss and keeps the network a network', () => {
    let net = make('tanh');
    const opt = adam(0.05);
    let state = opt.init(net);
    const first = loss(net);
    for (let step = 0; step < 60; step++) {
      const [g] = gradient(loss, net);
      const [updates, next] = opt.update(g, state);
      state = next;
      net = applyUpdates(net, updates);
    }
    expect(loss(net)).toBeLessThan(first / 4);
    expect(net.act).toBe('tanh');
    expect(typeof net.layers[0]!.W[0]![0]).toBe('number');
  });
});

describe('Black–Scholes with an erf approximation', () => {
  function erf(x: number): number {
    const sign = Math.sign(x);
    x = Math.abs(x);
    const t = 1 / (1 + 0.3275911 * x);
    return sign * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x));
  }
  const N = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
  const price = (S: number, K: number, T: number, r: number, sigma: number) => {
    const d1 = (Math.log(S / K) + (r + sigma ** 2 / 2) * T) / (sigma * Math.sqrt(T));
    return S * N(d1) - K * Math.exp(-r * T) * N(d1 - sigma * Math.sqrt(T));
  };
  const points: [number, number, number, number, number][] = [[100, 95, 0.5, 0.03, 0.25], [50, 95, 0.2, 0.01, 0.2], [95, 95, 1, 0.01, 0.4], [120, 95, 2, 0.05, 0.3]];
  it('the greeks are the central differences, eager and compiled, in and out of the money', () => {
    const compiled = compileGradient(price);
    for (const p of points) {
      const eager = gradient(price, ...p) as number[];
      expectClose(eager, differences((q: number[]) => price(...(q as typeof p)), p), 1e-4);
      expect(compiled(...p)).toEqual(eager);
    }
  });
});

describe('a statistics pipeline of Array methods', () => {
  const stats = (xs: number[]) => {
    const n = xs.length;
    const mean = xs.reduce((a, b) => a + b) / n;
    const sorted = [...xs].sort((a, b) => a - b);
    const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
    const sd = Math.sqrt(xs.map((x) => (x - mean) ** 2).reduce((a, b) => a + b, 0) / (n - 1));
    const z = xs.map((x) => (x - mean) / sd);
    const firstHigh = z.findIndex((v) => v > 1);
    const gaps = xs.flatMap((x, i) => xs.slice(i + 1).map((y) => Math.abs(x - y)));
    const { length: pairs = 0 } = gaps;
    return median + 2 * sd + (firstHigh >= 0 ? z[firstHigh]! : 0) + Math.max(...xs) - Math.min(...xs) + gaps.reduce((a, b) => a + b, 0) / pairs + (sorted.at(-1) ?? 0);
  };
  it('eager and compiled gradients are the central differences, as lengths and orders change', () => {
    const compiled = compileGradient(stats);
    for (const xs of [[3.2, 1.1, 4.7, 2.2, 0.9, 5.5], [3.2, 1.1, 4.7, 2.2, 0.9], [5.5, 0.9, 2.2, 4.7, 1.1, 3.2], [0.5, 3.2, 1.1, 4.7, 2.2, 0.9, 9]]) {
      const before = [...xs];
      const [g] = gradient(stats, xs);
      expect(xs).toEqual(before);
      expectClose(g!, differences(stats, xs), 1e-4);
      expect(compiled(xs)).toEqual([g]);
      expect(withgradient(stats, xs).val).toBe(stats(before));
    }
  });
});

describe('a physics step over class instances with getters, setters and static helpers', () => {
  class Vec2 {
    constructor(public x = 0, public y = 0) {}
    static add(a: Vec2, b: Vec2) { return new Vec2(a.x + b.x, a.y + b.y); }
    static scale(a: Vec2, k: number) { return new Vec2(a.x * k, a.y * k); }
    get length() { return Math.hypot(this.x, this.y); }
  }
  class Body {
    static G = 9.81;
    private _mass = 1;
    constructor(public pos: Vec2, public vel: Vec2, mass: number) { this.mass = mass; }
    get mass() { return this._mass; }
    set mass(m: number) { if (m <= 0) throw new RangeError('mass'); this._mass = m; }
    get kinetic() { return 0.5 * this.mass * this.vel.length ** 2; }
    step(dt: number, drag: number) {
      const acc = Vec2.add(new Vec2(0, -Body.G), Vec2.scale(this.vel, -drag / this.mass));
      this.vel = Vec2.add(this.vel, Vec2.scale(acc, dt));
      this.pos = Vec2.add(this.pos, Vec2.scale(this.vel, dt));
      if (this.pos.y < 0) { this.pos.y = -this.pos.y; this.vel.y *= -0.9; }
    }
  }
  const simulate = (b: Body, drag: number) => { for (let i = 0; i < 40; i++) b.step(0.05, drag); return b.pos.x + b.pos.y + b.kinetic; };
  const fresh = () => new Body(new Vec2(0, 1), new Vec2(2, 3), 2);
  it('the gradient is the central differences, and the body is moved as plain JavaScript moves it', () => {
    const body = fresh();
    const [gb, gd] = gradient(simulate, body, 0.3) as unknown as [{ pos: Vec2; vel: Vec2; _mass: number }, number]; // (a private field is named as JavaScript sees it)
    const plain = fresh();
    simulate(plain, 0.3);
    expect(body).toBeInstanceOf(Body);
    expect(JSON.stringify(body)).toBe(JSON.stringify(plain));
    const flatSim = (p: number[]) => simulate(new Body(new Vec2(p[0], p[1]), new Vec2(p[2], p[3]), p[4]!), p[5]!);
    expectClose([gb.pos.x, gb.pos.y, gb.vel.x, gb.vel.y, gb._mass, gd], differences(flatSim, [0, 1, 2, 3, 2, 0.3]), 1e-4);
  });
});

describe('f that writes to its arguments and throws part-way', () => {
  type Book = { total: number; entries: number[]; byName: Map<string, number> };
  const record = (b: Book, x: number) => {
    b.total = b.total + x * 2;
    b.entries.push(b.total);
    b.byName.set('last', b.total);
    if (b.entries.length > 2) throw new RangeError('full');
    return b.total;
  };
  const book = (): Book => ({ total: 1, entries: [1, 2], byName: new Map([['first', 1]]) });
  it("the caller's data is left as plain JavaScript leaves it, holding plain numbers", () => {
    const ours = book();
    const plain = book();
    expect(() => gradient(record, ours, 1.5)).toThrow('full');
    expect(() => record(plain, 1.5)).toThrow('full');
    expect(ours.total).toBe(plain.total);
    expect(ours.entries).toEqual(plain.entries);
    expect([...ours.byName]).toEqual([...plain.byName]);
    for (const v of [ours.total, ...ours.entries, ...ours.byName.values()]) expect(typeof v).toBe('number');
  });
});
