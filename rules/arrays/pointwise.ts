// Elementwise maximum/minimum with broadcasting, and abs2. Ties follow the scalar
// Math.max/Math.min rule: tied operands share the derivative, ½ each (and a NaN operand is
// the one chosen), so arrays and numbers agree.

import { isNumericArrayLike, NDArray, isNDArray } from '../../lib/ndarray.js';
import { primal, isTraced } from '../../lib/core/traced.js';
import { mul } from '../arithmetic.js';
import { max as scalarMax, min as scalarMin } from '../math.js';
import { unaryRule } from '../scalar.js';
import { lift2, nothingFromZeros } from './elementwise.js';
import { map1, map2 } from './broadcast.js';
import type { ArrayInput } from './axes.js';

type Operand = ArrayInput | number;

/** Elementwise max(a, b) with broadcasting (numbers: Math.max). */
export function maximum(a: number, b: number): number;
export function maximum(a: Operand, b: Operand): NDArray;
export function maximum(a: unknown, b: unknown): any {
  if (!isArrayLike(a) && !isArrayLike(b)) return scalarMax(a, b);
  return (maximumArrays ??= lift2('maximum', Math.max, extremeGrads(Math.max)))(a, b);
}

/** Elementwise min(a, b) with broadcasting (numbers: Math.min). */
export function minimum(a: number, b: number): number;
export function minimum(a: Operand, b: Operand): NDArray;
export function minimum(a: unknown, b: unknown): any {
  if (!isArrayLike(a) && !isArrayLike(b)) return scalarMin(a, b);
  return (minimumArrays ??= lift2('minimum', Math.min, extremeGrads(Math.min)))(a, b);
}

// Made on first use: this module and rules/math.ts import each other.
let maximumArrays: ((a: unknown, b: unknown) => any) | undefined;
let minimumArrays: ((a: unknown, b: unknown) => any) | undefined;

export const isArrayLike = (x: unknown): boolean =>
  isNDArray(x) || isNumericArrayLike(x);

/**
 * The pullback of an elementwise extreme: the cotangent where the first operand was chosen
 * goes to it, the rest to the second, and half to each where they tie. Which was chosen is
 * read from the numbers: a constant mask (its own derivative is zero almost everywhere).
 */
function extremeGrads(pick: (a: number, b: number) => number) {
  const first = (a: number, b: number): number => {
    const best = pick(a, b);
    return best !== best ? (a !== a ? 1 : 0) : a === b ? 0.5 : a === best ? 1 : 0;
  };
  return function extremePullback(g: unknown, x: unknown, y: unknown, _z: unknown, need: readonly [boolean, boolean]): [unknown, unknown] {
    const mask = map2(numbers(x), numbers(y), first, 'mask');
    // (the operand not chosen gets 0, even where the cotangent is infinite: not ∞·0 = NaN)
    const chosen = (m: unknown) => nothingFromZeros(mul(g, m), m);
    return [need[0] ? chosen(mask) : null, need[1] ? chosen(map1(mask, (m) => 1 - m)) : null];
  };
}

// The numbers of an operand (one level out): an array's data, a traced scalar's primal
// (a number: it takes the other side's dtype, so the mask has the result's).
function numbers(x: unknown): NDArray | number {
  if (isNDArray(x)) return new NDArray(x.shape, x.data);
  return isTraced(x) ? primal(x) : (x as number);
}

/** x² elementwise (|x|² for real numbers, as Julia's abs2); on numbers too. */
export const abs2: { (x: number): number; (x: NDArray): NDArray } = unaryRule('abs2', (x) => x * x, (x) => mul(2, x), (e, x) => e.mul(e.constant(2), x));
