// The program `compileGradient` records: straight-line code for one path through f.
//
// Each instruction defines one value (its id) or checks a guard. Operands are earlier
// values or constants. Symbolic numbers (lib/core/symbolic.ts) append instructions as f
// runs on them — the forward values and the local partials the rules compute; array
// operations append calls of their steps; then sweep.ts appends the reverse pass. The
// instructions are stored as reroll.ts folds them into loops, as they arrive.
//
// Once the recording is abandoned (past the budget, or f does what compiled code cannot
// follow) every operation here computes plain numbers: f runs on to its end as an eager
// differentiation would, and the call's gradient comes from the eager sweep (index.ts).

import { Symbolic, compareValues, type Arithmetic, type Recorder, isSymbolic } from '../core/symbolic.js';
import { registerScalarPrototype } from '../core/scalars.js';
import { isTracedOperand, primal, type Traced } from '../core/traced.js';
import { NOT_OVERLOADED, operators } from '../../rules/overloads.js';
import { COMPARISONS, firstShare, NO_SITE, Op, picksFirst, Slot, UserSite, type Call, type CallOperand, type Comparison } from './instructions.js';
import { Instructions } from './reroll.js';
import type { Fusion } from './fuse.js';

export { BINARY_OPERATORS, COMPARISONS, Op, Slot, type Call, type CallOperand } from './instructions.js';

export type Operand = number | Symbolic;

/** Guards whose place in the user's code is kept (for the notes atop the generated source). */
const SITES = 20;

export class Program extends Instructions implements Recorder {
  readonly functions: ((...args: number[]) => number)[] = [];
  /** Where the first guards were taken, in the user's code, by instruction. */
  readonly sites = new Map<number, { site: UserSite; what: string }>();
  /** How many guards were recorded. */
  guards = 0;
  /** The calls of `apply` instructions. */
  readonly calls: Call[] = [];
  /** Values that are objects (arrays, lists of contributions), not numbers. */
  readonly objects = new Set<number>();

  /** A new input of the compiled function (the next leaf of its arguments). */
  input(value: number): Symbolic {
    return new Symbolic(value, this.newInput(), this);
  }

  binary(code: number, x: Operand, y: Operand): Symbolic | number {
    const u = valueOf(x);
    const v = valueOf(y);
    let value: number;
    switch (code) {
      case Op.add: value = u + v; break;
      case Op.sub: value = u - v; break;
      // (no shortcut for x·1: a constant that is 1 in one iteration of a loop and not in the
      // next would make the copies differ, and the loop would not reroll; V8 folds x·1 itself)
      case Op.mul: value = u * v; break;
      case Op.div: value = u / v; break;
      case Op.pow: value = u ** v; break;
      case Op.scale: value = u === 0 || v === 0 ? 0 : u * v; break; // (as codegen writes it)
      default: throw new Error(`zygote-ts: not a binary instruction: ${code}`);
    }
    return this.define(code, operandA(x), operandA(y), slotOf(x), slotOf(y), 0, value);
  }

  /** A value computed by `fn(...args)` (an array operation); `value` is what it gave now. Returns its id (-1: abandoned). */
  apply(fn: (...args: any[]) => unknown, args: readonly CallOperand[], value: unknown, label: string, site = NO_SITE, fusion?: Fusion): number {
    const id = this.push(Op.apply, 0, 0, Slot.none, Slot.none, this.calls.length, 0);
    if (id < 0) return id;
    this.calls.push({ fn, args, label, site, fusion });
    if (typeof value !== 'number') this.objects.add(id);
    return id;
  }

  /** Element `index` of list value `list`; `object` when it is not a number. */
  part(list: number, index: number, object: boolean): number {
    const id = this.push(Op.part, list, 0, Slot.value, Slot.none, index, 0);
    if (object && id >= 0) this.objects.add(id);
    return id;
  }

  /** Object argument `index` (read from `A`). */
  argument(index: number): number {
    const id = this.push(Op.argument, 0, 0, Slot.none, Slot.none, index, 0);
    this.objects.add(id);
    return id;
  }

  arithmetic(op: Arithmetic, x: Operand, y: Operand): Symbolic | number {
    return this.binary(op === '+' ? Op.add : op === '-' ? Op.sub : op === '*' ? Op.mul : Op.div, x, y);
  }

  neg(x: Symbolic): Symbolic | number {
    return this.define(Op.neg, x.id, 0, Slot.value, Slot.none, 0, -x.value);
  }

  call(f: (...args: number[]) => number, args: readonly Operand[]): Symbolic | number {
    if (args.length > 2) return this.callOfMany(f, args);
    let fn = this.functions.indexOf(f);
    if (fn < 0) fn = this.functions.push(f) - 1;
    const x = this.own(args[0]!);
    if (args.length === 1) return this.define(Op.call, operandA(x), 0, slotOf(x), Slot.none, fn, f(valueOf(x)));
    const y = this.own(args[1]!);
    return this.define(Op.call, operandA(x), operandA(y), slotOf(x), slotOf(y), fn, f(valueOf(x), valueOf(y)));
  }

