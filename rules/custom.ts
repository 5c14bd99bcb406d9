// Custom rules: the user gives a function's value and pullback (Zygote's `@adjoint`,
// ChainRules' `rrule`), and the function is then differentiated with them — one tape node,
// whose pullback runs once per backward pass. For numerically better gradients
// (logsumexp, softplus), and for code zygote-ts cannot follow (a native addon, WebAssembly).

import { allocate, isNDArray, NDArray } from '../lib/ndarray.js';
import type { Tape } from '../lib/core/tape.js';
import { isTraced } from '../lib/core/traced.js';
import { on, record, refuseHiddenInputs, rowOf, tapeOf } from './arrays/record.js';
import { markOwnDerivative } from '../lib/core/own-derivative.js';
import { isDeriving } from '../lib/core/scope.js';
import { isSymbolic } from '../lib/core/symbolic.js';
import { isScalarObject } from '../lib/core/scalars.js';
import { tracedInside } from './held.js';
import { typedStandIn } from '../proxies/typed-arrays.js';

/** A rule: the value of `fn` at `args`, and the pullback from the output's cotangent to one per argument. */
export type Rrule<A extends unknown[], Y> = (...args: A) => [Y, (dy: any) => readonly unknown[]];

/**
 * A forward rule: the value of `fn` at `args`, and the pushforward from one tangent per
 * argument (0, or an array of zeros, for an argument that is not perturbed) to the output's.
 */
export type Frule<A extends unknown[], Y> = (...args: A) => [Y, (...tangents: any[]) => unknown];

/**
 * `fn` with a derivative rule: call the returned function wherever you would call `fn`.
 * Arguments and result are numbers or NDArrays; the pullback returns one cotangent per
 * argument (`null` for none). The rule computes with zygote-ts's operations (or plain
 * numbers), so a rule written with differentiable code also gives second derivatives.
 * Forward mode (`jvp`, `jacfwd`, `hvp`) uses `frule`, which gives the value and the
 * pushforward; without one, forward mode through `fn` is an error that says so.
 *
 * @example
 * const mul = rule(
 *   (a: number, b: number) => a * b,
 *   (a, b) => [a * b, (c) => [c * b, c * a]],
 *   (a, b) => [a * b, (da, db) => da * b + a * db],
 * );
 * gradient(mul, 2, 3);           // [3, 2]
 * jvp(mul, [2, 3], [1, 0]);      // [6, 3]
 */
export function rule<A extends unknown[], Y>(fn: (...args: A) => Y, rrule: Rrule<A, Y>, frule?: Frule<A, Y>): (...args: A) => Y {
  const name = fn.name || 'rule';
  // (what messages and the tape call it: an anonymous function's rule was "the rule for rule")
  const ruleName = fn.name || 'an anonymous function';
  refuseAsync(fn, 'its function', ruleName);
  refuseAsync(rrule, 'its reverse rule', ruleName);
  refuseAsync(frule, 'its forward rule', ruleName);
  const withRule = {
    // (`this` passed on: a rule put on an object as a method reads its fields, as fn does)
    [name](this: unknown, ...args: A): Y {
      if (isDeriving()) refuseHeldNumbers(args, ruleName);
      const t = tapeOf(args);
      if (t === null) return fn.apply(this, args);
      const outer = args.map((x) => on(x, t)) as A;
      if (t.tangents !== null) return forward(t, ruleName, args, outer, rrule.bind(this), frule?.bind(this));
      const [value, pullback] = rrule.apply(this, outer);
      checkValue(value, ruleName);
      refuseHiddenInputs(value, t, `the rule for ${ruleName}`, 'Make that number an argument of the rule, and return its cotangent from the pullback.');
      // (what each cotangent must be, decided now: a pullback must not look at its operands' tapes)
      const expected = args.map((x) => (rowOf(x, t) < 0 ? null : isNDArray(x) ? x.shape : 'number'));
      return record(t, value, args, namedPullback(ruleName, (dy: unknown) => {
        // (the rule gets its own copy: a cotangent buffer may be shared with another
        // operand's, as `a + b` gives both the same, and a pullback that writes into it
        // would change that gradient too)
        const parts = pullback(isNDArray(dy) && dy.tracedTape === null ? new NDArray(dy.shape, dy.data.slice()) : dy);
        if (!Array.isArray(parts) || parts.length !== args.length) {
          throw new TypeError(`zygote-ts: the rule for ${ruleName} returned ${Array.isArray(parts) ? parts.length : 'no'} cotangents for ${args.length} arguments; return one per argument (null for none).`);
        }
        // (a loop, not forEach, which skips holes: undefined for an argument with a path,
        // `[c * b, c.a]` or `[, c * a]`, dropped its gradient to null without a word; null says "none")
        for (let k = 0; k < parts.length; k++) {
          if (expected[k] !== null) refuseNoReturn(parts[k], `the rule for ${ruleName}`, `argument ${k + 1}`);
          checkCotangent(parts[k], expected[k]!, `the rule for ${ruleName}`, `argument ${k + 1}`);
        }
        return parts;
      })) as Y;
    },
  }[name]!;
  return markOwnDerivative(withRule);
}

