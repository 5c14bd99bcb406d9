// Table-driven semantics: each snippet runs plain and rewritten (with the real runtime);
// results, thrown errors and side-effect logs must be identical (Object.is per number).
import { describe, expect, it } from 'vitest';
import { __zy } from '../../lib/runtime.js';
import { run } from './helpers.js';

interface Case {
  name: string;
  body: string;
  async?: boolean;
}

const cases: Case[] = [
  { name: 'string concatenation', body: `let s = 'x'; s += 1; s += null; return ['a' + 1 + 2 + 'b' + (1 + 2), s, 1 + '2', [1] + [2], {} + 'z']` },
  { name: 'BigInt arithmetic and updates', body: `let a = 2n; const r = [a ** 3n, a * 5n, a - 1n, -a, a / 3n, a % 3n, a << 2n, a >> 1n, ~a, a | 1n, a & 3n, a ^ 7n]; a++; const q = ++a; a--; a += 10n; return [r, q, a, 2n ** 64n, a > 3, a == 13]` },
  { name: 'postfix value of a BigInt', body: `let a = 2n; const p = a++; const q = a--; return [p, q, a]` },
  { name: 'BigInt mixing throws', body: `try { return 1n + 1 } catch (e) { return e.name }` },
  { name: 'Date subtraction', body: `const d1 = new Date(2020, 0, 2), d2 = new Date(2020, 0, 1); return [d1 - d2, d1 > d2, +d1 === d1.getTime(), d1 + 0 === String(d1) + '0']` },
  { name: 'objects with valueOf', body: `const o = { valueOf() { log('v'); return 3; } }; return [o + 1, o * 2, -o, +o, o > 2, o == 3, o === 3, ~o, o ** 2]` },
  { name: 'unary plus/minus coercion', body: `const s = '3', e = '', a = [], n = null, u = undefined; return [+s, -s, +e, +a, +{}, -n, +u, +'0x10', +' 12 ']` },
  { name: 'NaN and -0 equality', body: `const nan = NaN, z = 0, one = 1; const nz = -z; return [nan === nan, nan == nan, nan !== nan, nz === z, Object.is(nz, -0), Object.is(z * -1, -0), one / nz, [nan].includes(nan), [nan].indexOf(nan), Object.is(nan, NaN)]` },
  { name: 'short-circuit order and operands', body: `const f = (n, v) => (log(n), v); const o = {}; return [f(1, 0) && f(2, 1), f(3, 1) && f(4, 0), f(5, 0) || f(6, 'x'), f(7, null) ?? f(8, 2), f(9, '') || f(10, 0), (f(11, o) && f(12, o)) === o, f(13, NaN) && 1]` },
  { name: 'a && b returns the operand itself', body: `const o = {}, z = 0, e = ''; return [(o && 1), (z && o), (e || o) === o, (null || z), (o || 1) === o, Object.is(-0 && 1, -0), (z || e), (e && z)]` },
  { name: 'binary evaluation order', body: `const f = (n, v) => (log(n), v); return [f(1, 2) * f(2, 3) + f(3, 4) ** f(4, 2) - f(5, 1), f(6, 1) < f(7, 2), f(8, 'a') == f(9, 'a'), f(10, 7) % f(11, 4) | f(12, 8)]` },
  { name: 'exceptions from operands stop evaluation', body: `const f = (n) => { log(n); if (n === 2) throw new Error('e' + n); return n }; try { return f(1) + f(2) + f(3) } catch (e) { return e.message }` },
  { name: 'exceptions from valueOf', body: `const o = { valueOf() { throw new TypeError('no') } }; const r = []; for (const g of [() => o * 2, () => -o, () => o < 1, () => { let p = o; p++; return p }]) { try { r.push(g()) } catch (e) { r.push(e.name + e.message) } } return r` },
  { name: 'getter/setter pair with updates', body: `let g = 0; const o = { get count() { log('get'); return g; }, set count(v) { log('set ' + v); g = v; } }; o.count++; const a = o.count++; const b = ++o.count; o.count += 5; o.count -= 1; const c = o.count--; o.count **= 2; o.count ||= 3; o.count &&= 4; return [a, b, c, g]` },
  { name: 'computed member compound with side-effecting keys', body: `const o = { a: 1, b: 2 }; let i = 0; const keys = ['a', 'b']; const k = () => (log('k' + i), keys[i++ % 2]); const obj = () => (log('obj'), o); obj()[k()] += 10; obj()[k()]++; const r = obj()[k()]--; obj()[k()] **= 2; const s = ++obj()[k()]; return [o, r, s, i]` },
  { name: 'object keys convert like the engine does', body: `let n = 0; const k = { toString() { n++; return 'a' } }; const o = { a: 1 }; o[k] += 1; o[k]++; const r = o[k]++; const f = () => o; f()[k] *= 3; f()[k]--; return [n, o.a, r]` },
  { name: 'compound RHS runs after the old value is read', body: `const o = { p: 1 }; let x = 1; const r = [o.p += (o.p = 10, 5), x += (x = 100, 1)]; return [r, o.p, x]` },
  { name: 'update and compound on every operator', body: `let a = 10; a += 2; a -= 1; a *= 3; a /= 2; a %= 7; a **= 2; a |= 1; a &= 0xff; a ^= 3; a <<= 2; a >>= 1; a >>>= 1; return a` },
  { name: 'logical assignment', body: `let a = 0, b = 1, c = null; a ||= 5; b &&= 7; c ??= 9; const o = { p: 0, q: 2 }; o.p ||= (log('rhs1'), 3); o.q ||= (log('rhs2'), 4); const r = [o.p &&= 0, o.q &&= 8]; return [a, b, c, o, r]` },
  { name: 'prefix and postfix values', body: `let x = 1; const a = x++ + ++x; const b = x-- - --x; let s = '5'; const c = s++; let d = 'q'; d--; return [a, b, x, c, s, d]` },
  { name: 'postfix calls valueOf once', body: `let calls = 0; let o = { valueOf() { calls++; return 4; } }; const r = o++; let p = { valueOf() { calls++; return 1; } }; p--; return [r, o, calls, p]` },
  { name: 'truthiness of every kind of value', body: `const r = []; for (const v of [0, 1, '', 'a', null, undefined, NaN, [], {}, -0, 0n, 1n]) { r.push(!v, v ? 'T' : 'F'); if (v) r.push('if'); } return r` },
  { name: 'while, do-while and for tests', body: `let i = 5, s = 0; while (i) { s += i--; } do { s++ } while (s < 20); for (let n = 3; n; n--) s += n; return [s, i]` },
  { name: 'labelled break and continue', body: `const r = []; outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j === 1) continue outer; if (i === 2) break outer; r.push(i * 10 + j); } } blk: { r.push(1); if (r.length) break blk; r.push(2); } return r` },
  { name: 'for-of and for-in', body: `let s = 0, t = ''; for (const x of [1, 2, 3]) s += x; for (const k in { a: 1, b: 2 }) t += k; for (let [a, b] of [[1, 2], [3, 4]]) s += a * b; return [s, t]` },
  { name: 'typeof, including undeclared', body: `const n = 1; return [typeof n, typeof 'a', typeof undefinedVariableXyz, typeof null, typeof (() => 1), typeof 1n, typeof Math, typeof Math.sin, typeof typeof n, typeof n === 'number']` },
  { name: 'Math', body: `const x = 1; const { sqrt, pow } = Math; return [Math.sin(x), Math.max(1, 2, x), Math.PI * 2, Math.floor(-1.5), Math.hypot(3, 4), sqrt(16), pow(2, 10), Math.abs(-x), Math.min(), Math.round(2.5), Math.sign(-3)]` },
  { name: 'Number, isNaN, isFinite', body: `return [Number('3.5'), Number.isInteger(5), Number.MAX_SAFE_INTEGER + 1, isNaN('x'), isFinite('1'), Number.parseFloat('1.5e3'), (5).toFixed(2), Number.isNaN('x'), Number(), new Number(3) + 1, Number.EPSILON > 0, Number('') + 1]` },
  { name: 'shadowed Math is kept', body: `const Math = { sin: () => 'mine' }; return Math.sin(1)` },
  { name: 'switch', body: `const r = []; const two = 2; for (const v of [1, 2, 'x', 3, '1']) { switch (v) { case 1: r.push('one'); case two: r.push('two'); break; case 'x': r.push('x'); break; default: r.push('d'); } } return r` },
  { name: 'bitwise', body: `let x = 5; const y = 3.7; return [x | 0, x & 3, x ^ 1, x << 2, -x >> 1, -x >>> 28, ~x, y | 0, ~~y, 2 ** 32 | 0]` },
  { name: 'comparisons with mixed types', body: `const a = '10', b = '9', n = null, u = undefined, arr = [2]; return [1 < 2, a < b, 10 < b, n >= 0, u == n, u === n, 'b' > 'a', arr > 1, n == 0, a == 10, a != 10, a !== 10]` },
  { name: 'classes: private fields, static blocks, accessors', body: `class C { #x = 1; static s = 0; static { C.s += 10; C.s++; } y = this.#x * 2; inc() { this.#x++; this.#x += 2; return this.#x; } get x() { return this.#x } set x(v) { this.#x = v * 2 } static #p = 1; static bump() { return C.#p **= 2, ++C.#p; } } const c = new C(); const r = [c.inc(), c.inc(), C.s, c.y]; c.x += 1; r.push(c.x, C.bump(), C.bump()); return r` },
  { name: 'super member compound', body: `class A { constructor() { this.v = 1 } get w() { return 7 } } class B extends A { m() { super.v += 2; super.v++; return [this.v, super.w * 2]; } } return new B().m()` },
  { name: 'generators with yield in compound', body: `function* g() { const o = { p: 1 }; o.p += yield; o.p *= yield 5; let x = 0; while (x < 3) x += yield x; return [o.p, x]; } const it = g(); const r = [it.next().value, it.next(10).value, it.next(2).value, it.next(1).value, it.next(5).value]; return r` },
  { name: 'async/await in compound assignment', async: true, body: `const o = { p: 1 }; const f = async (v) => (log('f' + v), v); o.p += await f(2); o['p'] *= await f(3); let x = 1; x -= await f(1); return [o.p, x, (await f(0)) || 'zero']` },
  { name: 'destructuring with defaults', body: `const { a = 1 + 1, b: [c = 2 * 3] = [] } = {}; function f(x = 2 ** 3, y = x * 2) { return x + y } let p, q; [p = 1 - 2, q = -p] = []; return [a, c, f(), f(1), p, q]` },
  { name: 'optional chaining', body: `const o = { a: { b: 2 } }, n = null; return [o?.a.b * 2, n?.a * 2, o.a?.b ?? 0, o.f?.() + 1, -o?.a.b]` },
  { name: 'spread and rest', body: `const a = [1, 2]; const f = (...xs) => xs.length * 10; return [...a.map(x => x * 2), Math.max(...a) + 1, f(...a, 3)]` },
  { name: 'template and tagged literals', body: "const x = 2; const tag = (s, ...v) => s.raw.join('|') + v.join(','); return [`v=${x * 3} ${x > 1}`, tag`a${1 + x}b${'c' + 'd'}`]" },
  { name: 'new.target and instanceof/in/delete/void', body: `function F() { if (!new.target) return 'call'; this.k = new.target === F } const o = { a: 1 }; return [new F().k, F(), 'a' in o, o instanceof Object, delete o.a, void 0, o]` },
  { name: 'regex and BigInt literals', body: `return [/a+b/.test('aab'), 10n ** 20n, 0x10n, 1_000n * 2n, /x/g.flags]` },
  { name: 'with in sloppy code', body: `const o = { a: 1, Math: { sin: () => 's' } }; with (o) { a += 1; a++; var m = Math.sin(0); } return [o.a, m]` },
  { name: 'comma sequences and for updates', body: `let i = 0, j = 10, k; for (; i < j; i++, j--); k = (i++, j++, i + j); return [i, j, k]` },
  { name: 'ASI around rewritten statements', body: `let a = 1\nlet b = a\n++b\nconst c = [b]\n;(a++)\nreturn [a, b, c]` },
  { name: 'temporaries in arrow bodies, fields and defaults', body: `const o = { a: 1 }; const k = () => (log('k'), 'a'); const inc = () => o[k()] += 1; inc(); const r = [inc()]; class C { v = o[k()]++; } r.push(new C().v); function f(x = o[k()]++) { return x } r.push(f(), f(9), o.a); return r` },
  { name: 'arrow body on the line after the arrow, with temporaries', body: `const o = { p: 1 }; const k = (q) =>\n  q.p++; const m = (q) =>\n\n  (q.p += 2, q.p); return [k(o), m(o), o.p]` },
  { name: 'closures capturing loop variables', body: `const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i * 10); let n = 0; return [fs.map(f => f()), (() => { n += 2; return n })()]` },
  { name: 'conditional expressions', body: `const r = []; for (const v of [0, 1, -1, NaN]) r.push(v ? v * 2 : v - 1, v > 0 ? 'pos' : v < 0 ? 'neg' : 'zero'); return r` },
  { name: 'nested logical in tests', body: `const r = []; for (const [a, b, c] of [[0, 1, 0], [1, 0, 1], [1, 1, 0], [0, 0, 0]]) { if (a && (b || !c)) r.push('x'); else r.push('y'); r.push(!(a || b) ? 1 : 2, (a && b) || c); } return r` },
  { name: 'numbers as object keys and in arrays', body: `const a = [10, 20, 30]; let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * i; const o = {}; o[1 + 1] = 'two'; return [s, o, a[a.length - 1]]` },

  // Inline fast paths (`typeof a === "number" && … ? a * b : __zy.mul(a, b)`): every operand
  // evaluated once, in order, before any test; names re-read only when that is unobservable.
  { name: 'inline: side effects inside nested arithmetic', body: `const f = (n, v) => (log(n), v); let i = 1; const o = { get n() { log('get'); return 2 } }; return [f(1, 2) * (f(2, 3) + f(3, 4)) - f(4, 5) / f(5, 2), i + (i = 10, 1), i * f(6, i++), (i += f(7, 2)) * i, i < (i = 0, 5), o.n * o.n, f(8, 1) < f(9, 2) + f(10, 3), i - (i += 4) - i]` },
  { name: 'inline: valueOf runs once per operand', body: `const o = { valueOf() { log('v'); return 2 } }; let x = o; const r = [x * 3, 3 - x, x ** x, x < 3, x >= o, x + 1, x % x, 1 / x]; x += 1; const y = o; let z = o; z++; return [r, x, y * y, z]` },
  { name: 'inline: yield inside operands', body: `function* g() { let a = 1; const r = [a * (yield 1), (yield 2) - a, a < (yield 3), a ** (a = 2, yield 4), (yield 5) + (yield 6)]; let s = 0; s += yield 7; s -= (yield 8) * a; return [r, s, a]; } const it = g(); const out = [it.next().value]; for (const v of [3, '4', 5n, 2, 'a', 'b', 10, 4]) { try { out.push(it.next(v).value) } catch (e) { out.push(e.name) } } return out` },
  { name: 'inline: yield of BigInt operands', body: `function* g() { let a = 2n; const r = [a * (yield), (yield) - a, a < (yield)]; a += yield; return [r, a]; } const it = g(); it.next(); it.next(3n); it.next(4n); it.next(5n); return it.next(6n).value` },
  { name: 'inline: await inside operands', async: true, body: `const f = async (v) => (log(v), v); let a = 2; const r = [a * await f(3), (await f(4)) - a, a < await f(1), (await f(2)) ** (await f(3))]; a += await f(5); a *= (await f('2')); let b = 1; b -= await f(1n).catch(() => 0).then(() => 1); return [r, a, b]` },
  { name: 'inline: undeclared globals throw once, accessor globals read once', body: `const r = []; const f = (n) => (log(n), 1); for (const g of [() => f(1) * undeclaredXyz1, () => undeclaredXyz2 * f(2), () => undeclaredXyz3 < 1, () => 1 + undeclaredXyz4, () => { undeclaredXyz5 += f(5) }, () => { undeclaredXyz6++ }, () => { let q = 1; q += undeclaredXyz7; return q }]) { try { r.push(g()) } catch (e) { r.push(e.name) } } Object.defineProperty(globalThis, 'zyCountedGlobal', { get() { log('get'); return 3 }, configurable: true }); try { let k = 1; r.push(zyCountedGlobal * 2, 2 - zyCountedGlobal, zyCountedGlobal < 5, zyCountedGlobal ** zyCountedGlobal, k += zyCountedGlobal, k); } finally { delete globalThis.zyCountedGlobal } return [r, typeof undeclaredXyz1]` },
  { name: 'inline: reads in the temporal dead zone throw', body: `const r = []; try { r.push(t * 2) } catch (e) { r.push(e.name) } try { r.push(1 < t) } catch (e) { r.push(e.name) } try { t += 1 } catch (e) { r.push(e.name) } try { t++ } catch (e) { r.push(e.name) } let t = 1; const c = 2; try { c += 1 } catch (e) { r.push(e.name) } try { c++ } catch (e) { r.push(e.name) } return [r, t, c]` },
  { name: 'inline: NaN, -0 and Infinity', body: `const z = 0, nz = -0, n = NaN, inf = Infinity; let m = -0; m += 0; let k = -0; k -= 0; let p = 0; p *= -1; let q = -0; q++; q--; return [z * -1, nz + nz, nz - 0, 0 - z, nz * nz, n < n, n >= n, n <= 1, n + 1, inf - inf, inf * 0, 1 / nz, nz % 1, -5 % 5, m, k, p, q, 2 ** nz, nz ** 0, (-8) % 3, z / z, nz < z, nz <= z, nz >= z, inf > 1e308, -inf < -1e308, n ** 0, 1 ** n]` },
  { name: 'inline: mixed numbers, strings, BigInt, Dates and others', body: `let s = '1', n = 2, b = 3n; const d = new Date(0); const r = [s + n, n + s, s * n, n - s, s < n, '10' < '9', s - - n, b * b, b ** 2n, b < n, n < b, b + '', d + 1, d - 1, d < 1, true + n, null + n, undefined + n, [2] * n, [1, 2] + n, n + {}, n < '3', n < 'x', Symbol.iterator in Array.prototype]; for (const g of [() => b + n, () => n * b, () => { let q = b; q += 1; return q }, () => { let q = b; q -= n; return q }, () => Symbol() + n, () => n < Symbol()]) { try { r.push(g()) } catch (e) { r.push(e.name) } } n += 'x'; s += 1; const pb = b++; const qb = ++b; return [r, n, s, pb, qb, b]` },
  { name: 'inline: updates and compound assignment on locals of every type', body: `let a = 1.5, b = 'x', c = 5n, d = null, e = undefined, f = { valueOf() { log('f'); return 1 } }, g = '7', h = true, i = [3]; const r = [a++, ++a, a--, --a, b++, b, c++, ++c, c--, d++, d, e++, e, f++, f, g--, --g, g, h++, h, i--, i]; let x = 1; x **= 3; x %= 5; x /= 2; x -= 0.5; x *= x; x += '!'; return [r, x]` },
  { name: 'inline: compound right-hand side that assigns the target', body: `let x = 1, y = 2, z = 5, w = 1; const r = [x += (x = 10, 5), y *= (y = 3), x, y]; z -= z++; w += w += 2; let v = 2; v **= v -= 1; return [r, z, w, v]` },
  { name: 'inline: number literal operands', body: `let x = 3; const r = [(-2) ** x, x ** -1, 2 ** x, x - -1, -1 - x, x * 1e3, 0x10 + x, x / .5, x % 2., 1_000 + x, x - +1, +2 < x, x >= -0, .1 + x]; x -= -1; x += +1; x **= -1; return [r, x]` },
  { name: 'inline: class fields and parameter defaults', body: `let a = 2; const g = () => (log('g'), 3); class C { p = a * a; q = g() * a; r = this.p + 1; s = a < this.q; static t = a ** a; } function d(x = a * a, y = g() - x, z = x < y) { return [x, y, z] } const c = new C(); return [c.p, c.q, c.r, c.s, C.t, d(), d(1), ((u = a * 3, v = g() + u) => u + v)()]` },
  { name: 'inline: names resolved through with', body: `let av = 2; const o = { get a() { log('get a'); return av }, set a(v) { log('set a ' + v); av = v }, b: 3 }; let a = 100, b = 1; with (o) { var r = [a * b, a < b, a + 1, b - a]; a += b; a++; b *= 2; } return [r, o, a, b]` },
  { name: 'inline: getters as operands in a loop', body: `let calls = 0; const o = { get v() { calls++; return calls } }; let s = 0; for (let i = 0; i < o.v / 4; i++) s += o.v * o.v - i; return [s, calls]` },
  { name: 'inline: arrow expression bodies', body: `const a = 3; const f = (o) => o.a * o.b; const g = (x) =>\n  x * 2 + a; const h = (x) => x < a; const k = (x) => (x.n++, x.n * x.n); return [f({ a: 2, b: 5 }), g(4), g('4'), h(1), h('4'), k({ n: 1 })]` },
  { name: 'inline: comparisons of strings, null, undefined and objects', body: `const xs = [1, '2', 'b', null, undefined, NaN, [1], {}, true, -0, 2n]; const r = []; for (const a of xs) for (const b of xs) { try { r.push(a < b, a <= b, a > b, a >= b) } catch (e) { r.push(e.name) } } return r` },
  { name: 'inline: equality of every kind of value', body: `const xs = [0, -0, 1, NaN, '1', '', null, undefined, true, [1], {}, 1n, Infinity]; const r = []; for (const a of xs) for (const b of xs) r.push(a === b, a !== b, a == b, a != b); const n = NaN; return [r, n === n, n != n]` },
  { name: 'inline: unary minus and plus', body: `const o = { valueOf() { log('v'); return 4 } }; const xs = [0, -0, 1.5, NaN, '3', '', null, undefined, true, [2], o, 2n, new Date(5), Infinity]; const r = []; for (const x of xs) { try { r.push(-x, +x, - -x, -x * 2) } catch (e) { r.push(e.name) } } const f = (n, v) => (log(n), v); return [r, -f(1, 2), +f(2, '7'), -(f(3, 1), f(4, 2))]` },
  { name: 'inline: typeof of every kind of operand', body: `const f = (n, v) => (log(n), v); const o = { get p() { log('p'); return 1 } }; const xs = [0, NaN, '', null, undefined, {}, [], () => 1, 1n, Symbol.iterator, true]; const r = []; for (const v of xs) r.push(typeof v, typeof v === 'number', typeof v !== 'object'); let z; return [r, typeof o.p, typeof f(1, 2), typeof (f(2, 'a'), f(3, 4)), typeof typeof z, typeof z, typeof undeclaredXyzT, typeof -z, typeof Math, typeof Math.sin]` },
  { name: 'inline: calls of Math functions', body: `const f = (n, v) => (log(n), v); const o = { valueOf() { log('v'); return -4 } }; const x = 2.5, y = -0, s = '9', n = NaN, b = 3n; const r = [Math.max(f(1, 2), f(2, '3'), f(3, 1)), Math.min(x, y, 0), Math.max(y, 0), Math.min(0, y), Math.round(-0.5), Math.sign(y), Math.abs(o), Math.sqrt(s), Math.max(x, n), Math.hypot(x, 2), Math.pow(2, x), Math.atan2(y, -1), Math.imul(x, 3), Math.clz32(x), Math.fround(x), Math.max(x, ...[1, 9]), Math.max(x, 3,), Math.floor(f(4, -x)), Math.sin(x) * Math.PI, 2 * Math.PI * x, Math.PI * Math.E, Math.cbrt(y), Math.exp(x, f(5, 0)), Math.log(...[x])]; for (const g of [() => Math.abs(b), () => Math.max(x, b), () => Math.sin(Symbol())]) { try { r.push(g()) } catch (e) { r.push(e.name) } } return r` },
  { name: 'inline: sequences and assignments as operands', body: `let a = 1, b = 2; const r = [(a, b) * (b, a), (a = 3) + (b = 4), a * (b += 1), (a += 1) < (b -= 1), a, b]; return r` },
];

describe('rewritten code keeps JavaScript semantics', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const plain = await run(c.body, false, c.async);
      const rewritten = await run(c.body, true, c.async);
      expect(rewritten).toEqual(plain);
    });
  }
});
