// Generic numbers: exact rationals (fraction.js), decimals (decimal.js), complex numbers
// (complex.js) — any class whose instances form a field with methods for + − × ÷ and
// negation. `numberField(Class)` gives its instances zygote-ts's operator symbols and marks
// them as scalars, so a traced value can hold one: its partials and cotangents are then
// instances too, and number literals meet them through the class's own methods (which
// accept numbers), so `gradient(x => 3*x**2 + 2*x + 1, new Fraction(1, 4))` is exactly 7/2.

import { registerScalarPrototype } from '../lib/core/scalars.js';
import { NOT_OVERLOADED, operators } from './overloads.js';

/** The method names of a field's operations (defaults: fraction.js / complex.js names). */
export interface FieldMethods {
  add: string;
  sub: string;
  mul: string;
  div: string;
  neg: string;
  pow?: string;
}

const DEFAULT_METHODS: FieldMethods = { add: 'add', sub: 'sub', mul: 'mul', div: 'div', neg: 'neg', pow: 'pow' };

type Field = Record<string, (...args: unknown[]) => unknown>;

/**
 * Lets zygote-ts differentiate with instances of `Class` as numbers.
 *
 * @example
 * import Fraction from 'fraction.js';
 * numberField(Fraction);
 * gradient((x) => 3 * x ** 2 + 2 * x + 1, new Fraction(1, 4)); // [Fraction 7/2]
 * // decimal.js: numberField(Decimal, { add: 'plus', sub: 'minus', mul: 'times', div: 'div', neg: 'neg', pow: 'pow' })
 */
export function numberField(Class: { readonly prototype: object; readonly name: string }, methods: FieldMethods = DEFAULT_METHODS): void {
  const proto = Class.prototype as Record<PropertyKey, unknown>;
  const make = (x: unknown) => new (Class as unknown as new (x: unknown) => Field)(x);
  for (const op of ['add', 'sub', 'mul', 'div', 'pow'] as const) {
    const name = methods[op];
    if (name === undefined) continue;
    if (typeof proto[name] !== 'function') {
      throw new TypeError(`zygote-ts: numberField: ${Class.name}.prototype.${name} is not a method (for ${op}); name the method in the second argument.`);
    }
    // `receiverOnRight`: `2 - x` arrives as x[sub](2, true) and means 2 − x.
    proto[operators[op]] = function fieldOperator(this: Field, other: unknown, receiverOnRight: boolean): unknown {
      const result = receiverOnRight ? make(other)[name]!(this) : this[name]!(other);
      // (no instance: fraction.js's pow gives null where the power is irrational, (1/3) ** 0.5.
      // JavaScript's own operator on the numbers then, as without numberField; null was taken
      // as 0: x ** 0.5 + 1 gave 1, derivative 0)
      return result === null || result === undefined ? NOT_OVERLOADED : result;
    };
  }
  const neg = methods.neg;
  proto[operators.neg] = function fieldNeg(this: Field): unknown {
    return this[neg]!();
  };
  registerScalarPrototype(proto);
}
