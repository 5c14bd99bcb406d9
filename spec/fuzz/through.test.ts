// The fuzzers' `--through` modes (fuzz/through.ts) inside `npm test`: a few programs of each
// fuzzer passed through esbuild's minifier, esbuild to ES2015 and ES2017, and TypeScript to ES5
// before they are rewritten, against the original's plain run and finite differences.
// Long runs: `--through minify|es2015|es2017|es5` on gradient-cli.ts, structures-cli.ts, cli.ts.
// (The differential fuzzer's modes are in differential.test.ts: its realms load lib/'s runtime,
// a second copy of zygote-ts beside the specs' one.)
import { describe, expect, it } from 'vitest';
import { runGradientCampaign } from '../../fuzz/gradient.js';
import { runCompiledStructureCampaign, runStructureCampaign } from '../../fuzz/structures.js';
import { passThrough, THROUGH, throughOption, ToolchainRefused } from '../../fuzz/through.js';

const MODES = THROUGH.filter((m) => m !== 'none');

describe('programs passed through a toolchain first', () => {
  it('writes what each toolchain writes', () => {
    const source = 'function f(x, y) { class C { #w = x; static k = 2; w() { return this.#w ** C.k } } const o = { ...{ a: y }, b: x }; function* g() { yield* [o.a, o.b] } return [...g()].reduce((s, v) => s + v, new C().w()) + (o?.c ?? 0); }';
    expect(passThrough(source, 'minify')).toMatch(/^function f\(\w,\w\)\{/);
    for (const helper of ['__pow', '__publicField', '__privateGet', '__spreadValues']) expect(passThrough(source, 'es2015')).toContain(helper);
    expect(passThrough(source, 'es2017')).toContain('__privateGet');
    for (const helper of ['__generator', '__spreadArray', 'Math.pow', 'WeakMap']) expect(passThrough(source, 'es5')).toContain(helper);
    expect(() => passThrough('for await (const x of xs);', 'es2015')).toThrow(ToolchainRefused);
    expect(throughOption(['node', 'x', '--through', 'es5'])).toBe('es5');
    expect(() => throughOption(['--through', 'es3'])).toThrow(/--through needs one of/);
  });

  for (const mode of MODES) {
    it(`${mode}: gradients and structured arguments agree`, () => {
      const gradients = runGradientCampaign(44101, 0, 40, false, mode);
      expect(gradients.differences).toEqual([]);
      expect(gradients.checked).toBeGreaterThan(150);
      const structures = runStructureCampaign(44102, 0, 16, mode);
      expect(structures.differences).toEqual([]);
      expect(structures.checked).toBeGreaterThan(200);
      expect(runCompiledStructureCampaign(44102, 0, 8, mode).differences).toEqual([]);
    }, 120_000);
  }
});
