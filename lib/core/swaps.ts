// Built-ins the runtime replaces while differentiations run: the global structuredClone,
// postMessage, v8's serializer, the functions that schedule callbacks (rules/builtins/clone.ts,
// proxies/scheduled.ts). Each replacement acts as the built-in outside a differentiation,
// so it may stay in place between differentiations: it is put back once the program's
// synchronous code is done (a microtask after the last differentiation ended), not at the
// end of every one. Writing a global or a prototype's method costs about 0.1 µs and throws
// away V8's caches of it: swapped in and out at every call, the eight replacements made a
// gradient of x * x + 1 cost 2.1 µs where it costs 0.8.

interface Swap {
  readonly owner: Record<PropertyKey, unknown>;
  readonly key: PropertyKey;
  readonly native: unknown;
  readonly replacement: unknown;
  /** The same replacement made around a program's own function found there instead of the built-in (zone.js's setTimeout, a test's fake timers). */
  readonly around: ((installed: Function) => Function) | null;
  /** Those made, by the program's function (one each: a loop of gradient calls installs the same). */
  readonly made: WeakMap<Function, Function>;
  /** What was found at swap-in and what was put there instead (null: nothing swapped). */
  found: unknown;
  put: unknown;
}

const swaps: Swap[] = [];
let swappedIn = false;
let restoreQueued = false;
let busy = false;
/** Callbacks run as f's (proxies/scheduled.ts) hold the replacements too. */
let holds = 0;
// (the built-in as the library loaded, before any replacement; a realm without one has promises)
const queueMicrotaskNative: (job: () => void) => void =
  typeof globalThis.queueMicrotask === 'function' ? globalThis.queueMicrotask.bind(globalThis) : (job) => void Promise.resolve().then(job);

/**
 * Puts `replacement` at `owner[key]` while differentiations run. `replacement` must act as
 * `native` outside a differentiation. Where the program has put its own function there
 * instead (zone.js patches setTimeout, a test's fake timers replace it), `around(its own)`
 * goes there, if given: the program's function is still what is called, and the callbacks
 * f schedules through it are cleaned as through the built-in (without it they left traced
 * numbers in the program's data, silently); elsewhere the program's function stays.
 */
export function swapWhileDeriving(owner: object, key: PropertyKey, native: unknown, replacement: unknown, around: ((installed: Function) => Function) | null = null): void {
  swaps.push({ owner: owner as Record<PropertyKey, unknown>, key, native, replacement, around, made: new WeakMap(), found: null, put: null });
}

function put(swap: Swap, from: unknown, to: unknown): boolean {
  try {
    if (swap.owner[swap.key] !== from) return false;
    swap.owner[swap.key] = to;
    return swap.owner[swap.key] === to;
  } catch {
    return false; // (a frozen global object or prototype: the built-in stays)
  }
}

/** What goes at the swap's place in place of `found`, or undefined: nothing. */
function replacementOf(swap: Swap, found: unknown): unknown {
  if (found === swap.native) return swap.replacement;
  if (swap.around === null || typeof found !== 'function' || found === swap.replacement) return undefined;
  let made = swap.made.get(found);
  if (made === undefined) swap.made.set(found, (made = swap.around(found)));
  return made;
}

/**
 * Whether `fn` is the replacement the library puts in place of the built-in `native` itself
 * (not one made around a program's own function found there): code that reads the built-in
 * where it was (rules/as-installed.ts) may take it for the built-in.
 */
export function replacesBuiltin(fn: unknown, native: unknown): boolean {
  return swaps.some((swap) => swap.native === native && swap.replacement === fn);
}

/** The library's own versions put in place (a scheduler's, structuredClone's): code that knows traced numbers. */
const putInPlace = new WeakSet<Function>();

/** Whether `fn` is one of the library's versions put in place of a global while differentiating. */
export function isSwappedIn(fn: Function): boolean {
  return putInPlace.has(fn);
}

function swapIn(): void {
  if (swappedIn) return;
  swappedIn = true;
  for (const swap of swaps) {
    const found = swap.owner[swap.key];
    const to = replacementOf(swap, found);
    if (to !== undefined && put(swap, found, to)) {
      swap.found = found;
      swap.put = to;
      if (typeof to === 'function') putInPlace.add(to);
    }
  }
}

function queueRestore(): void {
  if (!swappedIn || restoreQueued) return;
  restoreQueued = true;
  queueMicrotaskNative(() => {
    restoreQueued = false;
    if (busy || holds > 0 || !swappedIn) return;
    swappedIn = false;
    for (const swap of swaps) {
      // (what the program put there meanwhile stays)
      if (swap.put !== null) put(swap, swap.put, swap.found);
      swap.found = swap.put = null;
    }
  });
}

/** A differentiation starts and none was running (lib/core/scope.ts). */
export function swapsBusy(): void {
  busy = true;
  swapIn();
}

/** No differentiation runs any more (lib/core/scope.ts). */
export function swapsIdle(): void {
  busy = false;
  if (holds === 0) queueRestore();
}

/** A callback f scheduled starts running (proxies/scheduled.ts): the replacements stay while it runs. */
export function holdSwaps(): void {
  holds++;
  swapIn();
}

/** That callback returned. */
export function releaseSwaps(): void {
  if (--holds === 0 && !busy) queueRestore();
}
