// The elementwise functions as the package exports them. `Math.exp([1, 2])` in rewritten
// code must stay JavaScript's (NaN: an array is not a number), but the exported `exp([1, 2])`
// is an array function, and the README promises that array functions take nested arrays of
// numbers (and typed arrays) as arrays: here they become NDArrays first (traced numbers in
// them included, so `gradient(x => sum(abs2(x)), [7, 11, 13])` is [[14, 22, 26]]).
// Anything else goes to the rule as it is: numbers and NDArrays, or a clear error.

import type { NDArray } from '../../lib/ndarray.js';
import { isNumericArrayLike } from '../../lib/ndarray.js';
import * as arithmetic from '../arithmetic.js';
import * as math from '../math.js';
import { abs2 as abs2Rule } from './pointwise.js';
import { asArray } from './record.js';
import type { ArrayInput } from './axes.js';

/** An elementwise function of one operand: a number for a number, an array for an array. */
export type Elementwise1 = { (x: ArrayInput): NDArray; (x: number): number; (x: ArrayInput | number): NDArray | number };
/** An elementwise function of two operands, with broadcasting: an array when either is one. */
export type Elementwise2 = {
  (a: ArrayInput, b: ArrayInput | number): NDArray;
  (a: ArrayInput | number, b: ArrayInput): NDArray;
  (a: number, b: number): number;
  (a: ArrayInput | number, b: ArrayInput | number): NDArray | number;
};

const operand = (x: unknown, what: string) => (isNumericArrayLike(x) ? asArray(x, what) : x);

function elementwise1(name: string, op: (x: any) => unknown): Elementwise1 {
  return { [name]: (x: unknown) => op(operand(x, `${name}: x`)) }[name] as Elementwise1;
}

function elementwise2(name: string, op: (a: unknown, b: unknown) => unknown): Elementwise2 {
  return { [name]: (a: unknown, b: unknown) => op(operand(a, `${name}: a`), operand(b, `${name}: b`)) }[name] as Elementwise2;
}

export const exp = elementwise1('exp', math.exp);
export const log = elementwise1('log', math.log);
export const sqrt = elementwise1('sqrt', math.sqrt);
export const abs = elementwise1('abs', math.abs);
export const tanh = elementwise1('tanh', math.tanh);
export const sigmoid = elementwise1('sigmoid', math.sigmoid);
export const relu = elementwise1('relu', math.relu);
export const abs2 = elementwise1('abs2', abs2Rule);
export const neg = elementwise1('neg', arithmetic.neg);

export const add = elementwise2('add', arithmetic.add);
export const sub = elementwise2('sub', arithmetic.sub);
export const mul = elementwise2('mul', arithmetic.mul);
export const div = elementwise2('div', arithmetic.div);
export const pow = elementwise2('pow', arithmetic.pow);
