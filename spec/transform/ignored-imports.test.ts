// Functions imported by a relative path from a file the rewrite is told to ignore, here through the Vite
// plugin (the loader's run: loader.test.ts): checked as a package's left out of include are.
// (`sq(x) + x` with sq = (x) => typeof x === 'number' ? x * x : 0 left as written: 1 at 2, with no word, where it is 5)
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configure, gradient } from 'zygote-ts';
import { cube, sq } from '../fixtures/transform/ignored-helper.mjs';
import { own, square, sq as sqPassedOn, three } from '../fixtures/transform/ignored-barrel.mjs';

afterEach(() => {
  configure({ strict: false, warnings: true });
});

describe('a relative import of a file marked @zygote-ignore', () => {
  it('is checked where it is given a traced number: a warning, an error in strict mode, and NaN stops', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient((x: number) => sq(x) + x, 2)).toEqual([1]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/^zygote-ts: sq\(…\) called at .*ignored-imports\.test\.ts.*typeof x === "number"/s));
    } finally {
      warn.mockRestore();
    }
    configure({ strict: true });
    expect(() => gradient((x: number) => sq.call(null, x) + x, 2)).toThrow(/zygote-ts \(strict\): sq\(…\) called at/);
    expect(() => gradient((x: number) => cube(x) + x, 2)).toThrow(/cube\(…\), imported from a package .* returned NaN/s);
    // (plain numbers: as written)
    expect(sq(2) + cube(2)).toBe(12);
  });

  // (each was 1 at 2, with no word, where it is 5: the check applied to a direct import of the file only)
  it('is checked also when a barrel passes it on, or await import (or import(…).then) loads it', async () => {
    configure({ strict: true });
    const said = /zygote-ts \(strict\): sq\(…\) called at/;
    expect(() => gradient((x: number) => sqPassedOn(x) + x, 2)).toThrow(said);
    expect(() => gradient((x: number) => square(x) + x, 2)).toThrow(said);
    const { sq: sqLoaded } = await import('../fixtures/transform/ignored-helper.mjs');
    expect(() => gradient((x: number) => sqLoaded(x) + x, 2)).toThrow(said);
    const loaded = await import('../fixtures/transform/ignored-helper.mjs');
    expect(() => gradient((x: number) => loaded.sq(x) + x, 2)).toThrow(said);
    const throughThen = await import('../fixtures/transform/ignored-helper.mjs').then((m) => () => gradient((x: number) => m.sq(x) + x, 2));
    expect(throughThen).toThrow(said);
    const destructuredThen = await import('../fixtures/transform/ignored-helper.mjs').then(({ sq: sqThen }) => () => gradient((x: number) => sqThen(x) + x, 2));
    expect(destructuredThen).toThrow(said);
    // (the barrel's own functions are rewritten: no word, for a constant's neither)
    expect(gradient((x: number) => own(x) + three(x) + x, 2)).toEqual([5]);
    expect(sqPassedOn(2) + square(2) + sqLoaded(2) + own(2) + three(2)).toBe(19);
  });
});
