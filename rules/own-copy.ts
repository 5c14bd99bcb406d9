// V8 keeps type feedback per function literal, shared by every closure made from it. The
// entry that every Math rule shares (and the wrapper that every Math function shares) thus
// sees sin, exp, log… at one call site: the site turns megamorphic, nothing is inlined, and
// a traced Math call cost 2.4× a traced multiplication in a program using six of them. Each
// rule gets its own copy of the literal instead, compiled from the factory's source text.
//
// A factory must be a function declaration that reads nothing outside its parameters but
// JavaScript's globals (spec/rules/own-copy.test.ts checks every one), since its copy is
// compiled outside this module; nor may it bind a function to a name (`const f = () => …`):
// a bundler keeping names (esbuild's keepNames, the playground's) wraps those in a helper of
// the bundle's own. It writes methods instead (`const { f } = { f() { … } }`).
//
// Where the platform refuses code from strings (a Content Security Policy without
// 'unsafe-eval', node --disallow-code-generation-from-strings) or a tool rewrote the factory
// so that its copy cannot be made, the factory itself is used: the same code, shared.

/**
 * What `factory(...args)` makes, made by a copy of `factory` compiled from its source text,
 * which has feedback of its own; by `factory` itself where the copy cannot be made or run
 * (a factory makes closures and nothing else, so running it again is harmless). `label`
 * names the copy in stack traces.
 */
export function madeByOwnCopy<A extends unknown[], R>(label: string, factory: (...args: A) => R, ...args: A): R {
  // (no state of this module's own: rules are made while a cycle of imports may not have
  // run this module yet, so what it counts is kept on the function, which exists already)
  const counts = madeByOwnCopy as unknown as OwnCopies;
  (counts.factories ??= new Set()).add(factory);
  try {
    // (V8 caches code compiled from a string by its text, feedback and all: each copy's text
    // is its own, by the number in its name. Strict, as the module it comes from: an unmapped
    // `arguments` handed to a replacement, no `this` defaulting to the global object)
    const name = `zygote-ts/${label.replace(/[^\w.$-]/g, '_')}.${(counts.made ?? 0) + 1}.js`;
    const copy = new Function(`'use strict';\nreturn (${factory.toString()});\n//# sourceURL=${name}`)() as (...args: A) => R;
    const made = copy(...args);
    counts.made = (counts.made ?? 0) + 1;
    return made;
  } catch {
    counts.refused = (counts.refused ?? 0) + 1;
    return factory(...args);
  }
}

interface OwnCopies {
  made?: number;
  refused?: number;
  factories?: Set<Function>;
}

/** How many copies were made, how many times the factory itself was used, and the factories (for specs). */
export function ownCopies(): { made: number; refused: number; factories: Function[] } {
  const counts = madeByOwnCopy as unknown as OwnCopies;
  return { made: counts.made ?? 0, refused: counts.refused ?? 0, factories: [...(counts.factories ?? [])] };
}
