// Forward mode's scalar rules: every Math function and arithmetic operator, checked by jvp
// against central finite differences, and (second order) each nesting of forward and
// reverse against the others.
import { describe, expect, it } from 'vitest';
import { __zy, derivative, gradient, jvp } from 'zygote-ts';
import { centralDifference, type ScalarFn } from '../rules/check.js';
import { specs, zeroDerivative, notDifferentiable, widerStep } from '../rules/math-points.js';
import { plainTypeOf } from '../proxies/plain-data.js';

const M = __zy.Math as unknown as Record<string, ScalarFn>;

function close(actual: unknown, expected: number, tol: number, what: string): void {
  expect(plainTypeOf(actual), what).toBe('number');
  const scale = Math.max(1, Math.abs(expected));
  expect(Math.abs((actual as number) - expected) / scale, `${what}: got ${actual}, expected ${expected}`).toBeLessThan(tol);
}

/** jvp of f at args along direction v, against the central difference along v. */
function checkDirection(name: string, f: ScalarFn, args: number[], v: number[], tol = 1e-6): void {
  const [y, dy] = jvp(f, args, v);
  expect(y, `${name}: value`).toBe(f(...args));
  const along: ScalarFn = (s) => f(...args.map((a, k) => a + s * v[k]!));
  close(dy, centralDifference(along, [0], 0), tol, `${name} along (${v}) at (${args})`);
}

/** Every second derivative ∂²f/∂xj∂xk four ways: forward/reverse outside × forward/reverse inside. */
function checkSecondOrder(name: string, f: ScalarFn, args: number[], tol = 1e-6): void {
  const n = args.length;
  const unit = (k: number) => args.map((_, i) => (i === k ? 1 : 0));
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) {
      const fwdInner: ScalarFn = (...xs) => jvp(f, xs, unit(k))[1] as number;
      const revInner: ScalarFn = (...xs) => (gradient(f, ...xs) as number[])[k] ?? 0;
      const rr = (gradient(revInner, ...args) as (number | null)[])[j] ?? 0;
      const ff = jvp(fwdInner, args, unit(j))[1];
      const fr = jvp(revInner, args, unit(j))[1];
      const rf = (gradient(fwdInner, ...args) as (number | null)[])[j] ?? 0;
      const fd = centralDifference(revInner, args, j);
      for (const [how, value] of [['forward over forward', ff], ['forward over reverse', fr], ['reverse over forward', rf]] as const) {
        close(value, rr, 1e-9, `${name} ∂²/∂x${j}∂x${k} ${how} vs reverse over reverse`);
      }
      close(rr, fd, tol * 10, `${name} ∂²/∂x${j}∂x${k} vs finite difference`);
    }
  }
}

describe('forward rules of Math', () => {
  for (const [name, points] of Object.entries(specs)) {
    it(name, () => {
      for (const args of points) {
        const f: ScalarFn = (...xs) => M[name]!(...xs);
        // each argument alone, then a direction mixing all of them
        args.forEach((_, k) => checkDirection(`Math.${name}`, f, args, args.map((_, i) => (i === k ? 1 : 0))));
        checkDirection(`Math.${name}`, f, args, args.map((_, i) => 0.7 - 0.45 * i));
        if (name !== 'abs' && name !== 'max' && name !== 'min') checkSecondOrder(`Math.${name}`, f, args);
      }
    });
  }

  it('has zero tangents where the derivative is zero', () => {
    for (const name of zeroDerivative) {
      const f: ScalarFn = name === 'imul' ? (x) => M[name]!(x, 3) : (x) => M[name]!(x);
      expect(jvp(f, [2.3], [1])[1], name).toBe(0);
    }
    for (const name of widerStep) {
      const [, t] = jvp((x: number) => M[name]!(x), [2.3], [1]);
      expect(t, name).toBe(1);
    }
  });

  it('covers every function of Math', () => {
    const functions = Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function');
    const covered = [...Object.keys(specs), ...zeroDerivative, ...notDifferentiable, ...widerStep];
    expect(functions.filter((k) => !covered.includes(k))).toEqual([]);
  });
});

describe('forward rules of the operators', () => {
  const operators: Record<string, ScalarFn> = {
    'a + b': (a, b) => a + b,
    'a - b': (a, b) => a - b,
    'a * b': (a, b) => a * b,
    'a / b': (a, b) => a / b,
    'a % b': (a, b) => a % b,
    'a ** b': (a, b) => a ** b,
    '-a * b': (a, b) => -a * b,
    '+a + b': (a, b) => +a + b,
    'a ** 3 - b ** 2': (a, b) => a ** 3 - b ** 2,
    '2 / a + b % 0.7': (a, b) => 2 / a + (b % 0.7),
    'a++ (a local)': (a, b) => {
      let c = a;
      c++;
      c *= b;
      c -= a;
      c /= b + 1;
      return c;
    },
  };
  for (const [name, f] of Object.entries(operators)) {
    it(name, () => {
      for (const args of [[1.3, 2.05], [0.4, -1.7], [2.5, 0.9]]) {
        if (name.includes('**') && args[0]! < 0) continue;
        checkDirection(name, f, args, [1, 0]);
        checkDirection(name, f, args, [0, 1]);
        checkDirection(name, f, args, [0.3, -1.2]);
        if (!name.includes('%')) checkSecondOrder(name, f, args);
      }
    });
  }

  it('control flow and loops go along the taken path', () => {
    const f = (x: number) => {
      let s = 0;
      for (let i = 1; i <= 5; i++) s += x > 1 ? Math.sin(i * x) : i * x * x;
      return s;
    };
    for (const x of [0.5, 2]) checkDirection('loop', f, [x], [1]);
  });

  it('keeps strong zeros: an unused infinite partial does not make NaN', () => {
    // (0 · unused is 0 for every x ≥ 3: its zero partial passes on nothing, not 0 · ∞ = NaN, as gradient gives)
    expect(jvp((x: number) => { const unused = Math.sqrt(x - 3); return x * 2 + 0 * unused; }, [3], [1])[1]).toBe(2);
    expect(jvp((x: number) => { const unused = Math.sqrt(x - 3); return x * 2; }, [3], [1])[1]).toBe(2);
    expect(jvp((x: number, y: number) => Math.sqrt(x) + y, [0, 1], [0, 1])[1]).toBe(1);
  });

  it('agrees with derivative on a long composition', () => {
    const f = (x: number) => Math.log1p(Math.exp(Math.tanh(x) * 3)) / Math.hypot(x, 2, Math.cbrt(x));
    for (const x of [-1.2, 0.3, 4]) close(jvp(f, [x], [1])[1], derivative(f, x), 1e-12, `at ${x}`);
  });
});
