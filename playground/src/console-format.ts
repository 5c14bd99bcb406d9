// console.log's format string, as Node's util.format reads it (and browsers' consoles):
// `console.log('%d steps, loss %f', n, loss)` printed "%d steps, loss %f" and the numbers
// after it on the page, where Node prints "12 steps, loss 0.5".
import { isTracedScalar, primal } from './describe.js';

/** A number as util.format prints it (-0 keeps its sign). */
const numberText = (n: number) => (Object.is(n, -0) ? '-0' : String(n));

/**
 * The text of the leading format string with its specifiers filled, and the values left after
 * the ones it used; null when the first value is not a string holding a `%`. `text` shows an
 * object (for %s, %o, %O), as the page would.
 */
export function formatArguments(values: readonly unknown[], text: (v: unknown) => string): { head: string; rest: unknown[] } | null {
  const [first, ...args] = values;
  if (typeof first !== 'string' || !first.includes('%')) return null;
  let used = 0;
  const head = first.replace(/%([sdifjoOc%])/g, (whole, kind: string) => {
    if (kind === '%') return '%';
    if (used >= args.length) return whole;
    const given = args[used++];
    const v = isTracedScalar(given) ? primal(given) : given;
    switch (kind) {
      case 's':
        return typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? numberText(v) : typeof v === 'object' && v !== null ? text(given) : String(v);
      case 'd':
        return typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? 'NaN' : numberText(Number(v));
      case 'i':
        return typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? 'NaN' : numberText(parseInt(String(v)));
      case 'f':
        return typeof v === 'symbol' ? 'NaN' : numberText(parseFloat(String(v)));
      case 'j':
        try {
          return JSON.stringify(v) ?? 'undefined';
        } catch {
          return '[Circular]';
        }
      case 'c':
        return '';
      default: // o, O
        return text(given);
    }
  });
  return { head, rest: args.slice(used) };
}
