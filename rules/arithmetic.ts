// Rules for JavaScript's arithmetic operators: + - * / % ** and unary - +, ++/--.
//
// Each operator is the runtime entry the transform calls. Its fast path on two plain
// numbers is the plain operator, and the entry is kept tiny so V8 inlines it into the
// caller: rewritten code that never sees a traced value runs almost as plain code.
// Otherwise, when an operand is traced on an active tape, the value and the local
// partials are computed with these same functions (so operands traced on an outer tape
// are followed too, which is what makes nesting work) and recorded on the innermost tape.
// The common cases (a number traced on an active tape with a plain number, or two on
// the same tape) are checked inline and recorded straight away; everything else (outer
// or closed tapes, nesting, non-numbers) takes the general path below them.
// With no traced operand, JavaScript's own operator runs, so strings, BigInt, Dates and
// `valueOf` objects keep their meaning.

import { innerTape, rowOn, Traced, isTraced, isTracedOperand, textOfTraced } from '../lib/core/traced.js';
import { convertsToPrimitive, eitherTraced, live, operandOn, toNumber, toNumeric, toPrimitive } from './operands.js';
import { log } from './math.js';
import { trunc } from './nondiff.js';
import { gt, seq } from '../lib/coercion.js';
import { callSymbolic, Symbolic, isSymbolic } from '../lib/core/symbolic.js';
import { NOT_OVERLOADED, operators, overloaded, overloadedNeg } from './overloads.js';
import { isNDArray } from '../lib/ndarray.js';
import { refuseForeignTraced } from '../lib/core/foreign.js';
import { isFieldInstance } from '../lib/core/scalars.js';
import { addArrays, divArrays, isArrayOperation, modArrays, mulArrays, negArray, powArrays, subArrays } from './arrays/elementwise.js';

// ---- add: ∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1 --------------------------------------------------
export function add(a: unknown, b: unknown): any {
  return typeof a === 'number' && typeof b === 'number' ? a + b : addTraced(a, b);
}

function addTraced(a: unknown, b: unknown): unknown {
  if (isTracedOperand(a)) {
    const t = a.tracedTape;
    const x = a.tracedValue;
    if (t.active && typeof x === 'number') {
      if (typeof b === 'number') return t.push(x + b, a.tracedIndex, 1, -1, 0);
      if (isTracedOperand(b) && b.tracedTape === t) {
        const y = b.tracedValue;
        if (typeof y === 'number') return t.push(x + y, a.tracedIndex, 1, b.tracedIndex, 1);
      }
    } else if (t.active && isSymbolic(x)) {
      // compileGradient is recording: the same rows, with symbolic values
      if (typeof b === 'number') return t.push(x.recorder.arithmetic('+', x, b), a.tracedIndex, 1, -1, 0);
      const y = symbolicOn(b, t);
      if (y !== null) return t.push(x.recorder.arithmetic('+', x, y), a.tracedIndex, 1, (b as Traced).tracedIndex, 1);
    }
  } else if (typeof a === 'number' && isTracedOperand(b)) {
    const t = b.tracedTape;
    const y = b.tracedValue;
    if (t.active && typeof y === 'number') return t.push(a + y, -1, 0, b.tracedIndex, 1);
    if (t.active && isSymbolic(y)) return t.push(y.recorder.arithmetic('+', a, y), -1, 0, b.tracedIndex, 1);
  }
  if ((isObject(a) || isObject(b)) && !fieldMeetsTraced(a, b)) {
    if (isArrayOperation(a, b)) return addArrays(a, b);
    const custom = overloaded(operators.add, a, b);
    if (custom !== NOT_OVERLOADED) return custom;
    if (converts(a) || converts(b)) return addMixed(a, b);
  }
  const t = innerTape(a, b);
  if (t === null) return eitherTraced(a, b) ? add(live(a), live(b)) : (a as number) + (b as number);
  if (!isNumeric(a) || !isNumeric(b)) return addMixed(a, b);
  return t.push(add(operandOn(a, t), operandOn(b, t)), rowOn(a, t), 1, rowOn(b, t), 1);
}

const isNumeric = (x: unknown) => typeof x === 'number' || isTracedOperand(x) || isFieldInstance(x);

