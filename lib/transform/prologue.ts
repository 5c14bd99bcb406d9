/**
 * The per-file binding of `__zy` and the markers that make the transform
 * idempotent and opt-out-able.
 */

/** How a rewritten file obtains the runtime object `__zy`. */
export type RuntimeBinding =
  /** ESM: `import { __zy } from "<specifier>";` */
  | { kind: 'import'; specifier: string }
  /** CommonJS in a bundler: `var __zy = require("<specifier>").__zy;` */
  | { kind: 'require'; specifier: string }
  /** Scripts/CommonJS: read the global the runtime module sets on load. */
  | { kind: 'global' };

/** Appears in every prologue; a file containing it is not rewritten again. */
export const REWRITTEN_MARKER = 'zygote-ts:rewritten';

/** A file whose leading comments contain this is left untouched. */
export const IGNORE_PRAGMA = '@zygote-ignore';

/** `Symbol.for` key of the global the runtime module sets to `__zy`. */
export const RUNTIME_GLOBAL_KEY = 'zygote-ts.runtime';

export const MISSING_RUNTIME_MESSAGE =
  "zygote-ts: this file was rewritten for differentiation but the zygote-ts runtime is not loaded; import 'zygote-ts' first or run with node --import zygote-ts/register";

/**
 * Source of the prologue (one line, no newline, so line numbers are kept). It binds the
 * runtime, then tells it that this file is rewritten (`__zy.rewritten()`, which reads the
 * file's name off the stack, as stack frames will name it: so that a traced number converted
 * by a built-in called from here is not taken for code that was not rewritten).
 */
export function prologue(binding: RuntimeBinding, temps: readonly string[], marksEnd = false, declared: ReadonlySet<string> = new Set()): string {
  const decl = temps.length > 0 ? ` var ${temps.join(', ')};` : '';
  // (`rewritten(0)`: the file's end is marked too, see TransformOptions.marksEnd. The start is
  // marked from a function declaration: a bundler that initialises a module lazily — esbuild's
  // and Rolldown's wrapper of an ES module reached by `require` — moves the module's function
  // declarations out of the wrapper, above its first statement, and takes this one along first.
  // Marked by a statement, those functions were outside their own file's marks: their code
  // was taken for code that was not rewritten, and a traced number they gave Intl's format
  // or a template literal stopped the gradient. Spelled `(0, R.rewritten)` as the end mark is:
  // recognize.ts knows the function for rewritten code by it.)
  // The runtime also marks the end, from a function declared there, once the file has loaded (epilogue).
  const register = marksEnd ? ' function __zy$start() { (0, __zy.rewritten)(0, __zy$end); } __zy$start();' : ' __zy.rewritten();';
  if (binding.kind === 'import') {
    return `import { __zy } from ${JSON.stringify(binding.specifier)}; /*${REWRITTEN_MARKER}*/${register}${decl} `;
  }
  if (binding.kind === 'require') {
    return `var __zy = require(${JSON.stringify(binding.specifier)}).__zy; /*${REWRITTEN_MARKER}*/${register}${decl} `;
  }
  const find = `globalThis[Symbol.for(${JSON.stringify(RUNTIME_GLOBAL_KEY)})]`;
  const missing = `throw new Error(${JSON.stringify(MISSING_RUNTIME_MESSAGE)})`;
  if (GLOBALS_READ.some((name) => declared.has(name))) {
    // A file that declares one of these names (stdlib's `var Symbol = require('@stdlib/symbol-ctor')`,
    // hoisted: undefined here) would have the prologue read its own: "Cannot read properties of
    // undefined (reading 'for')" at load. Read in a function made from text, which sees the globals
    // only, reached by syntax alone (an object literal's constructor's constructor is Function).
    const body = `var z = ${find}; if (!z) ${missing}; return z;`;
    return `var __zy = (0, {}.constructor.constructor)(${JSON.stringify(body)})(); /*${REWRITTEN_MARKER}*/${register}${decl} `;
  }
  return `var __zy = ${find}; /*${REWRITTEN_MARKER}*/ if (!__zy) ${missing};${register}${decl} `;
}

/** The globals the prologue of a script or CommonJS file reads by name. */
const GLOBALS_READ: readonly string[] = ['globalThis', 'Symbol', 'Error'];

/**
 * What a file rewritten with `marksEnd` ends with, on lines of its own (the file may end in a
 * line comment): the mark of its end, run as its last statement, and the same mark from a
 * function the prologue hands the runtime, which calls it once the file has loaded, so that a
 * file whose code stops before its end (a module that throws, reached by a dynamic import
 * that catches it) still closes what it started (lib/escapes.ts, isRewrittenCode).
 */
export const EPILOGUE = '\n;(0, __zy.rewritten)(1);\nfunction __zy$end() { (0, __zy.rewritten)(1); }';
