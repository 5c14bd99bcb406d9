// The playground's compiler (playground/src/compile.ts), in Node: the page runs the same
// code with esbuild-wasm in place of esbuild.
import { describe, expect, it, vi } from 'vitest';
import { transform } from 'esbuild';
import * as zygote from 'zygote-ts';
import { checkedImport } from '../../playground/src/imports.js';
import { compile, CompileError, errorPosition, STRIP_OPTIONS, userPlaces, wrapForEval } from '../../playground/src/compile.js';

// (as the page strips: STRIP_OPTIONS)
const strip = async (code: string, sourcefile: string) => {
  const r = await transform(code, { ...STRIP_OPTIONS, sourcefile });
  return { code: r.code, map: r.map };
};

/** Compiles and runs `source`; returns what it showed (line → value) or the error's place. */
async function run(source: string) {
  const c = await compile(source, strip);
  const shown: [number, unknown][] = [];
  const fn = (0, eval)(wrapForEval(c.code)) as Function;
  try {
    await fn((m: string) => ({ 'zygote-ts': zygote })[m], (site: number, v: unknown) => (shown.push([c.sites[site]!.line, v]), v), console);
    return { shown, error: null, compiled: c };
  } catch (e) {
    return { shown, error: errorPosition((e as Error).stack ?? '', c.map), compiled: c };
  }
}

