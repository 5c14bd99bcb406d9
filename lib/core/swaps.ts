// Built-ins the runtime replaces while differentiations run: the global structuredClone,
// postMessage, v8's serializer, the functions that schedule callbacks (rules/builtins.ts,
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
 * Puts `replacement` at `owner[key]` while differentiations run, where the program has not
 * put its own there meanwhile. `replacement` must act as `native` outside a differentiation.
 */
export function swapWhileDeriving(owner: object, key: PropertyKey, native: unknown, replacement: unknown): void {
  swaps.push({ owner: owner as Record<PropertyKey, unknown>, key, native, replacement });
}

function put(swap: Swap, from: unknown, to: unknown): void {
  try {
    if (swap.owner[swap.key] === from) swap.owner[swap.key] = to;
  } catch {
    // (a frozen global object or prototype: the built-in stays)
  }
}

function swapIn(): void {
  if (swappedIn) return;
  swappedIn = true;
  for (const swap of swaps) put(swap, swap.native, swap.replacement);
}

function queueRestore(): void {
  if (!swappedIn || restoreQueued) return;
  restoreQueued = true;
  queueMicrotaskNative(() => {
    restoreQueued = false;
    if (busy || holds > 0 || !swappedIn) return;
    swappedIn = false;
    for (const swap of swaps) put(swap, swap.replacement, swap.native);
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
