// Constructors of arrays: from nested arrays, zeros, ones, and seeded random numbers, each
// float64 unless asked for `{ dtype: 'float32' }`.

import { allocate, checkDtype, fromNested, NDArray, type ArrayLike, type Dtype, type DtypeOption, isNDArray } from './ndarray.js';
import { astype } from '../rules/arrays/dtype.js';
import { asArray } from '../rules/arrays/record.js';
import { isTraced, primal } from './core/traced.js';
import { isSymbolic } from './core/symbolic.js';

/** Options of `rand`: a seed for reproducible numbers, and the dtype. */
export interface RandOptions extends DtypeOption {
  seed?: number;
}

/**
 * An array from nested arrays of numbers (checked rectangular) or a typed array: float64,
 * or float32 for a Float32Array, unless `dtype` says. Given an NDArray of another dtype,
 * the cast is `astype` (differentiable).
 */
export function array(x: ArrayLike | number, options?: DtypeOption): NDArray {
  // (numpy's array(x, 'float32') read no dtype from the text: float64, without a word)
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(`zygote-ts: array takes its options as an object, array(x, { dtype: 'float32' }); got ${options === null ? 'null' : typeof options === 'string' ? `'${options}'` : typeof options}.`);
  }
  const dtype = options?.dtype === undefined ? undefined : checkDtype(options.dtype, 'array');
  if (isNDArray(x)) return dtype === undefined ? x : astype(x, dtype);
  // (numbers traced by a differentiation are packed into one traced array, derivatives kept;
  // a traced number alone is a 0-d array, as array(3) is: it was refused as 'got object')
  if ((Array.isArray(x) && holdsTraced(x)) || isTraced(x) || isSymbolic(x)) {
    const packed = asArray(x, 'array');
    return dtype === undefined ? packed : astype(packed, dtype);
  }
  const made = fromNested(x, 'array', dtype);
  // (a typed array f received is read as the traced array it stands for, in its own dtype:
  // cast as asked, as a plain typed array's numbers are)
  return dtype === undefined || made.dtype === dtype ? made : astype(made, dtype);
}

const holdsTraced = (x: unknown[]): boolean => x.some((v) => isTraced(v) || (Array.isArray(v) && holdsTraced(v)));

/** An array of zeros: `zeros(2, 3)`, `zeros(2, 3, { dtype: 'float32' })`. */
export function zeros(...args: [...shape: number[], options: DtypeOption] | number[]): NDArray {
  const [shape, dtype] = shapeAndDtype(args, 'zeros');
  return new NDArray(shape, allocate(dtype, sizeOf(shape)));
}

/** An array of ones: `ones(2, 3)`, `ones(2, 3, { dtype: 'float32' })`. */
export function ones(...args: [...shape: number[], options: DtypeOption] | number[]): NDArray {
  const [shape, dtype] = shapeAndDtype(args, 'ones');
  return new NDArray(shape, allocate(dtype, sizeOf(shape)).fill(1));
}

/**
 * Uniform random numbers in [0, 1). `rand(2, 3)`; options last: `rand(2, 3, { seed: 42 })`
 * for reproducible numbers (a small PRNG, mulberry32), `{ dtype: 'float32' }` for float32
 * (the same numbers, rounded; one that would round up to 1 is the largest float32 below it).
 */
export function rand(...args: [...shape: number[], options: RandOptions] | number[]): NDArray {
  const [shape, dtype, options] = shapeAndDtype<RandOptions>(args, 'rand');
  const data = allocate(dtype, sizeOf(shape));
  const next = options.seed === undefined ? Math.random : mulberry32(options.seed);
  for (let k = 0; k < data.length; k++) data[k] = next();
  // (a number within 2⁻²⁵ of 1 rounds up to 1 in float32, outside [0, 1) — element 25 of
  // rand(26, { seed: 1590081, dtype: 'float32' }) was 1, so floor(r·n) indexed past n: it is
  // the largest float32 below 1 instead)
  if (dtype === 'float32') for (let k = 0; k < data.length; k++) if (data[k] === 1) data[k] = FLOAT32_BELOW_ONE;
  return new NDArray(shape, data);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, n) => p * n, 1);

/** 1 − 2⁻²⁴. */
const FLOAT32_BELOW_ONE = Math.fround(1 - 2 ** -24);

// The lengths, then optionally an options object last. A length may be a traced number
// (`zeros(Math.round(s))` in f), read as its number, as reshape reads one: it was taken for
// the options object, which made the array 0-d (sum(zeros(n) + s) was s, not n·s).
function shapeAndDtype<O extends DtypeOption>(args: readonly (number | O)[], op: string): [number[], Dtype, O] {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null && !Array.isArray(last) && !isTraced(last) && !isSymbolic(last);
  const options = (hasOptions ? last : {}) as O;
  const lengths = hasOptions ? args.slice(0, -1) : args;
  const shape = lengths.map((n) => (typeof n === 'number' ? n : primal(n)));
  // (numpy's zeros([2, 3]) was taken for options here: a 0-d array, without a word)
  const wrong = shape.find((n) => typeof n !== 'number');
  if (wrong !== undefined) {
    throw new TypeError(`zygote-ts: ${op} takes the lengths as numbers, ${op}(2, 3), then options; got ${Array.isArray(wrong) ? 'an array' : typeof wrong} as a length${Array.isArray(wrong) ? ` (spread it: ${op}(...shape))` : ''}.`);
  }
  return [shape, options.dtype === undefined ? 'float64' : checkDtype(options.dtype, op), options];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
