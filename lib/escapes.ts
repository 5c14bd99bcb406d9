// Lost derivatives. A traced number turned into a plain one loses its derivative; this is
// the policy for each way that happens.
//
// - Lost for certain — code that was not rewritten doing arithmetic or comparisons with a
//   traced number (a package left out of ZYGOTE_INCLUDE, a file run without the loader), a
//   built-in that keeps only the number (Math's own functions reached without the rewrite,
//   typed arrays, DataView, Atomics), a traced number stored into a typed array: an error
//   at the spot, always, naming the place and the fix. A gradient is never silently wrong.
// - The program's own choice — an explicit `x.valueOf()` in rewritten code,
//   `NDArray.toArray()`: one warning per place, or an error in strict mode. (`x.valueOf()`
//   in code that was not rewritten is that code's conversion: lost for certain.)
// - Only read — printed (`console.log`, `util.format`, `Intl.NumberFormat#format`), used
//   as an index or a count (`arr.slice(x)`), written as JSON: nothing is said.
//
// JavaScript's own conversions (ToPrimitive) are told apart by who asked: the stack frame
// right below the traced number's `Symbol.toPrimitive`. A built-in shows its name there;
// JavaScript code shows its file, and rewritten files say at load that they are rewritten
// (`registerRewritten`, called by the prologue the transform writes). A conversion asked by
// a rewritten file is a built-in without a frame of its own (Intl's formatting, a DOM
// setter): only read, except the typed-array store, which the store barrier reports.

import { callSitesAbove, noteUnseenText, onEscape, Traced } from './core/traced.js';
import type { Tape } from './core/tape.js';

let strict = typeof process !== 'undefined' && /^(1|true|yes)$/i.test(process.env?.['ZYGOTE_STRICT'] ?? '');
let warnings = true;
const escapes = new WeakMap<Tape, { count: number; where: string }>();
const warnedPlaces = new Set<string>();

