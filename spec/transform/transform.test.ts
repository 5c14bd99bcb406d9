// The public transform API: emitted shapes, skips, prologue placement, scope-aware
// globals, temporaries, source maps, function sources and free variables.
import { runInThisContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  freeVariables,
  isRewritten,
  MISSING_RUNTIME_MESSAGE,
  RUNTIME_GLOBAL_KEY,
  strictnessMatters,
  transform,
  transformFunctionSource,
  transformScript,
  transformTs,
} from '../../lib/transform/index.js';
import { decodeMappings } from '../../lib/transform/sourcemap.js';
import { __zy as zyRuntime, derivative, gradient } from '../../lib/index.js';

const G = { runtime: { kind: 'global' as const }, sourceMap: false };
/**
 * Rewritten body without the prologue (program-level temporaries, `var …;`, stay in).
 * Each function with its body once: the two bodies have their own specs (two-bodies.test.ts).
 */
function body(code: string, options: { sourceType?: 'module' | 'script'; inlineFastPaths?: boolean; twoBodies?: boolean } = {}): string {
  const out = transform(code, { ...G, sourceType: 'module', twoBodies: false, ...options, runtime: { kind: 'import', specifier: 'rt' } }).code;
  // (a CommonJS file's prologue also checks that the runtime is loaded before the marker's call)
  const marker = '__zy.rewritten(); ';
  const at = out.indexOf(marker);
  return at < 0 ? out : out.slice(at + marker.length);
}

