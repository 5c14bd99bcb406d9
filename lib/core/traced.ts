// A traced scalar: a value plus its row on a tape.
//
// JavaScript cannot overload operators, so rewritten code sends arithmetic through the
// runtime, which recognises `Traced` operands. Everywhere else a traced number must pass
// for its number: `valueOf`, `toString`, `toFixed`, `toJSON`, printing give the primal
// value. Where it becomes a plain number its derivative is lost: the runtime is told
// (`reportEscape`), and its policy (lib/escapes.ts) decides whether that is an error.

import type { Tape } from './tape.js';
import { unpin, isSymbolic } from './symbolic.js';

export class Traced {
  // Its fields are private: to reflection a traced number has no keys of its own, as a
  // number has none (`Object.keys(x)`, `for … in`, `{ ...x }`, `Object.assign`, a deep copy
  // or a deep equality walking its keys), and code that copied one by its keys gets an
  // object that is not one. The getters are what the library reads (V8 inlines them).
  readonly #value: unknown;
  readonly #index: number;
  readonly #tape: Tape;

  // `#value in x` is the brand: `isTraced` asks for it without running user code (a
  // Proxy's traps) and without throwing (a revoked Proxy), as `instanceof` would.
  static is(x: unknown): x is Traced {
    return typeof x === 'object' && x !== null && #value in x;
  }
  // The same check at a second site, for the operator rules alone: a check's inline cache
  // slows down a lot once it has seen many kinds of object, and the rules see traced
  // numbers almost always while the rest of the library sees every kind of value.
  static isOperand(x: unknown): x is Traced {
    return typeof x === 'object' && x !== null && #value in x;
  }

  constructor(value: unknown, index: number, tape: Tape) {
    this.#value = value;
    this.#index = index;
    this.#tape = tape;
  }

  /** The primal value: a number, or a value traced on an outer tape (nesting). */
  get tracedValue(): unknown {
    return this.#value;
  }
  /** Its row on its tape. */
  get tracedIndex(): number {
    return this.#index;
  }
  get tracedTape(): Tape {
    return this.#tape;
  }

  /** `x.valueOf()`, called explicitly: a deliberate plain number (strict mode refuses it). */
  valueOf(): number {
    refuseCopy(this);
    const n = primal(this);
    if (this.tracedTape.active) reportEscape(this, 'valueOf');
    return n;
  }

  // Text: the number's own text. The runtime is told which traced number made it, so that
  // text read back as a number (`parseFloat(String(x))`) keeps the derivative: exactly for
  // the shortest round-trip text, with derivative 0 for rounded text (toFixed & co.).
  toString(radix?: number): string {
    refuseCopy(this);
    const base = integerArgument(radix);
    return written(this, primal(this).toString(base), base === undefined || base === 10);
  }

  // Rounded text (toFixed & co.) reads back with derivative 0, a step, unless it tells the
  // number from the doubles on either side (`toFixed(20)` of 0.1, full-precision locale
  // text): there the round trip is the identity, and so is its derivative.
  // (each argument converted once, as the method converts it: `formatted` formats three numbers)
  toFixed(digits?: number): string {
    refuseCopy(this);
    const d = integerArgument(digits);
    return formatted(this, (v) => v.toFixed(d), false);
  }

  // 17 significant digits (or the shortest text, with no argument) read back as every
  // double exactly: that text is not rounded, its round trip is the identity.
  toPrecision(precision?: number): string {
    refuseCopy(this);
    const p = integerArgument(precision);
    return formatted(this, (v) => v.toPrecision(p), p === undefined || p >= 17);
  }

  toExponential(digits?: number): string {
    refuseCopy(this);
    const d = integerArgument(digits);
    return formatted(this, (v) => v.toExponential(d), d === undefined || d >= 16);
  }

  toLocaleString(locales?: string | string[], options?: Intl.NumberFormatOptions): string {
    refuseCopy(this);
    if (locales === undefined && options === undefined) return formatted(this, (v) => v.toLocaleString(), false); // (V8 keeps that format)
    const format = new Intl.NumberFormat(locales, options); // (what toLocaleString does: its options read once)
    return formatted(this, (v) => format.format(v), false);
  }

