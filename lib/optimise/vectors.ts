// The few vector operations the solvers need, on Float64Arrays (a structure flattened by
// its layout, lib/tree/layout.ts).

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** The largest |element| (the ∞-norm). */
export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** y ← y + a·x */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < y.length; j++) y[j]! += a * x[j]!;
}

/** x + a·d, new. */
export function along(x: Float64Array, a: number, d: Float64Array): Float64Array {
  const out = Float64Array.from(x);
  axpy(a, d, out);
  return out;
}

/** a − b, new. */
export function difference(a: Float64Array, b: Float64Array): Float64Array {
  const out = Float64Array.from(a);
  axpy(-1, b, out);
  return out;
}

/** Whether every element is finite. */
export const allFinite = (a: Float64Array): boolean => a.every(Number.isFinite);
