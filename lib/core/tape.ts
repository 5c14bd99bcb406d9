// The tape: a Wengert list of scalar operations, stored as rows of flat typed arrays.
//
// Row i records one traced value: the rows of (at most) two parents and the local
// partial derivative with respect to each. Recording a scalar operation writes four
// array slots and allocates one small `Traced` handle; no closure, no node graph.
// The reverse sweep is one backward loop over the rows (never recursion).
//
// Partials are plain numbers in the common case. In nested differentiation a partial is
// itself traced on an outer tape (and later, for generic scalars, a field element such as
// a Fraction); such rows keep their partials in a side table and the sweep switches to
// an algebra supplied by the runtime, so the core names no operation itself.

import { Traced } from './traced.js';
import { Tangents } from './tangents.js';
import { isSymbolic } from './symbolic.js';
import { allocate, castData, forgetTape, isFloatArray, type Dtype, type FloatArray, type NDArray } from '../ndarray.js';

/** Addition and multiplication on any scalar the runtime understands (set once by the runtime). */
export interface Algebra {
  add(a: unknown, b: unknown): unknown;
  mul(a: unknown, b: unknown): unknown;
  /**
   * Adds `g` at element `k` of the cotangent `acc` (null: zeros) of array row `node`, when
   * `g` is not a plain number (nested differentiation); returns the sum.
   */
  addAt(acc: unknown, k: number, g: unknown, node: NodeRecord): unknown;
  /** The runtime's array for a plain cotangent buffer of array row `node` (of the row's dtype). */
  arrayOf(data: FloatArray, node: NodeRecord): unknown;
  /** Element `k` (flat) of an array traced on some tape (forward mode reads array tangents). */
  elementAt(array: unknown, k: number): unknown;
}

/**
 * A row whose value a rule computed with its own pullback (array operations): it maps
 * the row's cotangent to one contribution per parent row (null for none).
 */
export interface NodeRecord {
  readonly parents: readonly number[];
  readonly pullback: ((cotangent: unknown) => readonly unknown[]) | null;
  /** Array-valued rows have array cotangents of `size` elements; scalar rows, numbers. */
  readonly size: number;
  readonly shape: readonly number[];
  readonly arrayValued: boolean;
  /** The element type of an array row, and so of its cotangent buffers. */
  readonly dtype: Dtype;
  /** The operation in replayable form (for compileGradient), when the rule gives one. */
  readonly step?: unknown;
  /** The operation's name, for messages. */
  readonly name?: string;
  /**
   * Forward mode: the result's tangent from each parent's (in `parents`' order; null for a
   * zero tangent, an NDArray for an array parent); null or undefined for zero.
   */
  readonly pushforward?: (tangents: readonly unknown[]) => unknown;
  /** A user's custom rule (messages suggest giving it a forward rule). */
  readonly custom?: boolean;
}

/** A row as a code generator reads it (`Tape.rowAt`). */
export type RowView =
  | { readonly kind: 'scalar'; readonly a: number; readonly da: unknown; readonly b: number; readonly db: unknown }
  | { readonly kind: 'node'; readonly node: NodeRecord }
  | { readonly kind: 'element'; readonly array: number; readonly index: number };

/** What compileGradient attaches to the tape it records on. */
export interface TapeRecorder {
  /** An element of an array row is read: compiled code cannot follow it. */
  elementRead(): void;
  /**
   * An array traced on the tape is taken as a constant (`dropgrad`, `ignore`, `nograd`):
   * compiled code would keep the value of the recording's call.
   */
  constantArray(): void;
  /**
   * An array traced on the tape has its numbers read as plain numbers (`how`: `toArray`,
   * `data`, …): compiled code would keep the recording call's numbers.
   */
  numbersRead(how: string): void;
  /**
   * Node `row` was recorded with these operands and value — its parents being operands
   * `which[j]`, of dtype `dtypes[j]` (null: a number); returns the value its traced result
   * carries (a number becomes a symbolic number of the program).
   */
  recordNode(row: number, node: NodeRecord, operands: readonly unknown[], value: unknown, which: readonly number[], dtypes: readonly (Dtype | null)[]): unknown;
}

let algebra: Algebra | null = null;

/** Sets the operations the generic sweep uses (the runtime's; compileGradient's while it records); returns the previous ones. */
export function setAlgebra(ops: Algebra | null): Algebra | null {
  const previous = algebra;
  algebra = ops;
  return previous;
}

const NO_PARENT = -1;
// Markers in a row's first slot: a node with its own pullback (see `NodeRecord`), and a read
// of one element of an array row (rows[at+1] = the array's row, rows[at+2] = the element).
const NODE = -2;
const ELEMENT = -3;
const INITIAL_ROWS = 1024;

