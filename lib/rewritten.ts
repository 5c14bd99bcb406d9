// A function that reaches `gradient` must have been rewritten by the transform: JavaScript
// operators on traced values would otherwise call `valueOf` and lose the derivative
// silently. Rewritten code calls into the runtime (lib/transform/recognize.ts tells it from
// the function's source, minified or not); a function whose source has operators but no
// such calls was loaded without the loader or plugin. If it closes over nothing but
// globals we recompile it from its source (where the source rewriter is at hand:
// lib/source-rewriter.ts); otherwise we say how to enable the rewrite.

import { __zy, runtimeVersionsBehind } from './runtime.js';
import { differentiableMath } from '../rules/math.js';
import { asItsRewriteSawIt, isRewritten, mayNeedRewrite } from './transform/recognize.js';
import { sourceRewriter } from './source-rewriter.js';
import { hasOwnDerivative } from './core/own-derivative.js';
import { doubt } from './escapes.js';
import { LANGUAGE_GLOBALS } from './transform/language-globals.js';

const checked = new WeakMap<Function, Function>();

/** Native functions with a differentiable stand-in (`gradient(Math.sin, x)`). */
const nativeStandIns = new Map<unknown, Function>(
  Object.getOwnPropertyNames(Math)
    .filter((name) => typeof (Math as unknown as Record<string, unknown>)[name] === 'function')
    .map((name) => [
      (Math as unknown as Record<string, unknown>)[name],
      (differentiableMath as unknown as Record<string, Function>)[name]!,
    ]),
);

/** The runtime's own functions (what `Math.tanh` means in rewritten code) need no rewrite. */
const runtimeFunctions = new WeakSet<Function>(
  ([...Object.values(__zy), ...Object.values(__zy.Math), ...Object.values(differentiableMath), ...Object.values(__zy.Number), ...runtimeVersionsBehind] as unknown[]).filter((v): v is Function => typeof v === 'function'),
);

const ENABLE_THE_REWRITE =
  `Run the file with 'node --import zygote-ts/register' (or 'npx zygote file.ts'), or add the ` +
  `zygote-ts plugin to Vite/Vitest ('zygote-ts/vite') or esbuild ('zygote-ts/esbuild').`;

export function ensureRewritten<F extends Function>(f: F): F {
  if (runtimeFunctions.has(f) || hasOwnDerivative(f)) return f;
  let g = checked.get(f);
  if (g === undefined) {
    g = rewriteIfNeeded(f);
    checked.set(f, g);
  }
  return g as F;
}

