// Finite-difference gradients of functions of structures, to check structural gradients
// against (never against hand-derived numbers). `make` builds a fresh argument for each
// evaluation, so functions that mutate their argument can be checked too.

type Path = (string | number)[];

/** The paths of every number inside `x` (records, arrays, Maps by key). */
export function numberPaths(x: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (typeof x === 'number') out.push(path);
  else if (x instanceof Map) for (const [k, v] of x) numberPaths(v, [...path, k as string], out);
  else if (Array.isArray(x)) x.forEach((v, i) => numberPaths(v, [...path, i], out));
  else if (typeof x === 'object' && x !== null) for (const k of Object.keys(x)) numberPaths((x as Record<string, unknown>)[k], [...path, k], out);
  return out;
}

export function at(x: unknown, path: Path): unknown {
  let v = x;
  for (const k of path) v = v instanceof Map ? v.get(k) : (v as Record<string | number, unknown>)?.[k];
  return v;
}

function setAt(x: unknown, path: Path, value: number): void {
  const parent = at(x, path.slice(0, -1));
  const k = path[path.length - 1]!;
  if (parent instanceof Map) parent.set(k, value);
  else (parent as Record<string | number, unknown>)[k] = value;
}

/** Checks `gradient` (in the argument's shape) against central differences of `f(make())`. */
export function expectMatchesFiniteDifferences(
  f: (x: any) => number,
  make: () => unknown,
  grad: unknown,
  { h = 1e-6, tol = 1e-6 } = {},
): void {
  for (const path of numberPaths(make())) {
    const plus = make();
    setAt(plus, path, (at(plus, path) as number) + h);
    const minus = make();
    setAt(minus, path, (at(minus, path) as number) - h);
    const numeric = (f(plus) - f(minus)) / (2 * h);
    const g = (at(grad, path) as number | null | undefined) ?? 0;
    if (Math.abs(g - numeric) > tol * Math.max(1, Math.abs(numeric))) {
      throw new Error(`gradient at ${JSON.stringify(path)} is ${g}, finite differences give ${numeric}`);
    }
  }
}

/** Deep equality of structures with numbers compared to a relative tolerance. */
export function expectClose(actual: unknown, expected: unknown, tol = 1e-12, path = '$'): void {
  if (typeof expected === 'number') {
    if (typeof actual !== 'number' || Math.abs(actual - expected) > tol * Math.max(1, Math.abs(expected))) {
      throw new Error(`${path}: expected ${expected}, got ${String(actual)}`);
    }
  } else if (expected instanceof Map) {
    if (!(actual instanceof Map) || actual.size !== expected.size) throw new Error(`${path}: expected a Map of ${expected.size}`);
    for (const [k, v] of expected) expectClose(actual.get(k), v, tol, `${path}.get(${String(k)})`);
  } else if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) throw new Error(`${path}: expected an object, got ${String(actual)}`);
    const keys = Object.keys(expected);
    if (JSON.stringify(Object.keys(actual)) !== JSON.stringify(keys)) throw new Error(`${path}: keys ${Object.keys(actual)} ≠ ${keys}`);
    for (const k of keys) expectClose((actual as Record<string, unknown>)[k], (expected as Record<string, unknown>)[k], tol, `${path}.${k}`);
  } else if (actual !== expected) {
    throw new Error(`${path}: expected ${String(expected)}, got ${String(actual)}`);
  }
}
