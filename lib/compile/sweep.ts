// The reverse pass, written as code. While f is recorded, the tape holds rows whose
// partials are symbolic numbers (scalar operations; the tape keeps their ids beside their
// numbers) and nodes whose operations come in replayable form (array operations,
// rules/arrays/record.ts's Step). Here the tape is swept once, backwards, but instead of
// computing cotangents each step appends the instructions that will compute them: a
// multiply and an add per scalar edge, a call of the operation's `backward` per array node.
// Only what reaches the inputs is written. Each cotangent is held as an id and its number
// (computed alongside, so the first call's gradient needs no generated code).

import { Symbolic, isSymbolic } from '../core/symbolic.js';
import type { NodeRecord, Tape, TapeRecorder } from '../core/tape.js';
import { NDArray, allocate, type Dtype, isNDArray } from '../ndarray.js';
import { isTraced } from '../core/traced.js';
import type { Step } from '../../rules/arrays/record.js';
import { add } from '../../rules/arithmetic.js';
import { astype } from '../../rules/arrays/dtype.js';
import { Op, Slot, type CallOperand, type Program } from './program.js';
import { NO_SITE, UserSite } from './instructions.js';
import { describeBackward, describeOperation, describeSum, type Fusion } from './fuse.js';

interface RecordedNode {
  /** The program value of the node's result. */
  readonly id: number;
  readonly step: Step;
  /** Each operand as the forward call took it. */
  readonly operands: readonly CallOperand[];
  /** For each parent row (in order), the operand it is and its dtype (null: a scalar). */
  readonly which: readonly number[];
  readonly dtypes: readonly (Dtype | null)[];
  /** The user's line that called the operation. */
  readonly site: UserSite;
  /** How the operation fuses, when it does (fuse.ts). */
  readonly fusion: Fusion | undefined;
}

/**
 * What compileGradient attaches to the tape it records on: each array operation becomes an
 * `apply` of its step's `forward`; its scalar result becomes a symbolic number. What it
 * cannot follow abandons the recording (the call finishes eagerly).
 */
export class ArrayRecorder implements TapeRecorder {
  readonly nodes = new Map<number, RecordedNode>();
  /** The program values of object arguments (NDArrays), by the array itself. */
  readonly arguments = new Map<NDArray, number>();
  private tape: Tape | null = null;

  constructor(readonly program: Program) {
    program.onAbandon = () => {
      if (this.tape !== null && this.tape.recorder === this) this.tape.recorder = null;
    };
  }

  attach(tape: Tape): void {
    this.tape = tape;
    tape.recorder = this;
  }

  elementRead(): void {
    this.program.abandon('f reads single elements of an array (get, iteration), which compiled code does not follow yet');
  }

  constantArray(): void {
    this.program.abandon('f takes the derivative off an array it computed (dropgrad, ignore or nograd), whose value compiled code would keep from the first call');
  }

  numbersRead(how: string): void {
    this.program.abandon(`f reads the numbers of an array as plain numbers (${how}), which compiled code would keep from the first call`);
  }

  recordNode(row: number, node: NodeRecord, operands: readonly unknown[], value: unknown, which: readonly number[], dtypes: readonly (Dtype | null)[]): unknown {
    const step = node.step as Step | undefined;
    if (step === undefined) {
      this.program.abandon(`f uses ${node.arrayValued ? 'an array operation' : 'an operation'} that has no compiled form yet (${node.name || 'unnamed'})`);
      return value;
    }
    const resolved: CallOperand[] = [];
    for (const x of operands) {
      const operand = this.operand(x);
      if (typeof operand === 'string') {
        this.program.abandon(operand);
        return value;
      }
      resolved.push(operand);
    }
    const site = UserSite.here();
    const fusion = describeOperation(step, operands, value);
    const id = this.program.apply((...values: unknown[]) => step.forward(values), resolved, value, step.name, site, fusion);
    if (id < 0) return value;
    this.nodes.set(row, { id, step, operands: resolved, which, dtypes, site, fusion });
    return typeof value === 'number' ? new Symbolic(value, id, this.program) : value;
  }

  /** The program's operand for one operand of an array operation, or why there is none. */
  private operand(x: unknown): CallOperand | string {
    const t = this.tape;
    if (isNDArray(x)) {
      if (x.tracedTape === t) {
        // (an argument's array is the array input wrapping it: its value is the argument)
        const id = this.nodes.get(x.tracedIndex)?.id ?? this.arguments.get(x.tracedValue as NDArray);
        return id === undefined ? 'f uses an array that compiled code cannot follow' : { id };
      }
      if (x.tracedTape !== null && x.tracedTape.active) return 'f differentiates arrays inside a compiled gradient (nested), which is not compiled yet';
      return { constant: x };
    }
    if (isTraced(x)) {
      if (x.tracedTape !== t) return 'f mixes in a number traced by another differentiation, which is not compiled yet';
      const v = x.tracedValue;
      if (isSymbolic(v)) return { id: v.id };
      return 'f computes an array from a number that compiled code cannot follow';
    }
    if (isSymbolic(x)) return { id: x.id };
    return { constant: x };
  }
}

