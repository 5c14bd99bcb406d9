// The n-dimensional array type: row-major storage and a shape. The storage is a
// Float64Array (dtype 'float64', the default) or a Float32Array ('float32'); the dtype is
// read from the storage, so every `new NDArray(shape, data)` keeps it.
//
// Arrays are values: operations return new arrays and never write into their operands,
// so a pullback may keep what it needs without copying. A traced array is the same type
// with a tape row: `value` is the array one level out (the plain array, or — in nested
// differentiation — the array traced on the enclosing tape), and `data` always holds the
// numbers. Operations live in `rules/arrays/`; this file only holds the type and its
// conversions.

import type { Tape } from './core/tape.js';
import type { FloatArray } from './kernels/index.js';
import { primal, reportEscape } from './core/traced.js';
import { unpin } from './core/symbolic.js';

export type { FloatArray };

/** The element type of an array: 64-bit floats (the default) or 32-bit floats. */
export type Dtype = 'float64' | 'float32';

/** Options of the functions that make arrays. */
export interface DtypeOption {
  /** The element type (default 'float64'; a Float32Array given to `array` defaults to 'float32'). */
  dtype?: Dtype;
}

const storageOf = { float64: Float64Array, float32: Float32Array } as const;

/** True for a typed array that can be an array's storage. */
export const isFloatArray = (x: unknown): x is FloatArray => x instanceof Float64Array || x instanceof Float32Array;

/** The dtype that storage `data` holds. */
export const dtypeOf = (data: FloatArray): Dtype => (data instanceof Float32Array ? 'float32' : 'float64');

/** Zeros of `dtype`'s storage. */
export function allocate(dtype: Dtype, size: number): FloatArray {
  return new storageOf[dtype](size);
}

/** `data` as `dtype`'s storage: itself when it already is, else a converted copy (float32 rounds). */
export function castData(data: FloatArray, dtype: Dtype): FloatArray {
  return dtypeOf(data) === dtype ? data : storageOf[dtype].from(data);
}

/**
 * The dtype of an operation on arrays of dtypes `a` and `b` (as in JAX and numpy): float32
 * only when both are. Numbers are not arrays here: they take the array's dtype ("weak").
 */
export const promote = (a: Dtype, b: Dtype): Dtype => (a === 'float32' && b === 'float32' ? 'float32' : 'float64');

/** `dtype` checked (it may come from untyped code). */
export function checkDtype(dtype: unknown, op: string): Dtype {
  if (dtype === 'float64' || dtype === 'float32') return dtype;
  throw new TypeError(`zygote-ts: ${op}: dtype must be 'float64' or 'float32', got ${typeof dtype === 'string' ? `'${dtype}'` : String(dtype)}.`);
}

/** What may be given where an array is expected: our arrays, nested number arrays, typed arrays. */
export type ArrayLike = NDArray | Nested | Float64Array | Float32Array | IntegerArray;

/** A typed array of integers: an operation reads it as constant float64 numbers. */
export type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Numbers nested in arrays to any depth. */
export type Nested = readonly (number | Nested)[];

/**
 * Notes that a pullback recorded on tape `t` keeps array `x` by reference and reads its
 * numbers when `t` is swept (arrays are values, so nothing is copied). Should f then write
 * into `x.data`, the sweep would read the new numbers: `readData` snapshots the storage of
 * such an array when f reads it, and the sweep refuses to run if it changed.
 */
export let holdForSweep: (x: NDArray, t: Tape) => void;
let heldBy: (x: NDArray) => Tape | readonly Tape[] | null;
/** The array whose storage `x` shares (itself when it has its own). */
export let storageBase: (x: NDArray) => NDArray;
/** `x`'s numbers in another shape, sharing its storage (writes through either are seen by both). */
export let viewOf: (x: NDArray, shape: readonly number[]) => NDArray;
let noteDataRead: (x: NDArray) => void;
/** Drops what `x` keeps of closed tape `t` (so that a long-lived array does not keep a finished tape alive). */
export let forgetTape: (x: NDArray, t: Tape) => void;

// The innermost tape recording, or null (lib/core/scope.ts tells: it imports this file).
let innermostTape: () => Tape | null = () => null;

export function setInnermostTapeReader(read: () => Tape | null): void {
  innermostTape = read;
}

