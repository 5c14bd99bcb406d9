// Values and documented choices of the array operations: kinks, ties, zeros, stability,
// and nested JavaScript arrays as operands.
import { describe, expect, it } from 'vitest';
import {
  __zy, array, broadcastTo, concat, cumsum, get, gradient, logsumexp, max, maximum, mean, min, minimum, mul, NDArray, prod, relu, row, sigmoid,
  reshape, slice, softmax, stack, sum, sumsq, abs2, withgradient, zeros, ones, rand, add, jacfwd, jacobian, jvp,
} from 'zygote-ts';

const M = __zy.Math as unknown as Record<string, (...xs: unknown[]) => NDArray>;
const nested = (x: unknown) => (x instanceof NDArray ? x.toArray() : x);
const grads = (gs: unknown[]) => gs.map(nested);

describe('elementwise kinks and ties', () => {
  it('relu has derivative 0 at 0, on numbers and arrays', () => {
    expect(gradient((x: number) => relu(x), 0)).toEqual([0]);
    expect(grads(gradient((x: NDArray) => sum(relu(x)), array([-1, 0, 2])))).toEqual([[0, 0, 1]]);
    expect(relu(array([-1, 0, 2, -0])).toArray()).toEqual([0, 0, 2, 0]);
  });

  it('unary minus flips the sign of a zero, as JavaScript does for numbers (1 / -x at 0 is -Infinity)', () => {
    const negate = (x: any): NDArray => -x as any; // (the operator, rewritten)
    const reciprocalOfNegation = (x: any): NDArray => (1 / -x) as any;
    const numbers = [0, -0, 2];
    for (const dtype of ['float64', 'float32'] as const) {
      const x = array(numbers, { dtype });
      expect(Array.from(negate(x).data)).toEqual(numbers.map((v) => -v)); // (toEqual tells -0 from 0)
      expect(Array.from(reciprocalOfNegation(x).data)).toEqual(numbers.map((v) => 1 / -v));
      expect(withgradient((y: NDArray) => min(reciprocalOfNegation(y)), x).val).toBe(-Infinity);
    }
  });

  it('sigmoid does not overflow and has σ(1-σ) as derivative', () => {
    expect(sigmoid(array([-800, 0, 800])).toArray()).toEqual([0, 0.5, 1]);
    expect(gradient((x: number) => sigmoid(x), 0)).toEqual([0.25]);
    expect(grads(gradient((x: NDArray) => sum(sigmoid(x)), array([-800, 800])))).toEqual([[0, 0]]);
  });

  it('abs2 and sumsq', () => {
    expect(abs2(array([-2, 3])).toArray()).toEqual([4, 9]);
    expect(sumsq([[1, 2], [3, 4]])).toBe(30);
    expect(grads(gradient((x: NDArray) => sumsq(x), array([1, -2])))).toEqual([[2, -4]]);
  });

  it('sumsq along an axis is one sum of squares per group (the axis was ignored: the total came back)', () => {
    const x = array([[1, 2, 3], [4, 5, 6]]);
    expect(sumsq(x, 0).toArray()).toEqual([17, 29, 45]);
    expect(sumsq(x, -1).toArray()).toEqual([14, 77]);
    const weights = array([1, 2]);
    expect(grads(gradient((x: NDArray) => sum(mul(sumsq(x, 1), weights)), x))).toEqual([[[2, 4, 6], [16, 20, 24]]]);
  });

  it('maximum and minimum split a tie between the operands, as Math.max does for numbers', () => {
    const a = array([1, 2, 3]);
    const b = array([1, 0, 3]);
    // (each element as the scalar rule gives it: Math.max of the two numbers)
    const elementwise = (pick: (p: number, q: number) => number) =>
      [0, 1, 2].map((k) => gradient(pick, a.toArray()[k] as number, b.toArray()[k] as number) as number[]);
    const columns = (rows: number[][]) => [rows.map((r) => r[0]!), rows.map((r) => r[1]!)];
    expect(grads(gradient((x: NDArray, y: NDArray) => sum(maximum(x, y)), a, b))).toEqual(columns(elementwise(Math.max)));
    expect(grads(gradient((x: NDArray, y: NDArray) => sum(minimum(x, y)), a, b))).toEqual(columns(elementwise(Math.min)));
    expect(grads(gradient((x: NDArray, y: NDArray) => sum(M.max!(x, y)), a, b))).toEqual(columns(elementwise(Math.max)));
    expect(gradient((x: number, y: number) => maximum(x, y), 2, 2)).toEqual(gradient(Math.max, 2, 2));
    // broadcast: the scalar collects the cotangent of every element it won, and half of a tie
    expect(grads(gradient((x: NDArray, s: number) => sum(maximum(x, s)), a, 2))).toEqual([[0, 0.5, 1], 1.5]);
  });

  it('max and min of an array share a tie among the tied elements, as Math.max(...xs) does', () => {
    for (const xs of [[1, 3, 2, 3], [2, 2, 2], [-0, 0, -1], [1, NaN, 3, NaN]]) {
      expect(nested(gradient((x: NDArray) => max(x), array(xs))[0]), `max ${xs}`).toEqual(gradient((v: number[]) => Math.max(...v), xs)[0]);
      expect(nested(gradient((x: NDArray) => min(x), array(xs))[0]), `min ${xs}`).toEqual(gradient((v: number[]) => Math.min(...v), xs)[0]);
    }
  });

  it('a NaN operand is chosen (as for numbers)', () => {
    const [ga, gb] = gradient((x: NDArray, y: NDArray) => sum(maximum(x, y)), array([NaN, 1]), array([0, NaN]));
    expect(nested(ga)).toEqual([1, 0]);
    expect(nested(gb)).toEqual([0, 1]);
    expect(maximum(array([NaN, 1]), array([0, NaN])).toArray()).toEqual([NaN, NaN]);
  });

  // (the scalar rules' edges held on numbers only: on arrays they gave NaN there)
  it('the edges of ** and hypot hold element by element, as for numbers', () => {
    const pow = (a: unknown, b: unknown) => __zy.pow(a, b) as NDArray;
    const zeroToOne = array([0, 1]);
    expect(grads(gradient((x: NDArray) => sum(pow(x, 0)), zeroToOne))).toEqual([[0, 0]]); // ∂(x**0)/∂x = 0, 0 included
    expect(grads(gradient((y: NDArray) => sum(pow(0, y)), array([2, 0.5])))).toEqual([[0, 0]]); // ∂(0**y)/∂y = 0 for y > 0
    const [gx, gy] = grads(gradient((x: NDArray, y: NDArray) => sum(pow(x, y)), zeroToOne, array([2, 3]))) as number[][];
    expect([gx, gy[0]]).toEqual([[0, 3], 0]);
    expect(gy[1]).toBe(0); // (1**y: log 1 = 0)
    const h = grads(gradient((x: NDArray, y: NDArray) => sum(M['hypot']!(x, y)), zeroToOne, zeroToOne)) as number[][];
    expect(h[0]![0]).toBe(0);
    expect(h[0]![1]).toBeCloseTo(Math.SQRT1_2, 15);
    // and away from the edges, the chain rule's values: ∂(x**y)/∂y = x**y·log x
    const [, gy2] = grads(gradient((x: NDArray, y: NDArray) => sum(pow(x, y)), array([2, 3]), array([2, 0.5]))) as number[][];
    expect(gy2[0]).toBeCloseTo(4 * Math.log(2), 14);
    expect(gy2[1]).toBeCloseTo(Math.sqrt(3) * Math.log(3), 14);
  });

  it('Math.hypot of one array or of three is elementwise too (it was NaN)', () => {
    const x = array([3, 5]);
    const y = array([4, 12]);
    expect(nested(M['hypot']!(x, y, 0))).toEqual([5, 13]);
    expect(nested(M['hypot']!(x))).toEqual([3, 5]);
    expect(grads(gradient((v: NDArray) => sum(M['hypot']!(v, y, 0)), x))).toEqual([[3 / 5, 5 / 13]]);
  });

  it('Math.max/Math.min of arrays are elementwise and broadcast', () => {
    expect(M.max!(array([[1, 5]]), array([3, 2])).toArray()).toEqual([[3, 5]]);
    expect(M.min!(array([1, 5]), 2, array([0, 9])).toArray()).toEqual([0, 2]);
    expect(Math.max(1, 2)).toBe(2);
    // the global Math in rewritten code is the runtime's: arrays go elementwise there too
    const [ga] = gradient((a: NDArray) => sum(Math.max(a as unknown as number, 0) as unknown as NDArray), array([-1, 2]));
    expect(nested(ga)).toEqual([0, 1]);
  });
});

