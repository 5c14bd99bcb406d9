// Typed-array stand-ins: what f receives for a Float64Array or Float32Array (an argument,
// or inside one), and what a typed array holding traced numbers is made of.
//
// A typed array stores plain numbers in a buffer: indexed writes convert with ToNumber,
// and no class can intercept them. So this is the one stand-in that is an ES Proxy (the
// design card's original choice; records, arrays, Maps and Sets are real objects, which
// are ~50× faster to read: see standins.ts). Its target is a real typed array of the same
// class holding the numbers — so `instanceof`, `length`, `buffer` and the property
// invariants are the typed array's own — while the elements f reads and writes are kept
// beside it, traced: `v[0] * v[1]`, `out[0] = a[0] + b[0]`, `v.subarray(1)`, iteration,
// spread and the typed-array methods work on them as the built-ins work on numbers.
//
// An argument's elements are read from one traced array input (one tape row for the
// whole typed array, element reads recorded sparsely, as `NDArray.get`); array operations
// given the stand-in use that input directly. What cannot be made to look the same:
// `ArrayBuffer.isView(v)` is false for a Proxy, and a built-in called with the stand-in as
// `this` (`Float32Array.prototype.map.call(v, f)`) refuses it.

import { live, isTraced, numberOf, primal, reportEscape } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { isDeriving } from '../lib/core/scope.js';
import { swapWhileDeriving } from '../lib/core/swaps.js';
import { NDArray, setTypedStandInReader, type FloatArray } from '../lib/ndarray.js';
import { fround } from '../rules/math.js';
import { gt, lt, sne, truthy } from '../lib/coercion.js';
import { toNumber } from '../rules/operands.js';
import { asArray } from '../rules/arrays/record.js';
import { astype } from '../rules/arrays/dtype.js';

export type FloatArrayClass = Float64ArrayConstructor | Float32ArrayConstructor;

/**
 * What views of one typed array share (a stand-in, its subarrays, and the stand-ins f makes
 * over the same buffer with the same element type). Element k is the buffer's k-th element
 * of that type, so views at different offsets agree on it.
 */
interface Shared {
  readonly ctor: FloatArrayClass;
  /**
   * Element k's value as f sees it (traced or a number); undefined: not read yet (see
   * `input`). Kept only while the buffer still holds its number: a write made through
   * another kind of view (a DataView, a Uint8Array, a native `set`) leaves a different
   * number there, and then the buffer's number is the element.
   */
  readonly values: unknown[];
  /** The traced array an argument's unread elements come from (null: all in `values`). */
  readonly input: NDArray | null;
  /** Whether f wrote any element (then the values, not the input, are the array). */
  written: boolean;
  /** The other views of its buffer, once the buffer is known outside the stand-in (null until then). */
  views: BufferViews | null;
  /** The whole buffer as elements of `ctor` (indexed as `values`), once `views` is set. */
  whole: FloatArray | null;
}

/** What is known of the views of one buffer made while differentiating. */
interface BufferViews {
  /** The state of the Float64Array and Float32Array stand-ins over it (at most one of each). */
  readonly floats: Shared[];
  /**
   * Whether a view that reads numbers natively may exist: an integer typed array made in f
   * over it, or any view made outside f (the buffer was not made or seen in f first).
   * Reads through it cannot be watched, so a traced number stored here is reported.
   */
  foreign: boolean;
  /**
   * The bytes the integer typed arrays f made over it read ([start, end), end Infinity for
   * one that tracks a resizable buffer's length): a traced number stored elsewhere in the
   * buffer is read by none of them (kdbush keeps its ids and header in integer views and its
   * coordinates in a Float64Array after them, over one buffer).
   */
  readonly nativeRanges: (readonly [number, number])[];
}

/** Whether `view` may grow with its buffer (a resizable or growable one: its length may track the buffer's). */
function isLengthTracking(view: ArrayBufferView): boolean {
  const buffer = view.buffer as { resizable?: boolean; growable?: boolean };
  return buffer.resizable === true || buffer.growable === true;
}

/** Whether a view that reads numbers natively may read bytes [start, start + length) of the buffer. */
function readNatively(views: BufferViews, start: number, length: number): boolean {
  return views.foreign || views.nativeRanges.some(([from, to]) => start < to && from < start + length);
}

const buffers = new WeakMap<ArrayBufferLike, BufferViews>();

function newShared(ctor: FloatArrayClass, values: unknown[], input: NDArray | null, written: boolean): Shared {
  return { ctor, values, input, written, views: null, whole: null };
}

/** Notes that `shared`'s buffer is reachable by other views (`foreignIfNew`: the buffer was never seen in f). */
function joinBuffer(shared: Shared, buffer: ArrayBufferLike, foreignIfNew: boolean): void {
  if (shared.views !== null) return;
  let views = buffers.get(buffer);
  if (views === undefined) buffers.set(buffer, (views = { floats: [], foreign: foreignIfNew, nativeRanges: [] }));
  if (!views.floats.includes(shared)) views.floats.push(shared);
  shared.views = views;
  const size = shared.ctor.BYTES_PER_ELEMENT;
  shared.whole = new shared.ctor(buffer as ArrayBuffer, 0, Math.floor(buffer.byteLength / size));
}

/** The traced value `shared` keeps for buffer element k, if it is still the number there (else null). */
function liveTracedAt(shared: Shared, k: number): { readonly tracedTape: Tape } | null {
  const whole = shared.whole;
  if (whole === null || k >= whole.length) return null;
  const v = shared.values[k];
  if (v === undefined) {
    const input = shared.input;
    return input !== null && input.tracedTape !== null && input.tracedTape.active && Object.is(input.data[k], whole[k]) ? { tracedTape: input.tracedTape } : null;
  }
  return isTraced(v) && v.tracedTape.active && Object.is(numberOf(v), whole[k]) ? v : null;
}

/**
 * The first traced number a stand-in other than `except` keeps in bytes [start, start + length)
 * of `buffer`, or null; with `partly`, only in an element those bytes do not cover whole.
 */
