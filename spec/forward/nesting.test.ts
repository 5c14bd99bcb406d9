// The four nestings of forward and reverse mode, and the perturbation-confusion cases
// (Siskind & Pearlmutter): each differentiation is its own tag, however they nest.
import { describe, expect, it } from 'vitest';
import { array, derivative, exp, gradient, hessian, hvp, jacfwd, jacobian, jvp, mul, NDArray, pullback, sum, tanh, withgradient } from 'zygote-ts';

/** d/dx f at x by forward mode. */
const Df = (f: (x: number) => number, x: number) => jvp(f, [x], [1])[1] as number;
/** d/dx f at x by reverse mode. */
const Dr = (f: (x: number) => number, x: number) => derivative(f, x);
const modes = { forward: Df, reverse: Dr };

describe('perturbation confusion', () => {
  for (const [outerName, Douter] of Object.entries(modes)) {
    for (const [innerName, Dinner] of Object.entries(modes)) {
      const how = `${outerName} over ${innerName}`;
      it(`d/dx (x · d/dy (x + y)) = 1, ${how}`, () => {
        for (const x of [1, 2.5, -3]) expect(Douter((x) => x * Dinner((y) => x + y, 2), x)).toBe(1);
      });
      it(`d/dx (x · d/dy (x · y)) at y = 2 is 2x, ${how}`, () => {
        // the inner derivative is x (closed over), so the outer one is d/dx x² = 2x
        for (const x of [1, 2.5, -3]) expect(Douter((x) => x * Dinner((y) => x * y, 2), x)).toBe(2 * x);
      });
      it(`d/dx d/dy exp(x·y) at (x, y) = 2x·… (the mixed partial), ${how}`, () => {
        const x = 0.7;
        const y = 1.3;
        const mixed = Douter((x) => Dinner((y) => Math.exp(x * y), y), x);
        expect(mixed).toBeCloseTo(Math.exp(x * y) * (1 + x * y), 12);
      });
    }
  }

  it('three levels: forward over reverse over forward', () => {
    // d³/dx³ of x⁴ at x is 24x
    const f = (x: number) => x ** 4;
    for (const x of [0.5, 2]) expect(Df((a) => Dr((b) => Df(f, b), a), x)).toBeCloseTo(24 * x, 10);
  });

  it('a perturbation that escapes into a closure is still told apart', () => {
    // the inner derivative returns a function closed over the outer x
    const shift = (x: number) => (y: number) => x + y;
    expect(Df((x) => Df((y) => shift(x)(y) * x, 3), 2)).toBe(1);
  });
});

describe('second order by the four nestings agree', () => {
  const f = (x: number[]) => Math.sin(x[0]! * x[1]!) + x[0]! ** 3 * Math.exp(x[1]! / 2) - Math.log1p(x[0]! * x[0]! + x[1]!);
  const x = [0.8, 1.4];
  const H = hessian(f, x);

  it('hessian equals the Jacobian of the gradient, by jacobian and by jacfwd', () => {
    const byReverse = jacobian((y: number[]) => gradient(f, y)[0] as number[], x)[0] as number[][];
    const byForward = jacfwd((y: number[]) => gradient(f, y)[0] as number[], x)[0] as number[][];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        expect(byReverse[i]![j]!).toBeCloseTo(H[i]![j]!, 12);
        expect(byForward[i]![j]!).toBeCloseTo(H[i]![j]!, 12);
      }
    }
    expect(H[0]![1]!).toBeCloseTo(H[1]![0]!, 12);
  });

  it('hvp is H·v (forward over reverse)', () => {
    const v = [0.3, -1.1];
    const Hv = hvp(f, x, v);
    for (let i = 0; i < 2; i++) expect(Hv[i]!).toBeCloseTo(H[i]![0]! * v[0]! + H[i]![1]! * v[1]!, 12);
  });

  it('reverse over forward: the gradient of a directional derivative is H·v', () => {
    const v = [0.3, -1.1];
    const g = gradient((y: number[]) => jvp(f, [y], [v])[1] as number, x)[0] as number[];
    for (let i = 0; i < 2; i++) expect(g[i]!).toBeCloseTo(H[i]![0]! * v[0]! + H[i]![1]! * v[1]!, 12);
  });

  it('forward over forward: vᵀ H w', () => {
    const v = [0.3, -1.1];
    const w = [1.7, 0.4];
    const vHw = jvp((y: number[]) => jvp(f, [y], [w])[1] as number, [x], [v])[1] as number;
    let expected = 0;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expected += v[i]! * H[i]![j]! * w[j]!;
    expect(vHw).toBeCloseTo(expected, 12);
  });

  it('hvp keeps strong zeros, and nests inside another differentiation', () => {
    // an unused infinite partial (√x at 0) contributes nothing, forward or reverse
    const g = (y: number[]) => {
      const unused = Math.sqrt(y[0]!);
      return y[1]! ** 2 * y[0]! + y[1]!;
    };
    expect(hvp(g, [0, 3], [1, 1])).toEqual([6, 0 + 2 * 0 + 6]);
    // reverse over (forward over reverse): d/ds of vᵀ H(x + s·v) v at s = 0, against central differences
    const v = [0.3, -1.1];
    const third = (s: number) => {
      const Hv = hvp(f, [x[0]! + s * v[0]!, x[1]! + s * v[1]!], v);
      return Hv[0]! * v[0]! + Hv[1]! * v[1]!;
    };
    const h = 1e-5;
    expect(derivative(third, 0)).toBeCloseTo((third(h) - third(-h)) / (2 * h), 5);
  });
});