describe('the playground compiler', () => {
  it('shows a parenthesised statement on its own line (esbuild maps its `(` to the line before)', async () => {
    const { shown, compiled } = await run(['const a = 1;', 'a;', '({ a: -0, b: 2 });', '[1, 2];', '(a, 3);'].join('\n'));
    expect(shown.map(([line]) => line)).toEqual([2, 3, 4, 5]);
    expect(compiled.sites.map((s) => s.text)).toEqual(['a;', '({ a: -0, b: 2 });', '[1, 2];', '(a, 3);']);
  });
  it('shows each top-level expression with its line, and rewrites for differentiation', async () => {
    const { shown } = await run(
      ["import { gradient } from 'zygote-ts';", 'const f = (x: number): number => 3 * x ** 2 + 2 * x + 1;', '', 'f(1);', 'let k = 0;', 'k = 2;', 'gradient(f, 5);'].join('\n'),
    );
    expect(shown).toEqual([[4, 6], [7, [32]]]); // the assignment on line 6 is not shown
  });

  // (each decorated member showed a row on its class's line, `{}`: esbuild's
  // `__decorateElement(…)`, a statement of its output that the program does not have)
  it('shows the program’s own statements only, not those esbuild writes for a declaration', async () => {
    const { shown, compiled } = await run([
      'const twice = (method: any, _: unknown) => function (this: unknown, x: number) { return 2 * method.call(this, x); };',
      'const keep = (_: unknown, __: unknown) => (v: number) => v;',
      'class Sq { @twice area(s: number) { return s * s; } @keep static unit = 1; }',
      'new Sq().area(3);',
      'Sq.unit;',
    ].join('\n'));
    expect(shown).toEqual([[4, 18], [5, 1]]);
    expect(compiled.sites.map((s) => s.text)).toEqual(['new Sq().area(3);', 'Sq.unit;']);
  });

  it('imports by name, by default, as a namespace, and renamed', async () => {
    const c = await compile("import z, * as ns from 'a';\nimport { b as c, d } from 'e';\nexport const q = c(d, z, ns);\n", strip);
    expect(c.imports).toEqual(['a', 'e']);
    expect(c.code).toContain('const z = __import("a", ["default"]).default, ns = __import("a");');
    expect(c.code).toContain('const { b: c, d } = __import("e", ["b","d"]);');
    expect(c.code).not.toContain('export');
  });

  // (an import was looked up where it stood: code above it that used its names stopped with
  // "Cannot access 'gradient' before initialization", and a name the module does not export
  // stopped the program only after the code above had run)
  it('hoists imports, as modules do', async () => {
    const { shown, error } = await run("f(3);\nimport { gradient } from 'zygote-ts';\nfunction f(x: number) {\n  return gradient((t: number) => t * t, x);\n}");
    expect(error).toBeNull();
    expect(shown).toEqual([[1, [6]]]);
    const logged: unknown[] = [];
    const c = await compile("console.log('ran');\nimport { minimize, lbfgs } from 'zygote-ts';\nminimize((v: number[]) => v[0]! ** 2, [1], { method: lbfgs });", strip);
    const failed = await ((0, eval)(wrapForEval(c.code)) as Function)((m: string, names?: string[]) => checkedImport(zygote, m, names), (_: number, v: unknown) => v, { log: (v: unknown) => logged.push(v) }).catch((e: Error) => e);
    expect(logged).toEqual([]);
    expect(errorPosition((failed as Error).stack ?? '', c.map)).toEqual({ line: 2, column: 1 }); // the import's own line
  });

  // (a name the module does not export was undefined: `{ method: lbfgs }` chose the default
  // method without a word, where Node stops before the program runs)
  it('refuses a name the module does not export, as Node does', async () => {
    const modules: Record<string, unknown> = { 'zygote-ts': zygote };
    const runWith = async (source: string) => {
      const c = await compile(source, strip);
      const imported = (m: string, names?: string[]) => checkedImport(modules[m], m, names);
      return ((0, eval)(wrapForEval(c.code)) as Function)(imported, (_: number, v: unknown) => v, console).then(() => 'ran', (e: Error) => `${e.name}: ${e.message}`);
    };
    expect(await runWith("import { minimize, lbfgs } from 'zygote-ts';\nminimize((v: number[]) => v[0]! ** 2, [1], { method: lbfgs });")).toBe("SyntaxError: The requested module 'zygote-ts' does not provide an export named 'lbfgs'");
    expect(await runWith("import z from 'zygote-ts';\nz;")).toBe("SyntaxError: The requested module 'zygote-ts' does not provide an export named 'default'");
    expect(await runWith("import * as z from 'zygote-ts';\nimport { gradient as g } from 'zygote-ts';\nz.gradient === g;")).toBe('ran');
  });

  it('maps a runtime error to the user’s line and column', async () => {
    const { error } = await run(['const f = (x: number) => {', '  const o: any = null;', '  return x * o.missing;', '};', 'f(1);'].join('\n'));
    expect(error).toEqual({ line: 3, column: 16 });
  });

  // (a warning said `at eval (zygote-playground-user.js:17:96)`: a line of the evaluated code,
  // which the user's file, of 5 lines, does not have)
  it('names a place in a message by the user’s line and column', async () => {
    const source = ["import { gradient } from 'zygote-ts';", 'const a = 1;', '', 'const f = (x: number) =>', '  a * x.valueOf() * x;'].join('\n');
    const c = await compile(source + '\ngradient(f, 3);\n', strip);
    // (the library warns on the global console, which the worker hands to the page)
    const warnings: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((w: unknown) => void warnings.push(String(w)));
    try {
      await ((0, eval)(wrapForEval(c.code)) as Function)(() => zygote, (_: number, v: unknown) => v, console);
    } finally {
      warn.mockRestore();
    }
    const zygoteWarnings = warnings.filter((w) => w.includes('first by valueOf at'));
    expect(zygoteWarnings).toHaveLength(1);
    expect(zygoteWarnings[0]).toContain('zygote-playground-user.js:');
    const place = /\((playground\.ts:\d+:\d+)\)/.exec(userPlaces(zygoteWarnings[0]!, c.map))?.[1];
    expect(place).toBe(`playground.ts:5:${source.split('\n')[4]!.indexOf('valueOf()') + 1}`); // (V8 places a call at its name, in Node too)
    expect(userPlaces('no place here', c.map)).toBe('no place here');
  });

  it('reports a syntax error at its line and column, counting columns in characters', async () => {
    const err = await compile('const θ = 1;\nconst y: number = θ +;\n', strip).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect(err).toMatchObject({ line: 2, column: 22 });
  });

  it('knows the names esbuild changed (a parameter shadowing a top-level name)', async () => {
    const c = await compile('const a = 1;\nconst f = (a: number) => a * 2;\nf(a);\n', strip);
    expect(c.code).toMatch(/\(a2\) =>/);
    expect(c.renames).toEqual({ a2: 'a' });
  });
  it('lists the loops by their lines, outer first (the trace graph folds their operations)', async () => {
    const c = await compile(
      ['const xs = [1, 2, 3];', 'let s = 0;', 'for (const x of xs) {', '  for (let i = 0; i < 2; i++) s += x;', '}', 'xs.map((x) =>', '  x * 2);', 'while (s > 100) s--;'].join('\n'),
      strip,
    );
    expect(c.loops).toEqual([
      { line: 3, endLine: 5, kind: 'for…of' },
      { line: 4, endLine: 4, kind: 'for' },
      { line: 6, endLine: 7, kind: '.map(…)' },
      { line: 8, endLine: 8, kind: 'while' },
    ]);
  });
});