describe('operators on arrays that are not arithmetic', () => {
  // (as the README's Operators says: the bit operators are elementwise with derivative 0;
  // comparisons, unary + and ++ keep JavaScript's meaning)
  it('bit operators map the elements; comparisons and unary + see the array as JavaScript does', () => {
    const A: any = array([1, 2, 3.7]);
    const B: any = array([2, 1, 0]);
    expect(((A | 0) as any).toArray()).toEqual([1, 2, 3]);
    expect((~A as any).toArray()).toEqual([-2, -3, -4]);
    expect(((A << 1) as any).toArray()).toEqual([2, 4, 6]);
    expect(A < B).toBe(String(A) < String(B));
    expect(+A).toBeNaN();
    let C: any = A;
    C++;
    expect(C).toBeNaN();
    expect(grads(gradient((x: any) => sum(mul(x | 0, x)), A))).toEqual([[1, 2, 3]]);
  });
});

describe('reductions', () => {
  const x = array([[1, 2, 3], [4, 5, 6]]);
  // (numpy's keepdims, sum(x, 1, true), was dropped: [6, 15] where [[6], [15]] was asked; and
  // [x, x].map(sum) summed the second along axis 1, its index: [21, [6, 15]])
  it('refuse arguments past their own, as a callback of map too', () => {
    const call = (f: Function, ...args: unknown[]) => () => f(...args);
    for (const f of [sum, mean, prod, max, min, sumsq, logsumexp]) {
      expect(call(f, x, 1, true)).toThrow(new RegExp(`^zygote-ts: ${f.name}\\(x, axis\\) takes 2 arguments at most, got 3: .*keepdims is not taken`));
    }
    expect(() => [x, x].map(sum as (a: NDArray) => number)).toThrow(/got 3.*write xs\.map\(\(x\) => sum\(x\)\)/);
    expect(call(softmax, x, 1, 1)).toThrow(/softmax\(x, axis\) takes 2 arguments at most, got 3/);
    expect(call(cumsum, x, 1, 'float32')).toThrow(/cumsum\(x, axis\) takes 2 arguments at most/);
    expect(call(slice, x, 0, 2, 1)).toThrow(/slice\(x, start, end\) takes 3 arguments at most, got 4/);
    expect(call(concat, [x, x], 0, 1)).toThrow(/concat\(arrays, axis\) takes 2/);
    expect(call(stack, [x, x], 0, 1)).toThrow(/stack\(arrays, axis\) takes 2/);
    expect(call(row, x, 0, 1)).toThrow(/row\(x, i\) takes 2/);
    // (their own arguments as before; functions that reduce over a list, add and matmul, take a callback's extra ones)
    expect((sum(x, 1) as NDArray).toArray()).toEqual([6, 15]);
    expect([x, x, x].reduce(add as (a: NDArray, b: NDArray) => NDArray).toArray()).toEqual([[3, 6, 9], [12, 15, 18]]);
  });

  it('over all elements give numbers, over an axis arrays without it', () => {
    expect(sum(x)).toBe(21);
    expect(sum(x, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(x, -1).toArray()).toEqual([6, 15]);
    expect(mean(x)).toBe(3.5);
    expect(mean(x, 1).toArray()).toEqual([2, 5]);
    expect(prod(x, 0).toArray()).toEqual([4, 10, 18]);
    expect(max(x)).toBe(6);
    expect(min(x, 1).toArray()).toEqual([1, 4]);
    expect(sum(reshape(array([1, 2, 3, 4]), [1, 2, 2]), 1).toArray()).toEqual([[4, 6]]);
  });

  it('sum over all elements is traced inside a differentiation', () => {
    expect(grads(gradient((y: NDArray) => sum(y) ** 2, x))).toEqual([[[42, 42, 42], [42, 42, 42]]]);
  });

  it('prod: the gradient is exact with zeros', () => {
    expect(grads(gradient((y: NDArray) => prod(y), array([2, 0, 3])))).toEqual([[0, 6, 0]]);
    expect(grads(gradient((y: NDArray) => prod(y), array([0, 0, 3])))).toEqual([[0, 0, 0]]);
    expect(grads(gradient((y: NDArray) => sum(prod(y, 1)), array([[0, 2], [3, 4]])))).toEqual([[[2, 0], [4, 3]]]);
    expect(prod(array([]))).toBe(1);
  });

  it('prod, sumsq, logsumexp, softmax: an infinite element gives no NaN where a tangent or cotangent is zero (as the scalar product)', () => {
    // ∂(x₀·x₁)/∂x₀ at (∞, 2) is 2 (x[0] * x[1] on numbers gives it, both modes); a row that does
    // not hold an element has derivative 0 in it, not 0·∞ = NaN
    const x = array([[Infinity, 2], [3, 4]]);
    expect(grads(jacfwd((y: NDArray) => prod(y, 1), x))).toEqual([[[2, Infinity, 0, 0], [0, 0, 4, 3]]]);
    expect(grads(jacobian((y: NDArray) => prod(y, 1), x))).toEqual([[[2, Infinity, 0, 0], [0, 0, 4, 3]]]);
    expect(jvp((y: NDArray) => prod(y), [array([Infinity, 2])], [array([1, 0])])).toEqual([Infinity, 2]);
    expect(jvp((y: number[]) => y[0]! * y[1]!, [[Infinity, 2]], [[1, 0]])).toEqual([Infinity, 2]);
    // sumsq alike: 2·x·0 is 0 at x = ∞
    expect(grads(jacfwd((y: NDArray) => sumsq(y, 1), x))).toEqual([[[Infinity, 4, 0, 0], [0, 0, 6, 8]]]);
    expect(grads(jacobian((y: NDArray) => sumsq(y, 1), x))).toEqual([[[Infinity, 4, 0, 0], [0, 0, 6, 8]]]);
    expect(jvp((y: NDArray) => sumsq(y), [array([Infinity, 2])], [array([0, 1])])).toEqual([Infinity, 4]);
    // logsumexp and softmax along an axis: row 0 holds +∞ (its own derivatives NaN), row 1 does
    // not depend on it, nor row 0 on row 1
    const [a, b] = [Math.exp(3) / (Math.exp(3) + Math.exp(4)), Math.exp(4) / (Math.exp(3) + Math.exp(4))];
    for (const J of [jacfwd((y: NDArray) => logsumexp(y, 1), x)[0], jacobian((y: NDArray) => logsumexp(y, 1), x)[0]]) {
      const rows = nested(J) as number[][];
      expect(rows[0]!.slice(2)).toEqual([0, 0]);
      expect(rows[1]![0]).toBe(0);
      expect(rows[1]![1]).toBe(0);
      expect(rows[1]![2]).toBeCloseTo(a, 14);
      expect(rows[1]![3]).toBeCloseTo(b, 14);
    }
    for (const J of [jacfwd((y: NDArray) => reshape(softmax(y, 1), [4]), x)[0], jacobian((y: NDArray) => reshape(softmax(y, 1), [4]), x)[0]]) {
      const rows = nested(J) as number[][];
      expect(rows.slice(0, 2).map((r) => r.slice(2))).toEqual([[0, 0], [0, 0]]);
      expect(rows.slice(2).map((r) => r.slice(0, 2))).toEqual([[0, 0], [0, 0]]);
      expect(rows[2]![2]).toBeCloseTo(a * b, 14);
    }
  });

  it('prod: derivatives of every order (2u³ has 12u, 12, then 0)', () => {
    const d = (f: (s: number) => number) => (s: number) => (gradient(f, s) as number[])[0] ?? 0;
    const d2 = d(d((u: number) => prod([u, u, u, 2])));
    expect(d2(1.5)).toBeCloseTo(12 * 1.5, 12);
    expect(d(d2)(1.5)).toBeCloseTo(12, 12);
    expect(d(d(d2))(1.5)).toBe(0);
    // the same with a zero among the factors: Π(u, u, u, 0, 2) is 0 to every order
    expect(d(d(d((u: number) => prod([u, u, u, 0, 2]))))(1.5)).toBe(0);
  });

  it('prod: a Hessian-vector product scaled by an outer variable (three tapes, exact at a zero)', () => {
    // F(θ) = uᵀ ∇ₓ[θ · wᵀ∇prod(x)] = θ · uᵀHw, so F′(θ) = uᵀHw with H_ij = Π_{k∉{i,j}} x_k.
    const x = array([1.5, 0, 0.5, 3]);
    const u = array([0.3, -1, 2, 0.5]);
    const w = array([1, 0.25, -0.5, 2]);
    const F = (θ: number) =>
      sum(mul(u, gradient((y: NDArray) => θ * sum(mul(w, gradient((z: NDArray) => prod(z), y)[0] as NDArray)), x)[0] as NDArray));
    let expected = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        if (i === j) continue;
        let p = 1;
        for (let k = 0; k < 4; k++) if (k !== i && k !== j) p *= x.data[k]!;
        expected += u.data[i]! * p * w.data[j]!;
      }
    }
    expect(gradient(F, 0.7)[0]).toBeCloseTo(expected, 12);
  });

  it('max/min give the cotangent to the extreme element, shared by elements tied for it', () => {
    expect(grads(gradient((y: NDArray) => max(y), array([1, 3, 3])))).toEqual([[0, 0.5, 0.5]]);
    expect(grads(gradient((y: NDArray) => sum(max(y, 0)), array([[1, 7], [1, 2]])))).toEqual([[[0.5, 1], [0.5, 0]]]);
    expect(grads(gradient((y: NDArray) => min(y), array([2, 1, 1])))).toEqual([[0, 0.5, 0.5]]);
    expect(max(array([1, NaN, 3]))).toBeNaN();
  });

  it('logsumexp is stable and softmax normalises', () => {
    expect(logsumexp(array([1000, 1000]))).toBeCloseTo(1000 + Math.log(2), 10);
    expect(logsumexp(array([-1000, -1000]))).toBeCloseTo(-1000 + Math.log(2), 10);
    expect(logsumexp(array([-Infinity, -Infinity]))).toBe(-Infinity);
    expect(grads(gradient((y: NDArray) => logsumexp(y), array([1000, 1000])))).toEqual([[0.5, 0.5]]);
    const s = softmax(array([[1000, 1001, 1002], [-5, 0, 5]]));
    expect(sum(s, 1).toArray().map((v: number) => +v.toFixed(12))).toEqual([1, 1]);
    expect(s.data.every((v) => Number.isFinite(v))).toBe(true);
    expect(softmax(array([[1, 2], [3, 5]]), 0).get(0, 0)).toBeCloseTo(1 / (1 + Math.exp(2)), 12);
  });

  it('cumsum flattens without an axis (as numpy)', () => {
    expect(cumsum(array([1, 2, 3])).toArray()).toEqual([1, 3, 6]);
    expect(cumsum(array([[1, 2], [3, 4]])).toArray()).toEqual([1, 3, 6, 10]);
    expect(cumsum(array([[1, 2], [3, 4]]), 0).toArray()).toEqual([[1, 2], [4, 6]]);
    expect(cumsum(array([[1, 2], [3, 4]]), -1).toArray()).toEqual([[1, 3], [3, 7]]);
    expect(grads(gradient((y: NDArray) => sum(cumsum(y)), array([[1, 2], [3, 4]])))).toEqual([[[4, 3], [2, 1]]]);
  });
});

