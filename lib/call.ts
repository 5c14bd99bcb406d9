// One differentiation call, in either mode: open a tape, wrap the arguments, run f, and
// restore everything whatever happens (lib/api.ts for reverse mode, lib/forward/ for forward).

import { closeTape, openTape } from './core/scope.js';
import type { Tape } from './core/tape.js';
import { isTraced, primal } from './core/traced.js';
import { isNDArray } from './ndarray.js';
import { took } from './coercion.js';
import { beginCatches, caughtByF, endCatches } from './caught.js';
import { doubt, suspect, warnAboutEscapes } from './escapes.js';
import { WrappedArguments } from '../proxies/arguments.js';
import { MarkedParams } from '../proxies/params.js';
import type { Seeder } from '../proxies/standins.js';
import { Params } from './params.js';
import { beginStores, endStores, outwardOf, takeFrozenHeld, takeLocked } from '../proxies/cleanup.js';
import { takeChangedElsewhere } from '../proxies/writeback.js';
import '../proxies/scheduled.js'; // (callbacks f schedules are cleaned when they run)
import { ensureRewritten } from './rewritten.js';
import { textsNotReadBack } from '../rules/text.js';
import { equalitiesHeldOn, type EqualityHeld } from '../rules/equalities.js';

/** Text a traced number of the call wrote that was not read back as a number: rules/text.ts. */
export type TextNotReadBack = ReturnType<typeof textsNotReadBack>[number];

/**
 * What may have cut f's result off from the traced number `by` with no derivative to show for
 * it: text it wrote that was not read back, or an equality with a stored plain number that
 * held (a cache keyed by value: lib/coercion.ts). The API asks the sweep whether it did.
 */
export type CutSuspect = TextNotReadBack | EqualityHeld;

/** What `trace` hands f and reads gradients from: explicit arguments, or marked Params. */
export type Wrapped = WrappedArguments | MarkedParams;

/** How a call traces: reverse mode (the default), or forward mode with its seeds. */
export interface CallOptions {
  /** Sees the tape before the arguments are wrapped (compileGradient's recorder). */
  opened?: (tape: Tape) => void;
  /** Forward mode: tangents per value, and what gives the inputs theirs. */
  forward?: { width: number; seeder: Seeder; wrapped?: (tape: Tape) => void };
  /**
   * compileGradient's recording runs f on copies of the arguments (copy → the caller's object):
   * where f left one outside (`log.push(p)`), the clean-up leaves the caller's object there.
   */
  originals?: () => ReadonlyMap<object, object>;
}

/**
 * Runs `f` on wrapped arguments with a fresh tape open, and closes it whatever happens.
 * `read` sees the output while its traced values are intact; then f's writes go back
 * into the arguments and traced values left in user data are replaced by numbers.
 */