// On a forward-mode tape: the value and pushforward from `frule` (none: the tape reports it
// when a tangent reaches the rule). A forward tape never runs pullbacks.
function forward<A extends unknown[], Y>(t: Tape, name: string, args: A, outer: A, rrule: Rrule<A, Y>, frule: Frule<A, Y> | undefined): Y {
  const [value, pushforward] = frule === undefined ? [rrule(...outer)[0], undefined] : frule(...outer);
  checkValue(value, name);
  refuseHiddenInputs(value, t, `the rule for ${name}`, 'Make that number an argument of the rule, and return its tangent from the pushforward.');
  if (pushforward !== undefined && typeof pushforward !== 'function') {
    throw new TypeError(`zygote-ts: the forward rule for ${name} must return [value, pushforward], with pushforward a function.`);
  }
  const unused = namedPullback(name, () => {
    throw new Error('zygote-ts: a forward-mode tape is never swept');
  });
  // A number value's tangent must be a number: an NDArray came out of jvp as the number's
  // tangent, and jacfwd's rows of it as NaN. (An array value's may be anything that
  // broadcasts to it: record stretches it.)
  const expected = isNDArray(value) ? null : 'number';
  const pf =
    pushforward === undefined
      ? undefined
      : (tangents: readonly unknown[]) => {
          const tangent = pushforward(...tangents.map((d, k) => d ?? zeroLike(outer[k])));
          refuseNoReturn(tangent, `the forward rule for ${name}'s pushforward`, 'its value', 'tangent');
          checkCotangent(tangent, expected, `the forward rule for ${name}`, 'its value', 'tangent');
          return tangent;
        };
  return record(t, value, args, unused, undefined, pf, true) as Y;
}

/** `pullback`, named after the rule: the tape names a node after its pullback (messages, compileGradient's reasons). */
function namedPullback<F extends (dy: any) => readonly unknown[]>(ruleName: string, pullback: F): F {
  return Object.defineProperty(pullback, 'name', { value: `the custom rule for ${ruleName}Pullback` });
}

/** A zero tangent for a rule's argument: 0 for a number, zeros of its shape for an array. */
function zeroLike(x: unknown): unknown {
  return isNDArray(x) ? new NDArray(x.shape, allocate(x.dtype, x.size)) : 0;
}

// An async or generator function gives a Promise or an iterator, not its value: the rule of
// an async fn answered a number while differentiating where fn itself, run outside, gives a
// Promise (withgradient(x => r(x) * 2, 3) had val 18 where plain code computes NaN).
function refuseAsync(f: unknown, which: string, name: string): void {
  const kind = typeof f === 'function' ? (f.constructor as { name?: unknown } | undefined)?.name : undefined;
  if (kind !== 'AsyncFunction' && kind !== 'AsyncGeneratorFunction' && kind !== 'GeneratorFunction') return;
  throw new TypeError(
    `zygote-ts: rule for ${name}: ${which} is ${kind === 'AsyncFunction' ? 'an async' : 'a generator'} function. A rule's ` +
      'functions must be synchronous and return their values: await the data first, then make a rule of a synchronous function of it.',
  );
}

