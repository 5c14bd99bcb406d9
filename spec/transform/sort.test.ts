// `xs.sort(cmp)` / `xs.toSorted(cmp)` get a comparator wrapper (lib/transform/rewrite-sort.ts):
// plain code sorts exactly as before, and a comparator returning a traced difference
// (`(a, b) => a - b`) no longer loses a derivative inside the built-in sort.
import { afterEach, describe, expect, it } from 'vitest';
import { configure, gradient } from 'zygote-ts';
import { transform } from '../../lib/transform/index.js';
import { run, rewrittenSource } from './helpers.js';

afterEach(() => {
  configure({ strict: false });
});

const cases: Record<string, string> = {
  'numbers, ascending and descending': `const xs = [3, -1, 10, 2.5, -0, 0, NaN, Infinity]; return [xs.slice().sort((a, b) => a - b), xs.slice().sort((a, b) => b - a)]`,
  'default order (no comparator, undefined)': `return [[10, 9, 1, 100].sort(), [10, 9, 1, 100].sort(undefined), ['b', 'a'].toSorted()]`,
  'strings and booleans as results': `return [['b', 'c', 'a'].sort((a, b) => a.localeCompare(b)), [3, 1, 2].sort((a, b) => a > b), [3, 1, 2].sort((a, b) => String(a - b))]`,
  'a comparator with side effects and this': `const seen = []; const r = [3, 1, 2].sort(function (a, b) { seen.push(typeof this); return a - b; }); return [r, seen.length > 0, seen[0]]`,
  'not a function throws the same error': `const f = 5; try { [2, 1].sort(f); } catch (e) { return [e.name, e.message] }`,
  'toSorted leaves the array alone': `const xs = [3, 1, 2]; return [xs.toSorted((a, b) => a - b), xs]`,
  'an object with its own sort method': `const o = { sort(f) { return typeof f === 'function' ? f(2, 1) : f } }; return [o.sort((a, b) => a - b), o.sort('x')]`,
  'objects sorted by a numeric field': `return [{ k: 2 }, { k: 1 }, { k: 3 }].sort((a, b) => a.k - b.k).map((o) => o.k)`,
};

describe('sort comparators, plain and rewritten alike', () => {
  for (const [name, body] of Object.entries(cases)) {
    it(name, async () => {
      if (!name.startsWith('default order')) expect(rewrittenSource(body)).toContain('(0, __zy.typeOf)(c) === "number"');
      expect(await run(body, true)).toEqual(await run(body, false));
    });
  }

  it('leaves calls without a single comparator as they were', () => {
    expect(transform('xs.sort(); ys.sort(undefined); zs.sort(...args); a.sort(1)').changed).toBe(false);
  });
});

describe('sort comparators on traced numbers', () => {
  it('sorting by a traced difference keeps every path, in strict mode', () => {
    configure({ strict: true });
    const f = (a: number, b: number, c: number) => {
      const s = [a, b, c].sort((x, y) => x - y);
      return s[0]! + 10 * s[1]! + 100 * s[2]!;
    };
    expect(gradient(f, 3, 1, 2)).toEqual([100, 1, 10]);
    const g = (a: number, b: number) => [{ v: a }, { v: b }].sort((p, q) => q.v - p.v)[0]!.v * 2;
    expect(gradient(g, 1, 5)).toEqual([null, 2]);
  });
});
