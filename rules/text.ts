// Numbers written as text and read back: `parseFloat(String(x))`, `+x.toFixed(2)`,
// `Number(el.style.width)` after `el.style.width = `${x}``. A string is a primitive and
// cannot carry a derivative, so the runtime remembers, while a differentiation runs, which
// traced number wrote which text (the traced number tells it: lib/core/traced.ts); text
// read back as a number in rewritten code is looked up there.
//
// - The shortest round-trip text (`String(x)`, `${x}`, `x.toString()`) reads back as x
//   itself: the round trip is the identity, so is its derivative.
// - Rounded text (`toFixed`, `toPrecision`, `toExponential`, `toLocaleString`) reads back
//   as its own number with derivative 0 (a step function), as `Math.round` has; where the
//   format tells the number from its neighbouring doubles it is not rounded there, and
//   reads back as x (lib/core/traced.ts decides which).
// - Text written by two different traced numbers cannot say whose derivative it carries,
//   nor can text one traced number wrote both rounded and whole (`x.toFixed(1)` and
//   `String(x)` both "2.7"): that is reported (an error in strict mode). So is an
//   integer's text ("2"): it may as well be an index, a key or a constant (see INTEGER_TEXT).
// - JSON written by `JSON.stringify` reads back (`JSON.parse` of that very text) with each
//   traced number where it was: a deep copy by JSON keeps its derivatives.
// Text that was never written from a traced number reads as plain JavaScript reads it.

import { isTraced, onText, onUnseenText, primal, reportEscape, Traced } from '../lib/core/traced.js';
import { callerLine, doubt } from '../lib/escapes.js';
import { isDeriving, onIdle } from '../lib/core/scope.js';
import { likeBuiltin } from './like-builtin.js';
import { add, mul, neg } from './arithmetic.js';

interface Written {
  /** The traced number that wrote the text, or null when it cannot say whose derivative it carries. */
  readonly by: Traced | null;
  /** One of the traced numbers that wrote it (for the report when they were several). */
  readonly first: Traced;
  readonly exact: boolean;
  /** Why `by` is null: two traced numbers wrote it, or one wrote it both rounded and whole. */
  readonly ambiguous?: 'numbers' | 'rounding';
}

const written = new Map<string, Written>();
/** The texts of `written` read back as a number (the others never came back: textsNotReadBack). */
const readTexts = new Set<string>();

onText((x, text, exact) => {
  if (text === null) {
    pendingJSON = x;
    // (and the number's text, JSON's as String's: JSON that is not read back whole — sliced,
    // joined with more, written with a key list — reads its numbers back by their texts)
    const n = primal(x);
    if (Number.isFinite(n)) note(x, String(n), true);
    return;
  }
  note(x, text, exact);
});

function note(x: Traced, text: string, exact: boolean): void {
  const before = written.get(text);
  if (before === undefined) written.set(text, { by: x, first: x, exact });
  else if (before.by === null) return;
  else if (!sameNumber(before.by, x)) written.set(text, { by: null, first: before.first, exact: false, ambiguous: 'numbers' });
  // (the same number, rounded once — `x.toFixed(1)`, a step there — and once whole — `String(x)`,
  // the identity: the same text, read back, cannot say which derivative it carries)
  else if (before.exact !== exact) written.set(text, { by: null, first: before.first, exact: false, ambiguous: 'rounding' });
}
/**
 * Traced numbers a built-in wrote as text the runtime does not see (`Intl.NumberFormat#format`,
 * whose text is rounded or whole as its options say). Text that reads back as one of them
 * exactly may be its number again (derivative 1) or its rounding (derivative 0): the number
 * read is plain, and that is said (it gave a null gradient without a word).
 */
const unseen = new Set<Traced>();
const UNSEEN_KEPT = 64; // (a loop formatting many numbers: the first are enough to tell)
onUnseenText((x) => {
  if (unseen.size < UNSEEN_KEPT) unseen.add(x);
});

function doubtUnseen(parsed: number): void {
  for (const x of unseen) {
    if (!x.tracedTape.active || primal(x) !== parsed) continue;
    const where = callerLine(new Error().stack);
    doubt(
      `unseen text ${where}`,
      `the number ${parsed} was read back${where ? ` at ${where}` : ''} from text that a built-in wrote from a traced number of that value (Intl.NumberFormat's format, whose text zygote-ts does not see): its derivative is not followed there.`,
      "Write the text with x.toLocaleString(locales, options) (followed: whole text reads back as x, rounded text with derivative 0), or pass dropgrad(x) if the derivative is not wanted.",
    );
    return;
  }
}

