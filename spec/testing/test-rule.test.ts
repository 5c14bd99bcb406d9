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
