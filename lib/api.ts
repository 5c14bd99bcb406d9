// The public API: one function, `pullback`, and conveniences on it (as in Zygote).

import { isDeriving } from './core/scope.js';
import { live, Traced, isTraced } from './core/traced.js';
import type { Tape } from './core/tape.js';
import { Grads, Params } from './params.js';
import { allocate, fromNested, isFloatArray, liveArray, NDArray, isNDArray } from './ndarray.js';
import { sameShape } from '../rules/arrays/broadcast.js';
import { stack } from '../rules/arrays/join.js';
import { array } from './arrays.js';
import { reshape } from '../rules/arrays/shape.js';
import { isScalarObject } from './core/scalars.js';
import type { Back, DenseGradients, Gradients, Jacobians } from './types.js';
import { checkedFunction, describeValue, isImplicit, trace, type CutSuspect, type TextNotReadBack } from './call.js';
import { callerLine, suspect } from './escapes.js';
import type { EqualityHeld } from '../rules/equalities.js';

/**
 * Runs `f(...args)` while recording, and returns its value with the pullback.
 * `back(dy)` gives dy·∂f/∂args; it may be called any number of times.
 *
 * @example
 * const [y, back] = pullback((a, b) => a * b, 2, 3); // y = 6
 * back(1); // [3, 2]
 * back(2); // [6, 4]
 */
export function pullback<Y>(f: () => Y, ps: Params): [Y, (dy?: number) => Grads];
export function pullback<A extends unknown[], Y>(f: (...args: A) => Y, ...args: A): [Y, Back<A>];
export function pullback(f: (...args: any[]) => unknown, ...args: unknown[]): [unknown, (dy?: number) => unknown] {
  const [y, back] = record(checkedFunction(f, 'pullback'), args, 'pullback');
  return [y, back];
}

/**
 * The gradient of a scalar function with respect to each argument (Zygote's `gradient`).
 *
 * @example
 * gradient((x) => 3 * x ** 2 + 2 * x + 1, 5); // [32]
 * gradient((a, b) => a * b, 2, 3);            // [3, 2]
 */
export function gradient(f: () => number, ps: Params): Grads;
export function gradient<A extends unknown[]>(f: (...args: A) => number, ...args: A): Gradients<A>;
export function gradient(f: (...args: any[]) => number, ...args: unknown[]): unknown {
  const [, back, tape] = record(checkedFunction(f, 'gradient'), args, 'gradient');
  const grad = back(1);
  tape.release();
  return grad;
}

/**
 * The value and the gradient together.
 *
 * @example
 * withgradient((x) => x ** 2, 3); // { val: 9, grad: [6] }
 */
export function withgradient(f: () => number, ps: Params): { val: number; grad: Grads };
export function withgradient<A extends unknown[]>(f: (...args: A) => number, ...args: A): { val: number; grad: Gradients<A> };
export function withgradient(f: (...args: any[]) => number, ...args: unknown[]): { val: number; grad: unknown } {
  const [val, back, tape] = record(checkedFunction(f, 'withgradient'), args, 'withgradient');
  const grad = back(1);
  tape.release();
  return { val, grad };
}

/**
 * The gradient with zeros, not `null`, wherever f's output does not depend on a number of
 * the arguments: every gradient has its argument's full shape, typed without `null` (as JAX
 * gives gradients). For training code that adds gradients up or steps every parameter.
 * (Values with no derivative — strings, booleans, functions — are still `null`.)
 *
 * @example
 * densegradient((p: { a: number; b: number }) => p.a * 2, { a: 1, b: 5 }); // [{ a: 2, b: 0 }]
 */
export function densegradient(f: () => number, ps: Params): Grads;
export function densegradient<A extends unknown[]>(f: (...args: A) => number, ...args: A): DenseGradients<A>;
export function densegradient(f: (...args: any[]) => number, ...args: unknown[]): unknown {
  return denseGradientFor('densegradient', f, args);
}

/** `densegradient`, its errors named for the caller's API (hessian's and hvp's inner gradient). */
export function denseGradientFor(api: string, f: (...args: any[]) => unknown, args: unknown[]): unknown[] {
  const [, back, tape] = record(checkedFunction(f, api), args, api, true);
  const grad = back(1);
  tape.release();
  return grad as unknown[];
}