describe('joining and cutting', () => {
  const a = array([[1, 2], [3, 4]]);
  it('values', () => {
    expect(concat([a, array([[5, 6]])]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([a, a], 1).toArray()).toEqual([[1, 2, 1, 2], [3, 4, 3, 4]]);
    expect(stack([array([1, 2]), array([3, 4])]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(stack([array([1, 2]), array([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
    expect(slice(array([1, 2, 3, 4]), 1, 3).toArray()).toEqual([2, 3]);
    expect(slice(a, -1).toArray()).toEqual([[3, 4]]);
    expect(slice(a, 1, 1).shape).toEqual([0, 2]);
    expect(row(a, 1).toArray()).toEqual([3, 4]);
    expect(a.get(1, 0)).toBe(3);
  });

  it('a gradient reaches each joined operand, and the rows that were cut', () => {
    const [ga, gb] = gradient((x: NDArray, y: NDArray) => sum(concat([x, y, x])), array([1, 2]), array([3]));
    expect([nested(ga), nested(gb)]).toEqual([[2, 2], [1]]);
    expect(grads(gradient((x: NDArray) => sum(row(x, 0)) + 10 * sum(slice(x, 1)), a))).toEqual([[[1, 1], [10, 10]]]);
  });

  // (x.get(i) refused a traced index as out of bounds: a table lookup at Math.floor(x) threw
  // where plain JavaScript reads the element)
  it('get reads an element at a traced index, as slice and row do: the index gets no derivative', () => {
    const table = array([0, 1, 4, 9, 16]);
    const lerp = (x: number) => {
      const i = Math.floor(x);
      const t = x - i;
      return table.get(i) * (1 - t) + get(table, i + 1) * t;
    };
    const plain = (x: number) => [0, 1, 4, 9, 16][Math.floor(x)]! * (1 - (x - Math.floor(x))) + [0, 1, 4, 9, 16][Math.floor(x) + 1]! * (x - Math.floor(x));
    const h = 1e-6;
    for (const x of [0.5, 2.25, 3.75]) {
      const { val, grad } = withgradient(lerp, x);
      expect(val).toBe(plain(x));
      expect(grad[0]).toBeCloseTo((plain(x + h) - plain(x - h)) / (2 * h), 6);
    }
    const [gT] = gradient((T: NDArray, x: number) => T.get(Math.floor(x), Math.round(x) - 2) * x, a, 1.5);
    expect(nested(gT)).toEqual([[0, 0], [1.5, 0]]); // (element (1, 0): floor(1.5), round(1.5) - 2)
  });

  // (a traced length was taken for a traced number in the array's storage: "an array operation
  // found a traced number in an NDArray's storage", where plain JavaScript reshapes)
  // (the NDArray constructor kept the caller's array: `s[0] = 3` after `new NDArray(s, data)` gave
  // the array shape [3, 3] over 6 numbers, and its sum read past them as undefined: NaN)
  it("new NDArray keeps no reference to the caller's shape array", () => {
    const s = [2, 3];
    const a = new NDArray(s, Float64Array.of(1, 2, 3, 4, 5, 6));
    s[0] = 3;
    expect([a.shape, a.size, sum(a)]).toEqual([[2, 3], 6, 21]);
  });

  it("broadcastTo keeps no reference to the caller's shape array (changing it later changes nothing)", () => {
    // (the result of broadcastTo(array([1]), s) had shape s itself: s[0] = 2 made it [2] over 3 elements;
    // in a differentiation the recorded step kept it too, and the forward saw the new shape)
    const s = [3];
    const b = broadcastTo(array([1]), s);
    s[0] = 2;
    expect([b.shape, b.toArray()]).toEqual([[3], [1, 1, 1]]);
    const t = [3];
    const f = (x: NDArray) => {
      const y = broadcastTo(x, t);
      t[0] = 2;
      return sum(mul(y, array([1, 2, 3])));
    };
    expect(grads(gradient(f, array([1])))).toEqual([[6]]);
    // (a traced length is read as its number, as reshape's: it was refused as storage)
    const g = (x: number) => sum(broadcastTo(array([1, 2]), [Math.round(x), 2])) * x;
    expect(withgradient(g, 3.2)).toEqual({ val: g(3.2), grad: [9] });
  });

  it('reshape takes a traced length as its number, as get takes an index', () => {
    const data = [1, 2, 3, 4, 5, 6];
    const A = array(data);
    const f = (x: number) => sum(row(reshape(A, [Math.floor(x), -1]), 0)) * x;
    const plain = (x: number) => data.slice(0, data.length / Math.floor(x)).reduce((s, v) => s + v, 0) * x;
    for (const x of [2.5, 3.5]) expect(withgradient(f, x)).toEqual({ val: plain(x), grad: [plain(x) / x] });
  });

  it('zeros, ones and rand take traced lengths as their numbers (not as the options object)', () => {
    // (a traced length last was taken for the options: zeros(n) was 0-d, sum(zeros(n) + s) was s, not n·s;
    // one before the last reached the size computation and was refused as not rewritten)
    const f = (s: number) => {
      const n = Math.round(s);
      return sum(add(zeros(n), s)) + sum(ones(n, 2)) * s + sum(rand(n, { seed: 1, dtype: 'float32' })) * 0;
    };
    for (const s of [3.2, 4.6]) {
      const n = Math.round(s);
      expect(withgradient(f, s)).toEqual({ val: f(s), grad: [3 * n] });
      expect(f(s)).toBeCloseTo(3 * n * s, 12);
    }
    const g = (x: number[]) => sum(ones(Math.max(1, x[0]! | 0))) * x[1]!;
    expect(withgradient(g, [2, 5])).toEqual({ val: 10, grad: [[0, 2]] });
  });

  it("zeros, ones and rand refuse a shape given as an array (numpy's zeros([2, 3]) was a 0-d array)", () => {
    const untyped = (f: unknown) => f as (...args: unknown[]) => NDArray;
    for (const make of [zeros, ones, rand].map(untyped)) {
      expect(() => make([2, 3])).toThrow(/takes the lengths as numbers.*spread it/);
      expect(() => make(2, [3])).toThrow(/takes the lengths as numbers/);
    }
    expect(zeros(...[2, 3]).shape).toEqual([2, 3]);
    // (and array(x, 'float32'), numpy's dtype by position, was float64 without a word)
    expect(() => untyped(array)([1, 2], 'float32')).toThrow(/array\(x, \{ dtype: 'float32' \}\)/);
    expect(array([1, 2], undefined).dtype).toBe('float64');
  });

  // (array() refused them: "array[0] is object, not a number")
  it('array() of traced numbers keeps their derivatives, float64 or float32', () => {
    expect(gradient((a: number, b: number) => sum(mul(array([a, b]), array([3, 4]))), 1, 2)).toEqual([3, 4]);
    expect(gradient((a: number, b: number) => sum(array([[a, b], [b, 1]], { dtype: 'float32' })), 1, 2)).toEqual([1, 2]);
    // (a traced number alone is a 0-d array, as array(3) is: it was refused, 'got object')
    expect(withgradient((s: number) => sum(mul(array(mul(s, 2)), array([1, 2]))), 3)).toEqual({ val: 18, grad: [6] });
    expect(withgradient((s: number) => sum(mul(array(s, { dtype: 'float32' }), 3)), 3)).toEqual({ val: 9, grad: [3] });
  });

  it('nested JavaScript arrays are accepted, and their gradients come back nested', () => {
    expect(concat([[[1, 2]], [[3, 4]]]).toArray()).toEqual([[1, 2], [3, 4]]);
    expect(sum([[1, 2], [3, 4]], 0).toArray()).toEqual([4, 6]);
    const [g] = gradient((x: number[][]) => sum(mean(x, 1)) + max(row(x, 1)), [[1, 2], [3, 4]]);
    expect(g).toEqual([[0.5, 0.5], [0.5, 1.5]]);
  });
});
