// A traced scalar: a value plus its row on a tape.
//
// JavaScript cannot overload operators, so rewritten code sends arithmetic through the
// runtime, which recognises `Traced` operands. Everywhere else a traced number must pass
// for its number: `valueOf`, `toString`, `toFixed`, `toJSON` give the primal value.
// Converting to a plain number (`valueOf`) loses the derivative: strict mode throws
// there, otherwise the escape is counted so the API can warn.

import type { Tape } from './tape.js';
import { unpin, isSymbolic } from './symbolic.js';

export class Traced {
  // A private brand: `isTraced` asks for it without running user code (a Proxy's traps)
  // and without throwing (a revoked Proxy), as `instanceof` would. (A field, not a private
  // method: V8 11 checks a field's brand about as fast as `instanceof`.)
  #traced = true;
  static is(x: unknown): x is Traced {
    return typeof x === 'object' && x !== null && #traced in x;
  }
  // The same check at a second site, for the operator rules alone: a check's inline cache
  // slows down a lot once it has seen many kinds of object, and the rules see traced
  // numbers almost always while the rest of the library sees every kind of value.
  static isOperand(x: unknown): x is Traced {
    return typeof x === 'object' && x !== null && #traced in x;
  }

  // `declare`: plain assignments in the constructor, no class-field definitions, which
  // V8 creates more slowly (this constructor runs once per recorded operation).
  /** The primal value: a number, or a value traced on an outer tape (nesting). */
  declare readonly value: unknown;
  declare readonly index: number;
  declare readonly tape: Tape;

  constructor(value: unknown, index: number, tape: Tape) {
    this.value = value;
    this.index = index;
    this.tape = tape;
  }

  valueOf(): number {
    const n = primal(this);
    if (this.tape.active) reportEscape(this, 'valueOf');
    return n;
  }

  toString(radix?: number): string {
    return primal(this).toString(radix);
  }

  toFixed(digits?: number): string {
    return primal(this).toFixed(digits);
  }

  toPrecision(precision?: number): string {
    return primal(this).toPrecision(precision);
  }

  toExponential(digits?: number): string {
    return primal(this).toExponential(digits);
  }

  toLocaleString(locales?: string | string[], options?: Intl.NumberFormatOptions): string {
    return primal(this).toLocaleString(locales, options);
  }

  /** `JSON.stringify` writes the number; the derivative cannot survive a JSON round trip. */
  toJSON(): number {
    if (this.tape.active) reportEscape(this, 'JSON.stringify');
    return primal(this);
  }

  [Symbol.toPrimitive](hint: string): number | string {
    if (hint === 'string') return this.toString();
    return this.valueOf();
  }

  /** A brand that tools can test without importing this class (`Symbol.for('zygote-ts.traced')`). */
  get [Symbol.for('zygote-ts.traced')](): true {
    return true;
  }

  // Libraries test for numbers with Object.prototype.toString (chroma-js's `type(x)`):
  // a traced number must answer as a number there too.
  get [Symbol.toStringTag](): string {
    return 'Number';
  }

  /** How Node's console shows it: the number, marked as traced. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    // (showing a number does not make compileGradient's path depend on it)
    let x: unknown = this;
    while (isTraced(x)) x = x.value;
    return `Traced(${String(isSymbolic(x) ? x.value : x)})`;
  }
}

/** True for a traced number, asked without observable effects (see `Traced.is`). */
export const isTraced = (x: unknown): x is Traced => Traced.is(x);

/** `isTraced`, for the operator rules (`rules/`): see `Traced.isOperand`. */
export const isTracedOperand = (x: unknown): x is Traced => Traced.isOperand(x);

/**
 * The plain number inside any nesting of traced values (other values unchanged; a symbolic
 * number, recorded by `compileGradient`, gives its number and pins the path to it).
 */
export function primal(x: unknown): number {
  while (isTraced(x)) x = x.value;
  return unpin(x) as number;
}

/** Strips traced layers whose tape has closed: they are constants now. */
export function live(x: unknown): unknown {
  return isTraced(x) && !x.tape.active ? live(x.value) : x;
}

/** What to do when a live traced value is turned into plain numbers. */
export type EscapeHandler = (x: { readonly tape: Tape }, how: string) => void;

let escapeHandler: EscapeHandler = () => {};

/** The API installs the policy (strict: throw; default: count and warn). */
export function onEscape(handler: EscapeHandler): void {
  escapeHandler = handler;
}

/** Reports that traced `x` (a number or an array) was turned into plain numbers by `how`. */
export function reportEscape(x: { readonly tape: Tape }, how: string): void {
  escapeHandler(x, how);
}

// ---- Operands, as the rules see them -------------------------------------------------
// A rule gets operands that may be plain values, values traced on the tape being
// recorded, or values traced on an outer tape (constants for this tape, but still
// carrying the outer derivative). These helpers find the tape and the rows.

/** The innermost active tape among two operands, or null when neither is traced. */
export function innerTape(a: unknown, b: unknown): Tape | null {
  const ta = isTraced(a) && a.tape.active ? a.tape : null;
  const tb = isTraced(b) && b.tape.active ? b.tape : null;
  if (ta === null) return tb;
  if (tb === null || ta.depth >= tb.depth) return ta;
  return tb;
}

/** The innermost active tape among any number of operands. */
export function innermostTape(operands: readonly unknown[]): Tape | null {
  let inner: Tape | null = null;
  for (const x of operands) {
    if (isTraced(x) && x.tape.active && (inner === null || x.tape.depth > inner.depth)) inner = x.tape;
  }
  return inner;
}

/** The operand's row on tape `t`, or -1 when it is a constant there. */
export function rowOn(x: unknown, t: Tape): number {
  return isTraced(x) && x.tape === t ? x.index : -1;
}