/** Options of the whole library. */
export interface ZygoteOptions {
  /**
   * Also throw where the program itself turns a traced number into a plain one (an explicit
   * `x.valueOf()`, `NDArray.toArray()`), whose derivative would be lost. (Conversions that
   * lose a derivative for certain — code that was not rewritten, typed arrays — always
   * throw.) Also set by the environment variable `ZYGOTE_STRICT=1`. Default false.
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

/**
 * A doubt the library cannot settle itself, said once per place: a warning, or an error
 * in strict mode (`what` names it, or makes its text when it is said: a stack read only then;
 * `fix` says what to do).
 */
export function doubt(place: string, what: string | (() => string), fix: string): void {
  if (strict) throw new Error(`zygote-ts (strict): ${typeof what === 'string' ? what : what()} ${fix}`);
  suspect(place, what, fix);
}

/**
 * A loss the library can only suspect (it may as well be no loss), said once per place (the
 * function differentiated, by its source: an arrow made anew on each call is one place): a
 * warning, in strict mode too (an error would stop programs that lose nothing), unless
 * `warnings: false`.
 */
export function suspect(place: string, what: string | (() => string), fix: string): void {
  if (!warnings || warnedPlaces.has(place)) return;
  warnedPlaces.add(place);
  console.warn(`zygote-ts: ${typeof what === 'string' ? what : what()} ${fix}`);
}

export const FIX =
  'Run that code rewritten: with the loader (node --import zygote-ts/register, or npx zygote), the Vite or ' +
  'esbuild plugin or the Jest transformer (zygote-ts/jest), and its package listed in ZYGOTE_INCLUDE (or ' +
  'the plugin’s or transformer’s include option). If its ' +
  'derivative is not wanted, pass it dropgrad(x).';

/**
 * How many conversions to text of each traced number were looked at (numberReaderOfText):
 * its first few only, so that a default sort or a loop writing the same number as text does
 * not pay a stack frame each time (a sort of 10⁴ traced numbers took 13× as long).
 */
const textsLookedAt = new WeakMap<object, number>();
const TEXTS_LOOKED_AT = 3;

onEscape((x, how) => {
  if (how === 'text') {
    const seen = textsLookedAt.get(x) ?? 0;
    if (seen >= TEXTS_LOOKED_AT) return;
    textsLookedAt.set(x, seen + 1);
    const reader = numberReaderOfText();
    if (reader !== null) {
      throw new TypeError(
        `zygote-ts: a traced number was given to ${reader.name}${reader.where ? ` at ${reader.where}` : ''}, which reads its text back as a plain number, ` +
          `so its derivative would be lost. Call ${reader.name} by that name in code that is rewritten (it keeps the derivative), or pass dropgrad(x).`,
      );
    }
    return;
  }
  if (how === 'conversion') {
    const lost = lostByConversion(x as Traced);
    if (lost !== null) throw new TypeError(`zygote-ts: ${lost.what}${lost.where ? ` at ${lost.where}` : ''}${lost.why}, so its derivative would be lost. ${lost.fix}`);
    return;
  }
  if (how === 'typed array store') {
    const where = callerLine(new Error().stack);
    throw new TypeError(
      `zygote-ts: a traced number was stored into a typed array${where ? ` at ${where}` : ''}, which keeps only the ` +
        `number, so its derivative would be lost. Use a plain array, or let f receive the typed array (an argument ` +
        `keeps its derivatives), or pass dropgrad(x) if the derivative is not wanted.`,
    );
  }
  if (how === 'valueOf') {
    // (a package's own conversion, as its arithmetic is, not the program's choice)
    const converter = notRewrittenCallerOf(Traced.prototype.valueOf);
    if (converter !== null) throw new TypeError(`zygote-ts: code that was not rewritten for differentiation used a traced number (x.valueOf()) at ${converter}, so its derivative would be lost. ${FIX}`);
  }
  const where = callerLine(new Error().stack);
  if (strict) {
    throw new TypeError(
      `zygote-ts (strict): a traced number was turned into a plain number by ${how}${where ? ` at ${where}` : ''}, ` +
        `so its derivative would be lost.`,
    );
  }
  const seen = escapes.get(x.tracedTape);
  if (seen) seen.count++;
  else escapes.set(x.tracedTape, { count: 1, where: `${how}${where ? ` at ${where}` : ''}` });
});

/** After a differentiation: the warning for its lost derivatives, once per place. */
export function warnAboutEscapes(tape: Tape): void {
  const seen = escapes.get(tape);
  if (!seen || !warnings || warnedPlaces.has(seen.where)) return;
  warnedPlaces.add(seen.where);
  console.warn(
    `zygote-ts: ${seen.count} traced number(s) were turned into plain numbers during differentiation ` +
      `(first by ${seen.where}); derivatives through them are lost. Keep them traced, or run with ` +
      `configure({ strict: true }) to stop at the spot.`,
  );
}

// ---- who converted a traced number ------------------------------------------------------

/**
 * Built-ins that keep only the number they are given (a derivative through them is lost).
 * An integer typed array's methods and constructor (`Int32Array.set`, `Uint8ClampedArray.fill`,
 * `new Uint8Array`), and a DataView's integer setters, are not: they store the number
 * truncated, wrapped or clamped to an integer, a step function whose derivative is 0, as an
 * indexed store into one is (`Function.from`/`of`, V8's names before V8 13 for every typed
 * array's, do not say whose they are: refused). V8 13 (Node 24) names a DataView's methods
 * `DataView.prototype.setInt32`. A Float16Array is among them (browsers and Node 24 have it):
 * `new Float16Array([x, 2])` lost x's derivative without a word. Atomics work on integer typed
 * arrays only (a float one is a TypeError), so what they are given (a value, an index, a count,
 * a timeout) is a step too: `Atomics.store(ia, i, v)` with a traced index was refused. A
 * DataView's getters take only an offset (an index): `dv.getInt8(t)` was refused.
 */
const LOSSY_BUILTIN =
  /^(?:new )?(?:Math\.|DataView\.(?!(?:prototype\.)?(?:set(?:Int|Uint)(?:8|16|32)|get\w+)$)|(?:Float(?:16|32|64)|Big(?:Int|Uint)64)Array\b|Function\.(?:from|of)$|TypedArray\.|Number$)/;

/**
 * `Number` called with a receiver, as V8 names its frame: `Array.Number` for `[Number][0](x)`,
 * `Object.Number [as read]` for `o.read(x)` with `o.read = Number` (only Number itself is a
 * built-in of that name).
 */
const RECEIVER_NUMBER = /^(?:[\w$]+\.)?Number(?: \[as [^\]]+\])?$/;

/** Intl.NumberFormat's methods that write a number as text and have a frame (`format`, a bound function, has none). */
const NUMBER_FORMAT_FRAME = /^NumberFormat\.(?:formatToParts|formatRange|formatRangeToParts)$/;

/** Date's built-ins that take a time or its parts as numbers (V8 before 13, Node 22, names `Date.UTC`'s frame `Function.UTC`). */
const DATE_BUILTIN = /^(?:new Date|(?:Function|Date)\.UTC|Date\.set\w+)$/;

/**
 * Node's Buffer float writers, as V8 names their frames (`Buffer.writeDoubleForwards [as
 * writeDoubleLE]`): Node's own code, which stores the number's bytes (`buf.writeDoubleLE(x)`
 * then `buf.readDoubleLE(0)` lost the derivative without a word). Its integer writers store a
 * step of the number, whose derivative 0 is right, as an integer typed array's store.
 */
const BUFFER_FLOAT_WRITE = /^(?:Buffer\.)?(write(?:Double|Float)(?:Forwards|Backwards))(?: \[as (\w+)\])?/;

