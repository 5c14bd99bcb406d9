// The gradient fuzzer (fuzz/gradient.ts) inside `npm test`: on a fixed seed's programs of rare
// syntax, withgradient's value is the plain program's and each partial derivative is the
// central finite difference wherever f is smooth. Long runs:
// node --import ./dist/lib/transform/register.js fuzz/gradient-cli.ts --seed S --count N
import { describe, expect, it } from 'vitest';
import { dropgrad } from 'zygote-ts';
import { checkBody, checkFunction, pointsFor, runGradientCampaign } from '../../fuzz/gradient.js';
import { gradientProgram } from '../../fuzz/gradient-grammar.js';
import { print } from '../../fuzz/tree.js';

const PROGRAMS = 800;

describe('gradient against finite differences', () => {
  it(`agrees on ${PROGRAMS} programs of seed 7, at three points each`, () => {
    const tally = runGradientCampaign(7, 0, PROGRAMS);
    expect(tally.differences).toEqual([]);
    expect(tally.warned).toEqual([]);
    // Points where f is not smooth or not finite say nothing: they must stay few, or the fuzzer checks nothing.
    expect(tally.checked).toBeGreaterThan(PROGRAMS * 5);
    expect(tally.skipped).toBeLessThan(tally.checked / 10);
  }, 60_000);

  it('writes programs through the rare syntax it is for', () => {
    const bodies = Array.from({ length: 200 }, (_, i) => print(gradientProgram(7, i))).join('\n');
    for (const construct of ['function* ', 'yield', 'continue outer', 'switch (', 'arguments[', '#v', '?.', '`${', '.sort(', 'reduce', 'Array.from(', 'new Map', 'new Set', 'super.', 'static ', '...rest', '= [undefined', 'get v()', 'set v(', '.call(', 'valueOf', 'throw ']) {
      expect(bodies).toContain(construct);
    }
  });

  it('reports a lost derivative, and skips a kink at the point rather than report it', () => {
    const at = [{ x: 0.7, y: -0.3 }];
    expect(checkBody('return Math.sin(x) * y', at)).toBeNull();
    // (dropgrad keeps the value and loses the derivative, as a broken rule would)
    const global = globalThis as { fuzzDropgrad?: unknown };
    global.fuzzDropgrad = dropgrad;
    try {
      expect(checkBody('return fuzzDropgrad(x) * y', at)).toMatch(/^at x = 0.7, y = -0.3: d\/dx is null, finite differences -0\.(3|2999)/);
    } finally {
      delete global.fuzzDropgrad;
    }
    expect(checkBody('return Math.abs(x - 0.7) + Math.floor(y * 3) * x', at)).toBeNull();
    expect(checkBody('return Math.max(x - 0.7, 0) + (y > -0.3 ? y : 0)', at)).toBeNull();
    expect(checkBody('return Math.abs(x - 0.7) * 0', [{ x: 1, y: 0 }, ...pointsFor(7, 0)])).toBeNull();
  });
});

