// Recognising rewritten code from its text, minified or not (lib/transform/recognize.ts):
// every function the transform changes is recognised after esbuild's minifier has renamed
// the runtime's binding, and no function of real, un-rewritten, minified packages is.
// (Vite's own minifier, Oxc, is covered end to end: spec/toolchains/.)
import { describe, expect, it } from 'vitest';
import { build, transformSync } from 'esbuild';
import { parse } from 'acorn';
import { isRewritten, mayNeedRewrite, transform } from '../../lib/transform/index.js';
import zygote from '../../lib/transform/esbuild.js';

interface Span { type: string; start: number; end: number; method?: boolean; kind?: string }

/** Every function in a program, outermost first, as an expression (a method `m(…) {…}` in `({ … })`). */
function functionSources(code: string): string[] {
  const out: string[] = [];
  const visit = (node: unknown, parent?: Span): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, parent));
    if (node === null || typeof node !== 'object' || typeof (node as Span).type !== 'string') return;
    const span = node as Span;
    const isMethod = parent?.type === 'MethodDefinition' || (parent?.type === 'Property' && (parent.method || parent.kind !== 'init'));
    if (span.type.includes('Function')) out.push(isMethod ? `({ m${code.slice(span.start, span.end)} })` : code.slice(span.start, span.end));
    for (const value of Object.values(node)) if (value !== null && typeof value === 'object') visit(value, span);
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'module' }));
  return out;
}

/** A function minified on its own, with the runtime as an import the minifier renames. */
function minified(fnSource: string): string {
  const source = fnSource.replace(/\b__zy\d+\b/g, '__zy'); // as the bundle's modules named it
  const code = transformSync(`import { __zy } from "runtime"; export default (${source});`, { minify: true, format: 'esm' }).code;
  const body = code.replace(/^import[^;]*;/, '');
  expect(body).not.toMatch(/__zy(?![\w$])/); // (the runtime's binding is renamed; a plain twin, `__zy$p_f`, is the module's)
  return body;
}

/** One package bundled as its users get it, minified; `rewrite` runs the esbuild plugin on it. */
async function bundled(pkg: string, options: { rewrite: boolean; minify: boolean }): Promise<string> {
  const result = await build({
    stdin: { contents: `export * from '${pkg}';`, resolveDir: process.cwd() },
    bundle: true,
    write: false,
    format: 'esm',
    minify: options.minify,
    logLevel: 'silent',
    external: ['zygote-ts/runtime'],
    plugins: options.rewrite ? [zygote({ include: [pkg], runtime: 'zygote-ts/runtime', cache: false })] : [],
  });
  return result.outputFiles[0]!.text;
}

const SNIPPETS = [
  'x * x + 1', 'x ? 1 : 0', 'typeof x === "number"', 'isNaN(x) ? 0 : 1', 'Math.sqrt(x)', 'Math.max(x, 2)', 'Number(x)',
  '(o.v = x, o)', 'x && 2', 'x || 2', '-x', 'x === 0', 'x < 3 ? x : 3', '!x', 'x++', '++x', 'x **= 2',
  '(() => { let s = 0; for (let k = 0; k < 3; k++) s += x; return s; })()',
  '(() => { const { sqrt } = Math; return sqrt(x); })()', 'Number.isFinite(x)', 'new Function("a", "return a")',
  'o.sort((p, q) => p - q)', 'o.#v * x', 'o instanceof Array', 'o.filter((v) => v)', 'Boolean(o)', 'Object(o)',
  '(() => { const { isFinite } = Number; return isFinite(o); })()', '[o].map(Math.abs)', '(() => { const { hypot } = Math; return hypot; })()',
];