// Row arrays are reused from tape to tape: a gradient call in a loop then allocates
// nothing but its traced handles. A tape that is kept (a pullback's, for its `back`) cannot
// hand them back; the next one then allocates, and does it once: as large as the last closed
// tape needed (growing copies every row), and one buffer for the rows and the sweep's scratch
// (each typed array of this size is memory outside V8's heap, costly to allocate).
interface Buffers {
  /** Row i at [4i, 4i+4): parent a, ∂/∂a, parent b, ∂/∂b (row numbers are exact in a double). */
  rows: Float64Array;
  adjoint: Float64Array;
  reached: Uint8Array;
}
const POOL_SIZE = 4;
const pool: Buffers[] = [];
/** Rows the last closed (reverse-mode) tape held: the size a new tape's buffers start at. */
let lastClosedRows = INITIAL_ROWS;

function newBuffers(rows: number): Buffers {
  const memory = new ArrayBuffer(5 * 8 * rows + rows);
  return { rows: new Float64Array(memory, 0, 4 * rows), adjoint: new Float64Array(memory, 4 * 8 * rows, rows), reached: new Uint8Array(memory, 5 * 8 * rows, rows) };
}

/** Rows a new tape starts with at most, whatever the last one held (a small pullback after a large one allocates 2.7 MB, not the large one's size). */
const MAX_INITIAL_ROWS = 1 << 16;

/** `rows` rounded up to a power of two, at least INITIAL_ROWS and at most MAX_INITIAL_ROWS. */
function capacityFor(rows: number): number {
  let capacity = INITIAL_ROWS;
  while (capacity < rows && capacity < MAX_INITIAL_ROWS) capacity *= 2;
  return capacity;
}

export class Tape {
  /** Nesting depth: 1 for an outermost differentiation, 2 for one inside it, … */
  readonly depth: number;
  /** Operations record only on active tapes; a closed tape's values act as constants. */
  active = true;
  size = 0;
  private rows: Float64Array;
  private capacity: number;
  /** Sweep scratch, reused by each sweep of this tape. */
  private adjoint: Float64Array;
  private reachedRows: Uint8Array;
  /** Non-number partials by row (nested differentiation, generic scalars), or null if none. */
  private genericPartials: Map<number, [unknown, unknown]> | null = null;
  /**
   * While compileGradient records, a partial may be a symbolic number: the row keeps its
   * number (so the tape can still be swept eagerly) and this its id + 1 (0: a constant),
   * two per row; null until one comes.
   */
  private partialIds: Int32Array | null = null;
  /** Rows recorded with their own pullback (array operations), or null if none. */
  private nodes: Map<number, NodeRecord> | null = null;
  /** compileGradient's recorder while it records on this tape, else null. */
  recorder: TapeRecorder | null = null;
  /**
   * The storage, as f first read it, of arrays this tape's pullbacks keep (see
   * `holdForSweep` in lib/ndarray.ts), or null if f read none.
   */
  private heldSnapshots: Map<NDArray, FloatArray> | null = null;
  /** Arrays that note this tape (`holdForSweep`, a read of their data): they forget it when it closes. */
  private holders: NDArray[] | null = null;
  /**
   * A forward-mode tape's tangents (lib/core/tangents.ts), else null. A forward tape keeps
   * `capacity === size`, so every `push` takes the slow path into `record`, which carries
   * tangents instead of storing rows: reverse mode's hot path gains no test.
   */
  readonly tangents: Tangents | null;

  constructor(depth: number, forwardWidth = 0) {
    this.depth = depth;
    if (forwardWidth > 0) {
      this.tangents = new Tangents(forwardWidth);
      this.rows = new Float64Array(0);
      this.capacity = 0;
      this.adjoint = new Float64Array(0);
      this.reachedRows = new Uint8Array(0);
      return;
    }
    this.tangents = null;
    const buffers = pool.pop() ?? newBuffers(capacityFor(lastClosedRows));
    this.rows = buffers.rows;
    this.capacity = buffers.rows.length >> 2;
    this.adjoint = buffers.adjoint;
    this.reachedRows = buffers.reached;
  }

  /**
   * Hands the tape's arrays back for reuse by the next tape. Only for a closed tape that
   * will not be swept again (`gradient` releases; a `pullback` keeps its tape for `back`).
   */
  release(): void {
    if (this.active) return;
    this.resweptRows = null;
    if (this.tangents !== null) {
      this.tangents.release();
      return;
    }
    if (pool.length >= POOL_SIZE) return;
    pool.push({ rows: this.rows, adjoint: this.adjoint, reached: this.reachedRows });
    this.size = 0;
    this.genericPartials = null;
    this.partialIds = null;
    this.nodes = null;
    this.heldSnapshots = null;
  }

  /** Ends the recording: values traced on this tape behave as constants from now on. */
  close(): void {
    this.active = false;
    if (this.holders !== null) for (const x of this.holders) forgetTape(x, this);
    this.holders = null;
    if (this.tangents === null) lastClosedRows = this.size;
  }