onIdle(() => {
  // (clear() on an empty Map still allocates a new table: once per gradient call)
  if (written.size > 0) written.clear();
  if (unseen.size > 0) unseen.clear();
  if (readTexts.size > 0) readTexts.clear();
  if (writtenJSON.size > 0) writtenJSON.clear();
});

/** The same traced value (possibly read twice: two handles on one row). */
const sameNumber = (a: Traced, b: Traced) => a === b || (a.tracedTape === b.tracedTape && a.tracedIndex === b.tracedIndex);

/**
 * Traced `x` as its text reads back: itself, except that -0's text ("0", "0e+0", JSON's 0)
 * reads as +0 (`1 / parseFloat(x)` was -Infinity where plain code gives Infinity). `x + 0` is
 * that function, with derivative 1. Asked where the number read is 0, or may be (a symbolic
 * number of compileGradient, a number traced on an outer tape).
 */
const asRead = (x: Traced): Traced => add(x, 0) as Traced;

/** Whether `x`, read back from its text, may not be itself: it is (or may be) a zero. */
const mayBeZero = (x: Traced): boolean => typeof x.tracedValue !== 'number' || x.tracedValue === 0;

/**
 * An integer's text ("2") is also an array index's, an object key's (`Object.keys` over an
 * array), a counter's or a constant's: read back, it cannot be told from the traced
 * number's own. Its derivative is neither kept nor dropped without a word: the read is
 * reported as a conversion is (a debug print of x = 1 once made `Number(k)` over an
 * array's keys carry x's derivative). Other texts are taken as the traced number's.
 */
const INTEGER_TEXT = /^[+-]?\d+$/;

/** A decimal literal at the start of a string, as parseFloat reads it. */
const DECIMAL_PREFIX = /^[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/;

/**
 * Number text as JavaScript writes its number: without a `+` before it or zeros put before its
 * digits or after its fraction, its exponent's `E` in lower case and signed ("-001.50" → "-1.5",
 * "+01.5" → "1.5", ".5" → "0.5", "1.5E-7" → "1.5e-7"), which leave its number as it is; other
 * text as it is.
 */
function asWritten(text: string): string {
  const parts = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?)(\d+))?$/.exec(text);
  if (parts === null) return text;
  const whole = parts[2]!.replace(/^0+(?=\d)/, '');
  const fraction = (parts[3] ?? '').replace(/0+$/, '');
  if (whole === '' && fraction === '') return text;
  const exponent = parts[5] === undefined ? '' : `e${parts[4] === '-' ? '-' : '+'}${parts[5].replace(/^0+(?=\d)/, '')}`;
  return `${parts[1] === '-' ? '-' : ''}${whole === '' ? '0' : whole}${fraction === '' ? '' : `.${fraction}`}${exponent}`;
}

/** Number text ending in a power of ten: the text before it, and the exponent. */
const POWER_OF_TEN_AFTER = /^([^eE]+)[eE]([+-]?\d+)$/;

/**
 * Traced `m` times `factor`, with the value `parsed` (what JavaScript read of `${m}e${k}`, which
 * the product may miss by its rounding); plain where the factor or the product overflows.
 */
function scaled(m: Traced, factor: number, parsed: number): number | Traced {
  if (!Number.isFinite(factor)) return parsed;
  const product = mul(m, factor) as Traced;
  const value = primal(product);
  if (!Number.isFinite(value)) return parsed;
  return value === parsed ? product : (add(product, parsed - value) as Traced); // (|parsed - value| is an ulp: exact)
}

/**
 * The number text `s` reads as (`parsed`, what JavaScript read), kept traced when a traced
 * number wrote that text during this differentiation. `whole`: the whole string is the
 * number (Number, unary +, arithmetic) rather than its start (parseFloat, parseInt);
 * `rounds`: the reading itself rounds (parseInt), so its derivative is 0.
 */
export function readBack(s: string, parsed: number, whole: boolean, rounds = false): number | Traced {
  if (unseen.size === 0) return readBackWritten(s, parsed, whole, rounds);
  const back = readBackWritten(s, parsed, whole, rounds);
  if (typeof back === 'number' && !rounds) doubtUnseen(parsed);
  return back;
}