export class NDArray {
  // A private brand, asked without observable effects on user values (see `Traced.is`).
  #ndarray = true;
  static is(x: unknown): x is NDArray {
    return typeof x === 'object' && x !== null && #ndarray in x;
  }
  // The last tape whose sweep reads this array's numbers (see `holdForSweep`): private, so
  // that it is neither seen by user code nor compared by deep equality. Arrays that share
  // one storage (a reshape, a traced array and its value) keep it on the first of them, their
  // base, so that a write through any of them is seen.
  #heldBy: Tape | Tape[] | null = null;
  #base: NDArray | null = null;
  /** The innermost tape recording when rewritten code last read `data` (see `readData`). */
  #dataReadDuring: Tape | null = null;
  static {
    holdForSweep = (x, t) => {
      const base = x.#base ?? x;
      const held = base.#heldBy;
      if (held === t) return;
      // (f read the storage before this first use on t, and may write through what it got
      // later: the sweep checks the storage against its numbers now)
      const read = base.#dataReadDuring;
      if (read !== null && read.active) t.snapshotHeld(base);
      if (held === null || (!Array.isArray(held) && !held.active)) {
        base.#heldBy = t;
        t.noteHolder(base);
        return;
      }
      // (nested differentiations: every tape still recording that keeps it)
      const tapes = (Array.isArray(held) ? held : [held]).filter((h) => h.active);
      if (!tapes.includes(t)) {
        tapes.push(t);
        t.noteHolder(base);
      }
      base.#heldBy = tapes.length === 1 ? tapes[0]! : tapes;
    };
    forgetTape = (x, t) => {
      const held = x.#heldBy;
      if (held === t) x.#heldBy = null;
      else if (Array.isArray(held)) x.#heldBy = held.filter((h) => h !== t);
      if (x.#dataReadDuring === t) x.#dataReadDuring = null;
    };
    heldBy = (x) => (x.#base ?? x).#heldBy;
    storageBase = (x) => x.#base ?? x;
    noteDataRead = (x) => {
      const base = x.#base ?? x;
      const tape = innermostTape();
      if (base.#dataReadDuring === tape) return;
      base.#dataReadDuring = tape;
      tape?.noteHolder(base);
    };
    viewOf = (x, shape) => {
      const view = new NDArray(shape, x.data);
      view.#base = x.#base ?? x;
      return view;
    };
  }

  declare readonly shape: readonly number[];
  declare readonly size: number;
  /** The numbers, row-major. Read-only by convention: arrays are values. */
  declare readonly data: FloatArray;
  /** The element type, that of `data`. */
  declare readonly dtype: Dtype;
  /** The tape recording this array, or null for a plain array. */
  declare tracedTape: Tape | null;
  declare tracedIndex: number;
  /** The array one level out (itself when plain). */
  declare tracedValue: NDArray;

  constructor(shape: readonly number[], data: FloatArray, tape: Tape | null = null, index = -1, value?: NDArray) {
    checkStorage(shape, data);
    // (the caller's array was kept: `s[0] = 3` after `new NDArray(s, data)` gave the array a
    // shape its storage did not have, without a word; a copy costs some 10 ns, freezing 100)
    this.shape = shape.slice();
    this.size = data.length;
    this.data = data;
    this.dtype = dtypeOf(data);
    this.tracedTape = tape;
    this.tracedIndex = index;
    this.tracedValue = value ?? this;
    if (value !== undefined && value.data === data) this.#base = value.#base ?? value;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * Element `i` (vector), `(i, j)` (matrix), …: a number, traced when the array is (its
   * gradient flows back into the array's, one element at a time).
   */
  get(...index: number[]): number {
    return readElement(this, flatIndex(this.shape, index));
  }

  /**
   * Nested arrays of the numbers (a vector gives number[], a matrix number[][]). On a
   * traced array this leaves differentiation (reported like any lost derivative).
   */
  toArray(): any {
    numbersLeave(this, 'NDArray.toArray');
    return nest(this.data, this.shape, 0, 0);
  }

  toString(): string {
    // (text only shows the numbers, as a number's own text does; but compiled code would keep
    // this call's text, where f could read it back: compileGradient's recording stops)
    if (this.tracedTape !== null && this.tracedTape.active) this.tracedTape.recorder?.numbersRead('NDArray.toString');
    return `NDArray(${this.shape.join('×')}${this.dtypeNote()}) ${JSON.stringify(nest(this.data, this.shape, 0, 0))}`;
  }

  /** A copy of the numbers, row-major (on a traced array this leaves differentiation, reported). */
  toFloat64Array(): Float64Array {
    numbersLeave(this, 'NDArray.toFloat64Array');
    return Float64Array.from(this.data);
  }

  /** A copy of the numbers as float32, row-major (on a traced array this leaves differentiation, reported). */
  toFloat32Array(): Float32Array {
    numbersLeave(this, 'NDArray.toFloat32Array');
    return Float32Array.from(this.data);
  }

  /** `JSON.stringify` writes the nested numbers. */
  toJSON(): unknown {
    numbersLeave(this, 'JSON.stringify');
    return nest(this.data, this.shape, 0, 0);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `${this.tracedTape !== null && this.tracedTape.active ? 'Traced' : ''}NDArray(${this.shape.join('×') || 'scalar'}${this.dtypeNote()}) ${JSON.stringify(nest(this.data, this.shape, 0, 0))}`;
  }

  // Shown only when it is not the default.
  private dtypeNote(): string {
    return this.dtype === 'float64' ? '' : `, ${this.dtype}`;
  }

  /** The elements in row-major order (traced when the array is). */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let k = 0; k < this.size; k++) yield readElement(this, k);
  }
}

// The constructor is public (`new NDArray([2, 3], data)`): storage of another length than the
// shape's would be read past its end (NaN, or garbage from the kernels' memory) or in part
// (a sum over elements the shape does not have), without a word.
function checkStorage(shape: readonly number[], data: FloatArray): void {
  let size = 1;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d]!;
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`zygote-ts: NDArray: shape [${shape.join(', ')}] has a length that is not a whole number ≥ 0.`);
    size *= n;
  }
  if (!isFloatArray(data)) throw new TypeError(`zygote-ts: NDArray: the storage must be a Float64Array or a Float32Array (array(xs) converts numbers).`);
  if (data.length !== size) throw new RangeError(`zygote-ts: NDArray: shape [${shape.join(', ')}] has ${size} elements, but the storage holds ${data.length}.`);
}