function tracedInBytes(buffer: ArrayBufferLike, start: number, length: number, except: Shared | null, partly: boolean): ReturnType<typeof liveTracedAt> {
  const views = buffers.get(buffer);
  if (views === undefined) return null;
  for (const shared of views.floats) {
    if (shared === except) continue;
    const size = shared.ctor.BYTES_PER_ELEMENT;
    for (let k = Math.floor(start / size); k * size < start + length; k++) {
      if (partly && k * size >= start && (k + 1) * size <= start + length) continue;
      const traced = liveTracedAt(shared, k);
      if (traced !== null) return traced;
    }
  }
  return null;
}

/** Reports a read of those bytes through a view that sees plain numbers, if a traced number is kept there. */
function reportPlainRead(buffer: ArrayBufferLike, start: number, length: number, except: Shared | null, how: string): void {
  const traced = tracedInBytes(buffer, start, length, except, false);
  if (traced !== null) reportEscape(traced, how);
}

/**
 * Reports a write of those bytes through another view (a DataView, the other float type) that
 * overwrites part of a traced number kept there: the element then reads as the plain number its
 * bytes make. Called before the write (after it the element no longer matches the traced
 * number). An element the write covers whole is replaced, not lost: derivative 0 there is right.
 */
function reportPartialOverwrite(buffer: ArrayBufferLike, start: number, length: number, except: Shared | null, how: string): void {
  const traced = tracedInBytes(buffer, start, length, except, true);
  if (traced !== null) reportEscape(traced, how);
}

/**
 * After a write of bytes [start, start + length) of `buffer` through another view (a DataView,
 * the other float type): the float stand-ins' elements there are the numbers now in their bytes.
 * (Kept while the bytes matched, a traced number survived being overwritten by its own value:
 * a[0] = x - 1.5 at x = 1.5, then dv.setFloat64(0, 0), kept derivative 1 where the element is
 * a constant.)
 */
function noteOverwritten(buffer: ArrayBufferLike, start: number, length: number, except: Shared | null): void {
  const views = buffers.get(buffer);
  if (views === undefined) return;
  for (const shared of views.floats) {
    const whole = shared.whole;
    if (shared === except || whole === null) continue;
    const size = shared.ctor.BYTES_PER_ELEMENT;
    for (let k = Math.floor(start / size); k * size < start + length && k < whole.length; k++) {
      shared.values[k] = whole[k];
      shared.written = true;
    }
  }
}

/** A traced number one of the float stand-ins over a buffer keeps while its bytes are still there, if any. */
function liveTracedIn(views: BufferViews, from = 0, to = Infinity): { readonly tracedTape: Tape } | null {
  for (const shared of views.floats) {
    const whole = shared.whole;
    if (whole === null) continue;
    const size = shared.ctor.BYTES_PER_ELEMENT;
    const length = Math.min(whole.length, Math.max(shared.values.length, shared.input?.size ?? 0), Math.ceil(to / size));
    for (let k = Math.floor(from / size); k < length; k++) {
      const traced = liveTracedAt(shared, k);
      if (traced !== null) return traced;
    }
  }
  return null;
}

/** `new Float64Array(buffer, …)` (or Float32Array) in f: views of one buffer and element type share their traced elements. */
export function typedArrayOnBuffer(made: FloatArray): FloatArray {
  const ctor: FloatArrayClass = made instanceof Float32Array ? Float32Array : Float64Array;
  const views = buffers.get(made.buffer);
  let shared = views?.floats.find((s) => s.ctor === ctor);
  if (shared === undefined) {
    shared = newShared(ctor, [], null, true);
    joinBuffer(shared, made.buffer, views === undefined);
  }
  return new TypedArrayStandIn(ctor, made, shared).proxy;
}

/**
 * `buffer.resize(n)` while differentiating: a shrink cuts off bytes that read 0 once the
 * buffer grows again, which the float stand-ins' kept elements did not see (`b.resize(8);
 * b.resize(16)` left an element whose traced value was exactly 0 its derivative, where it is
 * the constant 0). Elements the shrink cuts off whole are that 0 now; one it cuts in part is
 * its bytes' number (read from the buffer).
 */
const nativeResize = (ArrayBuffer.prototype as { resize?: (n: number) => void }).resize;
function resizeWatched(this: ArrayBuffer, ...args: unknown[]): unknown {
  const result: unknown = Reflect.apply(nativeResize!, this, args);
  const views = buffers.get(this); // (only a buffer: resize refused anything else)
  if (views !== undefined) {
    const length = this.byteLength;
    for (const shared of views.floats) {
      const size = shared.ctor.BYTES_PER_ELEMENT;
      for (let k = Math.floor(length / size); k < shared.values.length; k++) shared.values[k] = k * size >= length ? 0 : undefined;
      shared.written = true;
    }
  }
  return result;
}
if (typeof nativeResize === 'function') swapWhileDeriving(ArrayBuffer.prototype, 'resize', nativeResize, resizeWatched);

/** `new ArrayBuffer(n)` in f: a buffer no view outside f can read. */
export function noteBufferMade(buffer: ArrayBufferLike): void {
  if (!buffers.has(buffer)) buffers.set(buffer, { floats: [], foreign: false, nativeRanges: [] });
}

/**
 * A view f made that reads numbers natively: an integer typed array (its reads cannot be
 * watched: its buffer is marked, and a traced number stored into a float view of it is
 * reported), or a DataView (its reads are watched: one that reads a traced number's bytes
 * is reported).
 */
export function noteNativeView(view: ArrayBufferView): void {
  if (view instanceof DataView) return watchDataView(view);
  const views = buffers.get(view.buffer);
  if (views === undefined) return void buffers.set(view.buffer, { floats: [], foreign: true, nativeRanges: [] });
  const from = view.byteOffset;
  const to = isLengthTracking(view) ? Infinity : from + view.byteLength;
  views.nativeRanges.push([from, to]);
  // (made after the traced numbers were stored: what it reads or writes of their bytes
  // cannot be watched, so they are reported now, as they would have been when stored)
  const traced = liveTracedIn(views, from, to);
  if (traced !== null) reportEscape(traced, `making a ${view.constructor.name} over the buffer of a typed array holding it, which reads and writes its bytes as plain numbers`);
}

