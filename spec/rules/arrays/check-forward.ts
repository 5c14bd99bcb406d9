// Forward-mode checks for array rules, on the rows of the finite-difference tables:
//   jvp       — f's value, and its tangent along a random direction against central
//               differences of f along that direction (float64);
//   reverse   — the same tangent against reverse mode: ⟨u, J·v⟩ from jvp equals ⟨Jᵀ·u, v⟩
//               from the pullback, for a random cotangent u (both exact up to rounding);
//   jacfwd    — the whole Jacobian by forward mode equals `jacobian`'s;
//   second    — H·v of L = Σ sin(f) ⊙ w four ways (reverse over reverse, forward over
//               reverse, reverse over forward, central differences of the gradient) and
//               v₂ᵀ·H·v by forward over forward: the rules' tangents of their own pullbacks,
//               and their pullbacks of their tangents.
import { expect } from 'vitest';
import { densegradient, gradient, jacfwd, jacobian, jvp, mul, NDArray, pullback, sum } from 'zygote-ts';
import { expectClose, numbersOf, uniform, weigh, type ArrayFn, type Input } from './check.js';
import { plainTypeOf } from '../../proxies/plain-data.js';

/** A random direction in x's form: a number for a number, a float64 array of x's shape. */
export function direction(x: Input, seed: number): Input {
  return typeof x === 'number' ? uniform([1], seed).data[0]! : uniform([...x.shape], seed);
}

/** x + s·d, in float64 (the tables' inputs are float64). */
function moved(x: Input, d: Input, s: number): Input {
  if (typeof x === 'number') return x + s * (d as number);
  const D = numbersOf(d);
  return new NDArray([...x.shape], Float64Array.from(x.data, (v, i) => v + s * D[i]!));
}

/** ⟨a, b⟩ of two values of one form (null: zero). */
export function inner(a: unknown, b: unknown): number {
  if (a === null || b === null) return 0;
  const A = numbersOf(a as Input);
  const B = numbersOf(b as Input);
  expect(A.length, 'sizes of an inner product').toBe(B.length);
  let s = 0;
  for (let i = 0; i < A.length; i++) s += A[i]! * B[i]!;
  return s;
}

/** ⟨a, b⟩ with the runtime's operations (a traced a keeps its derivative). */
const dot = (a: Input, b: Input): number => (typeof a === 'number' || !(a instanceof NDArray) ? mul(a, b as number) : sum(mul(a, b)));

/** `tangent` has the form of `value`: a number for a number, else an NDArray of its shape and dtype. */
export function expectTangentOf(tangent: unknown, value: unknown, what: string): void {
  if (typeof value === 'number') return void expect(plainTypeOf(tangent), `${what}: a number's tangent is a number`).toBe('number');
  expect(tangent, `${what}: an array's tangent is an NDArray`).toBeInstanceOf(NDArray);
  expect((tangent as NDArray).shape, `${what}: shape`).toEqual((value as NDArray).shape);
  expect((tangent as NDArray).dtype, `${what}: dtype`).toBe((value as NDArray).dtype);
}

/** Numbers of a Jacobian part (an NDArray, an array of numbers or NDArrays, a number), flat. */
function flat(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (x instanceof NDArray) return Array.from(x.data);
  if (Array.isArray(x)) return x.flatMap(flat);
  throw new TypeError(`not a Jacobian part: ${String(x)}`);
}

const vector = (xs: number[]) => new NDArray([xs.length], Float64Array.from(xs));

export interface ForwardOptions {
  /** Also check second order (default true). */
  second?: boolean;
  /** Relative tolerance against finite differences (default 1e-6). */
  tol?: number;
}

