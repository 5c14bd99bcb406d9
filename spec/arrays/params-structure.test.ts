// Params whose structure f changes (shrinks, grows, restructures) or that reach one array
// twice: the caller's arrays end as plain JavaScript would leave them, and gradients are
// for the parameter as it was passed in — the explicit-argument gradient.
import { describe, expect, it } from 'vitest';
import { gradient, Params } from 'zygote-ts';

type Nested = number | Nested[];
const copy = <T,>(x: T): T => structuredClone(x); // (keeps an array reached twice reached twice)
// Every place holds a plain number (no traced value, no hole).
const plain = (x: Nested[]): boolean => x.every((v, i) => i in x && (Array.isArray(v) ? plain(v) : typeof v === 'number'));

// f run as implicit parameters on `data`, and on a copy as plain JS and as an explicit argument.
function compare<T extends Nested[]>(data: T, f: (p: T) => number) {
  const js = copy(data);
  f(js);
  const explicit: unknown = gradient((p: any) => f(p), copy(data) as any)[0]; // (any: Nested is too deep for Gradients<…>)
  const gs = gradient(() => f(data), new Params([data as number[]]));
  return { gs, explicit, js };
}

describe('Params that f shortens: the caller is left what plain JavaScript leaves', () => {
  const cases: [string, Nested[], (p: any) => number][] = [
    ['pop', [3, 1, 2], (P) => P.pop() * P[0]],
    ['length = 1', [3, 1, 2], (P) => { const s = P[1] * P[2]; P.length = 1; return s * P[0]; }],
    ['shift', [3, 1, 2], (P) => P.shift() * P[1]],
    ['splice(0, 2)', [3, 1, 2], (P) => { const [a, b] = P.splice(0, 2); return a * b * P[0]; }],
    ['pop on a nested row', [[3, 1], [2]], (M) => M[0].pop() * M[1][0]],
  ];
  for (const [name, data, f] of cases) {
    it(`${name}: no undefined padding; gradient as for an explicit argument`, () => {
      const { gs, explicit, js } = compare(data, f);
      expect(data).toEqual(js);
      expect(plain(data)).toBe(true);
      expect(gs.get(data as number[])).toEqual(explicit);
    });
  }
  it('also when f throws after shortening', () => {
    const P = [3, 1, 2];
    expect(() => gradient(() => { P.pop(); P[0] = P[0]! * 2; throw new Error('stop'); }, new Params([P]))).toThrow('stop');
    expect(P).toEqual([6, 1]);
    expect(plain(P)).toBe(true);
  });
});

describe('a parameter changed between Params and the call', () => {
  it('a place that no longer holds a number is refused, naming it, and the numbers are put back', () => {
    const P: unknown[] = [1, 2];
    const ps = new Params([P as number[]]);
    P.unshift('x');
    expect(() => gradient(() => (P[1] as number) * (P[2] as number), ps)).toThrow(/parameter 0\[0\] is string, not a number/);
    expect(P).toEqual(['x', 1, 2]);
    expect(plain(P.slice(1) as number[])).toBe(true);
  });
  it('a hole (accepted by Params) stays a hole, in the parameter and in its gradient', () => {
    const P = [1, , 3] as number[]; // (a hole at 1)
    const gs = gradient(() => P[0]! * P[2]!, new Params([P]));
    const g = gs.get(P)!;
    expect(1 in g).toBe(false);
    expect([g[0], g[2]]).toEqual([3, 1]);
    gs.update(-1);
    expect(1 in P).toBe(false);
    expect([P[0], P[2]]).toEqual([-2, 2]);
  });
});

