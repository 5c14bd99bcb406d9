// Dead-code elimination: only what the gradient or a guard needs is generated. The forward
// value of f itself, for one, is dead in a gradient of a function whose pullback does not
// use it (JAX's jit drops it the same way).

import { Op, Program, Slot } from './program.js';

const isGuard = (code: number) => code === Op.compare || code === Op.truth || code === Op.pin;

/** The program without dead instructions, and each old id's new id (-1: removed). */
export function withoutDeadCode(p: Program, outputs: readonly number[]): { program: Program; newId: Int32Array } {
  const n = p.length;
  const live = new Uint8Array(n);
  for (const id of outputs) live[id] = 1;
  for (let i = n - 1; i >= 0; i--) {
    // (inputs stay, so that value k < inputCount is input k, read from X in place)
    if (!live[i] && !isGuard(p.op[i]!) && p.op[i] !== Op.input) continue;
    live[i] = 1;
    if (p.slotA[i] === Slot.value) live[p.a[i]!] = 1;
    if (p.slotB[i] === Slot.value) live[p.b[i]!] = 1;
    if (p.op[i] === Op.apply) for (const arg of p.calls[p.extra[i]!]!.args) if ('id' in arg) live[arg.id] = 1;
  }
  const newId = new Int32Array(n).fill(-1);
  let count = 0;
  for (let i = 0; i < n; i++) count += live[i]!;
  const q = new Program(count);
  q.functions.push(...p.functions);
  q.inputCount = p.inputCount;
  for (let i = 0; i < n; i++) {
    if (!live[i]) continue;
    const a = p.slotA[i] === Slot.value ? newId[p.a[i]!]! : p.a[i]!;
    const b = p.slotB[i] === Slot.value ? newId[p.b[i]!]! : p.b[i]!;
    let extra = p.extra[i]!;
    if (p.op[i] === Op.apply) {
      const call = p.calls[extra]!;
      extra = q.calls.push({ ...call, args: call.args.map((arg) => ('id' in arg ? { id: newId[arg.id]! } : arg)) }) - 1;
    }
    newId[i] = q.push(p.op[i]!, a, b, p.slotA[i]!, p.slotB[i]!, extra, p.expected[i]!);
    if (p.objects.has(i)) q.objects.add(newId[i]!);
    const site = p.sites.get(i);
    if (site !== undefined) q.sites.set(newId[i]!, site);
  }
  return { program: q, newId };
}