const DATAVIEW_WRITES: readonly (readonly [string, number])[] = [
  ['setInt8', 1], ['setUint8', 1], ['setInt16', 2], ['setUint16', 2], ['setFloat16', 2], ['setInt32', 4], ['setUint32', 4],
  ['setFloat32', 4], ['setFloat64', 8], ['setBigInt64', 8], ['setBigUint64', 8],
];

const DATAVIEW_READS: readonly (readonly [string, number])[] = [
  ['getInt8', 1], ['getUint8', 1], ['getInt16', 2], ['getUint16', 2], ['getFloat16', 2], ['getInt32', 4], ['getUint32', 4],
  ['getFloat32', 4], ['getFloat64', 8], ['getBigInt64', 8], ['getBigUint64', 8],
];

/** Gives `view` own versions of the DataView reads that report reading a traced number's bytes. */
function watchDataView(view: DataView): void {
  const proto = DataView.prototype as unknown as Record<string, Function | undefined>;
  for (const [name, size] of DATAVIEW_READS) {
    const read = proto[name];
    if (read === undefined) continue; // (getFloat16 is new)
    const watched = function (this: DataView, at: unknown, ...rest: unknown[]): unknown {
      const offset = Number(primal(toNumber(at)));
      if (this === view && offset >= 0) reportPlainRead(view.buffer, view.byteOffset + offset, size, null, `reading its bytes through a DataView (${name})`);
      return Reflect.apply(read, this, [at, ...rest]);
    };
    Object.defineProperty(watched, 'name', { value: name });
    Object.defineProperty(view, name, { value: watched, writable: true, configurable: true, enumerable: false });
  }
  for (const [name, size] of DATAVIEW_WRITES) {
    const write = proto[name];
    if (write === undefined) continue;
    const watched = function (this: DataView, at: unknown, ...rest: unknown[]): unknown {
      const offset = Number(primal(toNumber(at)));
      const watched = this === view && offset >= 0;
      if (watched) reportPartialOverwrite(view.buffer, view.byteOffset + offset, size, null, `overwriting part of its bytes through a DataView (${name})`);
      const result: unknown = Reflect.apply(write, this, [at, ...rest]);
      if (watched) noteOverwritten(view.buffer, view.byteOffset + offset, size, null);
      return result;
    };
    Object.defineProperty(watched, 'name', { value: name });
    Object.defineProperty(view, name, { value: watched, writable: true, configurable: true, enumerable: false });
  }
}

const standIns = new WeakMap<object, TypedArrayStandIn>();

/** The stand-in behind a Proxy this module made (undefined for anything else). */
export function typedStandIn(x: unknown): TypedArrayStandIn | undefined {
  return typeof x === 'object' && x !== null ? standIns.get(x) : undefined;
}

/**
 * The stand-ins' own methods (`v.set`, `v.map`, …): the runtime's code, which reads traced
 * numbers as they are, though its text was not rewritten (lib/imported.ts asks, so that
 * `w.set(v.subarray(1))` is not taken for a package looking at a traced number as an object).
 */
const standInMethods = new WeakSet<Function>();

export const isStandInMethod = (fn: Function): boolean => standInMethods.has(fn);

/** The built-in typed-array methods (%TypedArray%.prototype's), by function: the name each has. */
const builtinMethodNames = new Map<unknown, PropertyKey>(
  Reflect.ownKeys(Object.getPrototypeOf(Float64Array.prototype) as object).flatMap((key) => {
    const d = Reflect.getOwnPropertyDescriptor(Object.getPrototypeOf(Float64Array.prototype) as object, key)!;
    return typeof d.value === 'function' && key !== 'constructor' ? [[d.value, key] as const] : [];
  }),
);

/**
 * The typed-array stand-in `receiver`'s own version of the built-in method `fn` (a subclass's
 * `super.at(i)`, which rewritten code calls through `callMethod`): the built-in refuses the
 * Proxy as `this`. Undefined where `receiver` is no stand-in, or `fn` no such method.
 */
export function typedArrayMethodOn(receiver: unknown, fn: unknown): Function | undefined {
  const s = typedStandIn(receiver);
  if (s === undefined) return undefined;
  const key = builtinMethodNames.get(fn);
  return key === undefined ? undefined : s.builtinMethod(key);
}

/** A new typed array of class `ctor` holding `values` (traced numbers kept), as f sees one. */
export function typedArrayOf(ctor: FloatArrayClass, values: ArrayLike<unknown>, map?: Function, thisArg?: unknown): FloatArray {
  const standIn = new TypedArrayStandIn(ctor, new ctor(values.length), newShared(ctor, [], null, true));
  // (with `map`, Float64Array.from's: each value it gives is stored, converted, before it is called
  // on the next, as the built-in does. Collected first and converted after, an object it returns
  // each time read the last number in every element: d3's fcumsum maps each value to one Adder
  // that sums them, so every element was the whole sum.)
  for (let i = 0; i < values.length; i++) standIn.store(i, map === undefined ? values[i] : Reflect.apply(map, thisArg, [values[i], i]));
  return standIn.proxy;
}

/** A stand-in over a typed array f made (its numbers, then what f stores in it). */
export function typedArrayOver(made: FloatArray): FloatArray {
  const ctor: FloatArrayClass = made instanceof Float32Array ? Float32Array : Float64Array;
  return new TypedArrayStandIn(ctor, made, newShared(ctor, [], null, true)).proxy;
}

/** The copies of the numbers argument stand-ins are over (their buffers), to the typed arrays they stand for. */
const argumentCopies = new WeakMap<ArrayBufferLike, FloatArray>();

/**
 * What to leave in user data for the typed-array stand-in `x` once its differentiation has
 * closed (undefined: `x` is not one): a real typed array, not the Proxy, which would stay
 * ~50× slower, fail `ArrayBuffer.isView`, `structuredClone` and postMessage, and refuse
 * being `this` of the built-in methods. A view of an argument's numbers (`v.subarray(1)`)
 * is that view of the argument, sharing its buffer as in plain JavaScript. One made in f is
 * the typed array it is over, once no differentiation is open: inside an enclosing one it
 * may hold numbers traced there, and stays until that one ends (its clean-up sees it again).
 */