  /**
   * `f` of three or more numbers (`Math.hypot(x, y, z)`), as calls of two: the arguments are
   * gathered, in order, by calls that each pass on how many are held (so that each depends on
   * the one before and none is dead), and the last calls `f` on them all. The value is then
   * `f`'s own (taking Math.hypot two at a time rounds more than once), and the calls are the
   * same in every copy of a loop's body, which still rerolls.
   */
  private callOfMany(f: (...args: number[]) => number, args: readonly Operand[]): Symbolic | number {
    let held = this.call(gatherFirst, [args[0]!, args[1]!]);
    for (let k = 2; k < args.length - 1; k++) held = this.call(gatherNext, [held, args[k]!]);
    let last = calledOnGathered.get(f);
    if (last === undefined) calledOnGathered.set(f, (last = (count: number, x: number) => (count === 2 ? f(gathered[0]!, gathered[1]!, x) : f(...gathered.slice(0, count), x))));
    const h = this.own(held);
    const x = this.own(args[args.length - 1]!);
    const value = f(...args.map((a) => valueOf(this.own(a))));
    const id = this.push(Op.call, operandA(h), operandA(x), slotOf(h), slotOf(x), this.functionIndex(last), 0);
    return id < 0 ? value : new Symbolic(value, id, this);
  }

  private functionIndex(f: (...args: number[]) => number): number {
    const fn = this.functions.indexOf(f);
    return fn < 0 ? this.functions.push(f) - 1 : fn;
  }

  /** Math.max(x, y) (or min) as the operand chosen, and x's share of its derivative (1, ½ or 0): no guard. */
  pick(max: boolean, x: Operand, y: Operand): { value: Symbolic | number; first: Symbolic | number } {
    x = this.own(x);
    y = this.own(y);
    const first = picksFirst(max, valueOf(x), valueOf(y));
    const extra = max ? 0 : 1;
    return {
      value: this.define(Op.pick, operandA(x), operandA(y), slotOf(x), slotOf(y), extra, first ? valueOf(x) : valueOf(y)),
      first: this.define(Op.picked, operandA(x), operandA(y), slotOf(x), slotOf(y), extra, firstShare(max, valueOf(x), valueOf(y))),
    };
  }

  compare(cmp: Comparison, x: Operand, y: Operand): boolean {
    x = this.own(x);
    y = this.own(y);
    const result = compareValues(cmp, valueOf(x), valueOf(y));
    this.guard(Op.compare, operandA(x), operandA(y), slotOf(x), slotOf(y), COMPARISONS.indexOf(cmp), result, `a comparison (${cmp})`);
    return result;
  }

  truth(x: Symbolic): boolean {
    const result = !!x.value;
    this.guard(Op.truth, x.id, 0, Slot.value, Slot.none, 0, result, 'a truth test');
    return result;
  }

  pin(id: number, value: number): number {
    this.guard(Op.pin, id, value, Slot.value, Slot.constant, 0, true, 'a number read as a plain number');
    return value;
  }

  /**
   * An operand as this program holds it. A symbolic number of another recording (an enclosing
   * compileGradient's, which f reached through a closure) is a constant here, read as a plain
   * number: the other recording's path depends on it exactly (its instructions are not ours).
   * A number traced by another differentiation would be a constant of the compiled code too,
   * and this call's gradient would lose its derivative through it: the recording stops, and
   * the call runs uncompiled (index.ts). (A compiled gradient called inside a differentiation
   * runs uncompiled from the start, so what reaches here is a traced number kept from one
   * that has ended, which the clean-up did not reach: that call runs uncompiled too.)
   */
  own(x: Operand | Traced): Operand {
    if (typeof x === 'number') return x;
    if (isSymbolic(x)) return x.recorder === this ? x : x.pin();
    this.readsEnclosingTrace = true;
    this.abandon('f reads a number traced by an enclosing differentiation');
    return primal(x);
  }

  /** Whether f read a number traced by an enclosing differentiation (see {@link own}). */
  readsEnclosingTrace = false;

  private define(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, value: number): Symbolic | number {
    const id = this.push(code, a, b, slotA, slotB, extra, 0);
    return id < 0 ? value : new Symbolic(value, id, this);
  }

  private guard(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, expected: boolean, what: string): void {
    const id = this.push(code, a, b, slotA, slotB, extra, expected ? 1 : 0);
    if (id < 0) return;
    // (only the first guards' places are kept, and written only for the source)
    if (this.guards++ < SITES) this.sites.set(id, { site: UserSite.here(), what });
  }
}

const valueOf = (x: Operand): number => (typeof x === 'number' ? x : x.value);

// The arguments of a call of three or more numbers, gathered by the calls before it (see
// `callOfMany`): compiled code runs them one after the other, with nothing in between.
const gathered: number[] = [];
const gatherFirst = (x: number, y: number): number => ((gathered[0] = x), (gathered[1] = y), 2);
const gatherNext = (count: number, x: number): number => ((gathered[count] = x), count + 1);
/** For each function called on three or more numbers, the call that takes the last one and calls it on all. */
const calledOnGathered = new WeakMap<Function, (count: number, x: number) => number>();
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
      const program = this.recorder as Program;
      // (a number traced by an enclosing differentiation stops the recording: see `own`)
      if (isTracedOperand(other)) other = program.own(other);
      if (typeof other !== 'number' && !(isSymbolic(other) && other.recorder === this.recorder)) return NOT_OVERLOADED;
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
