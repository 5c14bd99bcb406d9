// nograd(fn) passes its arguments as they are (Zygote's @nograd): only the result carries no derivative.
import { describe, expect, it } from 'vitest';
import { gradient, nograd } from 'zygote-ts';
import { plainTypeOf } from '../proxies/plain-data.js';

describe('nograd', () => {
  // (every argument was deep-copied, even outside a differentiation: fn's writes were lost)
  it('fn gets the caller\'s objects, outside a differentiation and inside one, and its writes stay', () => {
    const log = nograd((buf: number[], v: number) => {
      buf.push(v);
    });
    const buf: number[] = [];
    log(buf, 1);
    const [g] = gradient((x: number) => {
      log(buf, x);
      return x * x;
    }, 3);
    expect(g).toBe(6);
    expect(buf).toEqual([1, 3]);
    expect(plainTypeOf(buf[1])).toBe('number'); // (the number, not a traced one kept past its differentiation)
    const same = nograd(<T>(o: T) => o);
    const o = { a: [1] };
    expect(same(o)).toBe(o);
    // (and its receiver, as a method)
    const counter = { n: 0, bump: nograd(function (this: { n: number }, k: number) {
      this.n += k;
      return this.n;
    }) };
    expect(counter.bump(2)).toBe(2);
    expect(gradient((x: number) => x * counter.bump(1), 3)).toEqual([3]);
    expect(counter.n).toBe(3);
  });
  it('its result carries no derivative, and what fn is given holds no traced number', () => {
    const square = nograd((v: number) => v * v);
    expect(gradient((x: number) => x * square(x), 3)).toEqual([9]);
    const first = nograd((p: { a: number }) => p.a * p.a);
    expect(gradient((x: number) => x * first({ a: x }), 3)).toEqual([9]);
  });
});