export function outwardTyped(x: unknown): FloatArray | undefined {
  const s = typedStandIn(x);
  if (s === undefined) return undefined;
  const original = argumentCopies.get(s.target.buffer);
  if (original === undefined) return isDeriving() ? (x as FloatArray) : s.target;
  const start = s.target.byteOffset; // (the copy's byte 0 is the argument's first element)
  const size = s.ctor.BYTES_PER_ELEMENT;
  if (s.ctor === (original instanceof Float32Array ? Float32Array : Float64Array) && start % size === 0) {
    return original.subarray(start / size, start / size + s.length); // (an enclosing stand-in's own view, nested)
  }
  return typedStandIn(original) === undefined ? new s.ctor(original.buffer as ArrayBuffer, original.byteOffset + start, s.length) : (x as FloatArray);
}

/**
 * The stand-in for an argument's typed array: its elements are read from `input`, a traced
 * array of its numbers. `checkNamed` vets each of the original's own named properties
 * (`v.label`) as f first reaches it (it throws for one that must not be handed over).
 */
export function typedArgument(original: FloatArray, input: NDArray, checkNamed: (key: string | symbol, value: unknown) => void): FloatArray {
  const ctor: FloatArrayClass = original instanceof Float32Array ? Float32Array : Float64Array;
  const numbers = typedStandIn(original)?.target ?? original;
  const copy = ctor.from(numbers);
  // (a subclass's instance: f sees its class, methods, getters and species, as in plain JavaScript)
  const proto = Object.getPrototypeOf(original) as object | null;
  if (proto !== ctor.prototype) Object.setPrototypeOf(copy, proto);
  const standIn = new TypedArrayStandIn(ctor, copy, newShared(ctor, new Array(original.length), input, false));
  argumentCopies.set(standIn.target.buffer, original);
  standIn.named = { original, checkNamed, decided: new Set(), written: new Set() };
  return standIn.proxy;
}

/** Locks the argument stand-in `x` as its original is, when that is sealed or not extensible (see `lockLike`). */
export function lockLikeOriginal(x: FloatArray): void {
  const s = typedStandIn(x);
  if (s?.named != null && !Object.isExtensible(s.named.original)) s.lockLike(s.named.original);
}

/**
 * Whether f wrote any element of the stand-in `x` (then its original must be written back);
 * once its buffer was handed out, other views may have written it unseen.
 */
export function wasWritten(x: object): boolean {
  const shared = typedStandIn(x)?.shared;
  return shared !== undefined && (shared.written || shared.views !== null);
}

/** The named properties f set, defined or deleted on the argument stand-in `x`, and where they are now (its target). */
export function namedWrites(x: object): { readonly keys: ReadonlySet<string | symbol>; readonly holder: object } | null {
  const s = typedStandIn(x);
  return s?.named != null && s.named.written.size > 0 ? { keys: s.named.written, holder: s.target } : null;
}

/** The numbers the stand-in `x` holds now. */
export function numbersOf(x: FloatArray): FloatArray {
  return typedStandIn(x)?.target ?? x;
}

// Array operations given a stand-in see an NDArray: the argument's traced array when f wrote
// nothing and the view is whole, else its elements packed (traced where they are).
setTypedStandInReader((x) => {
  const s = typedStandIn(x);
  if (s === undefined) return null;
  const { input, written, views } = s.shared;
  if (input !== null && !written && views === null && s.offset === 0 && s.length === input.size && input.tracedTape !== null && input.tracedTape.active) return input;
  const packed = asArray(Array.from({ length: s.length }, (_, i) => s.element(i)), 'a typed array');
  return s.ctor === Float32Array ? (astype(packed, 'float32') as NDArray) : packed;
});

/** A typed array's canonical numeric property key as a number, or null for any other key. */
function numericKey(key: string | symbol): number | null {
  if (typeof key !== 'string') return null;
  const n = Number(key);
  return String(n) === key || key === '-0' ? n : null;
}

export class TypedArrayStandIn {
  readonly proxy: FloatArray;
  /** Where element 0 is in the buffer, in elements. */
  readonly offset: number;
  private methods: Map<PropertyKey, Function> | null = null;
  /** Whether the target is an instance of a subclass (`class Vec3 extends Float64Array`): its own members run on the stand-in. */
  readonly subclassed: boolean;
  /**
   * An argument's own named properties (`v.label = 'x'`), which its target, a copy of the
   * numbers, lacks: each is copied onto the target when f first reaches it (listing them
   * up front would list every index too). `decided`: the keys already looked up;
   * `written`: the ones f set, defined or deleted (written back when f ends).
   */
  named: {
    readonly original: object;
    readonly checkNamed: (key: string | symbol, value: unknown) => void;
    readonly decided: Set<string | symbol>;
    readonly written: Set<string | symbol>;
  } | null = null;

  constructor(
    readonly ctor: FloatArrayClass,
    /** A real typed array of the numbers: the Proxy's target. */
    readonly target: FloatArray,
    readonly shared: Shared,
  ) {
    // (element k of the buffer, so that views at other offsets share it)
    this.offset = target.byteOffset / ctor.BYTES_PER_ELEMENT;
    this.subclassed = Object.getPrototypeOf(target) !== ctor.prototype;
    this.proxy = new Proxy(target, this.traps());
    standIns.set(this.proxy, this);
  }

  get length(): number {
    return this.target.length;
  }

  /** Element i as f sees it. */
  element(i: number): unknown {
    const k = this.offset + i;
    const shared = this.shared;
    let v = shared.values[k];
    if (v === undefined) {
      const input = shared.input;
      if (input === null || input.tracedTape === null || !input.tracedTape.active) return this.plainElement(i);
      if (!Object.is(input.data[k], this.target[i])) return this.overwritten(i); // (written through another view)
      v = input.get(k); // (an element read, recorded on the argument's row)
      shared.values[k] = v;
    } else if (!Object.is(typeof v === 'number' ? v : numberOf(v), this.target[i])) {
      return this.overwritten(i); // (written through another view: a plain number, derivative 0)
    }
    if (isTraced(v)) return live(v);
    // (a number over bytes the other float type's stand-in may keep a traced number in: read as such)
    return this.shared.views !== null && this.shared.views.floats.length > 1 ? this.plainElement(i) : v;
  }

