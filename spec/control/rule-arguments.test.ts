// rule(): what its arguments may be (numbers and NDArrays), and what its pullback must give back.
import { describe, expect, it } from 'vitest';
import { array, concat, gradient, hook, jacfwd, jvp, mul, NDArray, ones, rule, sum } from 'zygote-ts';

const roundSum = (xs: number[]) => xs.reduce((s, v) => s + Math.round(v), 0);

describe('rule arguments', () => {
  // (tapeOf looked only at top-level numbers and NDArrays: fn ran without the rule, and a
  // straight-through estimator over number[] gave [[0, 0]] where its pullback says [[1, 1]])
  it('an array, object, Map or typed array holding traced numbers is refused, naming the argument and the fix', () => {
    const steSum = rule(roundSum, (xs) => [roundSum(xs), (c: number) => [xs.map(() => c)]]);
    expect(() => gradient((xs: number[]) => steSum(xs), [1.3, 2.6])).toThrow(/argument 1 of the rule for roundSum is an array holding a traced number \(at \[0\]\).*must be numbers or NDArrays.*array\(xs\)/s);
    expect(() => jvp((x: number) => steSum([x]), [1.3], [1])).toThrow(/argument 1 of the rule for roundSum is an array/);
    const steObj = rule((o: { a: number }) => Math.round(o.a), (o) => [Math.round(o.a), (c: number) => [{ a: c }]]);
    expect(() => gradient((x: number) => steObj({ a: x }), 1.3)).toThrow(/is an object holding a traced number \(at \.a\)/);
    class P {
      constructor(public x: number) {}
    }
    const steP = rule((p: P) => Math.round(p.x), (p) => [Math.round(p.x), (c: number) => [c]]);
    expect(() => gradient((p: P) => steP(p), new P(1.3))).toThrow(/is an object holding a traced number \(at \.x\)/);
    const first = rule((v: Float64Array) => v[0]!, (v) => [v[0]!, (c: number) => [c]]);
    expect(() => gradient((v: Float64Array) => first(v), new Float64Array([1, 2]))).toThrow(/is a typed array holding a traced number/);
    const one = rule((m: Map<string, number>) => m.size, (m) => [m.size, () => [null]]);
    expect(() => gradient((x: number) => one(new Map([['k', x]])) * x, 2)).toThrow(/is a Map holding a traced number \(at \.get\("k"\)\)/);
  });
  it('as the error says, array(xs) (or concat([xs])) gives the rule an NDArray, whose cotangent it returns; constants inside arrays are fine', () => {
    const steSum = rule((a: NDArray) => Math.round(sum(a)), (a) => [Math.round(sum(a)), (c: number) => [mul(ones(...a.shape), c)]]);
    expect(gradient((xs: number[]) => steSum(concat([xs])), [1.3, 2.6])).toEqual([[1, 1]]);
    expect(gradient((xs: number[]) => steSum(array(xs)), [1.3, 2.6])).toEqual([[1, 1]]);
    const scaled = rule((xs: number[], y: number) => xs[0]! * y, (xs, y) => [xs[0]! * y, (c: number) => [null, c * xs[0]!]]);
    expect(gradient((y: number) => scaled([3], y), 2)).toEqual([3]);
    expect(scaled([3], 2)).toBe(6);
  });
});

