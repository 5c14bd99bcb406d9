// Loop rerolling, while f is recorded. A recorded program is straight-line, so a loop in f
// that ran a million times would be a million copies of its body: too much memory to
// record, too much code to generate (V8 gives up on a function that long, or overflows its
// stack parsing it). So the instructions are stored as they arrive, and as soon as the
// last three runs of some period match — the same code and operand kinds, each value
// operand moving by the same step from one run to the next — those runs become a loop,
// and each later instruction is only checked against the loop's body: a copy that matches
// costs no storage. The first instruction that does not match ends the loop (the copy it
// interrupts is stored as straight instructions again).
//
// Bodies may differ in data: a constant that changes from copy to copy (`s0 * c[i]`) or a
// guard whose outcome does (`x > 0` true in one copy, false in the next, the same code
// either way) is kept in a table, one entry per copy. What still does not reroll: copies
// whose code differs (a branch that runs other operations on some iterations; each change
// ends the loop, and a new one starts three copies later), and nested loops (an inner loop
// rerolls, but each copy of the outer body keeps its own inner loop and straight code).
//
// Ids stay those of the straight program: copy t of a loop's body instruction j is
// instruction start + t·period + j. Inputs are ids [0, inputCount) and take no storage.
// Past `budget` stored instructions (plus table entries / TABLE_WEIGHT), the recording is
// abandoned: compileGradient finishes that call eagerly (program.ts, index.ts).

import { isLoopable, Op, sameConstant, Slot } from './instructions.js';

/** Instructions [start, end), stored at [phys, phys + end - start). */
export interface Straight {
  readonly kind: 'straight';
  readonly start: number;
  end: number;
  readonly phys: number;
}

/**
 * `count` copies of a body of `period` instructions starting at id `start`, the body stored
 * at [phys, phys + period) (it is copy 0). Instruction start + t·period + j is body
 * instruction j with its value operands moved by stepA[j]·t and stepB[j]·t, its constants
 * (and a guard's expected outcome) from the tables where they differ between copies.
 */
export interface Loop {
  readonly kind: 'loop';
  readonly start: number;
  readonly period: number;
  count: number;
  readonly phys: number;
  readonly stepA: Int32Array;
  readonly stepB: Int32Array;
  readonly tableA: (Float64Array | null)[];
  readonly tableB: (Float64Array | null)[];
  readonly tableExpected: (Uint8Array | null)[];
  /** How many copies each body instruction's operands stay valid for (reads of inputs or of another loop's copies). */
  readonly limit: Float64Array;
}

export type Segment = Straight | Loop;

// (one class, so that the loop's fields are read from one shape on every instruction it checks)
class LoopSegment implements Loop {
  readonly kind = 'loop' as const;
  readonly tableA: (Float64Array | null)[];
  readonly tableB: (Float64Array | null)[];
  readonly tableExpected: (Uint8Array | null)[];
  constructor(
    readonly start: number,
    readonly period: number,
    public count: number,
    readonly phys: number,
    readonly stepA: Int32Array,
    readonly stepB: Int32Array,
    readonly limit: Float64Array,
  ) {
    this.tableA = new Array<Float64Array | null>(period).fill(null);
    this.tableB = new Array<Float64Array | null>(period).fill(null);
    this.tableExpected = new Array<Uint8Array | null>(period).fill(null);
  }
}

/** Longest body looked for. */
const MAX_PERIOD = 2048;
/** A loop covers at least this many instructions, in at least three copies. */
const MIN_COVERED = 24;
const MIN_COPIES = 3;
/** Table entries are cheaper than instructions: this many count as one against the budget. */
export const TABLE_WEIGHT = 16;
// Candidate periods come from where the last K instructions' shapes were last seen (WAYS places each).
const K = 4;
const WAYS = 4;
const HASH_BITS = 14;
const MAX_WAIT = 32;

