// Callbacks whose result a built-in reads (lib/transform/rewrite-callbacks.ts).
// `xs.sort(cmp)` / `xs.toSorted(cmp)` get a comparator wrapper (for a built-in sort): plain code sorts exactly as
// before, and a comparator returning a traced difference (`(a, b) => a - b`) no longer loses
// a derivative inside the built-in sort. `xs.filter(f)` & co. get `__zy.predicate(f)`: a
// traced 0 or NaN returned to the built-in is false, as the number is (a method of rewritten
// code of such a name gets the callback as it is).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInThisContext } from 'node:vm';
import { __zy, compileGradient, configure, gradient, withgradient } from 'zygote-ts';
import { transform } from '../../lib/transform/index.js';
import { run, rewrittenSource } from './helpers.js';
import { find } from '../fixtures/transform/predicate-named.js';

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
      if (!name.startsWith('default order')) expect(rewrittenSource(body)).toMatch(/__zy\.(callComparator|comparator)\)\(/);
      expect(await run(body, true)).toEqual(await run(body, false));
    });
  }

  it('leaves calls without a single comparator as they were', () => {
    expect(transform('xs.sort(); ys.sort(undefined); zs.sort(...args); a.sort(1)').changed).toBe(false);
  });
});

describe('sort comparators on traced numbers', () => {
  it('a sort method of rewritten code gets the callback as it is: it may use the number', () => {
    const ranking = { items: [1, 2, 3], sort(score: (v: number) => number) { return this.items.reduce((s, v) => s + score(v), 0); } };
    const scored = (a: number) => ranking.sort((v) => v * a);
    const h = 1e-6;
    const { val, grad } = withgradient(scored, 2);
    expect(val).toBe(scored(2));
    expect(grad[0]).toBeCloseTo((scored(2 + h) - scored(2 - h)) / (2 * h), 5);
  });

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

const predicateCases: Record<string, string> = {
  'filter, find, some, every and kin on numbers': `const xs = [0, 2, NaN, -0, 3]; return [xs.filter((v) => v), xs.find((v) => v), xs.findIndex((v) => v), xs.findLast((v) => v), xs.findLastIndex((v) => v), xs.some((v) => !v), xs.every((v) => v)]`,
  'Boolean as the predicate, called and constructed': `const xs = [0, 1, '', 'a', null]; return [xs.filter(Boolean), Boolean(0), Boolean(), Boolean('x', 0), typeof new Boolean(0), new Boolean(0).valueOf(), new Boolean(0) instanceof Boolean]`,
  'a predicate with this, and extra arguments': `return [1, 2, 3].filter(function (v, i, a) { return this.k * v * (a.length - i) > 3 }, { k: 2 })`,
  'results that are not numbers pass unchanged': `const seen = []; const o = { filter(f) { seen.push(f(5)); return f } }; const back = o.filter((v) => ({ v })); return [seen, typeof back, o.filter('text'), o.filter(undefined)]`,
  'not a function throws the same error': `const f = 5; try { [1].filter(f) } catch (e) { return [e.name, e.message] }`,
  'typed arrays': `return [new Float64Array([0, 1, 2]).filter((v) => v).length, new Int8Array([0, 3]).some((v) => v)]`,
  'bound predicate methods, and Boolean given to map and Array.from': `const xs = [0, 2, NaN, -0, 3]; const keep = xs.filter.bind(xs); const any = Array.prototype.some.bind(xs, (v) => !v); const B = Boolean; return [xs.filter((v) => v), keep((v) => v), keep(function (v) { return v > this.k }, { k: 1 }), any(), keep.name, keep.length, xs.map(Boolean), Array.from(xs, B), xs.map(globalThis.Boolean), [1].filter.bind([0, 1])(Boolean)]`,
};

describe('predicates, plain and rewritten alike', () => {
  for (const [name, body] of Object.entries(predicateCases)) {
    it(name, async () => {
      expect(rewrittenSource(body)).toMatch(/__zy\.(predicate|callPredicates)\)\(/);
      expect(await run(body, true)).toEqual(await run(body, false));
    });
  }

  it('a method of rewritten code named as a predicate method gets its callbacks as they are: it may use their numbers', () => {
    const signal = {
      samples: [1, 2, 3],
      filter(weight: (v: number) => number) { return this.samples.reduce((s, v) => s + weight(v) * v, 0); },
      find(g: (x: number) => number) { let lo = 0, hi = 4; for (let i = 0; i < 40; i++) { const mid = (lo + hi) / 2; if (g(mid) > 0) hi = mid; else lo = mid; } return lo; },
    };
    const h = 1e-6;
    const weighted = (a: number) => signal.filter((v) => v * a);
    const { val, grad } = withgradient(weighted, 2);
    expect(val).toBe(weighted(2));
    expect(grad[0]).toBeCloseTo((weighted(2 + h) - weighted(2 - h)) / (2 * h), 5);
    const root = (a: number) => signal.find((x) => x * x - a) * a; // (a bisection's result is piecewise constant)
    expect(withgradient(root, 2).val).toBe(root(2));
    const imported = (a: number) => find((x) => x * a); // (imported from the program's own module)
    expect(withgradient(imported, 2)).toEqual({ val: imported(2), grad: [(imported(2 + h) - imported(2 - h)) / (2 * h)].map((d) => expect.closeTo(d, 5)) });
  });

  it('calls predicates imported from packages, by name or through a namespace, through the runtime that wraps their callbacks', () => {
    const { code } = transform("import { filter as keep, some } from 'lodash-es'; import _ from 'lodash'; import { map } from 'x'; keep(xs, Boolean); some(xs, f); _.filter(xs, Boolean); map(xs, f); function h(some) { return some(xs, g) }", { twoBodies: false });
    expect(code).toContain('(0, __zy.callImportedPredicates)(void 0, keep, xs, Boolean)');
    expect(code).toContain('(0, __zy.callImportedPredicates)(void 0, some, xs, f)');
    expect(code).toContain('(0, __zy.callImportedPredicates)(_, _.filter, xs, (0, __zy.builtin)(Boolean))'); // (Boolean given to a method that calls it: the runtime's)
    expect(code).toContain('(0, __zy.callImported)(void 0, map, xs, f)');
    expect(code).toContain('(0, __zy.callImported)(void 0, some, xs, g)'); // (a parameter named some is not the import)
  });

  // (spec/packages/modules.test.ts: a rewritten package's `filter` gets its callback as it is)
  it('wraps them for a package that was not rewritten: a traced 0 is dropped as a 0 is', () => {
    const notRewritten = runInThisContext('(xs, keep) => xs.filter(keep)') as (xs: number[], keep: (v: number) => unknown) => number[];
    const f = (a: number) => (__zy.callImportedPredicates(undefined, notRewritten, [a, 2, 3], (v: number) => v - 1) as number[]).reduce((s, v) => s + v * v, 0);
    expect(f(1)).toBe(13);
    expect(gradient(f, 1)).toEqual([null]); // (a - 1 = 0 is dropped: nothing of a remains)
    expect(gradient(f, 1.5)).toEqual([3]);
  });

  // (mathjs's multiply looks its scalar operations up with typed-function's `typed.find(addScalar,
  // [dt, dt])`, which threw `Argument is not a typed-function.` on the wrapper, also on plain numbers)
  it('a library method of such a name that reads the function it is given sees its properties', () => {
    const typed = runInThisContext(
      `({ find(fn, types) { if (!(typeof fn === 'function' && '_signatures' in fn)) throw new TypeError('Argument is not a typed-function.'); return fn._signatures[types.join(',')]; } })`,
    ) as { find(fn: Function, types: string[]): (a: number, b: number) => number };
    const add = Object.assign((a: number, b: number) => a + b, { _signatures: { 'number,number': (a: number, b: number) => a + b } });
    const f = (a: number, b: number) => typed.find(add, ['number', 'number'])(a, b) * a;
    expect(f(2, 3)).toBe(10);
    const h = 1e-6;
    expect(withgradient(f, 2, 3)).toEqual({ val: 10, grad: [(f(2 + h, 3) - f(2 - h, 3)) / (2 * h), (f(2, 3 + h) - f(2, 3 - h)) / (2 * h)].map((d) => expect.closeTo(d, 5)) });
  });

  it('leaves literal and spread arguments alone', () => {
    expect(transform('xs.filter(); xs.some(...fs); xs.find(1); xs.every(undefined)').changed).toBe(false);
  });
});

describe('a traced 0 or NaN returned to a built-in that tests it', () => {
  it('is false there, as the number is, in strict mode', () => {
    configure({ strict: true });
    // at x = 0 each gives what plain JavaScript gives; the derivative follows the branch taken
    const cases: [string, (x: number) => number, number, number | null][] = [
      ['filter(v => v)', (x) => [x, 2].filter((v) => v).length * 10 + x, 10, 1],
      ['filter(Boolean)', (x) => [x, 2].filter(Boolean).length * 10 + x, 10, 1],
      ['find(v => v)', (x) => [x, 3].find((v) => v)! * 2, 6, null],
      ['some(v => v)', (x) => ([x].some((v) => v) ? 10 : 20) + x, 20, 1],
      ['every(v => v)', (x) => ([x, 1].every((v) => v) ? 10 : 20) + 3 * x, 20, 3],
      ['findIndex(v => v)', (x) => [x, 1].findIndex((v) => v) * 10 + x, 10, 1],
      ['Boolean(x)', (x) => (Boolean(x) ? 10 : 20) * x, 0, 20],
      // (Boolean given to map and a predicate method bound took a traced 0, an object, for true: 20, not 10)
      ['map(Boolean)', (x) => [x, 2].map(Boolean).filter((b) => b === true).length * 10 + x, 10, 1],
      ['Array.from(xs, Boolean)', (x) => Array.from([x, 2], Boolean).filter((b) => b === true).length * 10 + x, 10, 1],
      ['xs.filter.bind(xs)', (x) => { const xs = [x, 2]; const keep = xs.filter.bind(xs); return keep((v) => v).length * 10 + x; }, 10, 1],
      ['Array.prototype.some.bind(xs, f)', (x) => (Array.prototype.some.bind([x], (v: number) => v)() ? 10 : 20) + x, 20, 1],
      ['a zero weight', (x) => [{ w: x }, { w: 1 }].filter((d) => d.w).length * 5 + x * x, 5, 0],
      ['NaN', (x) => [x * NaN, 1].filter((v) => v).length + x, 1, 1],
      // (a method by a computed name went to the built-in as it was: a traced 0 passed, 20 where plain JavaScript gives 10)
      ["xs[k](v => v), k = 'filter'", (x) => { const k = ['filter'][0]! as 'filter'; return [x, 2][k]((v) => v).length * 10 + x; }, 10, 1],
      ["xs[k](v => v), k = 'some'", (x) => { const k = ['some'][0]! as 'some'; return ([x][k]((v) => v) ? 10 : 20) + x; }, 20, 1],
      ["xs?.[k](v => v), k = 'filter'", (x) => { const k = ['filter'][0]! as 'filter'; const xs: number[] | undefined = [x, 2]; const kept = xs?.[k]((v) => v); return kept!.length * 10 + x; }, 10, 1],
    ];
    for (const [name, f, value, derivative] of cases) {
      expect([name, f(0)]).toEqual([name, value]);
      const { val, grad } = withgradient(f, 0);
      expect([name, val, grad[0]]).toEqual([name, value, derivative]);
    }
  });

  it('away from zero the predicate passes, and the derivative is the chain rule\'s', () => {
    const f = (x: number) => [{ w: x }, { w: 1 }].filter((d) => d.w).length * 5 + x * x;
    expect(withgradient(f, 0.5)).toEqual({ val: 10.25, grad: [1] });
  });

  // (the built-in read the comparator's traced result as a plain number: compiled code then
  // held for those exact numbers only, and recorded f again for [1, 4, 2])
  it('a sort by a computed name reads its comparator\'s sign, as xs.sort(cmp) does: compiled code keeps its path', () => {
    const top = (w: number[]) => {
      const by = ['sort'][0]! as 'sort';
      return [...w][by]((a, b) => b - a)[0]! * 2;
    };
    const g = compileGradient(top);
    expect([g([1, 3, 2]), g([1, 4, 2])]).toEqual([[[0, 2, 0]], [[0, 2, 0]]]);
    expect(g.recordings).toBe(1);
  });

  it('compiled code takes the branch plain code takes, on later calls too', () => {
    const f = (x: number) => [x, 2].filter((v) => v).length * x;
    const g = compileGradient(f);
    expect([g(0), g(0.5), g(0), g(-1)]).toEqual([[1], [2], [1], [2]]);
    expect(g.fallback).toBeNull();
  });
});

// (an iterator result's `done` is read for its truth natively: a traced 0 was an object,
// truthy, and ended the iteration at its first step; the sum below was 0, its derivative null)
describe('an iterator result whose done is a traced number', () => {
  class Steps {
    constructor(readonly x: number, readonly count: number) {}
    [Symbol.iterator](): Iterator<number> {
      let k = 0;
      const { x, count } = this;
      // done: x - x is a traced 0 until the last step (a count kept as a number)
      return { next: () => { k++; return { value: x * k, done: (k > count ? x - x + 1 : x - x) as unknown as boolean }; } };
    }
  }
  const sumSquares = (x: number) => { let s = 0; for (const v of new Steps(x, 3)) s += v * v; return s; };
  const consumers: [string, (x: number) => number][] = [
    ['for … of', sumSquares],
    ['spread', (x) => [...new Steps(x, 3)].reduce((a, b) => a + b * b, 0)],
    ['Array.from', (x) => Array.from(new Steps(x, 3)).reduce((a, b) => a + b * b, 0)],
    ['destructuring', (x) => { const [a, b, c] = new Steps(x, 3); return a! * a! + b! * b! + c! * c!; }],
    ['yield*', (x) => { function* all() { yield* new Steps(x, 3); } return [...all()].reduce((a, b) => a + b * b, 0); }],
    ['new Set', (x) => [...new Set(new Steps(x, 3))].reduce((a, b) => a + b * b, 0)],
  ];

  it('ends the iteration where plain JavaScript does, with the derivative (1 + 4 + 9)·2x', () => {
    for (const [name, f] of consumers) {
      expect([name, f(1.5)]).toEqual([name, 31.5]);
      expect([name, withgradient(f, 1.5)]).toEqual([name, { val: 31.5, grad: [42] }]);
      expect([name, compileGradient(f)(1.5)]).toEqual([name, [42]]);
    }
  });

  it('the shorthand { value, done } too, and compiled code follows the count on later calls', () => {
    const upTo = (x: number, n: number) => ({
      [Symbol.iterator]: () => {
        let k = 0;
        return { next: () => { k++; const value = x * k; const done = (k > n ? x - x + 1 : x - x) as unknown as boolean; return { value, done }; } };
      },
    });
    const f = (x: number, n: number) => { let s = 0; for (const v of upTo(x, n)) s += v; return s; };
    expect(gradient(f, 2, 3)).toEqual([6, null]); // (n is only compared: no derivative reaches it)
    const g = compileGradient(f);
    expect([g(2, 3)[0], g(2, 4)[0], g(2, 1)[0]]).toEqual([6, 10, 1]);
  });

  // (only a literal of value and done alone was taken: with more keys, or done a getter, the
  // sum below ended at once, 0 with the derivative null, where it is 31.5 and 42)
  it("other shapes: a next's literal with more keys or done alone, a done getter, through ?:, a class's next", () => {
    type Shape = 'more keys' | 'getter' | 'conditional' | 'class method' | 'function next';
    const steps = (x: number, count: number, shape: Shape): Iterable<number> => ({
      [Symbol.iterator]() {
        let k = 0;
        const end = () => (k > count ? x - x + 1 : x - x) as unknown as boolean;
        switch (shape) {
          case 'more keys':
            return { next: () => { k++; return { value: x * k, done: end(), index: k }; } };
          case 'getter':
            return { next() { k++; const value = x * k, done = end(); return { value, get done() { return done; } }; } };
          case 'conditional':
            return { next() { k++; return k > count ? { done: end() } as IteratorResult<number> : { value: x * k, done: end(), step: k }; } };
          case 'class method': {
            class It { next() { k++; return { value: x * k, done: end(), k }; } }
            return new It();
          }
          case 'function next':
            return { next: function () { k++; return { done: end(), value: x * k, at: k }; } };
        }
      },
    });
    for (const shape of ['more keys', 'getter', 'conditional', 'class method', 'function next'] as const) {
      const f = (x: number) => { let s = 0; for (const v of steps(x, 3, shape)) s += v * v; return s; };
      expect([shape, f(1.5)]).toEqual([shape, 31.5]);
      expect([shape, withgradient(f, 1.5)]).toEqual([shape, { val: 31.5, grad: [42] }]);
      expect([shape, compileGradient(f)(1.5)]).toEqual([shape, [42]]);
    }
    // (a done count in a literal that is no next's result keeps its number, getter or not)
    const g = (x: number) => { const p = { value: 1, done: x * 2, total: 4 }; const q = { total: 1, get done() { return x * 3; } }; return p.done * p.total + q.done; };
    expect(gradient(g, 1.5)).toEqual([11]);
  });

  // (a class's instance, or a literal kept in a variable, is the program's object: its traced
  // done ended the sum at once, 0 and [null] where plain code gives 6 and the derivative is 3)
  it("a next's result made otherwise, with a traced done, is said (a warning; strict mode stops)", () => {
    class Step {
      constructor(public value: number, public done: boolean) {}
    }
    const upTo = (x: number, n: number, kept: boolean): Iterable<number> => ({
      [Symbol.iterator]() {
        let k = 0;
        const end = () => (k > n ? x - x + 1 : x - x) as unknown as boolean;
        if (kept) return { next() { k++; const result = { value: x * k, done: end(), k }; return result; } };
        return { next() { k++; return new Step(x * k, end()); } };
      },
    });
    const sums = [true, false].map((kept) => (x: number) => { let s = 0; for (const v of upTo(x, 2, kept)) s += v; return s; });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      for (const f of sums) gradient(f, 1.5);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        expect.stringMatching(/an iterator result's done is a traced number \(returned by next at .*callbacks\.test\.ts.*Return a literal \{ value, done \} from next/),
        expect.stringMatching(/an iterator result's done is a traced number/),
      ]);
      // (a boolean done, and a plain run, say nothing)
      const plain = (x: number) => { let s = 0; for (const v of { [Symbol.iterator]: () => { let k = 0; return { next() { k++; const r = { value: x * k, done: k > 2, k }; return r; } }; } }) s += v; return s; };
      expect(gradient(plain, 1.5)).toEqual([3]);
      expect(sums.map((f) => f(1.5))).toEqual([4.5, 4.5]);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(sums[1]!, 1.5)).toThrow(/zygote-ts \(strict\): an iterator result's done is a traced number/);
    } finally {
      configure(previous);
    }
  });

  it('leaves a record with a done count and other keys alone', () => {
    const f = (x: number) => { const progress = { done: x * 2, total: 4 }; return progress.done * progress.total; };
    expect(gradient(f, 1.5)).toEqual([8]);
    const g = (x: number) => { const step = { value: x, done: x * 2, total: 4 }; return step.done * step.total + step.value; };
    expect(gradient(g, 1.5)).toEqual([9]);
  });
});
