// JavaScript from a recorded program: one function that reads its inputs from `X` (value
// k < inputCount is input k), runs every instruction (rerolled into loops where the
// program repeats itself), returns `MISS` at the first guard that fails, and leaves the
// values the caller asked for where `valueOf(id)` says. Straight-line values are locals;
// values a loop needs from other iterations, or the caller needs after a loop, live in
// the Float64Array `V`.

import { BINARY_OPERATORS, COMPARISONS, Op, Slot, type Program } from './program.js';
import { reroll, type Loop } from './reroll.js';

export interface GeneratedBody {
  /** Statements of the function body (inputs in `X`, values in `V`, functions in `F`, array operations in `P`, constants in `K`, object arguments in `A`). */
  readonly code: string;
  /** The functions of the program's calls (`P`) and the objects its calls take as constants (`K`). */
  readonly calls: readonly ((...args: any[]) => unknown)[];
  readonly constants: readonly unknown[];
  /** The expression for value `id` after the body has run (for the output's code). */
  valueOf(id: number): string;
}

/** Math functions called by name (V8 inlines those) instead of through `F`. */
const MATH_NAMES = new Map<Function, string>(
  Object.getOwnPropertyNames(Math)
    .filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')
    .map((k) => [(Math as unknown as Record<string, Function>)[k]!, `Math.${k}`]),
);