describe('Jacobians and Hessians of arrays inside another differentiation', () => {
  // Each is a function of the outer x, checked against central differences of itself (run
  // outside any differentiation, where the inner Jacobian is plain).
  const central = (g: (x: number) => number, x: number) => (g(x + 1e-5) - g(x - 1e-5)) / 2e-5;
  const x0 = 0.7;
  const ofArray = {
    'jacobian of an NDArray function': (x: number) => {
      const J = jacobian((y: NDArray) => tanh(mul(y, x)) as NDArray, array([[1, 2], [3, 0.5]]))[0] as NDArray;
      return J.get(1, 1) + 2 * J.get(3, 3);
    },
    'jacfwd of an NDArray function': (x: number) => {
      const J = jacfwd((y: NDArray) => tanh(mul(y, x)) as NDArray, array([[1, 2], [3, 0.5]]))[0] as NDArray;
      return J.get(1, 1) + 2 * J.get(3, 3);
    },
    'jacfwd of a number to an NDArray': (x: number) => {
      const J = jacfwd((y: number) => mul(array([1, 2, 3]), x * y) as NDArray, 2)[0] as unknown as number[];
      return J[0]! + 3 * J[2]!;
    },
    'jacfwd of a record holding an NDArray': (x: number) => {
      const J = jacfwd((p: { w: NDArray; b: number }) => tanh(mul(p.w, x * p.b)) as NDArray, { w: array([1, 2]), b: 0.5 })[0] as unknown as { w: NDArray; b: number }[];
      return J[1]!.w.get(1) + J[0]!.b;
    },
    'hessian of an NDArray function': (x: number) => {
      const H = hessian((y: NDArray) => (sum(mul(mul(y, y), y)) as unknown as number) * x * x, array([1, 2]));
      return H.get(0, 0) + H.get(1, 1);
    },
  };
  for (const [name, g] of Object.entries(ofArray)) {
    it(`${name}, differentiated in x by reverse and forward mode`, () => {
      const expected = central(g, x0);
      // (the inner Jacobian's entries were copied as plain numbers: these were 0)
      expect(derivative(g, x0)).toBeCloseTo(expected, 6);
      expect(Df(g, x0)).toBeCloseTo(expected, 6);
    });
  }
});

