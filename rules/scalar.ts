// One-line definitions of scalar rules (the analogue of ChainRules' `@scalar_rule`).

// (first: rules are made while the imports after it may still be running, in a cycle)
import { madeByOwnCopy } from './own-copy.js';
import { innerTape, rowOn, isTracedOperand } from '../lib/core/traced.js';
import { convertsToPrimitive, eitherTraced, live, operandOn, toNumeric } from './operands.js';
import { refuseForeignTraced } from '../lib/core/foreign.js';
import { NDArray, isNDArray } from '../lib/ndarray.js';
import { isArrayOperation, lift1, lift2, type UnaryPartialForm } from './arrays/elementwise.js';
import { mul } from './arithmetic.js';
import { callSymbolic, isSymbolic } from '../lib/core/symbolic.js';

export type UnaryOp = (x: unknown) => any;
export type BinaryOp = (a: unknown, b: unknown) => any;

/**
 * A differentiable function of one number. `f` is the plain-number function; `partial(x, y)`
 * gives ∂y/∂x from the input `x` and the output `y`, written with the runtime's own
 * operations so it also works when `x` is traced on an outer tape (nesting). `form` is the
 * same partial on one array element (what `partial` computes on arrays, op by op), for
 * compiled code that fuses elementwise operations; without it they are not fused.
 */
export function unaryRule(name: string, f: (x: number) => number, partial: (x: unknown, y: unknown) => unknown, form?: UnaryPartialForm): UnaryOp {
  return madeByOwnCopy(`rules/${name}`, unaryEntry, name, f, partial, form, unaryNeeds);
}

// What the entries use, asked for when first used: a rule is made while the modules of a
// cycle of imports may not have run yet (and so are declarations, which exist by then).
function unaryNeeds() {
  return { isTracedOperand, isNDArray, lift1, isSymbolic, callSymbolic, convertsToPrimitive, toNumeric, live };
}

type UnaryNeeds = ReturnType<typeof unaryNeeds>;

// (each rule's own copy of this: rules/own-copy.ts; it reads nothing but its parameters)
function unaryEntry(name: string, f: (x: number) => number, partial: (x: unknown, y: unknown) => unknown, form: UnaryPartialForm | undefined, needsOf: () => UnaryNeeds): UnaryOp {
  let needs: UnaryNeeds | null = null;
  // (a method, as `op` is: a bundler keeping names wraps a function bound to a name in a helper
  // of its own, which the copy cannot reach; see rules/own-copy.ts)
  const traced = { traced(x: unknown): unknown {
    const { isTracedOperand, isNDArray, lift1, isSymbolic, callSymbolic, convertsToPrimitive, toNumeric, live } = (needs ??= needsOf());
    if (!isTracedOperand(x)) {
      if (isNDArray(x)) return (onArray ??= lift1(op, f, partial, form))(x); // elementwise, like numpy's ufuncs
      if (isSymbolic(x)) return callSymbolic(f, [x]); // compileGradient records the call
      // JavaScript's own coercion, but an object converting to a traced number keeps it
      return convertsToPrimitive(x) ? op(toNumeric(x)) : f(x as number);
    }
    if (!x.tracedTape.active) return op(live(x));
    const v = x.tracedValue;
    const y = typeof v === 'number' ? f(v) : op(v);
    return x.tracedTape.push(y, x.tracedIndex, partial(v, y), -1, 0);
  } }.traced;
  // The entry stays tiny so that V8 inlines it: plain numbers go straight to `f`.
  const op: UnaryOp = {
    [name](x: unknown): any {
      return typeof x === 'number' ? f(x) : traced(x);
    },
  }[name]!;
  // Made on first use: the array module imports this one (a cycle that must not run at load).
  let onArray: ((x: NDArray) => unknown) | undefined;
  return op;
}

/**
 * A differentiable function of two numbers; `partials(a, b, y)` returns [∂y/∂a, ∂y/∂b].
 * An object operand is converted as the function's JavaScript counterpart converts it:
 * an operator by ToNumeric (a BigInt stays one), a `Math` function by ToNumber (a BigInt
 * throws, before the next operand is converted).
 */
export function binaryRule(
  name: string,
  f: (a: number, b: number) => number,
  partials: (a: unknown, b: unknown, y: unknown) => [unknown, unknown],
  convert: (x: unknown) => unknown = toNumeric,
): BinaryOp {
  return madeByOwnCopy(`rules/${name}`, binaryEntry, name, f, partials, convert, binaryNeeds);
}

function binaryNeeds() {
  return { isArrayOperation, convertsToPrimitive, innerTape, eitherTraced, live, isSymbolic, callSymbolic, refuseForeignTraced, operandOn, rowOn, lift2, mul };
}

type BinaryNeeds = ReturnType<typeof binaryNeeds>;

// (each rule's own copy of this: rules/own-copy.ts; it reads nothing but its parameters)
function binaryEntry(
  name: string,
  f: (a: number, b: number) => number,
  partials: (a: unknown, b: unknown, y: unknown) => [unknown, unknown],
  convert: (x: unknown) => unknown,
  needsOf: () => BinaryNeeds,
): BinaryOp {
  let needs: BinaryNeeds | null = null;
  // (methods: see unaryEntry)
  const traced = { traced(a: unknown, b: unknown): unknown {
    const { isArrayOperation, convertsToPrimitive, innerTape, eitherTraced, live, isSymbolic, callSymbolic, refuseForeignTraced, operandOn, rowOn } = (needs ??= needsOf());
    if (isArrayOperation(a, b)) return (onArrays ??= liftPartials())(a, b);
    if (convertsToPrimitive(a) || convertsToPrimitive(b)) return op(convert(a), convert(b));
    const t = innerTape(a, b);
    if (t === null) {
      if (eitherTraced(a, b)) return op(live(a), live(b));
      return isSymbolic(a) || isSymbolic(b) ? (callSymbolic(f, [a, b]) ?? f(a as number, b as number)) : f(refuseForeignTraced(a) as number, refuseForeignTraced(b) as number);
    }
    const x = operandOn(a, t);
    const y = operandOn(b, t);
    const z = op(x, y);
    const [da, db] = partials(x, y, z);
    return t.push(z, rowOn(a, t), da, rowOn(b, t), db);
  } }.traced;
  const op: BinaryOp = {
    [name](a: unknown, b: unknown): any {
      return typeof a === 'number' && typeof b === 'number' ? f(a, b) : traced(a, b);
    },
  }[name]!;
  let onArrays: ((a: unknown, b: unknown) => unknown) | undefined;
  const { liftPartials } = {
    liftPartials(): (a: unknown, b: unknown) => unknown {
      const { lift2, mul } = (needs ??= needsOf());
      return lift2(name, f, (g, x, y, z) => {
        const [da, db] = partials(x, y, z);
        return [mul(g, da), mul(g, db)];
      });
    },
  };
  return op;
}

/** A function whose derivative is zero wherever it exists (rounding, sign, bit operations). */
export function zeroDerivative1(name: string, f: (x: number) => number): UnaryOp {
  return unaryRule(name, f, () => 0, (e) => e.constant(0));
}

export function zeroDerivative2(name: string, f: (a: number, b: number) => number, convert?: (x: unknown) => unknown): BinaryOp {
  return binaryRule(name, f, () => [0, 0], convert);
}