// The own properties every NDArray has (its fields: shape, data, …; private ones are not listed).
let arrayFields: ReadonlySet<PropertyKey> | null = null;

/**
 * The own properties of `x` besides an NDArray's fields (a subclass's fields, `x.label`), or
 * null when there are none and `x` is of class NDArray itself: what a traced copy of an
 * argument must take along for f to read (proxies/standins.ts), and what compiled code,
 * which reads an argument's numbers only, cannot (lib/compile/arguments.ts).
 */
export function ownForm(x: NDArray): PropertyKey[] | null {
  const keys = Reflect.ownKeys(x);
  const fields = (arrayFields ??= new Set(Reflect.ownKeys(new NDArray([], new Float64Array(1)))));
  if (keys.length === fields.size && Object.getPrototypeOf(x) === NDArray.prototype) return null;
  return keys.filter((key) => !fields.has(key));
}

/** True for an NDArray, asked without observable effects on user values (see `NDArray.is`). */
export const isNDArray = (x: unknown): x is NDArray => NDArray.is(x);

/** The row-major position of `index` in `shape`, checked. */
export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  if (index.length !== shape.length) {
    throw new RangeError(`zygote-ts: an array of shape [${shape.join(', ')}] takes ${shape.length} indices, got ${index.length}.`);
  }
  let k = 0;
  for (let d = 0; d < shape.length; d++) {
    // An index is read as its number: a traced one (`Math.floor(x)` for a table lookup), which
    // gets no derivative, was refused as out of bounds, where plain JavaScript reads the element.
    const given = index[d];
    const i = typeof given === 'number' ? given : primal(given);
    if (!Number.isInteger(i) || i < 0 || i >= shape[d]!) {
      throw new RangeError(`zygote-ts: index ${i} is out of bounds for axis ${d} of shape [${shape.join(', ')}].`);
    }
    k = k * shape[d]! + i;
  }
  return k;
}

// Reading an element of a traced array records on the tape, which is the rules' business;
// they register the reader (rules/arrays/shape.ts) so this file names no operation.
let readElement = (x: NDArray, k: number): number => x.data[k]!;

export function setElementReader(reader: (x: NDArray, k: number) => number): void {
  readElement = reader;
}

function nest(data: FloatArray, shape: readonly number[], axis: number, offset: number): unknown {
  if (shape.length === 0) return data[0];
  const n = shape[axis]!;
  if (axis === shape.length - 1) return Array.from(data.subarray(offset, offset + n));
  const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = nest(data, shape, axis + 1, offset + i * stride);
  return out;
}

/** Strips traced layers whose tape has closed: constants now (the array analogue of `live`). */
export function liveArray(x: NDArray): NDArray {
  while (x.tracedTape !== null && !x.tracedTape.active) x = x.tracedValue;
  return x;
}

/**
 * True for a typed array of integers (Int32Array, Uint8Array, …; BigInt arrays hold no
 * numbers): operations read one as a constant float64 array, as numpy promotes int with float.
 */
const isIntegerArray = (x: unknown): x is IntegerArray =>
  x instanceof Int32Array || x instanceof Uint8Array || x instanceof Int16Array || x instanceof Uint16Array ||
  x instanceof Uint32Array || x instanceof Int8Array || x instanceof Uint8ClampedArray;

/** True for a nested JavaScript array of numbers or a typed array (what `array()` converts). */
export function isNumericArrayLike(x: unknown): boolean {
  return Array.isArray(x) || isFloatArray(x) || isIntegerArray(x);
}

