// The places the rewrite runs: the Node loader (`--import zygote-ts/register`), the CLI and
// the esbuild plugin, on fixture files in spec/fixtures/transform (built dist/ required).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { build, type Loader, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import zygoteEsbuild from '../../lib/transform/esbuild.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'spec/fixtures/transform');
const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
const cli = join(root, 'dist/lib/transform/cli.js');
const tmp = mkdtempSync(join(tmpdir(), 'zygote-loader-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A stand-in for another loader's require hook (tsx's): `lines` after Module, readFileSync and esbuild's transformSync. */
function writeRequireHook(file: string, lines: string[]): void {
  const esbuildPath = createRequire(join(root, 'package.json')).resolve('esbuild');
  const head = ["const Module = require('node:module');", "const { readFileSync } = require('node:fs');", `const { transformSync } = require(${JSON.stringify(esbuildPath)});`];
  writeFileSync(file, [...head, ...lines].join('\n'));
}

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

// TS 5 decorators (a method's, an `accessor` field's) and a `using` declaration, which tsc lowers
// for any target: f(1.5) = 2·(3·1.5·1.5) + (1.5 + 1)² = 19.75, f'(x) = 12x + 2(x + 1) = 23.
const loweredSyntax = [
  "(Symbol as any).dispose ??= Symbol('Symbol.dispose');",
  'function twice(m: (this: Scaled, t: number) => number, _: ClassMethodDecoratorContext) { return function (this: Scaled, t: number) { return 2 * m.call(this, t); }; }',
  'function squared(target: ClassAccessorDecoratorTarget<Scaled, number>, _: ClassAccessorDecoratorContext) { return { get(this: Scaled) { return target.get.call(this) ** 2; } }; }',
  'class Scaled { @squared accessor shifted = 0; constructor(public k: number) {} @twice times(t: number) { return this.k * t; } [Symbol.dispose]() {} }',
  'const f = (x: number) => { using s = new Scaled(3 * x); s.shifted = x + 1; return s.times(x) + s.shifted; };',
].join('\n');

/** Makes `dir` a project with this version of TypeScript installed (a package.json is all the loader reads), or none. */
function installTypeScript(dir: string, version: string | null): void {
  const pkg = join(dir, 'node_modules', 'typescript');
  rmSync(pkg, { recursive: true, force: true });
  if (version === null) return;
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'typescript', version }));
}

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

  it("strips TypeScript under the file's tsconfig.json, and a changed tsconfig misses the cache", () => {
    // A target before ES2022 means assign semantics for class fields (tsc's and the esbuild
    // plugin's reading): the declared `k!: number` is no field, init()'s write survives super().
    // Stripped without the tsconfig, k was reset to undefined: value 150, gradient [100].
    const dir = mkdtempSync(join(tmp, 'tsconfig-'));
    const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
    const main = [
      `import { gradient } from ${JSON.stringify(index)};`,
      'class Base { constructor(public s: number) { this.init(); } init() {} }',
      'class D extends Base { k!: number; init() { this.k = this.s * 2; } value() { return (this.k ?? 100) * this.s; } }',
      'const f = (x: number) => new D(x).value();',
      'console.log(JSON.stringify({ value: f(1.5), grad: gradient(f, 1.5) }));',
    ].join('\n');
    writeFileSync(join(dir, 'main.ts'), main);
    writeFileSync(join(dir, 'main.cts'), main.replace(/^import \{ gradient \} from (.*);$/m, 'const { gradient } = require($1);').replace(index, join(root, 'dist/lib/index.js')));
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'tsconfig.base.json'), '{ "compilerOptions": { "target": "ES2019" } }');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "./base/tsconfig.base.json" }');
    for (const file of ['main.ts', 'main.cts']) expect(JSON.parse(node(['--import', registerUrl, join(dir, file)]))).toEqual({ value: 4.5, grad: [6] });
    // ESNext: define semantics, as tsc has them; the cached entries of the first runs are not reused.
    writeFileSync(join(dir, 'base', 'tsconfig.base.json'), '{ "compilerOptions": { "target": "ESNext" } }');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 150, grad: [100] });
    // A base config from a package: upgrading it misses the cache too (the cached file kept
    // the old target's meaning, 4.5 and [6], where the new one means 150 and [100]).
    mkdirSync(join(dir, 'node_modules', 'base-config'), { recursive: true });
    const packaged = join(dir, 'node_modules', 'base-config', 'tsconfig.json');
    writeFileSync(packaged, '{ "compilerOptions": { "target": "ES2019" } }');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "extends": "base-config/tsconfig.json" }');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 4.5, grad: [6] });
    writeFileSync(packaged, '{ "compilerOptions": { "target": "ES2022" } }');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 150, grad: [100] });
    // No target set: TypeScript 5's default, ES5, assigns (esbuild, reading no target, defined
    // the field: 150 and [100]); TypeScript 6's, the latest, defines, as Node's own type
    // stripping does where no TypeScript is installed. "module": "nodenext" implies ESNext,
    // which defines; an explicit useDefineForClassFields wins over the default.
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "esnext" } }');
    installTypeScript(dir, '6.0.2');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 150, grad: [100] });
    installTypeScript(dir, null);
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 150, grad: [100] });
    installTypeScript(dir, '5.9.3');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 4.5, grad: [6] });
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "nodenext" } }');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.cts')]))).toEqual({ value: 150, grad: [100] });
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "esnext", "useDefineForClassFields": true } }');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 150, grad: [100] });
    // Before ES2022 tsc lowers defined fields into the constructor, after parameter properties:
    // b = this.a * 2 reads a (kept as a class field it ran first: NaN and [null]).
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "esnext", "target": "ES2019", "useDefineForClassFields": true } }');
    writeFileSync(join(dir, 'fields.ts'), `import { gradient } from ${JSON.stringify(index)};\nclass C { b = this.a * 2; constructor(public a: number) {} }\nconst f = (x: number) => new C(x).b * x;\nconsole.log(JSON.stringify({ value: f(1.5), grad: gradient(f, 1.5) }));\n`);
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'fields.ts')]))).toEqual({ value: 4.5, grad: [6] });
    // A commented-out "extends" is none (followed, its missing file left the config unread: 150 and [100]).
    writeFileSync(join(dir, 'tsconfig.json'), '{\n  // "extends": "./old.json",\n  "compilerOptions": { "module": "esnext" }\n}');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 4.5, grad: [6] });
  }, 90_000); // (it starts several node processes: past 30 s on a loaded machine)

  it('runs CommonJS TypeScript that tsc compiles as a module as strict code', () => {
    // tsc starts the CommonJS output of a module (a .cts file, or import/export syntax,
    // `import x = require()` too) with "use strict"; esbuild's was sloppy code, where
    // `arguments[0] = x * 2` changed x: scaleFirst(1.5) was 9 with gradient [12], not 2.25 and [3].
    const dir = mkdtempSync(join(tmp, 'strict-'));
    const scaleFirst = 'function scaleFirst(x: number) { arguments[0] = x * 2; return x * x; }';
    const plainThis = 'function plainThis(this: unknown) { return this === undefined ? "strict" : "sloppy"; }';
    writeFileSync(join(dir, 'helper.ts'), `import path = require('node:path');\n${scaleFirst}\n${plainThis}\nmodule.exports = { scaleFirst, plainThis, sep: path.sep };\n`);
    writeFileSync(join(dir, 'script.ts'), `${plainThis}\nmodule.exports = plainThis;\n`);
    // An import beside module.exports (esbuild's metafile calls it CommonJS): a module to tsc.
    writeFileSync(join(dir, 'mixed.ts'), `import type { sep } from 'node:path';\n${plainThis}\nmodule.exports = plainThis;\n`);
    writeFileSync(join(dir, 'main.cts'), [
      `const { gradient } = require(${JSON.stringify(join(root, 'dist/lib/index.js'))});`,
      scaleFirst,
      plainThis,
      "const helper = require('./helper.ts');",
      "const script = require('./script.ts');",
      "const mixed = require('./mixed.ts');",
      'const helperThis = helper.plainThis;',
      'console.log(JSON.stringify([scaleFirst(1.5), gradient(scaleFirst, 1.5), plainThis(), helper.scaleFirst(1.5), gradient(helper.scaleFirst, 1.5), helperThis(), script(), mixed()]));',
    ].join('\n'));
    // A file without import or export syntax is a script to tsc, sloppy as it was.
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.cts')]))).toEqual([2.25, [3], 'strict', 2.25, [3], 'strict', 'sloppy', 'strict']);
  });

  it("runs a CommonJS script as strict code where tsc's alwaysStrict (TypeScript 6's default) or moduleDetection says so", () => {
    // TypeScript 6 turns alwaysStrict on by default, 7 always, and moduleDetection "force" makes
    // every file a module: tsc's output starts with "use strict". The loader ran such a script
    // sloppy: `arguments[0] = x * 2` changed x, scaleFirst(1.5) was 9 with gradient 12 where
    // tsc + node give 2.25 and 3.
    const dir = mkdtempSync(join(tmp, 'strict-scripts-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'main.ts'), [
      `const { gradient } = require(${JSON.stringify(join(root, 'dist/lib/index.js'))});`,
      'function scaleFirst(x: number) { arguments[0] = x * 2; return x * x; }',
      'function who(this: unknown) { return this === undefined ? "strict" : "sloppy"; }',
      'const h = 1e-6;',
      'console.log(JSON.stringify({ value: scaleFirst(1.5), who: who(), grad: gradient(scaleFirst, 1.5)[0], fd: (scaleFirst(1.5 + h) - scaleFirst(1.5 - h)) / (2 * h) }));',
    ].join('\n'));
    const run = (tsconfig: string, typescript: string) => {
      writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
      installTypeScript(dir, typescript);
      const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as { value: number; who: string; grad: number; fd: number };
      expect(out.grad).toBeCloseTo(out.fd, 6);
      return [out.value, out.who];
    };
    const strict = [2.25, 'strict'];
    const sloppy = [9, 'sloppy'];
    expect(run('{ "compilerOptions": { "module": "commonjs" } }', '6.0.2')).toEqual(strict);
    expect(run('{ "compilerOptions": { "module": "commonjs", "strict": false } }', '6.0.2')).toEqual(strict);
    expect(run('{ "compilerOptions": { "module": "commonjs", "alwaysStrict": false } }', '6.0.2')).toEqual(sloppy);
    expect(run('{ "compilerOptions": { "module": "commonjs", "alwaysStrict": false } }', '7.0.2')).toEqual(strict);
    expect(run('{ "compilerOptions": { "module": "commonjs", "moduleDetection": "force" } }', '5.9.3')).toEqual(strict);
    expect(run('{ "compilerOptions": { "module": "commonjs" } }', '5.9.3')).toEqual(sloppy);
    expect(run('{ "compilerOptions": { "module": "commonjs", "strict": true, "alwaysStrict": false } }', '5.9.3')).toEqual(sloppy);
  });

  it('runs a script (no import or export) compiled to ES module output as CommonJS outside a "type": "module" package, as node runs tsc\'s output', () => {
    // tsc emits a script as one and Node runs a .js file without module syntax as CommonJS; the
    // loader ran it as an ES module: top-level this undefined, no require, and (TypeScript 5)
    // strict: scaleFirst(1.5) was 2.25 with gradient 3 where tsc 5 + node give 9 and 12.
    const dir = mkdtempSync(join(tmp, 'esm-script-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'main.ts'), [
      'function scaleFirst(x: number) { arguments[0] = x * 2; return x * x; }',
      'const top: any = this;',
      'const kind = typeof require;',
      `const { gradient } = kind === 'function' ? require(${JSON.stringify(join(root, 'dist/lib/index.js'))}) : { gradient: () => [NaN] };`,
      'const h = 1e-6;',
      'console.log(JSON.stringify({ value: scaleFirst(1.5), top: typeof top, require: kind, grad: gradient(scaleFirst, 1.5)[0], fd: (scaleFirst(1.5 + h) - scaleFirst(1.5 - h)) / (2 * h) }));',
    ].join('\n'));
    const run = (tsconfig: string, typescript: string) => {
      writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
      installTypeScript(dir, typescript);
      const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as { value: number; top: string; require: string; grad: number; fd: number };
      expect(out.grad).toBeCloseTo(out.fd, 6);
      return [out.value, out.top, out.require];
    };
    expect(run('{ "compilerOptions": { "module": "esnext" } }', '5.9.3')).toEqual([9, 'object', 'function']);
    expect(run('{ "compilerOptions": { "module": "esnext" } }', '6.0.2')).toEqual([2.25, 'object', 'function']);
    expect(run('{ "compilerOptions": { "target": "ES2022" } }', '5.9.3')).toEqual([9, 'object', 'function']);
  });

  it("gives a module compiled to CommonJS tsc's top-level this: its exports", () => {
    // esbuild makes a module's top-level `this` undefined, also in CommonJS output; tsc keeps
    // it, the exports object under Node: f(1.5) was 10.5 (the fallback 7) where tsc + node give 4.5.
    const dir = mkdtempSync(join(tmp, 'this-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "commonjs", "target": "ES2020" } }');
    writeFileSync(join(dir, 'main.ts'), [
      `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
      'export const k: number = 3;',
      'const moduleThis: any = this;',
      'const f = (x: number) => x * (moduleThis?.k ?? 7);',
      'const h = 1e-6;',
      'console.log(JSON.stringify({ kind: typeof moduleThis, value: f(1.5), grad: gradient(f, 1.5)[0], fd: (f(1.5 + h) - f(1.5 - h)) / (2 * h) }));',
    ].join('\n'));
    const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as { kind: string; value: number; grad: number; fd: number };
    expect([out.kind, out.value]).toEqual(['object', 4.5]);
    expect(out.grad).toBeCloseTo(out.fd, 6);
  });

  it("runs a .ts file as CommonJS where tsc compiles it so (tsconfig's module), and as an ES module elsewhere", () => {
    // `tsc` output of a CommonJS module with a default export, imported by default: under
    // "module": "commonjs" tsc's build reads its `default` (4 and [2]); run as an ES module the
    // import was the whole exports object, and x * scale was NaN.
    const dir = mkdtempSync(join(tmp, 'format-'));
    const index = join(root, 'dist/lib/index.js');
    writeFileSync(join(dir, 'scale.cjs'), '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = 2;\n');
    const main = [
      "import scale from './scale.cjs';",
      `import { gradient } from ${JSON.stringify(index)};`,
      'const f = (x: number): number => x * scale + 1;',
      'const kind = typeof require === "function" ? "commonjs" : "module";',
      'console.log(JSON.stringify({ kind, value: f(1.5), grad: gradient(f, 3) }));',
    ].join('\n');
    writeFileSync(join(dir, 'main.ts'), main);
    const run = (tsconfig: string, pkg: object) => {
      writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      return JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as unknown;
    };
    const commonjs = { kind: 'commonjs', value: 4, grad: [2] };
    // Comments, trailing commas and a "/*" inside a string, as tsconfig files have them.
    expect(run('{\n  // tsc --init\n  "compilerOptions": { "module": "CommonJS", "esModuleInterop": true, },\n  "include": ["src/**/*"],\n}', {})).toEqual(commonjs);
    expect(run('{ "compilerOptions": { "module": "nodenext" } }', { type: 'commonjs' })).toEqual(commonjs);
    // From a base config; the file's own setting overrides it.
    writeFileSync(join(dir, 'base.json'), '{ "compilerOptions": { "module": "node16" } }');
    expect(run('{ "extends": "./base.json" }', {})).toEqual(commonjs);
    const module = { kind: 'module', value: null, grad: [null] }; // (NaN prints as null)
    expect(run('{ "extends": "./base.json", "compilerOptions": { "module": "esnext" } }', {})).toEqual(module);
    // No module set: TypeScript 5's default follows the target, ES5 when none is set (also
    // from a base config), so tsc 5 compiles to CommonJS; these ran as ES modules, and
    // x * scale was NaN. TypeScript 6's default is esnext, and without TypeScript a file with
    // `import` is an ES module to Node: those stay ES modules.
    installTypeScript(dir, '5.9.3');
    expect(run('{ "compilerOptions": { "strict": true } }', {})).toEqual(commonjs);
    writeFileSync(join(dir, 'base.json'), '{ "compilerOptions": { "target": "ES5" } }');
    expect(run('{ "extends": "./base.json" }', {})).toEqual(commonjs);
    expect(run('{ "compilerOptions": { "module": "UMD" } }', {})).toEqual(commonjs);
    installTypeScript(dir, '6.0.2');
    expect(run('{ "compilerOptions": { "strict": true } }', {})).toEqual(module);
    installTypeScript(dir, null);
    expect(run('{ "compilerOptions": { "strict": true } }', {})).toEqual(module);
    installTypeScript(dir, '5.9.3');
    // A package's config by its name, as tsc finds it: its package.json "tsconfig" field, else
    // its tsconfig.json, not its "main" (read as the config, which then decided nothing).
    const cfg = join(dir, 'node_modules', 'cfg');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'index.js'), 'module.exports = {};\n');
    writeFileSync(join(cfg, 'tsconfig.json'), '{ "compilerOptions": { "module": "commonjs", "target": "ES2022" } }');
    writeFileSync(join(cfg, 'package.json'), '{ "name": "cfg", "main": "index.js" }');
    expect(run('{ "extends": "cfg" }', {})).toEqual(commonjs);
    writeFileSync(join(cfg, 'other.json'), '{ "compilerOptions": { "module": "commonjs", "target": "ES2022" } }');
    writeFileSync(join(cfg, 'tsconfig.json'), '{ "compilerOptions": { "module": "esnext", "target": "ES2022" } }');
    writeFileSync(join(cfg, 'package.json'), '{ "name": "cfg", "tsconfig": "other.json" }');
    expect(run('{ "extends": "cfg" }', {})).toEqual(commonjs);
    // In a "type": "module" package, and without a module setting, an ES module as before (and as Node runs it).
    expect(run('{ "compilerOptions": { "module": "nodenext" } }', { type: 'module' })).toEqual(module);
    expect(run('{ "compilerOptions": { "target": "ES2022" } }', {})).toEqual(module);
  }, 90_000); // (it starts several node processes: past 30 s on a loaded machine)

  it("imports CommonJS with or without esModuleInterop, as tsc's CommonJS output does", () => {
    // Without it (its TypeScript 5 default under "module": "commonjs", or set false) tsc reads
    // a default import's `.default` and a namespace import is the exports themselves; esbuild's
    // output imported with esModuleInterop's meaning: x * two was 3, not NaN, and g(1.5) 3, not
    // 10.5 (both as tsc 5.9 and 6.0 + node give them).
    const dir = mkdtempSync(join(tmp, 'interop-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'two.js'), 'module.exports = 2;\n');
    writeFileSync(join(dir, 'fn.js'), 'module.exports = function (x) { return 2 * x; };\n');
    writeFileSync(join(dir, 'main.ts'), [
      `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
      "import two from './two.js';",
      "import * as fn from './fn.js';",
      "import fnDefault from './fn.js';",
      "import fnRequired = require('./fn.js');",
      'const x = 1.5;',
      'const g = (x: number) => x * ((two as number | undefined) ?? 7);',
      'const h = 1e-6;',
      'console.log(JSON.stringify({ seen: [x * two, typeof fn, typeof fnDefault, fnRequired(x)], value: g(x), grad: gradient(g, x)[0], fd: (g(x + h) - g(x - h)) / (2 * h) }));',
    ].join('\n'));
    const run = (tsconfig: string, typescript: string) => {
      writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
      installTypeScript(dir, typescript);
      const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as { seen: unknown[]; value: number; grad: number; fd: number };
      expect(out.grad).toBeCloseTo(out.fd, 6);
      return [out.seen, out.value];
    };
    const withoutInterop = [[null, 'function', 'undefined', 3], 10.5]; // (NaN prints as null)
    const withInterop = [[3, 'object', 'function', 3], 1.5 * 2];
    expect(run('{ "compilerOptions": { "module": "commonjs" } }', '5.9.3')).toEqual(withoutInterop);
    expect(run('{ "compilerOptions": { "module": "commonjs", "esModuleInterop": false } }', '6.0.2')).toEqual(withoutInterop);
    expect(run('{ "compilerOptions": { "module": "commonjs", "esModuleInterop": true } }', '5.9.3')).toEqual(withInterop);
    expect(run('{ "compilerOptions": { "module": "commonjs" } }', '6.0.2')).toEqual(withInterop);
    expect(run('{ "compilerOptions": { "module": "nodenext" } }', '5.9.3')).toEqual(withInterop);
    // TypeScript 7 removed esModuleInterop false: tsc 7 says so and compiles with it.
    expect(run('{ "compilerOptions": { "module": "commonjs", "esModuleInterop": false } }', '7.0.2')).toEqual(withInterop);
  });

  it('compiles import() to require under "module": "commonjs", as tsc does', () => {
    // Node's own import() of tsc output (exports.default = 2) gives the whole exports object as
    // default: 1.5 * s.default was NaN, and l.default of a TypeScript file's `export default 5`
    // an object, where tsc (whose output requires them) + node give 3 and 5.
    const dir = mkdtempSync(join(tmp, 'dynamic-import-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'scale.js'), '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = 2;\n');
    writeFileSync(join(dir, 'fn.js'), 'module.exports = function (x) { return 2 * x; };\n');
    writeFileSync(join(dir, 'lib.ts'), 'export default 5;\n');
    writeFileSync(join(dir, 'main.ts'), [
      `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
      'async function main() {',
      "  const s = await import('./scale.js');",
      "  const f = await import('./fn.js');",
      "  const l = await import('./lib.js');",
      '  const g = (x: number) => x * s.default * l.default;',
      '  const h = 1e-6;',
      '  console.log(JSON.stringify({ seen: [typeof f, typeof f.default], value: g(1.5), grad: gradient(g, 1.5)[0], fd: (g(1.5 + h) - g(1.5 - h)) / (2 * h) }));',
      '}',
      'main();',
    ].join('\n'));
    const run = (tsconfig: string) => {
      writeFileSync(join(dir, 'tsconfig.json'), tsconfig);
      const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as { seen: unknown[]; value: number; grad: number; fd: number };
      expect(out.grad).toBeCloseTo(out.fd, 6);
      return [out.seen, out.value];
    };
    expect(run('{ "compilerOptions": { "module": "commonjs", "esModuleInterop": true } }')).toEqual([['object', 'function'], 15]);
    // (without esModuleInterop the namespace is the exports themselves: a function stays one)
    expect(run('{ "compilerOptions": { "module": "commonjs", "esModuleInterop": false } }')).toEqual([['function', 'undefined'], 15]);
  });

  it("compiles a file of a solution (a root tsconfig's references) under the referenced config that includes it, as tsc -b does", () => {
    // Read from the root (no options: TypeScript 5's defaults), src/main.ts ran as CommonJS with
    // assigned class fields: init()'s z = 7x survived super(), f(1.5) was 10.5 with gradient 7,
    // where tsc -b (tsconfig.app.json: ES2022, defined fields, ES modules) + node give 150 and 100.
    const dir = mkdtempSync(join(tmp, 'solution-'));
    writeFileSync(join(dir, 'package.json'), '{}');
    installTypeScript(dir, '5.9.3');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "files": [], "references": [{ "path": "./tsconfig.app.json" }, { "path": "./tools" }] }');
    writeFileSync(join(dir, 'tsconfig.app.json'), '{ "compilerOptions": { "composite": true, "module": "esnext", "target": "ES2022" }, "include": ["src"], "exclude": ["src/**/*.cjs.ts"] }');
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'tools'));
    writeFileSync(join(dir, 'tools', 'tsconfig.json'), '{ "compilerOptions": { "composite": true, "module": "commonjs", "target": "ES2020" }, "files": ["../src/main.cjs.ts"] }');
    const main = [
      `import { gradient } from ${JSON.stringify(join(root, 'dist/lib/index.js'))};`,
      'class B { constructor(x: number) { this.init(x); } init(_x: number) {} }',
      'class C extends B { z?: number; init(x: number) { this.z = 7 * x; } }',
      'const f = (x: number) => new C(x).z ?? 100 * x;',
      'const h = 1e-6;',
      'console.log(JSON.stringify({ kind: typeof require, value: f(1.5), grad: gradient(f, 1.5)[0], fd: (f(1.5 + h) - f(1.5 - h)) / (2 * h) }));',
    ].join('\n');
    writeFileSync(join(dir, 'src', 'main.ts'), main);
    // (a file the second reference lists: CommonJS with assigned fields there, as tsc -b compiles it)
    writeFileSync(join(dir, 'src', 'main.cjs.ts'), main);
    for (const [file, expected] of [['main.ts', { kind: 'undefined', value: 150 }], ['main.cjs.ts', { kind: 'function', value: 10.5 }]] as const) {
      const out = JSON.parse(node(['--import', registerUrl, join(dir, 'src', file)])) as { kind: string; value: number; grad: number; fd: number };
      expect({ kind: out.kind, value: out.value }).toEqual(expected);
      expect(out.grad).toBeCloseTo(out.fd, 6);
    }
  });

  it('refuses top-level await and import.meta in a file compiled to CommonJS, saying why it is CommonJS', () => {
    // esbuild emptied import.meta in CommonJS with only a warning: import.meta.url was undefined.
    const dir = mkdtempSync(join(tmp, 'cjs-only-'));
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "commonjs" } }');
    writeFileSync(join(dir, 'meta.ts'), 'console.log(import.meta.url);\nexport {};\n');
    writeFileSync(join(dir, 'meta.cts'), 'console.log(import.meta.url);\n');
    writeFileSync(join(dir, 'tla.ts'), 'console.log(await Promise.resolve(3));\nexport {};\n');
    for (const [file, message] of [['meta.ts', '"import.meta" is not available in CommonJS'], ['meta.cts', '"import.meta" is not available in CommonJS'], ['tla.ts', 'Top-level await']] as const) {
      const r = spawnSync(process.execPath, ['--import', registerUrl, join(dir, file)], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain(`${join(dir, file)}:1:`);
      expect(r.stderr).toContain('This file is compiled to CommonJS, as tsc compiles it');
    }
  });

  it('refuses a module tsc compiles to CommonJS in a "type": "module" package, which tsc + node cannot run', () => {
    // tsc's CommonJS output stops there ("exports is not defined in ES module scope"); the
    // loader ran the file as an ES module, printing 4.5 where the tsc build prints nothing.
    const dir = mkdtempSync(join(tmp, 'cjs-in-esm-'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
    writeFileSync(join(dir, 'main.ts'), 'export const k: number = 3;\nconsole.log(1.5 * k);\n');
    writeFileSync(join(dir, 'script.ts'), 'const k: number = 3;\nconsole.log(1.5 * k);\n');
    const run = (file: string) => spawnSync(process.execPath, ['--import', registerUrl, join(dir, file)], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    for (const module of ['commonjs', 'umd']) {
      writeFileSync(join(dir, 'tsconfig.json'), `{ "compilerOptions": { "module": "${module}" } }`);
      const r = run('main.ts');
      expect(r.status).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${join(dir, 'main.ts')} is compiled to CommonJS by tsc (the "module" of ${join(dir, 'tsconfig.json')} is "${module}")`);
      expect(r.stderr).toContain('Set "module": "nodenext"');
      // A file without import or export is a script to tsc, which Node runs as an ES module fine.
      expect(run('script.ts').stdout).toBe('4.5\n');
    }
    // A solution's root (no module; the files are compiled under the configs it references) stops nothing.
    writeFileSync(join(dir, 'tsconfig.json'), '{ "files": [], "references": [{ "path": "./tsconfig.app.json" }] }');
    installTypeScript(dir, '5.9.3');
    expect(run('main.ts').stdout).toBe('4.5\n');
  });

  it("gives an import of CommonJS TypeScript the names tsc's build gives it", () => {
    // Node reads a CommonJS file's names for an import from its text, here TypeScript, where
    // it found none: lib.k was undefined and f NaN, its gradient [null] (tsc + node: 11.25, [9]).
    // The CommonJS entry itself stays Node's own load, which sets require.main.
    const dir = mkdtempSync(join(tmp, 'cjs-names-'));
    const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "nodenext", "target": "ES2022" } }');
    writeFileSync(join(dir, 'lib.cts'), 'export const k: number = 3;\nexport function sq(x: number) { return x * x; }\nexport const isMain = require.main === module;\n');
    writeFileSync(join(dir, 'main.mts'), [
      `import { gradient } from ${JSON.stringify(index)};`,
      "import * as lib from './lib.cjs';",
      "import def from './lib.cjs';",
      "const dyn = await import('./lib.cjs');",
      'const f = (x: number) => x * lib.k + lib.sq(x) + x * dyn.k;',
      'console.log(JSON.stringify({ keys: Object.keys(lib), same: def === dyn.default && def === lib.default, value: f(1.5), grad: gradient(f, 1.5) }));',
    ].join('\n'));
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.mts')]))).toEqual({ keys: ['__esModule', 'default', 'isMain', 'k', 'sq'], same: true, value: 11.25, grad: [9] });
    // A barrel's `export * from`, which tsc compiles to __exportStar: its names are the
    // re-exported file's (without them pkg.scale was undefined: NaN and [null]; tsc + node: 7.75, [6]).
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(join(dir, 'pkg', 'math.ts'), 'export const scale: number = 3;\nexport function sq(x: number) { return x * x; }\nexport default 9;\n');
    writeFileSync(join(dir, 'pkg', 'more.ts'), "export * from './math.js';\nexport const shift: number = 1;\n");
    writeFileSync(join(dir, 'pkg', 'index.ts'), "export * from './more.js';\nexport * from './index.js';\n");
    writeFileSync(join(dir, 'barrel.mts'), [
      `import { gradient } from ${JSON.stringify(index)};`,
      "import * as pkg from './pkg/index.js';",
      'const f = (x: number) => x * pkg.scale + pkg.sq(x) + pkg.shift;',
      'console.log(JSON.stringify({ keys: Object.keys(pkg), value: f(1.5), grad: gradient(f, 1.5) }));',
    ].join('\n'));
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'barrel.mts')]))).toEqual({ keys: ['__esModule', 'default', 'scale', 'shift', 'sq'], value: 7.75, grad: [6] });
    writeFileSync(join(dir, 'main.cts'), 'console.log(JSON.stringify(require.main === module));\n');
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.cts')]))).toBe(true);
  });

  it("gives an import of CommonJS TypeScript without ES module syntax (export =, import = require) the names tsc's build gives it", () => {
    // Node read the names from the TypeScript, where `export = { k, sq }` is no CommonJS its lexer
    // knows and `import … = require(…)` stopped it: lib.k was undefined, f(1.5) NaN and its
    // gradient [null], where tsc + node give 6.75 and [8] (Node finds k and sq in tsc's output).
    const dir = mkdtempSync(join(tmp, 'cjs-export-equals-'));
    const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "nodenext", "target": "ES2022", "esModuleInterop": true } }');
    writeFileSync(join(dir, 'lib.cts'), 'const k: number = 3;\nfunction sq(x: number): number { return x * x; }\nexport = { k, sq };\n');
    writeFileSync(join(dir, 'more.cts'), "import lib = require('./lib.cjs');\nexports.shift = lib.k as number;\nmodule.exports.twice = (x: number): number => 2 * x;\n");
    writeFileSync(join(dir, 'main.mts'), [
      `import { gradient } from ${JSON.stringify(index)};`,
      "import * as lib from './lib.cjs';",
      "import * as more from './more.cjs';",
      'const f = (x: number) => x * (lib as any).k + (lib as any).sq(x) + (more as any).twice(x) - (more as any).shift;',
      'console.log(JSON.stringify({ keys: [Object.keys(lib), Object.keys(more)], value: f(1.5), grad: gradient(f, 1.5) }));',
    ].join('\n'));
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.mts')]))).toEqual({ keys: [['default', 'k', 'sq'], ['__esModule', 'default', 'shift', 'twice']], value: 6.75, grad: [8] });
  });

  it('gives an ES module that imports the CommonJS entry point its names, and the entry require.main', () => {
    // The entry was left to Node's own load, whose names are read from its text, the TypeScript:
    // none, so main.k was undefined and f(1.5) NaN where tsc + node give 5.5.
    const dir = mkdtempSync(join(tmp, 'cjs-entry-'));
    const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "nodenext", "target": "ES2022" } }');
    writeFileSync(join(dir, 'main.ts'), [
      'export const k: number = 3;',
      'const isMain = require.main === module;',
      "import('./other.mjs').then(({ f, gradient }) => { const h = 1e-6; console.log(JSON.stringify({ isMain, value: f(1.5), grad: gradient(f, 1.5)[0], fd: (f(1.5 + h) - f(1.5 - h)) / (2 * h) })); });",
    ].join('\n'));
    writeFileSync(join(dir, 'other.mts'), [
      `export { gradient } from ${JSON.stringify(index)};`,
      "import * as main from './main.js';",
      'export const f = (x: number) => x * (main as any).k + 1;',
    ].join('\n'));
    const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')])) as { isMain: boolean; value: number; grad: number; fd: number };
    expect([out.isMain, out.value]).toEqual([true, 5.5]);
    expect(out.grad).toBeCloseTo(out.fd, 6);
  });

  it('gives an import of CommonJS TypeScript the names it re-exports from JavaScript and packages', () => {
    // tsc's __exportStar copies them at run time and Node reads them from its output; the loader
    // followed only re-exported TypeScript: b.scale was undefined, f NaN (tsc + node: 15.25).
    const dir = mkdtempSync(join(tmp, 'cjs-reexports-'));
    const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "module": "nodenext", "target": "ES2022" } }');
    mkdirSync(join(dir, 'node_modules', 'pkgk'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', 'pkgk', 'package.json'), '{ "name": "pkgk", "main": "index.js" }');
    writeFileSync(join(dir, 'node_modules', 'pkgk', 'index.js'), 'exports.p = 5;\n');
    writeFileSync(join(dir, 'plain.js'), 'exports.scale = 3;\nexports.sq = function (x) { return x * x; };\n');
    writeFileSync(join(dir, 'barrel.ts'), "export * from './plain';\nexport * from 'pkgk';\nexport const shift: number = 1;\n");
    writeFileSync(join(dir, 'main.mts'), [
      `import { gradient } from ${JSON.stringify(index)};`,
      "import * as b from './barrel.js';",
      'const f = (x: number) => x * (b as any).scale + (b as any).sq(x) + b.shift + x * (b as any).p;',
      'const h = 1e-6;',
      'console.log(JSON.stringify({ keys: Object.keys(b).sort(), value: f(1.5), grad: gradient(f, 1.5)[0], fd: (f(1.5 + h) - f(1.5 - h)) / (2 * h) }));',
    ].join('\n'));
    const out = JSON.parse(node(['--import', registerUrl, join(dir, 'main.mts')])) as { keys: string[]; value: number; grad: number; fd: number };
    expect([out.keys, out.value]).toEqual([['__esModule', 'default', 'p', 'scale', 'shift', 'sq'], 15.25]);
    expect(out.grad).toBeCloseTo(out.fd, 6);
  });

  it("finds the TypeScript file a require of './x.cjs' or './x.js' means, as it does for import", () => {
    // TypeScript writes the import of lib.cts as './lib.cjs' (also compiled to require() in a
    // .cts file): Node 20's ESM hooks do not resolve require, which said "Cannot find module".
    const dir = mkdtempSync(join(tmp, 'require-'));
    writeFileSync(join(dir, 'lib.cts'), 'export const k: number = 3;\n');
    writeFileSync(join(dir, 'other.ts'), 'export const m: number = 2;\n');
    writeFileSync(join(dir, 'main.cts'), "import { k } from './lib.cjs';\nconst { m } = require('./other.js');\nconsole.log(JSON.stringify(k * m));\n");
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.cts')]))).toBe(6);
  });

  it("keeps one zygote-ts where another loader's require hook compiles its ES modules to CommonJS (tsx's does)", () => {
    // With tsx's hook beside the loader (node --import tsx --import zygote-ts/register), a CommonJS
    // file's require of zygote-ts got a CommonJS copy of the library, whose gradient met the loader's
    // runtime: "a traced number from another copy of zygote-ts", for every function. The stand-in for
    // tsx's hook converts a required .js file with ES module syntax as tsx does (esbuild, to CommonJS).
    const dir = mkdtempSync(join(tmp, 'other-hook-'));
    writeRequireHook(join(dir, 'esm-to-cjs.cjs'), [
      "const { pathToFileURL } = require('node:url');",
      "const plain = Module._extensions['.js'];",
      "Module._extensions['.js'] = function (module, filename) {",
      "  const code = readFileSync(filename, 'utf8');",
      '  if (!/^\\s*(?:import|export)\\b/m.test(code)) return plain(module, filename);',
      "  const url = JSON.stringify(pathToFileURL(filename).href);",
      "  module._compile(transformSync(code, { loader: 'js', format: 'cjs', define: { 'import.meta.url': url } }).code, filename);",
      '};',
    ]);
    const index = join(root, 'dist/lib/index.js');
    writeFileSync(
      join(dir, 'main.cts'),
      `const { gradient } = require(${JSON.stringify(index)});\nconst f = (x: number): number => x * Math.sin(x);\nconst h = 1e-6;\n` +
        'console.log(JSON.stringify({ value: f(1.2), grad: gradient(f, 1.2)[0], central: (f(1.2 + h) - f(1.2 - h)) / (2 * h) }));\n',
    );
    const out = JSON.parse(node(['--require', join(dir, 'esm-to-cjs.cjs'), '--import', registerUrl, join(dir, 'main.cts')])) as Record<string, number>;
    expect(out['value']).toBe(1.2 * Math.sin(1.2));
    expect(out['grad']).toBeCloseTo(out['central']!, 6);
  });

  it("keeps the imports of TypeScript another loader's require hook compiled to CommonJS first as that loader made them (tsx's)", () => {
    // Without esModuleInterop, the loader makes its own CommonJS imports read `.default` as tsc's
    // output does. Applied to a file tsx's hook had compiled already, that changed tsx's own helper:
    // `import two from './two'` of `module.exports = 2` was undefined (x * two NaN, silently) where
    // tsx alone gives 2, or, with tsx's minified helper, the file did not load at all.
    const dir = mkdtempSync(join(tmp, 'other-ts-hook-'));
    writeRequireHook(join(dir, 'ts-to-cjs.cjs'), [
      "Module._extensions['.ts'] = function (module, filename) {",
      "  module._compile(transformSync(readFileSync(filename, 'utf8'), { loader: 'ts', format: 'cjs' }).code, filename);",
      '};',
    ]);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'commonjs', target: 'es2022', esModuleInterop: false } }));
    writeFileSync(join(dir, 'two.js'), 'module.exports = 2;\n');
    const index = join(root, 'dist/lib/index.js');
    writeFileSync(join(dir, 'plain.ts'), "import two from './two';\nconst f = (x: number): number => x * two;\nconsole.log(JSON.stringify(f(1.5)));\n");
    writeFileSync(
      join(dir, 'main.ts'),
      `import two from './two';\nconst { gradient } = require(${JSON.stringify(index)});\nconst f = (x: number): number => x * two;\nconst h = 1e-6;\n` +
        'console.log(JSON.stringify({ value: f(1.5), grad: gradient(f, 1.5)[0], central: (f(1.5 + h) - f(1.5 - h)) / (2 * h) }));\n',
    );
    const hook = join(dir, 'ts-to-cjs.cjs');
    const plain = JSON.parse(node(['--require', hook, join(dir, 'plain.ts')])) as number;
    const out = JSON.parse(node(['--require', hook, '--import', registerUrl, join(dir, 'main.ts')])) as Record<string, number>;
    expect(out['value']).toBe(plain);
    expect(out['grad']).toBeCloseTo(out['central']!, 6);
  });

  it('runs TypeScript decorators and using declarations, lowered as tsc lowers them', () => {
    // Kept as written, the rewrite's parser stopped at `@` and Node 20 at `using`.
    const dir = mkdtempSync(join(tmp, 'lowered-'));
    const index = pathToFileURL(join(root, 'dist/lib/index.js')).href;
    writeFileSync(join(dir, 'main.ts'), `import { gradient } from ${JSON.stringify(index)};\n${loweredSyntax}\nconsole.log(JSON.stringify({ value: f(1.5), grad: gradient(f, 1.5) }));\n`);
    expect(JSON.parse(node(['--import', registerUrl, join(dir, 'main.ts')]))).toEqual({ value: 19.75, grad: [23] });
  });

  it('checks calls of functions imported by a relative path from a file marked @zygote-ignore, as a package left out of include', () => {
    // (`sq(x) + x` with an ignored `sq = (x) => typeof x === 'number' ? x * x : 0`: the gradient at 2 was 1, silently, where it is 5)
    const esm = JSON.parse(node(['--import', registerUrl, join(fixtures, 'ignored-import.ts')])) as Record<string, string>;
    expect(esm['plain']).toBe(6);
    expect(esm['sq']).toMatch(/^zygote-ts \(strict\): sq\(…\) called at/);
    expect(esm['cube']).toMatch(/^zygote-ts: cube\(…\), imported from a pack/);
    // (and through sq.call(null, x), sq.apply(null, [x]), a bound copy kept in a const or called at once: each was 1, silently)
    for (const through of ['call', 'apply', 'bound', 'boundAtOnce']) expect(esm[through]).toMatch(/^zygote-ts \(strict\): sq\(…\) called at/);
    expect(esm['plainBound']).toBe(16);
    // (and passed on by a barrel, ESM or CommonJS; by a require made by createRequire; by await import, also in a function: each was 1, silently)
    for (const through of ['barrel', 'barrelRenamed', 'required', 'requiredAtOnce', 'barrelRequired', 'loaded', 'loadedNamespace', 'loadedInside']) {
      expect([through, esm[through]]).toEqual([through, expect.stringMatching(/^zygote-ts \(strict\): sq\(…\) called at/)]);
    }
    // (the barrel's own functions are rewritten: no word, a constant's too)
    expect(esm['barrelOwn']).toEqual([5]);
    expect(esm['plainPassedOn']).toBe(27);
    expect(JSON.parse(node(['--import', registerUrl, join(fixtures, 'ignored-require.cts')]))).toMatch(/^zygote-ts \(strict\): sq\(…\) called at/);
  });

  it('differentiates end to end through the gradient API', () => {
    expect(node(['--import', registerUrl, join(fixtures, 'gradient.ts')]).trim()).toBe('[32]');
  });

  it('differentiates through the package imported as a namespace (import * as zy; zy.add(a, 1) in f)', () => {
    // (sum(a + 1)·sum(a²) at [1, 2, 3]: 9·14, and 14 + 9·2a; it threw "Cannot assign to read only property '__zy'")
    expect(JSON.parse(node(['--import', registerUrl, join(fixtures, 'namespace.mjs')]))).toEqual({ val: 9 * 14, grad: [14 + 18, 14 + 36, 14 + 54] });
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
    expect(r.stderr).toContain('throws.ts:6:');
    const usage = spawnSync(process.execPath, [cli], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('usage: zygote');
  });

  it('prints its version', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(node([cli, '--version']).trim()).toBe(version);
  });

  it('runs an ES module entry in its own process, others in a child, as node --import would', () => {
    const where = (args: string[], file: string, source: string): Record<string, unknown> => {
      writeFileSync(join(tmp, file), source);
      const r = spawnSync(process.execPath, [cli, ...args, join(tmp, file), 'x'], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return { ...(JSON.parse(r.stdout) as Record<string, unknown>), cliPid: r.pid };
    };
    const fields = '{ pid: process.pid, argv: process.argv.slice(1), loader: process.execArgv.includes("--import") }';
    // TypeScript: here (one Node start, not two), with the loader passed on to child processes.
    // (a module: a script outside a "type": "module" package runs as CommonJS, as Node runs tsc's output)
    const ts = where([], 'entry.ts', `const n: number = 1; console.log(JSON.stringify(${fields}));\nexport {};`);
    expect(ts).toEqual({ pid: ts.cliPid, argv: [join(tmp, 'entry.ts'), 'x'], loader: true, cliPid: ts.cliPid });
    // CommonJS: in a child, where Node sets require.main.
    const cjs = where([], 'entry.cjs', `console.log(JSON.stringify({ main: require.main === module, ...${fields} }));`);
    expect(cjs).toMatchObject({ main: true, argv: [join(tmp, 'entry.cjs'), 'x'], loader: true });
    expect(cjs['pid']).not.toBe(cjs.cliPid);
    // TypeScript that tsc compiles to CommonJS (tsconfig's module): in a child too.
    const project = mkdtempSync(join(tmp, 'cli-commonjs-'));
    writeFileSync(join(project, 'tsconfig.json'), '{ "compilerOptions": { "module": "commonjs" } }');
    const cts = where([], join(basename(project), 'entry.ts'), `console.log(JSON.stringify({ main: require.main === module, ...${fields} }));\nexport {};`);
    expect(cts).toMatchObject({ main: true, loader: true });
    expect(cts['pid']).not.toBe(cts.cliPid);
    // Node options: in a child that takes them.
    const withOptions = where(['--no-warnings'], 'options.mjs', `console.log(JSON.stringify({ warnings: process.execArgv.includes('--no-warnings'), ...${fields} }));`);
    expect(withOptions).toMatchObject({ warnings: true, loader: true });
    expect(withOptions['pid']).not.toBe(withOptions.cliPid);
  });

  it('gives an entry that asks import.meta.main what node --import gives it', () => {
    // (Node 22.18+ and 24.2+ set it in the module Node starts with only: imported by the CLI's
    // process, `if (import.meta.main) run()` did nothing; on older Node both read undefined)
    const file = join(tmp, 'main-only.ts');
    writeFileSync(file, 'const n: number = 1;\nif (import.meta.main) console.log("ran main", n);\nconsole.log(String(import.meta.main));\nexport {};\n');
    const viaLoader = node(['--import', registerUrl, file]);
    const known = node(['--input-type=module', '-e', 'console.log(typeof import.meta.main)']).trim() === 'boolean';
    expect(viaLoader).toBe(known ? 'ran main 1\ntrue\n' : 'undefined\n');
    expect(node([cli, file])).toBe(viaLoader);
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

  // Builds `main` (the file named first in `files`) in a folder of its own, plain and with the
  // plugin, and runs both bundles: { value, grad } (grad only where rewritten).
  const bundlePair = async (files: Record<string, string>, jsxFactory?: string, loader?: Record<string, Loader>, target?: string): Promise<unknown[]> => {
    const dir = mkdtempSync(join(tmp, 'bundle-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const main = join(dir, Object.keys(files).find((f) => f.startsWith('main.'))!);
    const results: unknown[] = [];
    for (const plugins of [[], [zygoteEsbuild({ cache: false })]] as Plugin[][]) {
      const outfile = join(dir, `out${plugins.length}.mjs`);
      await build({ entryPoints: [main], bundle: true, platform: 'node', format: 'esm', outfile, jsxFactory, loader, target, plugins, logLevel: 'silent', alias: { 'zygote-ts': join(root, 'dist/lib/index.js') } });
      results.push(JSON.parse(node(['--input-type=module', '-e', `globalThis.G = ${plugins.length}; await import(${JSON.stringify(pathToFileURL(outfile).href)});`])));
    }
    return results;
  };
  const report = 'console.log(JSON.stringify({ value: f(1.5), grad: (globalThis as any).G ? gradient(f, 1.5) : null }));';

  it("strips TypeScript under the file's tsconfig, as the plain build does", async () => {
    // Under a tsconfig whose target is before ES2022, TypeScript's class fields have assign
    // semantics: the declared `k!: number` is no field, so init()'s write survives super().
    // Stripped without the tsconfig (define semantics), k was reset to undefined: 150, not 4.5.
    const main = [
      "import { gradient } from 'zygote-ts';",
      'class Base { constructor(public s: number) { this.init(); } init() {} }',
      'class D extends Base { k!: number; init() { this.k = this.s * 2; } value() { return (this.k ?? 100) * this.s; } }',
      'const f = (x: number) => new D(x).value();',
      report,
    ].join('\n');
    const tsconfig = '{ "compilerOptions": { "target": "ES2019" } }';
    // d/dx 2x·x = 4x
    expect(await bundlePair({ 'main.ts': main, 'tsconfig.json': tsconfig })).toEqual([{ value: 4.5, grad: null }, { value: 4.5, grad: [6] }]);
  });

  it("lowers class fields where the build's target does, after the parameter properties they read", async () => {
    // Compiled for esnext before the rewrite, `b = this.a * 2` stayed a class field and ran before
    // the constructor's `this.a = a`: under target es2020 f(1.5) was NaN with gradient [null],
    // where the plain build (fields lowered into the constructor, after it) gives 4.5 and [6].
    const main = [
      "import { gradient } from 'zygote-ts';",
      'class P { b = this.a * 2; static k = 1; static twice = P.k * 2; constructor(public a: number) {} }',
      'const f = (x: number) => new P(x).b * x * P.twice / 2;',
      report,
    ].join('\n');
    for (const target of ['es2020', 'chrome70']) {
      expect(await bundlePair({ 'main.ts': main }, undefined, undefined, target)).toEqual([{ value: 4.5, grad: null }, { value: 4.5, grad: [6] }]);
    }
    // (where the target keeps class fields, the plain build runs them first too)
    expect(await bundlePair({ 'main.ts': main }, undefined, undefined, 'es2022')).toEqual([{ value: null, grad: null }, { value: null, grad: [null] }]);
  });

  it('bundles zygote-ts for a target before ES2018 (async generators lowered), which loads and differentiates', async () => {
    // Lowered, `async function* () {}` has no prototype object: the library's table of iterator
    // prototypes took undefined as a WeakMap key, and every such bundle stopped as it loaded.
    const main = ["import { gradient } from 'zygote-ts';", 'const f = (x: number) => x ** 3 / 2;', report].join('\n');
    expect(await bundlePair({ 'main.ts': main }, undefined, undefined, 'es2017')).toEqual([{ value: 1.6875, grad: null }, { value: 1.6875, grad: [3.375] }]);
  });

  it('bundles TypeScript decorators and using declarations, lowered before the rewrite', async () => {
    const main = ["import { gradient } from 'zygote-ts';", loweredSyntax, report].join('\n');
    // (the plain build lowers them for its target; the rewrite's parser read no decorators at all)
    expect(await bundlePair({ 'main.ts': main }, undefined, undefined, 'node20')).toEqual([{ value: 19.75, grad: null }, { value: 19.75, grad: [23] }]);
  });

  it('bundles JavaScript with decorators, which the build lowers and the rewrite could not parse', async () => {
    // The build stopped at the first `@` ("Unexpected character '@'"), where the plain build lowers them.
    const deco = [
      'function twice(m) { return function (...a) { return 2 * m.apply(this, a); }; }',
      'function squared(target) { return { get() { return target.get.call(this) ** 2; } }; }',
      'export class Scaled { @squared accessor shifted = 0; constructor(k) { this.k = k; } @twice times(t) { return this.k * t; } }',
    ].join('\n');
    const main = ["import { gradient } from 'zygote-ts';", "import { Scaled } from './deco.js';", 'const f = (x: number) => { const s = new Scaled(3 * x); s.shifted = x + 1; return s.times(x) + s.shifted; };', report].join('\n');
    // f = 2·3x·x + (x + 1)², f' = 12x + 2(x + 1)
    expect(await bundlePair({ 'main.ts': main, 'deco.js': deco }, undefined, undefined, 'es2022')).toEqual([{ value: 19.75, grad: null }, { value: 19.75, grad: [23] }]);
  });

  it("compiles JSX with the build's JSX options", async () => {
    const view = 'const h = (t, p, ...c) => p.w + c[0];\nexport const view = (x) => <b w={x * 2}>{x * x}</b>;\n';
    const main = ["import { gradient } from 'zygote-ts';", "import { view } from './view.jsx';", 'const f = (x: number) => view(x);', report].join('\n');
    expect(await bundlePair({ 'main.ts': main, 'view.jsx': view }, 'h')).toEqual([{ value: 5.25, grad: null }, { value: 5.25, grad: [5] }]);
    // JSX in .js files, by the build's `loader` option.
    const js = { 'main.ts': main.replace('./view.jsx', './view.js'), 'view.js': view };
    expect(await bundlePair(js, 'h', { '.js': 'jsx' })).toEqual([{ value: 5.25, grad: null }, { value: 5.25, grad: [5] }]);
  });

  it('bundles the gradient fixture with one runtime instance', async () => {
    const outfile = join(tmp, 'gradient.mjs');
    await build({ entryPoints: [join(fixtures, 'gradient.ts')], bundle: true, platform: 'node', format: 'esm', outfile, plugins: [zygoteEsbuild()], logLevel: 'silent' });
    expect(node([outfile]).trim()).toBe('[32]');
  });
});