function readBackWritten(s: string, parsed: number, whole: boolean, rounds: boolean): number | Traced {
  if (written.size === 0 || parsed !== parsed) return parsed;
  const trimmed = s.trim();
  const text = whole ? trimmed : DECIMAL_PREFIX.exec(trimmed)?.[0];
  let entry = text === undefined ? undefined : written.get(text);
  if (entry === undefined) {
    // Zeros put before a traced number's text or after its fraction ('0' + x, padStart, padEnd:
    // "01.5", "1.500"), its exponent in capitals ("1.5E-7"): that text, the same number
    const canonical = text === undefined ? text : asWritten(text);
    if (canonical !== text && written.has(canonical!)) return readBackWritten(canonical!, parsed, true, rounds);
    // A power of ten put after a traced number's text (`x + 'e3'`, `${x}e-2`): x scaled by it
    const power = text === undefined ? null : POWER_OF_TEN_AFTER.exec(text);
    // (not after an integer's text, as MDN's rounding writes `Math.round(x + 'e2') + 'e-2'`: a step, read plain)
    if (power !== null && !INTEGER_TEXT.test(power[1]!)) {
      const mantissa = readBackWritten(power[1]!, Number(power[1]), true, rounds);
      return isTraced(mantissa) ? scaled(mantissa, 10 ** Number(power[2]), parsed) : parsed;
    }
    // A sign put before a traced number's text ('-' + x, `-${x}px`): -x's text (or x's)
    const sign = text?.[0];
    if ((sign !== '-' && sign !== '+') || (entry = written.get(text!.slice(1))) === undefined) return parsed;
    const back = readBackWritten(text!.slice(1), sign === '-' ? -parsed : parsed, true, rounds);
    return sign === '-' ? neg(back) : back;
  }
  readTexts.add(text!);
  const { by } = entry;
  if (by === null) {
    const which = entry.ambiguous === 'rounding' ? 'which a traced number wrote both rounded (toFixed and its kin: derivative 0) and whole (its own text: derivative 1)' : 'which more than one traced number wrote';
    if (entry.first.tracedTape.active) reportEscape(entry.first, `reading back the text "${text}", ${which}`);
    return parsed;
  }
  if (!by.tracedTape.active) return parsed;
  if (INTEGER_TEXT.test(text!)) {
    reportEscape(by, `reading back the text "${text}": a traced number wrote it, but an integer's text may as well be an index's, a key's or a constant's`);
    return parsed;
  }
  if (entry.exact && !rounds && primal(by) === parsed) return parsed === 0 ? asRead(by) : by;
  return by.tracedTape.push(parsed, by.tracedIndex, 0, -1, 0); // (rounded: the path exists, its derivative is 0)
}

/**
 * The texts traced numbers of `tape` wrote that were not read back as numbers (so far), with
 * the number that wrote each: where such a number reaches the result no other way, the
 * result may depend on its text through code that reads the digits, which no derivative
 * follows (lib/api.ts asks when f has returned). Integers' texts (indices, keys, in any
 * base) and texts that more than one traced number wrote are left out.
 */
export function textsNotReadBack(tape: object): readonly { text: string; by: Traced }[] {
  if (written.size === 0) return NO_TEXTS; // (most calls: nothing to allocate)
  const out: { text: string; by: Traced }[] = [];
  for (const [text, { by }] of written) {
    // (an integer's text in any base — getHex().toString(16) — as INTEGER_TEXT's)
    if (by !== null && by.tracedTape === tape && !readTexts.has(text) && !Number.isInteger(primal(by)) && Number.isFinite(primal(by))) out.push({ text, by });
  }
  return out;
}

const NO_TEXTS: readonly { text: string; by: Traced }[] = [];

// The built-ins as the platform made them: a program may replace the globals (rewritten code
// then calls the replacement: rules/as-installed.ts), and the versions here must not call it.
const builtinParseFloat = parseFloat;
const builtinParseInt = parseInt;
const { parse: builtinJSONParse, stringify: builtinJSONStringify } = JSON;
const { deleteProperty: builtinDeleteProperty, defineProperty: builtinDefineProperty } = Reflect;

/** `parseFloat` (and `Number.parseFloat`) in rewritten code. */
export const parseFloatOf = likeBuiltin({
  parseFloat(value: unknown): unknown {
    if (isTraced(value) && value.tracedTape.active) return mayBeZero(value) ? asRead(value) : value; // (its text reads back as itself)
    const s = `${value as string}`; // (ToString: a Symbol throws, as in parseFloat)
    return readBack(s, builtinParseFloat(s), false);
  },
}.parseFloat, parseFloat);

