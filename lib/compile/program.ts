// The program `compileGradient` records: straight-line code for one path through f.
//
// Each instruction defines one value (its index is its id) or checks a guard. Operands
// are earlier values or constants. Symbolic numbers (lib/core/symbolic.ts) append
// instructions as f runs on them — the forward values and the local partials the rules
// compute; array operations append calls of their steps; then sweep.ts appends the
// reverse pass.

import { Symbolic, compareValues, type Arithmetic, type Comparison, type Recorder, isSymbolic } from '../core/symbolic.js';
import { registerScalarPrototype } from '../core/scalars.js';
import { NOT_OVERLOADED, operators } from '../../rules/overloads.js';
import { callerLine } from '../escapes.js';

/** Instruction codes. */
export const Op = {
  input: 0,
  add: 1,
  sub: 2,
  mul: 3,
  div: 4,
  pow: 5,
  neg: 6,
  /** f(a) or f(a, b) for a plain-number function `functions[fn]`. */
  call: 7,
  /** Guard: (a cmp b) === expected. */
  compare: 8,
  /** Guard: !!a === expected. */
  truth: 9,
  /** Guard: a is exactly the constant b. */
  pin: 10,
  /** calls[extra].fn(...calls[extra].args): an array operation's forward or backward. */
  apply: 11,
  /** Element `extra` of the list value a (one contribution of a backward). */
  part: 12,
  /** Object argument `extra` (an NDArray), read from `A`. */
  argument: 13,
  /**
   * A cotangent a times a partial b, 0 when a is 0: a zero cotangent contributes nothing,
   * even through an infinite partial, as in the eager sweep (lib/core/tape.ts).
   */
  scale: 14,
} as const;

/** An operand of an `apply`: a value (its id), a number, an object constant, or nothing (undefined). */
export type CallOperand = { readonly id: number } | { readonly constant: unknown };

export interface Call {
  readonly fn: (...args: any[]) => unknown;
  readonly args: readonly CallOperand[];
  /** What the call is, for the generated source (`matmul`, `matmul: backward`). */
  readonly label: string;
  /** The user's line that made the operation (a stack frame's text), or ''. */
  readonly site: string;
}

/** How an operand slot is filled. */
export const Slot = { none: 0, value: 1, constant: 2 } as const;

export const COMPARISONS: readonly Comparison[] = ['<', '<=', '>', '>=', '===', '!==', '==', '!='];

export type Operand = number | Symbolic;

// Columns of typed arrays, grown by doubling: a recording appends thousands of instructions.
export class Program implements Recorder {
  op: Uint8Array;
  /** Operand a and b: a value id (Slot.value) or a number (Slot.constant). */
  a: Float64Array;
  b: Float64Array;
  slotA: Uint8Array;
  slotB: Uint8Array;
  /** input: the input's index; call: the function's index; compare: the comparison's index in COMPARISONS. */
  extra: Int32Array;
  /** A guard's expected outcome (1 true, 0 false). */
  expected: Uint8Array;
  readonly functions: ((...args: number[]) => number)[] = [];
  /** Where each guard was taken, in the user's code (a stack line), by instruction. */
  readonly sites = new Map<number, string>();
  /** The calls of `apply` instructions. */
  readonly calls: Call[] = [];
  /** Values that are objects (arrays, lists of contributions), not numbers. */
  readonly objects = new Set<number>();
  inputCount = 0;
  length = 0;

  /** `capacity`: how many instructions to make room for at first (it grows as needed). */
  constructor(capacity = 1024) {
    this.op = new Uint8Array(capacity);
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
    this.slotA = new Uint8Array(capacity);
    this.slotB = new Uint8Array(capacity);
    this.extra = new Int32Array(capacity);
    this.expected = new Uint8Array(capacity);
  }

  /** A new input of the compiled function (the next leaf of its arguments). */
  input(value: number): Symbolic {
    return this.define(Op.input, 0, 0, Slot.none, Slot.none, this.inputCount++, value);
  }

  binary(code: number, x: Operand, y: Operand): Symbolic {
    const u = valueOf(x);
    const v = valueOf(y);
    let value: number;
    switch (code) {
      case Op.add: value = u + v; break;
      case Op.sub: value = u - v; break;
      case Op.mul:
        // x·1 is x exactly (NaN, ±0, ±∞ included): the sweep's seed is 1.
        if (y === 1 && isSymbolic(x)) return x;
        if (x === 1 && isSymbolic(y)) return y;
        // x·(-1) is -x exactly
        if (y === -1 && isSymbolic(x)) return this.neg(x);
        if (x === -1 && isSymbolic(y)) return this.neg(y);
        value = u * v;
        break;
      case Op.div: value = u / v; break;
      case Op.pow: value = u ** v; break;
      case Op.scale:
        if (y === 1 && isSymbolic(x)) return x;
        value = u === 0 ? 0 : u * v;
        break;
      default: throw new Error(`zygote-ts: not a binary instruction: ${code}`);
    }
    return this.define(code, operandA(x), operandA(y), slotOf(x), slotOf(y), 0, value);
  }

  /** A value computed by `fn(...args)` (an array operation); `value` is what it gave now. */
  apply(fn: (...args: any[]) => unknown, args: readonly CallOperand[], value: unknown, label: string, site = ''): number {
    const id = this.push(Op.apply, 0, 0, Slot.none, Slot.none, this.calls.push({ fn, args, label, site }) - 1, 0);
    if (typeof value !== 'number') this.objects.add(id);
    return id;
  }