export function trace<A extends unknown[], R>(
  f: (...args: A) => unknown,
  args: A,
  read: (output: unknown, tape: Tape) => R,
  options: CallOptions = {},
): { tape: Tape; wrapped: Wrapped; result: R; suspects: readonly CutSuspect[] } {
  const tape = openTape(options.forward?.width ?? 0);
  options.opened?.(tape);
  beginStores();
  let wrapped: Wrapped | null = null;
  let failure: { error: unknown } | null = null;
  try {
    if (args.length > 1) refuseParamsAmongArguments(args);
    if (isImplicit(args)) {
      if (options.forward !== undefined) throw new TypeError('zygote-ts: forward mode takes explicit arguments, not Params.');
      wrapped = new MarkedParams(args[0].toArray(), tape);
    } else {
      wrapped = new WrappedArguments(args, tape, options.forward?.seeder ?? null);
      for (const { said, fix } of wrapped.constantNumbers) doubt(`constant-numbers ${said}`, said, fix);
    }
    options.forward?.wrapped?.(tape);
    beginCatches();
    let output: unknown;
    let swallowed: Error | null;
    try {
      output = f(...(wrapped.values as A));
    } finally {
      swallowed = endCatches();
    }
    if (swallowed !== null) throw caughtByF(swallowed);
    // (forgotten when the tape closes)
    const texts = textsNotReadBack(tape);
    const equalities = equalitiesHeldOn(tape);
    const suspects = equalities.length === 0 ? texts : [...texts, ...equalities];
    closeTape(tape);
    return { tape, wrapped, result: read(output, tape), suspects };
  } catch (error) {
    failure = { error };
  } finally {
    closeTape(tape);
    took(); // drop any value held for `a && b`
    try {
      wrapped?.finish();
    } finally {
      endStores(options.originals);
      // (what f threw reaches the caller as data f made: cleaned as what it stored, while its stand-ins
      // are known; compileGradient's copy of an argument, `throw p`, is the caller's object)
      if (failure !== null) failure.error = outwardOf(failure.error, options.originals);
      wrapped?.close();
      warnAboutEscapes(tape);
      const elsewhere = takeChangedElsewhere();
      if (elsewhere !== null) {
        doubt(
          `changed elsewhere ${elsewhere}`,
          `the caller's object at ${elsewhere} was changed while f ran, not through f's argument but another way to the same object (a variable of a closure or module holding it): f's argument is a copy, which did not see that change, so what f read there afterwards was the old value (and the caller's object holds what f wrote through its argument, if it did, whichever came last).`,
          "Reach the object one way in f: through the argument only (not also through the variable), or through the variable only (then its numbers are constants: do not pass it).",
        );
      }
      const locked = takeLocked();
      if (locked !== null) {
        doubt(
          `locked ${locked}`,
          `f left a traced number (or the stand-in of an argument) in ${locked}, which cannot be written (frozen, or read-only), so it stays there after the call: it acts as its number in rewritten arithmetic, but not in code that was not rewritten, nor as a key.`,
          'Store plain numbers there (freeze after the differentiation, or make it from the numbers the gradient call returns); a frozen plain record or array is replaced by a copy, a class instance cannot be.',
        );
      }
      const frozen = takeFrozenHeld();
      if (frozen !== null) {
        // (a warning in strict mode too: the object may be one f made and let go, which no one holds)
        suspect(
          `frozen ${frozen}`,
          `f wrote a traced number into ${frozen} and then froze it: where it is held (by the caller, or by data that outlives the call), it keeps the traced number, which acts as its number in rewritten arithmetic, but not in code that was not rewritten, nor as a key.`,
          'Freeze it after the differentiation, or store plain numbers there (the numbers the gradient call returns).',
        );
      }
    }
  }
  throw failure!.error;
}

// Params beside other arguments were wrapped as a plain object: f's arrays got no gradient
// (gradient((x, ps) => x * W[0], 3, new Params([W])) was [2, null], with W's nowhere).
function refuseParamsAmongArguments(args: readonly unknown[]): void {
  const at = args.findIndex((x) => x instanceof Params);
  if (at < 0) return;
  throw new TypeError(
    `zygote-ts: argument ${at} is a Params among ${args.length} arguments, but Params must be the only argument (the implicit style: ` +
      'gradient(() => loss(x, W), new Params([W]))). Read the other values from the closure, or pass every array explicitly: gradient((x, W) => loss(x, W), x, W).',
  );
}

/** `gradient(f, ps)` with one `Params` argument: the implicit style. */
export function isImplicit(args: readonly unknown[]): args is [Params] {
  return args.length === 1 && args[0] instanceof Params;
}

/** `f`, checked to be a synchronous function, and rewritten if it was not loaded rewritten. */
export function checkedFunction<F>(f: F, caller: string): F {
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

/** A value, described for messages. */
export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (isTraced(x)) return `a number (${String(primal(x))})`; // (a traced one: f's result depends on the input)
  if (isNDArray(x)) return `an NDArray of shape [${x.shape.join(', ')}]`;
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  if (x === undefined) return 'undefined (no return value?)';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? `${x.slice(0, 40)}…` : x)}`;
  if (typeof x === 'function') return 'a function';
  return `${typeof x} ${String(x)}`;
}