/**
 * The derivative of a scalar function of one number: like `gradient(f, x)[0]`, but 0 (not
 * `null`) where `f` does not depend on `x`, so it composes: `derivative(x => derivative(f, x), x)`.
 *
 * @example
 * derivative(Math.sin, 0); // 1
 */
export function derivative(f: (x: number) => number, x: number): number {
  const g = checkedFunction(f, 'derivative');
  refuseMoreArguments(g, arguments.length, 2, 'derivative(f, x) takes one x', 'gradient(f, ...args) for each partial derivative');
  checkNumberArgument(x, 'derivative(f, x) takes a number', 'For a function of an array or a structure, use gradient.');
  return derivativeOf(g, x);
}

/**
 * Refuses arguments past those `call` takes: derivative, hessian and hvp differentiate a
 * function of one value, and numbers after it were dropped without a word, f getting
 * undefined for them (hessian((x, y) => x * y, 2, 3) was 0, where the mixed partial is 1).
 */
export function refuseMoreArguments(f: Function, given: number, takes: number, call: string, instead: string): void {
  // (an f of one parameter is let be: `xs.map(derivative.bind(null, Math.sin))` passes the
  // index and the array after x, which it never reads)
  if (given <= takes || f.length === 1) return;
  throw new TypeError(`zygote-ts: ${call}, got ${given - 1} arguments after f, which takes ${f.length === 0 ? 'any number of' : f.length} parameters. For a function of several numbers, use ${instead}.`);
}

/**
 * `x`, checked to be a number (traced, or a number field's instance): derivative's 0 for
 * "f does not depend on x" made a string or a boolean read 0 where f has a slope
 * (derivative(x => x * 2, '3') was 0), and an array or a Params gave a gradient in its place.
 */
function checkNumberArgument(x: unknown, what: string, instead: string): void {
  const v = live(x);
  if (typeof v === 'number' || isTraced(v) || isScalarObject(v)) return;
  throw new TypeError(`zygote-ts: ${what} (got ${describeValue(x)}). ${instead}`);
}

/**
 * The second derivative of a scalar function of one number, by differentiating twice.
 *
 * @example
 * hessian((x) => x ** 3, 2); // 12
 */
export function hessian(f: (x: number) => number, x: number): number;
export function hessian(f: (x: NDArray) => number, x: NDArray): NDArray;
export function hessian<X extends readonly number[]>(f: (x: X) => number, x: X): number[][];
export function hessian(f: (x: any) => number, x: unknown): unknown {
  const g = checkedFunction(f, 'hessian');
  refuseMoreArguments(g, arguments.length, 2, 'hessian(f, x) takes one x', 'hessian(([x, y]) => f(x, y), [x, y]) for the Hessian in all of them');
  const takes = 'hessian(f, x) takes a number, an NDArray or an array of numbers';
  if (isNDArray(x) || Array.isArray(x)) {
    // (else jacobian refused the gradient's place as its own "output 0": a nested array's row, a string's null)
    if (Array.isArray(x)) {
      const at = x.findIndex((v) => typeof live(v) !== 'number' && !isTraced(live(v)));
      if (at >= 0) throw new TypeError(`zygote-ts: ${takes}, but x[${at}] is ${describeValue(x[at])}. Pass a nested array of numbers as array(x), an NDArray.`);
    }
    // The Jacobian of the gradient (reverse over reverse; the inner pullbacks are traced),
    // dense: where f does not depend on x (a flat branch) the gradient is zeros, not null.
    return jacobian((y: unknown) => denseGradientFor('hessian', g, [y])[0] as NDArray | number[], x)[0];
  }
  checkNumberArgument(x, takes, 'For a structure, pass its numbers as an array or an NDArray.');
  return derivativeOf((y: number) => derivativeOf(g, y, 'hessian'), x as number, 'hessian');
}

/** True while a differentiation is running (Zygote's `isderiving`). */
export function isderiving(): boolean {
  return isDeriving();
}

/** The derivative, its errors named for the caller's API (`derivative`, `hessian`). */
function derivativeOf(f: (x: number) => number, x: number, api = 'derivative'): number {
  const [, back, tape] = record(f, [x], api);
  const [dx] = back(1);
  tape.release();
  return dx ?? 0;
}

// ---- the one place a differentiation happens ------------------------------------------