/** The body for program `p`; `live` flags the instructions to generate (lib/compile/dead-code.ts). */
export function generateBody(p: Program, outputs: readonly number[], live: Uint8Array): GeneratedBody {
  const inputs = p.inputCount;
  const segments = reroll(p, inputs);
  const n = p.length;
  // Where each value is defined: -1 straight, else the index of its loop segment.
  const loopOf = new Int32Array(n).fill(-1);
  segments.forEach((seg, k) => {
    if (seg.kind === 'loop') loopOf.fill(k, seg.start, seg.start + seg.period * seg.count);
  });
  // A loop's body instruction is generated when any of its copies is live.
  const bodyLive = segments.map((seg) => (seg.kind === 'loop' ? anyCopy(seg, live) : null));
  // A loop's body value j that the next copy reads is carried in a local, c<loop>_<j>; after
  // the loop it holds the last copy's value.
  const carried = segments.map((seg, k) => {
    if (seg.kind !== 'loop') return null;
    const flags = new Uint8Array(seg.period);
    const { start, period } = seg;
    for (let j = 0; j < period; j++) {
      if (!bodyLive[k]![j]) continue;
      const i = start + j;
      if (p.slotA[i] === Slot.value && seg.stepA[j] === period && p.a[i]! >= start - period && p.a[i]! < start) flags[p.a[i]! - start + period] = 1;
      if (p.slotB[i] === Slot.value && seg.stepB[j] === period && p.b[i]! >= start - period && p.b[i]! < start) flags[p.b[i]! - start + period] = 1;
    }
    return flags;
  });
  /** The carried local holding value `id` after its loop (it is the last copy's), or null. */
  const carriedAfter = (id: number): string | null => {
    const k = loopOf[id]!;
    if (k < 0) return null;
    const seg = segments[k] as Loop;
    const j = id - (seg.start + (seg.count - 1) * seg.period);
    return j >= 0 && carried[k]![j] ? `c${k}_${j}` : null;
  };
  const inSlot = new Uint8Array(n); // 1: the value is (also) stored in V[id]
  const needSlot = (id: number) => {
    if (!p.objects.has(id)) inSlot[id] = 1; // (an array is a local, never in V)
  };
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    if (seg.kind === 'straight') {
      for (let i = seg.start; i < seg.end; i++) {
        if (!live[i]) continue;
        if (p.slotA[i] === Slot.value && loopOf[p.a[i]!]! >= 0 && carriedAfter(p.a[i]!) === null) needSlot(p.a[i]!);
        if (p.slotB[i] === Slot.value && loopOf[p.b[i]!]! >= 0 && carriedAfter(p.b[i]!) === null) needSlot(p.b[i]!);
        // (an array operation's operands: a number computed in a loop is read from V)
        if (p.op[i] === Op.apply) for (const arg of p.calls[p.extra[i]!]!.args) if ('id' in arg && loopOf[arg.id]! >= 0) needSlot(arg.id);
      }
      continue;
    }
    for (let j = 0; j < seg.period; j++) {
      const i = seg.start + j;
      if (!bodyLive[k]![j]) continue;
      if (p.slotA[i] === Slot.value) markUses(seg, p.a[i]!, seg.stepA[j]!, loopOf, needSlot, inputs);
      if (p.slotB[i] === Slot.value) markUses(seg, p.b[i]!, seg.stepB[j]!, loopOf, needSlot, inputs);
    }
  }
  for (const id of outputs) needSlot(id); // (the gradient's code may read them from V by index)
  // A loop stores body value j in V when any of its copies is needed there.
  const stored = segments.map((seg) => (seg.kind === 'loop' ? anyCopy(seg, inSlot) : null));

  const lines: string[] = [];
  const functionNames = p.functions.map((f, k) => MATH_NAMES.get(f) ?? `F${k}`);
  p.functions.forEach((f, k) => {
    if (!MATH_NAMES.has(f)) lines.push(`const F${k} = F[${k}];`);
  });
  const calls = p.calls.map((call) => call.fn);
  const constants: unknown[] = [];
  const callArgs = (k: number) =>
    p.calls[k]!.args
      .map((arg) => {
        if ('id' in arg) return straightValue(arg.id);
        if (typeof arg.constant === 'number') return literal(arg.constant);
        if (arg.constant === undefined) return 'undefined';
        return `K[${constants.push(arg.constant) - 1}]`;
      })
      .join(', ');
  // Inputs a loop reads together with other values, or the gradient's code reads by index, are copied into V.
  for (let k = 0; k < inputs; k++) if (inSlot[k]) lines.push(`V[${k}] = X[${k}];`);
  const straightValue = (id: number) => (id < inputs ? `X[${id}]` : loopOf[id]! >= 0 ? `V[${id}]` : `v${id}`);

  segments.forEach((seg, k) => {
    if (seg.kind === 'straight') {
      for (let i = seg.start; i < seg.end; i++) {
        if (!live[i]) continue;
        const operand = (slot: number, x: number) => (slot === Slot.value ? (carriedAfter(x) ?? straightValue(x)) : literal(x));
        const line =
          p.op[i] === Op.apply
            ? applyLine(p, i, callArgs(p.extra[i]!))
            : statement(p, i, `v${i}`, operand(p.slotA[i]!, p.a[i]!), operand(p.slotB[i]!, p.b[i]!), functionNames);
        lines.push(line);
        if (inSlot[i] && isValue(p.op[i]!)) lines.push(`V[${i}] = v${i};`);
      }
      return;
    }
    const flags = stored[k]!;
    const { start, period, count } = seg;
    const body: string[] = [];
    for (let j = 0; j < period; j++) {
      const i = start + j;
      if (!bodyLive[k]![j]) continue;
      const operand = (slot: number, x: number, step: number) => {
        if (slot !== Slot.value) return literal(x);
        if (step === period && x >= start && x < start + period) return `l${x - start}`; // this copy
        if (step === period && x >= start - period && x < start) return `c${k}_${x - (start - period)}`; // the previous copy
        if (step === 0) return straightValue(x);
        return `${inputsOnly(x, step, count, inputs) ? 'X' : 'V'}[${offset(x, step)}]`;
      };
      body.push('  ' + statement(p, i, `l${j}`, operand(p.slotA[i]!, p.a[i]!, seg.stepA[j]!), operand(p.slotB[i]!, p.b[i]!, seg.stepB[j]!), functionNames));
      if (flags[j] && isValue(p.op[i]!)) body.push(`  V[${offset(i, period)}] = l${j};`);
    }
    carried[k]!.forEach((flag, j) => {
      if (!flag) return;
      lines.push(`let c${k}_${j} = ${carriedAfter(start - period + j) ?? straightValue(start - period + j)};`);
      body.push(`  c${k}_${j} = l${j};`);
    });
    lines.push(`for (let t = 0; t < ${count}; t++) {`, ...body, '}');
  });
  return { code: lines.join('\n'), valueOf: straightValue, calls, constants };
}