/** No cotangent (no path), and a cotangent that is a number known now. */
const NONE = -2;
const CONSTANT = -1;

/**
 * Appends the reverse pass from `output` to `program`; returns the cotangent of each wanted
 * row (null: no path; a number, or a symbolic number holding its value), or null when the
 * recording was abandoned on the way (the tape can then be swept eagerly).
 */
export function writeSweep(program: Program, recorder: ArrayRecorder, tape: Tape, output: number, wanted: readonly number[]): unknown[] | null {
  const w = new SweepWriter(program, output + 1, (row) => tape.nodeAt(row));
  const { rows, partialIds, generic, nodes } = tape.recorded();
  w.id[output] = CONSTANT;
  w.number[output] = 1;
  for (let i = output; i >= 0; i--) {
    if (program.abandoned !== null) return null;
    const gid = w.id[i]!;
    if (gid === NONE) continue;
    const g = w.number[i]!;
    const at = i << 2;
    if (rows[at]! >= -1 && (generic === null || !generic.has(i))) {
      // a scalar operation: its partials are numbers or symbolic numbers (their ids beside)
      if (!nodes && rows[at] === i - 1 && rows[at + 2] === i - 1) {
        // (x·x of the row just before: the eager sweep of numbers adds both products first, then
        // to that row's cotangent — its carry; one at a time rounds otherwise)
        const pa = partialIds === null ? -1 : partialIds[2 * i]! - 1;
        w.product(gid, g, pa < 0 ? CONSTANT : pa, rows[at + 1]!);
        const first = w.rid, firstNumber = w.rnum;
        const pb = partialIds === null ? -1 : partialIds[2 * i + 1]! - 1;
        w.product(gid, g, pb < 0 ? CONSTANT : pb, rows[at + 3]!);
        w.plus(first, firstNumber);
        w.contribute(i - 1, w.rid, w.rnum);
        continue;
      }
      for (let side = 0; side < 2; side++) {
        const parent = rows[at + 2 * side]!;
        if (parent < 0) continue;
        const pid = partialIds === null ? -1 : partialIds[2 * i + side]! - 1;
        w.product(gid, g, pid < 0 ? CONSTANT : pid, rows[at + 2 * side + 1]!);
        w.contribute(parent, w.rid, w.rnum);
      }
      continue;
    }
    const row = tape.rowAt(i);
    if (row.kind === 'scalar') {
      // partials the tape kept aside: compiled code follows symbolic numbers only
      const sides: [number, unknown][] = [[row.a, row.da], [row.b, row.db]];
      for (const [parent, partial] of sides) {
        if (parent < 0) continue;
        if (typeof partial === 'number') w.product(gid, g, CONSTANT, partial);
        else if (isSymbolic(partial)) w.product(gid, g, partial.id, partial.value);
        else {
          program.abandon('a partial derivative compiled code cannot follow');
          return null;
        }
        w.contribute(parent, w.rid, w.rnum);
      }
      continue;
    }
    if (row.kind === 'element') {
      recorder.elementRead();
      return null;
    }
    if (row.node.pullback !== null) {
      // (every node recorded with a pullback went through recordNode, which refuses those without a step)
      const parts = backward(program, recorder.nodes.get(i)!, operand(gid, g));
      if (parts === null) return null;
      row.node.parents.forEach((parent, j) => w.contribute(parent, parts[j]!, NaN));
    }
  }
  if (program.abandoned !== null) return null;
  return wanted.map((row) => {
    if (row < 0 || row > output) return null;
    const held = w.id[row]!;
    if (held === NONE) return null;
    if (held === CONSTANT) return w.number[row]!;
    return new Symbolic(w.number[row]!, held, program);
  });
}

// The cotangents while the sweep is written, and the two instructions it writes.
class SweepWriter {
  /** Each row's cotangent: an id, CONSTANT (its number in `number`) or NONE. */
  readonly id: Int32Array;
  /** Each row's cotangent's number (NaN for an array's, or one an array operation gave). */
  readonly number: Float64Array;
  /** The product last made (or passed through): an id (or CONSTANT) and its number. */
  rid = 0;
  rnum = 0;

  constructor(
    readonly program: Program,
    rows: number,
    /** The record of an array row (the shape and dtype of its cotangents). */
    readonly nodeAt: (row: number) => NodeRecord | undefined,
  ) {
    this.id = new Int32Array(rows).fill(NONE);
    this.number = new Float64Array(rows);
  }