describe('Params that f grows or restructures: the gradient is for the parameter as passed in', () => {
  it('push on a row: [[3],[1]] (explicit-argument gradient), M left as plain JS leaves it', () => {
    const M = [[1], [3]];
    const { gs, explicit, js } = compare(M, (M) => { M[0]!.push(5); return M[1]![0]! * M[0]![0]!; });
    expect(gs.get(M)).toEqual([[3], [1]]);
    expect(gs.get(M)).toEqual(explicit);
    expect(M).toEqual(js);
    expect(plain(M)).toBe(true);
  });
  it('unshift: the gradient is by original position, checked against finite differences', () => {
    const f = (K: number[]) => { K.unshift(10); return K[1]! * K[1]! * 100 + K[3]! * K[2]!; };
    const K = [1, 2, 3];
    const gs = gradient(() => f(K), new Params([K]));
    expect(K).toEqual([10, 1, 2, 3]);
    const g = gs.get(K)!;
    expect(g).toHaveLength(3);
    const x0 = [1, 2, 3];
    const h = 1e-6;
    for (let i = 0; i < 3; i++) {
      const up = copy(x0), down = copy(x0);
      up[i]! += h;
      down[i]! -= h;
      expect(g[i]).toBeCloseTo((f(up) - f(down)) / (2 * h), 5);
    }
  });
  it('update refuses a parameter whose length f changed, naming it, and steps nothing', () => {
    const b = [5];
    const K = [1, 2, 3];
    const gs = gradient(() => { K.unshift(10); return K[1]! * 100 + K[3]! + b[0]! * 2; }, new Params([b, K]));
    expect(gs.get(K)).toEqual([100, 0, 1]);
    expect(() => gs.update(-0.01)).toThrow(/parameter 1 is an array of length 4 but its gradient there is an array of length 3.*push\/pop\/shift\/unshift\/splice/);
    expect(K).toEqual([10, 1, 2, 3]);
    expect(b).toEqual([5]);
  });
  it('update refuses a nested row that f grew or replaced by a number', () => {
    const M = [[1], [3]];
    const gs = gradient(() => { M[0]!.push(5); return M[1]![0]! * M[0]![0]!; }, new Params([M]));
    expect(() => gs.update(-1)).toThrow(/parameter 0\[0\] is an array of length 2/);
    expect(M).toEqual([[1, 5], [3]]);
    const N: Nested[] = [[1], [3]];
    const gn = gradient(() => { const s = (N[1] as number[])[0]! * (N[0] as number[])[0]!; N[1] = 7; return s; }, new Params([N as number[][]]));
    expect(gn.get(N as number[][])).toEqual([[3], [1]]);
    expect(() => gn.update(-1)).toThrow(/parameter 0\[1\] is a number but its gradient there is an array/);
    expect(N).toEqual([[1], 7]);
    const r1 = [1], r2 = [3];
    const R = [r1, r2];
    const gr = gradient(() => { const s = R[0]![0]! * R[1]![0]!; R[1] = R[0]!; return s; }, new Params([R]));
    expect(gr.get(R)).toEqual([[3], [1]]);
    expect(() => gr.update(-1)).toThrow(/parameter 0\[1\] is an array reached at two places whose gradients differ/);
    expect(r1).toEqual([1]);
  });
  it('in-place changes that keep the form (sort, reverse, swap, fill) still give the explicit gradient and update', () => {
    const fs: ((P: number[]) => number)[] = [
      (P) => { P.sort((a, b) => a - b); return P[0]! * 10 + P[2]!; },
      (P) => { P.reverse(); return P[0]! * P[1]!; },
      (P) => { [P[0], P[2]] = [P[2]!, P[0]!]; return P[0]! * 3 + P[1]!; },
      (P) => { const s = P[0]! * P[2]!; P.fill(0); return s + P[1]!; },
    ];
    for (const f of fs) {
      const P = [3, 1, 2];
      const { gs, explicit, js } = compare(P, f);
      expect(gs.get(P)).toEqual(explicit);
      expect(P).toEqual(js);
      const g = gs.get(P)!;
      const before = [...P];
      gs.update(-0.5);
      expect(P).toEqual(before.map((v, i) => v - 0.5 * g[i]!));
    }
  });
  it('also when f throws after growing a parameter', () => {
    const M = [[1], [3]];
    expect(() => gradient(() => { M[0]!.push(M[1]![0]! * 2); M.unshift([M[0]![0]! + 1]); throw new Error('stop'); }, new Params([M]))).toThrow('stop');
    expect(M).toEqual([[2], [1, 6], [3]]);
    expect(plain(M)).toBe(true);
  });
});