describe('emitted shapes without inline fast paths (inlineFastPaths: false)', () => {
  it.each([
    ['a + b;', '(0, __zy.add)(a , b);'],
    ['a ** b * c;', '(0, __zy.mul)((0, __zy.pow)(a , b) , c);'],
    ['(a, b) + (c);', '(0, __zy.add)((a, b) , (c));'],
    ['x | 0;', '(0, __zy.bor)(x , 0);'],
    ['-x; +y; ~z;', '(0, __zy.neg)(x); (0, __zy.pos)(y); (0, __zy.bnot)(z);'],
    ['-1; +2; 1 + 2; 2 ** -1; "a" + "b";', '-1; +2; 1 + 2; 2 ** -1; "a" + "b";'],
    ['x === "a"; x !== null; x == null; x === 1; t = typeof k === "number";', 'x === "a"; x !== null; x == null; (0, __zy.seq)(x , 1); t = ((0, __zy.typeOfGlobal)(globalThis, "k") ?? typeof k) === "number";'],
    // (an NDArray's storage read where a differentiation may run: reported when the array is traced)
    ['y = x.data[0] + (a, b).data.length; x.data = 1; delete x.data; x.data(); new x.data(); x?.data; x.data\`t\`; ({ data } = x);', 'y = (0, __zy.add)((0, __zy.readData)(x)[0] , (0, __zy.readData)((a, b)).length); x.data = 1; delete x.data; x.data(); (0, __zy.construct)( x.data); x?.data; x.data\`t\`; ({ data } = x);'],
    // (the global undefined equals no traced number or stand-in; a local of that name may be one)
    ['x === undefined; undefined != y; function f(undefined) { return x === undefined }', 'x === undefined; undefined != y; function f(undefined) { return (0, __zy.seqStored)(x , undefined) }'],
    ['a in b; a instanceof B; void a; delete a.b; a ?? b;', 'a in b; (0, __zy.instanceOf)(a , B); void a; delete a.b; a ?? b;'],
    ['x++;', 'x = (0, __zy.inc)(x);'],
    ['y = --x;', 'y = (x = (0, __zy.dec)(x));'],
    ['x += y;', 'x = (0, __zy.add)(x, y);'],
    // Member targets store through the barrier, which reports the object only for an
    // object value; a global object is read once, into a temporary.
    ['let o; o.p *= 2;', 'var __zy$1; let o; o.p = __zy$1 = (0, __zy.mul)(o.p, 2), typeof __zy$1 === "object" ? (0, __zy.touch)(o, __zy$1) : __zy$1;'],
    ['o.p *= 2;', 'var __zy$1, __zy$2; __zy$1 = o, __zy$1.p = __zy$2 = (0, __zy.mul)(__zy$1.p, 2), typeof __zy$2 === "object" ? (0, __zy.touch)(__zy$1, __zy$2) : __zy$2;'],
    ['if (x) a(); while (!y) b(); do c(); while (z); for (;w;) d();', 'if ((0, __zy.truthy)(x)) a(); while (!(0, __zy.truthy)(y)) b(); do c(); while ((0, __zy.truthy)(z)); for (;(0, __zy.truthy)(w);) d();'],
    ['if (x < 1 && !y) a();', 'if ((0, __zy.lt)(x , 1) && !(0, __zy.truthy)(y)) a();'],
    ['if (a > b) f(); c = x === y ? 1 : 2;', 'if ((0, __zy.gt)(a , b)) f(); c = (0, __zy.seqStored)(x , y) ? 1 : 2;'],
    ['v = a && b;', 'v = ((0, __zy.test)(a ) ? b : (0, __zy.took)());'],
    ['v = a || b;', 'v = ((0, __zy.test)(a ) ? (0, __zy.took)() : b);'],
    ['a && b();', '(0, __zy.test)(a ) ? b() : (0, __zy.took)();'],
    ['v = a < 1 && b;', 'v = (0, __zy.lt)(a , 1) && b;'],
    // (a case not written as a constant is compared as d === k is: a cache hit noted, lib/coercion.ts)
    ['switch (d) { case 1: case "a": case -1: case k: }', 'var __zy$1; switch ((0, __zy.key)(__zy$1 = d)) { case 1: case "a": case (0, __zy.key)(-1): case (0, __zy.caseKeyStored)(__zy$1, k): }'],
    ['switch (true) { case k > 0: }', 'switch ((0, __zy.key)(true)) { case (0, __zy.key)((0, __zy.gt)(k , 0)): }'],
    // The global objects are never replaced: Math's functions, the number predicates and
    // calls of Number and Function are (rewrite-globals.ts).
    ['const s = Math.sin(x) + Number(y); isNaN(z); isFinite(w);', 'const s = (0, __zy.add)((0, __zy.Math.sin)(x) , (0, __zy.builtin)(Number)(y)); (0, __zy.isNaN)(z); (0, __zy.isFinite)(w);'],
    ['const { sqrt } = Math; globalThis.Math.PI; o = { Math }; Math.PI; Math.random(); Math.sin = () => 1; xs.map(Math.sqrt);', 'const { sqrt } = (0, __zy.builtin)(Math); globalThis.Math.PI; o = { Math }; Math.PI; Math.random(); Math.sin = () => 1; xs.map(((0, __zy.builtin)(Math.sqrt)));'],
    ['Number.isNaN(a); Number.MAX_VALUE; new Number(b); xs.map(Number.isFinite); o = { isNaN };', '(0, __zy.Number.isNaN)(a); Number.MAX_VALUE; (0, __zy.construct)( Number, b); xs.map(((0, __zy.builtin)(Number.isFinite))); o = { isNaN: ((0, __zy.builtin)(isNaN)) };'],
    ['Function(a, b); new Function(c); Function.apply(null, d); x instanceof Function; class F extends Function {}', '(0, __zy.builtin)(Function)(a, b); new ((0, __zy.builtin)(Function))(c); (0, __zy.builtin)(Function).apply(null, d); (0, __zy.instanceOf)(x , Function); class F extends Function {}'],
    // A global name's typeof reads it once, and does not throw where it is undeclared.
    ['typeof u;', '(0, __zy.typeOfGlobal)(globalThis, "u") ?? typeof u;'],
    // Compared with a string that is neither "number" nor "object", typeof stays native.
    ['typeof u === "undefined"; typeof f != "function"; typeof k == "number";', 'typeof u === "undefined"; typeof f != "function"; ((0, __zy.typeOfGlobal)(globalThis, "k") ?? typeof k) == "number";'],
    // A comma expression moved into a call stays one argument.
    ['if (p = ps[i], u) f(); v = (a, b) ? 1 : 2; switch (x = 0, 1) { case 2, 3: }', 'var __zy$1; if ((0, __zy.truthy)((p = ps[i], u))) f(); v = ((0, __zy.truthy)((a, b))) ? 1 : 2; switch ((0, __zy.key)(__zy$1 = (x = 0, 1))) { case (0, __zy.caseKeyStored)(__zy$1, (2, 3)): }'],
    ['let k; v = typeof k;', 'let k; v = (0, __zy.typeOf)( k);'],
    // Searches and keyed stores go through the runtime (a traced number is found by its
    // value): the receiver read once, the method before the arguments; in an optional chain
    // the skip is written out (cut at its last link that skips).
    ['let xs; xs.indexOf(m); this.s.has(k); g().includes(1, ...r); xs?.indexOf(m); a?.b.has(k); (xs).get();', 'var __zy$1, __zy$2; let xs; (0, __zy.callMethod)(xs, xs.indexOf, m); (0, __zy.callMethod)(__zy$1 = this.s, __zy$1.has, k); (0, __zy.callMethod)(__zy$1 = g(), __zy$1.includes, 1, ...r); (xs === null || xs === void 0 ? void 0 : (0, __zy.callMethod)(xs, xs.indexOf, m)); (__zy$1 = a, __zy$1 === null || __zy$1 === void 0 ? void 0 : (__zy$2 = __zy$1.b, (0, __zy.callMethod)(__zy$2, __zy$2.has, k))); (0, __zy.callMethod)((xs), xs.get);'],
    // A function imported from a package is called through the runtime, which stops a call
    // into a package that was not rewritten when it returns NaN for traced numbers.
    ['import { mean } from "simple-statistics"; import * as ss from "ss"; import own from "./own.js"; mean(a); ss.sum(b); own(c); mean?.(a);', 'import { mean } from "simple-statistics"; import * as ss from "ss"; import own from "./own.js"; (0, __zy.callImported)(void 0, mean, a); (0, __zy.callImported)(ss, ss.sum, b); own(c); mean?.(a);'],
    // In CommonJS, names bound to require('…') at the program's level, also as compilers to
    // CommonJS call them: `(0, ns.f)(x)`, with no receiver.
    ['const ss = require("simple-statistics"); const { mean, sum: total } = require("ss"); const own = require("./own.js"); var lib = __toESM(require("lib")); ss.mean(a); mean(b); total(c); own(d); (0, lib.f)(e); (0, lib.g)(); (0, f.g)(h);', 'const ss = require("simple-statistics"); const { mean, sum: total } = require("ss"); const own = require("./own.js"); var lib = __toESM(require("lib")); (0, __zy.callImported)(ss, ss.mean, a); (0, __zy.callImported)(void 0, mean, b); (0, __zy.callImported)(void 0, total, c); own(d); (0, __zy.callImported)(void 0, (0, lib.f), e); (0, __zy.callImported)(void 0, (0, lib.g)); (0, f.g)(h);'],
    // Names bound once to a function imported from a package are imported functions too (a
    // `let` never assigned keeps its value; one assigned later may hold anything).
    ['import * as ss from "ss"; const { mean } = ss; const sum = ss.sum; let other = ss.x; let later = ss.y; later = g; mean(a); sum(b); other(c); later(d);', 'import * as ss from "ss"; const { mean } = ss; const sum = ss.sum; let other = ss.x; let later = ss.y; later = g; (0, __zy.callImported)(void 0, mean, a); (0, __zy.callImported)(void 0, sum, b); (0, __zy.callImported)(void 0, other, c); later(d);'],
    ['import * as ss from "ss"; import { max } from "ss"; function f() { const agg = ss.mean; const { sum: total } = ss; const top = max; const own = local.mean; agg(a); total(b); top(c); own(d); }', 'import * as ss from "ss"; import { max } from "ss"; function f() { const agg = ss.mean; const { sum: total } = ss; const top = max; const own = local.mean; (0, __zy.callImported)(void 0, agg, a); (0, __zy.callImported)(void 0, total, b); (0, __zy.callImported)(void 0, top, c); own(d); }'],
    // A default import as code compiled to CommonJS reads it: its methods are a package's functions too.
    ['var lib = __toESM(require("lib")); lib.default.mean(a); (0, lib.default)(b); lib.default(c); own.default.f(d);', 'var lib = __toESM(require("lib")); (0, __zy.callImported)(lib.default, lib.default.mean, a); (0, __zy.callImported)(void 0, (0, lib.default), b); (0, __zy.callImported)(lib, lib.default, c); own.default.f(d);'],
    // Given to a method that calls it, such a function goes through the runtime too (checked
    // there while a differentiation runs); given elsewhere, or a local function, it is left.
    ['import * as ss from "ss"; import { sum } from "ss"; rows.map(ss.mean); xs.reduce(sum, 0); Array.from(a, sum); keep(ss.mean); rows.map(own); const agg = ss.max;', 'import * as ss from "ss"; import { sum } from "ss"; rows.map((0, __zy.importedFunction)(ss.mean)); xs.reduce((0, __zy.importedFunction)(sum), 0); (0, __zy.arrayFrom)(a, (0, __zy.importedFunction)(sum)); keep(ss.mean); rows.map(own); const agg = ss.max;'],
    // A global called in a function with something that may be traced (a script's helper, perhaps not
    // rewritten) is checked as a package's function is; not at the top level, with nothing traced, a
    // store into a global array, or require.
    ['function g(x) { f(x); h.m(x); f(); f("a"); require(x); Math.max(x); } f(a, b);', 'function g(x) { var __zy$1; (0, __zy.callImported)(void 0, f, x); (0, __zy.callImported)(__zy$1 = h, __zy$1.m, x); f(); f("a"); require(x); (0, __zy.Math.max)(x); } f(a, b);'],
    ['new Set(a); new Map; new Float32Array(3); new glMatrix.ARRAY_TYPE(3); new Point(1); new (a?.B)();', '(0, __zy.construct)( Set, a); (0, __zy.construct)(Map); (0, __zy.construct)( Float32Array, 3); (0, __zy.construct)( glMatrix.ARRAY_TYPE, 3); new Point(1); new (a?.B)();'],
  ])('%s', (input, expected) => {
    expect(body(input, { inlineFastPaths: false })).toBe(expected);
  });

  it('code a direct eval runs: a name it does not declare may be the caller’s local, and it declares no temporaries of its own', () => {
    const out = transformScript('typeof x; y = a * b; switch (t) { case k: }', { directEval: true });
    expect(out).toContain('(0, __zy.typeOfRead)(() => x, () => typeof x);');
    expect(out).not.toContain('typeOfGlobal');
    expect(out).not.toMatch(/var __zy\$/);
    expect(transformScript('typeof x;')).toContain('(0, __zy.typeOfGlobal)(globalThis, "x") ?? typeof x');
  });

  it('keeps a file-local Math, Number, isNaN', () => {
    const code = 'import { Math } from "./m.js"; Math.sin(1); function f(Number) { return Number(1) } { const isNaN = 1; isNaN; } isNaN(2);';
    expect(body(code)).toBe('import { Math } from "./m.js"; Math.sin(1); function f(Number) { return Number(1) } { const isNaN = 1; isNaN; } ;(0, __zy.isNaN)(2);');
  });

  it('declares temporaries in the nearest function, arrow, field or default, avoiding user names', () => {
    const out = body('var __zy$1; function f() { "use strict"; return g()[k()] += 1; } const h = () => g().p++; class C { x = g().q--; } function d(a = g()[0]++) {}');
    expect(out).toBe(
      'var __zy$1; function f() { "use strict"; var __zy$2, __zy$3, __zy$4; return (__zy$2 = g(), __zy$3 = k(), __zy$2[__zy$3] = __zy$4 = (0, __zy.add)(__zy$2[__zy$3], 1), typeof __zy$4 === "object" ? (0, __zy.touch)(__zy$2, __zy$4) : __zy$4); }' +
        ' const h = () => { var __zy$5, __zy$6, __zy$7; return ( (__zy$5 = g(), __zy$6 = (0, __zy.numeric)(__zy$5.p), __zy$5.p = __zy$7 = (0, __zy.inc)(__zy$6), typeof __zy$7 === "object" ? (0, __zy.touch)(__zy$5, __zy$7) : __zy$7, __zy$6)); };' +
        ' class C { x = (0, __zy.fieldNew)(this, ((() => { var __zy$8, __zy$9; return (__zy$8 = g(), __zy$9 = (0, __zy.numeric)(__zy$8.q), (0, __zy.touch)(__zy$8, __zy$8.q = (0, __zy.dec)(__zy$9)), __zy$9); })()), "x"); }' +
        ' function d(a = (() => { var __zy$10, __zy$11; return (__zy$10 = g(), __zy$11 = (0, __zy.numeric)(__zy$10[0]), (0, __zy.touch)(__zy$10, __zy$10[0] = (0, __zy.inc)(__zy$11)), __zy$11); })()) {}',
    );
  });

  it('guards against ASI when a statement now starts with a parenthesis', () => {
    expect(body('let x, a\n;(x++).toString()')).toContain(';((typeof x === "number" ? x++ :');
    expect(body('a\n;(x++).toString()')).toContain(';((__zy$1 = (0, __zy.numeric)(x)');
    expect(body('let a = b\n++c')).toBe('let a = b\nc = (0, __zy.inc)(c)');
  });
});

