// testRule / ruleReport: right rules pass; each kind of wrong rule fails the check that
// should catch it, and the report says where, with the numbers.
import { describe, expect, it } from 'vitest';
import { add, array, astype, gradient, matmul, mul, NDArray, rule, ruleReport, sum, testRule, transpose } from 'zygote-ts';

const failed = (report: { checks: readonly { name: string; passed: boolean }[] }) => report.checks.filter((c) => !c.passed).map((c) => c.name);

describe('rules that are right pass', () => {
  it('scalar, array, several arguments, structures, and an argument passed twice', () => {
    const logistic = rule(
      (x: number) => 1 / (1 + Math.exp(-x)),
      (x) => {
        const y = 1 / (1 + Math.exp(-x));
        return [y, (dy: number) => [dy * y * (1 - y)]];
      },
    );
    expect(testRule(logistic, 0.7).passed).toBe(true);
    const matvec = rule(
      (W: NDArray, x: NDArray) => matmul(W, x) as NDArray,
      (W, x) => [matmul(W, x) as NDArray, (dy: NDArray) => [outerOf(dy, x), matmul(transpose(W), dy) as NDArray]],
    );
    expect(testRule(matvec, array([[1, 2], [3, 4], [5, 6]]), array([0.5, -1])).passed).toBe(true);
    const dotRule = rule(
      (a: NDArray, b: NDArray) => sum(mul(a, b)),
      (a, b) => [sum(mul(a, b)), (dy: number) => [mul(b, dy) as NDArray, mul(a, dy) as NDArray]],
    );
    const v = array([1, -2, 0.5]);
    const twice = ruleReport(dotRule, [v, v]);
    expect(twice.passed).toBe(true);
    // float32 arrays, with tolerances float32 can meet
    expect(testRule(dotRule, astype(v, 'float32'), astype(array([0.5, 2, -1]), 'float32')).text).toMatch(/^testRule\(rule\) at \(NDArray\[3\], NDArray\[3\]\): all 4 checks passed/);
    // not a rule at all: any differentiable function of structures
    expect(testRule((p: { w: number[]; b: number }) => p.w[0]! * p.w[1]! + Math.sin(p.b), { w: [1, 2], b: 0.3 }).passed).toBe(true);
  });
});

/** dy ⊗ x, written out (the pullback of W·x in W). */
function outerOf(dy: NDArray, x: NDArray): NDArray {
  const a = dy.toArray() as number[];
  const b = x.toArray() as number[];
  return array(a.map((ai) => b.map((bj) => ai * bj)));
}

