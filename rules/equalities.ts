// Equalities that held between a traced number and a stored one (a cache keyed by value), noted
// by the runtime's `===` and kin (lib/coercion.ts) and `Object.is` (rules/builtins.ts); the API
// asks the sweep whether f's result depends on the numbers found so (lib/api.ts, lib/forward/),
// as it asks of text not read back (rules/text.ts).

import { isTraced, numberOf, type Traced } from '../lib/core/traced.js';
import { innermostOpenTape, onIdle } from '../lib/core/scope.js';
import { sameObject, standInNode } from '../proxies/standins.js';

/** An equality that held between traced `by` and a stored number, and the stack where. */
export interface EqualityHeld {
  /**
   * The traced number found equal; null for an argument found identical (`p === lastP`) to
   * the caller's object stored outside: an object cache, cut off from every input.
   */
  readonly by: Traced | null;
  readonly tape: object;
  /** The stored number (null: an object). */
  readonly equalTo: number | null;
  readonly where: Error | null;
}

let equalitiesHeld: EqualityHeld[] = [];
/** Stacks taken per call at most (a loop finding many equal pairs pays for the first few only). */
const STACKS_TAKEN = 4;
const NOTED_AT_MOST = 64;
onIdle(() => {
  if (equalitiesHeld.length > 0) equalitiesHeld = [];
});

/**
 * Notes `a == b` that held, where one side is traced and the other a constant to its tape: a
 * plain number, or a number an enclosing differentiation traces (a cache filled by the outer
 * level, hit by an inner `derivative` of the same function).
 */
export function noteEqualityHeld(a: unknown, b: unknown): void {
  const by = constantTo(a, b) ? a : constantTo(b, a) ? b : null;
  if (by === null || isStep(by)) return;
  // (one note per traced number: a loop comparing it with a table's numbers notes it once; and
  // a few dozen in all, which the sweep is asked about)
  if (equalitiesHeld.length >= NOTED_AT_MOST || equalitiesHeld.some((e) => e.by === by)) return;
  equalitiesHeld.push({ by, tape: by.tracedTape, equalTo: numberOf(by === a ? b : a), where: equalitiesHeld.length < STACKS_TAKEN ? new Error() : null });
}

/** Notes `a === b` that held between two forms of one object: an argument's stand-in and the caller's object (once per tape). */
export function noteIdentityHeld(a: object, b: object): void {
  if (a === b || !sameObject(a, b)) return; // (not one object: immer's result equal to its base, proxies/drafts.ts)
  const tape = (standInNode(a) ?? standInNode(b))?.wrapping.tape ?? innermostOpenTape();
  if (tape === undefined || equalitiesHeld.length >= NOTED_AT_MOST || equalitiesHeld.some((e) => e.by === null && e.tape === tape)) return;
  equalitiesHeld.push({ by: null, tape, equalTo: null, where: equalitiesHeld.length < STACKS_TAKEN ? new Error() : null });
}

/**
 * Whether `x` is a step's result (`Math.round(t)`, a key rounded for a table): its derivative
 * is 0, and a hit on it loses none. (A forward tape keeps no rows: there a step's tangent is 0,
 * which the report passes over.)
 */
function isStep(x: Traced): boolean {
  const tape = x.tracedTape;
  if (tape.tangents !== null) return false;
  const row = tape.rowAt(x.tracedIndex);
  return row.kind === 'scalar' && (row.a >= 0 || row.b >= 0) && row.da === 0 && row.db === 0;
}

/** Whether `x` is a traced number of a running differentiation to whose tape `other` is a constant number. */
function constantTo(x: unknown, other: unknown): x is Traced {
  if (!isTraced(x) || !x.tracedTape.active) return false;
  if (typeof other === 'number') return true;
  for (let v = other; isTraced(v); v = v.tracedValue) if (v.tracedTape === x.tracedTape) return false;
  return isTraced(other);
}

/** The equalities with stored numbers that held for traced numbers of `tape` (lib/call.ts asks when f has returned). */
export function equalitiesHeldOn(tape: object): readonly EqualityHeld[] {
  return equalitiesHeld.length === 0 ? NONE_HELD : equalitiesHeld.filter((e) => e.tape === tape);
}

const NONE_HELD: readonly EqualityHeld[] = [];
