// The public API: one function, `pullback`, and conveniences on it (as in Zygote).

import { closeTape, isDeriving, openTape } from './core/scope.js';
import { live, onEscape, Traced } from './core/traced.js';
import type { Tape } from './core/tape.js';
import { took } from './coercion.js';
import { WrappedArguments } from '../proxies/arguments.js';
import { beginStores, endStores } from '../proxies/cleanup.js';
import type { Back, Gradients, Jacobians } from './types.js';
import { ensureRewritten } from './rewritten.js';

/**
 * Runs `f(...args)` while recording, and returns its value with the pullback.
 * `back(dy)` gives dy·∂f/∂args; it may be called any number of times.
 *
 * @example
 * const [y, back] = pullback((a, b) => a * b, 2, 3); // y = 6
 * back(1); // [3, 2]
 * back(2); // [6, 4]
 */
export function pullback<A extends unknown[], Y>(f: (...args: A) => Y, ...args: A): [Y, Back<A>] {
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
export function gradient<A extends unknown[]>(f: (...args: A) => number, ...args: A): Gradients<A> {
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
export function withgradient<A extends unknown[]>(
  f: (...args: A) => number,
  ...args: A
): { val: number; grad: Gradients<A> } {
  const [val, back, tape] = record(checkedFunction(f, 'withgradient'), args, 'withgradient');
  const grad = back(1);
  tape.release();
  return { val, grad };
}

/**
 * The derivative of a scalar function of one number: like `gradient(f, x)[0]`, but 0 (not
 * `null`) where `f` does not depend on `x`, so it composes: `derivative(x => derivative(f, x), x)`.
 *
 * @example
 * derivative(Math.sin, 0); // 1
 */
export function derivative(f: (x: number) => number, x: number): number {
  return derivativeOf(checkedFunction(f, 'derivative'), x);
}

/**
 * The second derivative of a scalar function of one number, by differentiating twice.
 *
 * @example
 * hessian((x) => x ** 3, 2); // 12
 */
export function hessian(f: (x: number) => number, x: number): number {
  const g = checkedFunction(f, 'hessian');
  if (typeof live(x) !== 'number' && !(live(x) instanceof Traced)) {
    throw new TypeError(`zygote-ts: hessian(f, x) takes a number x (got ${typeof x}).`);
  }
  return derivativeOf((y: number) => derivativeOf(g, y), x);
}

/** True while a differentiation is running (Zygote's `isderiving`). */
export function isderiving(): boolean {
  return isDeriving();
}

function derivativeOf(f: (x: number) => number, x: number): number {
  const [, back, tape] = record(f, [x], 'derivative');
  const [dx] = back(1);
  tape.release();
  return dx ?? 0;
}

// ---- the one place a differentiation happens ------------------------------------------

/**
 * Runs `f` on wrapped arguments with a fresh tape open, and closes it whatever happens.
 * `read` sees the output while its traced values are intact; then f's writes go back
 * into the arguments and traced values left in user data are replaced by numbers.
 */
function trace<A extends unknown[], R>(
  f: (...args: A) => unknown,
  args: A,
  read: (output: unknown, tape: Tape) => R,
): { tape: Tape; wrapped: WrappedArguments; result: R } {
  const tape = openTape();
  beginStores();
  let wrapped: WrappedArguments | null = null;
  try {
    wrapped = new WrappedArguments(args, tape);
    const output = f(...(wrapped.values as A));
    closeTape(tape);
    return { tape, wrapped, result: read(output, tape) };
  } finally {
    closeTape(tape);
    took(); // drop any value held for `a && b`
    try {
      wrapped?.finish();
    } finally {
      endStores();
      wrapped?.close();
      warnAboutEscapes(tape);
    }
  }
}

/** The row of a value on `tape` (-1 if it does not depend on the tape) and its value outside. */
function outputOn(output: unknown, tape: Tape): [row: number, value: unknown] {
  const row = output instanceof Traced && output.tape === tape ? output.index : -1;
  return [row, row >= 0 ? (output as Traced).value : live(output)];
}

function record<A extends unknown[], Y>(f: (...args: A) => Y, args: A, caller: string): [Y, Back<A>, Tape] {
  const { tape, wrapped, result } = trace(f, args, (output, tape) => {
    const [row, value] = outputOn(output, tape);
    checkScalar(value, caller);
    return { row, value };
  });
  const { row, value } = result;
  const back: Back<A> = (dy: unknown = 1) => {
    if (typeof dy !== 'number' && !(dy instanceof Traced)) {
      throw new TypeError(`zygote-ts: the pullback takes a number (the output's cotangent), got ${describeValue(dy)}.`);
    }
    if (row < 0) return args.map(() => null) as Gradients<A>;
    return wrapped.gradients(tape.sweep(row, dy, wrapped.inputRows)) as Gradients<A>;
  };
  return [value as Y, back, tape];
}

/**
 * The Jacobian of a function returning an array of numbers: for each argument, the
 * derivative of every output with respect to it (rows are outputs, as in Zygote).
 * Entries where an output does not depend on the argument are 0.
 *
 * @example
 * jacobian((x, y) => [x * y, x + y, 2 * x], 3, 5); // [[5, 1, 2], [3, 1, 0]]
 */
export function jacobian<A extends unknown[]>(f: (...args: A) => readonly number[], ...args: A): Jacobians<A> {
  return withjacobian(f, ...args).grad;
}

/** The value and the Jacobian together: `{ val, grad }`. */
export function withjacobian<A extends unknown[]>(
  f: (...args: A) => readonly number[],
  ...args: A
): { val: number[]; grad: Jacobians<A> } {
  const { tape, wrapped, result: rows } = trace(checkedFunction(f, 'jacobian'), args, (output, tape) => {
    if (!Array.isArray(output)) {
      throw new TypeError(
        `zygote-ts: jacobian needs f to return an array of numbers, but it returned ${describeValue(output)}. ` +
          `For a function returning one number, use gradient.`,
      );
    }
    return output.map((element: unknown, i: number) => {
      const [row, value] = outputOn(element, tape);
      if (typeof value !== 'number' && !(value instanceof Traced)) {
        throw new TypeError(`zygote-ts: jacobian: output ${i} is ${describeValue(value)}, not a number.`);
      }
      return { row, value: value as number };
    });
  });
  const inputRows = wrapped.inputRows;
  const grad = args.map((_, k) => (wrapped.differentiable(k) ? ([] as unknown[]) : null));
  for (const { row } of rows) {
    const cotangents = row >= 0 ? tape.sweep(row, 1, inputRows) : inputRows.map(() => null);
    wrapped.gradients(cotangents, true).forEach((g, k) => grad[k]?.push(g));
  }
  tape.release();
  return { val: rows.map((r) => r.value), grad: grad as Jacobians<A> };
}

function checkScalar(value: unknown, caller: string): void {
  if (typeof value === 'number' || value instanceof Traced) return;
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

function checkedFunction<F>(f: F, caller: string): F {
  if (typeof f !== 'function') {
    throw new TypeError(`zygote-ts: ${caller}(f, ...args) needs a function f, got ${describeValue(f)}.`);
  }
  const kind = (f as Function).constructor?.name;
  if (kind === 'AsyncFunction' || kind === 'AsyncGeneratorFunction' || kind === 'GeneratorFunction') {
    throw new TypeError(
      `zygote-ts: ${caller} got ${kind === 'AsyncFunction' ? 'an async' : 'a generator'} function. Only synchronous ` +
        `functions can be differentiated: the trace ends when f returns. Await the data first, then differentiate ` +
        `a synchronous function of it.`,
    );
  }
  return ensureRewritten(f as F & Function) as F;
}

function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  return `${typeof x} ${String(x)}`;
}

// ---- lost derivatives: strict mode throws, otherwise one warning per place -------------

let strict = typeof process !== 'undefined' && /^(1|true|yes)$/i.test(process.env?.['ZYGOTE_STRICT'] ?? '');
let warnings = true;
const escapes = new WeakMap<Tape, { count: number; where: string }>();
const warnedPlaces = new Set<string>();

/** Options of the whole library. */
export interface ZygoteOptions {
  /**
   * Throw where a traced number is converted to a plain one (its derivative would be lost):
   * code that was not rewritten, a typed-array write, a JSON round trip.
   * Also set by the environment variable `ZYGOTE_STRICT=1`. Default false.
   */
  strict?: boolean;
  /** Warn (once per place) about such conversions when not strict. Default true. */
  warnings?: boolean;
}

/**
 * Sets library-wide options; returns the previous ones.
 *
 * @example
 * configure({ strict: true });
 */
export function configure(options: ZygoteOptions): Required<ZygoteOptions> {
  const previous = { strict, warnings };
  if (options.strict !== undefined) strict = options.strict;
  if (options.warnings !== undefined) warnings = options.warnings;
  return previous;
}

onEscape((x, how) => {
  const where = callerLine(new Error().stack);
  if (strict) {
    throw new TypeError(
      `zygote-ts (strict): a traced number was turned into a plain number by ${how}${where ? ` at ${where}` : ''}, ` +
        `so its derivative would be lost. Usual causes: code that was not rewritten (run it with the loader or ` +
        `plugin; list packages in ZYGOTE_INCLUDE), a Float64Array/Float32Array write, or a JSON round trip.`,
    );
  }
  const seen = escapes.get(x.tape);
  if (seen) seen.count++;
  else escapes.set(x.tape, { count: 1, where: `${how}${where ? ` at ${where}` : ''}` });
});

function warnAboutEscapes(tape: Tape): void {
  const seen = escapes.get(tape);
  if (!seen || !warnings || warnedPlaces.has(seen.where)) return;
  warnedPlaces.add(seen.where);
  console.warn(
    `zygote-ts: ${seen.count} traced number(s) were turned into plain numbers during differentiation ` +
      `(first by ${seen.where}); derivatives through them are lost. Rewrite that code (loader, plugin, ` +
      `ZYGOTE_INCLUDE for packages) or run with configure({ strict: true }) to stop at the spot.`,
  );
}

// zygote-ts's own files, as stack frames name them (built, or mapped back to the sources).
// (A bundle may not know its own URL: then every frame counts as the user's.)
const ownRoot = typeof import.meta.url === 'string' ? new URL('../..', import.meta.url).pathname : null;
const ownFolders = ownRoot === null ? [] : ['dist/', 'lib/', 'rules/', 'proxies/'].map((folder) => ownRoot + folder);

/** The first stack line outside zygote-ts's own files (the user's line that lost a derivative). */
function callerLine(stack: string | undefined): string {
  const lines = (stack ?? '').split('\n').slice(1);
  const outside = lines.find((line) => !ownFolders.some((folder) => line.includes(folder)) && !line.includes('(node:'));
  return outside?.trim().replace(/^at /, '') ?? '';
}
