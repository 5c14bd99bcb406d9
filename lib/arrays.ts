// Constructors of arrays: from nested arrays, zeros, ones, and seeded random numbers.

import { fromNested, NDArray, type ArrayLike } from './ndarray.js';

/** An array from nested arrays of numbers (checked rectangular) or a typed array. */
export function array(x: ArrayLike | number): NDArray {
  return fromNested(x);
}

const sizeOf = (shape: readonly number[]) => shape.reduce((p, n) => p * n, 1);

/** An array of zeros. */
export function zeros(...shape: number[]): NDArray {
  return new NDArray(shape, new Float64Array(sizeOf(shape)));
}

/** An array of ones. */
export function ones(...shape: number[]): NDArray {
  return new NDArray(shape, new Float64Array(sizeOf(shape)).fill(1));
}

/**
 * Uniform random numbers in [0, 1). `rand(2, 3)`; for reproducible numbers pass a seed
 * last as `{ seed }`: `rand(2, 3, { seed: 42 })` (a small PRNG, mulberry32).
 */
export function rand(...args: (number | { seed: number })[]): NDArray {
  const last = args[args.length - 1];
  const seed = typeof last === 'object' ? last.seed : undefined;
  const shape = (typeof last === 'object' ? args.slice(0, -1) : args) as number[];
  const data = new Float64Array(sizeOf(shape));
  const next = seed === undefined ? Math.random : mulberry32(seed);
  for (let k = 0; k < data.length; k++) data[k] = next();
  return new NDArray(shape, data);
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