/** `parseInt` (and `Number.parseInt`) in rewritten code: an integer, so its derivative is 0. */
export const parseIntOf = likeBuiltin({
  parseInt(value: unknown, radix?: unknown): unknown {
    const s = `${value as string}`;
    const parsed = builtinParseInt(s, radix as number);
    return radix === undefined || radix === 10 || radix === 0 ? readBack(s, parsed, false, true) : parsed;
  },
}.parseInt, parseInt);

// ---- JSON ------------------------------------------------------------------------------

/** For JSON text written while a differentiation runs: each number's traced value (null: a plain number), in order. */
type JSONNumbers = (Traced | null)[];
/** Its latest writing, and its writings not read back yet (two records of equal values write the same text). */
interface WrittenJSON {
  latest: JSONNumbers;
  readonly unread: JSONNumbers[];
}
const writtenJSON = new Map<string, WrittenJSON>();

function noteJSON(text: string, numbers: JSONNumbers): void {
  const before = writtenJSON.get(text);
  if (before === undefined) {
    writtenJSON.set(text, { latest: numbers, unread: [numbers] });
    return;
  }
  before.latest = numbers;
  if (!before.unread.some((u) => sameNumbers(u, numbers))) before.unread.push(numbers);
}

const sameNumbers = (a: JSONNumbers, b: JSONNumbers): boolean =>
  a.length === b.length && a.every((x, i) => { const y = b[i]!; return x === null ? y === null : y !== null && sameNumber(x, y); });

/**
 * The traced numbers JSON text reads back with: its writing (the one not read back yet, else
 * the latest); undefined for text no traced number wrote. Null where different traced numbers
 * of equal values wrote it and neither writing was read back yet (`const sa = JSON.stringify(a),
 * sb = JSON.stringify(b)` of equal records, then `JSON.parse(sa)`: it took b's numbers, and a
 * had no derivative): which one is read cannot be told, and that is reported, never guessed.
 */
function numbersOfJSON(text: string): JSONNumbers | null | undefined {
  const entry = writtenJSON.get(text);
  if (entry === undefined) return undefined;
  const { unread } = entry;
  if (unread.length > 1) {
    const first = unread[0]!.find((x) => x !== null && x.tracedTape.active);
    unread.length = 0; // (reported once: later reads take the latest)
    if (first) reportEscape(first, 'reading back JSON text that JSON.stringify wrote from different traced numbers of equal values, none of them read back yet');
    return null;
  }
  unread.length = 0;
  return entry.latest;
}
/** The traced number whose `toJSON` ran last (JSON.stringify hands its number to the replacer next). */
let pendingJSON: Traced | null = null;

const builtinNumberValueOf = Number.prototype.valueOf;
const nodeUtil = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:util') as
  | { types: { isNumberObject(v: object): boolean; isStringObject?(v: object): boolean } }
  | undefined;

/** A test of a wrapper object's kind that runs no user code (a Proxy's traps, a getter): Node's own, or the built-in `valueOf`'s receiver check. */
function wrapperTest(nodeTest: ((v: object) => boolean) | undefined, builtinValueOf: Function): (v: object) => boolean {
  return (
    nodeTest ??
    ((v) => {
      try {
        builtinValueOf.call(v);
        return true;
      } catch {
        return false;
      }
    })
  );
}

/** Whether `v` is a Number object. */
const isNumberObject = wrapperTest(nodeUtil?.types.isNumberObject, builtinNumberValueOf);

/** The number a Number object holds (JSON.stringify writes it as a number), NaN for anything else. */
function numberObjectValue(v: unknown): number {
  return typeof v === 'object' && v !== null && isNumberObject(v) ? Number(builtinNumberValueOf.call(v)) : NaN;
}

/** Whether `v` is a String object. */
const isStringObject = wrapperTest(nodeUtil?.types.isStringObject, String.prototype.valueOf);

/**
 * The keys an array replacer names, read as JSON.stringify reads them (its PropertyList): its
 * `length` and each index once, in order, through Get (a Proxy's traps, a getter, run as they
 * would), a traced number's key as its number's. Its own methods are not the built-ins' to
 * call: `replacer.some(…)` read a Proxy's `get` trap for `some`, which threw a TypeError.
 */