  /** A new independent variable (an argument being differentiated). */
  input(value: unknown): Traced {
    return this.push(value, NO_PARENT, 0, NO_PARENT, 0);
  }

  /**
   * Records a row with its own pullback (an array operation, or an array input when
   * `node.pullback` is null); returns the row.
   */
  pushNode(node: NodeRecord): number {
    if (this.tangents !== null) {
      const row = this.nextForwardRow();
      this.tangents.node(row, node);
      return row;
    }
    const row = this.record(NODE, 0, NO_PARENT, 0);
    (this.nodes ??= new Map()).set(row, node);
    return row;
  }

  /** Records `value`, element `k` of the array-valued row `arrayRow`. */
  pushElement(value: unknown, arrayRow: number, k: number): Traced {
    this.recorder?.elementRead();
    if (this.tangents !== null) {
      const row = this.nextForwardRow();
      this.tangents.element(algebra!, row, arrayRow, k);
      return new Traced(value, row, this);
    }
    const row = this.record(ELEMENT, arrayRow, k, 0);
    return new Traced(value, row, this);
  }

  /** The record of a node row (undefined for scalar rows). */
  nodeAt(row: number): NodeRecord | undefined {
    return this.nodes?.get(row);
  }

  /**
   * For code generators, which read every row: the rows as stored (row i at [4i, 4i+4):
   * parent a, ∂a, parent b, ∂b; a first slot below -1 marks a node or an element read, for
   * `rowAt`), the ids + 1 of symbolic partials (two per row, 0 for a number; null: none), and
   * the rows whose partials are neither (in `rowAt`), and whether it holds nodes (its sweep
   * is then sweepNodes, else sweepNumbers).
   */
  recorded(): { readonly rows: Float64Array; readonly partialIds: Int32Array | null; readonly generic: ReadonlySet<number> | null; readonly nodes: boolean } {
    return { rows: this.rows, partialIds: this.partialIds, generic: this.genericPartials === null ? null : new Set(this.genericPartials.keys()), nodes: this.nodes !== null };
  }

  /**
   * Whether a derivative through row `a` or through row `b` comes out the same: on a reverse
   * tape, when one was computed from the other (`x` and `x * 1`), both are one expression
   * recorded twice, or both are steps, which carry none; on a forward tape, which records no
   * parents, when their tangents are equal.
   */
  followsAlike(a: number, b: number): boolean {
    const tangents = this.tangents;
    if (tangents === null) return this.derivesFrom(a, b) || this.derivesFrom(b, a) || this.sameFunction(a, b) || (this.isStep(a) && this.isStep(b));
    for (let j = 0; j < tangents.width; j++) {
      const ta = tangents.at(a, j);
      const tb = tangents.at(b, j);
      if (ta !== tb && (typeof ta === 'number' || typeof tb === 'number')) return false; // (tangents of a number field: not told apart)
    }
    return true;
  }

  /**
   * Whether rows `a` and `b` are the same function of the same inputs, recorded twice (`k + 1`
   * and `k + 1`): the same partials over rows that are so too, looking at `budget` rows at most.
   * An input (a row with no parent) is only itself.
   */
  private sameFunction(a: number, b: number, budget = { rows: 64 }): boolean {
    if (a === b) return true;
    if (a < 0 || b < 0 || --budget.rows < 0) return false;
    const ra = this.rowAt(a);
    const rb = this.rowAt(b);
    if (ra.kind !== 'scalar' || rb.kind !== 'scalar' || (ra.a < 0 && ra.b < 0)) return false;
    return ra.da === rb.da && ra.db === rb.db && this.sameFunction(ra.a, rb.a, budget) && this.sameFunction(ra.b, rb.b, budget);
  }

  /** Whether row `r` is a step (`Math.round(x)`): computed from others, with no derivative through them. */
  private isStep(r: number): boolean {
    const view = this.rowAt(r);
    return view.kind === 'scalar' && (view.a >= 0 || view.b >= 0) && view.da === 0 && view.db === 0;
  }

  /**
   * Whether row `row` was computed from row `ancestor` (or is it), looking at `budget` rows at
   * most (false past it): a parent's row is always below its child's, so the walk stops there.
   */
  private derivesFrom(row: number, ancestor: number, budget = 256): boolean {
    const todo = [row];
    const seen = new Set<number>();
    while (todo.length > 0) {
      const r = todo.pop()!;
      if (r === ancestor) return true;
      if (r < ancestor || seen.has(r)) continue;
      if (seen.size >= budget) return false;
      seen.add(r);
      const view = this.rowAt(r);
      if (view.kind === 'scalar') todo.push(view.a, view.b);
      else if (view.kind === 'node') todo.push(...view.node.parents);
      else todo.push(view.array);
    }
    return false;
  }

