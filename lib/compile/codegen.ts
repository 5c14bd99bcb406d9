// JavaScript from a recorded program: one function that reads the inputs from `X`, runs
// every instruction (rerolled into loops where the program repeats itself), returns
// `MISS` at the first guard that fails, and leaves the values the caller asked for where
// `valueOf(id)` says. Straight-line values are locals; values a loop needs from other
// iterations, or the caller needs after a loop, live in the Float64Array `V`.

import { BINARY_OPERATORS, COMPARISONS, Op, Slot, type Program } from './program.js';
import { reroll, type Loop } from './reroll.js';

export interface GeneratedBody {
  /** Statements of the function body (inputs in `X`, values in `V`, functions in `F`). */
  readonly code: string;
  /** The expression for value `id` after the body has run (for the output's code). */
  valueOf(id: number): string;
}

/** Math functions called by name (V8 inlines those) instead of through `F`. */
const MATH_NAMES = new Map<Function, string>(
  Object.getOwnPropertyNames(Math)
    .filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')
    .map((k) => [(Math as unknown as Record<string, Function>)[k]!, `Math.${k}`]),
);

export function generateBody(p: Program, outputs: readonly number[]): GeneratedBody {
  const segments = reroll(p);
  const n = p.length;
  // Where each value is defined: -1 straight, else the index of its loop segment.
  const loopOf = new Int32Array(n).fill(-1);
  segments.forEach((seg, k) => {
    if (seg.kind === 'loop') loopOf.fill(k, seg.start, seg.start + seg.period * seg.count);
  });
  const inSlot = new Uint8Array(n); // 1: the value is (also) stored in V[id]
  const needSlot = (id: number) => {
    inSlot[id] = 1;
  };
  for (let k = 0; k < segments.length; k++) {
    const seg = segments[k]!;
    if (seg.kind === 'straight') {
      for (let i = seg.start; i < seg.end; i++) {
        if (p.slotA[i] === Slot.value && loopOf[p.a[i]!]! >= 0) needSlot(p.a[i]!);
        if (p.slotB[i] === Slot.value && loopOf[p.b[i]!]! >= 0) needSlot(p.b[i]!);
      }
      continue;
    }
    for (let j = 0; j < seg.period; j++) {
      const i = seg.start + j;
      if (p.slotA[i] === Slot.value) markUses(seg, p.a[i]!, seg.stepA[j]!, loopOf, needSlot);
      if (p.slotB[i] === Slot.value) markUses(seg, p.b[i]!, seg.stepB[j]!, loopOf, needSlot);
    }
  }
  for (const id of outputs) needSlot(id); // (the gradient's code may read them from V by index)
  // A loop stores body value j in V when any of its copies is needed there.
  const stored = segments.map((seg) => {
    if (seg.kind !== 'loop') return null;
    const flags = new Uint8Array(seg.period);
    for (let t = 0; t < seg.count; t++) for (let j = 0; j < seg.period; j++) if (inSlot[seg.start + t * seg.period + j]) flags[j] = 1;
    return flags;
  });

  const lines: string[] = [];
  const functionNames = p.functions.map((f, k) => MATH_NAMES.get(f) ?? `F${k}`);
  p.functions.forEach((f, k) => {
    if (!MATH_NAMES.has(f)) lines.push(`const F${k} = F[${k}];`);
  });
  const straightValue = (id: number) => (loopOf[id]! >= 0 ? `V[${id}]` : `v${id}`);

  segments.forEach((seg, k) => {
    if (seg.kind === 'straight') {
      for (let i = seg.start; i < seg.end; i++) {
        const operand = (slot: number, x: number) => (slot === Slot.value ? straightValue(x) : literal(x));
        const line = statement(p, i, `v${i}`, operand(p.slotA[i]!, p.a[i]!), operand(p.slotB[i]!, p.b[i]!), `X[${p.extra[i]}]`, functionNames);
        lines.push(line);
        if (inSlot[i] && isValue(p.op[i]!)) lines.push(`V[${i}] = v${i};`);
      }
      return;
    }
    const flags = stored[k]!;
    const { start, period, count } = seg;
    lines.push(`for (let t = 0; t < ${count}; t++) {`);
    for (let j = 0; j < period; j++) {
      const i = start + j;
      const operand = (slot: number, x: number, step: number) => {
        if (slot !== Slot.value) return literal(x);
        if (step === period && x >= start && x < start + period) return `l${x - start}`; // this iteration
        if (step === 0) return straightValue(x);
        return `V[${offset(x, step)}]`;
      };
      const input = `X[${offset(p.extra[i]!, seg.stepExtra[j]!)}]`;
      lines.push('  ' + statement(p, i, `l${j}`, operand(p.slotA[i]!, p.a[i]!, seg.stepA[j]!), operand(p.slotB[i]!, p.b[i]!, seg.stepB[j]!), input, functionNames));
      if (flags[j] && isValue(p.op[i]!)) lines.push(`  V[${offset(i, period)}] = l${j};`);
    }
    lines.push('}');
  });
  return { code: lines.join('\n'), valueOf: straightValue };
}

// The values a loop's operand reads over all its copies: those outside the same copy must be in V.
function markUses(seg: Loop, first: number, step: number, loopOf: Int32Array, needSlot: (id: number) => void): void {
  const sameCopy = step === seg.period && first >= seg.start && first < seg.start + seg.period;
  if (sameCopy) return;
  if (step === 0) {
    if (loopOf[first]! >= 0) needSlot(first);
    return;
  }
  for (let t = 0; t < seg.count; t++) needSlot(first + step * t);
}

const offset = (first: number, step: number) => (step === 0 ? `${first}` : `${first} + ${step} * t`);

const isValue = (code: number) => code !== Op.compare && code !== Op.truth && code !== Op.pin;

function statement(p: Program, i: number, name: string, a: string, b: string, input: string, functionNames: readonly string[]): string {
  const code = p.op[i]!;
  switch (code) {
    case Op.input:
      return `const ${name} = ${input};`;
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