/** The shape of a rectangular nested array, or a message saying where it is ragged. */
export function shapeOfNested(x: unknown): number[] {
  const shape: number[] = [];
  let level: unknown = x;
  while (isNumericArrayLike(level)) {
    shape.push((level as ArrayLike & { length: number }).length);
    if ((level as { length: number }).length === 0) break;
    level = (level as unknown[])[0];
  }
  return shape;
}

/**
 * A plain array from numbers in nested arrays (checked rectangular) or a typed array (a
 * copy), of `dtype`: by default float32 for a Float32Array, float64 otherwise. An NDArray
 * is returned as it is (casting one is `astype`'s business: it is differentiable).
 */
export function fromNested(x: unknown, what = 'array', dtype?: Dtype): NDArray {
  if (isNDArray(x)) return x;
  if (isFloatArray(x)) return typedStandInReader(x) ?? new NDArray([x.length], storageOf[dtype ?? dtypeOf(x)].from(x));
  if (isIntegerArray(x)) return new NDArray([x.length], storageOf[dtype ?? 'float64'].from(x));
  if (typeof x === 'number') return new NDArray([], storageOf[dtype ?? 'float64'].of(x));
  if (!Array.isArray(x)) throw new TypeError(`zygote-ts: ${what} must be an array of numbers, got ${typeof x}.`);
  const shape = shapeOfNested(x);
  const size = shape.reduce((a, b) => a * b, 1);
  const data = allocate(dtype ?? 'float64', size);
  let at = 0;
  const walk = (v: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      // (a symbolic number — compileGradient's recording, as a checkpointed function or a
      // rule's own function receives it — is its number, pinned, as reading it so pins it)
      const n = unpin(v);
      if (typeof n !== 'number') throw new TypeError(`zygote-ts: ${what}${path} is ${n === null ? 'null' : typeof n}, not a number.`);
      data[at++] = n;
      return;
    }
    const n = (v as unknown[])?.length;
    if (!isNumericArrayLike(v)) {
      throw new TypeError(`zygote-ts: ${what}${path} is not an array (the array is ragged: expected shape [${shape.join(', ')}]).`);
    }
    if (n !== shape[axis]) {
      throw new TypeError(`zygote-ts: ${what}${path} has length ${n}, but its siblings have ${shape[axis]} (arrays must be rectangular).`);
    }
    for (let i = 0; i < n; i++) walk((v as unknown[])[i], axis + 1, `${path}[${i}]`);
  };
  walk(x, 0, '');
  return new NDArray(shape, data);
}

// Typed arrays f received (proxies/typed-arrays.ts) are Proxies whose elements may be
// traced: array operations read one as the NDArray it stands for.
let typedStandInReader: (x: unknown) => NDArray | null = () => null;

export function setTypedStandInReader(read: (x: unknown) => NDArray | null): void {
  typedStandInReader = read;
}

/** A new input on tape `t` holding `x`'s numbers (an argument or a parameter being differentiated). */
export function traceArray(t: Tape, x: NDArray): NDArray {
  const row = t.pushNode({ parents: [], size: x.size, shape: x.shape, arrayValued: true, dtype: x.dtype, pullback: null });
  return new NDArray(x.shape, x.data, t, row, x);
}

/**
 * `o.data` in rewritten code that may run while a differentiation does: the property, read
 * once as written. An NDArray's `data` is its raw storage: read from a traced array, its
 * numbers have left differentiation, which is reported as `toArray` reports it.
 */
export function readData(o: unknown): unknown {
  const data = (o as { data: unknown }).data;
  if (NDArray.is(o)) {
    numbersLeave(o, 'NDArray.data');
    // (the storage may be written through what this returns, now or after a later use)
    beforeStorageWrite(o);
    noteDataRead(o);
  }
  return data;
}

/**
 * Called where `x`'s storage may be written in place (rewritten code reading `x.data`,
 * `Grads.update`, an optimiser's step): if a tape still recording keeps `x`'s numbers for
 * its sweep, it keeps a copy of them as they are now, and its sweep refuses to run on
 * numbers that changed (see `holdForSweep`).
 */
export function beforeStorageWrite(x: NDArray): void {
  const held = heldBy(x);
  if (held === null) return;
  if (!Array.isArray(held)) {
    if ((held as Tape).active) (held as Tape).snapshotHeld(storageBase(x));
    return;
  }
  for (const tape of held) if (tape.active) tape.snapshotHeld(storageBase(x));
}

/**
 * Reports that traced `x`'s numbers left differentiation (`how` read them as plain numbers).
 * compileGradient's recording stops there: its compiled code would hold this call's numbers
 * where a later call's differ (f runs uncompiled, as `get` makes it).
 */
function numbersLeave(x: NDArray, how: string): void {
  const tape = x.tracedTape;
  if (tape === null || !tape.active) return;
  tape.recorder?.numbersRead(how);
  reportEscape(x as { tracedTape: Tape }, how);
}
