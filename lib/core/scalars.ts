// Which objects are scalars: instances of classes registered as number-like fields
// (Fraction, Decimal, Complex, …). An argument that is one becomes a single tape input,
// like a number, instead of a structure with fields.

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
