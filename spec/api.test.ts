import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { array, configure, derivative, gradient, hessian, hvp, isderiving, jacfwd, jacobian, mul, NDArray, pullback, withgradient, withjacobian } from 'zygote-ts';
import { unrewrittenFunction } from './fixtures/unrewritten.js';

// (globals the specs define and call by name, as a script's helpers are)
declare const zyGlobalHelper: (x: number) => number;
declare const zyGlobalHelpers: { sq: (x: number) => number; square: (x: number) => number; rewritten: (x: number) => number };
declare const zyBoundHelper: (x: number) => number, zyProxyHelper: (x: number) => number, zyBoundRewritten: (x: number) => number, zyBoundHere: (x: number) => number, zyBoundConstant: (x: number) => number;

afterEach(() => {
  configure({ strict: false, warnings: true });
});

describe('control flow', () => {
  it('branches on traced values take the branch of their number', () => {
    const relu = (x: number) => (x > 0 ? x : 0);
    expect(gradient(relu, 3)).toEqual([1]);
    expect(gradient(relu, -3)).toEqual([null]);
    const f = (x: number) => {
      let y = x;
      while (y < 100) y = y * 2;
      return y;
    };
    expect(gradient(f, 3)).toEqual([64]);
  });
  it('truthiness is the number’s: a traced 0 is falsy, && returns the operand', () => {
    const f = (mag: number, d: number) => (mag && d / mag) || d;
    expect(gradient(f, 0, 5)).toEqual([null, 1]);
    expect(gradient(f, 2, 6)).toEqual([-1.5, 0.5]);
    const g = (x: number) => (!x ? 1 : x * x);
    expect(gradient(g, 0)).toEqual([null]);
    expect(gradient(g, 3)).toEqual([6]);
  });
  it('update and compound operators', () => {
    const f = (x: number) => {
      let y = x;
      y += x;
      y *= x;
      y -= 1;
      y /= 2;
      y **= 2;
      let z = x;
      z++;
      ++z;
      z--;
      return y + z;
    };
    // y = ((2x·x - 1)/2)², z = x + 1
    const x = 1.5;
    expect(gradient(f, x)[0]).toBeCloseTo(2 * ((2 * x * x - 1) / 2) * 2 * x + 1, 12);
  });
  it('typeof, Number predicates and formatting see a number', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // JSON drops the derivative
    const seen: unknown[] = [];
    gradient((x: number) => {
      seen.push(typeof x, Number.isFinite(x), Number.isInteger(x), isNaN(x), String(x), `${x}`, x.toFixed(2), JSON.stringify({ x }));
      return x;
    }, 3);
    expect(seen).toEqual(['number', true, true, false, '3', '3', '3.00', '{"x":3}']);
    warn.mockRestore();
  });
  it('Number(x) keeps the derivative; text it wrote reads back as it, other text as plain', () => {
    expect(gradient((x: number) => Number(x) * 2, 3)).toEqual([2]);
    expect(gradient((x: number) => parseFloat(String(x)) * 2, 3.5)).toEqual([2]);
    expect(gradient((x: number) => parseFloat('3') * x, 2)).toEqual([3]);
    expect(gradient((x: number) => (Number.isNaN(x) ? 0 : x), 3)).toEqual([1]);
  });
  // (a debug print of x = 1, then Number(k) over an array's keys: the key "1" read back as x,
  // and the gradient was 4 instead of 3, silently)
  it("an integer's text read back is reported, not taken as the traced number's: it may be a key, an index or a constant", () => {
    const keys = (x: number) => {
      const label = `x = ${x}`;
      let s = 0;
      for (const k in [10, 20, 30]) s += Number(k);
      return s * x + label.length * 0;
    };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient(keys, 1)).toEqual([3]);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/reading back the text "1": a traced number wrote it, but an integer's text may as well be/));
      expect(gradient(keys, 1.5)).toEqual([3]); // ("1.5" is no key: nothing to say)
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient((x: number) => parseFloat(String(x)) * 2, 3)).toThrow(/reading back the text "3"/);
      expect(gradient((x: number) => parseFloat(String(x)) * 2, 3.25)).toEqual([2]);
    } finally {
      configure(previous);
    }
  });
  it('booleans in arithmetic keep their meaning', () => {
    const angle = (h: number) => h + (h < 0 ? 1 : 0) * 2 * Math.PI;
    const withBool = (h: number) => h + Number(h < 0) * 2 * Math.PI;
    expect(gradient(angle, -1)).toEqual([1]);
    expect(gradient((h: number) => h * ((h < 0) as unknown as number), -2)).toEqual([1]);
    expect(gradient(withBool, -1)).toEqual([1]);
  });
  it('switch on a traced number', () => {
    const f = (x: number) => {
      switch (x) {
        case 2:
          return x * 10;
        default:
          return x;
      }
    };
    expect(gradient(f, 2)).toEqual([10]);
    expect(gradient(f, 3)).toEqual([1]);
  });
  it('=== compares by value', () => {
    expect(gradient((x: number) => (x === 2 ? x * x : x), 2)).toEqual([4]);
  });
});

