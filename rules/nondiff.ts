// Operations whose derivative is zero wherever it exists. They still record a row, so a
// gradient through them is 0 (the path exists), not `null` (no path). Their values are
// JavaScript's own. `Math.random` takes no argument and needs no rule.

import { zeroDerivative1, zeroDerivative2 } from './scalar.js';
import { toNumber } from './operands.js';

export const floor = zeroDerivative1('floor', Math.floor);
export const ceil = zeroDerivative1('ceil', Math.ceil);
export const round = zeroDerivative1('round', Math.round);
export const trunc = zeroDerivative1('trunc', Math.trunc);
/** sign: 0 derivative; at 0 the subgradient 0 is chosen (so `abs` uses sign(x) = 0 at 0). */
export const sign = zeroDerivative1('sign', Math.sign);
export const clz32 = zeroDerivative1('clz32', Math.clz32);
export const imul = zeroDerivative2('imul', Math.imul, toNumber);

// Bit operations are integer-valued. The plain functions below also run on BigInt
// operands (the operators are dynamic at run time), so BigInt keeps its meaning.
export const bor = zeroDerivative2('bor', (a, b) => a | b);
export const band = zeroDerivative2('band', (a, b) => a & b);
export const bxor = zeroDerivative2('bxor', (a, b) => a ^ b);
export const shl = zeroDerivative2('shl', (a, b) => a << b);
export const shr = zeroDerivative2('shr', (a, b) => a >> b);
export const ushr = zeroDerivative2('ushr', (a, b) => a >>> b);
export const bnot = zeroDerivative1('bnot', (a) => ~a);
