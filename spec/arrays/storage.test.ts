// Writing into an array's storage (`x.data`) inside f. Pullbacks keep the arrays they read
// by reference and read them when the sweep runs: a write after an operation used the array
// would give a gradient computed from numbers the operation never saw. Such a gradient is
// refused; writes that cannot change it (before any use, into arrays no pullback reads, the
// same numbers) keep plain JavaScript's meaning, checked against finite differences.
import { describe, expect, it, vi } from 'vitest';
import { add, applyUpdatesInPlace, array, compileGradient, exp, gradient, hook, map, matmul, mul, NDArray, outer, Params, reshape, sum } from 'zygote-ts';

/** Central differences of `f` at `x` (each evaluation on fresh outside data: `f` builds it). */
function finiteDifferences(f: (x: NDArray) => number, x: readonly number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const plus = x.slice(), minus = x.slice();
    plus[i]! += h;
    minus[i]! -= h;
    return (f(array(plus)) - f(array(minus))) / (2 * h);
  });
}

const written = /wrote into the storage of an array of shape \[3\] \(through its data, or an in-place update.*\) after an operation used it/;

describe("writing into an array's storage inside f", () => {
  it('after an operation whose derivative reads it: refused (the gradient would be wrong)', () => {
    // (plain JavaScript's gradient is W as mul saw it, [1, 2, 3]; the sweep would read [100, 2, 3])
    const W = array([1, 2, 3]);
    expect(() => gradient((x: NDArray) => {
      const r = sum(mul(x, W));
      W.data[0] = 100;
      return r;
    }, array([1, 2, 3]))).toThrow(written);
    // (f ran as plain JavaScript runs it: the write is made)
    expect(W.toArray()).toEqual([100, 2, 3]);
    const U = array([1, 2, 3]);
    expect(() => gradient((x: NDArray) => {
      const r = sum(mul(x, U));
      U.data.fill(7);
      return r;
    }, array([1, 2, 3]))).toThrow(written);
  });

  it('through another array sharing its storage (a reshape, outer): refused too', () => {
    const W = array([1, 2, 3]);
    expect(() => gradient((x: NDArray) => {
      const r = sum(matmul(reshape(W, [3, 1]), reshape(x, [1, 3])));
      W.data[0] = 100;
      return r;
    }, array([1, 2, 4]))).toThrow(written);
    const U = array([1, 2, 3]);
    expect(() => gradient((x: NDArray) => {
      const r = sum(mul(outer(x, U), outer(x, U)));
      U.data[0] = 100;
      return r;
    }, array([1, 2, 4]))).toThrow(written);
    const V = array([1, 2, 3]);
    expect(() => gradient((x: NDArray) => {
      const r = sum(mul(x, V));
      reshape(V, [3, 1]).data[0] = 100;
      return r;
    }, array([1, 2, 4]))).toThrow(/wrote into the storage of an array of shape \[3\]/);
  });

  it('through a reference to the storage f took before the use: refused', () => {
    expect(() => gradient((x: NDArray) => {
      const W = array([1, 2, 3]);
      const storage = W.data;
      const r = sum(mul(x, W));
      storage[0] = 100;
      return r;
    }, array([1, 2, 4]))).toThrow(written);
    // (written before the use, it is the array the operation saw: plain JavaScript's meaning)
    const f = (x: NDArray) => {
      const W = array([1, 2, 3]);
      const storage = W.data;
      storage[0] = 100;
      return sum(mul(x, W));
    };
    const [g] = gradient(f, array([1, 2, 4])) as [NDArray];
    const fd = finiteDifferences(f, [1, 2, 4]);
    g.toArray().forEach((v: number, i: number) => expect(v).toBeCloseTo(fd[i]!, 6));
  });

  it('by an in-place update (Grads.update, applyUpdatesInPlace) after an operation used it: refused', () => {
    // (an inner training step inside f: plain JavaScript's gradient is 2W as mul saw it, [1, 0.5, 2])
    const x0 = array([1, 2, 3]);
    const loss = (W: NDArray) => sum(mul(mul(W, x0), W));
    expect(() => gradient((x: NDArray) => {
      const W = array([0.5, 0.25, 1]);
      const r = 2 * sum(mul(W, x));
      gradient(() => loss(W), new Params([W])).update(-0.1);
      return r;
    }, array([1, 2, 4]))).toThrow(written);
    expect(() => gradient((x: NDArray) => {
      const W = array([0.5, 0.25, 1]);
      const r = 2 * sum(mul(W, x));
      const [dW] = gradient(loss, W) as [NDArray];
      applyUpdatesInPlace(W, mul(dW, -0.1));
      return r;
    }, array([1, 2, 4]))).toThrow(written);
    // (the step before W is used keeps its meaning: the gradient is W after the step)
    const f = (x: NDArray) => {
      const W = array([0.5, 0.25, 1]);
      gradient(() => loss(W), new Params([W])).update(-0.1);
      return 2 * sum(mul(W, x));
    };
    const [g] = gradient(f, array([1, 2, 4])) as [NDArray];
    const fd = finiteDifferences(f, [1, 2, 4]);
    g.toArray().forEach((v: number, i: number) => expect(v).toBeCloseTo(fd[i]!, 6));
  });

  it('into an array made in f, written and used in turns: refused', () => {
    const f = (x: NDArray) => {
      const W = array([0, 0, 0]);
      let r = 0;
      for (let i = 0; i < 3; i++) {
        W.data[i] = i + 1;
        r = r + sum(mul(x, W));
      }
      return r;
    };
    expect(() => gradient(f, array([1, 1, 1]))).toThrow(written);
  });

  it("into an operation's result, or a parameter, that a derivative reads: refused", () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // reading a traced array's data is reported too
    expect(() => gradient((x: NDArray) => {
      const y = exp(x);
      const r = sum(y);
      y.data[0] = 0;
      return r;
    }, array([0, 0, 0]))).toThrow(written);
    const W = array([1, 2, 3]), x = array([1, 1, 1]);
    expect(() => gradient(() => {
      const r = sum(mul(mul(x, W), W));
      W.data[1] = 50;
      return r;
    }, new Params([W]))).toThrow(written);
    warn.mockRestore();
  });

  it('in compileGradient\'s recording: refused as well', () => {
    const W = array([1, 2, 3]);
    const g = compileGradient((x: NDArray) => {
      const r = sum(mul(x, W));
      W.data[0] = 100;
      return r;
    });
    expect(() => g(array([1, 2, 3]))).toThrow(written);
  });

  it('writes that leave the gradient as it is keep their meaning', () => {
    const cases: ((x: NDArray) => number)[] = [
      // before any operation used the array
      (x) => {
        const Z = array([0, 0, 0]);
        Z.data[0] = 5;
        return sum(mul(x, Z));
      },
      // into an array whose operation's derivative does not read it (add's)
      (x) => {
        const W = array([1, 2, 3]);
        const r = sum(add(x, W));
        W.data[0] = 100;
        return r;
      },
      // into an operand of map, whose derivative was computed as it ran
      (x) => {
        const W = array([1.5, 2, 3]);
        const r = sum(map((a: number, b: number) => a * b * a, x, W));
        W.data[0] = 100;
        return r;
      },
      // the numbers it already holds, or reads only
      (x) => {
        const W = array([1, 2, 3]);
        const r = sum(mul(x, W));
        W.data[0] = 1;
        return r + W.data[2]! * 2;
      },
    ];
    for (const f of cases) {
      const [g] = gradient(f, array([1, 2, 3])) as [NDArray];
      const fd = finiteDifferences(f, [1, 2, 3]);
      g.toArray().forEach((v: number, i: number) => expect(v).toBeCloseTo(fd[i]!, 6));
    }
  });
});

