// Options given by name are not checked by a type checker in JavaScript: a misspelt or
// borrowed one (`maxIter`, `lr`, PyTorch's `betas`, scipy's `gtol`) was ignored, and the
// solver or optimiser ran with its default — minimize(f, x0, { method: 'adam', lr: 0.1 })
// stepped at 0.001, adam(0.01, { beta1: 0.5 }) kept b1 = 0.9 — with nothing said.

/** Refuses an option `caller` does not take, naming those it does. */
export function checkOptionNames(caller: string, options: unknown, names: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new TypeError(`zygote-ts: ${caller}: the options must be an object, got ${options === null ? 'null' : typeof options}.`);
  for (const key of Object.keys(options)) {
    if (!names.includes(key)) throw new TypeError(`zygote-ts: ${caller}: there is no option ${JSON.stringify(key)}; the options are ${names.join(', ')}.`);
  }
}

/** Refuses an iteration count that is not a whole number ≥ 0 (or Infinity), and a tolerance that is not a number ≥ 0. */
export function checkStopping(caller: string, maxIterations: number, tolerances: Record<string, number>): void {
  if (!(maxIterations >= 0 && (Number.isInteger(maxIterations) || maxIterations === Infinity))) {
    throw new RangeError(`zygote-ts: ${caller}: maxIterations must be a whole number ≥ 0, got ${String(maxIterations)}.`);
  }
  for (const [name, value] of Object.entries(tolerances)) {
    if (!(typeof value === 'number' && value >= 0)) throw new RangeError(`zygote-ts: ${caller}: ${name} must be a number ≥ 0, got ${String(value)}.`);
  }
}
