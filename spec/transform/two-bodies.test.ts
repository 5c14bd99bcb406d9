// Two bodies per function (lib/transform/two-bodies.ts): which functions get them, what
// the copies look like, that they run as the code did, and that maps carry both back.
import { runInThisContext } from 'node:vm';
import { describe, expect, it, vi } from 'vitest';
import { transform } from '../../lib/transform/index.js';
import { decodeMappings } from '../../lib/transform/sourcemap.js';
import { TRACING } from '../../lib/transform/two-bodies.js';
import { __zy, compileGradient, gradient, jvp } from '../../lib/index.js';

/** The script rewritten with two bodies (no map), its prologue cut off. */
function twoBodies(code: string): string {
  const out = transform(code, { runtime: { kind: 'global' }, sourceType: 'script', sourceMap: false, twoBodies: true }).code;
  return out.slice(out.indexOf('__zy.rewritten();') + '__zy.rewritten();'.length).trim();
}

/** How many times `text` occurs in `code`. */
const count = (code: string, text: string) => code.split(text).length - 1;

/** The script's completion value, rewritten with two bodies, run with the plain bodies or (`traced`) the others. */
function run(code: string, bodies: 'plain' | 'traced'): unknown {
  const out = transform(code, { runtime: { kind: 'global' }, sourceType: 'script', sourceMap: false, twoBodies: true }).code;
  return runInThisContext(bodies === 'traced' ? out.replaceAll(TRACING, '1') : out);
}