describe('Params reaching one array twice', () => {
  it('M = [row, row]: the row has one gradient, shown at both places, as for an explicit argument', () => {
    const row = [1, 2];
    const M = [row, row];
    const { gs, explicit } = compare(M, (M) => M[0]![0]! * M[1]![1]!);
    expect(gs.get(M)).toEqual([[2, 1], [2, 1]]);
    expect(gs.get(M)).toEqual(explicit);
    expect(M[0]).toBe(row);
    expect(row).toEqual([1, 2]);
  });
  it('Params([M, row]) and Params([row, M]) give both, checked against finite differences; update steps the row once', () => {
    for (const order of ['M first', 'row first']) {
      const row = [1, 2];
      const other = [3];
      const M = [row, other, row];
      const loss = () => M[0]![0]! * M[2]![1]! * M[1]![0]!;
      const ps = order === 'M first' ? [M, row] : [row, M];
      const gs = gradient(loss, new Params(ps as number[][]));
      expect(gs.get(row)).toEqual([6, 3]);
      expect(gs.get(M)).toEqual([[6, 3], [2], [6, 3]]);
      const h = 1e-6;
      for (let i = 0; i < 2; i++) {
        const was = row[i]!;
        row[i] = was + h;
        const up = loss();
        row[i] = was - h;
        const down = loss();
        row[i] = was;
        expect(gs.get(row)![i]).toBeCloseTo((up - down) / (2 * h), 6);
      }
      gs.update(-0.5);
      expect(row).toEqual([1 - 3, 2 - 1.5]); // once, though reached three times
      expect(other).toEqual([3 - 1]);
      expect(M).toEqual([row, other, row]);
      expect(M[0]).toBe(row);
    }
  });
  it('the row is restored also when f throws', () => {
    const row = [1, 2];
    const M = [row, row];
    expect(() => gradient(() => { row[0] = M[1]![1]! * 3; throw new Error('stop'); }, new Params([M, row]))).toThrow('stop');
    expect(row).toEqual([6, 2]);
    expect(plain(M)).toBe(true);
  });
});

describe('Grads.plus of gradients taken before and after a parameter was resized', () => {
  it('is refused, naming the parameter, instead of dropping or NaN-ing places', () => {
    const P = [1, 2];
    const ps = new Params([P]);
    const g1 = gradient(() => P[0]! * P[1]!, ps);
    P.push(3);
    const g2 = gradient(() => P[0]! * P[1]! * P[2]!, ps);
    expect(() => g1.plus(g2)).toThrow(/parameter 0's two gradients have different forms/);
    expect(() => g2.plus(g1)).toThrow(/parameter 0's two gradients have different forms/);
    expect(g2.plus(g2).get(P)).toEqual([12, 6, 4]); // same form: still added
  });
});

describe('Grads.plus of gradients of different Params', () => {
  // (g1.plus(g2) kept g1's parameters only: b's gradient, which g2 alone had, was dropped)
  it('is refused both ways, as Zygote refuses it; the same Params in another order still add', () => {
    const W = [1, 2];
    const b = [3];
    const g1 = gradient(() => W[0]! * W[1]!, new Params([W]));
    const g2 = gradient(() => W[0]! * b[0]!, new Params([W, b]));
    expect(() => g1.plus(g2)).toThrow(/Grads\.plus: the two Grads are of different Params \(parameter 1 of the second is not one of the first's\)/);
    expect(() => g2.plus(g1)).toThrow(/different Params \(a parameter of the first is not one of the second's\)/);
    expect(() => g1.minus(g2)).toThrow(/different Params/);
    const g3 = gradient(() => W[1]! * b[0]!, new Params([b, W]));
    const sum = g2.plus(g3);
    expect(sum.get(W)).toEqual([3, 3]);
    expect(sum.get(b)).toEqual([3]);
  });
});