describe('isRewritten', () => {
  it('recognises each form the transform writes, as written and minified', () => {
    const methodOf = (code: string) => functionSources(code)[0]!; // f, the outermost function
    const minify = (code: string) => transformSync(code, { minify: true, format: 'esm' }).code;
    for (const body of SNIPPETS) {
      const src = `export class C { #v = 1; f(x, o) { return ${body}; } }`;
      const out = transform(src, { runtime: { kind: 'import', specifier: 'runtime' } });
      expect(out.changed, body).toBe(true);
      expect(isRewritten(methodOf(out.code)), body).toBe(true);
      const small = methodOf(minify(out.code));
      expect(small, body).not.toContain('__zy');
      expect(isRewritten(small), `${body}: ${small}`).toBe(true);
      // The same code, not rewritten, is not taken for rewritten code.
      expect(isRewritten(methodOf(minify(src))), body).toBe(false);
    }
  });

  it('does not take a method of the same name as an operation, called with another number of arguments', () => {
    expect(isRewritten('(v, seen) => typeof v !== "object" || v === null ? v : (seen.add(v), [v])')).toBe(false);
    expect(isRewritten('(a, b) => typeof a === "number" ? a + b : a.add(b)')).toBe(false);
    expect(isRewritten('(a) => typeof a === "number" ? -a : a.neg(a, 1)')).toBe(false);
    expect(isRewritten('(t,n)=>typeof t=="number"&&typeof n=="number"?t+n:e.add(t,n)')).toBe(true);
    expect(isRewritten('(t)=>typeof t=="number"?-t:e.neg(t)')).toBe(true);
  });

  it("recognises a constructor whose only rewrite is its stores (`touchNew` names the field), as written and minified", () => {
    const src = 'export class P { constructor(pos, mass) { this.pos = pos; this["mass"] = mass; } }';
    const out = transform(src, { runtime: { kind: 'import', specifier: 'runtime' }, twoBodies: false });
    expect(out.code).toMatch(/touchNew\)\(this, pos, "pos"\)/);
    const constructorOf = (code: string) => functionSources(code)[0]!;
    expect(isRewritten(constructorOf(out.code))).toBe(true);
    expect(isRewritten(constructorOf(transformSync(out.code, { minify: true, format: 'esm' }).code))).toBe(true);
    expect(isRewritten(constructorOf(transformSync(src, { minify: true, format: 'esm' }).code))).toBe(false);
  });

  it("recognises Math's functions taken as values, the only rewrite of a function", () => {
    expect(isRewritten('function n(t){return(0,e.builtin)(Math.abs)}')).toBe(true);
    expect(isRewritten('t=>{const{hypot:n}=(0,e.builtin)(Math);return n(t,1)}')).toBe(true);
    expect(isRewritten('t=>(0,e.builtin)(Mathematics)')).toBe(false);
  });

  it('recognises a bundler-renamed binding, not a name that merely contains it', () => {
    expect(isRewritten('(x) => __zy.mul(x, x)')).toBe(true);
    expect(isRewritten('(x) => __zy2.mul(x, x)')).toBe(true);
    expect(isRewritten('(x) => x * x')).toBe(false);
    expect(isRewritten('(x) => my__zy.mul(x)')).toBe(false);
  });

  it('recognises every rewritten function of real packages after minification', async () => {
    for (const pkg of ['culori', 'chroma-js', 'simple-statistics']) {
      const rewritten = functionSources(await bundled(pkg, { rewrite: true, minify: false })).filter(isRewritten);
      expect(rewritten.length, pkg).toBeGreaterThan(100);
      const missed = rewritten.map(minified).filter((m) => !isRewritten(m));
      expect(missed, pkg).toEqual([]);
    }
  }, 120_000);

  it('takes no function of real, un-rewritten, minified packages for rewritten code', async () => {
    // Sets and numbers (`typeof v == "number"`, `set.add(v)`), TypeScript enums (`e.Number`),
    // method names shared with the runtime's (`add`, `test`, `key`, CodeMirror's `sel.eq(other, !0)`).
    for (const pkg of ['culori', 'chroma-js', 'simple-statistics', 'decimal.js', 'acorn', 'magic-string', 'codemirror', 'typescript']) {
      const functions = functionSources(await bundled(pkg, { rewrite: false, minify: true }));
      expect(functions.length, pkg).toBeGreaterThan(50);
      expect(functions.filter(isRewritten), pkg).toEqual([]);
    }
  }, 120_000);
});

describe('mayNeedRewrite', () => {
  it('is false only for code the transform would leave as it is', () => {
    const cases: [string, boolean][] = [
      ['(p) => p.norm()', false],
      ['(w) => sum(matmul(w, array([-1, 2.5e-3])))', false],
      ['(s) => s.replace(/a+b*/g, "-*-") + ``', true],
      ['(s) => s.replace(/a+b*/g, "-*-")', false],
      ['(a) => `x${a}y`', false],
      ['(a) => `x${a * 2}y`', true],
      ['(a) => a?.b ?? c', false],
      ['(x) => /* a*b */ x.y // c-d\n', false],
      ['(x) => x * x', true],
      ['(x) => x === 0', true],
      ['(x) => -x', true],
      ['(x) => x ? 1 : 0', true],
      ['(x) => Math.sin(x)', true],
      ['(x) => { if (x) return 1; }', true],
      ['(o) => o.#p', true],
    ];
    for (const [src, expected] of cases) expect(mayNeedRewrite(src), src).toBe(expected);
    // Whatever the transform changes, the test says may-need.
    for (const body of SNIPPETS.filter((b) => !b.includes('o.v ='))) expect(mayNeedRewrite(`(x, o) => ${body}`), body).toBe(true);
  });
});