describe('rules that are wrong fail, and the report says how', () => {
  it('a pullback off by a factor: the dot-product test fails and names the argument', () => {
    const mulRule = rule(
      (a: number, b: number) => a * b,
      (a, b) => [a * b, (c: number) => [c * b, 2 * c * a]],
    );
    const report = ruleReport(mulRule, [2, 3]);
    expect(failed(report)).toEqual(['pullback']);
    expect(report.text).toMatch(/✗ pullback: ⟨pullback\(ȳ\), ẋ⟩ = .*, finite differences give ⟨ȳ, J·ẋ⟩ = /);
    expect(report.text).toMatch(/argument 0: agrees\n\s+argument 1: pullback .*, finite differences/);
    expect(() => testRule(mulRule, 2, 3)).toThrow(/1 of 4 checks failed/);
  });

  it("a rule whose value is not fn's", () => {
    const approx = rule(
      (x: number) => Math.exp(x),
      (x) => [1 + x + (x * x) / 2, (dy: number) => [dy * Math.exp(x)]],
    );
    const report = ruleReport(approx, [0.5]);
    expect(failed(report)).toContain('value');
    expect(report.text).toMatch(/✗ value: the rule gives 1.625 where fn gives 1.6487/);
  });

  it('a rule that writes into its argument (found by the inputs check)', () => {
    const scaleInPlace = rule(
      (x: NDArray) => mul(x, 2) as NDArray,
      (x) => [mul(x, 2) as NDArray, (dy: NDArray) => {
        x.data[0] = 0; // a pullback that reuses its input's storage
        return [mul(dy, 2) as NDArray];
      }],
    );
    const report = ruleReport(scaleInPlace, [array([1, 2])]);
    expect(failed(report)).toEqual(['inputs']);
    expect(report.text).toMatch(/number 0 .* changed from 1 to 0/);
  });

  it('a pullback that writes into the cotangent it receives corrupts nothing: it gets its own copy', () => {
    const reuse = rule(
      (x: NDArray) => mul(x, 3) as NDArray,
      (x) => [mul(x, 3) as NDArray, (dy: NDArray) => {
        for (let i = 0; i < dy.data.length; i++) dy.data[i]! *= 3;
        return [dy];
      }],
    );
    // add hands one buffer to both operands; the rule writes into its own copy, so z's
    // gradient stays c (the library defends the graph; testRule still reports the rule)
    const c = array([1, 2]);
    const [gx, gz] = gradient((x: NDArray, z: NDArray) => sum(mul(add(reuse(x), z), c)), array([1, 1]), array([5, 5]));
    expect(gx!.toArray()).toEqual([3, 6]);
    expect(gz!.toArray()).toEqual([1, 2]);
    expect(failed(ruleReport(reuse, [array([1, 2])]))).toEqual([]);
  });

  it('aliasing: fn returns its argument, the rule a copy', () => {
    const identity = rule(
      (x: NDArray) => x,
      (x) => [mul(x, 1) as NDArray, (dy: NDArray) => [dy]],
    );
    const report = ruleReport(identity, [array([1, 2])]);
    expect(failed(report)).toEqual(['aliasing']);
    expect(report.text).toMatch(/fn returns \(a view of\) argument 0, but the rule returns a new value/);
  });

  it('a pullback with the wrong number of cotangents', () => {
    const short = rule(
      (a: number, b: number) => a + b,
      (a, b) => [a + b, (dy: number) => [dy]],
    );
    const report = ruleReport(short, [1, 2]);
    expect(failed(report)).toEqual(['pullback']);
    expect(report.text).toMatch(/the pullback threw: .*returned 1 cotangents for 2 arguments/);
  });

  it('options: a stricter tolerance fails what the default passes', () => {
    const rough = rule(
      (x: number) => x * x,
      (x) => [x * x, (dy: number) => [dy * 2 * x * (1 + 1e-7)]],
    );
    expect(ruleReport(rough, [1.5]).passed).toBe(true);
    expect(ruleReport(rough, [1.5], { rtol: 1e-9 }).passed).toBe(false);
  });
});

// (testRule checked only the pullback: a rule whose forward rule was wrong passed every
// check, and jvp, jacfwd and forward over forward then gave its wrong derivative)
describe('a forward rule is checked too', () => {
  const rrule = (a: number, b: number): [number, (c: number) => number[]] => [a * b, (c: number) => [c * b, c * a]];
  it('a wrong pushforward fails, a right one passes, none is no check', () => {
    const wrong = rule((a: number, b: number) => a * b, rrule, (a, b) => [a * b, (da: number, db: number) => da * b + 2 * a * db]);
    const report = ruleReport(wrong, [2, 3]);
    expect(failed(report)).toEqual(['pushforward']);
    expect(report.text).toMatch(/✗ pushforward: ⟨ȳ, pushforward\(ẋ\)⟩ = .*, finite differences give ⟨ȳ, J·ẋ⟩ = /);
    expect(() => testRule(wrong, 2, 3)).toThrow(/1 of 5 checks failed/);
    const right = rule((a: number, b: number) => a * b, rrule, (a, b) => [a * b, (da: number, db: number) => da * b + a * db]);
    expect(testRule(right, 2, 3).text).toMatch(/all 5 checks passed\n.*\n.*\n.*\n.*\n  ✓ pushforward/);
    expect(testRule(rule((a: number, b: number) => a * b, rrule), 2, 3).text).toMatch(/all 4 checks passed/);
  });

  it('arrays, and a forward rule that throws', () => {
    const sq = (a: NDArray) => mul(a, a) as NDArray;
    const back = (a: NDArray): [NDArray, (c: NDArray) => NDArray[]] => [sq(a), (c: NDArray) => [mul(mul(c, a), 2) as NDArray]];
    const right = rule(sq, back, (a) => [sq(a), (da: NDArray) => mul(mul(da, a), 2) as NDArray]);
    expect(testRule(right, array([1, -2, 0.5])).passed).toBe(true);
    const wrong = rule(sq, back, (a) => [sq(a), (da: NDArray) => mul(da, a) as NDArray]);
    expect(failed(ruleReport(wrong, [array([1, -2, 0.5])]))).toEqual(['pushforward']);
    const throws = rule(sq, back, (a) => [sq(a), () => { throw new Error('not yet'); }]);
    const report = ruleReport(throws, [array([1, 2])]);
    expect(failed(report)).toEqual(['pushforward']);
    expect(report.text).toMatch(/✗ pushforward: jvp threw: not yet/);
  });
});