/**
 * Temporal's classes (Node 26), whose built-ins take times, durations and their parts as
 * numbers, as V8 names their frames: `Instant.fromEpochMilliseconds`, `new Duration`,
 * `Duration.from`, `PlainDate.with` (their methods are all built-ins: no program's frame is so named).
 */
const TEMPORAL_BUILTIN = /^(?:new )?(?:Instant|ZonedDateTime|PlainDateTime|PlainDate|PlainTime|PlainYearMonth|PlainMonthDay|Duration)(?:\.\w+)?$/;

/**
 * Built-ins that store a value by reflection (`Object.assign(out, [x])`, `Reflect.set(out, 0, x)`,
 * `Object.defineProperty(out, 0, { value: x })`). They convert a number only to store it into
 * a typed array (or through a native setter, an array's `length`: sizes, rare in f), so a
 * conversion under one is a traced number stored into a typed array that is not f's own, which
 * keeps only the number. (Object.assign, defineProperty and defineProperties are on Object,
 * which V8's frames name `Function` before V8 13, Node 24, and `Object` from it on.)
 */
const STORING_BUILTIN = /^(?:(?:Function|Object)\.(assign|defineProperty|defineProperties)|Reflect\.(set|defineProperty))$/;

/**
 * A typed array's method that stores numbers, as V8 names its frame on an instance or class
 * of a subclass (`class Vec extends Float64Array`: `Vec.from`, `Vec.of`, `Vec.set`, `Vec.fill`,
 * `Vec.map`, `Vec.with`; a DataView subclass's `setFloat64` & co.; on the built-in classes the
 * names are caught by LOSSY_BUILTIN). The
 * same methods of the classes named here convert no number they keep (an array's counts; an
 * arguments object's, `Arguments.map` for `Array.prototype.map.call(args, g)`, whose traced length
 * was reported so).
 */
const SUBCLASS_TYPED_STORE = /^([\w$]+)\.(?:from|of|set|fill|map|with|set(?:Float|Int|Uint|BigInt|BigUint)(?:8|16|32|64))$/;
const NOT_TYPED_CLASS = /^(?:Array|Arguments|Map|Set|WeakMap|WeakSet|Object|Reflect|Function|Atomics|DataView|Promise|Iterator)$/;
/** The integer typed arrays, whose stores are steps (see LOSSY_BUILTIN). */
const INTEGER_TYPED_CLASS = /^(?:Int|Uint)(?:8|16|32)(?:Clamped)?Array$/;

/**
 * A function of Math's, as V8 names its frame when it was not called on `Math` itself:
 * `sin` (`Reflect.get(Math, 'sin')(x)`), `Array.sin` (`[Math.sin][0](x)` without the
 * rewrite). No other built-in has these names.
 */
const MATH_FRAME = /^(?:[\w$]+\.)?(abs|acosh?|asinh?|atanh?|atan2|cbrt|ceil|clz32|cosh?|expm1|exp|f16round|floor|fround|hypot|imul|log(?:10|1p|2)?|max|min|pow|round|sign|sinh?|sqrt|tanh?|trunc)$/;

/** The name of Math's function a builtin frame is (`Math.sin`, `sin`, `Array.sin` → `sin`), or null. */
function mathFunctionOf(builtin: string): string | null {
  if (builtin.startsWith('Math.')) return builtin.slice(5);
  return MATH_FRAME.exec(builtin)?.[1] ?? null;
}

/**
 * The files rewritten for differentiation (as stack frames name them): `true` for a file
 * rewritten as a whole, or the places that mark where rewritten code starts and ends in it.
 * In a bundle, rewritten files and files that were not (a package left out of `include`)
 * share one file, so the bundler plugins have each rewritten file's start and end marked
 * (TransformOptions.marksEnd).
 */
const rewrittenFiles = new Map<string, true | Mark[]>();
/**
 * Stacks of rewritten files' loads, not yet read (and `skip`: frames above the file's; `mark`: as
 * registerRewritten's; `closes`: the start an end marked from the file's end function belongs to;
 * `read`: the mark once read).
 */
interface Registration {
  holder: { stack?: string };
  skip: number;
  mark: unknown;
  closes?: Registration;
  read?: Mark;
}
const unreadRegistrations: Registration[] = [];
/** The start whose end function the runtime is calling (registerRewritten). */
let closing: Registration | undefined;

interface Mark {
  readonly at: Position;
  readonly end: boolean;
  /** For an end marked from the file's end function: its start. */
  readonly closes?: Mark;
}

/**
 * Called by every rewritten file as it loads (the transform's prologue): notes its file, as
 * stack frames name it. `mark`: 0 where a bundled file's code starts, 1 where it ends; none
 * for a file rewritten as a whole. `end`, with a start: the function that marks the file's end
 * from where it is declared, called once the code that loads the file has run (a microtask
 * later), whether or not the file's code reached its end (isRewrittenCode).
 */
