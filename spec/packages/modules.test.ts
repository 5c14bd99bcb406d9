// Packages in each module form, through the Node loader with ZYGOTE_INCLUDE: an ES module
// package, CommonJS loaded by require and reached from import, an ES module loaded by
// require, Babel's interop output, and an ES module import cycle (fixture packages under
// spec/fixtures/packages/node_modules), plus the CommonJS builds of simple-statistics and
// culori. Strict mode is on, so any lost derivative would fail the case.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { type Case, fdError, fixtures, node, registerUrl, runJson } from './run.js';

interface Output {
  rewritten: Record<string, boolean>;
  cases: Case[];
}

const FIXTURES = 'zy-esm,zy-cjs,zy-babel,zy-cycle,zy-detect,zy-stdlib,zy-floor';

describe('module forms, rewritten by the loader', () => {
  const esm = runJson<Output>('modules.mjs', { ZYGOTE_INCLUDE: FIXTURES, ZYGOTE_STRICT: '1' });
  const cjs = runJson<Output>('modules.cjs', { ZYGOTE_INCLUDE: `${FIXTURES},simple-statistics,culori`, ZYGOTE_STRICT: '1' });

  it('rewrote every listed package, whatever its module form', () => {
    expect(esm.rewritten).toEqual({ esm: true, cjs: true, babel: true, cycle: true });
    expect(cjs.rewritten).toEqual({ cjs: true, babel: true, detect: true, ss: true, culori: true, stdlib: true });
  });

  for (const c of [...esm.cases, ...cjs.cases]) {
    if (c.name === 'esm: truthiness of a traced zero') {
      // `(x || 2) * y + (x ? 1 : 0)` at x = 0 takes the constant branch, as Zygote would
      // (finite differences straddle the jump there).
      it(c.name, () => expect(c.grad).toEqual([0, 2]));
      continue;
    }
    it(`${c.name} matches finite differences`, () => expect(fdError(c)).toBeLessThan(1e-6));
  }
});

describe('opting in', () => {
  it('leaves packages alone unless listed', () => {
    const out = runJson<Output>('modules.mjs', {});
    expect(out.rewritten).toEqual({ esm: false, cjs: false, babel: false, cycle: false });
  });

  it("rewrites every package with ZYGOTE_INCLUDE='*'", () => {
    const out = runJson<Output>('modules.mjs', { ZYGOTE_INCLUDE: '*', ZYGOTE_STRICT: '1' });
    expect(out.rewritten).toEqual({ esm: true, cjs: true, babel: true, cycle: true });
    expect(out.cases.filter((c) => c.error !== undefined)).toEqual([]);
  });

  it('rewrites only the listed packages', () => {
    const out = runJson<Output>('modules.mjs', { ZYGOTE_INCLUDE: ' zy-cycle , zy-babel ' });
    expect(out.rewritten).toEqual({ esm: false, cjs: false, babel: true, cycle: true });
  });
});

describe('a file the transform cannot parse', () => {
  for (const file of ['index.js', 'legacy.cjs']) {
    it(`stops the load naming the file (${file})`, () => {
      const path = join(fixtures, 'node_modules/zy-broken', file);
      const r = node(['--import', registerUrl, '--input-type=module', '-e', `import ${JSON.stringify(path)};`], { ZYGOTE_INCLUDE: 'zy-broken' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`Unexpected token\n    at ${path}:2:`);
      expect(r.stderr).toContain('leave its package out of ZYGOTE_INCLUDE');
    });
  }
});