function rewriteIfNeeded(f: Function): Function {
  const standIn = nativeStandIns.get(f);
  if (standIn) return standIn;
  const source = Function.prototype.toString.call(f);
  if (isRewritten(source) || source.endsWith('[native code] }')) return f;
  const rewriter = sourceRewriter();
  const name = f.name ? `'${f.name}'` : 'the function';
  if (rewriter === undefined) {
    if (!mayNeedRewrite(source)) return f;
    throw new Error(
      `zygote-ts: ${name} passed to gradient was not rewritten for differentiation, and this page ` +
        `cannot recompile it (the source rewriter is not loaded). ${ENABLE_THE_REWRITE} To recompile ` +
        `functions typed into a page from their source, import 'zygote-ts/recompile' once.`,
    );
  }
  try {
    // (asked of f as its file's rewrite saw it: a toolchain after the rewrite, Vite's SSR or
    // esbuild's CommonJS output, spells an imported `new Vec(p)` as `new __vite_ssr_import_0__.Vec(p)`,
    // which the transform would route, and istanbul's coverage adds `cov_…().s[0]++` to every
    // function: f, rewritten, was refused as not rewritten)
    if (!isRewritten(rewriter.transformFunctionSource(asItsRewriteSawIt(source)))) return f; // nothing in it that the transform would change
  } catch {
    return f; // not parseable as a function expression (a class, a bound method): run as it is
  }
  // (its calls of globals checked: a helper of the same code, not rewritten either, would answer a traced number's typeof as an object's)
  const rewritten = rewriter.transformFunctionSource(source, { checkFreeCalls: true });
  const names = rewriter.freeVariables(source);
  const free = names.filter((v) => !(v in globalThis));
  if (free.length > 0) {
    throw new Error(
      `zygote-ts: ${name} passed to gradient was not rewritten for differentiation, and it uses ` +
        `${free.map((v) => `'${v}'`).join(', ')} from its surroundings, so it cannot be recompiled here. ` +
        ENABLE_THE_REWRITE,
    );
  }
  if (rewriter.strictnessMatters?.(source)) {
    throw new Error(
      `zygote-ts: ${name} passed to gradient was not rewritten for differentiation, and a function in it reads ` +
        `its own 'this' or 'arguments', whose meaning depends on whether ${name} is strict mode code, which cannot ` +
        `be told here, so it cannot be recompiled. ${ENABLE_THE_REWRITE}`,
    );
  }
  // A function of another realm (vm.runInNewContext, an iframe) reads that realm's globals:
  // its own `Array` (`xs instanceof Array` is false for this realm's arrays) and its own
  // global names. Compiled here, it would read this realm's, with no sign of the change.
  const otherRealms = Object.prototype.isPrototypeOf.call(Function.prototype, f) ? [] : names.filter((v) => !REALM_NEUTRAL_GLOBALS.has(v));
  if (otherRealms.length > 0) {
    throw new Error(
      `zygote-ts: ${name} passed to gradient was not rewritten for differentiation, and it was made in another realm ` +
        `(a vm context, an iframe), whose ${otherRealms.map((v) => `'${v}'`).join(', ')} it reads: a copy recompiled here ` +
        `would read this realm's, so it cannot be recompiled. Make f in this realm, rewritten. ${ENABLE_THE_REWRITE}`,
    );
  }
  // The recompiled function reads its free names from the global object. A local of the
  // same name around the original (`name` or `length` in a page, `process` in Node, a
  // bundle's own `Math`) cannot be seen from here: the language's built-ins are taken for
  // themselves, and any other global is said.
  const doubtful = names.filter((v) => !LANGUAGE_GLOBALS.has(v));
  if (doubtful.length > 0) {
    doubt(
      `recompile ${source}`,
      `${name} passed to gradient was not rewritten for differentiation; it was recompiled from its source, ` +
        `reading ${doubtful.map((v) => `'${v}'`).join(', ')} from the global object. If f's surroundings define their own, the ` +
        `answer is wrong.`,
      ENABLE_THE_REWRITE,
    );
  }
  // A direct `eval` reads its caller's scope: recompiled, the names its code reads (`eval('k * x')`)
  // are the global object's, not those of f's surroundings (a function made by `Function` has none).
  if (names.includes('eval') && DIRECT_EVAL.test(source) && !MADE_BY_FUNCTION.test(source)) {
    doubt(
      `recompile eval ${source}`,
      `${name} passed to gradient was not rewritten for differentiation; it was recompiled from its source, and it calls ` +
        `eval, whose code now reads names from the global object. If that code reads names of f's surroundings, the answer is wrong.`,
      ENABLE_THE_REWRITE,
    );
  }
  // A named function that reads its own name (`f.calls++`, `f.k`, recursion) reads f there, as the
  // original does: recompiled with its name, `f.k` read the copy's, undefined (NaN, with no word).
  const self = selfReference(source, rewritten);
  const made = self === null ? `(${rewritten})` : self.name === null ? `(${self.anonymous})` : `(${self.name}) => (${self.anonymous})`;
  try {
    let copy: unknown;
    if (!isStrictCode(f)) copy = new Function('__zy', `return ${made};`)(__zy);
    else {
      try {
        copy = new Function('__zy', `'use strict'; return ${made};`)(__zy);
      } catch (e) {
        if (!(e instanceof SyntaxError)) throw e;
        copy = new Function('__zy', `return ${made};`)(__zy); // sloppy-only syntax (\`with\`): sloppy code
      }
    }
    return self?.name == null ? (copy as Function) : namedAsOriginal(f, copy as (original: Function) => Function);
  } catch (e) {
    // (a Content Security Policy without 'unsafe-eval', node --disallow-code-generation-from-strings)
    if (!(e instanceof EvalError)) throw e;
    throw new Error(
      `zygote-ts: ${name} passed to gradient was not rewritten for differentiation, and this platform refuses to ` +
        `compile code from strings (${e.message}), so it cannot be recompiled here. ${ENABLE_THE_REWRITE}`,
    );
  }
}

/**
 * Whether f is strict mode code, which its recompiled copy must be too (a strict `arguments`
 * does not alias the parameters; a plain call's `this` is undefined). Only a sloppy ordinary
 * function lets its `caller` be read. Arrows and methods cannot tell: they are taken for
 * strict, as modules and classes are.
 */
function isStrictCode(f: Function): boolean {
  try {
    void (f as { caller?: unknown }).caller;
    return false;
  } catch {
    return true;
  }
}

/** A named function's text: `function name(`. */
const NAMED_FUNCTION = /^function\s+([A-Za-z_$][\w$]*)\s*\(/;

/**
 * The name a named function's source reads besides naming itself (null for a function made by
 * `Function(…)`, which binds no name inside: there `anonymous` is a global), and its rewritten
 * text without the name; or null where the name is not read.
 */
function selfReference(source: string, rewritten: string): { name: string | null; anonymous: string } | null {
  const named = NAMED_FUNCTION.exec(rewritten);
  if (named === null) return null;
  const name = named[1]!;
  const uses = source.match(new RegExp(`(?<![\\w$.])${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g'))?.length ?? 0;
  if (uses < 2) return null;
  return { name: MADE_BY_FUNCTION.test(source) ? null : name, anonymous: `function ${rewritten.slice(named[0].length - 1)}` };
}

/**
 * The copy made by `withName(self)`, whose own name is `self`: f itself as code reads it (its
 * properties, `f.k`), with its calls running the copy (recursion stays in rewritten code).
 */
function namedAsOriginal(f: Function, withName: (self: Function) => Function): Function {
  let copy: Function | undefined;
  const self = new Proxy(f, { apply: (_, receiver, args: unknown[]) => Reflect.apply(copy!, receiver, args) });
  copy = withName(self);
  return copy;
}

/** A call of `eval` by that name (a direct eval, unless `eval` is a local). */
const DIRECT_EVAL = /(?<![\w$.])eval\s*\(/;

/** How `Function(…)` prints the functions it makes: their surroundings are the global scope. */
const MADE_BY_FUNCTION = /^function anonymous\([^]*\n\) \{\n/;

/** Globals whose identity no code can see: a function of another realm may read them as this realm's. */
const REALM_NEUTRAL_GLOBALS: ReadonlySet<string> = new Set([
  'Math', 'JSON', 'Infinity', 'NaN', 'undefined', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
]);
