// The gradient fuzzer (fuzz/gradient.ts) inside `npm test`: on a fixed seed's programs of rare
// syntax, withgradient's value is the plain program's and each partial derivative is the
// central finite difference wherever f is smooth. Long runs:
// node --import ./dist/lib/transform/register.js fuzz/gradient-cli.ts --seed S --count N
import { describe, expect, it } from 'vitest';
import { dropgrad } from 'zygote-ts';
import { checkBody, pointsFor, runGradientCampaign } from '../../fuzz/gradient.js';
import { gradientProgram } from '../../fuzz/gradient-grammar.js';
import { print } from '../../fuzz/tree.js';

const PROGRAMS = 1_200;

describe('gradient against finite differences', () => {
  it(`agrees on ${PROGRAMS} programs of seed 7, at three points each`, () => {
    const tally = runGradientCampaign(7, 0, PROGRAMS);
    expect(tally.differences).toEqual([]);
    expect(tally.warned).toEqual([]);
    // Points where f is not smooth or not finite say nothing: they must stay few, or the fuzzer checks nothing.
    expect(tally.checked).toBeGreaterThan(PROGRAMS * 5);
    expect(tally.skipped).toBeLessThan(tally.checked / 10);
  }, 60_000);

  it('writes programs through the rare syntax it is for', () => {
    const bodies = Array.from({ length: 200 }, (_, i) => print(gradientProgram(7, i))).join('\n');
    for (const construct of ['function* ', 'yield', 'continue outer', 'switch (', 'arguments[', '#v', '?.', '`${', '.sort(', 'reduce', 'Array.from(', 'new Map', 'new Set', 'super.', 'static ', '...rest', '= [undefined', 'get v()', 'set v(', '.call(', 'valueOf', 'throw ']) {
      expect(bodies).toContain(construct);
    }
  });

  it('reports a lost derivative, and skips a kink at the point rather than report it', () => {
    const at = [{ x: 0.7, y: -0.3 }];
    expect(checkBody('return Math.sin(x) * y', at)).toBeNull();
    // (dropgrad keeps the value and loses the derivative, as a broken rule would)
    const global = globalThis as { fuzzDropgrad?: unknown };
    global.fuzzDropgrad = dropgrad;
    try {
      expect(checkBody('return fuzzDropgrad(x) * y', at)).toMatch(/^at x = 0.7, y = -0.3: d\/dx is null, finite differences -0\.(3|2999)/);
    } finally {
      delete global.fuzzDropgrad;
    }
    expect(checkBody('return Math.abs(x - 0.7) + Math.floor(y * 3) * x', at)).toBeNull();
    expect(checkBody('return Math.max(x - 0.7, 0) + (y > -0.3 ? y : 0)', at)).toBeNull();
    expect(checkBody('return Math.abs(x - 0.7) * 0', [{ x: 1, y: 0 }, ...pointsFor(7, 0)])).toBeNull();
  });
});