export function registerRewritten(mark?: unknown, end?: unknown): void {
  const holder: { stack?: string } = {};
  const captures = typeof Error.captureStackTrace === 'function';
  // V8 formats a captured stack when it is first read: reading it here cost every load
  // ~30 µs (150 modules: 4.4 ms of culori's start), so it is read when a conversion asks.
  if (captures) Error.captureStackTrace(holder, registerRewritten);
  else holder.stack = new Error().stack;
  // (a captured stack keeps its frames' functions alive: code rewritten at run time, again
  // and again, must not pile them up)
  const registration: Registration = { holder, skip: captures ? 0 : 1, mark, ...(closing === undefined ? {} : { closes: closing }) };
  if (mark === 0 && typeof end === 'function') {
    // (a promise's job, not queueMicrotask: every realm has promises)
    void Promise.resolve().then(() => {
      closing = registration;
      try {
        (end as () => void)();
      } finally {
        closing = undefined;
      }
    });
  }
  if (unreadRegistrations.push(registration) >= 1024) readRegistrations();
}

function readRegistrations(): void {
  for (const registration of unreadRegistrations.splice(0)) {
    const { holder, skip, mark } = registration;
    const frame = placeOf(holder, skip);
    if (frame === null || frame.file === null) continue;
    const marks = rewrittenFiles.get(frame.file);
    const read: Mark = { at: frame.at ?? [0, 0], end: mark === 1, ...(registration.closes?.read === undefined ? {} : { closes: registration.closes.read }) };
    registration.read = read;
    // (a mark without a place, or a file also rewritten as a whole: the whole file)
    if ((mark !== 0 && mark !== 1) || frame.at === null) rewrittenFiles.set(frame.file, true);
    else if (marks === undefined) rewrittenFiles.set(frame.file, [read]);
    else if (marks !== true) marks.push(read);
  }
}

/** The parts of V8's call sites read here. */
interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/**
 * Frame `k` of a captured stack (as frameOf counts), by V8's call sites where it has them:
 * the file and place as the code runs. A stack's text is moved by source maps (Node's
 * --enable-source-maps): a bundle's frames then name each source file, and a prologue, which
 * maps to nothing, named the file before it in the bundle (a package left out of `include`
 * was taken for rewritten code, and a rewritten file for one that was not).
 */
function placeOf(holder: { stack?: unknown }, k: number): { file: string | null; at: Position | null } | null {
  if (typeof Error.captureStackTrace === 'function' && k >= 0) {
    const prepare = Error.prepareStackTrace;
    let stack: unknown;
    Error.prepareStackTrace = (_error, sites) => sites;
    try {
      stack = holder.stack; // (formatted when first read: as call sites, now)
    } finally {
      Error.prepareStackTrace = prepare;
    }
    if (Array.isArray(stack)) {
      const site = stack[k] as CallSite | undefined;
      if (site === undefined) return null;
      const file = site.getFileName();
      // (code made by eval or Function has no file: its frame's text names where it was made)
      if (typeof file !== 'string' || file === '') return frameOf(`    at ${String(site)}`, 0);
      const line = site.getLineNumber();
      const column = site.getColumnNumber();
      return { file: fileName(file), at: line === null || column === null ? null : [line, column] };
    }
  }
  return frameOf(holder.stack as string | undefined, k);
}

const before = (a: Position, b: Position) => a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]);

/**
 * Whether the code of frame `k` of a captured stack was rewritten: a file rewritten as a
 * whole; in a bundle, the code from a start mark to the furthest end mark it closes (each end
 * closes the nearest start before it). A file marks its end twice: by its last statement, and
 * from a function declared at its end, called a microtask after the file starts loading. A file
 * whose code stopped before its end (a module that threw, reached by a dynamic import that
 * caught it) ran only the second: with the last statement alone its start stayed open, and
 * every file after it in the bundle was taken for rewritten code (a package's `x * 3` lost its
 * derivative without a word). Where a bundler moved the function up with the file's others (an
 * ES module it initialises lazily) the last statement's mark takes the file's code in, and
 * until the microtask the start is open: the file's own code may differentiate as it loads.
 */
function isRewrittenCode(holder: { stack?: unknown }, k: number): boolean {
  const place = placeOf(holder, k);
  return place !== null && isRewrittenPlace(place.file, place.at);
}

/** Whether the code at a place (a file, and where in it) was rewritten: see {@link isRewrittenCode}. */
function isRewrittenPlace(file: string | null, at: Position | null): boolean {
  readRegistrations();
  if (file === null) return false;
  const marks = rewrittenFiles.get(file);
  if (marks === undefined) return false;
  if (marks === true || at === null) return true;
  let range: Range | undefined;
  for (const r of rangesOf(marks)) if (before(r.start, at)) range = r;
  return range !== undefined && (range.end === null || before(at, range.end));
}

/** A start mark and the furthest end mark that closes it (null: none ran yet). */
interface Range {
  readonly start: Position;
  end: Position | null;
}