/**
 * A number field's instance that is a constant here (`new Fraction(1, 3)` written in f, or a
 * value an enclosing differentiation holds as its number) meeting a traced number: an operand
 * of the row, as a number is. Its own method was handed the traced number, which it cannot
 * read: `x * new Fraction(2)` and nested gradients of fractions threw "Invalid argument".
 */
const fieldMeetsTraced = (a: unknown, b: unknown): boolean => (isTracedOperand(a) ? isFieldInstance(b) : isTracedOperand(b) && isFieldInstance(a));

/** The symbolic value of `b` when it is traced on `t` and holds one (compileGradient's recording), else null. */
function symbolicOn(b: unknown, t: unknown): Symbolic | null {
  return isTracedOperand(b) && b.tracedTape === t && isSymbolic(b.tracedValue) ? b.tracedValue : null;
}

/**
 * An operand that may define its own operators, or convert to a number through its own
 * `valueOf` (a traced number does neither).
 */
const isObject = (x: unknown) => (typeof x === 'object' || typeof x === 'function') && x !== null && !isTracedOperand(refuseForeignTraced(x));

/**
 * An operand the operator converts before it computes: an object (above), or a string,
 * whose number may be a traced number's text read back (rules/text.ts).
 */
const convertible = (x: unknown) => typeof x === 'string' || isObject(x);
/** An operand JavaScript's operator would convert (a string, or an object that is not a symbolic number). */
const converts = (x: unknown) => typeof x === 'string' || convertsToPrimitive(x);

// A traced number plus something else: `traced + "px"` concatenates as the number would;
// otherwise the other side goes through ToPrimitive and ToNumber.
function addMixed(a: unknown, b: unknown): unknown {
  const pa = toPrimitive(a);
  const pb = toPrimitive(b);
  if (typeof pa === 'string' || typeof pb === 'string') return (textOf(pa) as string) + (textOf(pb) as string);
  const na = toNumeric(pa);
  const nb = toNumeric(pb);
  // (a traced number and a BigInt: `add` would come back here, until the stack overflowed)
  if ((typeof na === 'bigint') !== (typeof nb === 'bigint')) throw new TypeError('Cannot mix BigInt and other types, use explicit conversions');
  return add(na, nb);
}

/**
 * A concatenated operand: a traced number as its text, written by the number itself so that
 * the text read back keeps its derivative (`Number('' + x)`, as `${x}` and `String(x)` do:
 * rules/text.ts); anything else as it is, for the operator to convert (a Symbol throws).
 */
const textOf = (p: unknown): unknown => (isTracedOperand(p) ? textOfTraced(p) : p);

// ---- sub: ∂(a-b)/∂a = 1, ∂(a-b)/∂b = -1 -------------------------------------------------
export function sub(a: unknown, b: unknown): any {
  return typeof a === 'number' && typeof b === 'number' ? a - b : subTraced(a, b);
}

function subTraced(a: unknown, b: unknown): unknown {
  if (isTracedOperand(a)) {
    const t = a.tracedTape;
    const x = a.tracedValue;
    if (t.active && typeof x === 'number') {
      if (typeof b === 'number') return t.push(x - b, a.tracedIndex, 1, -1, 0);
      if (isTracedOperand(b) && b.tracedTape === t) {
        const y = b.tracedValue;
        if (typeof y === 'number') return t.push(x - y, a.tracedIndex, 1, b.tracedIndex, -1);
      }
    } else if (t.active && isSymbolic(x)) {
      if (typeof b === 'number') return t.push(x.recorder.arithmetic('-', x, b), a.tracedIndex, 1, -1, 0);
      const y = symbolicOn(b, t);
      if (y !== null) return t.push(x.recorder.arithmetic('-', x, y), a.tracedIndex, 1, (b as Traced).tracedIndex, -1);
    }
  } else if (typeof a === 'number' && isTracedOperand(b)) {
    const t = b.tracedTape;
    const y = b.tracedValue;
    if (t.active && typeof y === 'number') return t.push(a - y, -1, 0, b.tracedIndex, -1);
    if (t.active && isSymbolic(y)) return t.push(y.recorder.arithmetic('-', a, y), -1, 0, b.tracedIndex, -1);
  }
  if ((convertible(a) || convertible(b)) && !fieldMeetsTraced(a, b)) {
    if (isArrayOperation(a, b)) return subArrays(a, b);
    const custom = overloaded(operators.sub, a, b);
    if (custom !== NOT_OVERLOADED) return custom;
    if (converts(a) || converts(b)) return sub(toNumeric(a), toNumeric(b)); // (each side in turn, as JavaScript does)
  }
  const t = innerTape(a, b);
  if (t === null) return eitherTraced(a, b) ? sub(live(a), live(b)) : (a as number) - (b as number);
  return t.push(sub(operandOn(a, t), operandOn(b, t)), rowOn(a, t), 1, rowOn(b, t), -1);
}

