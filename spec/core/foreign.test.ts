// Two copies of zygote-ts in one app (lib/core/foreign.ts): a traced number of one copy
// reaching the other's runtime stops with an error naming the cause and the fix, at each
// slow path where it would otherwise pass for a plain object — never a null gradient.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { __zy, gradient } from 'zygote-ts';

type Library = typeof import('zygote-ts');

const root = fileURLToPath(new URL('../..', import.meta.url));
let folder: string;
let other: Library;

beforeAll(async () => {
  // A second installed copy, as a second version in node_modules would be (under
  // node_modules, so neither Vitest nor the plugin rewrites it).
  folder = mkdtempSync(join(tmpdir(), 'zygote-copy-'));
  const copy = join(folder, 'node_modules', 'zygote-ts');
  cpSync(join(root, 'dist'), join(copy, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(copy, 'package.json'));
  // (its dependencies installed beside it, as npm would)
  const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  for (const dep of Object.keys(dependencies)) symlinkSync(join(root, 'node_modules', dep), join(folder, 'node_modules', dep), 'dir');
  other = (await import(pathToFileURL(join(copy, 'dist', 'lib', 'index.js')).href)) as Library;
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

const ANOTHER_COPY = /a traced number from another copy of zygote-ts reached this one.*npm ls zygote-ts.*zygote-ts\/vite/s;

describe('two copies of zygote-ts', () => {
  it('are two', () => {
    expect(other.gradient).not.toBe(gradient);
    expect(other.__zy).not.toBe(__zy);
  });

  it("refuse each other's traced numbers in every slow path, loudly", () => {
    const theirs = other.__zy;
    const uses: [string, (x: number) => unknown][] = [
      ['x * x', (x) => theirs.mul(x, x)],
      ['x + 1', (x) => theirs.add(x, 1)],
      ['2 - x', (x) => theirs.sub(2, x)],
      ['x / 2', (x) => theirs.div(x, 2)],
      ['x % 2', (x) => theirs.mod(x, 2)],
      ['x ** 2', (x) => theirs.pow(x, 2)],
      ['-x', (x) => theirs.neg(x)],
      ['+x', (x) => theirs.pos(x)],
      ['x++', (x) => theirs.numeric(x)],
      ['++x', (x) => theirs.inc(x)],
      ['x < 1', (x) => theirs.lt(x, 1)],
      ['x === 0', (x) => theirs.seq(x, 0)],
      ['if (x)', (x) => theirs.truthy(x)],
      ['x && 1', (x) => theirs.test(x)],
      ['typeof x', (x) => theirs.typeOf(x)],
      ['Math.sin(x)', (x) => theirs.Math.sin(x)],
      ['Math.atan2(x, 1)', (x) => theirs.Math.atan2(x, 1)],
    ];
    for (const [code, use] of uses) expect(() => gradient((x: number) => Number(use(x)), 3), code).toThrow(ANOTHER_COPY);
    // And the other way round.
    expect(() => other.gradient((x: number) => __zy.mul(x, x), 3)).toThrow(ANOTHER_COPY);
  });

  it('work side by side on their own numbers', () => {
    expect(gradient((x: number) => x * x, 3)).toEqual([6]);
    expect(other.gradient((x: number) => other.__zy.mul(x, x), 3)).toEqual([6]);
    // Plain values, objects and revoked Proxies pass through the other copy's runtime as before.
    expect(other.__zy.add({ valueOf: () => 2 }, 1)).toBe(3);
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(other.__zy.truthy(proxy)).toBe(true);
    expect(other.__zy.typeOf(null)).toBe('object');
  });
});
