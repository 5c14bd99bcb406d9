// What the loader says when it cannot compile a file (lib/transform/load-errors.ts): where
// (file:line:column), the line and a caret, and no advice that does not apply; and, when
// esbuild is not installed, the command that installs it (it is an optional peer).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
const tmp = mkdtempSync(join(tmpdir(), 'zygote-load-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(file: string, source: string, register = registerUrl): { status: number | null; stderr: string; stdout: string } {
  const path = join(tmp, file);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, source);
  const r = spawnSync(process.execPath, ['--import', register, path], { cwd: tmp, encoding: 'utf8', env: { ...process.env, ZYGOTE_CACHE: '0' } });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/**
 * The lines of an error report that are ours (Node's own header and version footer aside; Node
 * before 24 heads an Error named SyntaxError `SyntaxError [Error]:`, Node 24 `SyntaxError:`).
 */
const reportOf = (stderr: string) =>
  stderr.split('\n').filter((l) => l.trim() !== '' && !/^(node:internal|\s+triggerUncaughtException|\s+\^$|Node\.js v)/.test(l)).map((l) => l.replace(/^SyntaxError \[Error\]:/, 'SyntaxError:'));

describe('a file that does not compile', () => {
  it('TypeScript: the place, the line and a caret, nothing more', () => {
    // (a module: Node runs a script, as tsc's output of it, as CommonJS, whose report is the next case's)
    const r = run('typo.ts', 'const a: number = 1;\nfunction f(x: number {\n  return x * 2;\n}\nconsole.log(f(a));\nexport {};\n');
    expect(r.status).toBe(1);
    expect(reportOf(r.stderr)).toEqual([
      'SyntaxError: Expected ")" but found "{"',
      `    at ${join(tmp, 'typo.ts')}:2:22`,
      '  2 | function f(x: number {',
      '    |                      ^',
    ]);
  });

  it('TypeScript loaded by require (.cts): the same', () => {
    const r = run('typo.cts', 'const a: number = 1;\nconst b = a +* 2;\n');
    expect(reportOf(r.stderr)).toEqual(['SyntaxError: Unexpected "*"', `    at ${join(tmp, 'typo.cts')}:2:14`, '  2 | const b = a +* 2;', '    |              ^']);
  });

  it('JavaScript: the same, and what to do if Node would run it', () => {
    const r = run('typo.mjs', 'const a = 1;\n\tfunction f(x {\n  return x * 2;\n}\n');
    const report = reportOf(r.stderr);
    expect(report.slice(0, 4)).toEqual(['SyntaxError: Unexpected token', `    at ${join(tmp, 'typo.mjs')}:2:15`, '  2 | \tfunction f(x {', '    | \t             ^']);
    expect(report.slice(4).join(' ')).toMatch(/If it runs without zygote-ts, it uses syntax that zygote-ts's parser does not read: put a \/\/ @zygote-ignore comment at its top/);
  });

  it('names esbuild and how to install it when TypeScript meets a loader without it', () => {
    // zygote-ts installed without its optional peer: its own dependencies (package.json's, and
    // sourcemap-codec, magic-string's), and no esbuild.
    const app = join(tmp, 'app');
    const lib = join(app, 'node_modules', 'zygote-ts');
    cpSync(join(root, 'dist'), join(lib, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(lib, 'package.json'));
    const resolveFromRoot = createRequire(join(root, 'package.json'));
    for (const dep of ['acorn', 'immer', 'magic-string', '@jridgewell/sourcemap-codec']) {
      const at = join(app, 'node_modules', dep);
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(dirname(resolveFromRoot.resolve(`${dep}/package.json`)), at);
    }
    const register = pathToFileURL(join(lib, 'dist/lib/transform/register.js')).href;
    expect(run('app/plain.mjs', 'const f = (x) => x * 2;\nconsole.log(f(21));\n', register).stdout.trim()).toBe('42');
    const r = run('app/main.ts', 'const n: number = 2;\nconsole.log(n * 2);\n', register);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('running TypeScript needs esbuild to strip the types, and it is not installed');
    expect(r.stderr).toContain('npm install --save-dev esbuild');
    expect(r.stderr).not.toContain('@zygote-ignore');
    // TypeScript compiled to CommonJS the same (its note on CommonJS read esbuild's errors, and
    // the missing esbuild became "zygote-ts could not rewrite …: failure.errors is not iterable").
    const cts = run('app/main.cts', 'const n: number = 2;\nconsole.log(n * 2);\n', register);
    expect(cts.status).toBe(1);
    expect(cts.stderr).toContain('running TypeScript needs esbuild to strip the types, and it is not installed');
    expect(cts.stderr).not.toContain('@zygote-ignore');
  });
});
