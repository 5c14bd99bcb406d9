// console.log's format string in the playground's worker (playground/src/console-format.ts), against Node's own.
import { describe, expect, it } from 'vitest';
import { format } from 'node:util';
import * as zygote from 'zygote-ts';
import { formatArguments } from '../../playground/src/console-format.js';

/** The line the page prints: the filled format string, then the values it did not use. */
const line = (...values: unknown[]) => {
  const f = formatArguments(values, (v) => JSON.stringify(v));
  return f === null ? null : [f.head, ...f.rest.map(String)].join(' ');
};

describe('console.log in the playground', () => {
  it('fills a format string as Node does (it printed "%d steps, loss %f" and the numbers after it)', () => {
    const cases: unknown[][] = [
      ['%d steps, loss %f', 12, '0.5'],
      ['%d|%i|%f|%s|%s|%%|%x', 1.5, 2.7, '3.25abc', -0, 12345678901234567890n, 'extra'],
      ['%c styled', 'color: red'],
      ['%i', -0.5],
      ['%d', '0x10'],
      ['%j', [1, 2]],
      ['%s and %s', 'one'],
      ['a% b', 1],
    ];
    for (const c of cases) expect(line(...c), JSON.stringify(c, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).toBe(format(...c));
  });

  it('prints a traced number by its value', () => {
    zygote.gradient((x: number) => {
      expect(line('x = %d, %s', x, x)).toBe('x = 3, 3');
      return zygote.__zy.mul(x, x);
    }, 3);
  });

  it('leaves values without a format string as they are', () => {
    expect(formatArguments(['no format', 1], String)).toBeNull();
    expect(formatArguments([1, '%d'], String)).toBeNull();
  });
});
