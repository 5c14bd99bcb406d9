// Arrays locked in part (a read-only length, an element that cannot be deleted) while not frozen
// or sealed as a whole: f's copy of such an array is an ordinary array, so a change of its length
// that plain JavaScript refuses went through there. Written back, the refusal was silent: f's value
// and the caller's array were other than plain JavaScript's, with no word. Now it is said, by place.
import { describe, expect, it } from 'vitest';
import { gradient, withgradient } from 'zygote-ts';
import { isPlainData } from './plain-data.js';

const fixedLength = () => {
  const a = [1, 2, 3];
  Object.defineProperty(a, 'length', { writable: false });
  return { a };
};
const fixedElement = () => {
  const a = [1, 2, 3];
  Object.defineProperty(a, 1, { configurable: false });
  return { a };
};

describe('an array locked in part', () => {
  it('a change of its length f made that plain JavaScript refuses is said, naming the array', () => {
    const score = (s: { a: number[] }) => s.a.reduce((t, v, i) => t + v * (i + 1), 0) + s.a.length * 100;
    // (each gave a value and left the caller's array as it was, where plain JavaScript throws: 205 for pop)
    const pop = (s: { a: number[] }) => (s.a.pop(), score(s));
    const shift = (s: { a: number[] }) => (s.a.shift(), score(s));
    const shorten = (s: { a: number[] }) => ((s.a.length = 1), score(s));
    for (const f of [pop, shift, shorten]) {
      expect(() => f(fixedLength())).toThrow(TypeError);
      const s = fixedLength();
      expect(() => gradient(f, s)).toThrow(/arg 0 \.a is an array with a read-only length, not frozen or sealed as a whole/);
      expect(isPlainData(s)).toBe(true);
    }
    expect(() => shorten(fixedElement())).toThrow(TypeError);
    expect(() => withgradient(shorten, fixedElement())).toThrow(/arg 0 \.a is an array with an element at or above 1 that cannot be deleted/);
  });

  it('such an array whose length f leaves as it is differentiates as any other', () => {
    const f = (s: { a: number[] }) => {
      s.a[0] = s.a[0]! * s.a[2]!;
      return s.a[0] * s.a[1]!;
    };
    for (const make of [fixedLength, fixedElement]) {
      const s = make();
      expect(gradient(f, s)).toEqual([{ a: [6, 3, 2] }]);
      expect(s.a).toEqual([3, 2, 3]);
    }
  });
});