describe('rule cotangents', () => {
  // (the sweep added them as they came: a 2-vector for a 3-vector gave [1, 1] or NaN, a number
  // for an NDArray [1], and an NDArray for a number the text '11,1')
  it('each must be of its argument\'s kind and shape, or the error names the rule, the argument and the shapes', () => {
    const short = rule(function total(a: NDArray) { return sum(a); }, (a) => [sum(a), (c: number) => [array([c, c])]]);
    expect(() => gradient((a: NDArray) => short(a), array([1, 2, 3]))).toThrow(/the rule for total returned an NDArray of shape \[2\] as the cotangent of argument 1, an NDArray of shape \[3\]/);
    expect(() => gradient((a: NDArray) => short(a) + sum(mul(a, a)), array([1, 2, 3]))).toThrow(/shape \[2\] as the cotangent of argument 1/);
    const num = rule((a: NDArray) => sum(a), (a) => [sum(a), (c: number) => [c]]);
    expect(() => gradient((a: NDArray) => num(a), array([1, 2, 3]))).toThrow(/returned a number as the cotangent of argument 1, an NDArray of shape \[3\]/);
    const arrForNum = rule((x: number, y: number) => x * y, (x, y) => [x * y, (c: number) => [c * y, array([c, c])]]);
    expect(() => gradient((x: number, y: number) => arrForNum(x, y) + x, 1, 2)).toThrow(/returned an NDArray of shape \[2\] as the cotangent of argument 2, a number/);
    // right kinds and shapes pass, null included, and agree with finite differences
    const scale = rule((a: NDArray, k: number) => mul(a, k), (a, k) => [mul(a, k), (c: NDArray) => [mul(c, k), null]]);
    const f = (a: NDArray) => sum(mul(scale(a, 3), a));
    const [g] = gradient(f, array([1, -2])) as NDArray[];
    const e = 1e-6;
    const fd = [0, 1].map((i) => {
      const up = [1, -2];
      const down = [1, -2];
      up[i]! += e;
      down[i]! -= e;
      return (f(array(up)) - f(array(down))) / (2 * e);
    });
    (g!.toArray() as number[]).forEach((v: number, i: number) => expect(v).toBeCloseTo(fd[i]!, 5));
  });
});

