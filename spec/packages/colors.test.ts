// Colour difference through two unmodified npm packages, as in Zygote's documentation
// (colordiff from Colors.jl): culori's differenceCiede2000 and chroma-js's deltaE, opted
// in each documented way — ZYGOTE_INCLUDE for the Node loader and the CLI, `include` for
// the esbuild and Vite/Vitest plugins, `*` for every package — each gradient against
// central finite differences (1e-6, relative).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import zygoteEsbuild from '../../lib/transform/esbuild.js';
import { type Case, cli, fdError, fixtures, node, registerUrl, root } from './run.js';

interface Output {
  rewritten: { culori: boolean; chroma: boolean };
  culori: { value: number; gradient: unknown[]; check: Case };
  chroma: { value: number; gradient: number[][]; check: Case };
}

const tmp = mkdtempSync(join(tmpdir(), 'zygote-colors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function expectColors(stdout: string): void {
  const out = JSON.parse(stdout) as Output;
  expect(out.rewritten).toEqual({ culori: true, chroma: true });
  expect(out.culori.value).toBe(86.60781444907963);
  const [first, second] = out.culori.gradient as { mode: null; r: number; g: number; b: number }[];
  expect(Object.keys(first!)).toEqual(['mode', 'r', 'g', 'b']);
  expect(first!.mode).toBeNull();
  expect(second!.mode).toBeNull();
  expect(first!.r).toBeCloseTo(0.45663, 5);
  expect(first!.g).toBeCloseTo(-9.60052, 5);
  expect(first!.b).toBeCloseTo(14.18508, 5);
  expect(fdError(out.culori.check)).toBeLessThan(1e-6);
  expect(out.culori.check.grad).toEqual([first!.r, first!.g, first!.b, second!.r, second!.g, second!.b]);
  expect(out.chroma.value).toBeCloseTo(45.7234076, 6);
  expect(fdError(out.chroma.check)).toBeLessThan(1e-6);
  expect(out.chroma.check.grad).toEqual(out.chroma.gradient.flat());
}

const strict = { ZYGOTE_STRICT: '1' };

describe('colordiff through culori and chroma-js', () => {
  it('Node loader: ZYGOTE_INCLUDE=culori,chroma-js', () => {
    const r = node(['--import', registerUrl, join(fixtures, 'colors.mjs')], { ...strict, ZYGOTE_INCLUDE: 'culori,chroma-js' });
    expect(r.stderr).toBe('');
    expectColors(r.stdout);
  });

  it("Node loader: ZYGOTE_INCLUDE='*'", () => {
    const r = node(['--import', registerUrl, join(fixtures, 'colors.mjs')], { ...strict, ZYGOTE_INCLUDE: '*' });
    expectColors(r.stdout);
  });

  it('CLI: ZYGOTE_INCLUDE=culori,chroma-js npx zygote …', () => {
    const r = node([cli, join(fixtures, 'colors.mjs')], { ...strict, ZYGOTE_INCLUDE: 'culori,chroma-js' });
    expect(r.status).toBe(0);
    expectColors(r.stdout);
  });

  it('esbuild plugin: zygote({ include: [culori, chroma-js] })', async () => {
    const outfile = join(tmp, 'colors.mjs');
    await build({
      entryPoints: [join(fixtures, 'colors.mjs')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      plugins: [zygoteEsbuild({ include: ['culori', 'chroma-js'], cache: false })],
      logLevel: 'silent',
    });
    const r = node([outfile], strict);
    expect(r.stderr).toBe('');
    expectColors(r.stdout);
  });

  it('Vitest with the Vite plugin: zygote({ include: [culori, chroma-js] })', () => {
    const r = node([join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.config.ts', '--root', 'spec/fixtures/vitest-include'], { NO_COLOR: '1' });
    expect(r.stdout + r.stderr).toMatch(/Tests\s+2 passed/);
    expect(r.status).toBe(0);
  });

  it('without opting in, the run stops where the derivative is lost, in every mode', () => {
    for (const env of [strict, {}]) {
      const r = node(['--import', registerUrl, join(fixtures, 'colors.mjs')], env);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/zygote-ts: a traced number was given to Math\.\w+ at .*node_modules\/culori\//);
    }
  });

  it('examples/colordiff.ts runs as documented', () => {
    const r = node([cli, join(root, 'examples/colordiff.ts')], { ZYGOTE_INCLUDE: 'culori,chroma-js' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('differenceCiede2000()(red, green) = 86.60781444907963');
    expect(r.stdout).toContain('finite differences     : [0.45663, -9.60052, 14.18508]');
    expect(r.stdout).toContain('deltaE(orange, blue) = 45.72340759193608');
  });
});