describe("writing into a traced array's storage whose operations' derivatives read no numbers", () => {
  it('keeps its meaning (reported as a lost derivative, as any read of a traced array\'s data)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // an array of traced numbers (its node hands each its cotangent), and a hooked array
      const packed = (x: number) => {
        const A = array([x, 2 * x]);
        const r = sum(A);
        A.data[0] = 5;
        return r;
      };
      const h = 1e-6;
      expect(gradient(packed, 3)[0]).toBeCloseTo((packed(3 + h) - packed(3 - h)) / (2 * h), 6);
      const hooked = (x: NDArray) => {
        const r = 2 * sum(hook((g: NDArray) => g, x));
        x.data[0] = 5;
        return r;
      };
      const [g] = gradient(hooked, array([1, 2])) as [NDArray];
      const fd = finiteDifferences(hooked, [1, 2]);
      g.toArray().forEach((v: number, i: number) => expect(v).toBeCloseTo(fd[i]!, 6));
    } finally {
      warn.mockRestore();
    }
  });
});

describe('an NDArray made over a typed array holding traced numbers', () => {
  it("is refused with a message that says so (its storage keeps plain numbers), not one about code that was not rewritten", () => {
    const storage = /traced number in an NDArray's storage \(new NDArray\(shape, data\) was given a typed array holding traced numbers\).*array\(data\)/;
    // made in f, or received (the kernels in JavaScript, and in WebAssembly for a large array)
    expect(() => gradient((a: number) => sum(new NDArray([2], new Float64Array([a, 2 * a]))), 3)).toThrow(storage);
    expect(() => gradient((d: Float32Array) => 2 * sum(new NDArray([2], d)), new Float32Array([1, 2]))).toThrow(storage);
    expect(() => gradient((a: number) => {
      const d = new Float64Array(5000);
      d[0] = a;
      return sum(exp(new NDArray([5000], d)));
    }, 3)).toThrow(storage);
    // (array(data) keeps the derivatives: the plain-JavaScript sum's, 3)
    expect(gradient((a: number) => sum(array(new Float64Array([a, 2 * a]))), 3)).toEqual([3]);
  });
});