  /**
   * Element i as f left it, read after its tape closed (forward mode's outputs): the traced
   * value kept for it (not its number, as `element` gives once the tape is closed), a
   * number, or, for an argument's element f never read, the argument's traced array and the
   * element's place in it.
   */
  recordedElement(i: number): { readonly value: unknown } | { readonly input: NDArray; readonly k: number } {
    const k = this.offset + i;
    const v = this.shared.values[k];
    const input = this.shared.input;
    if (v === undefined) return input !== null && Object.is(input.data[k], this.target[i]) ? { input, k } : { value: this.target[i] };
    return Object.is(typeof v === 'number' ? v : numberOf(v), this.target[i]) ? { value: v } : { value: this.target[i] };
  }

  /** Element i, which another view of the buffer overwrote: the number there from now on. */
  private overwritten(i: number): number {
    const n = this.target[i]!;
    this.shared.values[this.offset + i] = n;
    return this.plainElement(i);
  }

  /** Element i as the buffer holds it; reported if the other float type's stand-in keeps a traced number in its bytes. */
  private plainElement(i: number): number {
    const views = this.shared.views;
    if (views !== null && views.floats.length > 1) {
      const size = this.ctor.BYTES_PER_ELEMENT;
      reportPlainRead(this.target.buffer, (this.offset + i) * size, size, this.shared, `reading its bytes through a ${this.ctor.name} view of the same buffer`);
    }
    return this.target[i]!;
  }

  /** Element i = value, as a typed array stores it (ToNumber, rounded to float32 in a Float32Array); out of range: nothing. */
  store(i: number, value: unknown): void {
    const n = toNumber(value);
    if (!(Number.isInteger(i) && i >= 0 && i < this.target.length)) return;
    this.shared.written = true;
    const views = this.shared.views;
    if (views !== null && views.floats.length > 1) {
      const size = this.ctor.BYTES_PER_ELEMENT;
      reportPartialOverwrite(this.target.buffer, (this.offset + i) * size, size, this.shared, `overwriting part of its bytes through a ${this.ctor.name} view of the same buffer`);
    }
    if (isTraced(n) && n.tracedTape.active) {
      if (views !== null && readNatively(views, (this.offset + i) * this.ctor.BYTES_PER_ELEMENT, this.ctor.BYTES_PER_ELEMENT)) {
        reportEscape(n, `storing it into a ${this.ctor.name} whose buffer another kind of view (an integer typed array, or one made outside f) reads as plain numbers`);
      }
      const p = primal(n);
      this.target[i] = p;
      this.shared.values[this.offset + i] = this.target[i] === p || Number.isNaN(p) ? n : fround(n);
    } else {
      this.target[i] = n as number;
      this.shared.values[this.offset + i] = this.target[i];
    }
    // (the other float type's elements in these bytes are what they now hold)
    if (views !== null && views.floats.length > 1) noteOverwritten(this.target.buffer, (this.offset + i) * this.ctor.BYTES_PER_ELEMENT, this.ctor.BYTES_PER_ELEMENT, this.shared);
  }

  /**
   * `v.buffer` holds the numbers only: another view of it (`new Float64Array(v.buffer)`, a
   * DataView) reads plain numbers, so while traced numbers are in the elements their
   * derivatives would be lost without a word. It is reported as a conversion is (a warning
   * once per place; an error in strict mode: lib/escapes.ts).
   */
  private reportBufferRead(): void {
    const { input, values } = this.shared;
    let tape = input !== null && input.tracedTape !== null && input.tracedTape.active ? input.tracedTape : null;
    for (let k = 0; tape === null && k < values.length; k++) {
      const v = values[k];
      if (isTraced(v) && v.tracedTape.active) tape = v.tracedTape;
    }
    if (tape !== null) reportEscape({ tracedTape: tape }, 'reading the buffer of a typed array holding it (other views of the buffer read plain numbers)');
  }

  /**
   * A sealed or non-extensible argument (`Object.seal(v)`; frozen, when empty) is so for f:
   * its named properties are adopted now, then the target is locked the same way. (An open
   * copy took `v.label = 'x'`, which plain JavaScript refuses, and answered
   * `Object.isExtensible(v)` true: f computed another value, with no word.)
   */
  lockLike(original: object): void {
    // (adopted with their attributes: a sealed one's are fixed already)
    for (const key of Reflect.ownKeys(original)) if (numericKey(key) === null) this.adopt(key);
    if (Object.isFrozen(original)) Object.freeze(this.target); // (only an empty typed array can be)
    else Object.preventExtensions(this.target);
  }

  /** Copies the argument's own named property `key` onto the target, the first time f reaches it. */
  private adopt(key: string | symbol): void {
    const named = this.named;
    if (named === null || named.decided.has(key)) return;
    named.decided.add(key);
    const d = Reflect.getOwnPropertyDescriptor(named.original, key);
    if (d === undefined) return;
    if ('value' in d) named.checkNamed(key, d.value);
    Reflect.defineProperty(this.target, key, d);
  }

