// zygote-ts/jest, the Jest transformer, file by file (spec/toolchains/jest.e2e.ts runs a real
// Jest with it): what it makes of TypeScript, of JavaScript, of a package and of zygote-ts's
// own modules, as CommonJS (Jest's default) and as ES modules, and what its cache key follows.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
// (the build, as Jest loads it: the loader's compilation, which it shares, loads the transform lazily from its own folder)
import { createTransformer } from 'zygote-ts/jest';
import { RUNTIME_PATH } from '../../lib/transform/filter.js';
import { decodeMappings } from '../../lib/transform/sourcemap.js';
import { temporaryFolder } from './helpers.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { dir, write } = temporaryFolder('zygote-jest-');
const cjs = { supportsStaticESM: false };
const esm = { supportsStaticESM: true };
const requiresRuntime = `require(${JSON.stringify(RUNTIME_PATH)}).__zy`;
/** ES module syntax at the start of a line (esbuild's CommonJS output has none). */
const moduleSyntax = /^\s*(?:import|export)\b/m;

describe('zygote-ts/jest', () => {
  write('app/tsconfig.json', '{ "compilerOptions": { "target": "ES2022", "module": "nodenext" } }');
  const source = 'export const sq = (x: number): number => x * x;\n';
  const file = write('app/src/sq.ts', source);

  it('strips and rewrites TypeScript as CommonJS that requires the runtime, or as an ES module that imports it', () => {
    const jest = createTransformer();
    const asCommonJs = jest.process(source, file, cjs);
    expect(asCommonJs.code).toContain(requiresRuntime);
    expect(asCommonJs.code).toContain('x * x : (0, __zy.mul)(x, x)');
    expect(asCommonJs.code).not.toMatch(moduleSyntax);
    expect(asCommonJs.map?.sources).toEqual([file]);
    const asModule = jest.process(source, file, esm);
    expect(asModule.code).toContain(`import { __zy } from ${JSON.stringify(RUNTIME_PATH)};`);
    expect(asModule.code).toContain('export const sq = ');
  });

  it('rewrites JavaScript: an ES module in CommonJS Jest is made CommonJS first', () => {
    const jest = createTransformer();
    const js = write('app/src/cube.js', 'export function cube(x) { return x * x * x; }\n');
    const asCommonJs = jest.process('export function cube(x) { return x * x * x; }\n', js, cjs);
    expect(asCommonJs.code).toContain(requiresRuntime);
    expect(asCommonJs.code).not.toMatch(moduleSyntax);
    expect(asCommonJs.map?.sources).toEqual([js]);
    const script = jest.process('exports.cube = (x) => x * x * x;\n', js, cjs);
    expect(script.code).toContain(requiresRuntime);
    expect(jest.process('export function cube(x) { return x * x * x; }\n', js, esm).code).toContain(`import { __zy } from ${JSON.stringify(RUNTIME_PATH)};`);
  });

  it('makes an ES module it does not rewrite (@zygote-ignore, excluded) CommonJS for CommonJS Jest all the same', () => {
    // Returned as they were, Jest stopped: "Must use import to load ES Module".
    const js = write('app/src/ignored.js', '// @zygote-ignore\nexport const sq = (x) => x * x;\n');
    const ignored = createTransformer().process('// @zygote-ignore\nexport const sq = (x) => x * x;\n', js, cjs).code;
    expect(ignored).not.toMatch(moduleSyntax);
    expect(ignored).not.toContain('__zy');
    const excluded = createTransformer({ exclude: ['/src/'] }).process('export const sq = (x) => x * x;\n', js, cjs).code;
    expect(excluded).not.toMatch(moduleSyntax);
    expect(excluded).not.toContain('__zy');
    expect(createTransformer({ exclude: ['/src/'] }).process('exports.sq = (x) => x * x;\n', js, cjs).code).toBe('exports.sq = (x) => x * x;\n');
  });

  it('leaves a package alone unless the include option (else ZYGOTE_INCLUDE) names it', () => {
    const pkg = join(dir, 'app/node_modules/pkg/index.js');
    const code = 'exports.sq = (x) => x * x;\n';
    expect(createTransformer().process(code, pkg, cjs).code).toBe(code);
    expect(createTransformer({ include: ['pkg'] }).process(code, pkg, cjs).code).toContain(requiresRuntime);
    expect(createTransformer({ include: ['other'] }).process(code, pkg, cjs).code).toBe(code);
    const before = process.env['ZYGOTE_INCLUDE'];
    process.env['ZYGOTE_INCLUDE'] = 'pkg';
    try {
      expect(createTransformer().process(code, pkg, cjs).code).toContain(requiresRuntime);
    } finally {
      if (before === undefined) delete process.env['ZYGOTE_INCLUDE'];
      else process.env['ZYGOTE_INCLUDE'] = before;
    }
    expect(createTransformer({ include: ['pkg'], exclude: ['/pkg/'] }).process(code, pkg, cjs).code).toBe(code);
  });

  it('makes zygote-ts’s own modules CommonJS for CommonJS Jest, not rewritten, import.meta.url kept', () => {
    const own = join(root, 'dist/lib/escapes.js');
    const code = 'export const here = import.meta.url;\nexport const sq = (x) => x * x;\n';
    const asCommonJs = createTransformer().process(code, own, cjs).code;
    expect(asCommonJs).not.toMatch(moduleSyntax);
    expect(asCommonJs).not.toContain('__zy');
    expect(asCommonJs).toContain(JSON.stringify(pathToFileURL(own).href));
    expect(createTransformer().process(code, own, esm).code).toBe(code);
  });

  it('moves jest.mock above the requires imports became in CommonJS, as babel-jest does, every other line kept', () => {
    // Left under them, the import's require ran first and the test silently got the real module.
    const test = [
      "import { jest } from '@jest/globals';",
      "import { shifted } from './shifted';",
      '',
      "jest.mock('./scale', () => ({ scale: (x: number) => 10 * x }));",
      'export const y: number = shifted(1) * 2;',
      '',
    ].join('\n');
    const file = write('app/src/mocked.test.ts', test);
    const out = createTransformer().process(test, file, cjs);
    const lineOf = (text: string) => out.code.slice(0, out.code.indexOf(text)).split('\n').length;
    expect(out.code.indexOf('jest.mock(')).toBeGreaterThan(out.code.indexOf('require("@jest/globals")'));
    expect(out.code.indexOf('jest.mock(')).toBeLessThan(out.code.indexOf('require("./shifted")'));
    expect(out.code.split('\n').length).toBe(createTransformer().process(test.replace('jest.mock(', 'jest.mocked('), file, cjs).code.split('\n').length);
    // The map names the line each piece came from: the mock's (moved) the TypeScript's 4th, the export's its 5th.
    const lines = decodeMappings(out.map!.mappings);
    const sourceLine = (text: string) => lines[lineOf(text) - 1]!.find((segment) => segment[0] >= out.code.split('\n')[lineOf(text) - 1]!.indexOf(text))?.[2];
    expect(sourceLine('jest.mock(')).toBe(3);
    expect(sourceLine('shifted)(1)')).toBe(4);
    // An ES module's imports are linked before it runs: nothing there to move (jest.unstable_mockModule is for that).
    const asModule = createTransformer().process(test, file, esm).code;
    expect(asModule.indexOf('jest.mock')).toBeGreaterThan(asModule.indexOf('from "./shifted"'));
  });

  it('keys its cache by the module format, the include option, the code and the tsconfig', () => {
    const key = (options = {}, jest = cjs, code = source) => createTransformer(options).getCacheKey(code, file, jest);
    expect(key()).toBe(key());
    expect(key({}, esm)).not.toBe(key());
    expect(key({ include: ['pkg'] })).not.toBe(key());
    expect(key({}, cjs, `${source} `)).not.toBe(key());
    // A new process (as each Jest run is) reads the tsconfig again: an edit to it changes the key.
    const keyInNewProcess = () =>
      execFileSync(process.execPath, ['--input-type=module', '-e', `import jest from ${JSON.stringify(pathToFileURL(join(root, 'dist/lib/transform/jest.js')).href)}; process.stdout.write(jest.createTransformer().getCacheKey(${JSON.stringify(source)}, ${JSON.stringify(file)}, { supportsStaticESM: false }));`], { encoding: 'utf8' });
    const first = keyInNewProcess();
    expect(keyInNewProcess()).toBe(first);
    write('app/tsconfig.json', '{ "compilerOptions": { "target": "ES2020", "module": "nodenext" } }');
    expect(keyInNewProcess()).not.toBe(first);
  });
});
