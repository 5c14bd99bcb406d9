// The places the rewrite runs: the Node loader (`--import zygote-ts/register`), the CLI and
// the esbuild plugin, on fixture files in spec/fixtures/transform (built dist/ required).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import zygoteEsbuild from '../../lib/transform/esbuild.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'spec/fixtures/transform');
const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
const cli = join(root, 'dist/lib/transform/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'zygote-loader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const expected = {
  sq: 9,
  cube: 8,
  sin: Math.sin(1),
  typeofX: 'number',
  undeclared: 'undefined',
  truthy: 'no',
  and: 'y',
  concat: 'a3',
  n: 1,
  cjs: 8,
  cjsRewritten: true,
  rewritten: true,
  half: 1.5,
  mjsRewritten: true,
};

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
}

describe('node --import zygote-ts/register', () => {
  it('runs TypeScript (ESM, extensionless and .js→.ts imports, CommonJS, .cts) rewritten', () => {
    const out = JSON.parse(node(['--import', registerUrl, join(fixtures, 'hello.ts'), 'a', 'b'])) as Record<string, unknown>;
    expect(out).toEqual({ ...expected, argv: ['a', 'b'] });
  });

  it('maps stack traces to the TypeScript lines', () => {
    const r = spawnSync(process.execPath, ['--import', registerUrl, join(fixtures, 'throws.ts')], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('Error: boom 4');
    expect(r.stderr).toContain('throws.ts:6:');
  });

  it('rewrites node_modules packages only when ZYGOTE_INCLUDE names them', () => {
    const file = join(fixtures, 'include.ts');
    expect(JSON.parse(node(['--import', registerUrl, file]))).toEqual({ rewritten: false, mean: 2.5 });
    const included = execFileSync(process.execPath, ['--import', registerUrl, file], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '', ZYGOTE_INCLUDE: 'culori, simple-statistics' },
    });
    // d/dx sampleVariance([x, 2, 3, 4]) at x = 1 is -1: differentiated through the package's own code.
    expect(JSON.parse(included)).toEqual({ rewritten: true, mean: 2.5, grad: [-1] });
  });

  it('differentiates end to end through the gradient API', () => {
    expect(node(['--import', registerUrl, join(fixtures, 'gradient.ts')]).trim()).toBe('[32]');
  });
});

describe('zygote CLI', () => {
  it('runs a file with the loader, forwarding arguments', () => {
    const out = JSON.parse(node([cli, join(fixtures, 'hello.ts'), 'z'])) as Record<string, unknown>;
    expect(out).toEqual({ ...expected, argv: ['z'] });
  });

  it('forwards the exit code', () => {
    const r = spawnSync(process.execPath, [cli, join(fixtures, 'throws.ts')], { cwd: root, encoding: 'utf8' });
    expect(r.status).toBe(1);
    const usage = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: zygote');
  });
});

describe('zygote-ts/esbuild', () => {
  it('bundles rewritten code that runs like the original', async () => {
    const outfile = join(tmp, 'hello.mjs');
    await build({
      entryPoints: [join(fixtures, 'hello.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      plugins: [zygoteEsbuild()],
      logLevel: 'silent',
    });
    const out = JSON.parse(node([outfile, 'q'])) as Record<string, unknown>;
    expect(out).toEqual({ ...expected, argv: ['q'] });
  });

  it('bundles the gradient fixture with one runtime instance', async () => {
    const outfile = join(tmp, 'gradient.mjs');
    await build({ entryPoints: [join(fixtures, 'gradient.ts')], bundle: true, platform: 'node', format: 'esm', outfile, plugins: [zygoteEsbuild()], logLevel: 'silent' });
    expect(node([outfile]).trim()).toBe('[32]');
  });
});
