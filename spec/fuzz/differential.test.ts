// The differential fuzzer (fuzz/) inside `npm test`: a fixed seed's programs run plain and
// rewritten must log the same and end the same. Long runs: `npm run fuzz -- --count N`.
import { describe, expect, it } from 'vitest';
import { describeFailure, runCampaign } from '../../fuzz/campaign.js';
import { compare } from '../../fuzz/differential.js';
import { shrink } from '../../fuzz/shrink.js';
import { expressionStatement, leaf, Prec, print, statements } from '../../fuzz/tree.js';

const PROGRAMS = 2_000;

describe('differential fuzzer', () => {
  it(`finds no difference in ${PROGRAMS} programs of seed 13`, () => {
    const tally = runCampaign(13, 0, PROGRAMS);
    expect(tally.failures.map(describeFailure)).toEqual([]);
    expect(tally.programs).toBe(PROGRAMS);
    // Programs that do not compile plain test nothing: the grammar must rarely make them.
    expect(tally.invalid).toBeLessThan(PROGRAMS / 50);
  }, 300_000);

  it('tells the runs apart where the rewrite is visible: a rewritten function\'s source text', () => {
    const result = compare('let a = 1, b = 2; log(String(function () { return a * b }))');
    expect(result.difference).toMatch(/^log line 1: plain "function \(\) \{ return a \* b \}" \| rewritten /);
    expect(compare('let a = 1; log(a * 2, typeof a, -0)').difference).toBeNull();
  });

  it('compares how the runs end, and what they logged first', () => {
    const result = compare('log(1); log(String(function () { return 1 + x })); throw new RangeError("r")');
    expect(result.plain).toEqual({ log: ['1', '"function () { return 1 + x }"'], end: 'throw RangeError: r' });
    expect(result.rewritten.end).toBe('throw RangeError: r');
  });

  it('shrinks a failing program to what fails', () => {
    const keep = expressionStatement(leaf('expression', Prec.call, 'log(String(function () { return 1 + 2 * x }))'));
    const noise = (k: number) => expressionStatement(leaf('expression', Prec.call, `log(${k} + 1)`));
    const program = statements([noise(1), keep, noise(2), noise(3)]);
    const smallest = shrink(program, (t) => compare(print(t)).difference !== null);
    expect(print(smallest).trim()).toBe('log(String(function () { return 1 + 2 * x }));');
  });
});