  private traps(): ProxyHandler<FloatArray> {
    const inRange = (k: number) => Number.isInteger(k) && !Object.is(k, -0) && k >= 0 && k < this.length;
    return {
      get: (target, key) => {
        const k = numericKey(key);
        if (k !== null) return inRange(k) ? this.element(k) : undefined;
        this.adopt(key);
        if (key === Symbol.toStringTag) return this.ctor.name;
        if (key === 'buffer') {
          this.reportBufferRead();
          joinBuffer(this.shared, target.buffer, false);
        }
        // (a subclass's getter or method, or what f stored: on the stand-in, whose elements are traced)
        if (this.subclassed && !isBuiltinMember(target, key)) return Reflect.get(target, key, this.proxy);
        return this.method(key) ?? Reflect.get(target, key, target);
      },
      set: (target, key, value) => {
        const k = numericKey(key);
        if (k === null) return this.adopt(key), this.named?.written.add(key), Reflect.set(target, key, value, this.subclassed && !isBuiltinMember(target, key) ? this.proxy : target);
        this.store(k, value); // (out of range: ignored, as a typed array does)
        return true;
      },
      has: (target, key) => {
        const k = numericKey(key);
        return k !== null ? inRange(k) : (this.adopt(key), Reflect.has(target, key));
      },
      getOwnPropertyDescriptor: (target, key) => {
        const k = numericKey(key);
        if (k === null) return this.adopt(key), Reflect.getOwnPropertyDescriptor(target, key);
        return inRange(k) ? { value: this.element(k), writable: true, enumerable: true, configurable: true } : undefined;
      },
      defineProperty: (target, key, descriptor) => {
        const k = numericKey(key);
        if (k === null) return this.adopt(key), this.named?.written.add(key), Reflect.defineProperty(target, key, descriptor);
        if (!inRange(k) || descriptor.get !== undefined || descriptor.set !== undefined) return false;
        if (descriptor.configurable === false || descriptor.enumerable === false || descriptor.writable === false) return false;
        if ('value' in descriptor) this.store(k, descriptor.value);
        return true;
      },
      deleteProperty: (target, key) => {
        const k = numericKey(key);
        return k === null ? (this.adopt(key), this.named?.written.add(key), Reflect.deleteProperty(target, key)) : !inRange(k);
      },
      ownKeys: (target) => {
        if (this.named !== null) for (const key of Reflect.ownKeys(this.named.original)) if (numericKey(key) === null) this.adopt(key);
        return Reflect.ownKeys(target);
      },
    };
  }

  // ---- the typed-array methods, on the elements as f sees them --------------------------

  /** The stand-in's own version of the built-in method `key`, also where a subclass overrides it (its `super.at`). */
  builtinMethod(key: PropertyKey): Function | undefined {
    return this.method(key);
  }

  /** The stand-in's own version of a typed-array method (one function per name, so `v.map === v.map`). */
  private method(key: PropertyKey): Function | undefined {
    const make = METHODS[key as string];
    if (make === undefined || !Object.prototype.hasOwnProperty.call(METHODS, key)) return undefined;
    this.methods ??= new Map();
    let f = this.methods.get(key);
    if (f === undefined) {
      const own = make(this);
      const proxy = this.proxy;
      // (called on another receiver — `v.map.call(w, f)`, a method taken from v and bound or
      // stored — it is that receiver's: another stand-in's own, or the built-in's)
      f = function (this: unknown, ...args: unknown[]): unknown {
        if (this === proxy || this === undefined) return Reflect.apply(own, undefined, args);
        const other = typedStandIn(this);
        const theirs = other?.method(key) ?? (Reflect.get(Float64Array.prototype, key) as Function | undefined);
        if (other !== undefined) return Reflect.apply(theirs!, other.proxy, args);
        return Reflect.apply(theirs as Function, this, args); // (the built-in: throws where `this` is no typed array)
      };
      Object.defineProperty(f, 'name', { value: typeof key === 'symbol' ? `[${key.description ?? ''}]` : key });
      standInMethods.add(f);
      this.methods.set(key, f);
    }
    return f;
  }

  /**
   * A new typed array holding `values` (traced ones kept), made as `map`, `filter` and `slice`
   * make theirs: by the class's species (a subclass's own constructor), else of this class.
   */
  made(values: readonly unknown[]): FloatArray {
    if (!this.subclassed) return typedArrayOf(this.ctor, values);
    const C = (this.target as { constructor?: unknown }).constructor;
    const species = C === undefined ? undefined : (C as { [Symbol.species]?: unknown })[Symbol.species];
    if (species === undefined || species === null) return typedArrayOf(this.ctor, values);
    const made = Reflect.construct(species as Function, [values.length]) as unknown;
    if (!(made instanceof Float64Array || made instanceof Float32Array) || made.length < values.length) return typedArrayOf(this.ctor, values);
    const standIn = typedStandIn(made) ?? typedStandIn(typedArrayOver(made))!;
    values.forEach((v, i) => standIn.store(i, v));
    return standIn.proxy;
  }

  /** The elements as an array (for methods that read them all). */
  elements(): unknown[] {
    return Array.from({ length: this.length }, (_, i) => this.element(i));
  }

  /** A view of elements [begin, end) sharing this one's elements and numbers (`subarray`). */
  view(begin: number, end: number): FloatArray {
    return new TypedArrayStandIn(this.ctor, this.target.subarray(begin, end), this.shared).proxy;
  }
}

type Callback = (value: unknown, index: number, array: FloatArray) => unknown;

/** The typed arrays' own prototypes, whose members need a real typed array as `this`. */
const BUILTIN_PROTOTYPES: ReadonlySet<object> = new Set([Float64Array.prototype, Float32Array.prototype, Object.getPrototypeOf(Float64Array.prototype) as object, Object.prototype]);

/** Whether `key` is found on one of the built-in prototypes of `target` (not a subclass's, nor its own). */
function isBuiltinMember(target: object, key: string | symbol): boolean {
  for (let o: object | null = target; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    if (Object.prototype.hasOwnProperty.call(o, key)) return BUILTIN_PROTOTYPES.has(o);
  }
  return true;
}

/**
 * The values `set` reads from a source that is no typed array: by its `length` and indices, as
 * the built-in reads an array-like (not by iterating: a Set, which has no length, gives none).
 */
function arrayLikeValues(source: unknown): unknown[] {
  if (source === null || source === undefined) throw new TypeError(`Cannot convert ${String(source)} to object`);
  const o = Object(source) as ArrayLike<unknown>;
  const length = Math.min(Math.max(Math.trunc(primal(toNumber(o.length))) || 0, 0), Number.MAX_SAFE_INTEGER);
  return Array.from({ length }, (_, i) => o[i]);
}

/** A relative index as the built-ins resolve one (negative from the end, clamped). */
function relative(i: unknown, length: number, fallback: number): number {
  if (i === undefined) return fallback;
  const n = Math.trunc(primal(toNumber(i))) || 0;
  return n < 0 ? Math.max(length + n, 0) : Math.min(n, length);
}