  /** Row `i` as recorded: for code generators, which write their own sweep. */
  rowAt(i: number): RowView {
    const at = i << 2;
    const a = this.rows[at]!;
    if (a === NODE) return { kind: 'node', node: this.nodes!.get(i)! };
    if (a === ELEMENT) return { kind: 'element', array: this.rows[at + 1]!, index: this.rows[at + 2]! };
    const generic = this.genericPartials?.get(i);
    return { kind: 'scalar', a, da: generic ? generic[0] : this.rows[at + 1], b: this.rows[at + 2]!, db: generic ? generic[1] : this.rows[at + 3] };
  }

  /**
   * Records `value = op(a, b)` with ∂value/∂a = `da`, ∂value/∂b = `db`.
   * A parent index of -1 means that operand is a constant on this tape.
   */
  push(value: unknown, a: number, da: unknown, b: number, db: unknown): Traced {
    // Kept small so that V8 inlines it into every rule: the common row is four stores.
    const row = this.size;
    if (row === this.capacity || typeof da !== 'number' || typeof db !== 'number') {
      return new Traced(value, this.record(a, da, b, db), this);
    }
    const rows = this.rows;
    const at = row << 2;
    rows[at] = a;
    rows[at + 1] = da;
    rows[at + 2] = b;
    rows[at + 3] = db;
    this.size = row + 1;
    return new Traced(value, row, this);
  }

  /**
   * Records `value` with ∂value/∂(row k) = partials[k] for many parents, as a chain of
   * two-parent rows (n-ary operations such as `Math.hypot(a, b, c)`).
   */
  pushMany(value: unknown, rows: readonly number[], partials: readonly unknown[]): Traced {
    const n = rows.length;
    if (n <= 2) return this.push(value, n > 0 ? rows[0]! : NO_PARENT, n > 0 ? partials[0] : 0, n > 1 ? rows[1]! : NO_PARENT, n > 1 ? partials[1] : 0);
    let row = this.record(rows[0]!, partials[0], rows[1]!, partials[1]);
    for (let k = 2; k < n - 1; k++) row = this.record(row, 1, rows[k]!, partials[k]);
    return this.push(value, row, 1, rows[n - 1]!, partials[n - 1]);
  }

  private record(a: number, da: unknown, b: number, db: unknown): number {
    if (this.tangents !== null) {
      const row = this.nextForwardRow();
      this.tangents.scalar(algebra!, row, a, da, b, db);
      return row;
    }
    const row = this.size;
    if (row === this.capacity) this.grow();
    const rows = this.rows;
    const at = row << 2;
    rows[at] = a;
    rows[at + 2] = b;
    if (typeof da === 'number' && typeof db === 'number') {
      rows[at + 1] = da;
      rows[at + 3] = db;
    } else if ((typeof da === 'number' || isSymbolic(da)) && (typeof db === 'number' || isSymbolic(db))) {
      // compileGradient is recording: numbers in the row, symbolic ids beside it
      const ids = (this.partialIds ??= new Int32Array(2 * this.capacity));
      rows[at + 1] = typeof da === 'number' ? da : da.value;
      rows[at + 3] = typeof db === 'number' ? db : db.value;
      ids[2 * row] = typeof da === 'number' ? 0 : da.id + 1;
      ids[2 * row + 1] = typeof db === 'number' ? 0 : db.id + 1;
    } else {
      (this.genericPartials ??= new Map()).set(row, [da, db]);
    }
    this.size = row + 1;
    return row;
  }

  /** A forward tape's next row (kept at `capacity`: see `tangents`). */
  private nextForwardRow(): number {
    const row = this.size;
    this.size = row + 1;
    this.capacity = this.size;
    return row;
  }

  /** Sets the tangents of an input row of a forward tape (one per direction; null: zero). */
  seed(row: number, tangents: readonly unknown[]): void {
    this.tangents!.seed(row, tangents);
  }

  private grow(): void {
    // (four times past a million rows: each growth copies every row, and pages in memory the
    // copy then touches; the pages past the rows in use are never touched, so not resident)
    this.capacity *= this.capacity >= 1 << 20 ? 4 : 2;
    // (only the rows: the sweep's scratch is sized when a sweep needs it)
    const rows = new Float64Array(4 * this.capacity);
    rows.set(this.rows);
    this.rows = rows;
    if (this.partialIds !== null) {
      const ids = new Int32Array(2 * this.capacity);
      ids.set(this.partialIds);
      this.partialIds = ids;
    }
  }

  /**
   * The sweep of a tape compileGradient recorded, at another point on the same path: each
   * partial recorded as a symbolic number is taken from `values` (by its id) instead of the
   * recording's number, and everything else is as recorded (lib/compile/index.ts). The
   * recorded rows stay as they were.
   */
  resweep(output: number, wanted: readonly number[], values: Float64Array): (number | null)[] {
    const recorded = this.rows;
    const ids = this.partialIds;
    const rows = (this.resweptRows ??= recorded.slice(0, 4 * (output + 1)));
    if (ids !== null) {
      for (let i = 0; i <= output; i++) {
        const a = ids[2 * i]!;
        const b = ids[2 * i + 1]!;
        if (a !== 0) rows[4 * i + 1] = values[a - 1]!;
        if (b !== 0) rows[4 * i + 3] = values[b - 1]!;
      }
    }
    this.rows = rows;
    try {
      return this.sweep(output, 1, wanted) as (number | null)[];
    } finally {
      this.rows = recorded;
    }
  }
  private resweptRows: Float64Array | null = null;

