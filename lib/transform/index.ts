/**
 * zygote-ts/transform: the source transform that makes ordinary JavaScript
 * differentiable. Numeric operators, comparisons, truthiness tests, `typeof`
 * and references to the global `Math`/`Number`/`isNaN`/`isFinite` become
 * calls into the runtime object `__zy`. Arithmetic, comparisons, updates and
 * compound assignments keep their plain-number fast path inline at the site,
 * so code that never sees a traced number runs as plain code. Stores of
 * objects into objects report the container to the runtime (`__zy.touch`),
 * and `#private` members of stand-ins are reached through the runtime.
 *
 * @example
 * ```ts
 * import { transform } from 'zygote-ts/transform';
 * const { code } = transform('export const f = (x) => x * x;');
 * // import { __zy } from "zygote-ts/runtime"; …
 * // export const f = (x) => (typeof x === "number" ? x * x : __zy.mul(x, x));
 * ```
 */
export * from './transform.js';
export { transformTs, transformStripped, stripTs, type TransformTsOptions } from './typescript.js';
export type { RuntimeBinding } from './prologue.js';
export { REWRITTEN_MARKER, IGNORE_PRAGMA, RUNTIME_GLOBAL_KEY, MISSING_RUNTIME_MESSAGE } from './prologue.js';
export type { SourceMapV3 } from './sourcemap.js';