/** The row of a value on `tape` (-1 if it does not depend on the tape) and its value outside. */
function outputOn(output: unknown, tape: Tape): [row: number, value: unknown] {
  // (under layers of closed tapes: an ended inner differentiation's value, kept by a bound
  // function or a pullback's cotangent, that this tape traces inside; its row was missed: 0)
  let x = output;
  while (isTraced(x) && x.tracedTape !== tape && !x.tracedTape.active) x = x.tracedValue;
  const row = isTraced(x) && x.tracedTape === tape ? x.tracedIndex : -1;
  return [row, row >= 0 ? (x as Traced).tracedValue : live(x)];
}

/** Records f on `args`; `back` gives null where no path leads, or zeros when `dense`. */
function record<A extends unknown[], Y>(f: (...args: A) => Y, args: A, caller: string, dense = false): [Y, Back<A>, Tape] {
  // The Params as they are marked: one pushed later (inside f, or between pullback and back)
  // was no input, and Grads took it for one with an undefined gradient (`get(b) ?? 0` read 0).
  const params = isImplicit(args) ? args[0].toArray() : null;
  const { tape, wrapped, result, suspects } = trace(f, args, (output, tape) => {
    // pullback (the core) also takes an array-valued f: its back takes an array cotangent
    if (caller === 'pullback' && isNDArray(output)) return arrayOutputOn(output, tape);
    const [row, value] = outputOn(output, tape);
    checkScalar(value, caller);
    return { row, value, shape: null };
  });
  const { row, value, shape } = result;
  const back: Back<A> = (dy: unknown = 1) => {
    const seed = shape === null ? checkedScalarCotangent(dy) : checkedArrayCotangent(dy, shape);
    const cotangents = sweepSuspectingCuts(f, suspects, wrapped.inputRows, row < 0 ? null : (wanted) => tape.sweep(row, seed, wanted));
    const grads = wrapped.gradients(cotangents, dense);
    if (params !== null) {
      if (!dense && params.length > 0 && grads.every((g) => g === null)) reportParamsUnreached(f, params.length);
      return new Grads(params, grads) as unknown as Gradients<A>;
    }
    return (row < 0 && !dense ? args.map(() => null) : grads) as Gradients<A>;
  };
  return [value as Y, back, tape];
}

/**
 * Text of a traced number that was never read back, where the number reaches the result no
 * other way (its cotangent: null): the result may depend on it through code that reads its
 * digits (decimal.js; mathjs's BigNumber makes one of `x + ''`), which no derivative
 * follows, and the gradient would be null or too small without a word. Only suspected (the
 * text may as well be a label of a number f does not use: regression's equation string), so
 * said once per f, never an error.
 */
function reportCutOff(f: Function, suspects: readonly CutSuspect[], cotangents: readonly unknown[]): void {
  const cut = suspects.find((_, k) => cotangents[k] === null);
  if (cut !== undefined) reportCut(f, cut, "the number reaches f's result no other way");
}

/**
 * The inputs' cotangents from `sweep` (none: null, where the output does not depend on the
 * tape), which is asked for those of the numbers whose text was not read back too: such text
 * is reported (`reportTextsCutOff`) for every API that sweeps.
 */
function sweepSuspectingCuts(f: Function, suspects: readonly CutSuspect[], inputs: readonly number[], sweep: ((wanted: readonly number[]) => unknown[]) | null): unknown[] {
  if (suspects.length === 0) return sweep === null ? inputs.map(() => null) : sweep(inputs);
  // (a suspect of no one number, an object cache, is cut off where every input is)
  const numbers = suspects.filter((s) => s.by !== null);
  const wanted = [...inputs, ...numbers.map(({ by }) => by!.tracedIndex)];
  const cotangents = sweep === null ? wanted.map(() => null) : sweep(wanted);
  const reachesNone = cotangents.slice(0, inputs.length).every((c) => c === null);
  reportCutOff(f, suspects, suspects.map((s) => (s.by === null ? (reachesNone ? null : 0) : cotangents[inputs.length + numbers.indexOf(s)])));
  return cotangents.slice(0, inputs.length);
}

/**
 * Says (once per f) that f's result depends on none of its Params. Params are keyed by
 * identity: a training loop that replaced its arrays (`m.W = sub(m.W, …)`, a projection, a
 * functional update) differentiated with respect to the old ones, which f no longer reads;
 * every gradient was null and `gs.update` stepped nothing, with no word. Only suspected (f
 * may not depend on them), so a warning.
 */
