// Numbers as people read them: six significant digits (integers in full), exponents only
// for the very small and very large; the exact value is always one hover away.
import type { Num } from './describe.js';

let exact = false;
/** Show every digit (the page's "all digits" switch). */
export function setExact(on: boolean): void {
  exact = on;
}

export function fmt(given: Num | number): string {
  // Raw numbers too (the plots' samples): ±Infinity has no exponent to split, and -0 prints as 0.
  // (Spelled out here: describe.js, which has `num`, brings zygote-ts into the page's bundle.)
  const x = given === Infinity ? 'Infinity' : given === -Infinity ? '-Infinity' : Object.is(given, -0) ? '-0' : given;
  if (typeof x === 'string') return x === 'Infinity' ? '∞' : x === '-Infinity' ? '−∞' : x === '-0' ? '−0' : x;
  if (exact) return minus(String(x));
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return minus(String(x));
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e9)) {
    const [m, e] = x.toExponential(4).split('e');
    return `${minus(trim(m!))}e${minus(e!.replace('+', ''))}`;
  }
  return minus(trim(x.toPrecision(6)));
}

/** The exact value, as JavaScript prints it (for the hover title). */
export function full(x: Num | number): string {
  return typeof x === 'string' ? x : String(x);
}

function trim(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function minus(s: string): string {
  return s.replace(/^-/, '−');
}
