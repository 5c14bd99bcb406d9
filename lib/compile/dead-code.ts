// Dead-code elimination: only what the gradient or a guard needs is generated. The forward
// value of f itself, for one, is dead in a gradient of a function whose pullback does not
// use it (JAX's jit drops it the same way).

import { Op, Slot, type Program } from './program.js';

const isGuard = (code: number) => code === Op.compare || code === Op.truth || code === Op.pin;

/** Which instructions the outputs or a guard need (1: live). */
export function liveInstructions(p: Program, outputs: readonly number[]): Uint8Array {
  const n = p.length;
  const live = new Uint8Array(n);
  for (const id of outputs) live[id] = 1;
  for (let i = n - 1; i >= 0; i--) {
    if (!live[i] && !isGuard(p.op[i]!)) continue;
    live[i] = 1;
    if (p.slotA[i] === Slot.value) live[p.a[i]!] = 1;
    if (p.slotB[i] === Slot.value) live[p.b[i]!] = 1;
    if (p.op[i] === Op.apply) for (const arg of p.calls[p.extra[i]!]!.args) if ('id' in arg) live[arg.id] = 1;
  }
  return live;
}