  /**
   * The reverse sweep from row `output` with seed cotangent `seed`. Returns the cotangent
   * of each row in `wanted`, or null where no path leads from the output to that row.
   */
  sweep(output: number, seed: unknown, wanted: readonly number[]): (unknown | null)[] {
    if (this.tangents !== null) throw new Error('zygote-ts: a forward-mode tape has no reverse sweep');
    this.refuseRewrittenArrays();
    if (this.adjoint.length <= output) {
      const memory = new ArrayBuffer(9 * this.capacity);
      this.adjoint = new Float64Array(memory, 0, this.capacity);
      this.reachedRows = new Uint8Array(memory, 8 * this.capacity, this.capacity);
    }
    if (this.nodes !== null) return this.sweepNodes(output, seed, wanted);
    if (typeof seed === 'number' && this.genericPartials === null) return this.sweepNumbers(output, seed, wanted);
    if (typeof seed === 'number') {
      const dual = this.sweepDual(output, seed, wanted);
      if (dual !== null) return dual;
    }
    return this.sweepGeneric(output, seed, wanted);
  }

  /** Array `x` notes this tape while it records (see `holders`). */
  noteHolder(x: NDArray): void {
    (this.holders ??= []).push(x);
  }

  /**
   * Keeps a copy of `x`'s storage as it is now, the first time f reads the storage of an
   * array a pullback keeps: f may write into it, and the sweep would then read new numbers.
   */
  snapshotHeld(x: NDArray): void {
    const snapshots = (this.heldSnapshots ??= new Map());
    if (!snapshots.has(x)) snapshots.set(x, x.data.slice());
  }

  /**
   * Throws if f wrote into an array a pullback keeps after an operation used it: pullbacks
   * read such arrays when the sweep runs, and would compute the gradient from numbers the
   * operation never saw (silently wrong). Every sweep of the tape asks first.
   */
  refuseRewrittenArrays(): void {
    if (this.heldSnapshots === null) return;
    for (const [x, before] of this.heldSnapshots) {
      const now = x.data;
      let same = now.length === before.length;
      for (let k = 0; same && k < now.length; k++) same = Object.is(now[k], before[k]) || now[k] === before[k];
      if (same) continue;
      throw new Error(
        `zygote-ts: f wrote into the storage of an array of shape [${x.shape.join(', ')}] (through its data, or an ` +
          `in-place update: Grads.update, an optimiser's step) after an operation used it; that operation's derivative ` +
          `reads the array when the gradient is computed, so the gradient would be wrong. Make a new array instead of ` +
          `writing into one in use (array(…), the operations, or a copy: new NDArray(x.shape, x.data.slice())).`,
      );
    }
  }

  private sweepNumbers(output: number, seed: number, wanted: readonly number[]): (number | null)[] {
    const { rows, adjoint } = this;
    adjoint.fill(0, 0, output + 1);
    adjoint[output] = seed;
    // Most rows consume the row just before them (a chain of operations): that
    // contribution is carried in a register instead of a store and a reload, which
    // shortens the loop's dependency chain.
    let carry = 0;
    for (let i = output; i >= 0; i--) {
      const g = adjoint[i]! + carry;
      carry = 0;
      adjoint[i] = g;
      // A zero cotangent contributes nothing, even through an infinite partial (0·∞ would
      // be NaN): a value the output does not use must not poison the inputs' gradients.
      if (g === 0) continue;
      const at = i << 2;
      const a = rows[at]!;
      if (a === i - 1) carry = g * rows[at + 1]!;
      else if (a !== NO_PARENT) adjoint[a] += g * rows[at + 1]!;
      const b = rows[at + 2]!;
      if (b === i - 1) carry += g * rows[at + 3]!;
      else if (b !== NO_PARENT) adjoint[b] += g * rows[at + 3]!;
    }
    // Nor does a zero partial, even given an infinite cotangent (∞·0 would be NaN): an
    // operand the value does not depend on (max's unchosen one, 0 · v's v) passes on 0, as
    // Julia's `false` does in ChainRules' max and ifelse rules, so sqrt(max(x, 0)) at -1 has
    // derivative 0. Such a NaN reaches every input below it, so only a NaN gradient can hold
    // one: then the sweep is made again with that test, which the loop above does not pay for.
    return this.numbersOut(output, wanted, true) ?? this.sweepSkippingZeroPartials(output, seed, wanted);
  }