/** For each body instruction j of `seg`: 1 when `flags` is set for any of its copies. */
function anyCopy(seg: Loop, flags: Uint8Array): Uint8Array {
  const body = new Uint8Array(seg.period);
  for (let t = 0; t < seg.count; t++) for (let j = 0; j < seg.period; j++) body[j]! |= flags[seg.start + t * seg.period + j]!;
  return body;
}

// The values a loop's operand reads over all its copies: those outside the same copy must be in V.
function markUses(seg: Loop, first: number, step: number, loopOf: Int32Array, needSlot: (id: number) => void, inputs: number): void {
  const sameCopy = step === seg.period && first >= seg.start && first < seg.start + seg.period;
  if (sameCopy || inputsOnly(first, step, seg.count, inputs)) return;
  // A value read by every copy, or the previous copy's (carried in a local: only the one
  // before the loop is read), is one value: from V only when another loop made it.
  const previousCopy = step === seg.period && first >= seg.start - seg.period && first < seg.start;
  if (previousCopy || step === 0) {
    if (loopOf[first]! >= 0) needSlot(first);
    return;
  }
  for (let t = 0; t < seg.count; t++) needSlot(first + step * t);
}

/** True when a loop operand reads only inputs (from X) over all its copies. */
function inputsOnly(first: number, step: number, count: number, inputs: number): boolean {
  return Math.max(first, first + step * (count - 1)) < inputs;
}

// An array operation: `site` says which, should it throw (the function's catch names the user's line).
function applyLine(p: Program, i: number, args: string): string {
  const k = p.extra[i]!;
  const { label, site } = p.calls[k]!;
  return `site = ${k}; const v${i} = P[${k}](${args}); // ${label}${site === '' ? '' : ` at ${site}`}`;
}

const offset = (first: number, step: number) => (step === 0 ? `${first}` : `${first} + ${step} * t`);

const isValue = (code: number) => code !== Op.compare && code !== Op.truth && code !== Op.pin;

function statement(p: Program, i: number, name: string, a: string, b: string, functionNames: readonly string[]): string {
  const code = p.op[i]!;
  switch (code) {
    case Op.neg:
      return `const ${name} = -${a};`;
    case Op.call:
      return `const ${name} = ${functionNames[p.extra[i]!]}(${p.slotB[i] === Slot.none ? a : `${a}, ${b}`});`;
    case Op.compare:
      return `if ((${a} ${COMPARISONS[p.extra[i]!]} ${b}) !== ${p.expected[i] === 1}) return MISS;`;
    case Op.truth:
      return `if (!${a} !== ${p.expected[i] !== 1}) return MISS;`;
    case Op.pin:
      return `if (!sameNumber(${a}, ${b})) return MISS;`;
    case Op.part:
      return `const ${name} = ${a}[${p.extra[i]}];`;
    case Op.argument:
      return `const ${name} = A[${p.extra[i]}];`;
    case Op.scale:
      return `const ${name} = ${a} === 0 ? 0 : ${a} * ${b};`;
    default:
      return `const ${name} = ${a} ${BINARY_OPERATORS[code]} ${b};`;
  }
}

/** A number as JavaScript source (parenthesised, so `-x ** 2` cannot arise). */
export function literal(x: number): string {
  if (Number.isNaN(x)) return '(0 / 0)';
  if (x === Infinity) return '(1 / 0)';
  if (x === -Infinity) return '(-1 / 0)';
  if (Object.is(x, -0)) return '(-0)';
  return x < 0 ? `(${x})` : String(x);
}