describe('a number\'s cotangent or tangent that is another object', () => {
  // (only arrays, strings and booleans were refused for a number: a Promise an async function
  // gave, or a record, was added as text, gradient(x => r(x) * 2 + x, 3) ['1[object Promise]']
  // where it is [13], or made the tangent NaN)
  it('a Promise or a record is refused, naming who returned it; a Number object and null pass', () => {
    const later = rule(function square(x: number) { return x * x; }, (x) => [x * x, (c: number) => [Promise.resolve(2 * x * c) as unknown as number]]);
    expect(() => gradient((x: number) => later(x) * 2 + x, 3)).toThrow(/the rule for square returned a Promise .* as the cotangent of argument 1, a number/);
    const boxed = rule((x: number) => x * x, (x) => [x * x, (c: number) => [{ c: 2 * x * c } as unknown as number]]);
    expect(() => gradient((x: number) => boxed(x) + x, 3)).toThrow(/returned an object as the cotangent of argument 1, a number/);
    expect(() => gradient((x: number) => hook((g) => Promise.resolve(g) as unknown as number, x) * 2 + x, 3)).toThrow(/hook's fn returned a Promise .* as the cotangent of the hooked value, a number/);
    const lateTangent = rule((x: number) => x * x, (x) => [x * x, (c: number) => [2 * x * c]], (x) => [x * x, (dx: number) => Promise.resolve(2 * x * dx) as unknown as number]);
    expect(() => jvp((x: number) => lateTangent(x) + x, [3], [1])).toThrow(/the forward rule for an anonymous function returned a Promise .* as the tangent of its value, a number/);
    // what is a number passes, and agrees with plain differences
    const f = (x: number) => x * x * 2 + x;
    const h = 1e-6;
    const fd = (f(3 + h) - f(3 - h)) / (2 * h);
    const wrapped = rule((x: number) => x * x, (x) => [x * x, (c: number) => [new Number(2 * x * c) as unknown as number]]);
    expect(gradient((x: number) => wrapped(x) * 2 + x, 3)[0]).toBeCloseTo(fd, 6);
    const none = rule((x: number) => x * x, () => [9, () => [null]]);
    expect(gradient((x: number) => none(x) * 2 + x, 3)).toEqual([1]);
  });
});

describe('a rule of an async or generator function', () => {
  // (the rule answered a number while differentiating where the function itself, run outside
  // one, gives a Promise: withgradient(x => r(x) * 2, 3) had val 18, plain code NaN)
  it('is refused when it is made, naming which of its functions', () => {
    const square = async (x: number) => x * x;
    expect(() => rule(square, (x: number) => [x * x, (c: number) => [2 * x * c]] as never)).toThrow(/rule for square: its function is an async function/);
    expect(() => rule((x: number) => x * x, (async (x: number) => [x * x, (c: number) => [2 * x * c]]) as never)).toThrow(/its reverse rule is an async function/);
    expect(() => rule((x: number) => x * x, (x: number) => [x * x, (c: number) => [2 * x * c]], function* (x: number) { yield x; } as never)).toThrow(/its forward rule is a generator function/);
  });
});

describe('forward rule tangents', () => {
  // (an NDArray tangent for a number value came out of jvp as that number's tangent, and
  // jacfwd's rows of it as NaN; an array value's tangent may broadcast to it: forward-nested.test.ts)
  it("a number value's tangent must be a number, or the error names the rule and what it returned", () => {
    const x = array([1, 2, 3]);
    const sumsq = (a: NDArray) => sum(mul(a, a));
    const arrayForNumber = rule(sumsq, (a) => [sumsq(a), (c: number) => [mul(a, 2 * c)]], (a) => [sumsq(a), (da: NDArray) => mul(a, da)]);
    expect(() => jvp(arrayForNumber, [x], [ones(3)])).toThrow(/the forward rule for sumsq returned an NDArray of shape \[3\] as the tangent of its value, a number/);
    expect(() => jacfwd((a: NDArray) => [arrayForNumber(a)], x)).toThrow(/as the tangent of its value, a number/);
    // the right kind passes, and agrees with the reverse rule
    const right = rule(sumsq, (a) => [sumsq(a), (c: number) => [mul(a, 2 * c)]], (a) => [sumsq(a), (da: NDArray) => 2 * sum(mul(a, da))]);
    expect(jvp(right, [x], [ones(3)])).toEqual([14, 12]);
  });

  // (an anonymous function's rule was named after the tape's placeholder, "forward mode has no
  // rule for unused", and "the rule for rule returned 1 cotangents")
  it('a rule without a forward rule, or with a short pullback, is named by its function, or as an anonymous one', () => {
    const square = (x: number) => x * x;
    const named = rule(square, (x) => [x * x, (c: number) => [2 * x * c]]);
    expect(() => jvp(named, [3], [1])).toThrow(/the custom rule for square has no forward rule, which forward mode needs\. Give it one: rule\(fn, rrule, frule\)/);
    const anonymous = rule((x: number) => x * x, (x) => [x * x, (c: number) => [2 * x * c]]);
    expect(() => jvp(anonymous, [3], [1])).toThrow(/the custom rule for an anonymous function has no forward rule/);
    const short = rule((x: number, y: number) => x * y, (x, y) => [x * y, (c: number) => [c * y] as unknown as [number, number]]);
    expect(() => gradient(short, 2, 3)).toThrow(/the rule for an anonymous function returned 1 cotangents for 2 arguments/);
  });
});

describe('a rule called as a method', () => {
  // (fn, its reverse and its forward rule get `this`: a rule of a method read undefined's fields)
  class Scale {
    k = 3;
  }
  const squareScaled = rule(
    function (this: Scale, x: number) { return this.k * x * x; },
    function (this: Scale, x: number) { return [this.k * x * x, (c: number) => [2 * c * this.k * x]]; },
    function (this: Scale, x: number) { return [this.k * x * x, (dx: number) => 2 * this.k * x * dx]; },
  );
  const s = Object.assign(new Scale(), { squareScaled });
  it('runs, differentiates and pushes forward with its receiver', () => {
    expect(s.squareScaled(2)).toBe(12);
    expect(gradient((x: number) => s.squareScaled(x), 2)).toEqual([12]);
    expect(jvp((x: number) => s.squareScaled(x), [2], [1])).toEqual([12, 12]);
  });
  it('a traced field of its receiver is a hidden input, refused', () => {
    expect(() => gradient((o: Scale & { squareScaled: (x: number) => number }, x: number) => o.squareScaled(x), s, 2)).toThrow(/not given as an argument/);
  });
});