// Hand-made programs for what the grammar does not make: arguments that are arrays, records,
// class instances (with #private fields, getters, methods that write), Maps and Sets, and f
// writing to them; built-ins reached other ways (apply, call, Reflect, Function, eval).
class Vec {
  constructor(public x: number, public y: number) {}
  add(o: Vec) { return new Vec(this.x + o.x, this.y + o.y); }
  scale(k: number) { return new Vec(this.x * k, this.y * k); }
  get len() { return Math.hypot(this.x, this.y); }
  static dot(a: Vec, b: Vec) { return a.x * b.x + a.y * b.y; }
}
class Weighted {
  #w: number;
  constructor(public x: number, public y: number, w: number) { this.#w = w; }
  scaleW(k: number) { this.#w *= k; this.#w **= 2; return this; }
  norm() { return Math.hypot(this.x, this.y) * this.#w; }
}
class Rect {
  constructor(public w: number, public h: number) {}
  get area() { return this.w * this.h; }
  grow(k: number) { this.w *= k; this.h += k; }
}

const HAND_MADE: [string, (...args: any[]) => number, () => unknown[]][] = [
  ['a simulation with a class of vectors', (p: Vec, v: Vec) => { let q = p, w = v; for (let i = 0; i < 5; i++) { w = w.add(q.scale(-0.1)); q = q.add(w.scale(0.1)); } return q.len + Vec.dot(q, w); }, () => [new Vec(0.3, 0.4), new Vec(-0.2, 0.5)]],
  ['#private compound assignment on an argument', (p: Weighted) => p.scaleW(p.x).norm(), () => [new Weighted(0.3, 0.4, 1.7)]],
  ['a getter and a writing method of an argument', (r: Rect) => { const a = r.area; r.grow(a); return r.w * r.h + a; }, () => [new Rect(0.7, 0.3)]],
  ['sort in place with a comparator, then read', (xs: number[]) => { xs.sort((a, b) => a - b); return xs[0] * 3 + xs[2]; }, () => [[0.3, -0.2, 1.1]]],
  ['sort without comparator (as text)', (xs: number[]) => { xs.sort(); return xs[0] * 3 + xs[1] * 2 + xs[2]; }, () => [[10.5, 9.25, 1.125]]],
  ['argmax with a tie', (xs: number[]) => xs.indexOf(Math.max(...xs)) + Math.max(...xs) * 2, () => [[0.7, 0.3, 0.7]]],
  ['Math.max by apply, call, Reflect.apply', (xs: number[]) => Math.max.apply(Math, xs) + Function.prototype.apply.call(Math.min, null, xs) * 2 + Reflect.apply(Math.hypot, null, xs), () => [[0.7, 0.3, 0.9]]],
  ['splice, unshift, reverse, copyWithin on an argument', (xs: number[]) => { xs.splice(1, 1); xs.unshift(xs[1] * 2); xs.reverse(); xs.copyWithin(0, 1); return xs[0] * 3 + xs[1] + xs[2] * 5; }, () => [[0.5, 0.25, 2]]],
  ['length cut, holes', (xs: number[]) => { xs.length = 2; const ys = [, xs[0], , xs[1]] as number[]; return ys.reduce((s, v) => s + v * v, 0) + ys.length; }, () => [[0.7, 0.25, 3]]],
  ['destructuring an argument with defaults', ({ a = 2, b, c: { d = b * 3 } = {} }: any) => a * b + d, () => [{ b: 0.7, c: {} }]],
  ['logical assignment and delete on an argument', (o: any) => { o.p ??= o.q * 2; o.q ||= 3; o.r &&= o.q; delete o.s; return o.p * o.q + (o.r ?? 0) + ('s' in o ? 100 : 0); }, () => [{ q: 0.7, r: 0.5, s: 1 }]],
  ['optional chains on an argument', (o: any) => (o?.a?.b ?? 1) * (o.c?.d ?? o.a.b) + (o.m?.(2) ?? 0), () => [{ a: { b: 0.7 }, c: null }]],
  ['one record reached twice', (o: any) => { o.a.v *= 2; return o.a.v * o.b.v; }, () => { const s = { v: 0.7 }; return [{ a: s, b: s }]; }],
  ['Object.entries, fromEntries, assign, spread', (o: any) => { const c = Object.fromEntries(Object.entries({ ...o }).map(([k, v]: any) => [k, v * 2])); const d = Object.assign({}, c, { r: o.p * o.q }); return d.p * d.q + d.r; }, () => [{ p: 0.7, q: 0.25 }]],
  ['for…in over a record and an array', (o: any, xs: number[]) => { let s = 0; for (const k in o) s += o[k] * (k === 'p' ? 2 : 3); for (const i in xs) s += xs[i] * (i as any); return s; }, () => [{ p: 0.5, q: 0.25 }, [0.7, 0.3, 0.9]]],
  ['a Map argument: forEach, set, values', (m: Map<string, number>) => { let s = 0; m.forEach((v, k) => (s += v * (k === 'a' ? 2 : 3))); m.set('a', m.get('a')! * m.get('b')!); return s + [...m.values()].reduce((t, v) => t + v * v, 0); }, () => [new Map([['a', 0.7], ['b', 0.3]])]],
  ['a Set argument', (s: Set<number>) => { let t = 0; for (const v of s) t += v * v; return t; }, () => [new Set([0.7, 0.3])]],
  ['JSON, structuredClone and text round trips', (xs: number[]) => JSON.parse(JSON.stringify(xs))[0] * structuredClone(xs)[1] + xs.join(',').split(',').map(Number)[2] * xs.map(String).map(parseFloat)[0], () => [[0.7, 0.3, 0.9]]],
  ['generators over an argument, spread into Math.hypot', (xs: number[]) => { function* g() { for (const v of xs) yield v * v; } return Math.hypot(...g()) + [...g()].reduce((s, v) => s + v, 0); }, () => [[0.5, 0.25, 2]]],
  ['a generator closed early runs its finally', (x: number) => { let s = 0; function* g() { try { yield x; yield x * 2; } finally { s = x * 3; } } for (const v of g()) { s += v; break; } return s; }, () => [0.7]],
  ['a custom iterable and iterator', (x: number) => { const it = { *[Symbol.iterator]() { yield x; yield x * x; } }; return Math.max(...it) + [...it][1]; }, () => [0.7]],
  ['arguments of the differentiated function', function (x: number, y: number) { return (Array.prototype.reduce as any).call(arguments, (s: number, v: number) => s + v * v, 0) + Math.max(...arguments) + arguments.length; } as any, () => [0.7, 0.3]],
  ['bind with a bound argument', (x: number, y: number) => { const f = function (this: any, a: number, b: number) { return this.k * a + b; }.bind({ k: x }, y); return f(x); }, () => [0.7, 0.3]],
  ['a memo Map keyed by numbers', (x: number) => { const memo = new Map<number, number>(); const f = (n: number): number => { if (memo.has(n)) return memo.get(n)!; const r = n <= 1 ? x : f(n - 1) * x + f(n - 2); memo.set(n, r); return r; }; return f(6); }, () => [0.7]],
  ['static and #private static fields from an argument', (x: number) => { class K { static s = x * 2; static #p = x; static bump(t: number) { K.#p *= t; K.#p **= 2; return K.#p * K.s; } } return K.bump(x); }, () => [0.7]],
  ['an arrow field closing over this', (x: number) => { class K { v = x; f = () => this.v * this.v; } const k = new K(); k.v *= 2; return k.f(); }, () => [0.7]],
  ['a thrown record, destructured in catch', (x: number) => { try { throw { v: x * 2 }; } catch ({ v }: any) { return v * v; } }, () => [0.7]],
  ['a loop bound by x, a switch (true)', (x: number) => { let s = 0; for (let t = 0; t < x; t += 0.3) s += t * x; switch (true) { case x > 1: return s; case x > 0.5: return s + x * x; default: return 0; } }, () => [0.7]],
  ['code made by Function and eval', (x: number) => new Function('a', 'return a * a * Math.sin(a)')(x) + eval('x * x * 3'), () => [0.7]],
  // (found by the gradient fuzzer: Math.sin(x) inside with was left to the built-in, and the gradient stopped with an error)
  ['Math called inside with (sloppy code, made by Function)', new Function('x', 'y', 'const o = { k: 2 }; with (o) { return Math.sin(x) * k + Math.max(x, y) * Math.hypot(k, y) }') as (x: number, y: number) => number, () => [0.7, 0.3]],
  ['Proxies, Reflect.get, defineProperty', (o: any) => { const p = new Proxy(o, {}); p.v *= 2; const q: any = {}; Object.defineProperty(q, 'w', { value: o.v * 3 }); return p.v + Reflect.get(o, 'v') * q.w; }, () => [{ v: 0.7 }]],
];

describe('hand-made programs against finite differences', () => {
  for (const [name, f, make] of HAND_MADE) {
    it(name, () => expect(checkFunction(f, make)).toBeNull());
  }

  it('reports a lost derivative in an argument', () => {
    const lost = (o: { p: number; q: number }) => Number(o.p.toFixed(1)) * o.q;
    expect(checkFunction(lost, () => [{ p: 0.72, q: 0.3 }])).toBeNull(); // (a step: its derivative is 0)
    expect(checkFunction((o: { p: number; q: number }) => dropgrad(o.p) * o.q, () => [{ p: 0.72, q: 0.3 }])).toMatch(/^argument 0\.p: the gradient is (null|0), finite differences 0\.(3|2999)/);
  });
});
