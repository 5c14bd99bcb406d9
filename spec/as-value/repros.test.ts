// Issue 12's repros, each through gradient, withgradient, pullback and compileGradient (its
// recording call and its generated code): the expected gradient, the same in all four.
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient, pullback, sum, abs2, withgradient } from 'zygote-ts';

interface Repro {
  name: string;
  f: (...args: any[]) => number;
  args: () => unknown[];
  grad: unknown[];
  /** compileGradient records f and runs generated code (false: it falls back, and says why). */
  compiles?: boolean;
}

class R {
  constructor(public r: number) {}
  valueOf(): number {
    return this.r;
  }
}

class P {
  constructor(public r: number) {}
  [Symbol.toPrimitive](): number {
    return this.r;
  }
}

const repros: Repro[] = [
  { name: 'an unused value with an infinite partial', f: (x: number) => { const unused = Math.sqrt(x - 3); return x * 2; }, args: () => [3], grad: [2] },
  { name: 'text round trip: parseFloat(String(x)) * x', f: (x: number) => parseFloat(String(x)) * x, args: () => [1.7], grad: [3.4] },
  // (concatenation wrote the text without the traced number's note: the derivative through it was dropped, silently)
  { name: "text by concatenation: Number('' + x) * x", f: (x: number) => Number('' + x) * x, args: () => [1.7], grad: [3.4] },
  { name: "text by concatenation: parseFloat(x + 'px') * 2, s += x", f: (x: number) => { let s = 'w='; s += x; return parseFloat(x + 'px') * 2 + Number(s.slice(2)); }, args: () => [1.7], grad: [3] },
  { name: 'sqrt(-x): the path exists', f: (x: number) => Math.sqrt(-x), args: () => [1], grad: [NaN] },
  { name: 'p[p.indexOf(Math.max(...p))] (the argmax idiom)', f: (p: number[]) => p[p.indexOf(Math.max(...p))]! * 2, args: () => [[1.5, 3.25, 2.5]], grad: [[0, 2, 0]] },
  { name: 'xs.includes(2.7), xs.lastIndexOf', f: (p: number[]) => (p.includes(2.7) ? p[0]! * p.lastIndexOf(p[1]!) : 0), args: () => [[1, 2.7, 2.7]], grad: [[2, 0, 0]] },
  { name: 'new Set(xs).size (equal values are one)', f: (p: number[]) => new Set(p).size * p[0]!, args: () => [[1, 2, 2]], grad: [[2, 0, 0]] },
  { name: 'Map keys by value', f: (p: number[]) => { const m = new Map<number, number>(); for (const v of p) m.set(v, (m.get(v) ?? 0) + v); return m.get(p[1]!)!; }, args: () => [[1, 2, 2]], grad: [[0, 1, 1]] },
  { name: 'Object.is(a[0], 1.4)', f: (a: number[]) => (Object.is(a[0], 1.4) ? a[0]! * 2 : 0), args: () => [[1.4]], grad: [[2]] },
  { name: 'structuredClone(p).x * 2', f: (p: { x: number }) => structuredClone(p).x * 2, args: () => [{ x: 3 }], grad: [{ x: 2 }] },
  { name: 'a class whose valueOf gives its field', f: (v: R) => (v as unknown as number) * 3, args: () => [new R(2)], grad: [{ r: 3 }] },
  { name: 'a class whose Symbol.toPrimitive gives its field', f: (v: P) => (v as unknown as number) * 3, args: () => [new P(2)], grad: [{ r: 3 }] },
  { name: 'sort() without a comparator: the smallest by text', f: (p: number[]) => [...p].sort()[0]! * 2, args: () => [[10, 9, 100]], grad: [[2, 0, 0]] },
  // eslint-disable-next-line no-eval
  { name: "eval('typeof x') inside f", f: (x: number) => (eval('typeof x') === 'number' ? x * 2 : 0), args: () => [1.5], grad: [2] },
  { name: 'the same object made inside f', f: (x: number) => (new R(x) as unknown as number) * 3, args: () => [2], grad: [3] },
  { name: 'a Float32Array argument', f: (v: Float32Array) => v[0]! * v[1]!, args: () => [new Float32Array([1, 2])], grad: [new Float32Array([2, 1])], compiles: false },
  { name: 'sum(abs2(x)) on a plain array', f: (x: number[]) => sum(abs2(x)), args: () => [[7, 11, 13]], grad: [[14, 22, 26]], compiles: false },
];

describe('issue 12: every repro in every API', () => {
  for (const r of repros) {
    it(r.name, () => {
      expect(gradient(r.f, ...r.args())).toEqual(r.grad);
      expect(withgradient(r.f, ...r.args()).grad).toEqual(r.grad);
      const [, back] = pullback(r.f, ...r.args());
      expect(back(1)).toEqual(r.grad);
      const g = compileGradient(r.f);
      expect(g(...r.args())).toEqual(r.grad); // (recording, or uncompiled)
      expect(g(...r.args())).toEqual(r.grad); // (generated code, or uncompiled)
      expect(g.fallback === null).toBe(r.compiles ?? true);
    });
  }
});
