// immer's `produce` called by f, with a traced number stored into its draft. immer decides
// whether the recipe changed anything by identity (`Object.is`): `d.x = d.x * k` at k = 1
// stores a traced number, another object than the number there, so produce returns a new
// state where plain JavaScript returns the one it was given, and `next === state` (how
// reducers, memos and stores tell "nothing changed") was false: another branch, silently.
// The traced number must stay in the result (it carries the derivative in k), so the
// identity is made right where rewritten code asks for it: `===`, `==`, `Object.is` find a
// state produce made equal to its base when it differs from it only by traced numbers equal
// to the numbers there (and by such states nested). Code that was not rewritten (React's
// bail-out, a selector's memo) still sees two objects.

import { onIdle } from '../lib/core/scope.js';
import { isTraced, primal } from '../lib/core/traced.js';
import { noteFilledByLibrary } from '../lib/core/library-keys.js';

/** immer marks every draft with this registered symbol; its value is the draft's state. */
const IMMER_STATE = Symbol.for('immer-state');

/** What zygote-ts reads of immer's draft state (immer 9–11 name its fields so). */
interface DraftState {
  readonly base_: unknown;
  readonly copy_: unknown;
  readonly parent_?: DraftState;
  /** The draft: a Proxy for a record or array, revoked when its produce returns. */
  readonly draft_?: unknown;
  /** Whether a Map or Set draft's produce has returned. */
  readonly revoked_?: boolean;
  /** The keys the recipe stored (true) or deleted (false) once the draft had changed. */
  readonly assigned_?: unknown;
  /** Set by an array method that may move every element (sort, reverse, …). */
  readonly allIndicesReassigned_?: boolean;
  /** The produce's scope, which knows the immer instance that made the draft. */
  readonly scope_?: { readonly immer_?: { readonly produce?: unknown } };
}

/** States of drafts f stored an object into (and their parents'), while a differentiation runs: by their copy once they have one. */
const written = new Set<DraftState>();
let stateOfCopy = new WeakMap<object, DraftState>();
let anyIndexed = false;
/** The last container asked about: a loop storing into one array reads its state once. */
let lastAsked: unknown = null;
/** States of drafts f stored an object into whose produce may not have ended yet (see `freezeUnchangedBases`). */
const running = new Set<DraftState>();
/** Objects `noteCollectionsWithin` walked during this differentiation. */
let walked = new WeakSet<object>();
onIdle(() => {
  written.clear();
  running.clear();
  walked = new WeakSet();
  stateOfCopy = new WeakMap();
  anyIndexed = false;
  lastAsked = null;
});

/**
 * After a store of an object by rewritten code (`d.x = v`, `d.m.set(k, v)`: the value may be
 * traced, or the Map draft `set` returns), while a differentiation runs: notes an immer draft.
 */
export function noteDraftStore(container: unknown): void {
  if (container === lastAsked || typeof container !== 'object' || container === null) return;
  lastAsked = container;
  let state: DraftState | undefined;
  try {
    state = (container as Record<symbol, DraftState | undefined>)[IMMER_STATE];
  } catch {
    return; // (a revoked Proxy)
  }
  for (; typeof state === 'object' && state !== null && 'base_' in state && !written.has(state); state = state.parent_) {
    written.add(state);
    running.add(state);
  }
}

/**
 * After a call of a package's function while a differentiation runs (lib/imported.ts), once f
 * has stored an object or traced number into a draft: the Maps and Sets in what it returned are
 * noted as filled outside rewritten code (lib/core/library-keys.ts), so rewritten code finds their
 * traced keys by value. immer makes such collections itself — `current(d.m)`, `applyPatches`'
 * state — and `c.has(3)` of one holding the traced key 3 was false where plain code finds it.
 */
export function noteCollectionsWithin(result: unknown): void {
  if ((written.size === 0 && !anyIndexed) || typeof result !== 'object' || result === null) return;
  const stack: object[] = [result];
  for (let o = stack.pop(); o !== undefined; o = stack.pop()) {
    if (walked.has(o) || isTraced(o) || ArrayBuffer.isView(o) || isDraft(o)) continue;
    walked.add(o);
    const push = (v: unknown) => {
      if (typeof v === 'object' && v !== null && !walked.has(v)) stack.push(v);
    };
    if (o instanceof Map || o instanceof Set) {
      noteFilledByLibrary(o);
      for (const [k, v] of o instanceof Map ? Map.prototype.entries.call(o) : Set.prototype.entries.call(o)) push(k), push(v);
      continue;
    }
    for (const key of Reflect.ownKeys(o)) {
      const d = Reflect.getOwnPropertyDescriptor(o, key);
      if (d !== undefined && 'value' in d) push(d.value);
    }
  }
}