  /** Element `index` of list value `list`; `object` when it is not a number. */
  part(list: number, index: number, object: boolean): number {
    const id = this.push(Op.part, list, 0, Slot.value, Slot.none, index, 0);
    if (object) this.objects.add(id);
    return id;
  }

  /** Object argument `index` (read from `A`). */
  argument(index: number): number {
    const id = this.push(Op.argument, 0, 0, Slot.none, Slot.none, index, 0);
    this.objects.add(id);
    return id;
  }

  arithmetic(op: Arithmetic, x: Operand, y: Operand): Symbolic {
    return this.binary(op === '+' ? Op.add : op === '-' ? Op.sub : op === '*' ? Op.mul : Op.div, x, y);
  }

  neg(x: Symbolic): Symbolic {
    return this.define(Op.neg, x.id, 0, Slot.value, Slot.none, 0, -x.value);
  }

  call(f: (...args: number[]) => number, args: readonly Operand[]): Symbolic {
    if (args.length > 2) throw new Error('zygote-ts: compileGradient records functions of one or two numbers');
    let fn = this.functions.indexOf(f);
    if (fn < 0) fn = this.functions.push(f) - 1;
    const x = args[0]!;
    if (args.length === 1) return this.define(Op.call, operandA(x), 0, slotOf(x), Slot.none, fn, f(valueOf(x)));
    const y = args[1]!;
    return this.define(Op.call, operandA(x), operandA(y), slotOf(x), slotOf(y), fn, f(valueOf(x), valueOf(y)));
  }

  compare(cmp: Comparison, x: Operand, y: Operand): boolean {
    const result = compareValues(cmp, valueOf(x), valueOf(y));
    this.guard(Op.compare, operandA(x), operandA(y), slotOf(x), slotOf(y), COMPARISONS.indexOf(cmp), result);
    return result;
  }

  truth(x: Symbolic): boolean {
    const result = !!x.value;
    this.guard(Op.truth, x.id, 0, Slot.value, Slot.none, 0, result);
    return result;
  }

  pin(id: number, value: number): number {
    this.guard(Op.pin, id, value, Slot.value, Slot.constant, 0, true);
    return value;
  }

  private define(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, value: number): Symbolic {
    const id = this.push(code, a, b, slotA, slotB, extra, 0);
    return new Symbolic(value, id, this);
  }

  private guard(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, expected: boolean): void {
    const id = this.push(code, a, b, slotA, slotB, extra, expected ? 1 : 0);
    const site = callerLine(new Error().stack);
    if (site !== '') this.sites.set(id, site);
  }

  /** Appends an instruction; returns its id. */
  push(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, expected: number): number {
    const i = this.length;
    if (i === this.op.length) this.grow();
    this.op[i] = code;
    this.a[i] = a;
    this.b[i] = b;
    this.slotA[i] = slotA;
    this.slotB[i] = slotB;
    this.extra[i] = extra;
    this.expected[i] = expected;
    this.length = i + 1;
    return i;
  }

  private grow(): void {
    const n = Math.max(16, this.op.length * 2);
    const grown = <T extends Uint8Array | Int32Array | Float64Array>(column: T, make: new (n: number) => T): T => {
      const next = new make(n);
      next.set(column);
      return next;
    };
    this.op = grown(this.op, Uint8Array);
    this.a = grown(this.a, Float64Array);
    this.b = grown(this.b, Float64Array);
    this.slotA = grown(this.slotA, Uint8Array);
    this.slotB = grown(this.slotB, Uint8Array);
    this.extra = grown(this.extra, Int32Array);
    this.expected = grown(this.expected, Uint8Array);
  }
}

const valueOf = (x: Operand): number => (typeof x === 'number' ? x : x.value);
/** An operand as the instruction stores it: a value's id, or the number itself. */
const operandA = (x: Operand): number => (typeof x === 'number' ? x : x.id);
const slotOf = (x: Operand): number => (typeof x === 'number' ? Slot.constant : Slot.value);

// ---- arithmetic on symbolic numbers (the runtime's operator protocol, rules/overloads.ts) ----
type SymbolicMethods = Record<symbol, (this: Symbolic, other?: unknown, receiverOnRight?: boolean) => unknown>;

function installOperators(): void {
  const proto = Symbolic.prototype as unknown as SymbolicMethods;
  const binaries: [symbol, number][] = [
    [operators.add, Op.add],
    [operators.sub, Op.sub],
    [operators.mul, Op.mul],
    [operators.div, Op.div],
    [operators.pow, Op.pow],
  ];
  for (const [symbol, code] of binaries) {
    proto[symbol] = function symbolicOperator(this: Symbolic, other: unknown, receiverOnRight?: boolean): unknown {
      // A value traced on a tape is not ours to combine: the rule goes on (and pins if it must).
      if (typeof other !== 'number' && !(isSymbolic(other) && other.recorder === this.recorder)) return NOT_OVERLOADED;
      const program = this.recorder as Program;
      return receiverOnRight ? program.binary(code, other, this) : program.binary(code, this, other);
    };
  }
  proto[operators.neg] = function symbolicNeg(this: Symbolic): unknown {
    return (this.recorder as Program).neg(this);
  };
  // A symbolic number is one leaf of an argument, like a number: one tape input.
  registerScalarPrototype(Symbolic.prototype);
}

installOperators();

/** The JavaScript operator of each binary instruction. */
export const BINARY_OPERATORS: Record<number, string> = {
  [Op.add]: '+',
  [Op.sub]: '-',
  [Op.mul]: '*',
  [Op.div]: '/',
  [Op.pow]: '**',
};