const T = (n: string): string => `typeof ${n} === "number"`;

describe('emitted shapes with inline fast paths (the default)', () => {
  it.each([
    // Names and number literals: the original expression stays in place as the fast path.
    ['let a, b; a * b;', `let a, b; ${T('a')} && ${T('b')} ? a * b : (0, __zy.mul)(a, b);`],
    ['let i; v = i + 1; w = 2 ** i; i ** i;', `let i; v = (${T('i')} ? i + 1 : (0, __zy.add)(i, 1)); w = (${T('i')} ? 2 ** i : (0, __zy.pow)(2, i)); ${T('i')} ? i ** i : (0, __zy.pow)(i, i);`],
    ['let a, b; if (a < b) f(); c = a >= 1 ? 1 : 2;', `let a, b; if ((${T('a')} && ${T('b')} ? a < b : (0, __zy.lt)(a, b))) f(); c = (${T('a')} ? a >= 1 : (0, __zy.ge)(a, 1)) ? 1 : 2;`],
    ['let x; (-1) ** x; x - -1;', `let x; ${T('x')} ? (-1) ** x : (0, __zy.pow)(-1, x); ${T('x')} ? x - -1 : (0, __zy.sub)(x, -1);`],
    // Any other operand is evaluated once, in order, into a temporary (a name too, when the other side is not a name).
    // A right operand that is a name is read where it stands (nothing runs in between).
    ['let x; f() * x;', `var __zy$1; let x; __zy$1 = f() , ${T('__zy$1')} && ${T('x')} ? __zy$1 * x : (0, __zy.mul)(__zy$1, x);`],
    ['let x; v = x < o.n;', `var __zy$1, __zy$2; let x; v = (__zy$1 = x , __zy$2 = o.n, ${T('__zy$1')} && ${T('__zy$2')} ? __zy$1 < __zy$2 : (0, __zy.lt)(__zy$1, __zy$2));`],
    // Sites one after the other share their temporaries.
    ['v = 2*f(); w = f()/2; (-1) ** f();', `var __zy$1; v = (__zy$1 = f(), ${T('__zy$1')} ? 2 * __zy$1 : (0, __zy.mul)(2, __zy$1)); w = (__zy$1 = f(), ${T('__zy$1')} ? __zy$1 / 2 : (0, __zy.div)(__zy$1, 2)); __zy$1 = f(), ${T('__zy$1')} ? (-1) ** __zy$1 : (0, __zy.pow)(-1, __zy$1);`],
    ['(a, b) + (c);', `var __zy$1, __zy$2; __zy$1 = (a, b) , __zy$2 = (c), ${T('__zy$1')} && ${T('__zy$2')} ? __zy$1 + __zy$2 : (0, __zy.add)(__zy$1, __zy$2);`],
    ['let a, b; v = a * b + 1;', `var __zy$1; let a, b; v = (__zy$1 = (${T('a')} && ${T('b')} ? a * b : (0, __zy.mul)(a, b)) , ${T('__zy$1')} ? __zy$1 + 1 : (0, __zy.add)(__zy$1, 1));`],
    // A free identifier may be undeclared or an accessor: read once, into a temporary.
    ['u * 2;', `var __zy$1; __zy$1 = u , ${T('__zy$1')} ? __zy$1 * 2 : (0, __zy.mul)(__zy$1, 2);`],
    // Updates and compound assignments on declared names.
    ['let i; i++; --i; for (;; i++);', `let i; i = ${T('i')} ? i + 1 : (0, __zy.inc)(i); i = ${T('i')} ? i - 1 : (0, __zy.dec)(i); for (;; (i = ${T('i')} ? i + 1 : (0, __zy.inc)(i)));`],
    ['let i; v = i++; w = ++i;', `var __zy$1; let i; v = (${T('i')} ? i++ : (__zy$1 = (0, __zy.numeric)(i), i = (0, __zy.inc)(__zy$1), __zy$1)); w = (i = ${T('i')} ? i + 1 : (0, __zy.inc)(i));`],
    ['let s, i; s += i; s *= 2; s-=-1;', `let s, i; s = ${T('s')} && ${T('i')} ? s + i : (0, __zy.add)(s, i); s = ${T('s')} ? s * 2 : (0, __zy.mul)(s, 2); s = ${T('s')} ? s - -1 : (0, __zy.sub)(s, -1);`],
    ['let s; v = s -= f();', `var __zy$1, __zy$2; let s; v = (__zy$1 = s, __zy$2 = f(), s = ${T('__zy$1')} && ${T('__zy$2')} ? __zy$1 - __zy$2 : (0, __zy.sub)(__zy$1, __zy$2));`],
    // Never numbers, other operators, free or member targets: runtime calls as before.
    ['let x; x * "s"; x + 1n; x + `t${1}`; x + !x; x == "1"; x + undefined; -"1";', 'let x; (0, __zy.mul)(x , "s"); (0, __zy.add)(x , 1n); (0, __zy.add)(x , `t${1}`); (0, __zy.add)(x , !(0, __zy.truthy)(x)); (0, __zy.eq)(x , "1"); (0, __zy.add)(x , undefined); (0, __zy.neg)("1");'],
    // (bitwise operators on numbers, and text joined to any primitive, as plain JavaScript)
    ['let x, y; "a" + x; x | 1; ~x; x >>> y;', 'let x, y; typeof x !== "object" && typeof x !== "function" ? "a" + x : (0, __zy.add)("a", x); typeof x === "number" ? x | 1 : (0, __zy.bor)(x, 1); typeof x === "number" ? ~x : (0, __zy.bnot)(x); typeof x === "number" && typeof y === "number" ? x >>> y : (0, __zy.ushr)(x, y);'],
    // Equality with numbers and unary minus/plus.
    ['let x, y; x === y; v = x != 1; x === "a"; x == null;', `let x, y; ${T('x')} && ${T('y')} ? x === y : (0, __zy.seqStored)(x, y); v = (${T('x')} ? x != 1 : (0, __zy.ne)(x, 1)); x === "a"; x == null;`],
    ['let x; -x; v = +x; w = -f(); -1;', `var __zy$1; let x; ${T('x')} ? -x : (0, __zy.neg)(x); v = (${T('x')} ? +x : (0, __zy.pos)(x)); w = (__zy$1 = f(), ${T('__zy$1')} ? -__zy$1 : (0, __zy.neg)(__zy$1)); -1;`],
    // typeof, and calls of the global Math's functions.
    ['let x; v = typeof x === "number"; typeof o.p; typeof u; typeof 1;', `var __zy$1; let x; v = (typeof x === "object" ? (0, __zy.typeOf)(x) : typeof x) === "number"; __zy$1 = o.p, typeof __zy$1 === "object" ? (0, __zy.typeOf)(__zy$1) : typeof __zy$1; (0, __zy.typeOfGlobal)(globalThis, "u") ?? typeof u; typeof 1;`],
    ['let x, y; v = Math.sin(x); Math.max(x, 2, y); Math.abs(o.p);', `var __zy$1; let x, y; v = (${T('x')} ? Math.sin(x) : (0, __zy.Math.sin)(x)); ${T('x')} && ${T('y')} ? Math.max(x, 2, y) : (0, __zy.Math.max)(x, 2, y); __zy$1 = o.p, ${T('__zy$1')} ? Math.abs(__zy$1) : (0, __zy.Math.abs)(__zy$1);`],
    ['let x; Math.max(x, (a, b), f(),); Math.max(...x); Math.random(); Math.sin(1); v = Math.PI * x; w = Math.PI * 2;', `var __zy$1, __zy$2, __zy$3; let x; __zy$1 = x, __zy$2 = (a, b), __zy$3 = f(), ${T('__zy$1')} && ${T('__zy$2')} && ${T('__zy$3')} ? Math.max(__zy$1, __zy$2, __zy$3) : (0, __zy.Math.max)(__zy$1, __zy$2, __zy$3); (0, __zy.Math.max)(...x); Math.random(); (0, __zy.Math.sin)(1); v = (${T('x')} ? Math.PI * x : (0, __zy.mul)(Math.PI, x)); w = Math.PI * 2;`],
    // The global NaN and Infinity are numbers that cannot change.
    ['let x; x < Infinity; x * NaN; function f(NaN) { return x * NaN }', `let x; ${T('x')} ? x < Infinity : (0, __zy.lt)(x, Infinity); ${T('x')} ? x * NaN : (0, __zy.mul)(x, NaN); function f(NaN) { return (${T('x')} && ${T('NaN')} ? x * NaN : (0, __zy.mul)(x, NaN)) }`],
    ['u++; u += 1; let o; o.p += 1; let x; x |= 1;', 'var __zy$1; u = (0, __zy.inc)(u); u = (0, __zy.add)(u, 1); let o; o.p = __zy$1 = (0, __zy.add)(o.p, 1), typeof __zy$1 === "object" ? (0, __zy.touch)(o, __zy$1) : __zy$1; let x; x = typeof x === "number" ? x | 1 : (0, __zy.bor)(x, 1);'],
    // Field initializers and parameter defaults inline names only (a temporary there would need a closure);
    // a field's value is noted as the field of the instance being made.
    ['let a; class C { p = a * a; q = a.b * 2; } function d(p = a * 2, q = f() * 2) {}', `let a; class C { p = (0, __zy.fieldNew)(this, ((${T('a')} ? a * a : (0, __zy.mul)(a, a))), "p"); q = (0, __zy.fieldNew)(this, ((0, __zy.mul)(a.b , 2)), "q"); } function d(p = (${T('a')} ? a * 2 : (0, __zy.mul)(a, 2)), q = (0, __zy.mul)(f() , 2)) {}`],
    // Arrow expression bodies get a block for their temporaries.
    ['let a; g = (x) =>\n  x.p * a;', `let a; g = (x) => { var __zy$1; return (\n  (__zy$1 = x.p , ${T('__zy$1')} && ${T('a')} ? __zy$1 * a : (0, __zy.mul)(__zy$1, a))); };`],
  ])('%s', (input, expected) => {
    expect(body(input)).toBe(expected);
  });

  it('is an option of transform and transformFunctionSource', () => {
    expect(body('let a, b; a * b;', { inlineFastPaths: false })).toBe('let a, b; (0, __zy.mul)(a , b);');
    expect(transformFunctionSource('(a) => a * 2', { inlineFastPaths: false })).toBe('(a) => (0, __zy.mul)(a , 2)');
    expect(transformFunctionSource('(a) => a * 2')).toBe(`(a) => (${T('a')} ? a * 2 : (0, __zy.mul)(a, 2))`);
  });

  it('takes no program-level temporaries in a function source (its program is a wrapper)', () => {
    expect(transformFunctionSource('[k.n * 2](x) { return x.p * 2 }')).toBe(
      `((o) => o[Reflect.ownKeys(o)[0]])({[(0, __zy.mul)(k.n , 2)](x) { var __zy$1; return (__zy$1 = x.p , ${T('__zy$1')} ? __zy$1 * 2 : (0, __zy.mul)(__zy$1, 2)) }\n})`,
    );
  });

  it('keeps the fast path in place, so the source map points into it', () => {
    const out = transform('let a, b;\nexport const v = a * b;\n', { runtime: { kind: 'import', specifier: 'rt' } });
    const lines = out.code.split('\n');
    const col = lines[1]!.indexOf('? a * b');
    const seg = decodeMappings(out.map!.mappings)[1]!.find((s) => s[0] === col + 2);
    expect(seg?.slice(2, 4)).toEqual([1, 'export const v = '.length]);
  });
});

