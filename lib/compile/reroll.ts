// Loop rerolling: a recorded program is straight-line, so a loop in f that ran a thousand
// times is a thousand copies of its body. Generated code that long is slow to compile and
// too big for V8's optimising compiler, so repeated runs of instructions are folded back
// into loops. Two runs match when every instruction has the same code and constants and
// each value operand moves by the same step from one run to the next. (Inputs are not
// rerolled: they are read from X where they are.)

import { Op, Slot, type Program } from './program.js';

/** A run of straight instructions [start, end). */
export interface Straight {
  readonly kind: 'straight';
  readonly start: number;
  readonly end: number;
}

/**
 * `count` copies of a body of `period` instructions starting at `start`: instruction
 * start + t·period + j is instruction start + j with its value operands moved by
 * stepA[j]·t and stepB[j]·t.
 */
export interface Loop {
  readonly kind: 'loop';
  readonly start: number;
  readonly period: number;
  readonly count: number;
  readonly stepA: Int32Array;
  readonly stepB: Int32Array;
}

export type Segment = Straight | Loop;

const MAX_PERIOD = 96;
/** A loop must cover at least this many instructions and run at least three times. */
const MIN_COVERED = 24;

/** The segments of instructions [from, p.length). */
export function reroll(p: Program, from: number): Segment[] {
  const n = p.length;
  const segments: Segment[] = [];
  let straightFrom = from;
  let s = from;
  while (s < n) {
    const loop = longestLoopAt(p, s);
    if (loop === null) {
      s++;
      continue;
    }
    if (straightFrom < s) segments.push({ kind: 'straight', start: straightFrom, end: s });
    segments.push(loop);
    s += loop.period * loop.count;
    straightFrom = s;
  }
  if (straightFrom < n) segments.push({ kind: 'straight', start: straightFrom, end: n });
  return segments;
}

function longestLoopAt(p: Program, s: number): Loop | null {
  const { op } = p;
  const n = p.length;
  let best: Loop | null = null;
  const maxPeriod = Math.min(MAX_PERIOD, Math.floor((n - s) / 3));
  for (let period = 1; period <= maxPeriod; period++) {
    if (op[s + period] !== op[s]) continue;
    // A multiple of a period found repeats too, but covers no more.
    if (best !== null && period % best.period === 0) continue;
    const steps = stepsBetween(p, s, period);
    if (steps === null) continue;
    let count = 2;
    while (s + (count + 1) * period <= n && sameSteps(p, s + (count - 1) * period, period, steps)) count++;
    if (count < 3 || count * period < MIN_COVERED) continue;
    if (best === null || count * period > best.count * best.period) {
      best = { kind: 'loop', start: s, period, count, ...steps };
    }
  }
  return best;
}

type Steps = Pick<Loop, 'stepA' | 'stepB'>;

// The steps that turn the body at s into the body at s + period, or null where they differ
// in anything but value operands.
function stepsBetween(p: Program, s: number, period: number): Steps | null {
  const stepA = new Int32Array(period);
  const stepB = new Int32Array(period);
  for (let j = 0; j < period; j++) {
    const i = s + j;
    const k = i + period;
    if (!sameShape(p, i, k)) return null;
    if (p.slotA[i] === Slot.value) stepA[j] = p.a[k]! - p.a[i]!;
    else if (p.slotA[i] === Slot.constant && !sameConstant(p.a[k]!, p.a[i]!)) return null;
    if (p.slotB[i] === Slot.value) stepB[j] = p.b[k]! - p.b[i]!;
    else if (p.slotB[i] === Slot.constant && !sameConstant(p.b[k]!, p.b[i]!)) return null;
    if (p.extra[k] !== p.extra[i]) return null;
  }
  return { stepA, stepB };
}

function sameSteps(p: Program, s: number, period: number, steps: Steps): boolean {
  for (let j = 0; j < period; j++) {
    const i = s + j;
    const k = i + period;
    if (!sameShape(p, i, k)) return false;
    if (p.slotA[i] === Slot.value ? p.a[k]! - p.a[i]! !== steps.stepA[j] : p.slotA[i] === Slot.constant && !sameConstant(p.a[k]!, p.a[i]!)) return false;
    if (p.slotB[i] === Slot.value ? p.b[k]! - p.b[i]! !== steps.stepB[j] : p.slotB[i] === Slot.constant && !sameConstant(p.b[k]!, p.b[i]!)) return false;
    if (p.extra[k] !== p.extra[i]) return false;
  }
  return true;
}

/** Object.is for numbers, without the call (this runs once per instruction and copy). */
const sameConstant = (x: number, y: number): boolean => (x === y ? x !== 0 || 1 / x === 1 / y : x !== x && y !== y);

function sameShape(p: Program, i: number, k: number): boolean {
  // (array operations stay straight: each has its own call)
  return p.op[i] === p.op[k] && p.op[i] !== Op.apply && p.op[i] !== Op.part && p.op[i] !== Op.argument && p.slotA[i] === p.slotA[k] && p.slotB[i] === p.slotB[k] && p.expected[i] === p.expected[k];
}
