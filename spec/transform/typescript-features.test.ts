// TypeScript features through the loader, against what `tsc`'s build computes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
const tmp = mkdtempSync(join(tmpdir(), 'zygote-ts-features-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What `main.ts` (`source`) prints, run through the loader beside a tsconfig.json of `compilerOptions`. */
function runUnder(compilerOptions: Record<string, unknown>, source: string): unknown {
  const dir = mkdtempSync(join(tmp, 'case-'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'esnext', ...compilerOptions } }));
  writeFileSync(join(dir, 'main.ts'), source);
  return JSON.parse(execFileSync(process.execPath, ['--import', registerUrl, join(dir, 'main.ts')], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }));
}

/** A main.ts printing f(1.5) and its gradient, `lines` declaring f (and what it uses). */
const printingF = (...lines: string[]): string =>
  [`import { gradient } from ${JSON.stringify(index)};`, ...lines, 'console.log(JSON.stringify({ value: f(1.5), grad: gradient(f, 1.5) }));'].join('\n');

describe('TypeScript 5 decorators beside parameter properties', () => {
  // Under native class fields (ES2022 and later, or no tsconfig) tsc runs a class's field
  // initializers before its parameter properties' assignments. Lowered together with the
  // TypeScript, a class with a decorated method had its fields moved after them: `ready`
  // calls reset() (a = 1) and the parameter property then sets a = x, so f(x) = x·x; the
  // other order kept a = 1: value 1.5 and gradient [1] where tsc's build gives 2.25 and [3].
  const program = printingF(
    'function logged(method: (this: C) => void, _: ClassMethodDecoratorContext) { return method; }',
    'class C { @logged reset() { this.a = 1; } ready = this.setup(); constructor(public a: number) {} setup() { this.reset(); return true; } }',
    'const f = (x: number) => new C(x).a * x;',
  );

  it('runs the fields first under a tsconfig whose target is ES2022', () => {
    expect(runUnder({ target: 'ES2022' }, program)).toEqual({ value: 2.25, grad: [3] });
  }, 30_000);

  it('runs them after under a target before ES2022, as tsc lowers the fields', () => {
    expect(runUnder({ target: 'ES2019' }, program)).toEqual({ value: 1.5, grad: [1] });
  }, 30_000);

  it('lowers an `accessor` field beside experimentalDecorators ones (the TypeScript pass keeps it)', () => {
    // (kept by the TypeScript pass and not lowered after it, the rewrite's parser stopped at `accessor q`)
    const source = printingF(
      'function noted(_: object, _key: string) {}',
      'class C { @noted k = 2; accessor q = 0; constructor(public a: number) {} }',
      'const f = (x: number) => { const c = new C(x); c.q = c.a * c.k; return c.q * x; };',
    );
    expect(runUnder({ target: 'ES2022', experimentalDecorators: true }, source)).toEqual({ value: 4.5, grad: [6] });
  }, 30_000);
});