/** A file's ranges, in order, each end closing the nearest start before it; kept until a mark is added. */
const rangesKept = new WeakMap<Mark[], { count: number; ranges: Range[] }>();

function rangesOf(marks: Mark[]): Range[] {
  const kept = rangesKept.get(marks);
  if (kept !== undefined && kept.count === marks.length) return kept.ranges;
  const order = (a: Mark, b: Mark) => a.at[0] - b.at[0] || a.at[1] - b.at[1] || Number(a.end) - Number(b.end);
  const ranges: Range[] = [];
  const rangeOf = new Map<Mark, Range>();
  for (const m of [...marks].sort(order)) {
    const last = ranges[ranges.length - 1];
    if (!m.end && (last === undefined || last.start[0] !== m.at[0] || last.start[1] !== m.at[1])) ranges.push({ start: m.at, end: null });
    else if (m.end && m.closes === undefined && last !== undefined) last.end = m.at; // (in order: the furthest so far)
    if (!m.end) rangeOf.set(m, ranges[ranges.length - 1]!);
  }
  // An end from the file's end function closes its own start, wherever a minifier moved the
  // function (terser puts a declaration used once where it is used, or at its scope's top):
  // at worst the range is empty, and the file's code counts as not rewritten, never the next file's.
  for (const m of marks) {
    const range = m.closes === undefined ? undefined : rangeOf.get(m.closes);
    if (range === undefined) continue;
    const end = before(m.at, range.start) ? range.start : m.at;
    if (range.end === null || before(range.end, end)) range.end = end;
  }
  rangesKept.set(marks, { count: marks.length, ranges });
  return ranges;
}

/** A line and column in a file, as a stack frame gives them. */
type Position = readonly [number, number];

interface Frame {
  /** A built-in's name (`Math.sin`, `new Float64Array`), or null for JavaScript code. */
  readonly builtin: string | null;
  /** The file (URL or path, without line and column), or null. */
  readonly file: string | null;
  /** The frame as the stack shows it, for messages. */
  readonly text: string;
  /** Its line and column, or null. */
  readonly at: Position | null;
}

/**
 * A traced number converted to text by a built-in that reads the text back as a number
 * (`parseFloat(x)`, `parseInt(x)`, `Number.parseFloat` is the same function), which keeps
 * only the number: code that was not rewritten, or the built-in reached other than by its name
 * (rewritten code's `parseFloat` is the runtime's, which converts before it reads). Null for
 * any other conversion to text (printing, keys, concatenation), and where Node's own code
 * asked (`util.format`'s `%f` reads the number to print it). Asked on the first conversions of
 * each traced number to text while its tape records: only the frames needed are captured.
 */
function numberReaderOfText(): { name: string; where: string } | null {
  if (typeof Error.captureStackTrace !== 'function') return null;
  // (one frame, read as V8's call sites: a formatted stack cost ~5 µs a conversion, this ~1)
  const site = callSitesAbove(Traced.prototype[Symbol.toPrimitive], 1)[0];
  const builtin = site !== undefined && !site.getFileName() ? site.getFunctionName() : null;
  if (builtin !== 'parseFloat' && builtin !== 'parseInt') return null; // (`Number.parseFloat` is the same function)
  const full: { stack?: string } = {};
  Error.captureStackTrace(full, Traced.prototype[Symbol.toPrimitive]);
  if (isCalledByNode(full.stack, true)) return null;
  return { name: builtin, where: callerLine(full.stack) };
}

