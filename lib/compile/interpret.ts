// A recorded program run without writing code for it: the first tier of a compiled path.
//
// Writing a program as JavaScript — its reverse pass first, then the code — costs
// microseconds per stored instruction, and V8 then runs the new code cold. For a program that
// folds into loops that is little; for one that does not (a branch on every sample, as in the
// logistic loss: thousands of straight instructions) the second call of `compileGradient`
// spent tens of milliseconds there, where the eager gradient's later calls take a tenth of
// one. So such a path's forward instructions — its values and the rules' partials — are run
// by this loop over the stored columns, and the tape the recording kept is swept again with
// those partials (lib/core/tape.ts's `resweep`): the eager gradient's own sweep, with no code
// to write. The path is written as code (index.ts) only once its calls would have paid for it.
//
// Values are kept by id (copy t of a loop's body instruction j is id start + t·period + j),
// in one Float64Array reused by every call: any operand, of this copy, an earlier one or
// another loop's, is one read.

import { compareValues } from '../core/symbolic.js';
import { COMPARISONS, firstShare, Op, picksFirst, Slot } from './instructions.js';
import type { Program } from './program.js';
import type { Loop } from './reroll.js';

/** Programs of more ids than this are not interpreted (their values alone would take 32 MB). */
export const MAX_INTERPRETED_IDS = 1 << 22;

/** A segment as the interpreter reads it: `count` straight instructions, or a loop's fields as they were. */
type Segment = { readonly kind: 'straight'; readonly start: number; readonly count: number; readonly phys: number } | Readonly<Loop>;

/**
 * A runner of the instructions program `p` holds now (its recording finished; instructions
 * appended later, the reverse pass written at tier-up, are not run): `run(X)` reads the inputs
 * from `X` and runs every live instruction (`live`: dead-code.ts), leaving value id in
 * `values[id]`; false where a guard fails (another path).
 */
export function interpreter(p: Program, live: Uint8Array): { run(X: Float64Array): boolean; readonly values: Float64Array } {
  const values = new Float64Array(p.length);
  const inputs = p.inputCount;
  // (the columns and segments as they are now: appending the reverse pass grows a straight
  // segment in place and may move the columns)
  const { op, a: operandA, b: operandB, slotA, slotB, extra, expected } = p;
  const segments: Segment[] = p.segments.map((seg) =>
    seg.kind === 'straight'
      ? { kind: 'straight', start: seg.start, count: seg.end - seg.start, phys: seg.phys }
      : { ...seg },
  );
  const functions = p.functions;

  /** Runs stored row k as id `id`, with operands x and y and a guard's expected outcome; false only where a guard fails. */
  const step = (k: number, id: number, x: number, y: number, want: number): boolean => {
    switch (op[k]) {
      case Op.add: values[id] = x + y; return true;
      case Op.sub: values[id] = x - y; return true;
      case Op.mul: values[id] = x * y; return true;
      case Op.div: values[id] = x / y; return true;
      case Op.pow: values[id] = x ** y; return true;
      case Op.neg: values[id] = -x; return true;
      case Op.call: values[id] = slotB[k] === Slot.none ? functions[extra[k]!]!(x) : functions[extra[k]!]!(x, y); return true;
      case Op.pick: values[id] = picksFirst(extra[k] === 0, x, y) ? x : y; return true;
      case Op.picked: values[id] = firstShare(extra[k] === 0, x, y); return true;
      case Op.compare: return compareValues(COMPARISONS[extra[k]!]!, x, y) === (want === 1);
      case Op.truth: return !!x === (want === 1);
      case Op.pin: return Object.is(x, y);
      // (scale, apply, part, argument: the reverse pass's and array operations', never interpreted)
      default: throw new Error(`zygote-ts: internal error: instruction ${op[k]} cannot be interpreted`);
    }
  };

  const run = (X: Float64Array): boolean => {
    values.set(X.subarray(0, inputs));
    for (const seg of segments) {
      if (seg.kind === 'straight') {
        for (let i = 0; i < seg.count; i++) {
          const k = seg.phys + i;
          if (!live[k]) continue;
          const x = slotA[k] === Slot.value ? values[operandA[k]!]! : operandA[k]!;
          const y = slotB[k] === Slot.value ? values[operandB[k]!]! : operandB[k]!;
          if (!step(k, seg.start + i, x, y, expected[k]!)) return false;
        }
        continue;
      }
      const { start, period, count, phys, stepA, stepB, tableA, tableB, tableExpected } = seg;
      for (let t = 0; t < count; t++) {
        const first = start + t * period;
        for (let j = 0; j < period; j++) {
          const k = phys + j;
          if (!live[k]) continue;
          const x = slotA[k] === Slot.value ? values[operandA[k]! + stepA[j]! * t]! : (tableA[j]?.[t] ?? operandA[k]!);
          const y = slotB[k] === Slot.value ? values[operandB[k]! + stepB[j]! * t]! : (tableB[j]?.[t] ?? operandB[k]!);
          if (!step(k, first + j, x, y, tableExpected[j]?.[t] ?? expected[k]!)) return false;
        }
      }
    }
    return true;
  };
  return { run, values };
}