/** The order of two elements for the default sort: numeric, -0 before +0, NaN last. */
function defaultOrder(a: unknown, b: unknown): number {
  if (sne(a, a)) return sne(b, b) ? 0 : 1;
  if (sne(b, b)) return -1;
  if (lt(a, b)) return -1;
  if (gt(a, b)) return 1;
  const pa = primal(a);
  const pb = primal(b);
  return Object.is(pa, -0) && Object.is(pb, 0) ? -1 : Object.is(pa, 0) && Object.is(pb, -0) ? 1 : 0;
}

/** A comparator's result as a sign (a traced difference is compared, not read). */
function sign(c: unknown): number {
  if (isTraced(c)) return lt(c, 0) ? -1 : gt(c, 0) ? 1 : 0;
  const n = Number(c);
  return n !== n ? 0 : n;
}

const sameValueZero = (a: unknown, b: unknown) => !sne(a, b) || (sne(a, a) && sne(b, b));

// Methods that call back, and iterators, read each element when the built-in does (at its
// step, over the length the call began with), not all before the first step: a callback may
// write ahead (`v.forEach((x, i) => { v[i + 1] += x })`, a running sum in place), and an
// iterator may be stepped after writes (`it = v.values(); v[1] = 9; it.next()`).

type Reducer = (acc: unknown, v: unknown, i: number, a: FloatArray) => unknown;

/** `f` if it is a function, else the TypeError the built-in throws before reading anything. */
function callable<F>(f: F): F {
  if (typeof f !== 'function') throw new TypeError(`${String(f)} is not a function`);
  return f;
}

function eachLive(s: TypedArrayStandIn, step: (v: unknown, i: number) => void): void {
  const n = s.length;
  for (let i = 0; i < n; i++) step(s.element(i), i);
}

/**
 * The first index (from the end: `last`) whose element f's result is truthy for (falsy for,
 * with `negate`), or -1; with `result`, what it makes of the element given to f there.
 */
function findLive(s: TypedArrayStandIn, f: Callback, thisArg: unknown, last: boolean, negate: boolean): number;
function findLive(s: TypedArrayStandIn, f: Callback, thisArg: unknown, last: boolean, negate: boolean, result: (v: unknown, i: number) => unknown): unknown;
function findLive(s: TypedArrayStandIn, f: Callback, thisArg: unknown, last: boolean, negate: boolean, result = (_: unknown, i: number): unknown => i): unknown {
  const n = s.length;
  for (let j = 0; j < n; j++) {
    const i = last ? n - 1 - j : j;
    const v = s.element(i);
    if (truthy(f.call(thisArg, v, i, s.proxy)) !== negate) return result(v, i);
  }
  return result(undefined, -1);
}

/** What `find` gives: the element it gave f (f may have overwritten it since), or undefined. */
const found = (v: unknown): unknown => v;

function reduceLive(s: TypedArrayStandIn, f: Reducer, initial: unknown[], right: boolean): unknown {
  const n = s.length;
  let j = 0;
  if (initial.length === 0 && n === 0) throw new TypeError('Reduce of empty array with no initial value');
  let acc = initial.length === 0 ? s.element(right ? n - 1 - j++ : j++) : initial[0];
  for (; j < n; j++) {
    const i = right ? n - 1 - j : j;
    acc = f(acc, s.element(i), i, s.proxy);
  }
  return acc;
}

/** The built-in iterators' prototype (`Iterator.prototype`: its helpers, `map`, `take`, …, where the engine has them). */
const ITERATOR_PROTOTYPE = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;

/**
 * An iterator over the stand-in's elements, reading each at its step (`length` too, as a typed
 * array's own iterator does); it prints as an Array Iterator.
 */