  /** sweepNumbers, where a zero partial contributes nothing (to a NaN or infinite cotangent). */
  private sweepSkippingZeroPartials(output: number, seed: number, wanted: readonly number[]): (number | null)[] {
    const { rows, adjoint } = this;
    adjoint.fill(0, 0, output + 1);
    adjoint[output] = seed;
    for (let i = output; i >= 0; i--) {
      const g = adjoint[i]!;
      if (g === 0) continue;
      const at = i << 2;
      const a = rows[at]!;
      const b = rows[at + 2]!;
      if (a !== NO_PARENT && rows[at + 1] !== 0) adjoint[a] += g * rows[at + 1]!;
      if (b !== NO_PARENT && rows[at + 3] !== 0) adjoint[b] += g * rows[at + 3]!;
    }
    return this.numbersOut(output, wanted, false)!;
  }

  /**
   * The wanted rows' cotangents after a sweep of numbers: null where no path leads. With
   * `nanIsRetried`, null instead of the whole when one of them is NaN.
   */
  private numbersOut(output: number, wanted: readonly number[], nanIsRetried: boolean): (number | null)[] | null {
    const { adjoint } = this;
    // A nonzero cotangent proves a path; only zero ones need the reachability pass.
    const result: (number | null)[] = new Array(wanted.length);
    let reached: Uint8Array | null = null;
    for (let k = 0; k < wanted.length; k++) {
      const row = wanted[k]!;
      const g = adjoint[row]!;
      if (row < 0 || row > output) result[k] = null;
      else if (g !== 0) {
        if (g !== g && nanIsRetried) return null;
        result[k] = g;
      } else result[k] = (reached ??= this.markReached(output))[row] === 1 ? 0 : null;
    }
    return result;
  }

  /** Marks every row that some path leads to from row `output` (in `reachedRows`). */
  private markReached(output: number): Uint8Array {
    const { rows, reachedRows: reached } = this;
    reached.fill(0, 0, output + 1);
    reached[output] = 1;
    for (let i = output; i >= 0; i--) {
      if (reached[i] === 0) continue;
      const a = rows[i << 2]!;
      const b = rows[(i << 2) + 2]!;
      if (a !== NO_PARENT) reached[a] = 1;
      if (b !== NO_PARENT) reached[b] = 1;
    }
    return reached;
  }

  // Forward over reverse (`hvp`): every partial is a number or a value traced on one forward
  // tape, with plain numbers for its value and tangents. Then each cotangent is a pair —
  // its number and its tangents — carried in typed arrays by the product rule
  // (ā += g·p, and its tangent += ġ·p + g·ṗ), instead of building every step of the sweep
  // on the forward tape as sweepGeneric would; the wanted cotangents are handed back as
  // values of that forward tape with their tangents. Null when the tape does not qualify.
  private sweepDual(output: number, seed: number, wanted: readonly number[]): (unknown | null)[] | null {
    const { rows, reachedRows: reached } = this;
    // Each row's two partials as numbers (P) and their tangents (PT, w per partial), read once.
    const P = new Float64Array(2 * (output + 1));
    for (let i = 0; i <= output; i++) {
      P[2 * i] = rows[(i << 2) + 1]!;
      P[2 * i + 1] = rows[(i << 2) + 3]!;
    }
    let F: Tape | null = null;
    let PT: Float64Array | null = null;
    let w = 0;
    let qualifies = true;
    // (forEach: no entry arrays, as `for … of` over a Map makes)
    this.genericPartials!.forEach((pair, i) => {
      if (!qualifies || i > output) return;
      for (let side = 0; side < 2; side++) {
        const p = pair[side];
        if (typeof p === 'number') {
          P[2 * i + side] = p;
          continue;
        }
        if (!Traced.is(p) || typeof p.tracedValue !== 'number' || p.tracedTape.tangents === null || !p.tracedTape.active || (F !== null && p.tracedTape !== F)) {
          qualifies = false;
          return;
        }
        if (F === null) {
          F = p.tracedTape;
          w = F.tangents!.width;
          PT = new Float64Array(2 * (output + 1) * w);
        }
        P[2 * i + side] = p.tracedValue;
        for (let j = 0; j < w; j++) {
          const t = (F as Tape).tangents!.at(p.tracedIndex, j);
          if (typeof t !== 'number') {
            qualifies = false;
            return;
          }
          PT![(2 * i + side) * w + j] = t;
        }
      }
    });
    if (!qualifies) return null;
    if (F === null || PT === null) return null;
    const adjoint = new Float64Array(output + 1);
    const tangent = new Float64Array((output + 1) * w);
    reached.fill(0, 0, output + 1);
    adjoint[output] = seed;
    reached[output] = 1;
    for (let i = output; i >= 0; i--) {
      if (reached[i] === 0) continue;
      const g = adjoint[i]!;
      let moves = g !== 0;
      for (let j = 0; j < w && !moves; j++) moves = tangent[i * w + j] !== 0;
      const at = i << 2;
      for (let side = 0; side < 2; side++) {
        const parent = rows[at + 2 * side]!;
        if (parent === NO_PARENT) continue;
        reached[parent] = 1;
        if (!moves) continue; // (a zero cotangent contributes nothing: see sweepNumbers)
        const k = 2 * i + side;
        const p = P[k]!;
        // (a zero partial contributes nothing, as in sweepNumbers; its tangent still may)
        if (g !== 0 && p !== 0) adjoint[parent] += g * p;
        for (let j = 0; j < w; j++) {
          const dg = tangent[i * w + j]!;
          const dp = PT[k * w + j]!;
          let d = 0;
          if (dg !== 0 && p !== 0) d = dg * p;
          if (g !== 0 && dp !== 0) d += g * dp;
          tangent[parent * w + j] += d;
        }
      }
    }
    const forward = F as Tape;
    const result = new Array<unknown>(wanted.length);
    for (let k = 0; k < wanted.length; k++) {
      const row = wanted[k]!;
      if (row < 0 || row > output || reached[row] === 0) {
        result[k] = null;
        continue;
      }
      let zero = true;
      for (let j = 0; j < w && zero; j++) zero = tangent[row * w + j] === 0;
      result[k] = zero ? adjoint[row]! : forward.withTangents(adjoint[row]!, tangent.subarray(row * w, row * w + w));
    }
    return result;
  }