describe('prologue and skips', () => {
  it('imports the runtime in modules and keeps lines aligned', () => {
    const out = transform('export const f = (x) => x * x;\nexport const g = 1;', { runtime: { kind: 'import', specifier: 'zygote-ts/runtime' } });
    expect(out.code.startsWith('import { __zy } from "zygote-ts/runtime";')).toBe(true);
    expect(out.code.split('\n')).toHaveLength(2);
    expect(out.changed).toBe(true);
  });

  it('puts the global binding after the directive prologue, with a clear error when the runtime is missing', () => {
    const out = transform('"use strict";\n\'use asm\';\nmodule.exports = (x) => x * x;', { sourceMap: false });
    expect(out.code.startsWith('"use strict";\n\'use asm\'; var __zy = globalThis[Symbol.for("zygote-ts.runtime")];')).toBe(true);
    const key = Symbol.for(RUNTIME_GLOBAL_KEY);
    const g = globalThis as unknown as Record<symbol, unknown>;
    const saved = g[key];
    try {
      delete g[key];
      expect(() => new Function('module', out.code)({})).toThrow(MISSING_RUNTIME_MESSAGE);
    } finally {
      g[key] = saved;
    }
    const mod = { exports: null as unknown };
    new Function('module', out.code)(mod);
    expect((mod.exports as (x: number) => number)(3)).toBe(9);
  });

  it('treats CommonJS-looking modules and scripts as CommonJS', () => {
    expect(transform('const a = require("a"); exports.f = (x) => x * 2;', { sourceMap: false }).code).toContain('var __zy = globalThis');
    expect(transform('with (o) { a * 2 }', { sourceMap: false }).code).toContain('var __zy = globalThis');
    expect(transform('exports.f = (x) => x * 2;', { sourceMap: false, commonjsRuntime: { kind: 'require', specifier: '/rt.js' } }).code).toContain('var __zy = require("/rt.js").__zy;');
  });

  it('is idempotent, honours @zygote-ignore, and leaves code without operators unchanged', () => {
    const once = transform('export const f = (x) => x * x;');
    expect(transform(once.code)).toEqual({ code: once.code, map: null, changed: false });
    const ignored = '// @zygote-ignore\nexport const f = (x) => x * x;';
    expect(transform(ignored)).toEqual({ code: ignored, map: null, changed: false });
    const later = 'export const f = (x) => x * x; // @zygote-ignore';
    expect(transform(later).changed).toBe(true);
    // (the pragma is a comment that starts with it, or a block comment's line, as a JSDoc tag:
    // a header that only mentions it left its whole file unrewritten, its gradients unfollowed)
    for (const marked of ['/** @zygote-ignore */\n', '/*\n * Reference loops.\n * @zygote-ignore\n */\n', '// @zygote-ignore — plain arithmetic\n', '#!/usr/bin/env node\n//@zygote-ignore\n']) {
      expect(transform(`${marked}export const f = (x) => x * x;`).changed).toBe(false);
    }
    for (const mentioned of ['// Files marked @zygote-ignore are left as written; this one is not.\n', '/* see @zygote-ignore in the README */\n', '// @zygote-ignored: an old spelling\n']) {
      expect(transform(`${mentioned}export const f = (x) => x * x;`).changed).toBe(true);
    }
    expect(transform('export const s = "x"; f(a, b);')).toEqual({ code: 'export const s = "x"; f(a, b);', map: null, changed: false });
  });

  it('keeps a hashbang first', () => {
    const out = transform('#!/usr/bin/env node\nconsole.log(1 + x);', { runtime: { kind: 'import', specifier: 'rt' } });
    expect(out.code.startsWith('#!/usr/bin/env node\nimport { __zy } from "rt";')).toBe(true);
    // (after a byte order mark, which Node drops from a module's bytes but not from a loader's
    // text: acorn stopped at the hashbang, and kept, the mark would put it second)
    const marked = transform('\uFEFF#!/usr/bin/env node\nconsole.log(1 + x);', { runtime: { kind: 'import', specifier: 'rt' } });
    expect(marked.code.startsWith('#!/usr/bin/env node\nimport { __zy } from "rt";')).toBe(true);
  });

  it('parses modern syntax without complaint', () => {
    const code = [
      'class A extends B { static #n = 0; #x = 1; static { A.#n++; } get v() { return this.#x * 2 } set v(y) { this.#x = y / 2 } m() { super.m(); super.k += 1; return new.target ?? import.meta.url } }',
      'async function* g(o) { for await (const x of o) yield x * 2; o.p += await o.q; o.r += yield; }',
      'label: for (const [a = 1 * 2, { b } = {}] of []) { if (a) continue label; else break label; }',
      'const t = tag`a${x * 2}b`; const r = /a+/gu; const big = 2n ** 64n; const s = `x${y + 1}`;',
      'o?.a?.[b * 2]?.(c - 1); const sp = [...xs, ...ys.map((v) => v * 2)];',
    ].join('\n');
    const out = transform(code, { runtime: { kind: 'import', specifier: 'rt' } });
    expect(out.changed).toBe(true);
    expect(() => transform(out.code.replace('/*zygote-ts:rewritten*/', ''), { sourceType: 'module' })).not.toThrow();
  });

  // (Node 20 runs `assert`, deprecated, where acorn reads `with` only: such a file stopped with
  // "syntax that zygote-ts's parser does not read")
  it("reads import attributes spelled with assert, and writes them as they were", () => {
    const code = [
      "import d from './d.json' assert { type: 'json' };",
      'import "./e.json" assert {type: "json"}',
      "export * from './f.json' assert { type: 'json' };",
      'export const g = (x) => x * d.k; const a = { assert: 1 }; const s = "from \'x\' assert {";',
    ].join('\n');
    const out = transform(code, { runtime: { kind: 'import', specifier: 'rt' }, sourceMap: false });
    expect(out.changed).toBe(true);
    expect(out.code).toContain("import d from './d.json' assert { type: 'json' };");
    expect(out.code).toContain('import "./e.json" assert {type: "json"}');
    expect(out.code).toContain("export * from './f.json' assert { type: 'json' };");
    expect(out.code).toContain('const s = "from \'x\' assert {";');
    expect(out.code).toContain('__zy.mul');
  });

  // (Node compiles a CommonJS file as a function's body, where `new.target` is valid: such a file
  // stopped with "syntax that zygote-ts's parser does not read")
  it("reads new.target at a CommonJS file's top level", () => {
    const out = transform('const made = typeof new.target; module.exports = (x) => x * 2;', { sourceType: 'script', sourceMap: false });
    expect(out.changed).toBe(true);
    expect(out.code).toContain('new.target');
  });
});

