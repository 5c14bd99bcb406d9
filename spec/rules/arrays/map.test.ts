// map(f, x): values, gradients, nesting, f closing over traced values, errors.
//
// How map differentiates (measured on 10⁵ elements, f = sin(v)·v + v³/3, Node 20, one
// machine): per-element value and derivative from a small tape of its own, one node on
// the caller's tape — 33 ms for value and gradient; recording f element by element on the
// caller's tape — 130 ms; the derivative() API per element — 135 ms for the derivatives
// alone; the same f as five whole-array operations — 36 ms. map uses the first, and falls
// back to the second only when f reads a traced value it closes over.
import { describe, expect, it } from 'vitest';
import { array, gradient, hessian, hook, isderiving, jacfwd, jvp, map, mul, NDArray, ones, sqrt, sum, withgradient } from 'zygote-ts';

const nested = (x: unknown) => (x instanceof NDArray ? x.toArray() : x);

describe('map', () => {
  const x = array([[0.5, -1], [2, 0.25]]);

  it('applies f elementwise, plain or traced, with broadcasting for two operands', () => {
    expect(map((v) => v * 2, x).toArray()).toEqual([[1, -2], [4, 0.5]]);
    expect(map((a, b) => a - b, array([[1], [2]]), array([10, 20, 30])).toArray()).toEqual([[-9, -19, -29], [-8, -18, -28]]);
    expect(map((v) => v + 1, [[1, 2]]).toArray()).toEqual([[2, 3]]);
    expect(map(Math.sqrt, array([4, 9])).toArray()).toEqual([2, 3]);
  });

  it('differentiates f per element', () => {
    const [g] = gradient((y: NDArray) => sum(map((v) => v ** 3, y)), x);
    expect(nested(g)).toEqual([[0.75, 3], [12, 0.1875]]);
    const [ga, gb] = gradient((a: NDArray, b: NDArray) => sum(map((p, q) => p * q, a, b)), array([[1], [2]]), array([10, 20, 30]));
    expect([nested(ga), nested(gb)]).toEqual([[[60], [60]], [3, 3, 3]]);
  });

  it('a constant f has a zero gradient (not null: the path exists)', () => {
    expect(nested(gradient((y: NDArray) => sum(map(() => 4, y)), x)[0])).toEqual([[0, 0], [0, 0]]);
  });

  it('a zero cotangent contributes nothing through an infinite partial, as on whole arrays (sqrt at 0)', () => {
    const mask = array([0, 1]);
    const viaMap = gradient((y: NDArray) => sum(mul(map(Math.sqrt, y), mask)), array([0, 4]))[0];
    const viaArrays = gradient((y: NDArray) => sum(mul(sqrt(y), mask)), array([0, 4]))[0];
    expect(nested(viaMap)).toEqual([0, 0.25]);
    expect(nested(viaMap)).toEqual(nested(viaArrays));
    const [, gb] = gradient((a: NDArray, b: NDArray) => sum(mul(map((p, q) => Math.sqrt(p * q), a, b), mask)), array([1, 1]), array([0, 4]));
    expect(nested(gb)).toEqual([0, 0.25]);
  });

  it('f closing over a traced number: its gradient reaches that number', () => {
    const c = array([1, 2, 3]);
    expect(gradient((s: number) => sum(map((v) => s * v * v, c)), 2)).toEqual([14]);
    const [gs, gy] = gradient((s: number, y: NDArray) => sum(map((v) => s * v, y)), 3, c);
    expect([gs, nested(gy)]).toEqual([6, [3, 3, 3]]);
  });

  it('calls f once per element, as a plain run does, when f reads a traced number over constant data', () => {
    const seen: number[] = [];
    const f = (s: number) => sum(map((v) => {
      seen.push(v);
      return v > 1.5 ? s * v : v;
    }, array([1, 2, 3])));
    const plain = f(2);
    const plainSeen = seen.splice(0);
    const { val, grad } = withgradient(f, 2);
    expect([val, seen]).toEqual([plain, plainSeen]);
    expect(grad).toEqual([5]);
  });

  it('calls f once per element when f reads a traced number over traced data (no second call of the elements done)', () => {
    // A counter indexing weights, one of them traced: the fast path meets the capture at the
    // element that reads it; calling f again for the elements before it advanced the counter
    // twice (w[3] was undefined: gradients NaN) and repeated its side effects (val 24, not 21).
    const weighted = (y: NDArray, s: number) => {
      const w = [1, 2, s];
      let i = 0;
      return sum(map((v) => v * w[i++]!, y));
    };
    const [gy, gs] = gradient(weighted, array([1, 2, 3]), 5);
    expect([nested(gy), gs]).toEqual([[1, 2, 5], 3]);
    const counted = (y: NDArray, s: number) => {
      let calls = 0;
      const out = map((v) => (calls++, v > 2 ? v * s : v), y);
      return sum(out) + calls;
    };
    const { val, grad } = withgradient(counted, array([1, 2, 3]), 5);
    expect([val, nested(grad[0]), grad[1]]).toEqual([counted(array([1, 2, 3]), 5), [1, 1, 5], 3]);
    // two operands, the capture inside a partial (∂/∂a = b·s): gradients as finite differences give
    const f = (a: NDArray, b: NDArray, s: number) => sum(map((p, q) => (p > 1 ? p * q * s : p * q), a, b));
    const [ga, gb, gs2] = gradient(f, array([1, 2]), array([3, 4]), 0.5);
    expect([nested(ga), nested(gb), gs2]).toEqual([[3, 2], [1, 1], 8]);
  });

  it('nested (hessians), calls f once per element too: its derivatives come from that call', () => {
    // The pullback called f again for its partials: a counter indexing weights read past them
    // (a hessian of NaN on the diagonal), and a captured traced number ran f a third time.
    let calls = 0;
    const weighted = (y: NDArray) => {
      const w = [1, 2, 3];
      let i = 0;
      return sum(map((v) => (calls++, v * v * w[i++]!), y));
    };
    expect(nested(hessian(weighted, array([1, 2, 3])))).toEqual([[2, 0, 0], [0, 4, 0], [0, 0, 6]]);
    expect(calls).toBe(3);
    // s = Σx captured: ∂²/∂x_j∂x_k s·Σ w_i x_i² = 2w_k x_k + 2w_j x_j + 2s w_j δ_jk
    const captured = (y: NDArray) => {
      const s = sum(y);
      const w = [1, 2, 3];
      let i = 0;
      return sum(map((v) => (calls++, v * v * s * w[i++]!), y));
    };
    calls = 0;
    expect(nested(hessian(captured, array([1, 2, 3])))).toEqual([[16, 10, 20], [10, 40, 26], [20, 26, 72]]);
    expect(calls).toBe(3);
  });

  it('nests to any order: third derivative of Σ map(v ↦ v⁴, s·c)', () => {
    const c = array([1, 2]);
    const f = (s: number) => sum(map((v) => v ** 4, mul(c, s)));
    const d1 = (s: number) => (gradient(f, s) as number[])[0]!;
    const d2 = (s: number) => (gradient(d1, s) as number[])[0]!;
    const [d3] = gradient(d2, 0.5) as number[];
    expect(d3).toBeCloseTo(24 * 0.5 * (1 + 16), 10); // d³/ds³ s⁴·Σc⁴ = 24 s Σc⁴
  });

  it('f that throws leaves no differentiation open', () => {
    expect(() => gradient((y: NDArray) => sum(map(() => { throw new Error('boom'); }, y)), x)).toThrow('boom');
    expect(isderiving()).toBe(false);
    expect(gradient((s: number) => s * s, 3)).toEqual([6]);
  });
});