export function checkForward(name: string, f: ArrayFn, inputs: Input[], options: ForwardOptions = {}): void {
  const tol = options.tol ?? 1e-6;
  const dirs = inputs.map((x, k) => direction(x, 101 + k));
  const plain = f(...inputs);

  // jvp: value and tangent, against central differences along dirs
  const [y, dy] = jvp(f, inputs, dirs);
  expectClose(y as Input, numbersOf(plain), 1e-12, `${name}: jvp's value`);
  expectTangentOf(dy, plain, `${name}: jvp's tangent`);
  const scale = Math.max(1, ...inputs.flatMap((x) => Array.from(numbersOf(x), Math.abs)));
  const h = 1e-6 * scale;
  const up = numbersOf(f(...inputs.map((x, k) => moved(x, dirs[k]!, h))));
  const down = numbersOf(f(...inputs.map((x, k) => moved(x, dirs[k]!, -h))));
  const differences = Float64Array.from(up, (u, i) => (u - down[i]!) / (2 * h));
  expectClose(dy as Input, differences, tol, `${name}: jvp against finite differences`);

  // reverse: ⟨u, J·v⟩ = ⟨Jᵀ·u, v⟩
  const u = direction(plain, 202);
  const [, back] = pullback(f, ...inputs);
  const grads = back(u as never) as unknown[];
  const reverse = grads.reduce((s: number, g, k) => s + inner(g, dirs[k]!), 0);
  const forward = inner(u, dy);
  expect(Math.abs(forward - reverse), `${name}: ⟨u, J·v⟩ = ${forward} by jvp, ⟨Jᵀ·u, v⟩ = ${reverse} by pullback`).toBeLessThan(
    1e-10 * Math.max(1, Math.abs(reverse)),
  );
  // one argument at a time: the others unperturbed (null tangents: constants to the rules)
  if (inputs.length > 1) {
    inputs.forEach((_, k) => {
      const [, alone] = jvp(f, inputs, dirs.map((d, j) => (j === k ? d : null)));
      expectTangentOf(alone, plain, `${name}: jvp along argument ${k} alone`);
      const claimed = inner(u, alone);
      const expected = inner(grads[k] ?? null, dirs[k]!);
      expect(Math.abs(claimed - expected), `${name}: along argument ${k} alone, ⟨u, J·v⟩ = ${claimed} by jvp, ${expected} by pullback`).toBeLessThan(
        1e-10 * Math.max(1, Math.abs(expected)),
      );
    });
  }

  // jacfwd: every column at once, against jacobian's rows
  const listed = (...xs: Input[]) => {
    const v = f(...xs);
    return typeof v === 'number' || !(v instanceof NDArray) ? [v] : v;
  };
  const byForward = jacfwd(listed, ...inputs) as unknown[];
  const byReverse = jacobian(listed, ...inputs) as unknown[];
  inputs.forEach((_, k) => expectClose(vector(flat(byForward[k])), flat(byReverse[k]), 1e-12, `${name}: jacfwd against jacobian, argument ${k}`));

  if (options.second === false) return;
  const w = weigh(plain, 7);
  const L = (...xs: Input[]) => w(f(...xs));
  const gradientOf = (...xs: Input[]) => densegradient(L, ...xs) as Input[];
  // reverse over reverse: the gradient of ⟨∇L, v⟩ is H·v (H is symmetric)
  const rr = gradient((...xs: Input[]) => gradientOf(...xs).reduce((s: number, g, k) => s + dot(g, dirs[k]!), 0), ...inputs) as (Input | null)[];
  // forward over reverse: the tangent of ∇L along v
  const [, fr] = jvp(gradientOf, inputs, dirs) as [unknown, Input[]];
  // reverse over forward: the gradient of ∇L·v = the jvp of L
  const rf = gradient((...xs: Input[]) => jvp(L, xs, dirs)[1] as number, ...inputs) as (Input | null)[];
  const dirs2 = inputs.map((x, k) => direction(x, 303 + k));
  const differences2 = inputs.map((_, k) => {
    const a = numbersOf(gradientOf(...inputs.map((x, j) => moved(x, dirs[j]!, h)))[k]!);
    const b = numbersOf(gradientOf(...inputs.map((x, j) => moved(x, dirs[j]!, -h)))[k]!);
    return Float64Array.from(a, (v, i) => (v - b[i]!) / (2 * h));
  });
  inputs.forEach((x, k) => {
    const zero = typeof x === 'number' ? 0 : new NDArray([...x.shape], new Float64Array(x.size));
    const reference = numbersOf(rr[k] ?? zero);
    expectClose(rr[k] ?? zero, differences2[k]!, Math.max(tol, 1e-5), `${name}: H·v by reverse over reverse against differences of the gradient, argument ${k}`);
    expectTangentOf(fr[k], x, `${name}: forward over reverse, argument ${k}`);
    expectClose(fr[k]!, reference, 1e-9, `${name}: H·v by forward over reverse, argument ${k}`);
    expectClose(rf[k] ?? zero, reference, 1e-9, `${name}: H·v by reverse over forward, argument ${k}`);
  });
  // forward over forward: v₂ᵀ·H·v
  const [, ff] = jvp((...xs: Input[]) => jvp(L, xs, dirs)[1] as number, inputs, dirs2);
  const expected = inputs.reduce((s: number, _x, k) => s + inner(rr[k], dirs2[k]!), 0);
  expect(Math.abs((ff as number) - expected), `${name}: v₂ᵀ·H·v by forward over forward ${ff}, by reverse over reverse ${expected}`).toBeLessThan(
    1e-9 * Math.max(1, Math.abs(expected)),
  );
}