/** Why the conversion being reported loses a derivative, or null when it only reads the number. */
function lostByConversion(x: Traced): { what: string; where: string; why: string; fix: string } | null {
  const holder: { stack?: string } = {};
  const captures = typeof Error.captureStackTrace === 'function';
  // V8: the stack from the converting frame on (frames from the traced number's method up are left out).
  if (captures) Error.captureStackTrace(holder, Traced.prototype[Symbol.toPrimitive]);
  else holder.stack = new Error().stack;
  const k = captures ? 0 : converterIndex(holder.stack);
  const frame = frameOf(holder.stack, k);
  if (frame === null) return null; // (no stack to tell: say nothing rather than guess)
  if (readByArrayCode(holder.stack)) {
    return {
      what: "an array operation found a traced number in an NDArray's storage (new NDArray(shape, data) was given a typed array holding traced numbers)",
      where: callerLine(holder.stack),
      why: ', which the operation reads as plain numbers',
      fix: 'Make the array with array(data) (reshape(array(data), shape) for another shape), which keeps the derivatives.',
    };
  }
  if (frame.builtin !== null) {
    // (`fs[0](x)` or `o.f(x)` calling Number: V8 names the frame by the receiver, `Array.Number`)
    const builtin = RECEIVER_NUMBER.test(frame.builtin) ? 'Number' : frame.builtin;
    const storing = STORING_BUILTIN.exec(builtin);
    if (storing !== null) {
      return {
        what: `a traced number was stored into a typed array by ${storing[1] !== undefined ? `Object.${storing[1]}` : builtin}`,
        where: callerLine(holder.stack),
        why: `, which keeps only its number`,
        fix: 'Keep traced numbers in plain arrays (or let f receive the typed array as an argument, or make it in f), or pass dropgrad(x).',
      };
    }
    const temporal = typeof (globalThis as { Temporal?: unknown }).Temporal === 'object' && TEMPORAL_BUILTIN.test(builtin);
    if (DATE_BUILTIN.test(builtin) || temporal) {
      // (a date's parts are steps, whose derivative 0 is right; its time read back is not)
      const where = callerLine(holder.stack);
      const name = builtin === 'Function.UTC' ? 'Date.UTC' : temporal ? builtin.replace(/^(new )?/, '$1Temporal.') : builtin;
      const readBack = temporal ? "a time or duration read back (epochMilliseconds, total(), a field)" : "a time read back (getTime(), +d, Date.UTC's result)";
      doubt(
        `Date ${where}`,
        `a traced number was given to ${name}${where ? ` at ${where}` : ''}, which keeps only its number: ${readBack} has lost the derivative.`,
        'Keep the time as a number where it is differentiated, or pass dropgrad(x).',
      );
      return null;
    }
    if (NUMBER_FORMAT_FRAME.test(builtin)) noteUnseenText(x); // (only read, unless its text is read back: rules/text.ts)
    const math = mathFunctionOf(builtin);
    const subclassStore = SUBCLASS_TYPED_STORE.exec(builtin);
    const lossy = LOSSY_BUILTIN.test(builtin) || (subclassStore !== null && !NOT_TYPED_CLASS.test(subclassStore[1]!) && !INTEGER_TYPED_CLASS.test(subclassStore[1]!));
    if ((math === null && !lossy) || isArrayFromLength(builtin, holder.stack, captures)) return null;
    if (builtin === 'Number' && isCalledByNode(holder.stack, captures)) return null; // (util.format's %d: printing)
    return {
      what: `a traced number was given to ${math === null ? builtin : `Math.${math}`}`,
      where: callerLine(holder.stack),
      why: `, which keeps only its number`,
      fix:
        (math !== null || builtin === 'Number') && calledByCodeNotRewritten(captures, k)
          ? FIX
          : math !== null
          ? `Call Math.${math} by that name (the loader or plugin rewrites Math.${math}: not Math[k], nor Math reached another way), or pass dropgrad(x).`
          : builtin === 'Number'
            ? 'Call Number(x) by that name (rewritten, it keeps the derivative), or map with (v) => Number(v), or pass dropgrad(x).'
            : 'Keep traced numbers in plain arrays (or let f receive the typed array as an argument), or pass dropgrad(x).',
    };
  }
  const bufferWrite = frame.file === 'node:internal/buffer' ? BUFFER_FLOAT_WRITE.exec(frame.text) : null;
  if (bufferWrite !== null) {
    return {
      what: `a traced number was given to Buffer's ${bufferWrite[2] ?? bufferWrite[1]}`,
      where: callerLine(['', ...(holder.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line)).slice(k + 1)].join('\n')), // (past Node's frame)
      why: ', which keeps only its bytes',
      fix: 'Keep the number itself where it is differentiated (a plain array, or a Float64Array f made), or pass dropgrad(x).',
    };
  }
  if (frame.file === null || frame.file.startsWith('node:') || isOwnEval(frame.text)) return null;
  // (V8: the same stack again, read as call sites, `holder`'s being text already)
  const sites: { stack?: unknown } = captures ? {} : holder;
  if (captures) Error.captureStackTrace(sites, Traced.prototype[Symbol.toPrimitive]);
  if (isRewrittenCode(sites, k)) {
    // (rewritten code converts no number itself: a built-in without a frame did, Intl.NumberFormat#format
    // writing it as text, or a DOM setter)
    noteUnseenText(x);
    return null;
  }
  return { what: 'code that was not rewritten for differentiation used a traced number', where: frame.text, why: '', fix: FIX };
}

/**
 * Whether the frame under the converting built-in (at `k`) is a file's code that was not
 * rewritten (a package left out of `include`): its `Math.abs(x)` or `Number(x)` is called by
 * name, and it is the package, not the call, that must change.
 */
function calledByCodeNotRewritten(captures: boolean, k: number): boolean {
  if (!captures) return false;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, Traced.prototype[Symbol.toPrimitive]);
  const caller = frameOf(holder.stack, k + 1);
  if (caller === null || caller.builtin !== null || caller.file === null || caller.file.startsWith('node:') || isOwnEval(caller.text) || isOwnFrame(caller.text)) return false;
  const sites: { stack?: unknown } = {};
  Error.captureStackTrace(sites, Traced.prototype[Symbol.toPrimitive]);
  return !isRewrittenCode(sites, k + 1);
}