class LiveIterator {
  // (private: an iterator's state is no own key, as the built-in's is not)
  #s: TypedArrayStandIn | null;
  #i = 0;
  readonly #kind: 'values' | 'keys' | 'entries';
  constructor(s: TypedArrayStandIn, kind: 'values' | 'keys' | 'entries') {
    this.#s = s;
    this.#kind = kind;
  }
  next(): IteratorResult<unknown> {
    const s = this.#s;
    const i = this.#i;
    if (s === null || i >= s.length) {
      this.#s = null; // (done for good, as the built-in's)
      return { value: undefined, done: true };
    }
    this.#i = i + 1;
    return { value: this.#kind === 'values' ? s.element(i) : this.#kind === 'keys' ? i : [i, s.element(i)], done: false };
  }
  [Symbol.iterator](): this {
    return this;
  }
}
Object.setPrototypeOf(LiveIterator.prototype, ITERATOR_PROTOTYPE);
Object.defineProperty(LiveIterator.prototype, Symbol.toStringTag, { value: 'Array Iterator', configurable: true });
Object.defineProperty(LiveIterator.prototype, Symbol.iterator, { enumerable: false });
Object.defineProperty(LiveIterator.prototype, 'next', { enumerable: false });

/** What a stand-in's `values()`, `keys()`, `entries()` and iteration make inherit from. */
export const LIVE_ITERATOR: object = LiveIterator.prototype;

function liveIterator(s: TypedArrayStandIn, kind: 'values' | 'keys' | 'entries'): IterableIterator<unknown> {
  return new LiveIterator(s, kind);
}

const METHODS: Record<string, (s: TypedArrayStandIn) => Function> = {
  at: (s) => (i?: unknown) => {
    const n = Math.trunc(primal(toNumber(i))) || 0;
    const k = n < 0 ? s.length + n : n;
    return k >= 0 && k < s.length ? s.element(k) : undefined;
  },
  copyWithin: (s) => (target: unknown, start: unknown, end?: unknown) => {
    const n = s.length;
    const to = relative(target, n, 0);
    const from = relative(start, n, 0);
    const final = relative(end, n, n);
    const moved = s.elements().slice(from, final).slice(0, n - to);
    moved.forEach((v, j) => s.store(to + j, v));
    return s.proxy;
  },
  entries: (s) => () => liveIterator(s, 'entries'),
  every: (s) => (f: Callback, thisArg?: unknown) => findLive(s, callable(f), thisArg, false, true) === -1,
  fill: (s) => (value: unknown, start?: unknown, end?: unknown) => {
    const v = toNumber(value);
    const from = relative(start, s.length, 0);
    const to = relative(end, s.length, s.length); // (read once: its valueOf runs once, as the built-in's)
    for (let i = from; i < to; i++) s.store(i, v);
    return s.proxy;
  },
  filter: (s) => (f: Callback, thisArg?: unknown) => {
    callable(f);
    const kept: unknown[] = [];
    eachLive(s, (v, i) => void (truthy(f.call(thisArg, v, i, s.proxy)) && kept.push(v)));
    return s.made(kept);
  },
  find: (s) => (f: Callback, thisArg?: unknown) => findLive(s, callable(f), thisArg, false, false, found),
  findIndex: (s) => (f: Callback, thisArg?: unknown) => findLive(s, callable(f), thisArg, false, false),
  findLast: (s) => (f: Callback, thisArg?: unknown) => findLive(s, callable(f), thisArg, true, false, found),
  findLastIndex: (s) => (f: Callback, thisArg?: unknown) => findLive(s, callable(f), thisArg, true, false),
  forEach: (s) => (f: Callback, thisArg?: unknown) => {
    callable(f);
    eachLive(s, (v, i) => void f.call(thisArg, v, i, s.proxy));
  },
  includes: (s) => (x: unknown, from?: unknown) => s.elements().slice(relative(from, s.length, 0)).some((v) => sameValueZero(v, x)),
  indexOf: (s) => (x: unknown, from?: unknown) => {
    for (let i = relative(from, s.length, 0); i < s.length; i++) if (!sne(s.element(i), x)) return i;
    return -1;
  },
  join: (s) => (separator?: unknown) => s.elements().map(String).join(separator === undefined ? ',' : String(separator)),
  keys: (s) => () => liveIterator(s, 'keys'),
  lastIndexOf: (s) => (x: unknown, ...from: unknown[]) => {
    // (a negative start counts from the end, and one before the first element finds nothing: not clamped, as `relative` does)
    const n = from.length === 0 ? s.length - 1 : Math.trunc(primal(toNumber(from[0]))) || 0;
    const start = n < 0 ? s.length + n : Math.min(n, s.length - 1);
    for (let i = start; i >= 0; i--) if (!sne(s.element(i), x)) return i;
    return -1;
  },
  // (each result converted before the next call, as the built-in stores it: see typedArrayOfMapped)
  map: (s) => (f: Callback, thisArg?: unknown) => {
    callable(f);
    const mapped: unknown[] = [];
    eachLive(s, (v, i) => void mapped.push(toNumber(f.call(thisArg, v, i, s.proxy))));
    return s.made(mapped);
  },
  reduce: (s) => (f: Reducer, ...initial: unknown[]) => reduceLive(s, callable(f), initial, false),
  reduceRight: (s) => (f: Reducer, ...initial: unknown[]) => reduceLive(s, callable(f), initial, true),
  reverse: (s) => () => {
    s.elements().reverse().forEach((v, i) => s.store(i, v));
    return s.proxy;
  },
  set: (s) => (source: ArrayLike<unknown>, offset?: unknown) => {
    // (ToIntegerOrInfinity, as the built-in reads it: 1.5 is 1, -0.5 and NaN are 0)
    const at = offset === undefined ? 0 : Math.trunc(primal(toNumber(offset))) || 0;
    const from = typedStandIn(source)?.elements() ?? arrayLikeValues(source);
    if (at < 0 || at + from.length > s.length) throw new RangeError('offset is out of bounds');
    from.forEach((v, j) => s.store(at + j, v));
  },
  slice: (s) => (begin?: unknown, end?: unknown) => s.made(s.elements().slice(relative(begin, s.length, 0), relative(end, s.length, s.length))),
  some: (s) => (f: Callback, thisArg?: unknown) => findLive(s, callable(f), thisArg, false, false) !== -1,
  sort: (s) => (compare?: (a: unknown, b: unknown) => unknown) => {
    const order = compare === undefined ? defaultOrder : (a: unknown, b: unknown) => sign(compare(a, b));
    if (compare !== undefined) callable(compare); // (refused before anything is read, as by the built-in)
    s.elements().sort(order).forEach((v, i) => s.store(i, v));
    return s.proxy;
  },
  subarray: (s) => (begin?: unknown, end?: unknown) => {
    const from = relative(begin, s.length, 0); // (each read once: a valueOf runs once, as the built-in's)
    return s.view(from, Math.max(from, relative(end, s.length, s.length)));
  },
  toLocaleString: (s: TypedArrayStandIn) => (locales?: string | string[], options?: Intl.NumberFormatOptions) =>
    s.elements().map((v: unknown) => (v as number).toLocaleString(locales, options)).join(','),
  toReversed: (s) => () => typedArrayOf(s.ctor, s.elements().reverse()),
  toSorted: (s) => (compare?: (a: unknown, b: unknown) => unknown) => {
    if (compare !== undefined) callable(compare);
    return typedArrayOf(s.ctor, s.elements().sort(compare === undefined ? defaultOrder : (a, b) => sign(compare(a, b))));
  },
  toString: (s: TypedArrayStandIn) => () => s.elements().map(String).join(','),
  values: (s) => () => liveIterator(s, 'values'),
  with: (s) => (index: unknown, value: unknown) => {
    const n = Math.trunc(primal(toNumber(index))) || 0;
    const k = n < 0 ? s.length + n : n;
    const v = toNumber(value); // (converted before the index is checked, as the built-in does)
    if (k < 0 || k >= s.length) throw new RangeError('Invalid typed array index');
    const copy = s.elements();
    copy[k] = v;
    return typedArrayOf(s.ctor, copy);
  },
  [Symbol.iterator as unknown as string]: (s) => () => liveIterator(s, 'values'),
};

/**
 * Whether the stand-in `x` holds a traced number of a running differentiation (without
 * reading its elements, which would record reads): an argument's unread elements are traced.
 */
export function holdsTracedElements(x: unknown): boolean {
  const s = typedStandIn(x);
  if (s === undefined) return false;
  const { input, values } = s.shared;
  if (input !== null && input.tracedTape !== null && input.tracedTape.active) return true;
  for (let k = s.offset; k < s.offset + s.length; k++) {
    const v = values[k];
    if (isTraced(v) && v.tracedTape.active) return true;
  }
  return false;
}