describe('map under forward mode, with a hook in f', () => {
  // (the per-element tapes are reverse tapes, on which the hook acted: jvp through map gave
  // the hooked derivative, [5, 9] where jvp passes tangents through a hook and gives [5, 6],
  // as the same f written with array operations does, and as the differences of the value do)
  const x = array([1, 2]);
  const d = array([1, 1]);
  const viaMap = (y: NDArray) => sum(map((v: number) => hook((g: number) => 2 * g, v) * v, y));
  const direct = (y: NDArray) => sum(mul(hook((g: NDArray) => mul(g, 2), y), y));
  it('jvp and jacfwd pass tangents through the hook, as without map', () => {
    expect(jvp(viaMap, [x], [d])).toEqual([5, 6]);
    expect(jvp(viaMap, [x], [d])).toEqual(jvp(direct, [x], [d]));
    expect(nested(jacfwd((y: NDArray) => map((v: number) => hook((g: number) => 2 * g, v) * v, y), x)[0])).toEqual([[2, 0], [0, 4]]);
    const two = (a: NDArray, b: NDArray) => sum(map((v: number, w: number) => hook((g: number) => 3 * g, v) * w, a, b));
    expect(jvp(two, [x, array([3, 4])], [d, d])).toEqual([11, 10]);
  });
  it('reverse mode, and the enclosing reverse differentiation of a jvp, keep the hook', () => {
    expect(nested(gradient(viaMap, x)[0])).toEqual([3, 6]);
    expect(nested(gradient((y: NDArray) => jvp(viaMap, [y], [ones(2)])[1] as number, x)[0])).toEqual(
      nested(gradient((y: NDArray) => jvp(direct, [y], [ones(2)])[1] as number, x)[0]),
    );
  });
});