// ---- mul: ∂(a*b)/∂a = b, ∂(a*b)/∂b = a ---------------------------------------------------
export function mul(a: unknown, b: unknown): any {
  return typeof a === 'number' && typeof b === 'number' ? a * b : mulTraced(a, b);
}

function mulTraced(a: unknown, b: unknown): unknown {
  if (isTracedOperand(a)) {
    const t = a.tracedTape;
    const x = a.tracedValue;
    if (t.active && typeof x === 'number') {
      if (typeof b === 'number') return t.push(x * b, a.tracedIndex, b, -1, 0);
      if (isTracedOperand(b) && b.tracedTape === t) {
        const y = b.tracedValue;
        if (typeof y === 'number') return t.push(x * y, a.tracedIndex, y, b.tracedIndex, x);
      }
    } else if (t.active && isSymbolic(x)) {
      if (typeof b === 'number') return t.push(x.recorder.arithmetic('*', x, b), a.tracedIndex, b, -1, 0);
      const y = symbolicOn(b, t);
      if (y !== null) return t.push(x.recorder.arithmetic('*', x, y), a.tracedIndex, y, (b as Traced).tracedIndex, x);
    }
  } else if (typeof a === 'number' && isTracedOperand(b)) {
    const t = b.tracedTape;
    const y = b.tracedValue;
    if (t.active && typeof y === 'number') return t.push(a * y, -1, 0, b.tracedIndex, a);
    if (t.active && isSymbolic(y)) return t.push(y.recorder.arithmetic('*', a, y), -1, 0, b.tracedIndex, a);
  }
  if ((convertible(a) || convertible(b)) && !fieldMeetsTraced(a, b)) {
    if (isArrayOperation(a, b)) return mulArrays(a, b);
    const custom = overloaded(operators.mul, a, b);
    if (custom !== NOT_OVERLOADED) return custom;
    if (converts(a) || converts(b)) return mul(toNumeric(a), toNumeric(b)); // (each side in turn, as JavaScript does)
  }
  const t = innerTape(a, b);
  if (t === null) return eitherTraced(a, b) ? mul(live(a), live(b)) : (a as number) * (b as number);
  const x = operandOn(a, t);
  const y = operandOn(b, t);
  return t.push(mul(x, y), rowOn(a, t), y, rowOn(b, t), x);
}

// ---- div: ∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -(a/b)/b -----------------------------------------
export function div(a: unknown, b: unknown): any {
  return typeof a === 'number' && typeof b === 'number' ? a / b : divTraced(a, b);
}

function divTraced(a: unknown, b: unknown): unknown {
  if (isTracedOperand(a)) {
    const t = a.tracedTape;
    const x = a.tracedValue;
    if (t.active && typeof x === 'number') {
      if (typeof b === 'number') return t.push(x / b, a.tracedIndex, 1 / b, -1, 0);
      if (isTracedOperand(b) && b.tracedTape === t) {
        const y = b.tracedValue;
        if (typeof y === 'number') {
          const z = x / y;
          return t.push(z, a.tracedIndex, 1 / y, b.tracedIndex, -z / y);
        }
      }
    }
  } else if (typeof a === 'number' && isTracedOperand(b)) {
    const t = b.tracedTape;
    const y = b.tracedValue;
    if (t.active && typeof y === 'number') {
      const z = a / y;
      return t.push(z, -1, 0, b.tracedIndex, -z / y);
    }
  }
  if ((convertible(a) || convertible(b)) && !fieldMeetsTraced(a, b)) {
    if (isArrayOperation(a, b)) return divArrays(a, b);
    const custom = overloaded(operators.div, a, b);
    if (custom !== NOT_OVERLOADED) return custom;
    if (converts(a) || converts(b)) return div(toNumeric(a), toNumeric(b)); // (each side in turn, as JavaScript does)
  }
  const t = innerTape(a, b);
  if (t === null) return eitherTraced(a, b) ? div(live(a), live(b)) : (a as number) / (b as number);
  const x = operandOn(a, t);
  const y = operandOn(b, t);
  const z = div(x, y);
  const rowB = rowOn(b, t);
  // ∂/∂b = -a/b² as -(a/b)/b, the quotient divided once more: b·b overflows (b = 1e200 gave
  // -0 for -1e-100) or underflows (b = 1e-200 gave -Infinity for -1e100) where the partial does
  // not. The same formula as the plain-number case above: compileGradient records this rule on
  // symbolic numbers, and its gradient must be the eager one to the last bit.
  return t.push(z, rowOn(a, t), div(1, y), rowB, rowB < 0 ? 0 : neg(div(z, y)));
}

