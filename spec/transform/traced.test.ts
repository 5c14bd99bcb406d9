// Rewritten code given a traced number answers as plain code given the number: each
// function of x below is compiled from its text exactly as written (the spec files
// themselves are printed by esbuild first, which drops parentheses and such), rewritten
// as a loaded file is (two bodies) and as the API recompiles a function (one), and
// differentiated at `at`: its value must be the plain function's, its derivative the
// plain function's central finite difference. Each case is smooth around `at`: what it
// compares is locally constant (a rounded number), so a wrong branch shows in both.
import { describe, expect, it } from 'vitest';
import { runInThisContext } from 'node:vm';
import { __zy, withgradient } from 'zygote-ts';
import { transform, transformFunctionSource } from '../../lib/transform/index.js';

interface Case {
  name: string;
  f: string;
  at: number;
}

const cases: Case[] = [
  // (found by helper W: the parentheses grouped the receiver and the method into one comma
  // expression: `(xs.includes)(x)` threw "object is not a function" while differentiating,
  // `(xs.indexOf.call)(xs, x)` did not parse)
  { name: 'a parenthesized callee of a search, a sort, a predicate or a global: (xs.includes)(x)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], o = { xs }; return ((xs.includes)(k) ? 2 : 5) * x + ((o.xs.indexOf))(k) * x + (xs.indexOf.call)(xs, k) + (/* c */ xs.lastIndexOf /* d */)(k) * x * x + (new Map([[3, 7]]).get)(k) * x + (o.xs.filter)((v) => v - k).length * x + (globalThis.parseFloat)(String(x)) * x + ([x, 1, 2].sort)((a, b) => a - b)[2] * x }` },
  // (found by helper W: these searches were not rewritten, and the built-in compared the traced
  // number as an object: xs?.includes(x) false where it is true, a DefaultMap's super.get(k) undefined)
  { name: 'searches in an optional chain: xs?.includes(x), m.get?.(x), o.m?.has(x), o?.xs.includes(x)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], m = new Map([[3, 7]]), o = { xs, m, none: null }; const skipped = [o.none?.includes(k), o.none?.get(x * 2), o.m.nothing?.(k), null?.indexOf(k), o.none?.xs.includes(k), o?.none?.m.get(k), o?.none?.has(k)].filter((v) => v === undefined).length; return (xs?.includes(k) ? 2 : 5) * x + (o.xs?.indexOf(k) ?? 9) * x + m.get?.(k) * x + (o.m?.has(k) ? x * x : 0) + o.m.get?.(k) + (o?.xs.lastIndexOf(k) + o?.['m'].get(k) + o?.m?.get(k)) * x + skipped }` },
  { name: 'searches through super: a Map subclass with a default, an Array subclass', at: 3.2, f: `(x) => { class DefaultMap extends Map { get(k) { if (!super.has(k)) super.set(k, k * 10); return super.get(k) } } class Bag extends Array { holds(v) { return super.includes(v) ? super.indexOf(v) : -1 } } const k = Math.round(x), m = new DefaultMap([[3, 7]]), b = Bag.from([1, 2, 3]); m.get(k + 1); return m.get(k) * x + m.size * x + m.get(k + 1) + b.holds(k) * x * x }` },
  // (the rewrite recognised only the dotted name: `s['has'](k)` asked the built-in, which compared
  // the traced k by identity: false where it is true, a wrong branch with no report)
  { name: "searches, sorts and predicates by a literal key: s['has'](x), xs[`includes`](x), m?.['get'](x)", at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], s = new Set(xs), m = new Map([[3, 7]]), o = { m }; return (s['has'](k) ? 2 : 5) * x + (xs[\`includes\`](k) ? 3 : 7) * x + xs['indexOf'](k) * x * x + (m["get"](k) ?? 0) * x + (o.m?.['get'](k) ?? 1) + (o.m['has']?.(k) ? x : 0) + (o?.m['get'](k) ?? 2) * x + [x, 1, 4]['sort']((a, b) => a - b)[1] * x + [k, 0]['filter']((v) => v - 3).length * x }` },
  // (the built-in constructor keyed the traced k by identity: has(3) missed it, and new S([k, 3]) held two members)
  { name: 'a subclass of Map or Set filled by its constructor: class M extends Map {}; new M([[k, x]])', at: 3.2, f: `(x) => { const k = Math.round(x); class M extends Map {} class S extends Set { constructor(items) { super(items); this.made = true } } class C extends Map { n = 0; constructor(...a) { const make = () => super(...a); make() } } const m = new M([[k, x], [3, 2 * x]]), s = new S([k, 3, 1]), c = new C([[3, x]]); return m.get(3) * x + m.size * x + (s.has(3) ? 2 : 5) * x + s.size * x + (c.has(k) ? c.get(3) : 7) * x + [...s].length }` },
  // (the rewrite recognised the name Number only: the built-in answered false for a traced x,
  // and read a traced number's text as a plain number, with no report)
  // (the built-ins kept: a JSON round trip by parse/stringify taken apart lost the derivative, getPrototypeOf(x) was Object's: the gradient 1 where it is 2 + 6x, with no word)
  { name: 'Object and JSON taken apart or bound once: const { getPrototypeOf } = Object, const O = Object, const { parse, stringify } = JSON, globalThis.JSON', at: 2.5, f: `(x) => { const { getPrototypeOf } = Object; const O = Object; const { parse, stringify } = JSON; const JS = JSON; const r = parse(stringify({ a: x })).a + JS.parse(JS.stringify([x]))[0] + globalThis.JSON.parse(globalThis.JSON.stringify(x)); return (getPrototypeOf(x) === Number.prototype ? 4 : 1) * x + (O.isFrozen(x) ? 2 : 1) * x + (O.getPrototypeOf(x) === Number.prototype ? 3 : 1) * x + r * x }` },
  { name: 'Number reached other than by its name: const N = Number; N.isFinite(x), globalThis.Number.isNaN(x), texts.map(Number)', at: 3.2, f: `(x) => { const N = Number; const { isFinite: finite } = globalThis.Number; const texts = [String(x), String(2 * x)]; const [a, b] = texts.map(Number); const [c] = texts.map(N); const [d] = texts.map(globalThis.Number); return (N.isFinite(x) ? 2 : 5) * x + (globalThis.Number.isNaN(x) ? 7 : 3) * x + (finite(x) ? 1 : 4) * x + (N.isSafeInteger(Math.round(x)) ? 1 : 6) * x + a * b + c * x + d * d + N(String(x)) * x }` },
  // (the rewrite recognised the name Math only: M.sin(x) and M's functions taken apart or read
  // as values kept the built-in, and the gradient stopped, asking for the call the program makes)
  { name: 'Math reached other than by its name: const M = Math; M.sin(x), const { cos } = M, xs.map(M.sqrt), globalThis.Math.exp(x)', at: 3.2, f: `(x) => { const M = Math; var K = Math; const { cos, pow } = M; return M.sin(x) * x + M.pow(x, 3) + K.exp(x / 4) * M.PI + globalThis.Math.exp(x / 5) + [x, 2 * x].map(M.sqrt)[1] + cos(x) + pow(x, 2) + (0, M.atan)(x) + M['log'](x) + M.max.apply(null, [x, 1]) + M.hypot(x * x, 2 * x) + M.max(M.min(x * 2, 9), M.abs(-x)) + (() => { try { return (() => { const early = V.sin(x); var V = Math; return early })() } catch (e) { return e.name.length } })() }` },
  // (`typeof p` of an object's property inside `with` stayed native: 'object' for a traced p, so
  // the branch for numbers was not taken, and f returned 0 with a null gradient, silently)
  { name: 'typeof inside with: with (o) typeof p == "number" ? p * 2 : 0', at: 3.2, f: `(x) => { const o = { p: x, q: 'a' }; let r = 0, s = ''; with (o) { r = typeof p == 'number' ? p * 2 : 0; s = typeof p + typeof q + typeof zyNotDeclaredAnywhere + typeof o } return r * x + s.length * x }` },
  // (inside `with`, a global's name may be the object's property, so globals there were the
  // built-ins: a text or JSON round trip lost the derivative, Boolean of a traced 0 was true,
  // Object.getPrototypeOf answered as for an object, all with no report; Number(p) stopped)
  { name: 'globals called inside with: parseFloat(String(p)), JSON round trip, Boolean(q), Object.getPrototypeOf(p), Number(p)', at: 3.2, f: `(x) => { const o = { p: x, q: x - x }; let r = 0; with (o) { r = parseFloat(String(p)) * p + JSON.parse(JSON.stringify([p]))[0] * p + (Boolean(q) ? 100 : 1) * p + (Object.getPrototypeOf(p) === Number.prototype ? 2 : 7) * p + Number(String(p)) * p + Math.sin(p) + (isNaN(p) ? 9 : 1) * p + (Object.is(q, 0) ? 3 : 5) * p } return r }` },
  // (a method or getter a program adds to Number.prototype was not found on a traced number:
  // x.toRadians() threw "not a function", and a getter read undefined, so f returned NaN)
  { name: 'methods and getters a program adds to Number.prototype: x.toRadians(), x.half', at: 3.2, f: `(x) => { Number.prototype.zyToRadians = function () { return this * Math.PI / 180 }; Object.defineProperty(Number.prototype, 'zyHalf', { get() { return this / 2 }, configurable: true }); try { return x.zyToRadians() * x + x.zyHalf * x + (2 * x).zyToRadians() + Math.sin(x.zyHalf) } finally { delete Number.prototype.zyToRadians; delete Number.prototype.zyHalf } }` },
  // (the rewrite recognised only E.m(…) and E.m.call(…): the built-in compared the traced k by identity)
  { name: 'a search method kept in a name, applied, or given to Reflect.apply: const { includes } = Array.prototype; includes.call(xs, x)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], m = new Map([[3, 7]]); const { includes } = Array.prototype; const has = Set.prototype.has, get = Map.prototype.get; return (includes.call(xs, k) ? 2 : 5) * x + (has.call(new Set(xs), k) ? 3 : 1) * x + (get.call(m, k) ?? 0) * x + ([].includes.apply(xs, [k]) ? 4 : 6) * x + [].indexOf.apply(xs, [k]) * x * x + (Reflect.apply(Array.prototype.includes, xs, [k]) ? 1 : 8) * x + (Reflect.apply(get, m, [k]) ?? 2) + Reflect.apply(Math.max, null, [x, 1]) }` },
  // (not taken apart: the built-in compared the traced k by identity)
  { name: 'a search after a skipping call, or skipping inside its receiver and at the call: o.f?.().includes(x), o?.a.has?.(x)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], s = new Set(xs), m = new Map([[3, xs]]); const o = { list() { return this.xs }, xs, a: { s }, m, none: null }; const g = () => xs; return (o.list?.().includes(k) ? 2 : 5) * x + (g?.().indexOf(k) ?? 0) * x * x + (o?.a.s.has?.(k) ? 3 : 1) * x + (o.none?.().includes(k) ?? 4) * x + (o.m.get?.(k).includes(k) ? 6 : 7) * x + (o?.none?.s.has?.(k) ?? 8) + (o?.a.s.nope?.(k) ?? 9) * x }` },
  // (a callback's traced 0 was an object to the built-in, so truthy: filter kept it, some found it)
  { name: 'a built-in predicate reached by another name: const { filter } = Array.prototype; filter.call(xs, f), [].some.apply, Reflect.apply(Array.prototype.every, …)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [k - 3, 1, 2]; const { filter } = Array.prototype; const some = Array.prototype.some, every = Array.prototype.every; const id = (v) => v; return filter.call(xs, id).length * x + (some.call([k - 3], id) ? 3 : 1) * x + [].filter.apply(xs, [id]).length * x * x + ([].some.apply([k - 3], [id]) ? 5 : 2) * x + (Reflect.apply(every, xs, [id]) ? 4 : 6) * x + Reflect.apply(Array.prototype.findIndex, xs, [(v) => !v]) * x + Reflect.apply(Array.prototype.map, xs, [id]).length * x }` },
  // (only the dotted names were rewritten: Number['isFinite'] answered false for a traced x, Object['is'] compared identities)
  { name: "built-ins called by a literal key: Number['isFinite'](x), Object['is'](k, 3), Math['sin'](x), JSON['parse']", at: 3.2, f: `(x) => { const k = Math.round(x); return (Number['isFinite'](x) ? 2 : 5) * x + (Number[\`isInteger\`](k) ? 3 : 1) * x + (Object['is'](k, 3) ? 4 : 6) * x + Math['sin'](x) + Math["pow"](x, 2) + JSON['parse'](JSON['stringify']([x]))[0] * x + globalThis['parseFloat'](String(x)) * x }` },
  // (a search both of whose links skip was left as written: the built-in compared the traced k by identity)
  { name: 'a search that skips at its receiver and at the call: xs?.includes?.(k), o.m?.get?.(k)', at: 3.2, f: `(x) => { const k = Math.round(x), xs = [1, 2, 3], o = { m: new Map([[3, 7]]), none: null, s: new Set(xs) }; return (xs?.includes?.(k) ? 2 : 5) * x + (o.m?.get?.(k) ?? 0) * x + (o.s?.['has']?.(k) ? 3 : 1) * x + (o.none?.has?.(k) ?? 4) * x + (o.m?.nope?.(k) ?? 6) * x }` },
  // (Number's predicates reached through an object or a parameter answered false for a traced x, with no report)
  { name: 'number predicates called as methods of other objects: o.N.isFinite(x), n.isInteger(k) for n = Number', at: 3.2, f: `(x) => { const k = Math.round(x), o = { N: Number, isNaN }; const check = (n) => n.isFinite(x); const whole = (n) => n.isSafeInteger(k); return (o.N.isFinite(x) ? 2 : 5) * x + (check(Number) ? 3 : 1) * x + (o.N.isInteger(k) ? 4 : 6) * x + (o.isNaN(x) ? 7 : 8) * x + (whole(Number) ? 9 : 1) * x + (o.N.isNaN(x) ? 1 : 2) * x }` },
  // (the built-in filter, some or map called the search with no rewrite between: it compared the traced k by identity)
  { name: 'a search method given to a method that calls it: a.filter(Set.prototype.has, s), xs.some(ys.includes, ys), keys.map(m.get, m)', at: 3.2, f: `(x) => { const k = Math.round(x), s = new Set([3, 4]), ys = [1, 3], m = new Map([[3, x]]); const { has } = Set.prototype; return [k, 5].filter(Set.prototype.has, s).length * x + ([k].some(ys.includes, ys) ? 2 : 7) * x + ([k, 9].map(m.get, m)[0] ?? 1) * x + [k, k].filter(has, s).length * x * x + [1, k].findIndex(ys.includes, ys) * x }` },
  // (the bound built-in compared the traced k by identity)
  { name: 'a search method bound to its receiver: const has = s.has.bind(s); has(k)', at: 3.2, f: `(x) => { const k = Math.round(x), s = new Set([3]), xs = [1, 3], m = new Map([[3, x]]); const has = s.has.bind(s), at = xs.indexOf.bind(xs), get = Map.prototype.get.bind(m, k); return (has(k) ? 2 : 5) * x + at(k) * x * x + get() * x + [k].filter(xs.includes.bind(xs)).length * x }` },
  // (only `extends Map` by the name was seen: the built-in constructor keyed the traced k by identity)
  { name: 'a subclass of Map or Set reached another way: class M extends globalThis.Map, const S = Set; class T extends S', at: 3.2, f: `(x) => { const k = Math.round(x); const S = Set; class M extends globalThis.Map {} class T extends S {} return (new M([[k, x]]).has(3) ? 2 : 5) * x + new T([k, 3]).size * x }` },
  // (the default was the built-in Math: sin refused the traced x, and the gradient stopped)
  { name: 'Math taken apart in a pattern\'s default: (x, { sin } = Math) => sin(x), const { m: { cos } = Math } = {}', at: 3.2, f: `(x) => { const f = (v, { sin, pow: p } = Math) => sin(v) * p(v, 2); const { m: { cos } = Math } = {}; let tan; ({ tan } = Math); return f(x) + cos(x) + tan(x / 4) }` },
  // (a traced number is an object to `new`: `new Rect(x)` gave the number itself, not the
  // instance, so `r.w` was undefined and f returned NaN with no report)
  { name: 'a constructor that returns a number: function Rect(w) { this.w = w; return w * 2 }, a class constructor, a method called as one', at: 3.2, f: `(x) => { function Rect(w) { this.w = w; return w * 2 } const Sq = function (s) { this.s = s; if (s > 9) return 0; return this.s * s }; class C { constructor(a) { this.a = a; return a * 1 } } class D extends C { constructor(a) { super(a * 3) } } const area = function () { return this.w * 2 }; return new Rect(x).w * x + new Sq(x).s + new C(x).a * x + new D(x).a + area.call({ w: x }) + Rect(x) + (new area() instanceof area ? 1 : 0) }` },
  // (the traced number became the prototype, with no TypeError in f's try; the clean-up's write
  // of its number back threw after f, outside the try)
  { name: 'a traced number as a prototype is refused as its number is: Object.setPrototypeOf({}, x), Reflect.setPrototypeOf', at: 3.2, f: `(x) => { let s = x; try { Object.setPrototypeOf({}, x) } catch (e) { s += 2 * x } try { Reflect.setPrototypeOf({}, x * 1) } catch { s += 3 * x } return s }` },
  { name: 'a constructor that returns a traced number as it got it: function Box(w) { this.w = w; return w }, return id(w), a class constructor', at: 3.2, f: `(x) => { const id = (v) => v; function Box(w) { this.w = w; return w } function Cell(w) { this.w = w * 2; return id(w) } class K { constructor(a) { this.a = a; return a } } return new Box(x).w * x + new Cell(x).w + new K(x).a * x + Box.call({}, x) }` },
  { name: "an object whose valueOf returns a traced number, given to a built-in: 'abcdef'.charCodeAt(o), slice(o), at(o), repeat(o); o.valueOf() by name", at: 2.5, f: `(x) => { class R { constructor(r) { this.r = r } valueOf() { return this.r } } const o = { valueOf: () => x }; const r = new R(x); return 'abcdef'.charCodeAt(o) * x + [1, 2, 4, 8].slice(o).length * x + [1, 2, 3, 4].at(r) * x + 'ab'.repeat(r).length + r.valueOf() * x + o * 2 }` },
  { name: 'Atomics given a traced index or value (integer typed arrays only: a step)', at: 2.5, f: `(x) => { const ia = new Int32Array(4); Atomics.store(ia, Math.floor(x), 5); Atomics.add(ia, 0, x); return Atomics.load(ia, Math.floor(x)) * x + ia[0] + Atomics.compareExchange(ia, 1, 0, x * 2) }` },
  { name: "a DataView's getters given a traced offset (an index)", at: 2.5, f: `(x) => { const d = new DataView(new ArrayBuffer(16)); d.setInt16(Math.floor(x), 300); return d.getInt16(Math.floor(x)) * x + d.getUint8(Math.floor(x) + 1) + d.getFloat64(Math.floor(x) * 2) }` },
  { name: 'an object whose Symbol.toPrimitive returns a traced number, as a key and in a template: a[o], `${o}`', at: 2.5, f: `(x) => { const o = { [Symbol.toPrimitive]: () => Math.floor(x) }; const p = { [Symbol.toPrimitive](hint) { return hint === 'number' ? x : 'p' } }; return [10, 20, 30, 40][o] * x + \`\${o}\`.length + (o in [1, 2, 3] ? x : 0) + +p * x }` },
];

const h = 1e-6;

/** The function `src` as a loaded file has it (two bodies, the traced one run while differentiating). */
function asLoaded(src: string): (x: number) => number {
  const { code } = transform(`(${src})`, { runtime: { kind: 'global' }, sourceType: 'script', twoBodies: true, sourceMap: false });
  return runInThisContext(code) as (x: number) => number;
}

/** The function `src` as the API recompiles it (one body). */
function asRecompiled(src: string): (x: number) => number {
  return (runInThisContext(`(function (__zy) { return (${transformFunctionSource(src)}); })`) as (zy: unknown) => (x: number) => number)(__zy);
}

describe('rewritten code given a traced number answers as plain code given the number', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plain = runInThisContext(`(${c.f})`) as (x: number) => number;
      const slope = (plain(c.at + h) - plain(c.at - h)) / (2 * h);
      for (const rewritten of [asLoaded(c.f), asRecompiled(c.f)]) {
        expect(rewritten(c.at)).toBe(plain(c.at));
        const { val, grad } = withgradient(rewritten, c.at);
        expect(val).toBe(plain(c.at));
        expect(grad[0]).toBeCloseTo(slope, 5);
      }
    });
  }
});
