// The instruction set of a compiled program (program.ts records it, reroll.ts stores it,
// codegen.ts writes it as JavaScript).

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
  /**
   * Math.max(a, b) (extra 0) or Math.min(a, b) (extra 1), as the operand chosen: the first
   * when it is NaN, or when it is the result (ties between +0 and -0 as Math.max decides).
   * Recorded without a guard, so a loop whose kinks fall differently on each call keeps
   * one path and rerolls (issue 15).
   */
  pick: 15,
  /** The partial for a of `pick` with the same operands: 1 when it chooses a, ½ when a and b tie, else 0. */
  picked: 16,
} as const;

/** How an operand slot is filled. */
export const Slot = { none: 0, value: 1, constant: 2 } as const;

import type { Comparison } from '../core/symbolic.js';
import { callerLine } from '../escapes.js';
import type { Fusion } from './fuse.js';

export type { Comparison };

export const COMPARISONS: readonly Comparison[] = ['<', '<=', '>', '>=', '===', '!==', '==', '!='];

/** The JavaScript operator of each binary instruction. */
export const BINARY_OPERATORS: Record<number, string> = {
  [Op.add]: '+',
  [Op.sub]: '-',
  [Op.mul]: '*',
  [Op.div]: '/',
  [Op.pow]: '**',
};

/** Guards: instructions that define no value but end the path when they fail. */
export const isGuard = (code: number): boolean => code === Op.compare || code === Op.truth || code === Op.pin;

/** Instructions that take part in loops (array operations and their parts each keep their own line). */
export const isLoopable = (code: number): boolean => code !== Op.apply && code !== Op.part && code !== Op.argument && code !== Op.input;

/** An operand of an `apply`: a value (its id), a number, an object constant, or nothing (undefined). */
export type CallOperand = { readonly id: number } | { readonly constant: unknown };

export interface Call {
  readonly fn: (...args: any[]) => unknown;
  readonly args: readonly CallOperand[];
  /** What the call is, for the generated source (`matmul`, `matmul: backward`). */
  readonly label: string;
  /** The user's line that made the operation. */
  readonly site: UserSite;
  /** For an elementwise operation, its backward, or a sum of cotangents: what fusing it needs (fuse.ts). */
  readonly fusion?: Fusion;
}

/**
 * Where the user's code made an instruction: the stack is taken when it is made, and written
 * as text (a frame's, source-mapped: slow) only when asked, for a message or the source.
 */
export class UserSite {
  private text: string | null = null;
  constructor(private readonly error: Error | null) {}
  /** Takes the stack here. */
  static here(): UserSite {
    return new UserSite(new Error());
  }
  toString(): string {
    return (this.text ??= this.error === null ? '' : callerLine(this.error.stack));
  }
}

export const NO_SITE = new UserSite(null);

/** Object.is for numbers, without the call (this runs once per instruction and copy). */
export const sameConstant = (x: number, y: number): boolean => (x === y ? x !== 0 || 1 / x === 1 / y : x !== x && y !== y);

/** `picked`: a's share of the derivative of Math.max(a, b) (or min; rules/math.ts): a tie splits it. */
export function firstShare(max: boolean, a: number, b: number): number {
  if (a !== a) return 1;
  if (b !== b) return 0;
  if (a === b) return 0.5;
  return (max ? a > b : a < b) ? 1 : 0;
}

/** Whether `pick` chooses a (max when `max`, else min): a when NaN, or when it is the result. */
export function picksFirst(max: boolean, a: number, b: number): boolean {
  if (a !== a) return true;
  if (b !== b) return false;
  if (a === b) return max ? 1 / a >= 1 / b : 1 / a <= 1 / b;
  return max ? a > b : a < b;
}
