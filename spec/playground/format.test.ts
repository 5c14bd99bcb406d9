// Numbers as the page prints them (playground/src/format.ts).
import { describe, expect, it } from 'vitest';
import { fmt } from '../../playground/src/format.js';

describe('fmt', () => {
  it('prints the numbers JSON cannot hold, given as themselves (the plots hand it raw samples)', () => {
    // fmt(Infinity) threw (Infinity has no exponent to split): hovering 1/x at x = 0 left the
    // readout's f and f′ at the previous sample's numbers under the new x.
    expect(fmt(Infinity)).toBe('∞');
    expect(fmt(-Infinity)).toBe('−∞');
    expect(fmt(NaN)).toBe('NaN');
    expect(fmt(-0)).toBe('−0');
  });

  it('prints them the same when the worker spelled them out', () => {
    expect(['Infinity', '-Infinity', 'NaN', '-0'].map((x) => fmt(x as 'NaN'))).toEqual(['∞', '−∞', 'NaN', '−0']);
  });

  it('prints other numbers to six significant digits, integers in full', () => {
    expect([0, 32, -7, 0.1 + 0.2, 1 / 3, 2.5e-7, -1234567890123, 6.02e23].map(fmt)).toEqual(['0', '32', '−7', '0.3', '0.333333', '2.5e−7', '−1234567890123', '6.02e23']);
  });
});
