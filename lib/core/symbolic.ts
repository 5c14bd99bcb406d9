// A symbolic number: what a traced value holds while `compileGradient` records f once.
//
// It carries its number for this run (so f's control flow runs as usual) and its place in
// the program being recorded (lib/compile/program.ts), so every operation on it becomes a
// line of generated code. Comparisons and truth tests on it become guards of the path.
// Wherever its number is read as a plain number in any other way — `+x`, a library reading
// `valueOf` — the program records a guard that this value is exactly that number again,
// so a compiled path is only reused when it computes the same thing.

export type Comparison = '<' | '<=' | '>' | '>=' | '===' | '!==' | '==' | '!=';
export type Arithmetic = '+' | '-' | '*' | '/';

/**
 * What a symbolic number needs of the program recording it. Results are symbolic numbers,
 * or plain numbers once the program has stopped recording (compileGradient finishes that
 * call eagerly).
 */
export interface Recorder {
  /** Records that value `id` must equal `value` for this path to be reused; returns `value`. */
  pin(id: number, value: number): number;
  /** Records `a op b` (the arithmetic rules' short way for symbolic operands). */
  arithmetic(op: Arithmetic, a: number | Symbolic, b: number | Symbolic): Symbolic | number;
  /** Records `f(...args)` for a plain-number function `f` (Math.sin, Math.sign, …). */
  call(f: (...args: number[]) => number, args: readonly (number | Symbolic)[]): Symbolic | number;
  /**
   * Math.max(a, b) (`max`) or Math.min(a, b) without a guard: the operand chosen, and
   * whether it is `a` (1 or 0, the partial for `a`).
   */
  pick(max: boolean, a: number | Symbolic, b: number | Symbolic): { value: Symbolic | number; first: Symbolic | number };
  /** Records the guard `(a op b) === result`; returns result. */
  compare(op: Comparison, a: number | Symbolic, b: number | Symbolic): boolean;
  /** Records the guard that `x`'s truthiness is what it is now; returns it. */
  truth(x: Symbolic): boolean;
}

export class Symbolic {
  // A private brand, asked without observable effects on user values (see `Traced.is`).
  #symbolic = true;
  static is(x: unknown): x is Symbolic {
    return typeof x === 'object' && x !== null && #symbolic in x;
  }

  declare readonly value: number;
  declare readonly id: number;
  declare readonly recorder: Recorder;

  constructor(value: number, id: number, recorder: Recorder) {
    this.value = value;
    this.id = id;
    this.recorder = recorder;
  }

  /** The number, read as a plain number: the path now depends on it exactly. */
  pin(): number {
    return this.recorder.pin(this.id, this.value);
  }

  valueOf(): number {
    return this.pin();
  }

  toString(radix?: number): string {
    return this.pin().toString(radix);
  }
}

/** True for a symbolic number (compileGradient's recording). */
export const isSymbolic = (x: unknown): x is Symbolic => Symbolic.is(x);

/** A symbolic number's plain value, pinned; anything else unchanged. */
export function unpin(x: unknown): unknown {
  return isSymbolic(x) ? x.pin() : x;
}

/** `f(...args)` for a plain-number function when some argument is symbolic, else null. */
export function callSymbolic(f: (...args: number[]) => number, args: readonly unknown[]): Symbolic | number | null {
  let recorder: Recorder | null = null;
  for (const x of args) if (isSymbolic(x)) recorder = x.recorder;
  if (recorder === null) return null;
  if (!args.every((x) => typeof x === 'number' || isSymbolic(x))) return null;
  return recorder.call(f, args as (number | Symbolic)[]);
}

/** `a op b` where either side may be symbolic (a guard when one is); sides already unwrapped. */
export function compareSymbolic(op: Comparison, a: unknown, b: unknown): boolean {
  if (!isSymbolic(a) && !isSymbolic(b)) return compareValues(op, a, b); // (not recording)
  const recorder = isSymbolic(a) ? a.recorder : (b as Symbolic).recorder;
  if ((typeof a === 'number' || isSymbolic(a)) && (typeof b === 'number' || isSymbolic(b))) return recorder.compare(op, a, b);
  return compareValues(op, unpin(a), unpin(b));
}

export function compareValues(op: Comparison, a: any, b: any): boolean {
  switch (op) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    case '===': return a === b;
    case '!==': return a !== b;
    // eslint-disable-next-line eqeqeq -- JavaScript's loose equality, on purpose
    case '==': return a == b;
    // eslint-disable-next-line eqeqeq
    case '!=': return a != b;
  }
}