function keyList(replacer: readonly unknown[]): string[] {
  const read = (replacer as { length: unknown }).length;
  const length = +(isTraced(read) ? primal(read) : (read as number)); // (ToNumber: a BigInt or Symbol throws)
  const count = length > 0 ? Math.min(Math.floor(length), Number.MAX_SAFE_INTEGER) : 0; // (ToLength; NaN is 0)
  const keys: string[] = [];
  for (let k = 0; k < count; k++) {
    const v = replacer[k];
    if (typeof v === 'string') keys.push(v);
    else if (typeof v === 'number') keys.push(String(v));
    else if (isTraced(v)) keys.push(String(primal(v)));
    else if (typeof v === 'object' && v !== null && (isStringObject(v) || isNumberObject(v))) keys.push(String(v)); // (ToString: its toString runs here, in order)
  }
  return keys; // (the built-in drops repeated keys)
}

/** `JSON.stringify` in rewritten code. */
export function jsonStringify(value: unknown, replacer?: unknown, space?: string | number): string | undefined {
  // (JSON.stringify reads a number's indent only from a number or a Number object: a traced one was ignored)
  if (isTraced(space)) space = primal(space);
  // (and a key list's numbers only from numbers or Number objects: a traced one's key was left out)
  if (Array.isArray(replacer)) replacer = keyList(replacer);
  if (!isDeriving() || Array.isArray(replacer)) return builtinJSONStringify(value, replacer as (string | number)[], space);
  const numbers: (Traced | null)[] = [];
  let traced = false;
  const user = typeof replacer === 'function' ? (replacer as (this: unknown, key: string, value: unknown) => unknown) : null;
  pendingJSON = null;
  // The replacer sees every value in the order it is written; a traced number's toJSON ran just
  // before and handed over its number. The user's replacer gets the traced number back, as f
  // would see it (`(k, v) => v * 2` then writes a traced number), and JSON.stringify its number.
  const noting = function (this: unknown, key: string, v: unknown): unknown {
    const from = pendingJSON;
    pendingJSON = null;
    const given = from !== null && from.tracedTape.active && typeof v === 'number' && primal(from) === v ? from : v;
    const out = user === null ? given : user.call(this, key, given);
    if (isTraced(out) && out.tracedTape.active) {
      const n = primal(out);
      if (Number.isFinite(n)) {
        numbers.push(out);
        traced = true;
      }
      return n; // (not finite: written as null, as the number would be)
    }
    // (a Number object, `new Number(3)`, is written as its number too: left out, the numbers
    // after it were read back one place early, `[Object(4), x]` as [x, 4])
    if (typeof out === 'number' ? Number.isFinite(out) : Number.isFinite(numberObjectValue(out))) numbers.push(null);
    return out;
  };
  const text = builtinJSONStringify(value, noting, space);
  if (traced && text !== undefined) noteJSON(text, numbers);
  return text;
}

/** `JSON.parse` in rewritten code: JSON written from traced numbers reads back with them. */
export function jsonParse(text: unknown, reviver?: unknown): unknown {
  const numbers = typeof text === 'string' ? numbersOfJSON(text) : undefined;
  if (numbers === null) return builtinJSONParse(text as string, reviver as undefined);
  if (numbers === undefined) {
    // JSON put together from numbers' texts (`[${a},${b}]`): each number reads back as
    // Number(its text) would (it read as plain, losing the derivatives without a word)
    if (written.size === 0 || typeof text !== 'string') return builtinJSONParse(text as string, reviver as undefined);
    if (typeof reviver !== 'function') return readNumbersBack(builtinJSONParse(text), numberTexts(text));
    const { parsed, contextOf } = parseNotingContexts(text);
    const holder = { '': readNumbersBack(parsed, numberTexts(text)) };
    return revive(holder, '', reviver as Reviver, contextOf(holder));
  }
  const noted = typeof reviver === 'function' ? parseNotingContexts(text as string) : undefined;
  const parsed: unknown = noted === undefined ? builtinJSONParse(text as string) : noted.parsed;
  let k = 0;
  // (JSON.parse makes keys in the order JSON.stringify wrote them: the same walk meets the same numbers)
  const put = (v: unknown): unknown => {
    if (typeof v === 'number') {
      const x = numbers[k++];
      if (x === null || x === undefined || !x.tracedTape.active) return v;
      readTexts.add(String(v)); // (its text, noted by its toJSON, came back as the number)
      return v === 0 || mayBeZero(x) ? asRead(x) : x;
    }
    if (typeof v === 'object' && v !== null) {
      const record = v as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = put(record[key]);
    }
    return v;
  };
  const value = put(parsed);
  if (noted === undefined) return value;
  const holder = { '': value };
  return revive(holder, '', reviver as Reviver, noted.contextOf(holder));
}

