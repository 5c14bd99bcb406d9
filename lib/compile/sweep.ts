// The reverse pass, written as code. While f is recorded, the tape holds rows whose
// partials are symbolic numbers (scalar operations) and nodes whose operations come in
// replayable form (array operations, rules/arrays/record.ts's Step). Here the tape is
// swept once, backwards, but instead of computing cotangents each step appends the
// instructions that will compute them: a multiply and an add per scalar edge, a call of
// the operation's `backward` per array node. Only what reaches the inputs is written.

import { Symbolic, isSymbolic } from '../core/symbolic.js';
import type { NodeRecord, Tape, TapeRecorder } from '../core/tape.js';
import { NDArray, type Dtype, isNDArray } from '../ndarray.js';
import { isTraced } from '../core/traced.js';
import type { Step } from '../../rules/arrays/record.js';
import { add } from '../../rules/arithmetic.js';
import { astype } from '../../rules/arrays/dtype.js';
import { Uncompilable } from './arguments.js';
import { Op, type CallOperand, type Program } from './program.js';
import { callerLine } from '../escapes.js';

/** A cotangent while the sweep is written: a number, or a value of the program. */
type Cotangent = number | Symbolic;

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
  readonly site: string;
}

/**
 * What compileGradient attaches to the tape it records on: each array operation becomes an
 * `apply` of its step's `forward`; its scalar result becomes a symbolic number.
 */
export class ArrayRecorder implements TapeRecorder {
  readonly nodes = new Map<number, RecordedNode>();
  /** The program values of object arguments (NDArrays), by the array itself. */
  readonly arguments = new Map<NDArray, number>();
  private tape: Tape | null = null;

  constructor(readonly program: Program) {}

  attach(tape: Tape): void {
    this.tape = tape;
    tape.recorder = this;
  }

  elementRead(): void {
    throw new Uncompilable('f reads single elements of an array (get, iteration, toArray), which compiled code does not follow yet');
  }

  recordNode(row: number, node: NodeRecord, operands: readonly unknown[], value: unknown, which: readonly number[], dtypes: readonly (Dtype | null)[]): unknown {
    const step = node.step as Step | undefined;
    if (step === undefined) throw new Uncompilable(`f uses an array operation that has no compiled form yet (${node.name || 'unnamed'})`);
    const resolved = operands.map((x) => this.operand(x));
    const site = callerLine(new Error().stack);
    const id = this.program.apply((...values: unknown[]) => step.forward(values), resolved, value, step.name, site);
    this.nodes.set(row, { id, step, operands: resolved, which, dtypes, site });
    return typeof value === 'number' ? new Symbolic(value, id, this.program) : value;
  }

  /** The program's operand for one operand of an array operation. */
  private operand(x: unknown): CallOperand {
    const t = this.tape;
    if (isNDArray(x)) {
      if (x.tape === t) {
        // (an argument's array is the array input wrapping it: its value is the argument)
        const id = this.nodes.get(x.index)?.id ?? this.arguments.get(x.value as NDArray);
        if (id === undefined) throw new Uncompilable('f uses an array that compiled code cannot follow');
        return { id };
      }
      if (x.tape !== null && x.tape.active) throw new Uncompilable('f differentiates arrays inside a compiled gradient (nested), which is not compiled yet');
      return { constant: x };
    }
    if (isTraced(x)) {
      if (x.tape !== t) throw new Uncompilable('f mixes in a number traced by another differentiation, which is not compiled yet');
      const v = x.value;
      if (isSymbolic(v)) return { id: v.id };
      throw new Uncompilable('f computes an array from a number that compiled code cannot follow');
    }
    if (isSymbolic(x)) return { id: x.id };
    return { constant: x };
  }
}

/** Appends the reverse pass from `output` to `program`; returns the cotangent of each wanted row (null: no path). */
export function writeSweep(program: Program, recorder: ArrayRecorder, tape: Tape, output: number, wanted: readonly number[]): unknown[] {
  const cotangents = new Array<Cotangent | undefined>(output + 1);
  const contribute = (row: number, c: Cotangent) => {
    const held = cotangents[row];
    cotangents[row] = held === undefined ? c : sum(program, held, c);
  };
  cotangents[output] = 1;
  for (let i = output; i >= 0; i--) {
    const g = cotangents[i];
    if (g === undefined) continue;
    const row = tape.rowAt(i);
    if (row.kind === 'scalar') {
      if (row.a >= 0) contribute(row.a, product(program, g, row.da));
      if (row.b >= 0) contribute(row.b, product(program, g, row.db));
    } else if (row.kind === 'element') {
      recorder.elementRead();
    } else if (row.node.pullback !== null) {
      // (every node recorded with a pullback went through recordNode, which refuses those without a step)
      const parts = backward(program, recorder.nodes.get(i)!, g);
      row.node.parents.forEach((parent, j) => contribute(parent, parts[j]!));
    }
  }
  return wanted.map((row) => (row >= 0 && row <= output ? (cotangents[row] ?? null) : null));
}

// ---- the instructions -------------------------------------------------------------------

// (a scalar row's cotangent and partials are numbers or symbolic numbers, never arrays;
// a zero cotangent contributes nothing, as in the eager sweep)
function product(program: Program, g: Cotangent, partial: unknown): Cotangent {
  if (typeof g === 'number') {
    if (g === 0) return 0;
    if (typeof partial === 'number') return g * partial;
  } else if (typeof partial === 'number') {
    return program.binary(Number.isFinite(partial) ? Op.mul : Op.scale, g, partial);
  }
  if (!isSymbolic(partial)) throw new Uncompilable('a partial derivative compiled code cannot follow');
  return typeof g === 'number' ? program.binary(Op.mul, g, partial) : program.binary(Op.scale, g, partial);
}

function sum(program: Program, a: Cotangent, b: Cotangent): Cotangent {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if ((isSymbolic(a) && program.objects.has(a.id)) || (isSymbolic(b) && program.objects.has(b.id))) {
    const id = program.apply(add, [operandOf(a), operandOf(b)], null, 'add cotangents');
    return new Symbolic(NaN, id, program);
  }
  // The first contribution is added to 0 in the eager sweep: 0 + x is x (up to a zero's sign).
  if (a === 0) return b;
  if (b === 0) return a;
  return program.binary(Op.add, a, b);
}

const operandOf = (x: Cotangent): CallOperand => (isSymbolic(x) ? { id: x.id } : { constant: x });

// One call of the step's backward, reading only what it says it reads, then its parts
// (cast to each operand's dtype, as the eager sweep does).
function backward(program: Program, node: RecordedNode, g: Cotangent): Cotangent[] {
  const { step, which, dtypes } = node;
  const readsOperands = step.reads?.operands;
  const readsResult = step.reads?.result ?? true;
  const n = node.operands.length;
  const run = (g: unknown, ...rest: unknown[]) => {
    const parts = step.backward(g, rest.slice(0, n), rest[n]);
    return which.map((k, j) => {
      const part = parts[k];
      const dtype = dtypes[j];
      return isNDArray(part) && dtype != null && part.dtype !== dtype ? astype(part, dtype) : part;
    });
  };
  const args: CallOperand[] = [operandOf(g)];
  node.operands.forEach((x, k) => args.push(readsOperands === undefined || readsOperands[k] ? x : { constant: undefined }));
  args.push(readsResult ? { id: node.id } : { constant: undefined });
  const list = program.apply(run, args, null, `${step.name}: backward`, node.site);
  return which.map((_, j) => new Symbolic(NaN, program.part(list, j, dtypes[j] !== null), program));
}
