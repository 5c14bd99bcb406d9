// Forward mode through every array operation: each row of the finite-difference tables
// under jvp (against central differences and against reverse mode), jacfwd (against
// jacobian) and every nesting of the two modes at second order (spec/rules/arrays/check-forward.ts).
// The tables hold a row for every exported array operation (checked here too), and their
// pullbacks and broadcasting reach the internal ones (sumTo, place, prod's products of the
// others, packing traced numbers into an array).
import { describe, expect, it } from 'vitest';
import * as zygote from 'zygote-ts';
import { checkForward } from './check-forward.js';
import { notArrayOps, tables } from './tables.js';

for (const [domain, table] of Object.entries(tables)) {
  describe(`forward mode through array rules: ${domain}`, () => {
    for (const [name, cases] of Object.entries(table)) {
      it(name, () => {
        for (const c of cases) checkForward(`${name} (${c.label ?? 'basic'})`, c.f, c.inputs, { second: c.second ?? true });
      });
    }
  });
}

describe('forward mode: the tables', () => {
  it('check every exported array operation', () => {
    const exported = Object.keys(zygote).filter((k) => typeof (zygote as Record<string, unknown>)[k] === 'function');
    const covered = Object.values(tables).flatMap((t) => Object.keys(t));
    expect(exported.filter((k) => !covered.includes(k) && !notArrayOps.includes(k))).toEqual([]);
  });
});
