// Every exported array operation against finite differences (first and second order),
// and a check that every exported operation has a row in the tables.
import { describe, expect, it } from 'vitest';
import * as zygote from 'zygote-ts';
import { checkArrayRule } from './check.js';
import { notArrayOps, tables } from './tables.js';

for (const [domain, table] of Object.entries(tables)) {
  describe(`array rules against finite differences: ${domain}`, () => {
    for (const [name, cases] of Object.entries(table)) {
      it(name, () => {
        for (const c of cases) checkArrayRule(`${name} (${c.label ?? 'basic'})`, c.f, c.inputs, { second: c.second ?? true });
      });
    }
  });
}

describe('the array tables', () => {
  it('have a row for every exported array operation', () => {
    const exported = Object.keys(zygote).filter((k) => typeof (zygote as Record<string, unknown>)[k] === 'function');
    const covered = Object.values(tables).flatMap((t) => Object.keys(t));
    expect(exported.filter((k) => !covered.includes(k) && !notArrayOps.includes(k))).toEqual([]);
    // and no row names an operation that is not exported
    expect(covered.filter((k) => !exported.includes(k))).toEqual([]);
  });
});