describe('source maps', () => {
  it('map rewritten positions back to the original, and through TypeScript stripping', () => {
    const ts = 'type N = number;\ninterface I { a: N }\nexport function f(x: N): N {\n  return x * 2 + 1;\n}\n';
    const out = transformTs(ts, '/src/f.ts', { runtime: { kind: 'import', specifier: 'rt' } });
    expect(out.map?.sources).toEqual(['/src/f.ts']);
    expect(out.map?.sourcesContent).toEqual([ts]);
    const lines = out.code.split('\n');
    const genLine = lines.findIndex((l) => l.includes('return') && !l.includes('new.target')); // (f's, not the call of its copies)
    const seg = decodeMappings(out.map!.mappings)[genLine]!.find((s) => s.length >= 4 && s[0] >= lines[genLine]!.indexOf('return'));
    expect(seg?.[2]).toBe(3); // line 4 of the .ts (0-based 3)
  });
});

describe('function sources', () => {
  const run = (src: string, ...args: unknown[]): unknown => {
    const out = transformFunctionSource(src);
    expect(isRewritten(out)).toBe(true);
    const zy = (globalThis as unknown as Record<symbol, unknown>)[Symbol.for(RUNTIME_GLOBAL_KEY)];
    const f = new Function('__zy', `return (${out});`)(zy) as (...a: unknown[]) => unknown;
    return f(...args);
  };

  it('rewrites arrows, function expressions, async functions, generators and methods', async () => {
    expect(run('x => x * x', 3)).toBe(9);
    expect(run('(x, y = x * 2) => { let s = 0; for (let i = 0; i < y; i++) s += i; return s; }', 2)).toBe(6);
    expect(run('function named(x) { return x > 1 ? x * named(x - 1) : 1 }', 5)).toBe(120);
    expect(await (run('async (x) => (await x) * 2', Promise.resolve(4)) as Promise<number>)).toBe(8);
    expect([...(run('function* (n) { while (n) yield n--; }', 3) as Iterable<number>)]).toEqual([3, 2, 1]);
    expect(run('square(x) { return x * x }', 7)).toBe(49);
    expect(run('async method(x) { return x - 1 }', 7)).toBeInstanceOf(Promise);
    expect(run('[Symbol.iterator](x) { return x ** 2 }', 3)).toBe(9);
    expect(run('o => o.p++', { p: 1 })).toBe(1);
    expect(transformFunctionSource('() => 1')).toBe('() => 1');
  });

  it('differentiates through inline fast paths as through runtime calls', () => {
    const src = `function (x, y) {
      let s = 0;
      for (let i = 0; i < 3; i++) { s += x * y; s -= i; s += 2; }
      let t = x; t++; ++t; t *= y; t **= 2; t /= x; t %= 1000; t -= y; const old = t--;
      const c = x < y ? x * x : y ** 3;
      let k = 0; while (k <= x) k++;
      const m = (x >= 1 ? 2 * x : 0) + (y > x ? y / x : x - y) + old * 0.5 + -x * +y;
      const g = Math.sin(x) * Math.exp(-y) + Math.max(x, y, 0.5) + Math.hypot(x, y) * Math.PI + (typeof x === 'number' ? 0 : 1e9) + (x === y ? 1e9 : 0);
      return s + t + c + k * x + m + g + x % 0.7 + (1 - x) ** 2;
    }`;
    const compile = (inlineFastPaths: boolean) =>
      new Function('__zy', `return (${transformFunctionSource(src, { inlineFastPaths })});`)(zyRuntime) as (x: number, y: number) => number;
    // `vm`: this file is rewritten itself, and a `Function(…)` call here would rewrite the body.
    const plain = runInThisContext(`(${src})`) as (x: number, y: number) => number;
    const inline = compile(true);
    const calls = compile(false);
    for (const [x, y] of [[1.3, 2.1], [2.5, 0.4], [0.2, 0.3]] as const) {
      const gi = gradient(inline, x, y);
      const gc = gradient(calls, x, y);
      expect(inline(x, y)).toBe(plain(x, y));
      expect(gi).toEqual(gc);
      const h = 1e-6;
      expect(gi[0]).toBeCloseTo((plain(x + h, y) - plain(x - h, y)) / (2 * h), 4);
      expect(gi[1]).toBeCloseTo((plain(x, y + h) - plain(x, y - h)) / (2 * h), 4);
      // Nested: the inline tests see traced numbers of an outer tape too.
      expect(derivative((u: number) => derivative((v: number) => inline(v, u), x), y)).toBeCloseTo(
        derivative((u: number) => derivative((v: number) => calls(v, u), x), y), 10);
    }
  });

  it('finds free variables', () => {
    expect(freeVariables('(x) => Math.sin(x) * k')).toEqual(['Math', 'k']);
    expect(freeVariables('function f(a, { b = c }) { var d = a + b + f(e); return arguments.length + d }')).toEqual(['c', 'e']);
    expect(freeVariables('() => arguments[0]')).toEqual(['arguments']);
    expect(freeVariables('m(x) { const y = x; return this.z + y }')).toEqual([]);
    // A method's `super` is its home object's prototype, which its text does not hold (recompiled, Object.prototype's).
    expect(freeVariables('m(x) { return this.z + super.w }')).toEqual(['super']);
    expect(freeVariables('m(x) { return () => super.w * x }')).toEqual(['super']);
    expect(freeVariables('(x) => { class K extends Object { m() { return super.w } } return x }')).toEqual(['Object']);
    expect(freeVariables('(x) => { try { x() } catch (err) { return err } class K {} return new K() }')).toEqual([]);
    // An arrow's `this` is its surroundings' (recompiled, it would be the global object's).
    expect(freeVariables('(x) => this.k * x')).toEqual(['this']);
    expect(freeVariables('(x) => { function g() { return this } return g() + x }')).toEqual([]);
  });

  it('tells a function source whose meaning depends on strict mode, where the function cannot say', () => {
    expect(strictnessMatters('(x) => { function g(a) { arguments[0] = 2; return a } return g(x) }')).toBe(true);
    expect(strictnessMatters('m(x) { const g = function () { return this }; return g() }')).toBe(true);
    expect(strictnessMatters('function (x) { function g() { return this } return g() }')).toBe(false); // f.caller says
    expect(strictnessMatters('(x) => { class K { m() { return this } } return new K().m() }')).toBe(false); // class code is strict
    expect(strictnessMatters('(x) => { const g = () => this; return x }')).toBe(false);
  });

  it('isRewritten accepts bundler-renamed bindings', () => {
    expect(isRewritten('(x) => (0, __zy.mul)(x, x)')).toBe(true);
    expect(isRewritten('(x) => __zy2.mul(x, x)')).toBe(true);
    expect(isRewritten('(x) => x * x')).toBe(false);
    expect(isRewritten('(x) => my__zy.mul(x)')).toBe(false);
  });
});