  /** `JSON.stringify` writes the number (and the runtime notes which traced number it was). */
  toJSON(): number {
    if (this.tracedTape.active) noteText(this, null, true);
    return primal(this);
  }

  /**
   * JavaScript converting the number itself (`${x}`, or code that was not rewritten doing
   * `x * 2`): text as above; a number is reported, and the runtime tells a lost derivative
   * (code that was not rewritten, a typed array) from a harmless read (formatting).
   */
  [Symbol.toPrimitive](hint: string): number | string {
    refuseCopy(this);
    if (hint === 'string') {
      // (text is only read, except by a built-in that reads it back as a number: lib/escapes.ts)
      if (this.tracedTape.active) reportEscape(this, 'text');
      return textOfTraced(this); // (not this.toString(): see textOfTraced)
    }
    const n = primal(this);
    if (this.tracedTape.active) {
      reportEscape(this, 'conversion');
      // Let through (a rewritten file asked), hint 'default' is `"" + x`: rewritten code routes
      // its own `+` through the runtime, but a minifier run after the rewrite (terser's or
      // swc's `unsafe`) turns `${x}` and String(x) into `"" + x`. Its text is the number's own.
      if (hint === 'default') noteText(this, String(n), true);
    }
    return n;
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

  /**
   * How Node's console, `util.inspect` and `util.format` show it: as the number, as plain code
   * would. Printed by the console, it is only shown (compileGradient's path does not depend on
   * it). Otherwise f gets the text, and may compute with it as with any text a traced number
   * wrote (its length; the number read back): noted as such, and the path depends on the
   * number (compiled code reused the recorded text's length, and its number read back).
   */
  [Symbol.for('nodejs.util.inspect.custom')](): number {
    if (!this.tracedTape.active || shownByConsole()) return numberOf(this);
    const n = primal(this);
    written(this, Object.is(n, -0) ? '-0' : String(n), true); // (util.inspect writes -0 so)
    return n;
  }
}

/** Whether Node's console is printing (console.log & co. call util.inspect): the text goes out, not to f. */
function shownByConsole(): boolean {
  if (typeof Error.captureStackTrace !== 'function') return false;
  // (the frames up to the console's, then more where util.inspect's own still fill them: a value deep in a structure)
  for (let frames = 16; ; frames *= 4) {
    const files = callSitesAbove(shownByConsole, frames).map((site) => site.getFileName());
    if (files.some((file) => file?.startsWith('node:internal/console/') === true)) return true;
    if (files.length < frames || files[files.length - 1] !== 'node:internal/util/inspect' || frames > 1000) return false;
  }
}

/** What zygote-ts reads of V8's call sites. */
export interface CallSiteView {
  getFileName(): string | null | undefined;
  getFunctionName(): string | null;
}

/**
 * The innermost `frames` frames above `fn`'s caller, as V8's call sites ([] without V8's
 * stack capture): the file and function of each as the code runs, without formatting the
 * stack's text through source maps (~0.5 ms a capture; this, a few µs).
 */
export function callSitesAbove(fn: Function, frames: number): CallSiteView[] {
  if (typeof Error.captureStackTrace !== 'function') return [];
  const holder: { stack?: unknown } = {};
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  Error.stackTraceLimit = frames;
  Error.prepareStackTrace = (_error, sites) => sites;
  try {
    Error.captureStackTrace(holder, fn);
    return Array.isArray(holder.stack) ? (holder.stack as CallSiteView[]) : [];
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  }
}

/**
 * Stops with the reason where `x` only looks like a traced number: an object made with its
 * prototype but not by it (a deep clone keeping the class, as the `clone` package makes, by
 * code that was not rewritten), which has lost the number and its derivative. Its first use
 * said 'Cannot read private member #value from an object whose class did not declare it'.
 */
function refuseCopy(x: Traced): void {
  if (Traced.is(x)) return;
  throw new TypeError(
    'zygote-ts: a copy of a traced number, made by code that was not rewritten (a deep clone that keeps the class), was used as a number: ' +
      'the copy holds neither the number nor its derivative. Run that code rewritten: list its package in ZYGOTE_INCLUDE ' +
      '(or the plugin’s include option), or copy with structuredClone.',
  );
}

// `x.constructor === Number` is a number test too (and `new x.constructor(…)` makes what it
// makes for a number): a traced number answers as the number does.
Object.defineProperty(Traced.prototype, 'constructor', { value: Number, writable: true, configurable: true, enumerable: false });
// A method or getter a program adds to Number.prototype is found on a traced number as on a
// number: old geodesy code writes `Number.prototype.toRadians = function () { return this *
// Math.PI / 180 }`, and `x.toRadians()` threw "not a function" (a getter read undefined, and
// f returned NaN without a word). Rewritten, its `this * …` is the runtime's, so the
// derivative flows. (Traced's own methods shadow all of Number.prototype's.)
Object.setPrototypeOf(Traced.prototype, Number.prototype);
// So is `x.__proto__ === Number.prototype` (Object.prototype's accessor, which a member read
// reaches past the rewrite): a number's is Number.prototype, and setting it changes nothing.
Object.defineProperty(Traced.prototype, '__proto__', { get: () => Number.prototype, set() {}, configurable: true, enumerable: false });

/** True for a traced number, asked without observable effects (see `Traced.is`). */
export const isTraced = (x: unknown): x is Traced => Traced.is(x);

/** `isTraced`, for the operator rules (`rules/`): see `Traced.isOperand`. */
export const isTracedOperand = (x: unknown): x is Traced => Traced.isOperand(x);

/**
 * The plain number inside any nesting of traced values (other values unchanged; a symbolic
 * number, recorded by `compileGradient`, gives its number and pins the path to it).
 */
export function primal(x: unknown): number {
  while (isTraced(x)) x = x.tracedValue;
  return unpin(x) as number;
}

/**
 * The plain number inside any nesting of traced values, as `primal` gives it but without
 * pinning compileGradient's path to a symbolic number: for reads that only show, copy or
 * compare the number and make nothing of it that the program could branch on.
 */
export function numberOf(x: unknown): number {
  while (isTraced(x)) x = x.tracedValue;
  return (isSymbolic(x) ? x.value : x) as number;
}

/** Strips traced layers whose tape has closed: they are constants now. */
export function live(x: unknown): unknown {
  return isTraced(x) && !x.tracedTape.active ? live(x.tracedValue) : x;
}

/** What to do when a live traced value is turned into plain numbers. */
export type EscapeHandler = (x: { readonly tracedTape: Tape }, how: string) => void;
/** What to do when a live traced number is written as text (`text` null: by JSON.stringify). */
export type TextHandler = (x: Traced, text: string | null, exact: boolean) => void;

let escapeHandler: EscapeHandler = () => {};
let textHandler: TextHandler = () => {};

/** The API installs the policy (lib/escapes.ts). */
export function onEscape(handler: EscapeHandler): void {
  escapeHandler = handler;
}

/** The runtime installs the bookkeeping of text round trips (rules/text.ts). */
export function onText(handler: TextHandler): void {
  textHandler = handler;
}

/**
 * Reports that traced `x` (a number or an array) was turned into plain numbers by `how`:
 * 'valueOf' (called explicitly), 'conversion' (JavaScript converting it), 'text' (JavaScript
 * converting it to text), or a method's name.
 */
export function reportEscape(x: { readonly tracedTape: Tape }, how: string): void {
  escapeHandler(x, how);
}

function noteText(x: Traced, text: string | null, exact: boolean): void {
  textHandler(x, text, exact);
}

let unseenTextHandler: (x: Traced) => void = () => {};

/** The runtime installs the bookkeeping of text round trips it cannot see (rules/text.ts). */
export function onUnseenText(handler: (x: Traced) => void): void {
  unseenTextHandler = handler;
}

/**
 * Traced `x` was converted by a built-in that writes it as text the runtime does not see
 * (`Intl.NumberFormat#format`: lib/escapes.ts tells it by its frame): read back, that text
 * cannot say whether it carries x's derivative.
 */
export function noteUnseenText(x: Traced): void {
  unseenTextHandler(x);
}

/**
 * `String(x)` for the runtime's own code: a minifier's `unsafe` writes String(x) and even
 * x.toString() as "" + x, a conversion of a traced number by the runtime itself, which a
 * bundle cannot tell from a package's (lib/escapes.ts). This converts only a plain number.
 */
export function textOfTraced(x: Traced): string {
  return written(x, String(primal(x)), true);
}

/**
 * A method's integer argument (digits, precision, radix), converted as the method converts it
 * (ToIntegerOrInfinity: user code in a valueOf runs once; a BigInt throws): a traced one is its
 * number (converting it with Number reported a lost derivative: `x.toPrecision(p)` threw).
 */
function integerArgument(a: unknown): number | undefined {
  if (a === undefined) return undefined;
  const n = Math.trunc(+(isTraced(a) ? primal(a) : (a as number)));
  return n === n ? n : 0;
}

/** `text`, written from `x` (noted while its tape records; a prototype method would be visible on every traced number). */
function written(x: Traced, text: string, exact: boolean): string {
  if (x.tracedTape.active) noteText(x, text, exact);
  return text;
}

/**
 * The text `format` writes from `x`'s number, noted as `written` notes it: exact where it is
 * known to be (`exact`), or where it reads back as the number and the doubles on either side
 * are written otherwise (the format resolves the number: reading its text back is the
 * identity there, not a step).
 */
function formatted(x: Traced, format: (v: number) => string, exact: boolean): string {
  refuseCopy(x);
  const v = primal(x);
  const text = format(v);
  if (x.tracedTape.active) noteText(x, text, exact || (Number(text) === v && Number.isFinite(v) && format(nextDouble(v, -1)) !== text && format(nextDouble(v, 1)) !== text));
  return text;
}

const bits = new Float64Array(1);
const bitsAsInteger = new BigInt64Array(bits.buffer);

/** The double next to finite `v` towards +∞ (`direction` 1) or −∞ (−1). */
function nextDouble(v: number, direction: 1 | -1): number {
  if (v === 0) return direction * Number.MIN_VALUE;
  bits[0] = v;
  // (the bits of a positive double grow with it; of a negative one, they grow with |v|)
  bitsAsInteger[0]! += (v > 0) === (direction > 0) ? 1n : -1n;
  return bits[0]!;
}

// ---- Operands, as the rules see them -------------------------------------------------
// A rule gets operands that may be plain values, values traced on the tape being
// recorded, or values traced on an outer tape (constants for this tape, but still
// carrying the outer derivative). These helpers find the tape and the rows. A layer whose
// tape has closed is a constant wrapper: each looks through it (`live`) to the value
// inside, which may still be traced on an open tape (an inner differentiation's value kept
// in a pullback or a bound function: read as its number, the outer derivative was lost).

/** The innermost active tape among two operands, or null when neither is traced. */
export function innerTape(a: unknown, b: unknown): Tape | null {
  const ta = activeTapeOf(a);
  const tb = activeTapeOf(b);
  if (ta === null) return tb;
  if (tb === null || ta.depth >= tb.depth) return ta;
  return tb;
}

/** The innermost active tape among any number of operands. */
export function innermostTape(operands: readonly unknown[]): Tape | null {
  let inner: Tape | null = null;
  for (const x of operands) {
    const t = activeTapeOf(x);
    if (t !== null && (inner === null || t.depth > inner.depth)) inner = t;
  }
  return inner;
}

/** The active tape `x` is traced on, under any closed layers; null for none. */
function activeTapeOf(x: unknown): Tape | null {
  if (!isTraced(x)) return null;
  if (x.tracedTape.active) return x.tracedTape;
  const inside = live(x);
  return isTraced(inside) ? inside.tracedTape : null;
}

/** The operand's row on tape `t`, or -1 when it is a constant there. */
export function rowOn(x: unknown, t: Tape): number {
  if (!isTraced(x)) return -1;
  const inside = x.tracedTape.active ? x : live(x);
  return isTraced(inside) && inside.tracedTape === t ? inside.tracedIndex : -1;
}
