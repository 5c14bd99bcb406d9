// What a package may do that cannot carry a derivative: in strict mode each ends in an
// error, never in a silently wrong gradient; the error names the package's file and line
// (spec/fixtures/packages/node_modules/zy-escapes, and culori left out of ZYGOTE_INCLUDE).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fixtures, node, registerUrl, runJson } from './run.js';

type Output = Record<string, { grad?: (number | null)[]; error?: string }>;

// What loses a derivative for certain, and how the error names it and its package line.
const LOST = {
  'typed-array write': [/stored into a typed array/, /node_modules\/zy-escapes\/index\.js:11:\d+/],
  'WebAssembly call': [/given to the WebAssembly function exports\.square \(argument 0\) at .*, which keeps only its number/, /node_modules\/zy-escapes\/index\.js:25:\d+/],
  'package not in ZYGOTE_INCLUDE': [/given to Math\.\w+ at .*, which keeps only its number/, /node_modules\/culori\/src\/[\w/]+\.js:\d+:\d+/],
  'parseFloat in a package left out': [/given to parseFloat at .*, which reads its text back as a plain number/, /node_modules\/zy-guarded\/index\.js:\d+:\d+/],
  'valueOf in a package left out': [/code that was not rewritten for differentiation used a traced number \(x\.valueOf\(\)\) at /, /node_modules\/zy-guarded\/index\.js:\d+:\d+/],
} as const;