/**
 * The frame that called `method` of a traced number (`x.valueOf()`) when that is code that
 * was not rewritten — a package left out of `include` (lodash's `toNumber`, ramda's `equals`,
 * fast-deep-equal call it to compare or convert): the number it gets has lost the derivative
 * for certain, as its arithmetic's has. Null for rewritten code (the program's own choice), a
 * built-in, Node's or zygote-ts's own code, or where V8's stack capture is missing.
 */
function notRewrittenCallerOf(method: Function): string | null {
  if (typeof Error.captureStackTrace !== 'function') return null;
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, method);
  const frame = frameOf(holder.stack, 0);
  if (frame === null || frame.builtin !== null || frame.file === null || frame.file.startsWith('node:')) return null;
  if (isOwnEval(frame.text) || isOwnFrame(frame.text)) return null;
  const sites: { stack?: unknown } = {};
  Error.captureStackTrace(sites, method);
  return isRewrittenCode(sites, 0) ? null : frame.text;
}

/**
 * Who called the object's `valueOf` or `Symbol.toPrimitive` that called `from` (the frame
 * under that method): 'rewritten' code calling it by name (`o.valueOf()`, the program's own
 * choice, which keeps a traced number), a built-in that reads the number as an index, a count
 * or a position ('step': its derivative is 0), or one that keeps the number, or code that was
 * not rewritten ('lost', with the place). Without V8's stack capture: 'lost'.
 */
export function conversionCaller(from: Function): { kind: 'rewritten' | 'step' | 'lost'; where: string } {
  if (typeof Error.captureStackTrace !== 'function') return { kind: 'lost', where: '' };
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, from);
  const frame = frameOf(holder.stack, 1);
  if (frame === null) return { kind: 'lost', where: '' };
  if (frame.builtin !== null) {
    const keeps = LOSSY_BUILTIN.test(frame.builtin) || mathFunctionOf(frame.builtin) !== null || DATE_BUILTIN.test(frame.builtin) || STORING_BUILTIN.test(frame.builtin);
    return { kind: keeps ? 'lost' : 'step', where: frame.builtin };
  }
  if (frame.file !== null && !frame.file.startsWith('node:') && (isOwnFrame(frame.text) || isOwnEval(frame.text))) return { kind: 'rewritten', where: frame.text };
  const sites: { stack?: unknown } = {};
  Error.captureStackTrace(sites, from);
  return { kind: isRewrittenCode(sites, 1) ? 'rewritten' : 'lost', where: frame.text };
}

/**
 * Without V8's captureStackTrace (Firefox, Safari): the frame under the traced number's
 * Symbol.toPrimitive, or -1 (the first frame outside zygote-ts's files) when the stack does not
 * name it. In a bundle zygote-ts's frames are not told apart by their file: the first frame
 * was the runtime's own, outside every rewritten file.
 */
function converterIndex(stack: string | undefined): number {
  const lines = (stack ?? '').split('\n').filter((line) => /^\s+at |@/.test(line));
  let k = -1;
  lines.forEach((line, i) => {
    if (/Symbol\.toPrimitive\]/.test(line)) k = i + 1;
  });
  return k;
}

/** Whether the first JavaScript frame under the converting built-in is Node's own (`node:…`). */
function isCalledByNode(stack: string | undefined, captures: boolean): boolean {
  for (let k = captures ? 1 : 0; ; k++) {
    const caller = frameOf(stack, k);
    if (caller === null) return false;
    if (caller.builtin === null) return caller.file !== null && caller.file.startsWith('node:');
  }
}

/**
 * `Array.from` reading an array-like's length (a count) through the runtime's `arrayFrom`:
 * V8 names its frame as a typed array's `from`, which converts every element.
 */