function reportParamsUnreached(f: Function, count: number): void {
  suspect(
    `params unreached in ${Function.prototype.toString.call(f)}`,
    `f's result depends on none of its ${count} Params (every gradient is null, and gs.update steps nothing). Params are keyed by identity: if the arrays f reads were replaced since the Params were made (m.W = sub(m.W, …), a functional update or a projection), they are not among them.`,
    'Make the Params from the arrays f reads now, or step the parameters in place (gs.update, applyUpdatesInPlace). If f truly does not depend on them, ignore this.',
  );
}

/** Says (once per f) what may have cut f's result off from a traced number; `reach` says why it seems so. */
export function reportCut(f: Function, cut: CutSuspect, reach: string): void {
  if ('text' in cut) reportTextNotReadBack(f, cut, reach);
  else reportEqualityHeld(f, cut);
}

/**
 * Says (once per f) that f found a traced number equal to a number it had stored (not one
 * written in the source: a plain number, or one an enclosing differentiation traces) and that its result does not depend on that traced number: a
 * cache keyed by value (`if (theta !== cachedTheta) …`, filled by a plain call) hit, and its
 * stored value is a constant here. Only suspected (a branch at a knot may truly be flat), so
 * never an error.
 */
function reportEqualityHeld(f: Function, cut: EqualityHeld): void {
  const where = cut.where === null ? '' : callerLine(cut.where.stack);
  if (cut.equalTo === null) {
    suspect(
      `identity held in ${Function.prototype.toString.call(f)}`,
      `f found an argument identical (===, ==, Object.is) to the caller's object it had stored${where ? ` at ${where}` : ''}, and f's result depends on none of its arguments: if that is a cache keyed by the object (if (p === lastP) return lastResult, filled by a plain call), it returned a value computed outside this differentiation, a constant here, and the derivative through it is lost (null).`,
      'Bypass the cache while differentiating (if (!isderiving() && p === lastP) …), or key it by the numbers. If the result truly does not depend on the arguments there, ignore this.',
    );
    return;
  }
  suspect(
    `equality held in ${Function.prototype.toString.call(f)}`,
    `f found a traced number equal (===, ==, Object.is, indexOf) to a number it had stored (${cut.equalTo}, a constant to this differentiation)${where ? ` at ${where}` : ''}, and f's result does not depend on that traced number: if that is a cache keyed by value (if (theta !== cachedTheta) { … }, a memo filled by a plain call), it returned a value computed outside this differentiation, a constant here, and the derivative through it is lost (null or 0).`,
    'Bypass the cache while differentiating (if (!isderiving() && theta === cachedTheta) …). If the result truly does not depend on it there (a flat branch at a knot), ignore this.',
  );
}

/** Says (once per f) that text `cut` was not read back, where `reach` says why the result may depend on it. */
export function reportTextNotReadBack(f: Function, cut: TextNotReadBack, reach: string): void {
  suspect(
    `text not read back in ${Function.prototype.toString.call(f)}`,
    `a traced number was written as text ("${cut.text}": String(x), a template, toFixed …) that was not read back as a number, and ${reach}: if the result depends on that text (code that reads its digits, as decimal.js, big.js or mathjs's BigNumber do), its derivative was lost.`,
    'Compute with the numbers themselves; if the text is only a label, write it from dropgrad(x).',
  );
}

/**
 * compileGradient's recording: `gradient(f, ...args)`, except that `opened` sees the tape
 * before f runs and `sweep` supplies the cotangents of the inputs (it writes the reverse
 * pass as code, or sweeps as `gradient` does). Where `keepTape()` says so afterwards, the tape
 * is not released (its reverse pass is written later) and `gradientsOf` turns the inputs'
 * cotangents into the arguments' gradients again.
 */
