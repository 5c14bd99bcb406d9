// A reducer written with immer inside f, moving traced numbers without computing with them
// (a push, a reverse, current(draft)): immer is code that was not rewritten, but a call of it
// given a recipe of rewritten code, or a draft, is no doubt, though it recorded nothing and was
// given an array holding traced numbers (lib/imported.ts: such calls of other packages left out
// are warned about). Told by the recipe and the draft, not by immer's functions: the runtime
// does not import immer, whose module reads process.env as it loads (spec/browser.test.ts).
import { describe, expect, it, vi } from 'vitest';
import { current, produce } from 'immer';
import { configure, gradient } from 'zygote-ts';

describe('immer recipes that only move traced numbers', () => {
  it('produce of an array, and current(draft): the gradient, and no word (strict too)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const previous = configure({ strict: true });
    try {
      expect(gradient((v: number[]) => produce(v, (d) => { d.push(d[0]!); d.reverse(); })[0]! * 3, [1.5, 2])).toEqual([[3, 0]]);
      expect(gradient((v: number[]) => produce([v[0]!, v[1]!], (d) => { d.push(current(d)[1]!); })[2]! * 3, [1.5, 2])).toEqual([[0, 3]]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      configure(previous);
      warn.mockRestore();
    }
  });
});