  /** A forward tape's value `value` with the given tangents (sweepDual's results). */
  withTangents(value: number, tangents: ArrayLike<number>): Traced {
    const row = this.nextForwardRow();
    this.tangents!.seedNumbers(row, tangents);
    return new Traced(value, row, this);
  }

  // Cotangents may be traced on an outer tape (nested differentiation): accumulate with
  // the runtime's own operations, so the outer tape records this sweep.
  private sweepGeneric(output: number, seed: unknown, wanted: readonly number[]): (unknown | null)[] {
    if (algebra === null) throw new Error('zygote-ts: the runtime did not register its algebra');
    const { add, mul } = algebra;
    const adjoint: unknown[] = new Array<unknown>(output + 1).fill(0);
    const { rows, genericPartials, reachedRows: reached } = this;
    reached.fill(0, 0, output + 1);
    adjoint[output] = seed;
    reached[output] = 1;
    for (let i = output; i >= 0; i--) {
      if (reached[i] === 0) continue;
      const g = adjoint[i];
      // (a plain zero contributes nothing; a zero traced on an outer tape still carries
      // that tape's derivative, so it goes through)
      const contributes = g !== 0;
      const generic = genericPartials?.get(i);
      const at = i << 2;
      // (nor does a plain zero partial, as in sweepNumbers; a traced one goes through)
      const a = rows[at]!;
      if (a !== NO_PARENT) {
        const p = generic ? generic[0] : rows[at + 1];
        if (contributes && p !== 0) adjoint[a] = add(adjoint[a], mul(g, p));
        reached[a] = 1;
      }
      const b = rows[at + 2]!;
      if (b !== NO_PARENT) {
        const p = generic ? generic[1] : rows[at + 3];
        if (contributes && p !== 0) adjoint[b] = add(adjoint[b], mul(g, p));
        reached[b] = 1;
      }
    }
    return wanted.map((row) => (row >= 0 && row <= output && reached[row] === 1 ? adjoint[row] : null));
  }