describe("gradients' storage", () => {
  // (add hands its cotangent on unchanged to both operands: the two gradients were one
  // buffer, so scaling one in place — clipping, a learning rate — scaled the other too)
  it('each array gradient has storage of its own, so writing into one changes no other', () => {
    const A = array([1, 2, 3]);
    const B = array([4, 5, 6]);
    const f = (a: NDArray, b: NDArray) => sum(reshape(add(a, b), [3, 1]));
    const [gA, gB] = gradient(f, A, B) as [NDArray, NDArray];
    // (central differences: ∂f/∂aᵢ = ∂f/∂bᵢ = 1)
    const h = 1e-6;
    const bumped = (k: number, by: number) => f(array(A.toFloat64Array().map((v, i) => (i === k ? v + by : v))), B);
    for (let k = 0; k < 3; k++) expect(gA.data[k]).toBeCloseTo((bumped(k, h) - bumped(k, -h)) / (2 * h), 6);
    gA.data[0] = 100;
    expect(Array.from(gB.data)).toEqual([1, 1, 1]);
    // (compiled code hands the cotangent on as the eager sweep does)
    for (const fuse of [false, true]) {
      const g = compileGradient(f, { fuse });
      for (let call = 0; call < 2; call++) {
        const [cA, cB] = g(A, B) as [NDArray, NDArray];
        expect(Array.from(cA.data)).toEqual(Array.from(gB.data));
        cA.data[0] = 100;
        expect(Array.from(cB.data)).toEqual([1, 1, 1]);
      }
    }
    const gs = gradient(() => sum(add(A, B)), new Params([A, B]));
    const [pA, pB] = [gs.get(A) as NDArray, gs.get(B) as NDArray];
    pA.data.fill(-1);
    expect(Array.from(pB.data)).toEqual([1, 1, 1]);
  });
});
