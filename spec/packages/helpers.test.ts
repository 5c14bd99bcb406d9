// `typeof x` as Babel and swc compile it (`_typeof(x)`, `_type_of(x)`), and `x instanceof C` as
// swc compiles it for ES5 (`_instanceof(x, C)`), call their helper
// packages, @babel/runtime and @swc/helpers, which are not rewritten (spec/fixtures/packages/helpers.mjs).
import { describe, expect, it } from 'vitest';
import { runJson } from './run.js';

type Output = Record<string, { val?: number; grad?: (number | null)[]; error?: string }>;

describe("Babel's and swc's typeof and instanceof helpers, from packages left out of include", () => {
  // (to the helper a traced number was an object: switch (typeof x) took the object's case, and
  // x instanceof Object was true: -1 where plain code gives x², with a null gradient and only a warning)
  const out = runJson<Output>('helpers.mjs');
  for (const name of ['babel, const t = typeof x', 'babel, switch (typeof x)', 'babel, CommonJS', 'swc', 'swc, instanceof', 'minified babel', 'minified swc']) {
    it(`${name}: a traced number answers as a number`, () => {
      expect(out[name]).toEqual({ val: 2.25, grad: [3] });
    });
  }
  // (a built-in exported as it is, as core-js-pure exports the native ones, is the runtime's
  // version, as the built-in read by its name is: the text read back plain, the derivative x
  // where it is 2x, with no word; Number.isFinite false, -1; Math.hypot an error)
  it('built-ins exported by a package (core-js-pure) are the runtime\'s versions', () => {
    expect(out['core-js parseFloat']).toEqual({ val: 2.25, grad: [3] });
    expect(out['core-js Number.isFinite']).toEqual({ val: 3, grad: [2] });
    expect(out['core-js Math.hypot']?.val).toBe(2.5);
    expect(out['core-js Math.hypot']?.grad?.[0]).toBeCloseTo(0.6, 12);
  });
  it('plain values keep the helpers\' answers', () => {
    expect(out['plain values keep their answers']).toEqual({ val: 4.5, grad: [3] });
  });
});