type Reviver = (this: unknown, key: string, value: unknown, context?: unknown) => unknown;
/** The third argument the built-in gives a reviver for `holder[name]` now holding `value`. */
type ContextOf = (holder: object, name: string, value: unknown) => unknown;

/** Whether the built-in JSON.parse gives a reviver a third argument, the value's context (`{ source }`: Node 21 and later). */
const reviverGetsContext: boolean = builtinJSONParse('0', (_key: string, _value: unknown, ...context: unknown[]) => context[0] !== undefined) === true;

/**
 * `text` parsed by the built-in, and (where it has them) the contexts it gives a reviver: a number's,
 * string's, boolean's or null's `{ source }` (its text in the JSON), an object's `{}`. The runtime's
 * reviver walk gave none: `(k, v, c) => c?.source ?? v` read 2 for "2" where the built-in reads "2".
 * Noted by holder and key on the very objects returned (the reviver returns each value as it is),
 * so the runtime's walk over them finds each; a primitive the program's reviver changed since
 * (a store into its holder) has `{}`, as the built-in gives.
 */
function parseNotingContexts(text: string): { parsed: unknown; contextOf: (root: object) => ContextOf | undefined } {
  if (!reviverGetsContext) return { parsed: builtinJSONParse(text), contextOf: () => undefined };
  const noted = new WeakMap<object, Map<string, { value: unknown; context: unknown }>>();
  let last: { value: unknown; context: unknown } | undefined;
  const parsed: unknown = builtinJSONParse(text, function (this: object, key: string, value: unknown, ...context: unknown[]) {
    let byKey = noted.get(this);
    if (byKey === undefined) noted.set(this, (byKey = new Map()));
    byKey.set(key, (last = { value, context: context[0] }));
    return value;
  });
  const rootEntry = last; // (the built-in revives the root last)
  return {
    parsed,
    contextOf: (root) => (holder, name, value) => {
      const entry = holder === root ? rootEntry : noted.get(holder)?.get(name);
      if (entry === undefined) return {};
      if (typeof entry.value === 'object' && entry.value !== null) return entry.context;
      return Object.is(isTraced(value) ? primal(value) : value, entry.value) ? entry.context : {};
    },
  };
}

// ---- a program's own parseFloat, JSON.parse, JSON.stringify --------------------------------
// A replacement whose code was not rewritten (a test framework's spy that calls the built-in
// it saved) reads text as the built-in does, as plain numbers: text a traced number wrote
// reads back as that number from its answer too, as from the built-in's (lib/runtime.ts).

/** What a replaced `parseFloat` (`int`: `parseInt`) answered for `args`, with text a traced number wrote read back. */
export function parsedBack(int: boolean, args: ArrayLike<unknown>, parsed: unknown): unknown {
  const value = args[0];
  if (typeof parsed !== 'number' || (typeof value !== 'string' && !isTraced(value))) return parsed;
  const s = `${value as string}`; // (a traced number's text, noted as the replacement's reading noted it)
  if (!int) return readBack(s, parsed, false);
  const radix = args[1];
  return radix === undefined || radix === 10 || radix === 0 ? readBack(s, parsed, false, true) : parsed;
}

/** What a replaced `JSON.parse` answered for `text`, with the numbers traced ones wrote read back (each where it has their value). */
export function jsonParsedBack(text: unknown, parsed: unknown): unknown {
  if (typeof text !== 'string') return parsed;
  const numbers = numbersOfJSON(text);
  if (numbers === null) return parsed;
  if (numbers === undefined) {
    if (written.size === 0) return parsed;
    try {
      return readNumbersBack(parsed, numberTexts(text));
    } catch {
      return parsed; // (text the built-in refuses, which the replacement read its own way)
    }
  }
  let k = 0;
  const put = (v: unknown): unknown => {
    if (typeof v === 'number') {
      const x = numbers[k++];
      if (x === null || x === undefined || !x.tracedTape.active || primal(x) !== v) return v;
      readTexts.add(String(v));
      return v === 0 ? asRead(x) : x;
    }
    if (typeof v === 'object' && v !== null && !isTraced(v) && !Object.isFrozen(v)) {
      const record = v as Record<string, unknown>;
      for (const key of Object.keys(record)) record[key] = put(record[key]);
    }
    return v;
  };
  return put(parsed);
}