/**
 * After a call of a package's function while a differentiation runs (lib/imported.ts): where a
 * produce that has ended made a copy that differs from its base only by traced numbers equal to
 * the base's numbers, and froze it (immer's autoFreeze), the base is frozen as immer freezes it.
 * Plain immer found nothing changed there and returned (or shared) the base itself, deeply frozen:
 * the caller's state, which f's next write then could not change. `produce(s, d => { d.a = d.a * x })`
 * at x = 1 left s open, and `s.b = 5` after it went through where plain JavaScript throws.
 */
export function freezeUnchangedBases(same: (a: object, b: object) => boolean): void {
  if (running.size === 0) return;
  for (const state of running) {
    if (!ended(state)) continue; // (its produce has not returned: asked again after the next call)
    running.delete(state);
    const { copy_: copy, base_: base } = state;
    if (typeof copy !== 'object' || copy === null || typeof base !== 'object' || base === null || !Object.isFrozen(copy) || Object.isFrozen(base)) continue;
    if (isDraft(base) || !unchangedCopy(copy, base, same, 0, true)) continue; // (a nested produce's base: a draft of the outer one)
    freezeAsUnchanged(state, base);
  }
}

/**
 * Freezes `base` as the immer instance that made `state` freezes a base its produce left unchanged:
 * by such a produce. (Not by importing immer's `freeze`: immer's module reads `process.env` as it
 * loads, and the runtime then failed to load where there is no `process` — a browser without a
 * bundler's define, a `vm` context.)
 */
function freezeAsUnchanged(state: DraftState, base: object): void {
  const produce = state.scope_?.immer_?.produce;
  if (typeof produce !== 'function') return;
  try {
    produce(base, () => undefined);
  } catch {
    // (an object immer cannot freeze: it stays as it is)
  }
}

/** Whether the produce of `state` has returned (immer revokes its drafts as it returns). */
function ended(state: DraftState): boolean {
  if (state.revoked_ === true) return true;
  const draft = state.draft_;
  if (typeof draft !== 'object' || draft === null) return false;
  try {
    if (draft instanceof Map || draft instanceof Set) return false; // (no Proxy: it says revoked_ itself)
    Reflect.isExtensible(draft);
    return false;
  } catch {
    return true; // (a revoked Proxy)
  }
}

/** Whether `x` is an immer draft (a revoked one too). */
export function isDraft(x: object): boolean {
  try {
    return (x as Record<symbol, unknown>)[IMMER_STATE] !== undefined;
  } catch {
    return true; // (a revoked draft)
  }
}

/** The state whose copy `copy` is (states are indexed when asked: a draft has its copy from its first change on). */
function stateOf(copy: object): DraftState | undefined {
  for (const s of written) {
    if (typeof s.copy_ !== 'object' || s.copy_ === null) continue;
    stateOfCopy.set(s.copy_, s);
    written.delete(s);
    anyIndexed = true;
  }
  return stateOfCopy.get(copy);
}

/**
 * Whether `a` and `b` (two objects that are not one) are a state produce returned and its
 * base, differing only by traced numbers equal to the base's numbers: one object in the plain
 * program. `same` says whether two objects are one (a stand-in is its original).
 */
export function sameAsProduced(a: object, b: object, same: (a: object, b: object) => boolean): boolean {
  if (written.size === 0 && !anyIndexed) return false;
  return unchangedCopy(a, b, same, 0) || unchangedCopy(b, a, same, 0);
}

/**
 * The base of `x` where `x` is a state produce returned that differs from it only by traced
 * numbers equal to the base's numbers (one object in the plain program), else undefined: a
 * key a collection may hold in its place (`seen.has(next)`, `m.get(next)`).
 */
export function producedBase(x: object, same: (a: object, b: object) => boolean): object | undefined {
  if (written.size === 0 && !anyIndexed) return undefined;
  const base = stateOf(x)?.base_;
  return typeof base === 'object' && base !== null && unchangedCopy(x, base, same, 0) ? base : undefined;
}