function isArrayFromLength(builtin: string, stack: string | undefined, captures: boolean): boolean {
  if (builtin !== 'Function.from') return false;
  const caller = frameOf(stack, captures ? 1 : 0);
  return caller !== null && /^arrayFrom \(/.test(caller.text) && caller.file !== null && isOwnFrame(caller.text);
}

// A frame of code compiled by zygote-ts itself from rewritten text (a function recompiled from
// its source, a `Function(…)` body in rewritten code) is rewritten code. Not any code made by
// eval in its files: `new globalThis.Function('x', 'return x * x')` in rewritten code, or
// `Reflect.apply(Function, …)`, is built by the runtime's `construct` or `reflectApply` from
// text that was not rewritten (its `x * x` lost the derivative with no word: 1 where it is 4).
const OWN_COMPILERS = /eval at (?:rewriteIfNeeded|rewritingFunction) \(/;
function isOwnEval(text: string): boolean {
  return OWN_COMPILERS.test(text) && ownFolders.some((folder) => text.includes(folder));
}

/**
 * Frame `k` of a stack (0: the first `at` line; -1: the first frame outside zygote-ts's
 * own files), or null. V8's format: `at name (location)`, `at location`, `at new Name
 * (<anonymous>)` for a built-in; SpiderMonkey's and JavaScriptCore's: `name@location`.
 */
function frameOf(stack: string | undefined, k: number): Frame | null {
  const lines = (stack ?? '').split('\n').filter((line) => /^\s+at |@/.test(line));
  const line = k >= 0 ? lines[k] : lines.find((l) => !isOwnFrame(l));
  if (line === undefined) return null;
  const trimmed = line.trim();
  const text = trimmed.replace(/^at /, '');
  let location: string;
  if (trimmed.startsWith('at ')) {
    const named = /^(?:async )?(.*?) \((.*)\)$/.exec(text);
    if (named !== null && named[2] === '<anonymous>') return { builtin: named[1]!, file: null, text, at: null };
    location = named !== null ? named[2]! : text;
  } else {
    location = text.slice(text.lastIndexOf('@') + 1);
  }
  // (code made by eval or Function: named by where it was made, the same for all its lines)
  if (location.startsWith('eval at ')) return { builtin: null, file: location.replace(/, <anonymous>(?::\d+){1,2}$/, ''), text, at: null };
  const lineColumn = /:(\d+):(\d+)$/.exec(location);
  const at: Position | null = lineColumn === null ? null : [Number(lineColumn[1]), Number(lineColumn[2])];
  return { builtin: null, file: fileName(location.replace(/(?::\d+){1,2}$/, '')), text, at };
}

// (Node names a file by its URL or, where a source map applies, by its path: one spelling)
function fileName(location: string): string {
  if (!location.startsWith('file://')) return location;
  try {
    return decodeURIComponent(new URL(location).pathname);
  } catch {
    return location;
  }
}

// zygote-ts's own files, as stack frames name them (built, or mapped back to the sources).
// (A bundle may not know its own URL: then every frame counts as the user's. Nor may its URL
// have folders: a blob:, data: or about:srcdoc URL — a bundle loaded from a Blob, a module
// inline in an iframe — where `new URL('../..', …)` threw and the whole library failed to load.)
const ownRoot = typeof import.meta.url === 'string' ? folderTwoUp(import.meta.url) : null;
function folderTwoUp(url: string): string | null {
  try {
    return new URL('../..', url).pathname;
  } catch {
    return null;
  }
}
const ownFolders = ownRoot === null ? [] : ['dist/', 'lib/', 'rules/', 'proxies/'].map((folder) => ownRoot + folder);

// The kernels and array rules read NDArrays' storage as plain numbers, which it holds unless
// the user's `new NDArray(shape, data)` was given a typed array of traced ones (a stand-in f
// made or received): the first frame that is not a built-in's (`Math.exp`, `TypedArray.prototype.set`) tells.
const arrayCodeFolders = ownRoot === null ? [] : ['dist/lib/kernels/', 'lib/kernels/', 'dist/rules/arrays/', 'rules/arrays/'].map((folder) => ownRoot + folder);
function readByArrayCode(stack: string | undefined): boolean {
  const line = (stack ?? '').split('\n').find((l) => /^\s+at |@/.test(l) && !l.trim().endsWith('(<anonymous>)'));
  return line !== undefined && arrayCodeFolders.some((folder) => line.includes(folder));
}

// (rules/own-copy.ts names its copies `zygote-ts/…`, by sourceURL: JSON.parse's read back named its frame as the user's line)
const isOwnFrame = (line: string) => ownFolders.some((folder) => line.includes(folder)) || line.includes('(node:') || line.includes('(zygote-ts/');

/**
 * Whether zygote-ts's own frames are told apart by their files here: not in a bundle (an app
 * built for the browser, the playground's worker), where they share one file with the code
 * around them. (This line's own frame tells.)
 */
const ownFramesKnown = isOwnFrame((new Error().stack ?? '').split('\n').find((line) => /^\s+at |@/.test(line)) ?? '');

/**
 * The first stack line outside zygote-ts's own files (the user's line that lost a derivative).
 * In a bundle, where zygote-ts's frames are not told by their file, the first in rewritten code
 * (zygote-ts's own never is): the first frame was the runtime's own, the same for every place,
 * so a warning named a line of the library and, said once per place, was said for the first
 * place only — a derivative lost on another line of the program went by without a word.
 */
export function callerLine(stack: string | undefined): string {
  const lines = (stack ?? '').split('\n').slice(1);
  // (built-in frames such as `JSON.stringify (<anonymous>)` are not the user's line either)
  const outside = lines.filter((line) => !isOwnFrame(line) && !line.trim().endsWith('(<anonymous>)'));
  const rewritten = ownFramesKnown ? undefined : outside.find((line) => {
    const frame = frameOf(line, 0);
    return frame !== null && isRewrittenPlace(frame.file, frame.at);
  });
  return (rewritten ?? outside[0])?.trim().replace(/^at /, '') ?? '';
}