  // g·partial: a zero cotangent contributes nothing (the eager sweep skips it), even
  // through an infinite partial, nor does a zero partial given an infinite cotangent;
  // numbers known now are multiplied now. (g·1 is written too: a partial that is 1 in one
  // copy of a loop's body and another number in the next must not make the copies differ;
  // V8 folds g·1 itself.)
  product(gid: number, g: number, pid: number, p: number): void {
    if (gid === CONSTANT) {
      if (g === 0 || pid === CONSTANT) {
        this.rid = CONSTANT;
        this.rnum = g === 0 || p === 0 ? 0 : g * p;
      } else {
        this.rid = this.program.push(Number.isFinite(g) ? Op.mul : Op.scale, g, pid, Slot.constant, Slot.value, 0, 0);
        this.rnum = p === 0 ? 0 : g * p;
      }
    } else if (pid === CONSTANT && p === 0) {
      this.rid = CONSTANT;
      this.rnum = 0;
    } else {
      const code = pid !== CONSTANT ? Op.scale : Number.isFinite(p) ? Op.mul : Op.scale;
      this.rid = this.program.push(code, gid, pid === CONSTANT ? p : pid, Slot.value, pid === CONSTANT ? Slot.constant : Slot.value, 0, 0);
      this.rnum = g === 0 || p === 0 ? 0 : g * p;
    }
  }

  /** The product last made plus (aid, a), added before either reaches a row (see writeSweep). */
  plus(aid: number, a: number): void {
    const { rid, rnum, program } = this;
    if (aid === CONSTANT && rid === CONSTANT) this.rnum = a + rnum;
    else {
      this.rid =
        aid === CONSTANT
          ? program.push(Op.add, a, rid, Slot.constant, Slot.value, 0, 0)
          : program.push(Op.add, aid, rid === CONSTANT ? rnum : rid, Slot.value, rid === CONSTANT ? Slot.constant : Slot.value, 0, 0);
      this.rnum = a + rnum;
    }
  }

  /** Adds the contribution (cid, c) to row `row`'s cotangent. */
  contribute(row: number, cid: number, c: number): void {
    const { id, number, program } = this;
    const held = id[row]!;
    if (held === NONE) {
      id[row] = cid;
      number[row] = c;
    } else if (held === CONSTANT && cid === CONSTANT) {
      number[row] = number[row]! + c;
    } else if (program.objects.size > 0 && (program.objects.has(held) || program.objects.has(cid))) {
      const node = this.nodeAt(row);
      const fusion = node?.arrayValued && program.objects.has(held) && program.objects.has(cid) ? describeSum(node.shape, node.dtype) : undefined;
      id[row] = program.apply(add, [operand(held, number[row]!), operand(cid, c)], null, 'add cotangents', NO_SITE, fusion);
      number[row] = NaN;
    } else if (held === CONSTANT && number[row] === 0) {
      // (the first contribution is added to 0 in the eager sweep: 0 + x is x, up to a zero's sign)
      id[row] = cid;
      number[row] = c;
    } else if (!(cid === CONSTANT && c === 0)) {
      id[row] =
        held === CONSTANT
          ? program.push(Op.add, number[row]!, cid, Slot.constant, Slot.value, 0, 0)
          : program.push(Op.add, held, cid === CONSTANT ? c : cid, Slot.value, cid === CONSTANT ? Slot.constant : Slot.value, 0, 0);
      number[row] = number[row]! + c;
    }
  }
}

const operand = (cid: number, c: number): CallOperand => (cid === CONSTANT ? { constant: c } : { id: cid });

// One call of the step's backward, reading only what it says it reads, then its parts
// (cast to each operand's dtype, as the eager sweep does): their ids, or null when abandoned.
function backward(program: Program, node: RecordedNode, g: CallOperand): number[] | null {
  const { step, which, dtypes } = node;
  const readsOperands = step.reads?.operands;
  const readsResult = step.reads?.result ?? true;
  const n = node.operands.length;
  const run = (g: unknown, ...rest: unknown[]) => {
    const parts = step.backward(g, rest.slice(0, n), rest[n]);
    // (the eager sweep skips a node whose cotangent is 0 or all zeros: its operands get
    // zeros, where the backward could make NaN — 0·∞ in a product with an infinite element)
    const zero = isZero(g);
    return which.map((k, j) => {
      const part = parts[k];
      const dtype = dtypes[j];
      if (zero) return isNDArray(part) ? new NDArray(part.shape, allocate(dtype ?? part.dtype, part.size)) : typeof part === 'number' ? 0 : part;
      return isNDArray(part) && dtype != null && part.dtype !== dtype ? astype(part, dtype) : part;
    });
  };
  const args: CallOperand[] = [g];
  node.operands.forEach((x, k) => args.push(readsOperands === undefined || readsOperands[k] ? x : { constant: undefined }));
  args.push(readsResult ? { id: node.id } : { constant: undefined });
  const need = node.operands.map((_, k) => which.includes(k));
  const list = program.apply(run, args, null, `${step.name}: backward`, node.site, describeBackward(node.fusion, need, which, dtypes));
  if (list < 0) return null;
  const parts = which.map((_, j) => program.part(list, j, dtypes[j] !== null));
  return parts.some((p) => p < 0) ? null : parts;
}

/** A cotangent the eager sweep passes over: 0, or an array of zeros (lib/core/tape.ts's sweepNodes). */
function isZero(g: unknown): boolean {
  if (typeof g === 'number') return g === 0;
  if (!isNDArray(g)) return false;
  const data = g.data;
  for (let k = 0; k < data.length; k++) if (data[k] !== 0) return false;
  return true;
}
