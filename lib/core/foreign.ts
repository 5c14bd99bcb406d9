// Two copies of zygote-ts in one app — two versions in node_modules, or a bundler that
// loaded the package twice — each have their own `Traced` class, and neither recognises
// the other's traced numbers (the brand `isTraced` asks for is private to a copy). A
// traced number of one copy reaching the other's runtime would pass for a plain object:
// its `valueOf` gives the number and the derivative is lost, silently. Every `Traced`
// also carries a brand that any copy can read (`Symbol.for('zygote-ts.traced')`), so the
// runtime's slow paths, where a value that is not its own traced number is about to be
// treated as a plain value, ask here and stop with the cause and the fix.
//
// Reading the brand costs as much again as those paths do on objects (`if (node)`,
// `node === null`), and on a Proxy it runs the Proxy's `has` trap, which plain JavaScript
// would not run. So it is read only while another copy is differentiating (no other copy
// has a traced number otherwise): the copies count their open tapes on a global record
// they share.

import { isTraced } from './traced.js';

const CROSS_COPY_BRAND = Symbol.for('zygote-ts.traced');

export interface Copies {
  /** How many tapes all copies of this module in this realm have open (test runners re-evaluate modules: they are copies too). */
  openTapes: number;
}
export const copies: Copies = ((globalThis as unknown as Record<symbol, Copies | undefined>)[Symbol.for('zygote-ts.open-tapes')] ??= { openTapes: 0 });
let ownOpenTapes = 0;

/** This copy opened (`change` 1) or closed (`change` -n) tapes (lib/core/scope.ts). */
export function countOpenTapes(change: number): void {
  ownOpenTapes += change;
  copies.openTapes += change;
}

/** `x` itself, unless it is a traced number of another copy of zygote-ts: then an error that says so. */
export function refuseForeignTraced<T>(x: T): T {
  if (copies.openTapes > ownOpenTapes && typeof x === 'object' && x !== null && !isTraced(x) && hasCrossCopyBrand(x)) throw new Error(ANOTHER_COPY);
  return x;
}

function hasCrossCopyBrand(x: object): boolean {
  try {
    return CROSS_COPY_BRAND in x;
  } catch {
    return false; // a revoked Proxy: no copy's traced number, and `if (p)` must not throw
  }
}

const ANOTHER_COPY =
  'zygote-ts: a traced number from another copy of zygote-ts reached this one. Two copies of the ' +
  'library are loaded in this app (two versions in node_modules, or a bundler loading it twice), and ' +
  "neither knows the other's traced numbers: derivatives would be lost. Make the app load one copy: " +
  "`npm ls zygote-ts` shows where they come from (`npm dedupe`, or one version for every dependant); " +
  "with Vite, use the zygote-ts/vite plugin, which keeps zygote-ts out of the dev server's pre-bundling. " +
  'In Jest, jest.resetModules() and jest.isolateModules() (and the resetModules option) give the modules ' +
  'required after them copies of their own, zygote-ts among them: require zygote-ts there too, beside the code it differentiates.';