/**
 * Whether every store the recipe made into the draft of `state` stored a traced number f made
 * equal to the base's number there (immer notes each key stored once the draft had changed):
 * plain immer saw no change at all. A push undone by a pop, a store of another number, a delete:
 * a change. (A change undone by storing such a number, `d.a = 9; d.a = d.a0 * k` at k = 1, is
 * taken for none, as `===` takes it: README.)
 */
function onlyEqualTracedStores(state: DraftState): boolean {
  const assigned = state.assigned_;
  if (state.allIndicesReassigned_ === true || !(assigned instanceof Map)) return false;
  const { copy_: copy, base_: base } = state;
  const at = (c: unknown, k: unknown): unknown => (c instanceof Map ? c.get(k) : (c as Record<PropertyKey, unknown>)[k as PropertyKey]);
  for (const [key, stored] of assigned as Map<unknown, unknown>) {
    const v = at(copy, key);
    const w = at(base, key);
    // (the base's own traced number, an argument's, stored back: moved there by a change, `reverse()` twice)
    if (stored !== true || !isTraced(v) || v === w || !(typeof w === 'number' || isTraced(w)) || !Object.is(primal(v), primal(w))) return false;
  }
  return true;
}

/** `strict`: also every draft's stores were of equal traced numbers (`onlyEqualTracedStores`): the copy is the base to plain immer, not only by value. */
function unchangedCopy(copy: object, base: object, same: (a: object, b: object) => boolean, depth: number, strict = false): boolean {
  if (depth > 64) return false;
  const state = stateOf(copy);
  if (state === undefined || typeof state.base_ !== 'object' || state.base_ === null || !same(state.base_, base)) return false;
  if (strict && !onlyEqualTracedStores(state)) return false;
  const from = state.base_;
  const alike = (v: unknown, w: unknown): boolean => {
    if (v === w) return true;
    const numberLike = (x: unknown) => typeof x === 'number' || isTraced(x);
    if (numberLike(v) && numberLike(w)) return Object.is(primal(v), primal(w));
    if (typeof v !== 'object' || typeof w !== 'object' || v === null || w === null) return false;
    return same(v, w) || unchangedCopy(v, w, same, depth + 1, strict);
  };
  if (copy instanceof Map) {
    if (!(from instanceof Map) || copy.size !== from.size) return false;
    for (const [k, v] of copy) if (!from.has(k) || !alike(v, from.get(k))) return false;
    return true;
  }
  if (copy instanceof Set || from instanceof Set || from instanceof Map) return false; // (a Set's members are its keys: a traced one is another key)
  if (Array.isArray(copy) !== Array.isArray(from) || Object.getPrototypeOf(copy) !== Object.getPrototypeOf(from)) return false;
  const keys = Reflect.ownKeys(copy);
  if (keys.length !== Reflect.ownKeys(from).length) return false;
  for (const k of keys) {
    if (!Object.prototype.hasOwnProperty.call(from, k)) return false;
    const d = Reflect.getOwnPropertyDescriptor(copy, k)!;
    const e = Reflect.getOwnPropertyDescriptor(from, k)!;
    if (!('value' in d) || !('value' in e)) {
      if (d.get !== e.get || d.set !== e.set) return false;
    } else if (!alike(d.value, e.value)) return false;
  }
  return true;
}

/**
 * The Map or Set an immer Map or Set draft reads now (its copy once the recipe changed it, else
 * its base: the copy is the state produce returns), or undefined for anything else. A draft is
 * a subclass instance whose own entries are empty; its `get`, `set`, `has`, `add`, `delete`
 * are immer's, which compare keys by identity, so rewritten code keys them by this collection
 * (rules/builtins/calls.ts): `d.s.add(x)` at x = 1 of a Set holding 1 added a second member.
 */
export function draftCollection(c: object): Map<unknown, unknown> | Set<unknown> | undefined {
  let state: DraftState | undefined;
  try {
    state = (c as Record<symbol, DraftState | undefined>)[IMMER_STATE];
  } catch {
    return undefined; // (a revoked Proxy)
  }
  if (typeof state !== 'object' || state === null || !('base_' in state)) return undefined;
  const latest = state.copy_ ?? state.base_;
  return latest instanceof Map || latest instanceof Set ? latest : undefined;
}