// (jstat writes each module as `(function (jStat, Math) { … }(jStat, Math))`: its Math.pow,
// Math.exp … were refused as Math reached another way, so no distribution could be differentiated)
describe('a global given to an immediately called function as a parameter of its own name', () => {
  const module = (inner: string, given = 'Math') => `function (x) { return (function (jStat, Math) { ${inner} }({ k: 2 }, ${given})); }`;
  const rewritten = (src: string) => (runInThisContext(`(function (__zy) { return (${transformFunctionSource(src)}); })`) as (zy: unknown) => (x: number) => number)(zyRuntime);

  it('is that global: Math.pow and Math.sin in it are differentiated, values as plain', () => {
    const src = module('return Math.pow(x, 3) + Math.sin(x) * jStat.k + Math.max(x, 0.5);');
    const plain = runInThisContext(`(${src})`) as (x: number) => number;
    const f = rewritten(src);
    const h = 1e-6;
    expect(f(0.7)).toBe(plain(0.7));
    expect(gradient(f, 0.7)[0]).toBeCloseTo((plain(0.7 + h) - plain(0.7 - h)) / (2 * h), 6);
    expect(transformFunctionSource(src)).toContain('__zy.Math.pow');
  });

  it('is not, where the parameter may hold something else', () => {
    const cases = [
      module('Math = { pow: (a) => a }; return Math.pow(x, 3);'), // (assigned)
      module('arguments[1] = { pow: (a) => a }; return Math.pow(x, 3);'), // (through the mapped arguments object)
      module('var Math; return Math.pow(x, 3);'), // (declared again)
      module('return Math.pow(x, 3);', 'myMath'), // (another value given)
      `function (x) { return (function (Math) { return Math.pow(x, 3); }).call(this, Math); }`, // (not called directly)
    ];
    for (const src of cases) expect([src, transformFunctionSource(src).includes('__zy.Math.pow')]).toEqual([src, false]);
  });

  it('a function reading its own arguments leaves the parameters of others never assigned', () => {
    const src = `function (x) { function count() { return arguments.length; } return (function (Math) { return Math.pow(x, 2) * count(1, 2); }(Math)); }`;
    expect(transformFunctionSource(src)).toContain('__zy.Math.pow');
    expect(gradient(rewritten(src), 1.5)).toEqual([6]);
  });
});
