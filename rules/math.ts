// Rules for `Math`. The transform turns every reference to the global `Math` into the
// runtime's `differentiableMath`, an object with the same keys, so `Math.sin(x)`,
// `const { sqrt } = Math` and `Math.PI` all work on traced numbers.
//
// Partials are written with the runtime's operations (not `Math.*` directly) so that they
// are themselves differentiable: that is what second derivatives are made of.

import { innerTape, innermostTape as innerOf, rowOn, isTraced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { add, div, mul, neg, pow, sub } from './arithmetic.js';
import { convertsToPrimitive, live, operandOn, plain, toNumber } from './operands.js';
import { binaryRule, unaryRule, zeroDerivative1 } from './scalar.js';
import { ceil, clz32, floor, imul, round, sign, trunc } from './nondiff.js';
import { NDArray, isNDArray } from '../lib/ndarray.js';
import { maximum, minimum } from './arrays/pointwise.js';
import { negElement, plainElements, zeroWhere } from './arrays/elementwise.js';
import { gt, lt, seq, sne } from '../lib/coercion.js';
import { callSymbolic, isSymbolic, type Symbolic } from '../lib/core/symbolic.js';
import { isDeriving } from '../lib/core/scope.js';
import { likeBuiltin } from './like-builtin.js';
import { isFieldInstance } from '../lib/core/scalars.js';
import { calledAsInstalled } from './as-installed.js';

const square = (x: unknown) => mul(x, x);

// Math's functions that the rules below call as they were at load: a program that saved the
// runtime's version of one (rewritten code reads Math.max as that) may put it back into Math,
// and then the rule would call itself.
const builtinMax = Math.max;
const builtinMin = Math.min;
const builtinHypot = Math.hypot;

// ---- trigonometric ----------------------------------------------------------------------
export const sin = unaryRule('sin', Math.sin, (x) => cos(x), (e, x) => e.map(Math.cos, x));
export const cos = unaryRule('cos', Math.cos, (x) => neg(sin(x)), (e, x) => negElement(e, e.map(Math.sin, x)));
export const tan = unaryRule('tan', Math.tan, (_x, y) => add(1, square(y)), (e, _x, y) => e.add(e.constant(1), e.mul(y, y)));
export const asin = unaryRule('asin', Math.asin, (x) => div(1, sqrt(sub(1, square(x)))), (e, x) => e.div(e.constant(1), e.map(Math.sqrt, e.sub(e.constant(1), e.mul(x, x)))));
export const acos = unaryRule('acos', Math.acos, (x) => neg(div(1, sqrt(sub(1, square(x))))), (e, x) =>
  negElement(e, e.div(e.constant(1), e.map(Math.sqrt, e.sub(e.constant(1), e.mul(x, x))))),
);
export const atan = unaryRule('atan', Math.atan, (x) => div(1, add(1, square(x))), (e, x) => e.div(e.constant(1), e.add(e.constant(1), e.mul(x, x))));
/**
 * atan2(y, x): ∂/∂y = x/(x²+y²), ∂/∂x = -y/(x²+y²), written (x/h)/h with h = hypot(x, y): the
 * squares underflow or overflow where the partials do not (atan2(1e-200, 0) gave [NaN, -∞] for
 * [0, -1e200]). At the origin both are 0/0 = NaN, as in ChainRules. Where h is infinite both are
 * 0 (|x/h| ≤ 1, so each is at most 1/h): atan2(∞, x) is π/2 near any x, where ∞/∞ gave a NaN
 * partial (atan2(Math.expm1(1e3), x) had derivative NaN in x, not 0).
 */
export const atan2 = binaryRule('atan2', Math.atan2, (y, x) => {
  const h = hypot2(y, x);
  if (!isNDArray(h)) return seq(h, Infinity) ? [0, 0] : [div(div(x, h), h), neg(div(div(y, h), h))];
  const H = plainElements(h, h.shape);
  const infinite = H && ((k: number) => H(k) === Infinity);
  return [zeroWhere(div(div(x, h), h), infinite), zeroWhere(neg(div(div(y, h), h)), infinite)];
}, toNumber);

// ---- hyperbolic -------------------------------------------------------------------------
export const sinh = unaryRule('sinh', Math.sinh, (x) => cosh(x), (e, x) => e.map(Math.cosh, x));
export const cosh = unaryRule('cosh', Math.cosh, (x) => sinh(x), (e, x) => e.map(Math.sinh, x));
export const tanh = unaryRule('tanh', Math.tanh, (_x, y) => sub(1, square(y)), (e, _x, y) => e.sub(e.constant(1), e.mul(y, y)));
// asinh′ = 1/√(x²+1) as 1/hypot(x, 1) and acosh′ = 1/√(x²-1) as 1/(√(x-1)·√(x+1)): x² overflows
// (above 1.3e154, 1.8e19 in float32) where the derivative does not (asinh′(1e200) gave 0 for 1e-200).
export const asinh = unaryRule('asinh', Math.asinh, (x) => div(1, hypot2(x, 1)), (e, x) => e.div(e.constant(1), e.map(Math.hypot, x, e.constant(1))));
export const acosh = unaryRule('acosh', Math.acosh, (x) => div(1, mul(sqrt(sub(x, 1)), sqrt(add(x, 1)))), (e, x) =>
  e.div(e.constant(1), e.mul(e.map(Math.sqrt, e.sub(x, e.constant(1))), e.map(Math.sqrt, e.add(x, e.constant(1))))),
);
export const atanh = unaryRule('atanh', Math.atanh, (x) => div(1, sub(1, square(x))), (e, x) => e.div(e.constant(1), e.sub(e.constant(1), e.mul(x, x))));

// ---- exponential and logarithmic --------------------------------------------------------
export const exp = unaryRule('exp', Math.exp, (_x, y) => y, (_e, _x, y) => y);
export const expm1 = unaryRule('expm1', Math.expm1, (_x, y) => add(y, 1), (e, _x, y) => e.add(y, e.constant(1)));
export const log = unaryRule('log', Math.log, (x) => div(1, x), (e, x) => e.div(e.constant(1), x));
export const log1p = unaryRule('log1p', Math.log1p, (x) => div(1, add(1, x)), (e, x) => e.div(e.constant(1), e.add(e.constant(1), x)));
export const log2 = unaryRule('log2', Math.log2, (x) => div(1, mul(x, Math.LN2)), (e, x) => e.div(e.constant(1), e.mul(x, e.constant(Math.LN2))));
export const log10 = unaryRule('log10', Math.log10, (x) => div(1, mul(x, Math.LN10)), (e, x) => e.div(e.constant(1), e.mul(x, e.constant(Math.LN10))));

// ---- powers and roots -------------------------------------------------------------------
export const sqrt = unaryRule('sqrt', Math.sqrt, (_x, y) => div(0.5, y), (e, _x, y) => e.div(e.constant(0.5), y));
export const cbrt = unaryRule('cbrt', Math.cbrt, (_x, y) => div(1, mul(3, square(y))), (e, _x, y) => e.div(e.constant(1), e.mul(e.constant(3), e.mul(y, y))));
/**
 * Math.pow is the `**` rule (same care for a negative base with a constant exponent) where
 * an operand is differentiable; on anything else it is Math.pow, whose conversions differ
 * from `**`'s (`Math.pow(2n, 1n)` throws, `2n ** 1n` is 2n). An object is converted first,
 * base then exponent as Math.pow does, keeping the traced number its `valueOf` may return
 * (the built-in would take that for an object and read NaN).
 */
const differentiable = (x: unknown): boolean =>
  typeof x === 'object' && x !== null && (isTraced(x) || isNDArray(x) || isSymbolic(x) || (isDeriving() && Array.isArray(x)));
export const mathPow = {
  pow: (a: unknown, b: unknown): any => {
    if (differentiable(a) || differentiable(b)) return pow(a, b);
    if (convertsToPrimitive(a) || convertsToPrimitive(b)) return mathPow(toNumber(a), toNumber(b));
    return Math.pow(a as number, b as number);
  },
}.pow;

// ---- absolute value: derivative sign(x), 0 at the kink (the subgradient JAX and ChainRules pick)
export const abs = unaryRule('abs', Math.abs, (x) => sign(plain(x)), (e, x) => e.map(Math.sign, x));
/** The logistic function 1/(1+e⁻ˣ), evaluated without overflow on either side; σ′ = σ(1-σ). */
export const sigmoid: { (x: number): number; (x: NDArray): NDArray } = unaryRule(
  'sigmoid',
  (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  (_x, y) => mul(y, sub(1, y)),
  (e, _x, y) => e.mul(y, e.sub(e.constant(1), y)),
);
// 1 where x > 0, else 0: relu's derivative (0 at the kink, as JAX and Flux choose).
const isPositive = (x: number): number => (x > 0 ? 1 : 0);
const positive = zeroDerivative1('positive', isPositive);
/** max(x, 0); its derivative at 0 is 0. */
export const relu: { (x: number): number; (x: NDArray): NDArray } = unaryRule('relu', (x) => (x > 0 ? x : x === x ? 0 : x), (x) => positive(x), (e, x) => e.map(isPositive, x));

/** fround rounds to float32: treated as the identity for derivatives. */
export const fround = unaryRule('fround', Math.fround, () => 1);
/** f16round (Node 24 and later) rounds to float16: the identity for derivatives too, as fround. */
const builtinF16round = (Math as { f16round?: (x: number) => number }).f16round;
export const f16round = builtinF16round === undefined ? undefined : unaryRule('f16round', builtinF16round, () => 1);

// ---- variadic: hypot, min, max ----------------------------------------------------------
/** An argument of a variadic function after ToNumber (in order, as JavaScript converts them). */
const numberOperand = (x: unknown): unknown => live(toNumber(x)); // (a Symbol or BigInt throws here, before the next is converted)

/** hypot(x₁…xₙ): ∂/∂xᵢ = xᵢ / hypot (0 at the origin, where every xᵢ is 0). */
export const hypot = likeBuiltin({
  hypot(...args: unknown[]): any {
    if (args.length === 2) return hypot2(args[0], args[1]);
    // arrays, elementwise: one argument is its absolute value, more are taken two at a time
    if (args.some(isNDArray)) return args.length === 1 ? hypot2(args[0], 0) : args.reduce((acc, v) => hypot2(acc, v));
    const operands = args.map(numberOperand);
    const t = innerOf(operands);
    // (compileGradient records Math.hypot's call of them all: lib/compile/program.ts's callOfMany)
    if (t === null) return callSymbolic(builtinHypot, operands) ?? builtinHypot(...(operands as number[]));
    const values = operands.map((x) => operandOn(x, t));
    // Math.hypot's own value of all the numbers at once (it avoids overflow and rounds once), on
    // each tape: hypot taken two at a time rounds more than once (hypot(0.1, 0.1, 0.1) in a
    // second derivative was 0.17320508075688776 for 0.17320508075688773; compiled, one bit
    // off the eager gradient's value).
    const h = hypot(...values);
    return recordOver(t, h, operands, (k) => (seq(h, 0) ? 0 : div(values[k], h)));
  },
}.hypot, Math.hypot);

/**
 * sumPrecise(items) (where the engine has it: not Node 24, but current Firefox and Safari):
 * ∂/∂xᵢ = 1, its value the built-in's exactly rounded sum of the numbers. The built-in refuses
 * anything not a number, a traced one too (an object to it): `Math.sumPrecise([x, 1e20, -1e20])`
 * threw "Iterator value 1.7 is not a number". The items are read once, as the built-in reads
 * them; any other value is refused by the built-in itself (its TypeError; the iteration closed).
 */
const builtinSumPrecise = (Math as { sumPrecise?: (items: Iterable<unknown>) => number }).sumPrecise;
const sumOfArguments = (...values: number[]): number => builtinSumPrecise!(values);
export const sumPrecise = builtinSumPrecise === undefined ? undefined : likeBuiltin({
  sumPrecise(items: unknown): any {
    if (typeof items !== 'object' || items === null) return builtinSumPrecise(items as Iterable<unknown>);
    const operands: unknown[] = [];
    for (const v of items as Iterable<unknown>) {
      if (typeof v !== 'number' && !isTraced(v) && !isSymbolic(v) && !isNDArray(v)) builtinSumPrecise([v]); // (throws, as the built-in would here)
      operands.push(v);
    }
    // arrays (batched tangents: hessian, jacfwd), elementwise
    if (operands.some(isNDArray)) return operands.reduce((acc, v) => add(acc, v), -0);
    const t = innerOf(operands);
    // (compileGradient records one call of them all: lib/compile/program.ts's callOfMany)
    if (t === null) return callSymbolic(sumOfArguments, operands) ?? builtinSumPrecise(operands);
    const values = operands.map((x) => operandOn(x, t));
    return recordOver(t, sumPrecise!(values), operands, () => 1);
  },
}.sumPrecise, builtinSumPrecise);

const hypot2 = binaryRule('hypot', Math.hypot, (a, b, h) => {
  if (!isNDArray(h)) return seq(h, 0) ? [0, 0] : [div(a, h), div(b, h)];
  const H = plainElements(h, h.shape); // (on arrays, the origin's 0 element by element)
  const atOrigin = H && ((k: number) => H(k) === 0);
  return [zeroWhere(div(a, h), atOrigin), zeroWhere(div(b, h), atOrigin)];
}, toNumber);

/**
 * max/min: derivative 1 for the chosen argument, 0 for the others. Arguments tied for the
 * extreme share it equally (½ each of two, as JAX and PyTorch split a tie): so max and min
 * agree with (a + b ± |a − b|) / 2 (|x|′ is 0 at 0), and code that is smooth across a tie
 * gets its gradient there — `Math.min(a, b) + Math.max(a, b)` at a = b is [1, 1], where
 * giving the whole of both to the first argument made it [2, 0]. A NaN argument makes the
 * result NaN and is the one chosen.
 */
export const max = likeBuiltin({ max: (...args: unknown[]): any => extremum(args, builtinMax, -Infinity) }.max, builtinMax);

export const min = likeBuiltin({ min: (...args: unknown[]): any => extremum(args, builtinMin, Infinity) }.min, builtinMin);

function extremum(args: unknown[], pick: (...values: number[]) => number, empty: number): unknown {
  if (args.length === 2) {
    const x = args[0];
    const y = args[1];
    if (typeof x === 'number' && typeof y === 'number') return pick(x, y);
    if (!isNDArray(x) && !isNDArray(y)) return extremumOfTwo(numberOperand(x), numberOperand(y), pick, empty);
  }
  if (args.length === 0) return empty;
  // An NDArray among the arguments: elementwise, folded from the left (a tie split at each pair).
  if (args.some((x) => isNDArray(x))) {
    if (args.length === 1) {
      throw new TypeError(`zygote-ts: Math.${pick === builtinMax ? 'max' : 'min'} of one array is not elementwise; for its largest or smallest element use max(x) or min(x).`);
    }
    const pair = pick === builtinMax ? maximum : minimum;
    return args.slice(1).reduce((acc: unknown, x) => pair(acc as NDArray, x as NDArray), args[0]);
  }
  return extremumOf(args.map(numberOperand), pick, empty);
}

/**
 * Two operands (converted), the common case — Math.max(s - 1, 0) in a loop — without the
 * arrays and closures of the general case, which made such a loop's gradient 1.2× slower
 * and its recording for compileGradient 1.3× (issue 15): two that do not tie, or a pair
 * of symbolic numbers (or numbers) picked without a guard. The rest as any number of them.
 */
function extremumOfTwo(a: unknown, b: unknown, pick: (...values: number[]) => number, empty: number): unknown {
  const t = innerTape(a, b);
  if (t === null) return pick(a as number, b as number);
  const x = asNumber(operandOn(a, t));
  const y = asNumber(operandOn(b, t));
  const ra = rowOn(a, t);
  const rb = rowOn(b, t);
  if (holdsSymbolic(x) || holdsSymbolic(y)) {
    if ((typeof x === 'number' || isSymbolic(x)) && (typeof y === 'number' || isSymbolic(y))) {
      // compileGradient is recording: the choice as an instruction of the compiled program
      // (with its partials 1 and 0 as values), the same choice as by value with no guard, so
      // that a compiled path does not depend on which operand each call's numbers choose
      const { value, first } = (isSymbolic(x) ? x : (y as Symbolic)).recorder.pick(pick === builtinMax, x, y);
      // (as recordOver: the partials of the traced operands, in order, packed from the first place)
      if (ra >= 0) return rb >= 0 ? t.push(value, ra, first, rb, sub(1, first)) : t.push(value, ra, first, -1, 0);
      return rb >= 0 ? t.push(value, rb, sub(1, first), -1, 0) : t.push(value, -1, 0, -1, 0);
    }
    return extremumOf([a, b], pick, empty);
  }
  // (+: a field's instance under an enclosing differentiation's layer, as its number)
  const u = +(plain(x) as number);
  const v = +(plain(y) as number);
  if (u === v) return extremumOf([a, b], pick, empty);
  const best = pick(u, v);
  const first = best !== best ? u !== u : u === best;
  return t.push(first ? x : y, ra, first ? 1 : 0, rb, first ? 0 : 1);
}

/**
 * A number field's instance as its number, as Math.max returns it: compared as objects, a
 * Fraction was never the one chosen (`Math.max(x, 0.1)` at x = 1/3 gave 0.1, derivative 0).
 */
const asNumber = (v: unknown): unknown => (isFieldInstance(v) ? +(v as number) : v);

/** Math.max or Math.min of `operands`, converted, none an array. */
function extremumOf(operands: unknown[], pick: (...values: number[]) => number, empty: number): unknown {
  const t = innerOf(operands);
  if (t === null) return pick(...(operands as number[]));
  const values = operands.map((x) => asNumber(operandOn(x, t)));
  if (values.some(holdsSymbolic)) {
    const { chosen, tied } = chooseByGuards(values, pick === builtinMax ? gt : lt);
    return recordOver(t, values[chosen], operands, sharesOf(tied, operands.length));
  }
  const tied = tiedByValue(values, pick);
  // (the value by the rule again, one level down: where the operands are traced on an outer
  // differentiation, their tie is split there too)
  const value = tied.length === 1 ? values[tied[0]!] : extremum(tied.map((k) => values[k]), pick, empty);
  return recordOver(t, value, operands, sharesOf(tied, operands.length));
}

/** Each operand's share of the derivative of an extreme: 1/k for each of the k tied, else 0. */
function sharesOf(tied: readonly number[], n: number): (k: number) => number {
  const shares = new Array<number>(n).fill(0);
  for (const k of tied) shares[k] = 1 / tied.length;
  return (k) => shares[k]!;
}

/** The operands Math.max (or min) chooses: every one equal to the result, or the first NaN. */
function tiedByValue(values: readonly unknown[], pick: (...values: number[]) => number): number[] {
  const primals = values.map((x) => +(plain(x) as number));
  const best = pick(...primals);
  if (Number.isNaN(best)) return [primals.findIndex(Number.isNaN)];
  const tied: number[] = [];
  primals.forEach((p, k) => {
    if (p === best) tied.push(k); // (+0 and -0 tie, as they do in |a − b|)
  });
  return tied;
}

// The same choice made with comparisons, which compileGradient records as guards (reading
// the numbers would pin the compiled path to them). `chosen` is the operand whose value is
// the result (a tie between zeros goes as Math.max sends it: max(-0, 0) is 0, min(0, -0)
// is -0, to the zero whose reciprocal wins); `tied`, the operands equal to it. An operand
// that does not beat the chosen one is tested the other way too: a guard that it loses
// strictly, so that a later call where it ties takes another path (its share changes).
function chooseByGuards(values: readonly unknown[], beats: (a: unknown, b: unknown) => boolean): { chosen: number; tied: number[] } {
  for (let k = 0; k < values.length; k++) if (sne(values[k], values[k])) return { chosen: k, tied: [k] }; // a NaN is chosen
  let chosen = 0;
  let tied = [0];
  for (let k = 1; k < values.length; k++) {
    const a = values[k];
    const b = values[chosen];
    if (beats(a, b)) {
      chosen = k;
      tied = [k];
    } else if (!beats(b, a)) {
      tied.push(k);
      if (seq(a, 0) && beats(div(1, a), div(1, b))) chosen = k;
    }
  }
  return { chosen, tied };
}

/** A symbolic number under any traced layers (compileGradient is recording). */
const holdsSymbolic = (x: unknown): boolean => {
  while (isTraced(x)) x = x.tracedValue;
  return isSymbolic(x);
};

/** Records an n-ary result: ∂value/∂operands[k] = partialOf(k) for each operand traced on `t`. */
function recordOver(t: Tape, value: unknown, operands: unknown[], partialOf: (k: number) => unknown): unknown {
  const rows: number[] = [];
  const partials: unknown[] = [];
  operands.forEach((x, k) => {
    const row = rowOn(x, t);
    if (row >= 0) {
      rows.push(row);
      partials.push(partialOf(k));
    }
  });
  return t.pushMany(value, rows, partials);
}

/** The object the transform puts in place of the global `Math`. */
export const differentiableMath = Object.freeze(onMath({
  // (what the platform's Math has beyond these is the built-in: a traced number given to it
  // is converted, and reported)
  ...Object.fromEntries(Object.getOwnPropertyNames(Math).map((key) => [key, (Math as unknown as Record<string, unknown>)[key]])),
  E: Math.E,
  LN10: Math.LN10,
  LN2: Math.LN2,
  LOG10E: Math.LOG10E,
  LOG2E: Math.LOG2E,
  PI: Math.PI,
  SQRT1_2: Math.SQRT1_2,
  SQRT2: Math.SQRT2,
  abs, acos, acosh, asin, asinh, atan, atan2, atanh, cbrt, ceil, clz32, cos, cosh, exp, expm1,
  floor, fround, hypot, imul, log, log10, log1p, log2, max, min, pow: mathPow, random: Math.random,
  round, sign, sin, sinh, sqrt, tan, tanh, trunc,
  ...(f16round === undefined ? {} : { f16round }),
  ...(sumPrecise === undefined ? {} : { sumPrecise }),
  [Symbol.toStringTag]: 'Math',
}));

/**
 * An object of these members whose prototype is Math: what a program added to Math (a
 * polyfill's `Math.clamp`) is found there too. (Defined, not assigned: Math's constants are
 * read-only, and an inherited read-only member refuses assignment.)
 */
function onMath<T extends object>(members: T): T {
  return Object.create(Math, Object.getOwnPropertyDescriptors(members)) as T;
}

// ---- `Math.f(…)` as rewritten code calls it --------------------------------------------
// A program (or a test's spy, or a polyfill) may replace one of Math's functions. Plain
// JavaScript then calls the replacement; so must rewritten code, on traced numbers and on
// literals alike (`Math.sqrt(2)`, which the inline fast path does not test): a call looks at
// what `Math.f` is now (rules/as-installed.ts). A read of `Math.f` as a value, or `Math` taken
// apart, takes the function it finds at that moment (lib/runtime.ts's `builtin`), as plain
// JavaScript does: a wrapper that calls the original it saved then calls the original.

const nativeMath = Math as unknown as Record<string, Function>;
const runtimeMath = differentiableMath as unknown as Record<string, unknown>;

/** The object rewritten code calls Math's functions on (`(0, __zy.Math.sin)(x)`). */
export const mathCalls = Object.freeze(
  onMath({
    ...runtimeMath,
    ...Object.fromEntries(
      Object.keys(runtimeMath).flatMap((key) => {
        const own = nativeMath[key];
        const runtime = runtimeMath[key];
        return typeof own === 'function' && typeof runtime === 'function' && own !== runtime ? [[key, calledAsInstalled(Math, key, own, runtime, 'owner')]] : [];
      }),
    ),
  }),
) as typeof differentiableMath;