describe('which functions get two bodies', () => {
  it('a function or arrow with rewritten code of its own; the copies are the same text', () => {
    const out = twoBodies('function f(x) { const y = x * 2; return y + 1 }\nconst g = (x) => x * x;');
    expect(out).toContain(`function f(x) {if (${TRACING}) {`);
    expect(out).not.toContain('finally'); // (only a body with a loop: below)
    const [traced, plain] = out.slice(out.indexOf(`if (${TRACING}) {`) + `if (${TRACING}) {`.length, out.indexOf('}}')).split('} else {');
    expect(traced).toContain('const y');
    expect(traced).toBe(plain);
    expect(out).toContain(`const g = (x) => (${TRACING} ? ((typeof x === "number" ? x * x : (0, __zy.mul)(x, x))) : ((typeof x === "number" ? x * x : (0, __zy.mul)(x, x))));`);
  });

  it('not one with nothing rewritten, a generator, an async function, or one that calls eval', () => {
    for (const code of [
      'function f(a, i) { return a[i] }',
      'function* f(x) { yield x * 2 }',
      'async function f(x) { return x * 2 }',
      'function f(x) { return eval("x") * 2 }',
    ]) expect(twoBodies(code)).not.toContain(TRACING);
  });

  it('not one whose top-level function declaration a block would rebind (a parameter, a var, a twin)', () => {
    for (const code of [
      'function f(g) { function g() {} return g.length * 2 }',
      'function f(x) { var g = 1; function g() {} return g * x }',
      'function f(x) { function g() { return 1 } function g() { return 2 } return g() * x }',
    ]) expect(twoBodies(code)).not.toContain(TRACING);
    expect(run('(function f(g) { function g() {} return typeof g + g.length * 2 })(5)', 'plain')).toBe('function0');
    expect(run('(function f(x) { var g = 1; function g() {} return g * x })(3)', 'plain')).toBe(3);
    expect(run('(function f(x) { function g() { return 1 } function g() { return 2 } return g() * x })(3)', 'plain')).toBe(6);
  });

  // (test262's annexB/language/function-code/*-func-existing-fn-update: in sloppy code a function
  // declared in a block also assigns the function's binding when it runs, which the top-level
  // declaration made a block's own stopped: `after` was the outer g)
  it('not one whose top-level function declaration a function declared in a nested block names too', () => {
    const cases: [string, string][] = [
      ["(function f(x) { { function g() { return 'inner' } } const after = g; function g() { return 'outer' } return after() + x * 2 })(1)", 'inner2'],
      ["(function f(x) { if (x) function g() { return 'if' } else function g() { return 'else' } const a = g; function g() { return 'top' } return a() + x * 2 })(1)", 'if2'],
      ["(function f(x) { switch (x) { case 1: function g() { return 'case' } } const a = g; function g() { return 'top' } return a() + x * 2 })(1)", 'case2'],
    ];
    for (const [code, plain] of cases) {
      expect(twoBodies(code)).not.toContain(TRACING);
      expect(runInThisContext(code)).toBe(plain);
      expect(run(code, 'plain')).toBe(plain);
      expect(run(code, 'traced')).toBe(plain);
    }
  });

  it('not one holding a tagged template: its strings are one object per site, which a tag may keep and compare', () => {
    for (const code of [
      'function f(x) { tag`a${x}`; return x * 2 }',
      'const f = (x) => tag`a` + x * 2;',
      'function f(x) { const g = () => tag`in`; g(); return x * 2 }',
    ]) expect(twoBodies(code)).not.toContain(`if (${TRACING})`);
    expect(twoBodies('function f(x) { const s = `a${x}`; return x * 2 }')).toContain(`if (${TRACING})`);
    // The same site gives the same strings while differentiating and not (two copies gave two objects).
    const code = '(function () { const seen = []; const tag = (s) => (seen.push(s), 0); const f = (x) => tag`t${x}` + x * x; '
      + 'function g(x) { const inner = () => tag`in`; inner(); return x * 3 } return { f, g, seen } })()';
    const { f, g, seen } = runInThisContext(transform(code, { runtime: { kind: 'global' }, sourceType: 'script', sourceMap: false, twoBodies: true }).code) as {
      f: (x: number) => number; g: (x: number) => number; seen: TemplateStringsArray[];
    };
    f(1);
    expect(gradient(f, 3)).toEqual([6]);
    f(2);
    g(1);
    expect(gradient(g, 3)).toEqual([3]);
    expect(seen.slice(0, 3).every((s) => s === seen[0])).toBe(true);
    expect(seen[3]).toBe(seen[4]);
  });

  it('a function with large nested functions keeps one body (a module wrapper), its nested functions get theirs', () => {
    const inner = Array.from({ length: 60 }, (_, i) => `function h${i}(x) { return x * ${i} + x / 2 }`).join('\n');
    const out = twoBodies(`(function () { ${inner}\nglobalThis.k = h3(2) * 2 })()`);
    expect(count(out, TRACING)).toBe(60); // (each its test: no loop, no `finally`)
  });

  it('the copy that runs while tracing has its nested functions once, the other has them with two bodies', () => {
    const out = twoBodies('function outer(k) { const inner = (w) => w * k; return inner(k) * 2 }');
    // outer's test, and inner's test in the plain copy only
    expect(count(out, TRACING)).toBe(2);
  });

  it('reads the test again in `finally`, after either copy, so V8 drops a loop compiled on its own with the rest', () => {
    const code = 'function f(n) { let s = 0; a: for (let i = 0; i < n; i++) { if (i > 5) break a; s += i * 2 } if (n) while (n--) s *= 1; return s }';
    const out = twoBodies(code);
    expect(count(out, `finally { ${TRACING}; }`)).toBe(1);
    expect(count(out, `;${TRACING};`)).toBe(0);
    // A body without a loop of its own (a loop in a nested function is that function's) has
    // no `finally`: V8 inlines a small method into its callers up to a budget of bytecode,
    // which the wrapper spent (a vector's twinned \`add\`: 280 bytes with it, 227 without).
    const loopless = twoBodies('function g(v) { const h = (n) => { for (let i = 0; i < n; i++) v *= 2; return v }; return h(2) * v }');
    expect(loopless).toMatch(new RegExp(`^function g\\(v\\) \\{ var [^;]*;if \\(${TRACING.replaceAll(".", "\\.")}\\) \\{`));
    expect(count(loopless, 'finally')).toBe(1); // (h's own)
    expect(run(`(${code})(9)`, 'plain')).toBe(30);
    expect(run(`(${code})(9)`, 'traced')).toBe(30);
    expect(run('(function f(x) { try { return x * 2 } finally { x = 0 } })(4)', 'plain')).toBe(8);
    expect(() => run('(function f(x) { if (x > 1) throw new RangeError("r" + x * 2); return x })(4)', 'plain')).toThrow('r8');
  });

  it('keeps the directive prologue first, ending one that ASI ended', () => {
    const out = twoBodies('function f(x) {\n  "use strict"\n  return x * 2\n}');
    expect(out).toMatch(/^function f\(x\) \{\n {2}"use strict";.*if \(__zy\.tapes\.openTapes\) \{/s);
    expect(run('(function (x) { "use strict"\n return this === undefined ? x * 2 : -1 })(4)', 'plain')).toBe(8);
    expect(run('(function (x) { "use strict"\n return this === undefined ? x * 2 : -1 })(4)', 'traced')).toBe(8);
  });
});

describe('both bodies run as the code did', () => {
  const programs: [string, unknown][] = [
    ['(function (n) { let s = 0; for (let i = 0; i < n; i++) s += i * i; return s })(10)', 285],
    ['(function () { function g(x) { return x * 3 } return g(2) + h(1); function h(y) { return y - 1 } })()', 6],
    ['(() => { const mk = (k) => (w) => w * k; const f = mk(3); return f(2) + mk(4)(1) })()', 10],
    ['(function (x) { return arguments.length * x + (new.target === undefined ? 1 : 0) })(2, 3)', 5],
    ['(() => ({ a: 1 * 2 }))().a', 2],
    ['(() => (1, 2 * 3))()', 6],
    ['(class { constructor(x) { this.v = x * 2 } get w() { return this.v + 1 } static of(x) { return new this(x).w * 1 } }).of(4)', 9],
    ['(class A { m() { return 2 } static n() { return new (class extends A { m() { return super.m() * 5 } })().m() } }).n()', 10],
    ['(function f(n) { return n <= 1 ? 1 : n * f(n - 1) })(5)', 120],
    ['(function () { let t = 0; try { t = 1 * 2; throw 3 } catch (e) { return t + e * 1 } })()', 5],
    ['(function (n) { let s = 0; outer: for (let i = 0; i < n; i++) { for (let j = 0; j < n; j++) { if (j > i) continue outer; s += j * 1 } } return s })(4)', 10],
    ['(function (c) { let s = 1; if (c) for (let i = 0; i < 3; i++) s *= 2; else s = -1; return s })(true)', 8],
    ['(function () { let i = 0; do i += 1 * 2; while (i < 5) return i })()', 6],
    ['(function (k) { let s = 0; switch (k) { case 1: for (const v of [1, 2]) s += v * 10; break; default: while (s < 3) s++ } return s })(1)', 30],
    // an empty async or generator body, whose parameters' notes sit where its one-body marks do (was a SyntaxError)
    ['(function (t) { return [(async function (a) {}).length, (function* (a, b) {}).length].join() + t * 1 })(1)', '1,21'],
  ];
  it.each(programs)('%s', (code, expected) => {
    expect(run(code, 'plain')).toEqual(expected);
    expect(run(code, 'traced')).toEqual(expected);
  });
});

// (rewrite-loops.ts: an accumulator that enters a loop with no type V8 knows was boxed on
// every turn in rewritten code; the plain copy now turns it into a number V8 sees first)
describe("a plain copy's loop takes its accumulators as numbers", () => {
  const entry = (n: string) => `${n} = typeof ${n} === "number" ? ${n} - 0 : (0, __zy.asIs)(${n});`;
  it('before the loop, in the plain copy only: parameters, vars, and lets declared before it', () => {
    const out = twoBodies('function f(w, b) { let z = b; var v = w[0]; for (let i = 0; i < w.length; i++) { z += w[i]; v = v * 2; b++ } return z + v + b }');
    for (const n of ['z', 'v', 'b']) expect(count(out, entry(n))).toBe(1);
    expect(out.indexOf(entry('z'))).toBeGreaterThan(out.indexOf('} else {'));
    const nested = twoBodies('function f(rows, b) { let t = 0; for (const r of rows) { let z = b; lab: for (const x of r) z += x * 2; t += z } return t }');
    expect(count(nested, entry('z'))).toBe(1);
    expect(nested).toContain(`${entry('z')} lab: for`);
  });
  it('not where reading or writing the name could throw or be seen, nor where V8 knows the number already', () => {
    const none = [
      'function f(w) { const c = w[0]; for (let i = 0; i < 2; i++) if (i > 5) c += 1; return c }', // a const
      'function f(w) { { for (let i = 0; i < 2; i++) if (i > 5) z += 1 } let z = w[0]; return z }', // a let in its dead zone
      'function f(w, k) { switch (k) { case 0: let z = w[0]; case 1: for (let i = 0; i < 2; i++) z += 1 } return 1 }', // a case's let
      '(function z(w) { for (let i = 0; i < 2; i++) if (i > 5) z += 1; return w * 1 })', // a function expression's name
      'function f(o, w) { with (o) { for (let i = 0; i < 2; i++) s += w * 1 } return o }', // inside with
      'function f(w) { let s = 0; for (let i = 0; i < w.length; i++) s += w[i]; return s }', // a number written out
      'function f(w) { let s = w[0]; if (w) for (let i = 0; i < 2; i++) s += 1; return s }', // not in a block
      'function f(w) { let s = w[0]; return () => { for (let i = 0; i < 2; i++) s += 1; return s } }', // another function's
    ];
    for (const code of none) expect(twoBodies(code)).not.toContain('__zy.asIs');
  });
  const programs: [string, unknown][] = [
    ['(function (b) { let z = b; for (let i = 0; i < 3; i++) z += 1; return z })("a")', 'a111'],
    ['(function (b) { let z = b; for (let i = 0; i < 3; i++) z *= 2n; return z })(3n)', 24n],
    ['(function (b) { let z = b; for (let i = 0; i < 2; i++) z *= 1; return Object.is(z, -0) })(-0)', true],
    ['(function (b) { let z = b; for (let i = 0; i < 2; i++) z += 1; return z })(undefined)', NaN],
    ['(function (b) { let n = 0; const o = { valueOf() { n++; return 2 } }; let z = o; for (let i = 0; i < 2; i++) z = z * 3; return [z, n] })()', [18, 1]],
    ['(function (b) { let z = b; do z -= 0.5; while (z > 0); return z })(2)', 0],
  ];
  it.each(programs)('%s', (code, expected) => {
    expect(run(code, 'plain')).toEqual(expected);
    expect(run(code, 'traced')).toEqual(expected);
  });
});

describe('calls the runtime only passes on while no differentiation runs', () => {
  it('a plain copy calls search methods as written; the other copy and code with one body call the runtime', () => {
    const out = twoBodies('function f(m, k) { return m.get(k) * 2 + [1, 2].indexOf(k) }\nconst r = new Map().has(1);');
    const [traced, plain] = out.slice(out.indexOf(`if (${TRACING}) {`), out.indexOf('}}')).split('} else {');
    expect(traced).toContain('(0, __zy.callMethod)(m, m.get, k)');
    expect(plain).toContain('m.get(k)');
    expect(plain).not.toContain('callMethod');
    expect(out).toContain('(0, __zy.callMethod)(__zy$'); // (top-level code: one body)
    expect(out).not.toMatch(/[\uE000-\uE007]/);
  });

  it('and its receiver read once, its arguments in order, as the runtime reads them', () => {
    const code = `(function () {
      const log = [];
      const fn = function (a, b) { log.push('call', this === o, a, b); return a * 1 };
      const o = { get has() { log.push('has'); return fn }, get get() { log.push('get'); return fn } };
      const pick = () => (log.push('o'), o);
      const arg = (v) => (log.push('arg' + v), v);
      const r = pick().has(arg(1), arg(2)) + pick().get(arg(3));
      return [r, ...log].join(' ');
    })()`;
    const expected = '4 o has arg1 arg2 call true 1 2 o get arg3 call true 3 ';
    expect(run(code, 'plain')).toBe(expected);
    expect(run(code, 'traced')).toBe(expected);
    expect(runInThisContext(code)).toBe(expected);
  });

  it('with one body (no two bodies asked for), the runtime is called everywhere', () => {
    const out = transform('function f(m, k) { return m.get(k) * 2 }', { runtime: { kind: 'global' }, sourceType: 'script', sourceMap: false, twoBodies: false }).code;
    expect(count(out, '(0, __zy.callMethod)(m, m.get, k)')).toBe(1);
    expect(out).not.toMatch(/[\uE000-\uE007]/);
  });

  it('a gradient through a Map keyed by traced numbers, then the same code on plain numbers', () => {
    const code = `(function () {
      function lookup(x) { const m = new Map([[x, 3]]); return m.get(x) * x + (m.has(2) ? 1 : 0) }
      return [lookup(2), globalThis.__grad(lookup, 2)[0], lookup(2)].join(' ');
    })()`;
    (globalThis as Record<string, unknown>).__grad = gradient;
    expect(run(code, 'plain')).toBe('7 3 7');
  });
});

describe('plain twins of a module\'s top-level functions', () => {
  /** The module rewritten with two bodies (no map), its prologue cut off. */
  const rewritten = (code: string) => {
    const out = transform(code, { runtime: { kind: 'global' }, sourceType: 'module', sourceMap: false, twoBodies: true }).code;
    return out.slice(out.indexOf('__zy.rewritten();') + '__zy.rewritten();'.length).trim();
  };
  /** Runs a rewritten module's text (its exports as locals) and returns `names`' values. */
  const load = (code: string, names: string[]) =>
    new Function('__zy', `'use strict';\n${rewritten(code).replace(/\bexport /g, '')}\nreturn { ${names.join(', ')} };`)(__zy) as Record<string, (...a: unknown[]) => unknown>;
  const geometry = [
    'export function dist(p) { return Math.sqrt(p.x * p.x + p.y * p.y) }',
    'export function total(ps) { let s = 0; for (const p of ps) s += dist(p); return s }',
    'export const origin = dist({ x: 3, y: 4 }) * 0;',
  ].join('\n');

  it('a twinned function calls its copies, which call each other\'s copies; the top level calls the function', () => {
    const out = rewritten(geometry);
    const dispatch = (name: string, args: string) =>
      `return new.target === undefined ? (${TRACING} ? __zy$t_${name}(${args}) : __zy$p_${name}(${args})) : Reflect.construct(${TRACING} ? __zy$t_${name} : __zy$p_${name}, arguments, new.target);}`;
    expect(out).toMatch(/export function dist\(p\) \{ var [\w$, ]+;return new\.target/); // (its temporaries, unused)
    expect(out).toContain(dispatch('dist', 'p'));
    expect(out).toContain('/* @__PURE__ */ Object.defineProperty(__zy$t_dist, "name", { value: "dist" });');
    expect(out).toContain('/* @__PURE__ */ Object.defineProperty(__zy$p_dist, "name", { value: "dist" });');
    const copy = (id: string) => out.slice(out.indexOf(`function ${id}(`), out.indexOf(`Object.defineProperty(${id},`));
    expect(copy('__zy$t_total')).toContain('__zy$t_dist(p)');
    expect(copy('__zy$p_total')).toContain('__zy$p_dist(p)');
    expect(copy('__zy$p_total')).not.toContain(TRACING); // (nothing of the test left in a copy)
    expect(out.slice(out.indexOf('export const origin'))).toMatch(/^export const origin = [^;]*\bdist\(\{/);
    // a body that reads `this` or `arguments` gets them passed on as they are
    const own = rewritten('export function f(x) { return arguments.length * x * 2 }');
    expect(own).toContain(`Reflect.apply(${TRACING} ? __zy$t_f : __zy$p_f, this, arguments)`);
    const { f } = load('export function f(x) { return arguments.length * x * 2 }', ['f']);
    expect(f!(1, 2, 3)).toBe(6);
  });

  // (a generator made by a plain copy took that copy's text: consumed in f, its Map lookup by a
  // traced key ran as written, and its call of a twinned function called the plain twin, whose
  // lookup did too: NaN, silently)
  it('a function with one body inside a copy has the text of code outside the copies', () => {
    const source = [
      'export function helper(m, x) { return m.get(x) * x }',
      'export function make(m, s) { const k = s * 1; return function* (x) { yield m.get(x) * x * k + helper(m, x) } }',
    ].join('\n');
    const out = rewritten(source);
    const plainMake = out.slice(out.indexOf('function __zy$p_make('), out.indexOf('Object.defineProperty(__zy$p_make,'));
    expect(plainMake).toContain('function* (x)');
    expect(plainMake).toContain('(0, __zy.callMethod)(m, m.get, x)');
    expect(plainMake).toContain(' helper(m, x)');
    expect(plainMake).not.toContain('__zy$p_helper');
    const { make } = load(source, ['make']);
    const gen = make!(new Map([[2, 5]]), 1) as (x: number) => Generator<number>;
    expect(gen(2).next().value).toBe(20);
    // so do a nested function's parameters and a class field's value, which run when called
    const { withDefault, withField } = load(
      [
        'export function withDefault(m, s) { const k = s * 1; return function (x, y = m.get(x)) { return y * x * k } }',
        'export function withField(m, s, key) { const k = s * 1; return class { w = m.get(key.x) * k } }',
      ].join('\n'),
      ['withDefault', 'withField'],
    );
    const byDefault = withDefault!(new Map([[2, 5]]), 1) as (x: number) => number;
    const key = { x: 0 };
    const Field = withField!(new Map([[2, 5]]), 1, key) as new () => { w: number };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // (a Map made outside f: reported as a possible cache)
    try {
      expect(gradient((x: number) => gen(x).next().value as number, 2)).toEqual([10]);
      expect(gradient(byDefault, 2)).toEqual([5]);
      expect(gradient((x: number) => ((key.x = x), new Field().w * x), 2)).toEqual([5]);
    } finally {
      warn.mockRestore();
    }
  });

  it('runs as the function does: values, gradients, the name in stack traces', () => {
    const { dist, total } = load(geometry, ['dist', 'total']);
    const ps = [{ x: 3, y: 4 }, { x: 6, y: 8 }];
    expect(total!(ps)).toBe(15);
    const [g] = gradient(total as (ps: { x: number; y: number }[]) => number, ps);
    for (const e of g as { x: number; y: number }[]) expect([e.x, e.y].map((v) => Math.round(v * 1e12) / 1e12)).toEqual([0.6, 0.8]);
    expect(total!(ps)).toBe(15);
    expect(dist!.name).toBe('dist');
    // called with `new`, the function is constructed as written (`this`, `new.target`, what it returns)
    const { Made, made } = load(
      'export function Made(x) { this.v = x * 2; this.kind = new.target === Made ? "made" : "other" }\nexport function made(x) { return new Made(x).v * 3 }',
      ['Made', 'made'],
    );
    const m = new (Made as unknown as new (x: number) => { v: number; kind: string })(2);
    expect([m.v, m.kind, m instanceof (Made as unknown as new () => unknown)]).toEqual([4, 'made', true]);
    expect(made!(2)).toBe(12);
    class Sub extends (Made as unknown as new (x: number) => { v: number; kind: string }) {}
    expect(new Sub(5).kind).toBe('other');
    expect(new Sub(5) instanceof Sub).toBe(true);
    const { call } = load('export function boom(x) { if (x > 1) throw new Error("big"); return x * 2 }\nexport function call(x) { return boom(x) + 1 }', ['call']);
    expect(call!(0.5)).toBe(2);
    let stack = '';
    try {
      call!(5);
    } catch (e) {
      stack = String((e as Error).stack);
    }
    expect(stack.split('\n')[1]).toMatch(/^\s*at boom /);
  });

  it('not for a script, a function assigned, one with patterns for parameters, async or generator; not a call of a local of that name', () => {
    const none = (code: string, sourceType: 'module' | 'script' = 'module') =>
      expect(transform(code, { runtime: { kind: 'global' }, sourceType, sourceMap: false, twoBodies: true }).code).not.toContain('__zy$p_f');
    none('function f(x) { return x * 2 }\nfunction g(x) { return f(x) * 3 }', 'script');
    none('let h = 0;\nfunction f(x) { return x * 2 }\nfunction g(x) { return f(x) * 3 }\nf = (x) => x;');
    none('function f({ x }) { return x * 2 }\nfunction g(x) { return f({ x }) * 3 }');
    none('function f(x = 1) { return x * 2 }\nfunction g(x) { return f(x) * 3 }');
    none('async function f(x) { return x * 2 }\nfunction g(x) { return f(x) * 3 }');
    const shadowed = rewritten('function f(x) { return x * 2 }\nfunction g(x, f) { return f(x) * 3 }');
    expect(shadowed.slice(shadowed.indexOf('function g'))).not.toMatch(/__zy\$p_f\(x\)/);
    const member = rewritten('function f(x) { return x * 2 }\nfunction g(o, x) { return o.f(x) * 3 + f(x) }');
    expect(member).toContain('o.f(x)');
    expect(member).toContain('__zy$p_f(x)');
  });

  // (the esbuild and Vite plugins parse a CommonJS file as a module where it parses as one:
  // its functions got twins, and a sloppy function's `arguments.callee` was the twin, so a
  // cache it kept there was not on the function: `typeof memo.cache` 'undefined', not 'object')
  it('not in a CommonJS file that runs sloppy, though it parses as a module; in one that says "use strict"', () => {
    const source = [
      'function memo(n) { var c = arguments.callee.cache || (arguments.callee.cache = {}); return c[n] || (c[n] = n < 2 ? n : memo(n - 1) + memo(n - 2)) }',
      'function caller() { return named() }',
      'function named() { return named.caller === caller ? 2 * 1 : 0 }',
      'exports.memo = memo; exports.caller = caller;',
    ].join('\n');
    const asPlugins = (code: string) => transform(code, { runtime: { kind: 'global' }, sourceMap: false, twoBodies: true }).code;
    expect(asPlugins(source)).not.toContain('__zy$p_memo');
    expect(asPlugins(`'use strict';\n${source.replace('arguments.callee', 'memo').replace('arguments.callee', 'memo')}`)).toContain('__zy$p_memo');
    const exports = {} as { memo: ((n: number) => number) & { cache?: unknown }; caller: () => number };
    new Function('__zy', 'exports', asPlugins(source))(__zy, exports);
    expect([exports.memo(10), typeof exports.memo.cache, exports.caller()]).toEqual([55, 'object', 2]);
  });
});

describe('the test that picks a body', () => {
  it('counts every differentiation while it runs: reverse, forward, and compileGradient recording', () => {
    const seen: number[] = [];
    const f = (x: number) => {
      seen.push(__zy.tapes.openTapes);
      return x * x;
    };
    expect(__zy.tapes.openTapes).toBe(0);
    gradient(f, 3);
    jvp(f, [3], [1]);
    compileGradient(f)(3);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((n) => n >= 1)).toBe(true);
    expect(__zy.tapes.openTapes).toBe(0);
    expect(() => gradient((_x: number) => { throw new Error('f threw'); }, 1)).toThrow('f threw');
    expect(__zy.tapes.openTapes).toBe(0);
  });

  it('a function loaded with two bodies has the same gradient and value as before and after', () => {
    const out = transform('globalThis.__twoBodies = function (x) { let s = 0; for (let i = 1; i <= 3; i++) s += Math.sin(x * i) / i; return s };', {
      runtime: { kind: 'global' },
      sourceType: 'script',
    });
    expect(count(out.code, `if (${TRACING})`)).toBe(1);
    runInThisContext(out.code);
    const f = (globalThis as unknown as { __twoBodies: (x: number) => number }).__twoBodies;
    const plain = (x: number) => Math.sin(x) + Math.sin(2 * x) / 2 + Math.sin(3 * x) / 3;
    expect(f(0.7)).toBe(plain(0.7));
    const [g] = gradient(f, 0.7);
    expect(g).toBeCloseTo(Math.cos(0.7) + Math.cos(1.4) + Math.cos(2.1), 12);
    expect(f(0.7)).toBe(plain(0.7));
  });
});

describe('source maps', () => {
  /** [line, column] where the `nth` line of `code` holding `text` maps there (the segment's origin, as a stack trace reads the map). */
  const origin = (out: { code: string; map: { mappings: string } | null }, text: string, nth = 0) => {
    const lines = out.code.split('\n');
    const i = lines.flatMap((l, k) => (l.includes(text) ? [k] : []))[nth]!;
    const col = lines[i]!.indexOf(text);
    const seg = decodeMappings(out.map!.mappings)[i]!.filter((s) => s[0] <= col && s.length >= 4).pop()!;
    return [seg[2], seg[3]];
  };

  it('map both copies to the original lines', () => {
    const code = 'export function f(x) {\n  const y = x * 2;\n  return y + 1;\n}\nexport const after = (k) => k * 2;\n';
    const out = transform(code, { runtime: { kind: 'import', specifier: 'rt' } });
    const originLine = (text: string, nth: number) => origin(out, text, nth)[0];
    expect(originLine('return (', 0)).toBe(2);
    expect(originLine('return (', 1)).toBe(2);
    expect(originLine('const y', 0)).toBe(1);
    expect(originLine('const y', 1)).toBe(1);
    expect(out.code.split('\n').filter((l) => l.includes('const y'))).toHaveLength(2); // (f's plain copy is its twin: see below)
    expect(originLine('export const after', 0)).toBe(4);
  });

  it('map a call of a twin to the call, and the call of the twin to the function', () => {
    const code = 'export function boom(x) {\n  return x * 2;\n}\nexport function call(x) {\n  return 1 + boom(x);\n}\n';
    const out = transform(code, { runtime: { kind: 'import', specifier: 'rt' } });
    expect(origin(out, '__zy$p_boom(x), typeof')).toEqual([4, 13]); // (`boom(x)` in call's twin)
    expect(origin(out, '(__zy.tapes.openTapes ? __zy$t_call(x)')).toEqual([3, 16]); // (call's call of its copies: its name)
  });

  it('are not needed without one: no map, one body, every line where it was', () => {
    const code = 'function f(x) {\n  const y = x * 2;\n  return y + 1;\n}\n';
    const out = transform(code, { runtime: { kind: 'global' }, sourceMap: false });
    expect(out.code).not.toContain(TRACING);
    expect(out.code.split('\n')).toHaveLength(code.split('\n').length);
  });
});