/** The recorded instructions: stored columns, segments, and the rerolling as they arrive. */
export class Instructions {
  op: Uint8Array;
  /** Operand a and b: a value id (Slot.value) or a number (Slot.constant). */
  a: Float64Array;
  b: Float64Array;
  slotA: Uint8Array;
  slotB: Uint8Array;
  /** call: the function's index; compare: the comparison's index in COMPARISONS; pick: 0 max, 1 min; part, argument, apply: their index. */
  extra: Int32Array;
  /** A guard's expected outcome (1 true, 0 false). */
  expected: Uint8Array;
  /** Stored instructions (straight ones and loop bodies). */
  stored = 0;
  /** Instructions recorded: the next id. */
  length = 0;
  inputCount = 0;
  readonly segments: Segment[] = [];
  /** Why the recording was abandoned (it grew past the budget, or f did what compiled code cannot follow), or null. */
  abandoned: string | null = null;
  /** Called once when the recording is abandoned. */
  onAbandon: (() => void) | null = null;

  private loop: Loop | null = null;
  /** Instructions of the current copy of `loop` recorded so far. */
  private partial = 0;
  private tableEntries = 0;
  private readonly seen = new Int32Array(WAYS << HASH_BITS);
  private detectWork = 0;
  /** Where the next search for a loop may start, and the wait after a search that found none (doubling up to MAX_WAIT). */
  private nextSearch = 0;
  private wait = 1;

  /** `budget`: how many instructions may be stored (those that fold into loops are not). */
  constructor(readonly budget: number = Infinity, capacity = 1024) {
    this.op = new Uint8Array(capacity);
    this.a = new Float64Array(capacity);
    this.b = new Float64Array(capacity);
    this.slotA = new Uint8Array(capacity);
    this.slotB = new Uint8Array(capacity);
    this.extra = new Int32Array(capacity);
    this.expected = new Uint8Array(capacity);
  }

  /** A new input (ids [0, inputCount), before any instruction). */
  protected newInput(): number {
    if (this.length !== this.inputCount) throw new Error('zygote-ts: internal error: an input recorded after an instruction');
    this.inputCount++;
    return this.length++;
  }

  /** Stops recording: every later operation computes plain numbers (the call finishes eagerly). */
  abandon(reason: string): void {
    if (this.abandoned !== null) return;
    this.abandoned = reason;
    this.onAbandon?.();
  }

  /** Ends recording for good (f has returned): later operations compute plain numbers. */
  close(): void {
    this.closed = true;
  }
  private closed = false;

  /**
   * Appends what `write` appends after f has returned (the reverse pass, written when a second
   * call needs it): no user code runs meanwhile, so no operation of f's is recorded by mistake.
   */
  appendAfterClose<T>(write: () => T): T {
    this.closed = false;
    try {
      return write();
    } finally {
      this.closed = true;
    }
  }

  /** Appends an instruction; returns its id (-1 once the recording is abandoned or closed). */
  push(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, expected: number): number {
    if (this.abandoned !== null || this.closed) return -1;
    if (this.loop !== null) {
      // (a copy that matches is not stored, but its data may grow a table past the budget)
      if (this.matches(code, a, b, slotA, slotB, extra, expected)) return this.abandoned === null ? this.length++ : -1;
      this.endLoop();
    }
    const id = this.store(code, a, b, slotA, slotB, extra, expected);
    if (this.overBudget()) return -1;
    if (isLoopable(code)) this.detect();
    return this.abandoned === null ? id : -1;
  }

  /** Abandons the recording once its stored instructions and table entries pass the budget; true if they did. */
  private overBudget(): boolean {
    if (this.stored + this.tableEntries / TABLE_WEIGHT <= this.budget) return false;
    const tables = this.tableEntries > 0 ? ` (with ${this.tableEntries} entries of loops' tables of data, ${TABLE_WEIGHT} counting as one)` : '';
    this.abandon(`the recorded program passed its budget of ${this.budget} instructions that do not fold into loops${tables}`);
    return true;
  }

  /** Ends the recording: a loop still open is closed (call before reading the segments). */
  finish(): void {
    if (this.loop !== null) this.endLoop();
  }

