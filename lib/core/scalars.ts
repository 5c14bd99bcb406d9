// Which objects are scalars: instances of classes registered as number-like fields
// (Fraction, Decimal, Complex, …). An argument that is one becomes a single tape input,
// like a number, instead of a structure with fields.

import { isSymbolic } from './symbolic.js';
import { isTraced } from './traced.js';

const scalarPrototypes = new WeakSet<object>();

export function registerScalarPrototype(proto: object): void {
  scalarPrototypes.add(proto);
}

/** True for an instance of a registered scalar class. */
export function isScalarObject(x: unknown): boolean {
  if (typeof x !== 'object' || x === null) return false;
  for (let p = Object.getPrototypeOf(x) as object | null; p !== null; p = Object.getPrototypeOf(p) as object | null) {
    if (scalarPrototypes.has(p)) return true;
  }
  return false;
}

/**
 * True for a number field's instance (a Fraction, a Decimal), not compileGradient's symbolic
 * number (also registered, so that it is one tape input).
 */
export function isFieldInstance(x: unknown): boolean {
  return isScalarObject(x) && !isSymbolic(x);
}

/**
 * The field instance a traced value holds (under any traced layers), or undefined when it
 * holds a number. Plain JavaScript sees that instance: an object, of its class, equal only
 * to itself; a traced value that holds one must answer `typeof`, `instanceof` and `==` so.
 */
export function fieldInside(x: unknown): object | undefined {
  // (only a traced value's inside is looked at: the prototype walk of any other object, a
  // Proxy's, would run its getPrototypeOf trap where plain code runs none)
  if (!isTraced(x)) return undefined;
  do x = x.tracedValue;
  while (isTraced(x));
  return isFieldInstance(x) ? (x as object) : undefined;
}
