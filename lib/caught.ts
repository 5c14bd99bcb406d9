// Errors of the library that f caught. The library throws where it cannot follow a traced
// number (a DataView or Atomics given one, code that was not rewritten, strict mode's lost
// derivatives). Code that catches such an error and goes on, `try { … } catch { fallback }`,
// takes a path plain JavaScript would not take, and its result and gradient were wrong with no
// word: `v.setFloat64(0, x)` in a try whose catch returns `3 * x` gave 9 and [3] where
// JavaScript gives 6 and the derivative 2. Every catch clause of rewritten code hands its
// error to `caught` (lib/transform/rewrite-catch.ts); the differentiation that is running
// throws the first such error again when f returns.

/** One entry per differentiation running (the innermost last): the first library error f caught there, or null. */
const swallowed: (Error | null)[] = [];

/** A differentiation starts running f. */
export function beginCatches(): void {
  swallowed.push(null);
}

/** It is done running f: the first library error f caught meanwhile, or null. */
export function endCatches(): Error | null {
  return swallowed.pop() ?? null;
}

/** What a catch clause of rewritten code calls first, with its error (given back, for a pattern to take apart). */
export function caught<E>(error: E): E {
  const k = swallowed.length - 1;
  if (k >= 0 && swallowed[k] === null && isLibraryError(error)) swallowed[k] = error;
  return error;
}

const isLibraryError = (e: unknown): e is Error => e instanceof Error && typeof e.message === 'string' && e.message.startsWith('zygote-ts');

/** Errors made by `caughtByF`: one that an enclosing f caught too is thrown again as it is. */
const said = new WeakSet<Error>();

/** The error a differentiation throws when f caught `error` and returned. */
export function caughtByF(error: Error): Error {
  if (said.has(error)) return error;
  const Kind = error instanceof TypeError ? TypeError : error instanceof RangeError ? RangeError : Error;
  const made = new Kind(
    `${error.message} (f caught this error and went on, so what it computed next is not what JavaScript computes: the differentiation stops here. ` +
      'Let the error through the try/catch, or keep the value it names out of the differentiated code.)',
    { cause: error },
  );
  said.add(made);
  return made;
}