  /** The index in `segments` of the segment holding id `id` (not an input). */
  segmentOf(id: number): number {
    const s = this.segments;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.start <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Where instruction `id` is stored: its straight row, or its loop's body row. */
  physOf(id: number): number {
    const seg = this.segments[this.segmentOf(id)]!;
    return seg.kind === 'straight' ? seg.phys + (id - seg.start) : seg.phys + ((id - seg.start) % seg.period);
  }

  // ---- storage ------------------------------------------------------------------------

  private store(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, expected: number): number {
    let seg = this.segments[this.segments.length - 1];
    if (seg === undefined || seg.kind !== 'straight') {
      seg = { kind: 'straight', start: this.length, end: this.length, phys: this.stored };
      this.segments.push(seg);
    }
    const i = this.stored;
    if (i === this.op.length) this.grow();
    this.op[i] = code;
    this.a[i] = a;
    this.b[i] = b;
    this.slotA[i] = slotA;
    this.slotB[i] = slotB;
    this.extra[i] = extra;
    this.expected[i] = expected;
    this.stored = i + 1;
    seg.end++;
    return this.length++;
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

  // ---- an open loop: each instruction checked against the body --------------------------

  private matches(code: number, a: number, b: number, slotA: number, slotB: number, extra: number, expected: number): boolean {
    const L = this.loop!;
    const j = this.partial;
    const t = L.count;
    const k = L.phys + j;
    if (this.op[k] !== code || this.slotA[k] !== slotA || this.slotB[k] !== slotB || this.extra[k] !== extra || t >= L.limit[j]!) return false;
    if (slotA === Slot.value && a !== this.a[k]! + L.stepA[j]! * t) return false;
    if (slotB === Slot.value && b !== this.b[k]! + L.stepB[j]! * t) return false;
    // Data that differs from the body's goes to the copy's entry in a table. (`!==` passes
    // the body's own constant at once; NaN and ±0 go on to the exact test.)
    if (slotA === Slot.constant && (a !== this.a[k] || a === 0 || L.tableA[j] !== null)) this.tableA(L, j, t, a);
    if (slotB === Slot.constant && (b !== this.b[k] || b === 0 || L.tableB[j] !== null)) this.tableB(L, j, t, b);
    if (this.expected[k] !== expected || L.tableExpected[j] !== null) this.tableExpected(L, j, t, expected);
    if (++this.partial === L.period) {
      L.count++;
      this.partial = 0;
    }
    return true;
  }

  private tableA(L: Loop, j: number, t: number, x: number): void {
    const table = L.tableA[j];
    if (table === null && sameConstant(x, this.a[L.phys + j]!)) return;
    L.tableA[j] = this.put(table ?? null, this.a[L.phys + j]!, t, x);
  }

  private tableB(L: Loop, j: number, t: number, x: number): void {
    const table = L.tableB[j];
    if (table === null && sameConstant(x, this.b[L.phys + j]!)) return;
    L.tableB[j] = this.put(table ?? null, this.b[L.phys + j]!, t, x);
  }

  private tableExpected(L: Loop, j: number, t: number, x: number): void {
    let table = L.tableExpected[j] ?? null;
    if (table === null) {
      table = new Uint8Array(Math.max(16, 2 * t)).fill(this.expected[L.phys + j]!);
      this.tableEntries += table.length;
      this.overBudget();
    } else if (t >= table.length) {
      const next = new Uint8Array(2 * table.length);
      next.set(table);
      this.tableEntries += table.length;
      this.overBudget();
      table = next;
    }
    table[t] = x;
    L.tableExpected[j] = table;
  }

  /** Entry t of a constant table (made from the body's constant `body` when there is none yet). */
  private put(table: Float64Array | null, body: number, t: number, x: number): Float64Array {
    if (table === null) {
      table = new Float64Array(Math.max(16, 2 * t)).fill(body);
      this.tableEntries += table.length;
      this.overBudget();
    } else if (t >= table.length) {
      const next = new Float64Array(2 * table.length);
      next.set(table);
      this.tableEntries += table.length;
      this.overBudget();
      table = next;
    }
    table[t] = x;
    return table;
  }

  /** Closes the open loop; a copy it interrupted is stored as straight instructions. */
  private endLoop(): void {
    const L = this.loop!;
    const done = this.partial;
    this.loop = null;
    this.partial = 0;
    const t = L.count;
    const first = L.start + t * L.period;
    const length = this.length;
    this.length = first; // (the interrupted copy's ids are stored again, in order)
    for (let j = 0; j < done; j++) {
      const k = L.phys + j;
      const a = this.slotA[k] === Slot.value ? this.a[k]! + L.stepA[j]! * t : (L.tableA[j]?.[t] ?? this.a[k]!);
      const b = this.slotB[k] === Slot.value ? this.b[k]! + L.stepB[j]! * t : (L.tableB[j]?.[t] ?? this.b[k]!);
      const expected = L.tableExpected[j]?.[t] ?? this.expected[k]!;
      this.store(this.op[k]!, a, b, this.slotA[k]!, this.slotB[k]!, this.extra[k]!, expected);
    }
    if (this.length !== length) throw new Error('zygote-ts: internal error: a loop closed out of step');
  }

  // ---- finding loops: the last three runs of some period match ----------------------------

  private detect(): void {
    const run = this.segments[this.segments.length - 1] as Straight;
    const runLength = run.end - run.start;
    if (runLength < K) return;
    const p = this.stored - 1;
    let h = 0;
    for (let q = p - K + 1; q <= p; q++) h = Math.imul(h ^ this.shape(q), 0x01000193);
    const at = ((h >>> (32 - HASH_BITS)) & ((1 << HASH_BITS) - 1)) * WAYS;
    const id = this.length - 1;
    // Searching costs at most a few times the instructions recorded (a program without loops
    // is not searched without end), and after a search that found nothing, the next waits a
    // little longer: a loop found a few copies late is found all the same (it extends back).
    if (id >= this.nextSearch && this.detectWork <= 4 * this.length + 10_000) {
      let searched = false;
      for (let w = 0; w < WAYS; w++) {
        const before = this.seen[at + w]! - 1;
        const period = id - before;
        if (before < 0 || period < 1 || period > MAX_PERIOD || MIN_COPIES * period > runLength) continue;
        searched = true;
        if (this.tryLoop(run, period)) {
          this.wait = 1;
          return;
        }
      }
      if (searched) {
        this.nextSearch = id + this.wait;
        this.wait = Math.min(2 * this.wait, MAX_WAIT);
      }
    }
    for (let w = WAYS - 1; w > 0; w--) this.seen[at + w] = this.seen[at + w - 1]!;
    this.seen[at] = id + 1;
  }

  private shape(q: number): number {
    return (this.op[q]! | (this.slotA[q]! << 5) | (this.slotB[q]! << 7) | (this.expected[q]! << 9)) ^ Math.imul(this.extra[q]!, 0x9e3779b1);
  }

  /** Makes the last copies of `period` in the straight run a loop, if they match; true if they did. */
  private tryLoop(run: Straight, period: number): boolean {
    const end = this.stored;
    const steps = this.stepsBetween(end - 3 * period, period);
    if (steps === null || !this.sameSteps(end - 2 * period, period, steps)) return false;
    let first = end - 3 * period;
    while (first - period >= run.phys && this.sameSteps(first - period, period, steps)) first -= period;
    const count = (end - first) / period;
    if (count * period < MIN_COVERED) return false;
    const start = run.start + (first - run.phys);
    const limit = new Float64Array(period).fill(Infinity);
    for (let j = 0; j < period; j++) {
      const k = first + j;
      if (this.slotA[k] === Slot.value) limit[j] = Math.min(limit[j]!, this.validCopies(start, period, this.a[k]!, steps.stepA[j]!));
      if (this.slotB[k] === Slot.value) limit[j] = Math.min(limit[j]!, this.validCopies(start, period, this.b[k]!, steps.stepB[j]!));
      if (limit[j]! < count) return false;
    }
    const L = new LoopSegment(start, period, count, first, steps.stepA, steps.stepB, limit);
    // Data that differs between the copies found goes to tables.
    for (let t = 1; t < count; t++) {
      for (let j = 0; j < period; j++) {
        const k = first + t * period + j;
        if (this.slotA[k] === Slot.constant) this.tableA(L, j, t, this.a[k]!);
        if (this.slotB[k] === Slot.constant) this.tableB(L, j, t, this.b[k]!);
        if (this.expected[k] !== this.expected[first + j] || L.tableExpected[j] !== null) this.tableExpected(L, j, t, this.expected[k]!);
      }
    }
    // The run keeps what came before the loop; copy 0 stays stored as the body.
    if (start > run.start) run.end = start;
    else this.segments.pop();
    this.segments.push(L);
    this.stored = first + period;
    this.loop = L;
    this.partial = 0;
    return true;
  }

  /** How many copies a value operand (first copy `a0`, moving by `step`) can be generated for: reads of inputs and of another loop's copies end; -1 for none. */
  private validCopies(start: number, period: number, a0: number, step: number): number {
    if (step === period && a0 >= start - period) return Infinity; // this copy, or the one before (carried)
    if (step === 0) return a0 < start ? Infinity : -1; // one value, made before the loop
    if (a0 >= start - period) return -1; // (this loop's copies, read otherwise)
    const within = (lo: number, hi: number) => {
      // copies t with lo <= a0 + step·t < hi
      if (a0 < lo || a0 >= hi) return -1;
      return step > 0 ? Math.floor((hi - 1 - a0) / step) + 1 : Math.floor((a0 - lo) / -step) + 1;
    };
    if (a0 < this.inputCount) return within(0, this.inputCount);
    const seg = this.segments[this.segmentOf(a0)]!;
    if (seg.kind !== 'loop' || step % seg.period !== 0) return -1;
    return within(seg.start, seg.start + seg.count * seg.period);
  }

  private stepsBetween(s: number, period: number): Pick<Loop, 'stepA' | 'stepB'> | null {
    this.detectWork += period;
    // (most candidates fail: the steps are written into arrays only for one that matched)
    for (let j = 0; j < period; j++) if (!this.sameShape(s + j, s + j + period)) return null;
    const stepA = new Int32Array(period);
    const stepB = new Int32Array(period);
    for (let j = 0; j < period; j++) {
      const i = s + j;
      const k = i + period;
      if (this.slotA[i] === Slot.value) stepA[j] = this.a[k]! - this.a[i]!;
      if (this.slotB[i] === Slot.value) stepB[j] = this.b[k]! - this.b[i]!;
    }
    return { stepA, stepB };
  }

  private sameSteps(s: number, period: number, steps: Pick<Loop, 'stepA' | 'stepB'>): boolean {
    this.detectWork += period;
    for (let j = 0; j < period; j++) {
      const i = s + j;
      const k = i + period;
      if (!this.sameShape(i, k)) return false;
      if (this.slotA[i] === Slot.value && this.a[k]! - this.a[i]! !== steps.stepA[j]) return false;
      if (this.slotB[i] === Slot.value && this.b[k]! - this.b[i]! !== steps.stepB[j]) return false;
    }
    return true;
  }

  private sameShape(i: number, k: number): boolean {
    const code = this.op[i]!;
    return (
      code === this.op[k] &&
      code !== Op.apply &&
      code !== Op.part &&
      code !== Op.argument &&
      this.slotA[i] === this.slotA[k] &&
      this.slotB[i] === this.slotB[k] &&
      this.extra[i] === this.extra[k] &&
      (this.expected[i] === this.expected[k] || code === Op.compare || code === Op.truth || code === Op.pin)
    );
  }
}
