// Programs that call Node's own modules inside f. Their code was not rewritten, so to it a
// traced number is an object: node:util's isDeepStrictEqual(xs, [4, 2, 1]) answered false where
// plain JavaScript answers true, with no word (imports of `node:` modules were not checked,
// those of the bare names, 'util', were).
import { describe, expect, it, vi } from 'vitest';
import { format, inspect, isDeepStrictEqual } from 'node:util';
import { configure, gradient, withgradient } from 'zygote-ts';

const fromNodeUtil = (v: number[]) => (isDeepStrictEqual(v, [4, 2, 1]) ? v[0]! * v[1]! : 0);

describe("Node's own modules, called in f with traced numbers", () => {
  it("node:util's isDeepStrictEqual: a warning naming it and the calling line (strict: an error), not a silent false", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      withgradient(fromNodeUtil, [4, 2, 1]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^zygote-ts: isDeepStrictEqual\(…\) called at .*node-builtins\.test\.ts:\d+:\d+\), code that was not rewritten .*was given a traced number/));
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(fromNodeUtil, [4, 2, 1])).toThrow(/^zygote-ts \(strict\): isDeepStrictEqual\(…\) called at /);
    } finally {
      configure(previous);
    }
    expect(fromNodeUtil([4, 2, 1])).toBe(8); // (plain JavaScript, for the record)
  });

  it("node:util's inspect and format show the number: right, and no word", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const previous = configure({ strict: true });
    try {
      expect(withgradient((x: number) => inspect(x).length * x + format('%s', x).length * x, 2.5)).toEqual({ val: 15, grad: [6] });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      configure(previous);
      warn.mockRestore();
    }
  });
});
