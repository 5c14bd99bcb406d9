// What real numeric packages do, followed through their unmodified code (simple-statistics,
// culori, chroma-js, rewritten by the loader with ZYGOTE_INCLUDE, strict mode on): each
// gradient against central finite differences. The patterns are named in the cases
// (spec/fixtures/packages/real-patterns.mjs); the fixture packages cover the rest
// (modules.test.ts).
import { describe, expect, it } from 'vitest';
import { type Case, fdError, runJson } from './run.js';

interface Output {
  rewritten: Record<string, boolean>;
  cases: Case[];
  known: Case[];
}

describe('real packages, unmodified', () => {
  const out = runJson<Output>('real-patterns.mjs', { ZYGOTE_INCLUDE: 'simple-statistics,culori,chroma-js', ZYGOTE_STRICT: '1' });

  it('were rewritten', () => expect(out.rewritten).toEqual({ ss: true, culori: true, chroma: true }));

  for (const c of out.cases) {
    it(`${c.name} matches finite differences`, () => expect(fdError(c)).toBeLessThan(1e-6));
  }

  // chroma-js's type(x) is Object.prototype.toString.call(x): a traced number answers
  // '[object Number]' (lib/core/traced.ts), so Color#alpha(t) and mix(a, b, t) see a number.
  for (const c of out.known) {
    it(`${c.name} (type checks with Object.prototype.toString)`, () => expect(fdError(c)).toBeLessThan(1e-6));
  }
});