describe('nesting', () => {
  it('second derivatives of Math functions', () => {
    expect(hessian((x: number) => Math.sin(x), 0.7)).toBeCloseTo(-Math.sin(0.7), 14);
    expect(hessian((x: number) => Math.exp(2 * x), 0.5)).toBeCloseTo(4 * Math.exp(1), 12);
  });
  it('no perturbation confusion (Siskind & Pearlmutter)', () => {
    // d/dx [x · d/dy (x + y)]  at any x is 1: the inner derivative must not see x.
    expect(derivative((x: number) => x * derivative((y: number) => x + y, 1), 5)).toBe(1);
  });
  it('a gradient of a function closing over the outer variable', () => {
    expect(gradient((x: number) => gradient((y: number) => x * y * y, 3)[0]!, 2)).toEqual([6]);
  });
  it('third derivative by nesting hessian', () => {
    expect(derivative((x: number) => hessian((y: number) => y ** 4, x), 2)).toBe(48);
  });
  // (the gradient there is null: hessian threw "jacobian needs f to return an array … returned null")
  it('hessian of an array where f does not depend on it (a flat branch) is zeros', () => {
    const f = (x: number[]) => (x[0]! > 0 ? x[0]! ** 2 * x[1]! : 0);
    expect(hessian(f, [-1, 2])).toEqual([[0, 0], [0, 0]]);
    expect(hessian(f, [1, 2])).toEqual([[4, 2], [2, 0]]);
    const H = hessian((x: NDArray) => 5, array([1, 2, 3]));
    expect(H).toBeInstanceOf(NDArray);
    expect([...H.shape, ...H.data]).toEqual([3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });
  // (its errors named the functions it calls: "densegradient needs f to return a number", "derivative needs …")
  it('an f that returns no number is refused in hessian\'s name', () => {
    expect(() => hessian(((x: number[]) => x) as unknown as (x: number[]) => number, [1, 2])).toThrow(/^zygote-ts: hessian needs f to return a number, but it returned an array/);
    expect(() => hessian(((x: number) => [x]) as unknown as (x: number) => number, 2)).toThrow(/^zygote-ts: hessian needs f to return a number, but it returned an array/);
  });
});

describe('jacobian', () => {
  it('gives, per argument, the derivative of every output (rows are outputs)', () => {
    expect(jacobian((x: number, y: number) => [x * y, x + y, 2 * x], 3, 5)).toEqual([
      [5, 1, 2],
      [3, 1, 0],
    ]);
    expect(withjacobian((x: number) => [x ** 2, 7], 3)).toEqual({ val: [9, 7], grad: [[6, 0]] });
  });
  it('matches central differences', () => {
    const f = (a: number, b: number) => [Math.sin(a) * b, Math.exp(a - b), Math.hypot(a, b)];
    const [ja, jb] = jacobian(f, 0.4, 1.3);
    const h = 1e-6;
    for (let i = 0; i < 3; i++) {
      expect(ja[i]).toBeCloseTo((f(0.4 + h, 1.3)[i]! - f(0.4 - h, 1.3)[i]!) / (2 * h), 8);
      expect(jb[i]).toBeCloseTo((f(0.4, 1.3 + h)[i]! - f(0.4, 1.3 - h)[i]!) / (2 * h), 8);
    }
  });
  it('refuses a scalar output, pointing to gradient; gradient points to jacobian', () => {
    expect(() => jacobian(((x: number) => x) as unknown as (x: number) => number[], 1)).toThrow(/use gradient/);
    expect(() => gradient(((x: number) => [x]) as unknown as (x: number) => number, 1)).toThrow(/use jacobian/);
  });
});

describe('functions that reach gradient', () => {
  it('Math functions passed directly are differentiable (native or rewritten)', () => {
    expect(gradient(Math.sin, 0)).toEqual([1]);
    expect(derivative(Math.tanh, 0)).toBe(1);
    const nativeSin = globalThis.Math.sin; // the global object itself is not rewritten
    expect(gradient(nativeSin, 0)).toEqual([1]);
  });
  it('a function that was not rewritten is recompiled from its source when it closes over nothing', () => {
    const f = unrewrittenFunction('x', 'return 3 * x ** 2 + Math.sin(x)') as (x: number) => number;
    expect(gradient(f, 0)).toEqual([1]);
  });
  it('a recompiled function that reads a global other than the language\'s says so (a local of that name would be hidden)', () => {
    const g = globalThis as unknown as Record<string, unknown>;
    g['zyScale'] = 2;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const f = unrewrittenFunction('x', 'return zyScale * x * x') as (x: number) => number;
      expect(gradient(f, 3)).toEqual([12]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/recompiled from its source, reading 'zyScale' from the global object/);
      const previous = configure({ strict: true });
      try {
        const h = unrewrittenFunction('x', 'return zyScale * x') as (x: number) => number;
        expect(() => gradient(h, 3)).toThrow(/strict.*'zyScale'.*zygote-ts\/register/s);
      } finally {
        configure(previous);
      }
    } finally {
      warn.mockRestore();
      delete g['zyScale'];
    }
  });
  it('a recompiled function keeps its mode: a strict one\'s arguments do not alias its parameters, a sloppy one\'s do', () => {
    // (the inner functions are strict or sloppy as the code that made them, with no directive of their own)
    const strict = unrewrittenFunction('"use strict"; return function (x) { arguments[0] = x * x; return x * 2; }')() as (x: number) => number;
    const sloppy = unrewrittenFunction('return function (x) { arguments[0] = x * x; return x * 2; }')() as (x: number) => number;
    const h = 1e-6;
    for (const f of [strict, sloppy]) {
      const { val, grad } = withgradient(f, 3);
      expect(val).toBe(f(3));
      expect(grad[0]).toBeCloseTo((f(3 + h) - f(3 - h)) / (2 * h), 5);
    }
  });
  it('a function that was not rewritten and reads its surroundings\' this, or whose meaning depends on a mode it cannot tell, is refused', () => {
    const method = unrewrittenFunction('return function () { return (x) => this.k * x * x; }')() as () => (x: number) => number;
    expect(() => gradient(method.call({ k: 3 }), 2)).toThrow(/uses 'this' from its surroundings/);
    const arrow = unrewrittenFunction('return (x) => { function g(a) { arguments[0] = a * a; return a * 5; } return g(x); }')() as (x: number) => number;
    expect(() => gradient(arrow, 3)).toThrow(/whose meaning depends on whether the function is strict mode code/);
  });
  it('a method that was not rewritten and reads super is refused: recompiled, its super was Object.prototype', () => {
    // (gradient was 3, from `super.k ?? 1`, where it is 9; a class's `super.k * x * x` was NaN)
    const o = unrewrittenFunction('return { __proto__: { k: 3 }, f(x) { return (super.k ?? 1) * x * x; } }')() as { f(x: number): number };
    expect(() => gradient(o.f, 1.5)).toThrow(/uses 'super' from its surroundings/);
  });
  it('a function that was not rewritten and calls eval says that eval\'s code reads the global object\'s names', () => {
    // (eval('k * x * x') read the global k = 5 in place of f's k = 2: 15 where it is 6, with no word)
    const g = globalThis as unknown as Record<string, unknown>;
    g['zyEvalK'] = 5;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const f = unrewrittenFunction('return (() => { const zyEvalK = 2; return (x) => eval("zyEvalK * x * x"); })()')() as (x: number) => number;
      gradient(f, 1.5);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/calls eval, whose code now reads names from the global object/);
      // A function made by Function has no surroundings but the global scope: no word.
      expect(gradient(unrewrittenFunction('x', 'return eval("zyEvalK * x * x")') as (x: number) => number, 1.5)).toEqual([15]);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
      delete g['zyEvalK'];
    }
  });
  it('a function of another realm that reads its globals is refused: recompiled, it read this realm\'s', () => {
    // (`(xs) => (xs instanceof Array ? 10 : 1) * xs[0] * xs[0]` from a vm context: 30 where it is 3)
    const f = runInNewContext('(xs) => (xs instanceof Array ? 10 : 1) * xs[0] * xs[0]') as (xs: number[]) => number;
    expect(() => gradient(f, [1.5])).toThrow(/made in another realm.*'Array'/s);
    const g = runInNewContext('(x) => x * x * k', { k: 3 }) as (x: number) => number;
    (globalThis as unknown as Record<string, unknown>)['k'] = 100;
    try {
      expect(() => gradient(g, 1.5)).toThrow(/made in another realm.*'k'/s);
    } finally {
      delete (globalThis as unknown as Record<string, unknown>)['k'];
    }
    // Math and the like are the same in every realm.
    expect(gradient(runInNewContext('(x) => Math.sin(x) * x') as (x: number) => number, 0)).toEqual([0]);
  });
  it('a recompiled function that calls a global helper that was not rewritten says so when the helper answers for an object', () => {
    // (helper(x) + x, with a helper testing typeof x === 'number', gave 1 where it is 4, with no word)
    const g = globalThis as unknown as Record<string, unknown>;
    g['zyHelper'] = unrewrittenFunction('x', 'return typeof x === "number" ? x * x : 0');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const f = unrewrittenFunction('x', 'return zyHelper(x) + x') as (x: number) => number;
      gradient(f, 1.5);
      expect(warn.mock.calls.map((c) => String(c[0]))).toContainEqual(expect.stringMatching(/was given a traced number.*typeof x === "number"/s));
    } finally {
      warn.mockRestore();
      delete g['zyHelper'];
    }
  });
  it('a global helper that was not rewritten, called by name or as a global object\'s method, from a recompiled function or a rewritten file, says so', () => {
    // (helperO.sq(x) + x in a recompiled function, and zyGlobalHelper(x) + x or zyGlobalHelpers.square(x) + x
    // in this rewritten file, with helpers testing typeof x === 'number': 1 where it is 4, with no word)
    const g = globalThis as unknown as Record<string, unknown>;
    g['zyGlobalHelper'] = unrewrittenFunction('x', 'return typeof x === "number" ? x * x : 0');
    g['zyGlobalHelpers'] = { sq: unrewrittenFunction('x', 'return typeof x === "number" ? x * x : 0'), square: unrewrittenFunction('x', 'return typeof x === "number" ? x * x : 0'), rewritten: (x: number) => x * x };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const saidObject = () => warn.mock.calls.map((c) => String(c[0])).filter((m) => /was given a traced number.*typeof x === "number"/s.test(m));
    try {
      const recompiled = unrewrittenFunction('x', 'return zyGlobalHelpers.sq(x) + x') as (x: number) => number;
      gradient(recompiled, 1.5);
      expect(saidObject()).toHaveLength(1);
      gradient((x: number) => zyGlobalHelper(x) + x, 1.5);
      expect(saidObject()).toHaveLength(2);
      expect(saidObject()[1]).toMatch(/api\.test\.ts/);
      gradient((x: number) => zyGlobalHelpers.square(x) + x, 1.5);
      expect(saidObject()).toHaveLength(3);
      // (a rewritten helper, and the plain run, as written: the receiver is the object)
      expect(gradient((x: number) => zyGlobalHelpers.rewritten(x) + x, 1.5)).toEqual([4]);
      expect(zyGlobalHelper(3) + zyGlobalHelpers.sq(2)).toBe(13);
      expect(saidObject()).toHaveLength(3);
    } finally {
      warn.mockRestore();
      delete g['zyGlobalHelper'];
      delete g['zyGlobalHelpers'];
    }
  });
  it('a global helper reached through a bound copy or a Proxy, whose code cannot be seen, says so where it dropped the traced number', () => {
    // (zyBoundHelper(x) + x with helper.bind(null) of a helper testing typeof x === 'number': 1 where it is 4, with no word)
    const g = globalThis as unknown as Record<string, unknown>;
    const helper = unrewrittenFunction('x', 'return typeof x === "number" ? x * x : 0');
    // (bound where the code is not rewritten: what it binds is not known)
    g['zyBoundHelper'] = (unrewrittenFunction('f', 'return f.bind(null)') as (f: Function) => Function)(helper);
    g['zyProxyHelper'] = new Proxy(helper, {});
    g['zyBoundRewritten'] = ((x: number) => x * x).bind(null);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const saidUnseen = () => warn.mock.calls.map((c) => String(c[0])).filter((m) => /a bound function or a Proxy around a function.*was given a traced number and returned none/s.test(m));
    try {
      gradient((x: number) => zyBoundHelper(x) + x, 1.5);
      expect(saidUnseen()).toHaveLength(1);
      expect(saidUnseen()[0]).toMatch(/api\.test\.ts/);
      gradient((x: number) => zyProxyHelper(x) + x, 1.5);
      expect(saidUnseen()).toHaveLength(2);
      // (a bound copy of rewritten code follows the number: no word; the plain run as written)
      expect(gradient((x: number) => zyBoundRewritten(x) + x, 1.5)).toEqual([4]);
      expect(zyBoundHelper(3) + zyProxyHelper(2) + zyBoundRewritten(1)).toBe(14);
      expect(saidUnseen()).toHaveLength(2);
      configure({ strict: true });
      expect(() => gradient((x: number) => zyBoundHelper(x) + x, 1.5)).toThrow(/zygote-ts \(strict\): bound .*a bound function or a Proxy/s);
    } finally {
      warn.mockRestore();
      delete g['zyBoundHelper'];
      delete g['zyProxyHelper'];
      delete g['zyBoundRewritten'];
    }
  });
  // (a bound copy of rewritten code returning a constant was suspected of dropping the traced number, a warning where all is right)
  it('a global bound copy made in rewritten code is checked as the function it binds: a constant says nothing, a helper not rewritten is named', () => {
    const g = globalThis as unknown as Record<string, unknown>;
    const helper = unrewrittenFunction('x', 'return typeof x === "number" ? x * x : 0');
    g['zyBoundHere'] = helper.bind(null);
    g['zyBoundConstant'] = ((x: number) => 3).bind(null).bind(null);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient((x: number) => zyBoundConstant(x) + x, 1.5)).toEqual([1]);
      expect(warn).not.toHaveBeenCalled();
      expect(gradient((x: number) => zyBoundHere(x) + x, 1.5)).toEqual([1]);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^zygote-ts: anonymous\(…\) called at .*code that was not rewritten/s)]);
      expect(zyBoundConstant(1) + zyBoundHere(2)).toBe(7);
    } finally {
      warn.mockRestore();
      delete g['zyBoundHere'];
      delete g['zyBoundConstant'];
    }
  });
  it('Function reached another way in rewritten code: new globalThis.Function rewrites its body; Reflect.apply(Function, …) is reported', () => {
    // (both made their function in the runtime's own files, whose eval'd frames counted as rewritten
    // code: the helper's x * x lost its derivative with no word, 1 where it is 4)
    const G = globalThis as unknown as { Function: FunctionConstructor };
    const constructed = new G.Function('x', 'return x * x') as (x: number) => number;
    expect(gradient((x: number) => constructed(x) + x, 1.5)).toEqual([4]);
    const applied = Reflect.apply(Function, null, ['x', 'return x * x']) as (x: number) => number;
    expect(() => gradient((x: number) => applied(x) + x, 1.5)).toThrow(/not rewritten for differentiation used a traced number/);
  });
  it('a recompiled named function that reads its own name reads the function itself: its properties, and its recursion in the copy', () => {
    // (recompiled with its name, f.k read the copy's, undefined: NaN where it is 12; f.calls counted on the copy)
    const f = unrewrittenFunction('return function f(x) { f.calls = (f.calls ?? 0) + 1; return f.k * x * x; }')() as ((x: number) => number) & { k: number; calls?: number };
    f.k = 3;
    expect(gradient(f, 2)).toEqual([12]);
    expect(gradient(f, 2)).toEqual([12]);
    expect(f.calls).toBe(2);
    const power = unrewrittenFunction('return function power(x, n) { return n === 0 ? 1 : x * power(x, n - 1); }')() as (x: number, n: number) => number;
    expect(gradient(power, 2, 3)).toEqual([12, null]);
    // A function made by Function binds no name inside: its `anonymous` is the global's (none here).
    const made = unrewrittenFunction('x', 'return typeof anonymous === "function" ? 1 : x * x') as (x: number) => number;
    expect(gradient(made, 1.5)).toEqual([3]);
  });
  it('a function that was not rewritten and closes over locals is refused with a way out', () => {
    const make = unrewrittenFunction('k', 'return (x) => k * x * x') as (k: number) => (x: number) => number;
    expect(() => gradient(make(3), 2)).toThrow(/not rewritten.*'k'.*zygote-ts\/register/s);
  });
});