export function gradientWithSweep(
  f: (...args: unknown[]) => unknown,
  args: unknown[],
  opened: (tape: Tape) => void,
  sweep: (tape: Tape, output: number, wanted: readonly number[]) => unknown[],
  originals: () => ReadonlyMap<object, object>,
  keepTape: () => boolean,
): { grads: unknown[]; gradientsOf: (cotangents: readonly unknown[]) => unknown[] } {
  const { tape, wrapped, result: row, suspects } = trace(
    checkedFunction(f, 'compileGradient'),
    args,
    (output, tape) => {
      const [row, value] = outputOn(output, tape);
      checkScalar(value, 'compileGradient');
      return row;
    },
    { opened, originals },
  );
  // (text not read back is suspected as `gradient` suspects it: compiled, an output computed from
  // x's digits gave [null, 0.75] with no word, where the eager gradient warned)
  const cotangents = sweepSuspectingCuts(f, suspects, wrapped.inputRows, row < 0 ? null : (wanted) => sweep(tape, row, wanted));
  const grads = row < 0 ? args.map(() => null) : wrapped.gradients(cotangents);
  // (its rows go back to the pool, as `gradient`'s do: each recording allocated and grew its own)
  if (!keepTape()) tape.release();
  return { grads, gradientsOf: (cotangents) => wrapped.gradients(cotangents.slice(0, wrapped.inputRows.length)) };
}

/** An array output's row on `tape` (-1: it does not depend on it) and its value outside. */
function arrayOutputOn(output: NDArray, tape: Tape): { row: number; value: NDArray; shape: readonly number[] } {
  let x = output;
  while (x.tracedTape !== null && !x.tracedTape.active && x.tracedTape !== tape) x = x.tracedValue;
  return x.tracedTape === tape ? { row: x.tracedIndex, value: x.tracedValue, shape: x.shape } : { row: -1, value: x, shape: x.shape };
}

function checkedScalarCotangent(dy: unknown): unknown {
  if (typeof dy !== 'number' && !isTraced(dy) && !isScalarObject(dy)) {
    throw new TypeError(`zygote-ts: the pullback takes a number (the output's cotangent), got ${describeValue(dy)}.`);
  }
  return dy;
}

function checkedArrayCotangent(dy: unknown, shape: readonly number[]): unknown {
  // (a nested array holding numbers an enclosing differentiation traces is packed by array(),
  // which keeps their derivatives: fromNested refused them, 'array[0] is object, not a number')
  const packed = Array.isArray(dy) && dy.flat(Infinity).some(isTraced) ? array(dy as number[]) : null;
  const g = isNDArray(dy) ? dy : (packed ?? (Array.isArray(dy) || isFloatArray(dy) ? fromNested(dy) : null));
  // A typed array is flat storage, read row-major; an NDArray or nested array has a shape,
  // and one of another shape with as many numbers (a transpose's) would be misread.
  const fits = g !== null && (isFloatArray(dy) ? g.size === shape.reduce((p, n) => p * n, 1) : sameShape(g.shape, shape));
  if (!fits) {
    throw new TypeError(
      `zygote-ts: f returned an array of shape [${shape.join(', ')}], so its pullback takes a cotangent of that shape, got ${Array.isArray(dy) && g !== null ? `an array of shape [${g.shape.join(', ')}]` : describeValue(dy)}.`,
    );
  }
  // (under the layers of tapes that have closed, an enclosing level may still trace it: its data
  // alone lost that derivative)
  const inside = liveArray(g);
  return inside.tracedTape !== null ? inside : g.data.slice();
}

/**
 * The Jacobian of a function returning an array of numbers: for each argument, the
 * derivative of every output with respect to it (rows are outputs, as in Zygote).
 * Entries where an output does not depend on the argument are 0.
 *
 * @example
 * jacobian((x, y) => [x * y, x + y, 2 * x], 3, 5); // [[5, 1, 2], [3, 1, 0]]
 */
export function jacobian<A extends unknown[]>(f: (...args: A) => readonly number[] | NDArray, ...args: A): Jacobians<A> {
  return withjacobian(f, ...args).grad;
}

