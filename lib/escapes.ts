// Lost derivatives: where a traced number is turned into a plain one (code that was not
// rewritten, a typed-array write, a JSON round trip), strict mode throws at the spot,
// naming the user's (or the package's) file and line; otherwise one warning per place.

import { onEscape } from './core/traced.js';
import type { Tape } from './core/tape.js';

let strict = typeof process !== 'undefined' && /^(1|true|yes)$/i.test(process.env?.['ZYGOTE_STRICT'] ?? '');
let warnings = true;
const escapes = new WeakMap<Tape, { count: number; where: string }>();
const warnedPlaces = new Set<string>();

/** Options of the whole library. */
export interface ZygoteOptions {
  /**
   * Throw where a traced number is converted to a plain one (its derivative would be lost):
   * code that was not rewritten, a typed-array write, a JSON round trip.
   * Also set by the environment variable `ZYGOTE_STRICT=1`. Default false.
   */
  strict?: boolean;
  /** Warn (once per place) about such conversions when not strict. Default true. */
  warnings?: boolean;
}

/**
 * Sets library-wide options; returns the previous ones.
 *
 * @example
 * configure({ strict: true });
 */
export function configure(options: ZygoteOptions): Required<ZygoteOptions> {
  const previous = { strict, warnings };
  if (options.strict !== undefined) strict = options.strict;
  if (options.warnings !== undefined) warnings = options.warnings;
  return previous;
}

onEscape((x, how) => {
  const where = callerLine(new Error().stack);
  if (strict) {
    throw new TypeError(
      `zygote-ts (strict): a traced number was turned into a plain number by ${how}${where ? ` at ${where}` : ''}, ` +
        `so its derivative would be lost. Usual causes: code that was not rewritten (run it with the loader or ` +
        `plugin; list packages in ZYGOTE_INCLUDE), a Float64Array/Float32Array write, or a JSON round trip.`,
    );
  }
  const seen = escapes.get(x.tape);
  if (seen) seen.count++;
  else escapes.set(x.tape, { count: 1, where: `${how}${where ? ` at ${where}` : ''}` });
});

/** After a differentiation: the warning for its lost derivatives, once per place. */
export function warnAboutEscapes(tape: Tape): void {
  const seen = escapes.get(tape);
  if (!seen || !warnings || warnedPlaces.has(seen.where)) return;
  warnedPlaces.add(seen.where);
  console.warn(
    `zygote-ts: ${seen.count} traced number(s) were turned into plain numbers during differentiation ` +
      `(first by ${seen.where}); derivatives through them are lost. Rewrite that code (loader, plugin, ` +
      `ZYGOTE_INCLUDE for packages) or run with configure({ strict: true }) to stop at the spot.`,
  );
}

// zygote-ts's own files, as stack frames name them (built, or mapped back to the sources).
// (A bundle may not know its own URL: then every frame counts as the user's.)
const ownRoot = typeof import.meta.url === 'string' ? new URL('../..', import.meta.url).pathname : null;
const ownFolders = ownRoot === null ? [] : ['dist/', 'lib/', 'rules/', 'proxies/'].map((folder) => ownRoot + folder);

/** The first stack line outside zygote-ts's own files (the user's line that lost a derivative). */
export function callerLine(stack: string | undefined): string {
  const lines = (stack ?? '').split('\n').slice(1);
  // (built-in frames such as `JSON.stringify (<anonymous>)` are not the user's line either)
  const outside = lines.find(
    (line) => !ownFolders.some((folder) => line.includes(folder)) && !line.includes('(node:') && !line.trim().endsWith('(<anonymous>)'),
  );
  return outside?.trim().replace(/^at /, '') ?? '';
}