describe('errors and state', () => {
  it('f must return a number', () => {
    expect(() => gradient(((x: number) => [x]) as unknown as (x: number) => number, 1)).toThrow(/return a number/);
    // What it returned instead, as the user would write it.
    expect(() => gradient(((x: number) => { void x; }) as unknown as (x: number) => number, 1)).toThrow(/returned undefined \(no return value\?\)\./);
    expect(() => gradient(((x: number) => `${x}`) as unknown as (x: number) => number, 1)).toThrow(/returned the string "1"\./);
    expect(() => gradient((async (x: number) => x) as unknown as (x: number) => number, 1)).toThrow(/async function/);
  });
  it('errors name what they got: a number f returned, an NDArray of the wrong shape', () => {
    expect(() => jacobian(((x: number) => x * 2) as unknown as (x: number) => number[], 3)).toThrow(/returned a number \(6\)\. For a function returning one number, use gradient/);
    const [, back] = pullback((x: NDArray) => mul(x, 2), array([1, 2]));
    expect(() => back(array([1, 2, 3]) as unknown as number)).toThrow(/takes a cotangent of that shape, got an NDArray of shape \[3\]/);
  });
  it("an array output's cotangent of another shape with as many numbers is refused, not read row-major (a transpose's would give a wrong gradient)", () => {
    const x = array([[1, 2], [3, 4], [5, 6]]);
    const [, back] = pullback((x: NDArray) => mul(x, x), x);
    const transposed = array([[1, 0, 0], [0, 0, 0]]);
    expect(() => back(transposed as unknown as number)).toThrow(/shape \[3, 2\].*got an NDArray of shape \[2, 3\]/);
    expect(() => back([[1, 0, 0], [0, 0, 0]] as unknown as number)).toThrow(/got an array of shape \[2, 3\]/);
    expect(() => back(array([1, 0, 0, 0, 0, 0]) as unknown as number)).toThrow(/got an NDArray of shape \[6\]/);
    // its own shape, nested or an NDArray, and a typed array's flat storage row-major, are taken
    const seed = [[1, 0], [0, 0], [0, 1]];
    const expected = [[2, 0], [0, 0], [0, 12]];
    for (const dy of [array(seed), seed, new Float64Array(seed.flat())]) expect((back(dy as unknown as number)[0] as NDArray).toArray()).toEqual(expected);
  });
  it('derivative and hessian refuse what is not a number, where a gradient took the place of the derivative', () => {
    // (derivative(x => x * 2, '3') was 0, its "f does not depend on x"; an array's gave its
    // gradient, an array; a nested array's hessian failed as jacobian's "output 0")
    expect(() => derivative((x: number) => x * 2, '3' as unknown as number)).toThrow(/derivative\(f, x\) takes a number \(got the string "3"\)/);
    expect(() => derivative((x: number) => x * 2, true as unknown as number)).toThrow(/takes a number \(got boolean true\)/);
    expect(() => derivative(((v: number[]) => v[0]! * 2) as unknown as (x: number) => number, [1, 2] as unknown as number)).toThrow(/got an array.*use gradient/);
    expect(() => derivative((x: number) => x * 2, undefined as unknown as number)).toThrow(/takes a number/);
    expect(() => hessian(((v: number[][]) => v[0]![0]! ** 2) as unknown as (x: number[]) => number, [[1], [2]] as unknown as number[])).toThrow(/x\[0\] is an array\. Pass a nested array of numbers as array\(x\)/);
    expect(() => hessian(((v: unknown[]) => 1) as unknown as (x: number[]) => number, ['3'] as unknown as number[])).toThrow(/x\[0\] is the string "3"/);
    expect(derivative((x: number) => x ** 3, 2)).toBe(12);
    expect(hessian((v: number[]) => v[0]! ** 3 * v[1]!, [1, 2])).toEqual([[12, 3], [3, 0]]);
    // (an f returning an array was refused in densegradient's name, which the caller never called)
    expect(() => hvp(((v: number[]) => [v[0]! * 2]) as unknown as (x: number[]) => number, [1, 2], [1, 0])).toThrow(/^zygote-ts: hvp needs f to return a number, but it returned an array/);
  });
  it('derivative, hessian and hvp refuse arguments past x (and v), which f got as undefined', () => {
    // (hessian((x, y) => x * y, 2, 3) was 0 and hessian((x, y) => x * x * y, 2, 3) NaN: the 3 was dropped)
    const twoNumbers = ((x: number, y: number) => x * y) as unknown as (x: number) => number;
    const extra = 3 as unknown as never;
    expect(() => (hessian as (...a: unknown[]) => unknown)(twoNumbers, 2, extra)).toThrow(/hessian\(f, x\) takes one x, got 2 arguments after f, which takes 2 parameters\. For a function of several numbers, use hessian\(\(\[x, y\]\) => f\(x, y\), \[x, y\]\)/);
    expect(() => (derivative as (...a: unknown[]) => unknown)(twoNumbers, 2, extra)).toThrow(/derivative\(f, x\) takes one x, got 2 arguments after f/);
    expect(() => (hvp as (...a: unknown[]) => unknown)(twoNumbers, 2, 1, extra)).toThrow(/hvp\(f, x, v\) takes one x and one direction v, got 3 arguments after f/);
    const rest = ((...xs: number[]) => xs[0]! * xs[1]!) as unknown as (x: number) => number;
    expect(() => (derivative as (...a: unknown[]) => unknown)(rest, 2, extra)).toThrow(/got 2 arguments after f, which takes any number of parameters/);
    // (an f of one parameter never reads them: a map's index and array after x are let be)
    expect([1, 2].map(derivative.bind(null, (x: number) => x ** 3) as unknown as (x: number) => number)).toEqual([3, 12]);
    expect([1, 2].map((hessian as (f: (x: number) => number, x: number) => number).bind(null, (x: number) => x ** 3) as unknown as (x: number) => number)).toEqual([6, 12]);
    expect(hessian(([x, y]: number[]) => x! * x! * y!, [2, 3])).toEqual([[6, 4], [4, 0]]);
    expect(hvp(([x, y]: number[]) => x! * x! * y!, [2, 3], [0, 1])).toEqual([4, 0]);
  });
  it('jacobian and jacfwd refuse an array output with an empty place', () => {
    // (jacobian failed on "Cannot destructure property 'row'"; jacfwd gave [[1, <hole>, 1]])
    const holey = (x: number) => {
      const out = [x];
      out[2] = x;
      return out;
    };
    expect(() => jacobian(holey, 3)).toThrow(/jacobian: output 1 is an empty place in the array f returned/);
    expect(() => jacfwd(holey, 3)).toThrow(/jacfwd: output 1 is an empty place in the array f returned/);
  });
  it('f must be a function', () => {
    expect(() => gradient(3 as unknown as (x: number) => number, 1)).toThrow(/needs a function/);
  });
  it('a throwing f leaves no state behind', () => {
    expect(() =>
      gradient((x: number) => {
        if (x > 0) throw new Error('boom');
        return x;
      }, 1),
    ).toThrow('boom');
    expect(isderiving()).toBe(false);
    expect(gradient((x: number) => x * x, 3)).toEqual([6]);
  });
  // (the built-in read the text a traced number wrote as a plain number: [null], silently)
  it('text read back through the global object keeps the derivative', () => {
    expect(gradient((x: number) => globalThis.parseFloat(String(x)) * 2, 1.5)).toEqual([2]);
    expect(gradient((x: number) => globalThis.Number(`${x}`) * x, 1.5)).toEqual([3]);
    expect(gradient((x: number) => (globalThis.isNaN(x) ? 0 : x * 3), 1.5)).toEqual([3]);
  });
  it('a traced value that escapes acts as its number afterwards', () => {
    let kept = 0;
    gradient((x: number) => {
      kept = x;
      return x;
    }, 4);
    expect(kept * 2).toBe(8);
    expect(gradient((x: number) => x * kept, 3)).toEqual([4]);
  });
  it('isderiving is true only inside', () => {
    let inside = false;
    gradient((x: number) => {
      inside = isderiving();
      return x;
    }, 1);
    expect(inside).toBe(true);
    expect(isderiving()).toBe(false);
  });
  it('strict mode throws where the program itself makes a plain number of a traced one', () => {
    configure({ strict: true });
    expect(() => gradient((x: number) => x.valueOf() * x, 3)).toThrow(/strict.*by valueOf at .*spec\/api\.test\.ts:\d+/);
  });
  it('without strict mode, such a conversion is warned about once per place', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const f = (x: number) => x.valueOf() * x;
    expect(gradient(f, 3)).toEqual([3]);
    gradient(f, 3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/turned into plain numbers .*by valueOf/);
    warn.mockRestore();
  });
  it('a derivative lost for certain is an error in every mode, naming the place', () => {
    const buffer = new Float64Array(1);
    const f = (x: number) => {
      buffer[0] = x; // a typed array made outside f keeps only the number
      return buffer[0]! * 2;
    };
    expect(() => gradient(f, 3)).toThrow(/stored into a typed array at .*spec\/api\.test\.ts:\d+/);
    expect(buffer[0]).toBe(3); // (the store itself happened, as in plain JavaScript)
  });
  // (the built-in converted the number itself, and a conversion under a built-in's frame
  // passed for a read: `Object.assign(buffer, [x * 2]); buffer[0] * x` gave 3 where it is 12)
  it('a traced number stored into a typed array by reflection is an error too, naming the built-in', () => {
    const buffer = new Float64Array(2);
    expect(() => gradient((x: number) => (Object.assign(buffer, [x * 2]), buffer[0]! * x), 3)).toThrow(/stored into a typed array by Object\.assign at .*spec\/api\.test\.ts:\d+/);
    expect(() => gradient((x: number) => (Reflect.set(buffer, 1, x * 2), buffer[1]! * x), 3)).toThrow(/stored into a typed array by Reflect\.set/);
    expect(() => gradient((x: number) => (Object.defineProperty(buffer, 0, { value: x * 2 }), buffer[0]! * x), 3)).toThrow(/stored into a typed array by Object\.defineProperty/);
    expect(() => gradient((x: number) => (Reflect.defineProperty(buffer, 0, { value: x }), buffer[0]! * x), 3)).toThrow(/stored into a typed array by Reflect\.defineProperty/);
    // (Float16Array, Node 24 and later: `new Float16Array([x * 2])[0] * x` gave 6 where it is 12)
    const Float16 = (globalThis as { Float16Array?: new (values: number[]) => ArrayLike<number> }).Float16Array;
    if (Float16 !== undefined) expect(() => gradient((x: number) => new Float16([x * 2])[0]! * x, 3)).toThrow(/given to new Float16Array/);
    // (f's own typed arrays keep the traced numbers, however they are stored; records are not typed arrays)
    expect(gradient((x: number) => { const own = new Float64Array(2); Object.assign(own, [x * 2]); Reflect.set(own, 1, x); return own[0]! * own[1]!; }, 3)).toEqual([12]);
    expect(gradient((x: number) => { const o: { v?: number } = {}; Reflect.set(o, 'v', x * 2); return Object.assign({}, o).v! * x; }, 3)).toEqual([12]);
  });
  // (a pattern has no store expression to check: `[buffer[0], buffer[1]] = [x, 2 * x]` kept only
  // the numbers, gradient [null] where it is [12], without a word)
  it('a traced number stored into a typed array by a destructuring or a for-of head is an error too', () => {
    const buffer = new Float64Array(2);
    expect(() => gradient((x: number) => { [buffer[0], buffer[1]] = [x, x * 2]; return buffer[0]! * buffer[1]!; }, 3)).toThrow(/stored into a typed array at .*spec\/api\.test\.ts:\d+/);
    expect(() => gradient((x: number) => { ({ a: buffer[0] } = { a: x }); return buffer[0]! * x; }, 3)).toThrow(/stored into a typed array/);
    expect(() => gradient((x: number) => { let s = 0; for (buffer[1] of [x]) s += buffer[1]! * x; return s; }, 3)).toThrow(/stored into a typed array/);
    // (plain numbers, an integer typed array, and f's own typed arrays: as before)
    expect(gradient((x: number) => { [buffer[0]] = [2]; const i = new Int32Array(1); [i[0]] = [x * 2]; const own = new Float64Array(1); [own[0]] = [x]; return buffer[0]! * i[0]! * own[0]!; }, 3.3)).toEqual([12]);
  });
  // (V8 names the built-in's frame by the subclass, `Vec.set`, which passed for a read:
  // gradient(x => (vec.set([x]), vec[0] * x), 1.5) gave [1.5] where it is [3])
  it('a traced number stored by the built-in methods of a typed-array subclass made outside f is an error too', () => {
    class Vec extends Float64Array {}
    const vec = new Vec(2);
    expect(() => gradient((x: number) => (vec.set([x]), vec[0]! * x), 1.5)).toThrow(/given to Vec\.set at .*spec\/api\.test\.ts:\d+/);
    expect(() => gradient((x: number) => (vec.fill(x), vec[0]! * x), 1.5)).toThrow(/given to Vec\.fill/);
    // (Vec.from makes a new instance in f, as new Vec(1) does there: it keeps the traced number)
    expect(gradient((x: number) => Vec.from([x])[0]! * x, 1.5)).toEqual([3]);
    expect(() => gradient((x: number) => vec.map(() => x)[0]! * x, 1.5)).toThrow(/given to Vec\.map/);
    class View extends (DataView as new (buffer: ArrayBufferLike) => DataView) {}
    // (V8 13, Node 24, names it DataView.prototype.setFloat64)
    expect(() => gradient((x: number) => (new View(vec.buffer).setFloat64(0, x, true), vec[0]! * x), 1.5)).toThrow(/given to (?:View|DataView\.prototype)\.setFloat64/);
    // (the same names on arrays and Maps keep no converted number)
    class Items extends Array<number> {}
    class Table extends Map<string, number> {}
    expect(gradient((x: number) => Items.from({ length: 2 }, () => x).reduce((a, b) => a + b, 0) + new Table([['a', x]]).get('a')! * x, 1.5)).toEqual([5]);
  });

  it('pullback rejects a cotangent that is not a number', () => {
    const [, back] = pullback((x: number) => x * 2, 1);
    expect(() => back('1' as unknown as number)).toThrow(/takes a number/);
  });
});