/**
 * A replaced `JSON.stringify` given `args` wrote `text` while a differentiation runs: the text the
 * runtime's version writes of the same value is noted as written by its traced numbers, so
 * that `JSON.parse` reads them back (not for a replacer function, which would run twice).
 */
export function noteStringified(args: ArrayLike<unknown>): void {
  if (isDeriving() && typeof args[1] !== 'function') jsonStringify(args[0], args[1], args[2] as string | number | undefined);
}

/** Where JSON text has its numbers: a number's own text, an array's or object's parts (by index or key: a later key wins, as in JSON.parse), else null. */
type NumberTexts = string | NumberTexts[] | Map<string, NumberTexts> | null;

/** The number texts of valid JSON `text`, in its structure (JSON.parse has accepted it). */
function numberTexts(text: string): NumberTexts {
  let at = 0;
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const string = (): string => {
    const start = at;
    for (at++; text[at] !== '"'; at++) if (text[at] === '\\') at++;
    at++;
    return builtinJSONParse(text.slice(start, at)) as string;
  };
  const value = (): NumberTexts => {
    space();
    const c = text[at]!;
    if (c === '[') {
      const items: NumberTexts[] = [];
      at++;
      space();
      if (text[at] === ']') return at++, items;
      for (;;) {
        items.push(value());
        space();
        if (text[at++] === ']') return items;
      }
    }
    if (c === '{') {
      const members = new Map<string, NumberTexts>();
      at++;
      space();
      if (text[at] === '}') return at++, members;
      for (;;) {
        space();
        const key = string();
        space();
        at++; // (:)
        members.set(key, value());
        space();
        if (text[at++] === '}') return members;
      }
    }
    if (c === '"') return string(), null;
    const start = at;
    while (at < text.length && !',]} \t\n\r'.includes(text[at]!)) at++;
    const token = text.slice(start, at);
    return c === '-' || (c >= '0' && c <= '9') ? token : null; // (true, false, null: no number)
  };
  return value();
}

/** `parsed` with each number whose text a traced number wrote read back as `Number(text)` reads it (readBack). */
function readNumbersBack(parsed: unknown, texts: NumberTexts): unknown {
  if (typeof texts === 'string') return typeof parsed === 'number' ? readBack(texts, parsed, true) : parsed;
  if (texts === null || typeof parsed !== 'object' || parsed === null) return parsed;
  const record = parsed as Record<string, unknown>;
  if (Array.isArray(texts)) texts.forEach((t, i) => (record[i] = readNumbersBack(record[i], t)));
  else for (const [key, t] of texts) record[key] = readNumbersBack(record[key], t);
  return parsed;
}

// JSON.parse's reviver walk (ECMAScript's InternalizeJSONProperty), over values holding traced numbers.
/**
 * JSON.parse's walk with a reviver (InternalizeJSONProperty), as the built-in makes it: an array's
 * indices up to its `length` (read once, not through its iterator, which a program may replace),
 * and a deletion or a store the holder refuses (a reviver froze it) is skipped, not thrown.
 */
function revive(holder: object, name: string, reviver: Reviver, contextOf: ContextOf | undefined): unknown {
  const value = (holder as Record<string, unknown>)[name];
  // (a traced number is a number here: walking into it would hand its fields to the reviver)
  if (typeof value === 'object' && value !== null && !isTraced(value)) {
    const keys = Array.isArray(value) ? indices(value) : Object.keys(value);
    for (const key of keys) {
      const revived = revive(value, key, reviver, contextOf);
      if (revived === undefined) builtinDeleteProperty(value, key);
      else builtinDefineProperty(value, key, { value: revived, writable: true, enumerable: true, configurable: true });
    }
  }
  return contextOf === undefined ? reviver.call(holder, name, value) : reviver.call(holder, name, value, contextOf(holder, name, value));
}

/** An array's indices up to its length (LengthOfArrayLike), as text. */
function indices(array: readonly unknown[]): string[] {
  const length = Math.min(Math.max(Math.floor(+array.length) || 0, 0), Number.MAX_SAFE_INTEGER);
  const keys: string[] = [];
  for (let k = 0; k < length; k++) keys.push(String(k));
  return keys;
}
