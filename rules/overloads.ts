// User-defined operators. JavaScript cannot overload `+` for a class, but rewritten code
// sends `a + b` to the runtime, which asks the operands: a class that defines a method
// under one of these symbols gets `+ - * /` and unary `-` on its instances, as Julia's
// `Base.:+(a::Point, b::Point)` does. Without such a method, JavaScript's meaning stays.
//
// `a + b` calls `a[operators.add](b, false)` when `a` has the method, else
// `b[operators.add](a, true)` (`true`: the receiver is on the right, so `2 * p` works).
// `-a` calls `a[operators.neg]()`; `a ** b` calls `a[operators.pow](b, false)`.

/** The symbols under which a class defines its operators. */
export const operators = Object.freeze({
  add: Symbol.for('zygote-ts.operator.add'),
  sub: Symbol.for('zygote-ts.operator.sub'),
  mul: Symbol.for('zygote-ts.operator.mul'),
  div: Symbol.for('zygote-ts.operator.div'),
  pow: Symbol.for('zygote-ts.operator.pow'),
  neg: Symbol.for('zygote-ts.operator.neg'),
});

/** Returned when neither operand defines the operator. */
export const NOT_OVERLOADED: unique symbol = Symbol('not overloaded');

type OperatorMethod = (other: unknown, receiverOnRight: boolean) => unknown;

function methodOf(x: unknown, symbol: symbol): OperatorMethod | undefined {
  if ((typeof x !== 'object' && typeof x !== 'function') || x === null) return undefined;
  let method: unknown;
  try {
    method = (x as Record<symbol, unknown>)[symbol];
  } catch {
    // A revoked Proxy, or a trap that throws: no operator here. The operation then fails
    // as plain JavaScript's does, with its error and in its order (`a / revoked` converts
    // `a` first).
    return undefined;
  }
  return typeof method === 'function' ? (method as OperatorMethod) : undefined;
}

/** The user's operator on `a` and `b`, or NOT_OVERLOADED. */
export function overloaded(symbol: symbol, a: unknown, b: unknown): unknown {
  const left = methodOf(a, symbol);
  if (left !== undefined) return left.call(a, b, false);
  const right = methodOf(b, symbol);
  if (right !== undefined) return right.call(b, a, true);
  return NOT_OVERLOADED;
}

/** The user's unary minus on `a`, or NOT_OVERLOADED. */
export function overloadedNeg(a: unknown): unknown {
  const method = methodOf(a, operators.neg);
  return method !== undefined ? (method as () => unknown).call(a) : NOT_OVERLOADED;
}
