// Maps and Sets the library fills outside rewritten code — a Map argument's gradient, jvp's
// output Maps and Sets — whose keys may be numbers an enclosing differentiation traces.
// Rewritten code looks keys up by their number's value through a list of the traced keys
// each collection holds (rules/builtins/keys.ts), which its own `set` keeps; these it lists from
// the collection when first asked, as it does a stand-in's (a lookup of `get(1)` missed a
// traced key 1: undefined where plain code finds the entry).

const filled = new WeakSet<object>();

/** Notes that the library filled `collection` (a Map or Set) with keys as they came. */
export function noteFilledByLibrary(collection: Map<unknown, unknown> | Set<unknown>): void {
  filled.add(collection);
}

/** Whether the library filled `collection` (see noteFilledByLibrary). */
export function filledByLibrary(collection: object): boolean {
  return filled.has(collection);
}