// ---- mod: a % b = a - b·trunc(a/b); ∂/∂a = 1, ∂/∂b = -trunc(a/b) --------------------------
export function mod(a: unknown, b: unknown): any {
  return typeof a === 'number' && typeof b === 'number' ? a % b : modTraced(a, b);
}

const remainder = (a: number, b: number) => a % b;

function modTraced(a: unknown, b: unknown): unknown {
  if (isArrayOperation(a, b)) return modArrays(a, b);
  if (converts(a) || converts(b)) return mod(toNumeric(a), toNumeric(b));
  const t = innerTape(a, b);
  if (t === null) return eitherTraced(a, b) ? mod(live(a), live(b)) : (callSymbolic(remainder, [refuseForeignTraced(a), refuseForeignTraced(b)]) ?? (a as number) % (b as number));
  const x = operandOn(a, t);
  const y = operandOn(b, t);
  const rowB = rowOn(b, t);
  const quotient = rowB < 0 ? 0 : neg(trunc(div(x, y)));
  return t.push(mod(x, y), rowOn(a, t), 1, rowB, quotient);
}

// ---- pow: ∂(a**b)/∂a = b·a**(b-1), ∂(a**b)/∂b = a**b·log(a) -------------------------------
// The exponent's partial is computed only when the exponent is traced: `(-2) ** 2` with a
// constant exponent must not leak the NaN of log(-2) into the sweep. At a = 0 with b = 0
// the base's partial is 0 (as JAX), not 0 · 0**-1 = NaN.
export function pow(a: unknown, b: unknown): any {
  return typeof a === 'number' && typeof b === 'number' ? a ** b : powTraced(a, b);
}

function powTraced(a: unknown, b: unknown): unknown {
  // The common case, a traced number to a constant power (`x ** 2`), recorded straight away.
  if (isTracedOperand(a) && typeof b === 'number') {
    const x = a.tracedValue;
    if (a.tracedTape.active && typeof x === 'number') {
      const z = x ** b;
      const dx = b === 0 ? 0 : b * x ** (b - 1);
      return a.tracedTape.push(z, a.tracedIndex, dx !== dx && z === 0 ? 0 : dx, -1, 0); // (∞·0: see powTraced)
    }
  }
  if (isArrayOperation(a, b)) return powArrays(a, b);
  if ((convertible(a) || convertible(b)) && !fieldMeetsTraced(a, b)) {
    const custom = overloaded(operators.pow, a, b);
    if (custom !== NOT_OVERLOADED) return custom;
    if (converts(a) || converts(b)) return pow(toNumeric(a), toNumeric(b));
  }
  const t = innerTape(a, b);
  if (t === null) return eitherTraced(a, b) ? pow(live(a), live(b)) : (a as number) ** (b as number);
  const x = operandOn(a, t);
  const y = operandOn(b, t);
  const z = pow(x, y);
  const rowA = rowOn(a, t);
  const rowB = rowOn(b, t);
  // (x ** 1 is x, NaN and ±0 included: a square's partial 2·x records no power)
  // At y = 0 the partial y·x**(y-1) is 0, taken as the constant 0 where y is (no derivative
  // of it is asked) or where it would be NaN (x = 0, NaN). An exponent an enclosing
  // differentiation traces keeps it as y·x**(y-1): its derivative in y, x**-1, is the mixed
  // partial (the constant made hessian(x => x[0] ** x[1], [2, 0]) [[0, 0], [0.5, 0.48]]).
  const dx = rowA < 0 || (seq(y, 0) && (!isTraced(y) || seq(x, 0) || !seq(x, x))) ? 0 : y === 2 ? mul(y, x) : mulStrongZero(y, pow(x, sub(y, 1)));
  // At x = 0 with a positive exponent, x**y is 0 near there for any y: ∂/∂y = 0 (as ChainRules),
  // not 0 · log(0) = NaN.
  // Where x**y is 0 and a partial is ∞·0 (an infinite exponent, 0.5 ** ∞, or base, ∞ ** -1.3),
  // the power is 0 all around: the partial's limit is 0 (the NaN was the gradient's). Hence the
  // products that are 0 when a factor is (x**(y-1) is x**y where y is infinite).
  const dy = rowB < 0 ? 0 : seq(x, 0) && gt(y, 0) ? 0 : mulStrongZero(z, log(x));
  return t.push(z, rowA, dx, rowB, dy);
}