// Where the value is converted inside a built-in (Float32Array.from, Math.abs of code that
// was not rewritten), the message names the package's line that called it.
describe('what cannot be followed is refused at its place, in every mode', () => {
  const modes = {
    strict: runJson<Output>('escapes.mjs', { ZYGOTE_INCLUDE: 'zy-escapes', ZYGOTE_STRICT: '1' }),
    default: runJson<Output>('escapes.mjs', { ZYGOTE_INCLUDE: 'zy-escapes' }),
  };
  for (const [mode, out] of Object.entries(modes)) {
    for (const [name, [what, line]] of Object.entries(LOST)) {
      it(`${mode}: ${name} throws, naming the package's file and line`, () => {
        expect(out[name]?.grad).toBeUndefined();
        expect(out[name]?.error).toMatch(/^zygote-ts: /);
        expect(out[name]?.error).toMatch(what);
        expect(out[name]?.error).toMatch(line);
        expect(out[name]?.error).not.toMatch(/\/(?:dist|lib|rules|proxies)\/[\w/.-]+:\d+/);
      });
    }
    // (it said to call Math.abs by that name, which the package does: the package must be included)
    it(`${mode}: Math called by a package left out says to include the package`, () => {
      expect(out['package not in ZYGOTE_INCLUDE']?.error).toMatch(/ZYGOTE_INCLUDE/);
      expect(out['package not in ZYGOTE_INCLUDE']?.error).not.toMatch(/by that name/);
    });
    it(`${mode}: a package that tests typeof x === "number" and returns NaN stops, naming the function and the fix`, () => {
      const cases = [
        ['ss.mean, not in ZYGOTE_INCLUDE', 'mean'],
        ['sum, not in ZYGOTE_INCLUDE', 'sum'],
        ['ss.mean of a Float64Array made in f', 'mean'],
        ['ss.mean of a Float64Array argument', 'mean'],
        ['total of records, not in ZYGOTE_INCLUDE', 'total'],
        ['mean destructured from the namespace', 'mean'],
        ['ss.mean kept in a local const', 'mean'],
        ['sum kept in a let, mean destructured in f', 'sum'],
        ['ss.mean passed to map', 'mean'],
        ['sum passed to map', 'sum'],
      ];
      for (const [name, fn] of cases) {
        expect(out[name!]?.grad).toBeUndefined();
        expect(out[name!]?.error).toMatch(new RegExp(`^zygote-ts: ${fn}\\(…\\), imported from a package that was not rewritten .* returned NaN.*ZYGOTE_INCLUDE`, 's'));
      }
      expect(out['ss.mean of plain numbers']).toEqual({ grad: [1.5] });
      expect(out['ss.mean passed on, plain numbers']).toEqual({ grad: [4] });
    });
    it(`${mode}: a WebAssembly function a left-out package exports, called with a traced number, stops`, () => {
      expect(out['WebAssembly export of a package left out']?.error).toMatch(/^zygote-ts: a traced number was given to the WebAssembly function 0 imported from a package, which keeps only its number/);
    });
    it(`${mode}: a JSON round trip and Float32Array.from in a rewritten package keep the derivative`, () => {
      expect(out['JSON round trip']).toEqual({ grad: [2] });
      expect(out['Float32Array.from']).toEqual({ grad: [1] });
    });
  }

  // (only `import` declarations were seen: each gave NaN, with a null gradient, silently)
  it('CommonJS: a function reached by require that returns NaN for traced numbers stops too', () => {
    const out = runJson<Output>('escapes-required.cjs', { ZYGOTE_INCLUDE: 'zy-escapes' });
    const cases = [
      ['ss.mean by require', 'mean'],
      ['total, destructured from require', 'total'],
      ['sum as compiled code calls it', 'sum'],
      ['mean of a default import as compiled code calls it', 'mean'],
      ['mean of a default import given to map', 'mean'],
    ];
    for (const [name, fn] of cases) {
      expect(out[name!]?.error).toMatch(new RegExp(`^zygote-ts: ${fn}\\(…\\), imported from a package that was not rewritten .* returned NaN`, 's'));
    }
    expect(out['ss.mean of plain numbers']).toEqual({ grad: [1.5] });
  });

  it('a package that was not rewritten stops the run without the loader’s help too', () => {
    const r = node(['--import', registerUrl, join(fixtures, 'escapes.mjs')], {});
    const out = JSON.parse(r.stdout) as Output;
    expect(out['typed-array write']?.error).toMatch(/code that was not rewritten for differentiation used a traced number at .*zy-escapes\/index\.js:11:\d+/);
    expect(out['Float32Array.from']?.error).toMatch(/given to (?:Function|Float32Array)\.from at .*zy-escapes\/index\.js:16:\d+\), which keeps only its number/);
  });

  // A package left out that looks at a traced number without converting it (typeof, ===)
  // answers as for an object: isFiniteNumber(x) false and indexOf(xs, x) -1 gave a wrong value
  // and gradient ([null] and [-1] for [2] and [1]) without a word.
  type Looks = Record<string, { plain: number; val?: number; grad?: (number | null)[]; fd?: number; error?: string }>;
  const looks = (env: Record<string, string>) => node(['--import', registerUrl, join(fixtures, 'looks.mjs')], env);
  it('a package left out that is given a traced number and converts none: a warning naming it (strict: an error); included, the answer of plain JS', () => {
    const names = { 'typeof test': 'isFiniteNumber', 'typeof test named isFinite': 'isFinite', 'search with ===': 'indexOf', 'array holding traced numbers searched': 'indexOf', 'truthiness of an array holding traced numbers': 'present', 'records holding traced numbers matched': 'findWhere', 'typed arrays compared': 'sameVector', 'class constructed': 'Reading', 'class constructed through the namespace': 'Reading',
      'method of an instance the package made': 'scaled', 'function the package made': 'scaledBy', 'function the package made, called at once': 'isEqualTo', 'static method of the class': 'of', 'function of the namespace': 'readingOf' };
    const said = (name: string) => new RegExp(`zygote-ts.*: ${name}\\(…\\) called at .*looks\\.mjs:\\d+:\\d+\\), code that was not rewritten for differentiation .*was given a traced number.*ZYGOTE_INCLUDE`);
    const loose = looks({});
    expect(loose.status).toBe(0);
    for (const name of new Set(Object.values(names))) {
      expect(loose.stderr).toMatch(said(name));
      expect(loose.stderr.split(`${name}(…)`).length).toBe(2); // (once)
    }
    expect(loose.stderr).not.toContain('keep(…)');
    const strict = JSON.parse(looks({ ZYGOTE_STRICT: '1' }).stdout) as Looks;
    for (const [c, name] of Object.entries(names)) expect(strict[c]?.error).toMatch(said(name));
    expect(strict['callback of rewritten code that compares']).toMatchObject({ plain: 0.5, val: 0.5, grad: [1] });
    const included = looks({ ZYGOTE_INCLUDE: 'zy-guarded', ZYGOTE_STRICT: '1' });
    expect(included.stderr).toBe('');
    const right = JSON.parse(included.stdout) as Looks;
    const typeofTest = right['typeof test']!;
    expect(typeofTest.val).toBe(typeofTest.plain);
    expect(typeofTest.grad![0]).toBeCloseTo(typeofTest.fd!, 6);
    const namedIsFinite = right['typeof test named isFinite']!;
    expect(namedIsFinite.val).toBe(namedIsFinite.plain);
    expect(namedIsFinite.grad![0]).toBeCloseTo(namedIsFinite.fd!, 6);
    const search = right['search with ===']!; // (a step at 0.5: the derivative is the index plain JS finds, 1)
    expect(search.val).toBe(search.plain);
    expect(search.grad).toEqual([search.plain / 0.5]);
    const searchedArray = right['array holding traced numbers searched']!; // (found at 1: (1 + 1) · x)
    expect(searchedArray.val).toBe(searchedArray.plain);
    expect(searchedArray.grad).toEqual([2]);
    const truthy = right['truthiness of an array holding traced numbers']!; // (x − 0.5 is 0 at 0.5, left out: 1 · x)
    expect(truthy.val).toBe(truthy.plain);
    expect(truthy.grad).toEqual([1]);
    const matched = right['records holding traced numbers matched']!; // (found: 2x + x)
    expect(matched.val).toBe(matched.plain);
    expect(matched.grad).toEqual([3]);
    const typed = right['typed arrays compared']!;
    expect(typed.val).toBe(typed.plain);
    expect(typed.grad![0]).toBeCloseTo(typed.plain / 0.5, 6); // (a step at 0.5: plain JS finds the vectors equal, 1 * x)
    const madeAtOnce = right['function the package made, called at once']!; // (equal at 0.5: 2 · x)
    expect(madeAtOnce.val).toBe(madeAtOnce.plain);
    expect(madeAtOnce.grad).toEqual([2]);
    for (const c of ['class constructed', 'class constructed through the namespace', 'method of an instance the package made', 'function the package made', 'static method of the class', 'function of the namespace']) {
      expect(right[c]!.val).toBe(right[c]!.plain);
      expect(right[c]!.grad![0]).toBeCloseTo(right[c]!.fd!, 6);
    }
  });

  // (ml-matrix's Matrix, left out, threw "Input data contains non-numeric values", which says
  // nothing of why: to it a traced number is an object)
  it("a package left out that throws its own error when given traced numbers: the error as it is, and a word saying why; included, the answer of plain JS", () => {
    const loose = looks({});
    expect(loose.stderr).toMatch(/zygote-ts: Checked\(…\), of code that was not rewritten for differentiation .*threw while given traced numbers \(TypeError: Input data contains non-numeric values\).*ZYGOTE_INCLUDE/);
    expect((JSON.parse(loose.stdout) as Looks)['class that validates its input']?.error).toBe('Input data contains non-numeric values');
    expect((JSON.parse(looks({ ZYGOTE_STRICT: '1' }).stdout) as Looks)['class that validates its input']?.error).toBe('Input data contains non-numeric values');
    const right = (JSON.parse(looks({ ZYGOTE_INCLUDE: 'zy-guarded' }).stdout) as Looks)['class that validates its input']!;
    expect(right.val).toBe(right.plain);
    expect(right.grad).toEqual([2]);
  });

  // (a deep copy by keys in a package left out copied the traced number as {}: NaN, with no word)
  it('a traced number copied as an empty object by a package left out: a lost derivative reported (strict: an error); included, the answer of plain JS', () => {
    const said = /a copy that kept none of it \(an empty object used as a number.*include/;
    const loose = looks({});
    expect(loose.stderr).toMatch(said);
    expect(loose.stderr).toMatch(/looks\.mjs:\d+:\d+/);
    expect((JSON.parse(looks({ ZYGOTE_STRICT: '1' }).stdout) as Looks)['copy by keys']?.error).toMatch(said);
    const right = (JSON.parse(looks({ ZYGOTE_INCLUDE: 'zy-guarded' }).stdout) as Looks)['copy by keys']!;
    expect(right.val).toBe(right.plain);
    expect(right.grad![0]).toBeCloseTo(right.fd!, 6);
  });

  // (the global structuredClone, called by a package left out, copied a traced number as {}: NaN)
  it('structuredClone called by a package left out keeps the traced numbers, in every mode', () => {
    for (const env of [{}, { ZYGOTE_STRICT: '1' }, { ZYGOTE_INCLUDE: 'zy-guarded' }] as Record<string, string>[]) {
      const r = looks(env);
      const c = (JSON.parse(r.stdout) as Looks)['structuredClone in a package']!;
      expect(c.error).toBeUndefined();
      expect(c.val).toBe(c.plain);
      expect(c.grad![0]).toBeCloseTo(c.fd!, 6);
    }
  });

  it('forgetting the loader: an error naming the line and the fix, not a null gradient', () => {
    const r = node([join(fixtures, 'no-loader.mjs')]);
    const out = JSON.parse(r.stdout) as { grad?: unknown; error?: string };
    expect(out.grad).toBeUndefined();
    expect(out.error).toMatch(/code that was not rewritten for differentiation used a traced number at P\.sq \(.*no-loader\.mjs:10:\d+\)/);
    expect(out.error).toMatch(/node --import zygote-ts\/register/);
  });
});
