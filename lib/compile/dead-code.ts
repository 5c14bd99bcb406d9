// Dead-code elimination: only what the gradient or a guard needs is generated. The forward
// value of f itself, for one, is dead in a gradient of a function whose pullback does not
// use it (JAX's jit drops it the same way). A loop's body instruction is live when any of
// its copies is (the body is generated once).

import { isGuard, Op, Slot } from './instructions.js';
import type { Program } from './program.js';

/** Which stored instructions (straight ones and loop bodies, by storage row) the outputs or a guard need (1: live). */
export function liveInstructions(p: Program, outputs: readonly number[]): Uint8Array {
  const live = new Uint8Array(p.stored);
  const mark = (id: number) => {
    if (id >= p.inputCount) live[p.physOf(id)] = 1;
  };
  for (const id of outputs) mark(id);
  for (let s = p.segments.length - 1; s >= 0; s--) {
    const seg = p.segments[s]!;
    if (seg.kind === 'straight') {
      for (let k = seg.phys + (seg.end - seg.start) - 1; k >= seg.phys; k--) {
        if (!live[k] && !isGuard(p.op[k]!)) continue;
        live[k] = 1;
        if (p.slotA[k] === Slot.value) mark(p.a[k]!);
        if (p.slotB[k] === Slot.value) mark(p.b[k]!);
        if (p.op[k] === Op.apply) for (const arg of p.calls[p.extra[k]!]!.args) if ('id' in arg) mark(arg.id);
      }
      continue;
    }
    const { start, period, phys } = seg;
    // A body instruction read from the same or the previous copy is another body instruction:
    // repeat until no more become live.
    const read = (a0: number, step: number): boolean => {
      if (step === period && a0 >= start - period) {
        if (a0 < start) mark(a0); // (copy 0 reads the value made before the loop)
        const k = phys + ((a0 - start + period) % period);
        if (live[k]) return false;
        live[k] = 1;
        return true;
      }
      mark(a0); // (one value made before the loop, or another loop's: its body instruction)
      return false;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (let j = period - 1; j >= 0; j--) {
        const k = phys + j;
        if (!live[k] && !isGuard(p.op[k]!)) continue;
        live[k] = 1;
        if (p.slotA[k] === Slot.value && read(p.a[k]!, seg.stepA[j]!)) changed = true;
        if (p.slotB[k] === Slot.value && read(p.b[k]!, seg.stepB[j]!)) changed = true;
      }
    }
  }
  return live;
}
