// compileGradient on array code: the same gradients as the eager sweep, computed by calls
// of the array operations' own forward and backward, with dead forward work dropped.
import { describe, expect, it } from 'vitest';
import {
  add, array, checkpointed, compileGradient, kernels, useKernels, concat, cumsum, rule, gradient, logsumexp, matmul, map, mean, mul, NDArray, prod, rand, reshape, slice, softmax, stack, sub, sum, tanh, transpose,
} from 'zygote-ts';

/** Compiles f, checks it against the eager gradient at each point, returns it. */
function agrees(f: (...args: any[]) => number, points: unknown[][]) {
  const compiled = compileGradient(f);
  for (const args of points) {
    const got = compiled(...args) as unknown[];
    const want = gradient(f, ...args) as unknown[];
    want.forEach((w, k) => {
      if (w instanceof NDArray) {
        const g = got[k] as NDArray;
        expect(g).toBeInstanceOf(NDArray);
        expect(g.shape).toEqual(w.shape);
        expect(g.dtype).toBe(w.dtype);
        g.data.forEach((v, i) => expect(Math.abs(v - w.data[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(w.data[i]!))));
      } else if (Array.isArray(w)) {
        (w as number[]).forEach((x, i) => expect((got[k] as number[])[i]).toBeCloseTo(x, 12));
      } else {
        expect(got[k]).toBeCloseTo(w as number, 12);
      }
    });
  }
  expect(compiled.fallback).toBeNull();
  return compiled;
}

const seeded = (shape: number[], seed: number, dtype: 'float64' | 'float32' = 'float64') => rand(...shape, { seed, dtype });

describe('compileGradient on arrays', () => {
  it('an MLP with a broadcast bias, tanh and a mean squared error (W3, small)', () => {
    const X = seeded([8, 5], 1);
    const Y = seeded([8, 3], 2);
    const loss = (W1: NDArray, b1: NDArray, W2: NDArray, b2: NDArray) => {
      const h = tanh(add(matmul(X, W1), b1));
      const d = sub(add(matmul(h, W2), b2), Y);
      return sum(mul(d, d)) / Y.size;
    };
    const params = (s: number) => [seeded([5, 4], s), seeded([4], s + 1), seeded([4, 3], s + 2), seeded([3], s + 3)];
    const g = agrees(loss, [params(10), params(20)]);
    expect(g.recordings).toBe(1);
  });

  it('drops the forward product of sum(A·B): only the two backward products run (W4)', () => {
    const sumOfProduct = (A: NDArray, B: NDArray) => sum(matmul(A, B));
    const g = agrees(sumOfProduct, [[seeded([6, 4], 1), seeded([4, 5], 2)], [seeded([6, 4], 3), seeded([4, 5], 4)]]);
    const lines = g.source.split('\n').filter((line) => line.includes('= P[') && line.includes('// matmul'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\/\/ matmul: backward \(array operation (\d+)\)/);
    // (the notes atop the source name the user's line of each array operation)
    const k = /array operation (\d+)/.exec(lines[0]!)![1];
    expect(g.source).toMatch(new RegExp(`//   ${k}: matmul: backward at .*arrays\\.test\\.ts:\\d+`));
  });

  it('slices, joins, reshapes, transposes, reductions, softmax, cumsum and scalar arithmetic on results', () => {
    const rosenbrock = (x: NDArray) => {
      const n = x.size;
      const a = slice(x, 0, n - 1);
      const b = slice(x, 1, n);
      return sum(add(mul(100, mul(sub(b, mul(a, a)), sub(b, mul(a, a)))), mul(sub(1, a), sub(1, a))));
    };
    agrees(rosenbrock, [[seeded([50], 1)], [seeded([50], 2)]]);
    agrees((m: NDArray) => mean(transpose(reshape(m, [3, 4]))) * logsumexp(m) + sum(softmax(m)) ** 2, [[seeded([12], 5)]]);
    agrees((a: NDArray, s: number) => sum(mul(a, a)) * s + s * s, [[seeded([4], 6), 1.5], [seeded([4], 7), -2]]);
    agrees((a: NDArray, b: NDArray) => sum(mul(concat([a, b]), concat([cumsum(b, 1), a]))) + sum(mul(stack([a, b]), stack([b, a]))), [
      [seeded([2, 3], 8), seeded([2, 3], 9)],
    ]);
  });

  it('passes numbers computed in a loop to array operations', () => {
    const f = (x: NDArray, v: number[]) => {
      let s = 0;
      for (const a of v) s += Math.sin(a) * a; // rerolled into a loop
      return sum(mul(x, s)) * s;
    };
    const v = Array.from({ length: 40 }, (_, i) => i / 10);
    agrees(f, [[seeded([3], 1), v], [seeded([3], 2), v.map((a) => a + 0.5)]]);
  });

  it('keeps float32 arrays float32, gradients included', () => {
    const f = (W: NDArray) => sum(tanh(matmul(seeded([3, 4], 1, 'float32'), W)));
    const g = agrees(f, [[seeded([4, 2], 2, 'float32')]]);
    expect((g(seeded([4, 2], 3, 'float32')) as NDArray[])[0]!.dtype).toBe('float32');
  });

  it('records again for arrays of another shape or dtype', () => {
    const g = compileGradient((x: NDArray) => sum(mul(x, x)));
    g(array([1, 2, 3]));
    g(array([4, 5, 6]));
    expect(g.recordings).toBe(1);
    expect((g(array([1, 2])) as NDArray[])[0]!.toArray()).toEqual([2, 4]);
    expect((g(array([1, 2], { dtype: 'float32' })) as NDArray[])[0]!.dtype).toBe('float32');
    expect(g.recordings).toBe(3);
  });

  it('names the user\'s line in the stack of an error thrown inside compiled code', () => {
    const g = compileGradient((A: NDArray, B: NDArray) => sum(matmul(A, B)));
    g(seeded([3, 3], 1), seeded([3, 3], 2));
    const previous = useKernels({ ...kernels(), matmul: () => { throw new Error('kernel failed'); } });
    try {
      expect(() => g(seeded([3, 3], 3), seeded([3, 3], 4))).toThrow(/kernel failed/);
      try {
        g(seeded([3, 3], 3), seeded([3, 3], 4));
      } catch (e) {
        const frames = (e as Error).stack!.split('\n');
        expect(frames[1]).toMatch(/arrays\.test\.ts:\d+:\d+/);
      }
    } finally {
      useKernels(previous);
    }
  });

  it('runs uncompiled, saying why, where it cannot follow the arrays', () => {
    const reads = compileGradient((x: NDArray) => x.get(0) * 2);
    expect(reads(array([3, 4]))[0]!.toArray()).toEqual([2, 0]);
    expect(reads.fallback).toMatch(/reads single elements of an array/);
    const maps = compileGradient((x: NDArray) => sum(map((v: number) => v * v, x)));
    expect(maps(array([3, 4]))[0]!.toArray()).toEqual([6, 8]);
    expect(maps.fallback).toMatch(/no compiled form yet \(map\)/);
  });

  // (found by hand: a checkpointed function or a rule's own function got the traced scalar
  // argument as the recording's symbolic number, which array operations took for an object:
  // NaN, then an error where the eager gradient works)
  it('runs uncompiled, with the eager gradient, where a checkpointed function or a rule mixes an array and a traced number', () => {
    const scale = rule((v: NDArray, s: number) => mul(v, s), (v: NDArray, s: number) => [mul(v, s), (dy: NDArray) => [mul(dy, s), sum(mul(dy, v))]]);
    const fs: ((x: NDArray) => number)[] = [
      (x) => sum(checkpointed((h: NDArray, s: number) => mul(tanh(h), s), x, sum(x))),
      (x) => checkpointed((h: NDArray, s: number) => sum(mul(tanh(h), s)), x, sum(x)),
      (x) => sum(scale(x, sum(x))),
    ];
    for (const f of fs) {
      const g = compileGradient(f);
      for (const x of [array([0.1, -0.4]), array([0.7, 0.2])]) expect(g(x)[0]!.toArray()).toEqual((gradient(f, x)[0] as NDArray).toArray());
      expect(g.fallback).toMatch(/no compiled form yet/);
    }
  });

  it('and where such a function makes an array of that number (array([s, …]), a nested array, map)', () => {
    const sq = rule((s: number) => sum(mul(array([s, 2 * s]), array([s, 2 * s]))), (s: number) => {
      const v = array([s, 2 * s]);
      return [sum(mul(v, v)), (dy: number) => [dy * 10 * s]];
    });
    const fs: ((s: number) => number)[] = [
      (s) => sq(s) * 2,
      (s) => checkpointed((a: number) => sum(mul(array([a, a * 3]), 2)), s),
      (s) => checkpointed((a: number) => sum(matmul([[a, 1]], array([2, 3]))), s),
      (s) => checkpointed((a: number) => sum(map((v: number) => v * a, array([1, 2]))), s),
      (s) => checkpointed((a: number) => sum(map(() => a, array([1, 2]))), s),
    ];
    for (const f of fs) {
      const g = compileGradient(f);
      for (const s of [0.7, 0.3]) expect(g(s)).toEqual(gradient(f, s));
      expect(g.fallback).toMatch(/no compiled form yet/);
    }
  });

  // (found by hand: the recording read the first call's numbers through x.data or toArray, and
  // compiled code kept them: g(array([3, 4])) after g(array([1, 2])) gave [6, 8], not [18, 24])
  it('runs uncompiled where f reads the numbers of an array (data, toArray, JSON, its text), which compiled code would keep', () => {
    const readers: [string, (x: NDArray) => number][] = [
      ['NDArray.data', (x) => x.data[0]!],
      ['NDArray.toArray', (x) => x.toArray()[0]],
      ['NDArray.toFloat64Array', (x) => x.toFloat64Array()[0]!],
      ['NDArray.toFloat32Array', (x) => x.toFloat32Array()[0]!],
      ['JSON.stringify', (x) => JSON.parse(JSON.stringify(x))[0]],
      ['NDArray.toString', (x) => Number(/\[(-?[\d.]+)/.exec(`${x}`)![1])],
    ];
    for (const [how, first] of readers) {
      const f = (x: NDArray) => sum(mul(x, x)) * first(x);
      const g = compileGradient(f);
      for (const d of [[1, 2], [3, 4], [-5, 0.5]]) {
        const got = (g(array(d))[0] as NDArray).data;
        // (the number read is a constant for f: its derivative is lost, as the eager gradient warns)
        const c = d[0]!;
        const h = 1e-6;
        const fd = d.map((_, i) => {
          const up = d.map((v, j) => (j === i ? v + h : v));
          const down = d.map((v, j) => (j === i ? v - h : v));
          return ((up[0]! ** 2 + up[1]! ** 2) * c - (down[0]! ** 2 + down[1]! ** 2) * c) / (2 * h);
        });
        fd.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
        expect(Array.from(got)).toEqual(Array.from((gradient(f, array(d))[0] as NDArray).data));
      }
      expect(g.fallback).toContain(`reads the numbers of an array as plain numbers (${how})`);
    }
  });

  // (found by hand: compiled code called every backward, where the eager sweep passes over a
  // node whose cotangent is 0 or all zeros — matmul's backward of zeros by an infinite element
  // made NaN where the eager gradient has 0)
  it('passes over an operation whose cotangent is zero, as the eager sweep does', () => {
    const scaled = (A: NDArray, s: number) => s * sum(matmul(A, A));
    const weighted = (A: NDArray, w: NDArray) => sum(mul(w, matmul(A, A)));
    const inf = () => array([[Infinity, 1], [2, 3]]);
    for (const fuse of [true, false]) {
      const g = compileGradient(scaled, { fuse });
      const h = compileGradient(weighted, { fuse });
      for (let k = 0; k < 2; k++) {
        expect(g(seeded([2, 2], 1), 2)).toEqual(gradient(scaled, seeded([2, 2], 1), 2));
        expect(h(seeded([2, 2], 1), seeded([2, 2], 2))).toEqual(gradient(weighted, seeded([2, 2], 1), seeded([2, 2], 2)));
      }
      const zeros = array([[0, 0], [0, 0]]);
      expect((gradient(scaled, inf(), 0) as [NDArray, number])[0].toArray()).toEqual([[0, 0], [0, 0]]);
      expect((g(inf(), 0) as [NDArray, number])[0].toArray()).toEqual([[0, 0], [0, 0]]);
      expect(g(inf(), 0)).toEqual(gradient(scaled, inf(), 0));
      expect(h(inf(), zeros)).toEqual(gradient(weighted, inf(), zeros));
      expect(g.recordings + h.recordings).toBe(2);
    }
  });
});
