// Behaviours the conformance suite (test262) and the differential fuzzer (fuzz/) found the
// rewrite changing (issue 13). Each snippet runs plain and rewritten; results, thrown errors
// and logs must be identical.
import { describe, expect, it } from 'vitest';
import { run } from './helpers.js';

const cases: { name: string; body: string }[] = [
  // A size given to Array or a typed array is read through the runtime (a traced number's value).
  { name: 'sizes: Array(n), typed arrays and buffers keep their meaning', body: `const r = []; const n = 3; const k = { valueOf() { log('valueOf'); return 2 } }; r.push(Array(n).length, new Array(n).length, Array('3'), Array(n, 2), new Array(k).length, Array(...[4]).length, new Int32Array(n).length, new Int32Array([1, n]), new Uint8Array(new ArrayBuffer(n * 2), 2, 1).length, new Int16Array(k).length, new Float64Array(n).length); for (const bad of [2.5, -1]) { try { Array(bad) } catch (e) { r.push(e.name) } try { new Int32Array(bad) } catch (e) { r.push(e.name) } } { const Array = (x) => [x, 'own']; r.push(Array(n)) } return r` },
  // A comma expression moved into a runtime call stays one argument.
  { name: 'comma: switch discriminant', body: `var x, r; switch (x = 0, 1) { case 1: r = 'case 1'; break; default: r = 'default'; } return [r, x]` },
  { name: 'comma: conditional test', body: `var t = true, seen; return [(t && (seen = 0, t)) ? 'yes' : 'no', (seen, 0) ? 1 : 2, seen]` },
  { name: 'comma: if, while, do, for tests and case tests', body: `const ps = [{}, null]; let p, n = 0, i = 0; const r = []; if (p = ps[0], i) r.push('if'); else r.push('else'); while (n++, n < 3) r.push(n); do r.push('do'); while (n--, n > 2); for (let k = 0; r.push(k), k < 1; k++); switch (2) { case (r.push('c'), 2): r.push('hit') } return [r, p === ps[0]]` },
  { name: 'comma: operands of !, &&, ||, private in and sort', body: `let a = 0; class C { #x; static has(o) { return #x in (a++, o) } } return [!(a, 0), (a, 1) && (a, 0), (0, a) || (a, 'r'), C.has(new C()), a, [3, 1, 2].sort((0, (x, y) => x - y))]` },
  // `typeof` reads its operand once.
  { name: 'typeof: a global getter runs once', body: `var n = 0; Object.defineProperty(globalThis, 'zyTypeofGetter', { get() { n++; return 1; }, configurable: true }); try { const t = typeof zyTypeofGetter; const u = typeof zyTypeofGetter === 'number'; switch (typeof zyTypeofGetter) { case 'number': n += 10 } return [t, u, n, typeof zyUndeclared13, typeof zyUndeclared13 === 'undefined'] } finally { delete globalThis.zyTypeofGetter }` },
  { name: 'typeof: a global in its temporal dead zone still throws', body: `try { return typeof zyNotYet } catch (e) { return e.name }` },
  // Asking whether a value is traced runs no user code and does not throw.
  { name: 'Proxies: a revoked Proxy, and traps that log', body: `var r = Proxy.revocable({}, {}); r.revoke(); const p = new Proxy({}, { getPrototypeOf(t) { log('getPrototypeOf'); return Reflect.getPrototypeOf(t) }, get(t, k) { log('get ' + String(k)); return Reflect.get(t, k) } }); const out = [typeof r.proxy, !r.proxy, r.proxy ? 1 : 0, typeof p, !p, p ? 1 : 0, p === p, p == null]; switch (p) { case p: out.push('case') } for (const g of [() => r.proxy + 1, () => 1 - r.proxy, () => ({ __proto__: null }) / r.proxy, () => -r.proxy, () => [r.proxy] * 2]) { try { out.push(g()) } catch (e) { out.push(e.message) } } return out` },
  // The global `Function` keeps its identity; `Function(…)` still compiles as Function does.
  { name: 'Function: identity, subclassing and what it compiles', body: `class F extends Function {} const made = Function('a', 'b', 'return typeof anonymous + (a + b)'); const order = []; const arg = (s) => ({ toString() { order.push(s); return s } }); Function(arg('x'), arg('y'), arg('return x')); let bad; try { Function('a', '}), (function () {') } catch (e) { bad = e.name } return [(function () {}).constructor === Function, (() => 1) instanceof Function, new F() instanceof F, new F('return 7')(), Function === globalThis.Function, made(1, 2), made.name, made.length, order, bad, new Function('return this')() === globalThis, Function.apply(null, ['k', 'return k * 2'])(4)]` },
  // The global `Number` is the real one: constants read-only, identity kept.
  { name: 'Number: read-only constants in strict code, identity, subclassing', body: `'use strict'; const r = []; try { Number.MAX_VALUE = 42; r.push('stored') } catch (e) { r.push(e.name) } class N extends Number {} r.push((1).constructor === Number, new N(3) instanceof N, new N(3) + 1, Number === globalThis.Number, Object.getOwnPropertyDescriptor(Number, 'EPSILON').writable, Number.name, Number.length, Number(), Number(undefined), Number('0x10'), Number(2n), ['1', 'x'].map(Number), [NaN, 1, 'a'].filter(Number.isNaN), [1, NaN, Infinity].filter(isFinite), Number.isInteger(5), Number.isSafeInteger(2 ** 53), isNaN('x')); try { Number(Symbol()) } catch (e) { r.push(e.name) } return r` },
  { name: "Math: the real object, its functions still the runtime's", body: `'use strict'; const r = []; try { Math.PI = 3 } catch (e) { r.push(e.name) } Math.zyAdded = 1; const { sqrt, PI } = Math; const seeded = Math.random; Math.random = () => 0.5; r.push(Math.zyAdded, sqrt(16), PI, Math.random(), Object.isFrozen(Math), Math === globalThis.Math, [4, 9].map(Math.sqrt), Math.max.apply(null, [1, 3]), Math.pow(2, 0.5)); Math.random = seeded; delete Math.zyAdded; for (const g of [() => Math.pow(2n, 1n), () => Math.pow({ valueOf() { return 3n } })]) { try { r.push(g()) } catch (e) { r.push(e.message) } } return r` },
  // `this.#x = v` before super() reads `this` (and throws) before v runs (found by the fuzzer, seed 8 program 109184).
  { name: 'a private field assigned before super() throws before its value runs', body: `const f = (v) => (log('value', v), v); class B {} class K extends B { #x; constructor(early) { if (early) { try { this.#x = f(1) } catch (e) { log(e.name) } } else { const set = () => { this.#x = f(2) }; try { set() } catch (e) { log(e.name) } } super(); this.#x = f(3); log(this.#x) } } new K(true); new K(false); return 1` },
  // `super[key] op= v` and `super[key]++` ask for `this` before they evaluate the key.
  { name: 'super[key] op= v before super() throws before the key runs', body: `class B { constructor() { throw 'base ran' } } class D extends B { constructor(k) { if (k === 1) super[super()] += 0; else if (k === 2) super[super()]++; else super[(log('key'), 'p')] ??= 1 } } const r = []; for (const k of [1, 2, 3]) { try { new D(k) } catch (e) { r.push(typeof e === 'string' ? e : e.name) } } return r` },
  // Keys and objects of compound assignments are read once unless reading them is unobservable.
  { name: 'global getters as keys and objects of compound assignments', body: `let n = 0; Object.defineProperty(globalThis, 'zyKeyGetter', { get() { n++; return 'a' }, configurable: true }); try { const o = { a: 1 }; const arr = [1]; o[zyKeyGetter] += 1; o[zyKeyGetter]++; o[zyKeyGetter] ||= 5; arr[zyKeyGetter] /= 2; return [o.a, n] } finally { delete globalThis.zyKeyGetter }` },
  { name: 'a key assigned by a getter during a compound assignment', body: `let k = 'a'; const o = { get a() { k = 'b'; return 1 }, set a(v) { log('set a ' + v) }, b: 10 }; o[k] += 1; k = 'a'; const r = o[k]++; k = 'a'; o[k] ||= 3; k = 'a'; o[k] &&= 4; return [k, o.b, r]` },
  // A statement that now starts with a runtime call `(0, __zy.f)(…)` is not glued to the line before.
  { name: 'no semicolons before statements that start with a runtime call', body: 'let x = 1\nx | 0\nlet y = x\n~y\nx && log(y)\n-y\ny ^ 2\nreturn [x, y]' },
  // A statement ASI ended, rewritten to end in `)`, is not glued to the next line.
  { name: 'ASI after statements and class fields the rewrite re-ends', body: 'let a = 1\na++\n[a] = [5]\nlet b = a--\n[b] = [b * 2]\nclass C { x = a++\n[a] = 3 }\nreturn [a, b, new C().x, new C()[5]]' },
  // A sloppy function's parameters are mapped to `arguments`: writing `arguments[0]` assigns
  // the first one, so a parameter read before it is not read after it (seed 9 program 235192).
  { name: 'parameters assigned through the arguments object', body: `function h(x) { return x - arguments[0]-- } function k(x, y) { return [x * (arguments[0] = 7), x + (arguments[1] = 2, y)] } function* g(x) { switch (0) { default: log(0); case .5: case x - arguments[0]--: } return x } return [h(0), h(5), k(2, 1), g(0).next(0).value]` },
  // A parenthesized callee is the call written without the parentheses (found by helper W: they grouped the receiver and `bind` into one comma expression, and the constructor threw a TypeError)
  { name: 'a parenthesized callee split into a receiver and a method: (this.m.bind)(this), (xs.includes)(v)', body: `class C { v = 2; b = (this.g.bind)(this, 1); constructor() { this.c = ((this.g.bind))(this, 10) } g(k) { return this.v * k } } const c = new C(); const xs = [1, 2], o = { xs }; return [c.b(), c.c(), c.b.call({ v: 5 }), (xs.includes)(2), (o.xs.indexOf)(2), (xs.indexOf.call)(xs, 2), (o.xs.sort)((a, b) => b - a), (o.xs.filter)((v) => v - 1), (globalThis.parseFloat)('1.5')]` },
  // Searches in optional chains and through super go through the runtime (helper W): the chain still skips, each part read once, in order
  { name: 'searches in optional chains and through super', body: `const f = (n, v) => (log(n), v); const o = { get xs() { log('xs'); return [1, 2] }, get m() { log('m'); return new Map([[1, 'a']]) }, none: null, five: 5 }; const r = [o.xs?.includes(f(1, 2)), o.m.get?.(f(2, 1)), o.none?.includes(f(3, 1)), o.m.nope?.(f(4, 1)), f(5, o).xs?.indexOf(2), f(6, null)?.has(f(7, 1)), o.xs?.includes(f(8, 1)) ? 'y' : 'n', !o.m?.has(1)]; for (const g of [() => o.five?.includes(1), () => o.xs.has?.(1), () => o.xs.length?.(1), () => o.none.includes?.(1)]) { try { r.push(g()) } catch (e) { r.push(e.name) } } class B extends Map { get(k) { log('get ' + k); return super.get(k) ?? super.has(f(9, k)) } static of(k) { return super.has?.(k) } } const b = new B([[1, 2]]); r.push(b.get(1), b.get(3)); class A extends Array { at2(v) { return [super.indexOf(v), super.includes(v), super.lastIndexOf(v)] } } r.push(A.from([5, 6, 5]).at2(5)); return r` },
  { name: 'temporaries declared after a directive without a semicolon', body: '"use strict"\nconst o = [2]\nreturn [0 % o[0], o[0] * o[0]]' },
];

describe('rewritten code keeps JavaScript semantics where test262 and the fuzzer looked', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const plain = await run(c.body, false);
      const rewritten = await run(c.body, true);
      expect(rewritten).toEqual(plain);
    });
  }
});