function checkValue(value: unknown, name: string): void {
  // (while compileGradient records, a number computed from its arguments is a symbolic one)
  // (a number field's instance is a number too: numberField)
  if (typeof value === 'number' || isTraced(value) || isNDArray(value) || isSymbolic(value) || isScalarObject(value)) return;
  throw new TypeError(`zygote-ts: the rule for ${name} must return [value, pullback] with a number or an NDArray value, got ${typeof value}.`);
}

// A rule sees only arguments that are numbers or NDArrays: a traced number inside an array,
// a record, a Map or a typed array is not an operand of its node, so fn would run on it
// without the rule (differentiated through, or not at all), never as the rule says.
function refuseHeldNumbers(args: readonly unknown[], name: string): void {
  args.forEach((x, k) => {
    if (typeof x !== 'object' || x === null || isNDArray(x) || isTraced(x)) return;
    const path = tracedInside(x);
    if (path === null) return;
    const kind = Array.isArray(x) ? 'an array' : ArrayBuffer.isView(x) || typedStandIn(x) !== undefined ? 'a typed array' : x instanceof Map ? 'a Map' : x instanceof Set ? 'a Set' : 'an object';
    throw new TypeError(
      `zygote-ts: argument ${k + 1} of the rule for ${name} is ${kind} holding a traced number (at ${path}), but a rule's ` +
        'arguments must be numbers or NDArrays: the rule would not be used for it, and its derivative would not be the ' +
        "rule's. Pass the numbers as an NDArray (array(xs) keeps their derivatives) or as separate number arguments.",
    );
  });
}

// The sweep adds a cotangent into its operand's buffer as it is: one of another shape would
// be read short (NaN past its end) or stretched, and one of another kind added as text (a
// number for an array would become the array's gradient). `who` returned it for `whose`; a
// forward rule's tangent is held to the same.
/**
 * Refuses undefined where a function's own result is the cotangent (hook's fn) or the tangent
 * (a forward rule's pushforward): a block body with no return (`g => { g * 2 }`) gave a
 * gradient of null, or a tangent of 0, without a word. (null still says "none".)
 */
export function refuseNoReturn(part: unknown, who: string, whose: string, noun = 'cotangent'): void {
  if (part !== undefined) return;
  throw new TypeError(`zygote-ts: ${who} returned undefined as the ${noun} of ${whose} (a block body with no return?); return the ${noun}, or null for none.`);
}

export function checkCotangent(part: unknown, expected: readonly number[] | 'number' | null, who: string, whose: string, noun = 'cotangent'): void {
  if (part === null || part === undefined || expected === null) return;
  const shapeOf = (shape: readonly number[]) => `[${shape.join(', ')}]`;
  const what = (x: unknown) =>
    isNDArray(x) ? `an NDArray of shape ${shapeOf(x.shape)}` : Array.isArray(x) ? 'an array' : x instanceof Promise ? 'a Promise (an async function\'s result: it must be synchronous)' : typeof x === 'object' ? 'an object' : `a ${typeof x}`;
  if (expected !== 'number') {
    if (isNDArray(part) && part.shape.length === expected.length && part.shape.every((n, d) => n === expected[d])) return;
    throw new TypeError(
      `zygote-ts: ${who} returned ${what(part)} as the ${noun} of ${whose}, an NDArray of shape ` +
        `${shapeOf(expected)}; return an NDArray of that shape (null for none).`,
    );
  }
  // A number's is a number: traced, symbolic (compileGradient's), a number field's instance
  // (Fraction, Complex) or a Number object. Any other object (a Promise an async function
  // returned, a record) was added as text or NaN, silently.
  if (!(typeof part === 'number' || isTraced(part) || isSymbolic(part) || isScalarObject(part) || part instanceof Number)) {
    throw new TypeError(`zygote-ts: ${who} returned ${what(part)} as the ${noun} of ${whose}, a number; return a number (null for none).`);
  }
}