/** a·b, but 0 where that is ∞·0 (a product that is 0 otherwise keeps its sign). */
function strongZeroProduct(a: number, b: number): number {
  const p = a * b;
  return p === p || (a !== 0 && b !== 0) ? p : 0;
}

/**
 * `strongZeroProduct` for a power's partials: on plain numbers, as a compiled instruction
 * while compileGradient records, and on numbers an enclosing differentiation traces (there a
 * partial that is 0 all around has derivative 0; a 0 that is not ∞·0 keeps its derivative:
 * see the mixed partial above).
 */
function mulStrongZero(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return strongZeroProduct(a, b);
  const recorded = callSymbolic(strongZeroProduct, [a, b]);
  if (recorded !== null) return recorded;
  const product = mul(a, b);
  const [u, v, p] = [innermost(a), innermost(b), innermost(product)];
  return typeof p === 'number' && p !== p && (u === 0 || v === 0) ? 0 : product;
}

/** The value inside any nesting of traced values (a symbolic number stays one: no pin). */
function innermost(x: unknown): unknown {
  while (isTraced(x)) x = x.tracedValue;
  return x;
}

// ---- unary minus and plus ---------------------------------------------------------------
export function neg(a: unknown): any {
  return typeof a === 'number' ? -a : negTraced(a);
}

function negTraced(a: unknown): unknown {
  if (isTracedOperand(a)) {
    // (the common case first, as add's: a number traced on an active tape)
    const t = a.tracedTape;
    const x = a.tracedValue;
    if (t.active && typeof x === 'number') return t.push(-x, a.tracedIndex, -1, -1, 0);
  }
  if (isNDArray(a)) return negArray(a);
  if (convertible(a)) {
    const custom = overloadedNeg(a);
    if (custom !== NOT_OVERLOADED) return custom;
    if (converts(a)) return neg(toNumeric(a));
  }
  a = live(a);
  if (!isTracedOperand(a)) return -(a as number);
  return a.tracedTape.push(neg(a.tracedValue), a.tracedIndex, -1, -1, 0);
}

/** Unary `+`: ToNumber, keeping a traced number as it is. */
export function pos(a: unknown): any {
  if (typeof a === 'number') return a;
  return toNumber(live(a));
}

/** ToNumeric (the value of a postfix `x++`): like `pos`, but a BigInt stays a BigInt. */
export function numeric(a: unknown): any {
  if (typeof a === 'number' || typeof a === 'bigint') return a;
  return toNumeric(live(a)); // (a postfix's value is ToNumeric of the old value: BigInt stays)
}

// ---- ++ and -- (the transform writes `x = inc(x)`; `numeric` gives a postfix result) -----
export function inc(a: unknown): any {
  return typeof a === 'number' ? a + 1 : step(a, 1);
}

export function dec(a: unknown): any {
  return typeof a === 'number' ? a - 1 : step(a, -1);
}

function step(a: unknown, by: 1 | -1): unknown {
  a = toNumeric(live(a));
  if (isTracedOperand(a)) return add(a, by);
  let v = a as number; // (a BigInt stays a BigInt)
  if (by === 1) v++;
  else v--;
  return v;
}