  // A tape with array nodes. Scalar cotangents stay in the Float64Array; array cotangents
  // are plain buffers of the array's size and dtype (a Float64Array or a Float32Array,
  // accumulated in place once owned), or — when they are traced on an outer tape — whatever
  // the runtime's algebra builds. Only rows reached from the output are visited. A wanted
  // array row's cotangent is returned as the runtime's array (so it carries its dtype).
  private sweepNodes(output: number, seed: unknown, wanted: readonly number[]): (unknown | null)[] {
    const ops = algebra;
    if (ops === null) throw new Error('zygote-ts: the runtime did not register its algebra');
    const { rows, genericPartials, reachedRows: reached } = this;
    const nodes = this.nodes!;
    const scalar: unknown[] = new Array<unknown>(output + 1).fill(0);
    const arrays = new Map<number, unknown>();
    const owned = new Set<number>();
    reached.fill(0, 0, output + 1);
    reached[output] = 1;
    const addScalar = (row: number, g: unknown) => {
      const acc = scalar[row];
      scalar[row] = typeof acc === 'number' && typeof g === 'number' ? acc + g : acc === 0 ? g : ops.add(acc, g);
      reached[row] = 1;
    };
    const addArray = (row: number, g: unknown) => {
      reached[row] = 1;
      const node = nodes.get(row)!;
      // Rules hand back cotangents in their operand's dtype; a seed may come as float64.
      if (isFloatArray(g)) g = castData(g, node.dtype);
      const acc = arrays.get(row);
      if (acc === undefined) {
        arrays.set(row, g);
      } else if (isFloatArray(acc) && isFloatArray(g)) {
        let into = acc;
        if (!owned.has(row)) {
          into = acc.slice();
          owned.add(row);
          arrays.set(row, into);
        }
        for (let k = 0; k < into.length; k++) into[k]! += g[k]!;
      } else {
        const wrap = (v: unknown) => (isFloatArray(v) ? ops.arrayOf(castData(v, node.dtype), node) : v);
        arrays.set(row, ops.add(wrap(acc), wrap(g)));
        owned.delete(row);
      }
    };
    const contribute = (row: number, g: unknown) => {
      const node = nodes.get(row);
      if (node !== undefined && node.arrayValued) addArray(row, g);
      else addScalar(row, g);
    };
    contribute(output, seed);
    for (let i = output; i >= 0; i--) {
      if (reached[i] === 0) continue;
      const at = i << 2;
      const a = rows[at]!;
      if (a === NODE) {
        const node = nodes.get(i)!;
        if (node.pullback === null) continue;
        const g = node.arrayValued ? inDtype(arrays.get(i), node) : scalar[i];
        if (g === undefined || g === 0 || (isFloatArray(g) && isAllZero(g))) {
          // nothing to pull back (see sweepNumbers), but the parents are reached
          for (const parent of node.parents) reached[parent] = 1;
          continue;
        }
        const parts = node.pullback(g);
        for (let j = 0; j < node.parents.length; j++) {
          const part = parts[j];
          if (part !== null && part !== undefined) contribute(node.parents[j]!, part);
        }
      } else if (a === ELEMENT) {
        const g = scalar[i];
        const arrayRow = rows[at + 1]!;
        const k = rows[at + 2]!;
        reached[arrayRow] = 1;
        if (g === 0) continue;
        const acc = arrays.get(arrayRow);
        const node = nodes.get(arrayRow)!;
        // (element reads add up in float64, a float32 array's too, cast when the sum is used:
        // a float32 slot rounded at each read, 3.6e-4 off after 10⁶ reads of one element)
        if (typeof g === 'number' && (acc === undefined || (isFloatArray(acc) && owned.has(arrayRow)))) {
          const into = (acc as FloatArray | undefined) ?? new Float64Array(node.size);
          into[k]! += g;
          if (acc === undefined) {
            arrays.set(arrayRow, into);
            owned.add(arrayRow);
          }
        } else if (typeof g === 'number' && isFloatArray(acc)) {
          const into = Float64Array.from(acc);
          into[k]! += g;
          arrays.set(arrayRow, into);
          owned.add(arrayRow);
        } else {
          arrays.set(arrayRow, ops.addAt(isFloatArray(acc) ? ops.arrayOf(castData(acc, node.dtype), node) : (acc ?? null), k, g, node));
          owned.delete(arrayRow);
        }
      } else {
        const g = scalar[i];
        const b = rows[at + 2]!;
        if (g === 0) {
          if (a !== NO_PARENT) reached[a] = 1;
          if (b !== NO_PARENT) reached[b] = 1;
          continue;
        }
        const generic = genericPartials?.get(i);
        // (a plain zero partial contributes nothing, as in sweepNumbers; the parent is reached)
        const pa = generic ? generic[0] : rows[at + 1]!;
        const pb = generic ? generic[1] : rows[at + 3]!;
        if (a !== NO_PARENT) {
          if (pa === 0) reached[a] = 1;
          else addScalar(a, typeof g === 'number' && typeof pa === 'number' ? g * pa : ops.mul(g, pa));
        }
        if (b !== NO_PARENT) {
          if (pb === 0) reached[b] = 1;
          else addScalar(b, typeof g === 'number' && typeof pb === 'number' ? g * pb : ops.mul(g, pb));
        }
      }
    }
    // A cotangent handed on unchanged (add's, a reshape's) can be one buffer for two inputs,
    // or the seed's: each gradient gets storage of its own, so that writing into one's data
    // (clipping, scaling in place) changes no other, nor the caller's seed.
    const given = new Set<ArrayBufferLike>();
    if (isFloatArray(seed)) given.add(seed.buffer);
    return wanted.map((row) => {
      if (row < 0 || row > output || reached[row] === 0) return null;
      const node = nodes.get(row);
      if (node === undefined || !node.arrayValued) return scalar[row];
      const g = inDtype(arrays.get(row), node) ?? allocate(node.dtype, node.size);
      if (!isFloatArray(g)) return g;
      const own = given.has(g.buffer) ? g.slice() : g;
      given.add(own.buffer);
      return ops.arrayOf(own, node);
    });
  }
}

/** An array row's accumulated cotangent in the row's dtype (element reads sum in float64). */
function inDtype(g: unknown, node: NodeRecord): unknown {
  return isFloatArray(g) ? castData(g, node.dtype) : g;
}

function isAllZero(data: FloatArray): boolean {
  for (let k = 0; k < data.length; k++) if (data[k] !== 0) return false;
  return true;
}
