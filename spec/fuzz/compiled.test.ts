// compileGradient against the eager gradient on random programs (fuzz/compiled.ts), inside
// `npm test`. Longer runs: node --import ./dist/lib/transform/register.js with a loop over
// compareCompiled(seed, i).
import { describe, expect, it } from 'vitest';
import { configure } from 'zygote-ts';
import { compareCompiled, compiledProgram } from '../../fuzz/compiled.js';

const PROGRAMS = 400;

describe('compileGradient against gradient', () => {
  it(`agrees on ${PROGRAMS} programs of seed 21, each called on ten argument sets, and runs them compiled`, () => {
    const previous = configure({ warnings: false }); // (the programs read text back: reported, as it should be)
    try {
      const tally = { compiled: 0, reasons: new Map<string, number>() };
      const differences: string[] = [];
      for (let i = 0; i < PROGRAMS; i++) {
        const d = compareCompiled(21, i, tally);
        if (d !== null) differences.push(d);
      }
      expect(differences).toEqual([]);
      expect(tally.compiled).toBe(PROGRAMS);
    } finally {
      configure(previous);
    }
  }, 120_000);

  it('writes programs with branches, loops, kinks and reads of numbers as text', () => {
    const bodies = Array.from({ length: 50 }, (_, i) => compiledProgram(21, i)).join('\n');
    for (const construct of ['for (let i', 'for (const q of pts)', 'Math.max(', '? ', 'toFixed', 'Object.is(', 'switch', 'while', 'sort(', 'new Map']) expect(bodies).toContain(construct);
    // (loops that reroll on the long arrays, or end a loop where their copies differ: nested, breaking, over class instances, two accumulators)
    for (const construct of ['for (let j = 0', 'break;', 'class P', 'for (const k in p)', '* 0.9 +']) expect(bodies).toContain(construct);
  });
});