/** The value and the Jacobian together: `{ val, grad }`. */
export function withjacobian<A extends unknown[]>(
  f: (...args: A) => readonly number[] | NDArray,
  ...args: A
): { val: number[] | NDArray; grad: Jacobians<A> } {
  // (the per-argument stacking below has one place per argument, where Params would bring many)
  if (isImplicit(args)) throw new TypeError('zygote-ts: jacobian takes explicit arguments, not Params: pass the arrays themselves, jacobian((W, b) => f(W, b), W, b).');
  const { tape, wrapped, result: out, suspects } = trace(checkedFunction(f, 'jacobian'), args, (output, tape) => outputsOf(output, tape));
  // (text not read back was suspected by gradient only: jacobian gave [[0]] for an output
  // computed from x's digits, with no word, where gradient of that output warned)
  const rows: unknown[][] = args.map(() => []);
  for (let i = 0; i < out.count; i++) {
    const cotangents = sweepSuspectingCuts(f, suspects, wrapped.inputRows, (wanted) => out.sweep(i, wanted));
    wrapped.gradients(cotangents, true).forEach((g, k) => rows[k]!.push(g));
  }
  tape.release();
  const grad = args.map((x, k) => (wrapped.differentiable(k) ? stackRows(rows[k]!, out.count, x) : null));
  return { val: out.value, grad: grad as Jacobians<A> };
}

/** The outputs of a Jacobian's f: how many, their values, and a sweep per output. */
function outputsOf(output: unknown, tape: Tape) {
  if (isNDArray(output)) {
    const { row, value } = arrayOutputOn(output, tape);
    return {
      count: output.size,
      value,
      sweep(i: number, wanted: readonly number[]) {
        if (row < 0) return wanted.map(() => null);
        const seed = new Float64Array(output.size);
        seed[i] = 1;
        return tape.sweep(row, seed, wanted);
      },
    };
  }
  if (!Array.isArray(output)) {
    throw new TypeError(
      `zygote-ts: jacobian needs f to return an array of numbers (or an NDArray), but it returned ${describeValue(output)}. ` +
        `For a function returning one number, use gradient.`,
    );
  }
  const elements = Array.from(output, (element: unknown, i: number) => {
    if (!(i in output)) throw emptyOutputPlace('jacobian', i);
    const [row, value] = outputOn(element, tape);
    if (typeof value !== 'number' && !isTraced(value)) {
      throw new TypeError(`zygote-ts: jacobian: output ${i} is ${describeValue(value)}, not a number.`);
    }
    return { row, value: value as number };
  });
  return {
    count: elements.length,
    value: elements.map((e) => e.value),
    sweep(i: number, wanted: readonly number[]) {
      const { row } = elements[i]!;
      return row >= 0 ? tape.sweep(row, 1, wanted) : wanted.map(() => null);
    },
  };
}

/**
 * An array f returned has an empty place (`a[2] = y` past its end): a map over its outputs
 * skipped it, so jacobian failed on an internal error and jacfwd gave a Jacobian with a hole.
 */
export function emptyOutputPlace(caller: string, i: number): TypeError {
  return new TypeError(`zygote-ts: ${caller}: output ${i} is an empty place in the array f returned (a hole), not a number.`);
}

/** One argument's Jacobian from its per-output gradients: an NDArray argument gives an m×n NDArray. */
function stackRows(rows: unknown[], m: number, argument: unknown): unknown {
  // (no outputs: an NDArray argument's Jacobian is still a matrix, 0×n, as jacfwd gives it)
  if (rows.length === 0 && isNDArray(argument)) return new NDArray([0, argument.size], allocate(argument.dtype, 0));
  if (rows.length === 0 || !isNDArray(rows[0])) return rows;
  const n = (rows[0] as NDArray).size;
  // Rows traced on an outer tape (a Jacobian or Hessian taken inside another differentiation)
  // are joined by the differentiable stack: copying their numbers dropped the outer derivative.
  if (rows.some((r) => (r as NDArray).tracedTape?.active === true)) return reshape(stack(rows as NDArray[]), [m, n]);
  const data = allocate((rows[0] as NDArray).dtype, m * n); // (a float32 argument's Jacobian is float32)
  rows.forEach((r, i) => data.set((r as NDArray).data, i * n));
  return new NDArray([m, n], data);
}

function checkScalar(value: unknown, caller: string): void {
  if (typeof value === 'number' || isTraced(value) || isScalarObject(value)) return;
  if (value instanceof Promise) {
    throw new TypeError(
      `zygote-ts: ${caller} got a Promise from f. Async functions cannot be differentiated: the trace ends when f ` +
        `returns. Await the data first, then differentiate a synchronous function of it.`,
    );
  }
  throw new TypeError(
    `zygote-ts: ${caller} needs f to return a number, but it returned ${describeValue(value)}. ` +
      `Reduce the output to a scalar (a sum, a loss), or use jacobian for a function returning an array.`,
  );
}