describe('typed arrays out of forward mode inside another differentiation', () => {
  const central = (g: (x: number) => number, x: number) => (g(x + 1e-5) - g(x - 1e-5)) / 2e-5;
  const x0 = 0.7;
  const cases = {
    'jvp of a function returning a Float64Array': (x: number) => {
      const [value, tangent] = jvp((y: number) => Float64Array.of(y * x, y * y), [2], [1]);
      return tangent[0]! + 3 * tangent[1]! + value[0]!;
    },
    'hvp at a Float64Array': (x: number) => {
      const Hv = hvp((y: Float64Array) => y[0]! * y[1]! * y[1]! * x, Float64Array.of(1, 2), Float64Array.of(1, 0));
      return Hv[0]! + 2 * Hv[1]!;
    },
  };
  for (const [name, g] of Object.entries(cases)) {
    it(`${name}, differentiated in x`, () => {
      // (storing the traced numbers into a plain typed array threw, blaming code that was not rewritten)
      expect(derivative(g, x0)).toBeCloseTo(central(g, x0), 6);
      expect(Df(g, x0)).toBeCloseTo(central(g, x0), 6);
    });
  }

  it('outside, the value and tangent are plain typed arrays', () => {
    const [value, tangent] = jvp((y: number) => Float64Array.of(y * 3, y * y), [2], [1]);
    expect(value).toBeInstanceOf(Float64Array);
    expect(ArrayBuffer.isView(tangent)).toBe(true);
    expect([...value]).toEqual([6, 4]);
    expect([...tangent]).toEqual([3, 4]);
  });
});

describe('Maps keyed by numbers an enclosing differentiation traces', () => {
  // Math.round(x) is a traced number (derivative 0) inside the outer differentiation; the
  // inner one hands back a Map keyed by it, where plain code's key is the number 1.
  const central = (g: (x: number) => number, x: number) => (g(x + 1e-5) - g(x - 1e-5)) / 2e-5;
  const x0 = 0.7;
  const cases = {
    "a Map argument's gradient": (x: number) => {
      const m = new Map([[Math.round(x), x]]);
      const g = gradient((q: Map<number, number>) => q.get(1)! * q.get(1)!, m)[0] as Map<number, number>;
      return g.get(1) ?? -100;
    },
    "jvp's output Map and its tangent": (x: number) => {
      const [value, tangent] = jvp((y: number) => new Map([[Math.round(x), y * y * x]]), [2], [1]);
      return (value.get(1) ?? -100) + ((tangent as Map<number, number>).get(1) ?? -100) * x;
    },
    'jvp at a Map argument, its tangent keyed by the plain number': (x: number) => {
      // (refused: 'the tangent for arg 0 has a key number 1, but the Map there has no such key')
      const m = new Map([[Math.round(x), x]]);
      return jvp((q: Map<number, number>) => q.get(1)! ** 2, [m], [new Map([[1, 1]])])[1] as number;
    },
  };
  for (const [name, g] of Object.entries(cases)) {
    it(`${name} is found by the plain key, value and derivative`, () => {
      // (get(1) missed the traced key: -100, derivative 0)
      expect(withgradient(g, x0).val).toBe(g(x0));
      expect(derivative(g, x0)).toBeCloseTo(central(g, x0), 6);
      expect(Df(g, x0)).toBeCloseTo(central(g, x0), 6);
    });
  }
});

describe("pullback's cotangent depending on an enclosing differentiation", () => {
  const central = (g: (x: number) => number, x: number) => (g(x + 1e-5) - g(x - 1e-5)) / 2e-5;
  it('a nested array of numbers, as an NDArray or a typed array, gives the same derivative', () => {
    // (the nested array was refused: 'array[0] is object, not a number')
    const [, back] = pullback((y: NDArray) => exp(mul(y, 2)) as NDArray, array([0.1, 0.2]));
    const forms = {
      nested: (x: number) => [x, 2 * x],
      NDArray: (x: number) => mul(array([1, 2]), x),
      typed: (x: number) => Float64Array.of(x, 2 * x),
    };
    for (const [name, dy] of Object.entries(forms)) {
      const g = (x: number) => (back(dy(x) as unknown as number)[0] as NDArray).get(1);
      expect(derivative(g, 0.7), name).toBeCloseTo(central(g, 0.7), 6);
      expect(Df(g, 0.7), name).toBeCloseTo(central(g, 0.7), 6);
    }
  });
});
