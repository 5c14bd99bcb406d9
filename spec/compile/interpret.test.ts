// A path of numbers only that is mostly straight code, or whose loops run few copies, is run
// without code until its calls would have paid for writing it (lib/compile/interpret.ts): its
// forward instructions interpreted, the recording's tape swept again with their partials;
// `{ interpret: false }` writes it at once. Both tiers must give the eager gradient's numbers,
// bit for bit, on every instruction and guard, and across the call that writes the code.
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient } from 'zygote-ts';
import { logisticLoss } from './logistic.js';

/** Every number of `a` is `b`'s (Object.is: NaN and -0 too). */
const same = (a: unknown, b: unknown, where = ''): void => {
  if (typeof b === 'number') {
    if (!Object.is(a, b)) expect.fail(`${where}: ${String(a)} where the eager gradient gives ${String(b)}`);
    return;
  }
  if (b === null || typeof b !== 'object') return void expect(a).toBe(b);
  for (const k of Object.keys(b)) same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${where}[${k}]`);
};

function agreeEverywhere<A extends unknown[]>(f: (...args: A) => number, calls: A[]): void {
  const interpreted = compileGradient(f);
  const written = compileGradient(f, { interpret: false });
  calls.forEach((args, k) => {
    const eager = gradient(f, ...args);
    same(interpreted(...args), eager, `call ${k}, interpreted`);
    same(written(...args), eager, `call ${k}, written`);
  });
  expect(interpreted.fallback).toBeNull();
  expect(written.fallback).toBeNull();
}

const scalars = (...xs: number[]): [number, number][] => xs.flatMap((x) => [[x, 0.7] as [number, number], [x, -1.3] as [number, number]]);

describe('the interpreter gives the written code’s numbers', () => {
  it('arithmetic, negation and powers', () => {
    agreeEverywhere((x: number, y: number) => x * y - x / y + x ** y + -x + (x + y) * (x - y), scalars(0.5, 2, 2, -0, 3.25));
  });

  it('calls of one, two and three numbers (Math.hypot of three is gathered two at a time)', () => {
    agreeEverywhere((x: number, y: number) => Math.exp(x) + Math.atan2(x, y) + Math.hypot(x, y, x * y) + Math.sin(x) * Math.cos(y), scalars(0.5, -2, 0, 1e-3));
  });

  it('guards of every comparison and of truth, held and missed (a missed one records again)', () => {
    const f = (x: number, y: number) => {
      let s = x > y ? x * x : y * y;
      if (x <= 1) s += x;
      if (y >= 0) s *= y;
      if (x === 2) s -= 3 * x;
      if (x !== y) s += x * y;
      if (x) s += 1 / (x + 4);
      return s;
    };
    agreeEverywhere(f, scalars(0.5, 0.6, 2, 2, 1, -0, 0, 5, 0.7));
  });

  it('a number read as a plain number is pinned: the same number passes, another records again', () => {
    agreeEverywhere((x: number, y: number) => x * Number(x.toFixed(1)) + y, scalars(0.31, 0.31, 0.32, 0.5));
    // (-0 is not 0 to the pin, nor NaN another number: Object.is)
    agreeEverywhere((x: number, y: number) => (Object.is(x * 1, -0) ? 5 * x : x) + y * Number(y.valueOf() * 1), [[0, 1], [-0, 1], [0, 1], [1, NaN], [1, NaN], [1, 2]]);
  });

  it('Math.max and Math.min pick without a guard: ties, NaN and ±0', () => {
    const f = (x: number, y: number) => Math.max(x, y) * 3 + Math.min(x, -0) + Math.max(x * 2, y) ** 2;
    agreeEverywhere(f, [...scalars(0.7, -1.3, 0, -0, 2), [NaN, 1], [1, NaN], [0, -0], [-0, 0]]);
  });

  it('a zero cotangent through an infinite partial contributes nothing (the strong zero)', () => {
    agreeEverywhere((x: number, y: number) => Math.sqrt(Math.max(x, 0)) + y * Math.log(Math.abs(x) + 1), scalars(-1, 0, 4, -0));
  });

  it('loops of few copies, with a table of constants and one of guard outcomes', () => {
    const c = Array.from({ length: 100 }, (_, i) => Math.cos(i) * 3);
    const f = (v: number[], x: number) => {
      let s = 0;
      for (let i = 0; i < v.length; i++) {
        s += Math.sin(x * c[i]!) * c[i]!;
        if (v[i]! > 0) s += v[i]! * x;
        else s -= v[i]! * v[i]!;
      }
      return s;
    };
    const v = Array.from({ length: 100 }, (_, i) => Math.sin(i * 1.7));
    agreeEverywhere(f, [
      [v, 0.3],
      [v.map((e) => e * 2), -1.1],
      [v.map((e, i) => (i === 40 ? -e : e)), 0.3],
      [v, 0.3],
    ]);
  });

  it('a branch on every sample (straight code, as the logistic loss): its answers stay the same once its calls have paid for writing it', () => {
    const loss = logisticLoss(Array.from({ length: 40 }, (_, n) => ({ x: [Math.sin(n), Math.cos(n * 0.7), 1], y: n % 3 === 0 ? -1 : 1 })));
    // (the path stores about 1,300 instructions and runs as many a call: it is written after ~256 calls)
    const calls = Array.from({ length: 400 }, (_, k): [number[], number] => [[0.3 + 1e-4 * k, -0.2, 0.5], 0.05 * (k % 7)]);
    agreeEverywhere(loss, calls);
  });
});
