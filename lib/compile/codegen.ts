// JavaScript from a recorded program: one function that reads its inputs from `X` (value
// k < inputCount is input k), runs every instruction (each loop of reroll.ts as a `for`
// loop over its copies), returns `MISS` at the first guard that fails, and leaves the
// values the caller asked for where `valueOf(id)` says. Straight-line values are locals;
// a loop's value that the next copy reads is carried in a local; values read from other
// copies, or after the loop, live in the Float64Array `V`, `count` places per loop body
// instruction (copy t at base + t), one per straight value the caller reads by index.
//
// V8 never optimises a function of more than 60 KB of bytecode: a path that did not fold
// into loops (a branch on every sample: the logistic loss's 6,000 instructions) ran
// unoptimised, as slowly as the eager gradient. Long scalar code is therefore cut into
// parts of at most PART_SIZE instructions, each a function of its own that the body calls in
// turn; a value one part makes and a later one reads goes through `V`.

import { BINARY_OPERATORS, COMPARISONS, isGuard, Op, Slot } from './instructions.js';
import type { Program } from './program.js';
import type { Loop } from './reroll.js';
import { planFusion, writeRun } from './fuse.js';

export interface GeneratedBody {
  /** Statements of the function body (inputs in `X`, values in `V`, functions in `F`, array operations in `P`, constants in `K`, tables in `D`, object arguments in `A`). */
  readonly code: string;
  /** Declarations the body uses, written once outside it (the fused loops' functions: fuse.ts's writeRun). */
  readonly helpers: string;
  /** The functions of the program's calls (`P`) and the objects its calls take as constants (`K`). */
  readonly calls: readonly ((...args: any[]) => unknown)[];
  readonly constants: readonly unknown[];
  /** The loops' tables of data (`D`). */
  readonly tables: readonly (Float64Array | Uint8Array)[];
  /** How many places `V` has. */
  readonly slots: number;
  /** The expression for value `id` after the body has run (for the output's code). */
  valueOf(id: number): string;
  /** The place of output `id` in `V`. */
  slotOf(id: number): number;
  /** How many stored instructions are generated. */
  readonly live: number;
}

/** Math functions called by name (V8 inlines those) instead of through `F`. */
const MATH_NAMES = new Map<Function, string>(
  Object.getOwnPropertyNames(Math)
    .filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')
    .map((k) => [(Math as unknown as Record<string, Function>)[k]!, `Math.${k}`]),
);

/** Instructions per part of long scalar code (well under V8's 60 KB of bytecode: a statement takes 10–30 bytes). */
export const PART_SIZE = 1000;

/**
 * The body for program `p` (its recording finished); `live` flags the stored instructions to
 * generate (dead-code.ts); `fuse`: runs of elementwise array operations become loops (fuse.ts).
 */
export function generateBody(p: Program, outputs: readonly number[], live: Uint8Array, fuse = true): GeneratedBody {
  const inputs = p.inputCount;
  const segments = p.segments;
  /** Where value id is: its segment, and for a loop its copy and body instruction. */
  const place = (id: number) => {
    const s = p.segmentOf(id);
    const seg = segments[s]!;
    if (seg.kind === 'straight') return { s, seg, copy: 0, j: id - seg.start, k: seg.phys + id - seg.start };
    const copy = Math.floor((id - seg.start) / seg.period);
    const j = id - seg.start - copy * seg.period;
    return { s, seg, copy, j, k: seg.phys + j };
  };
  // The part of each stored instruction (a loop stays in one part), or null for code short
  // enough to be one function, or holding objects (array operations), which V cannot hold.
  const partOf = p.calls.length === 0 && p.objects.size === 0 ? partsOf(p, live) : null;
  /** The part whose code is being written or scanned (-1: the caller's, after the body). */
  let here = 0;
  /** Whether value id (not an input) is made in the part being written. */
  const madeHere = (id: number) => partOf === null || partOf[place(id).k] === here;
  // A loop's body value j that the next copy reads is carried in a local, c<loop>_<j>; after
  // the loop it holds the last copy's value.
  const carried = new Uint8Array(p.stored);
  segments.forEach((seg) => {
    if (seg.kind !== 'loop') return;
    const { start, period, phys } = seg;
    for (let j = 0; j < period; j++) {
      const k = phys + j;
      if (!live[k]) continue;
      if (p.slotA[k] === Slot.value && seg.stepA[j] === period && p.a[k]! >= start - period && p.a[k]! < start) carried[phys + p.a[k]! - start + period] = 1;
      if (p.slotB[k] === Slot.value && seg.stepB[j] === period && p.b[k]! >= start - period && p.b[k]! < start) carried[phys + p.b[k]! - start + period] = 1;
    }
  });
  /** The carried local holding loop value `id` after its loop (it is the last copy's), or null. */
  const carriedAfter = (id: number): string | null => {
    const at = place(id);
    return at.seg.kind === 'loop' && at.copy === at.seg.count - 1 && carried[at.k] && madeHere(id) ? `c${at.s}_${at.j}` : null;
  };

  // Which values live in V: a loop's body value read from outside its copy (except through a
  // carried local), and every output.
  const inV = new Uint8Array(p.stored);
  const inputInV = new Set<number>();
  const readOnce = (id: number) => {
    if (id < inputs) return;
    const at = place(id);
    if (at.seg.kind === 'loop' ? carriedAfter(id) === null : !madeHere(id)) inV[at.k] = 1;
  };
  for (const seg of segments) {
    if (seg.kind === 'straight') {
      for (let k = seg.phys; k < seg.phys + seg.end - seg.start; k++) {
        if (!live[k]) continue;
        if (partOf !== null) here = partOf[k]!;
        if (p.slotA[k] === Slot.value) readOnce(p.a[k]!);
        if (p.slotB[k] === Slot.value) readOnce(p.b[k]!);
        if (p.op[k] === Op.apply) for (const arg of p.calls[p.extra[k]!]!.args) if ('id' in arg) readOnce(arg.id);
      }
      continue;
    }
    const { start, period, phys } = seg;
    if (partOf !== null) here = partOf[phys]!;
    const read = (a0: number, step: number) => {
      if (step === period && a0 >= start - period) {
        if (a0 < start) readOnce(a0); // (the value before the loop, carried in)
      } else if (step === 0) readOnce(a0);
      else if (a0 >= inputs) inV[place(a0).k] = 1; // another loop's copies
    };
    for (let j = 0; j < period; j++) {
      const k = phys + j;
      if (!live[k]) continue;
      if (p.slotA[k] === Slot.value) read(p.a[k]!, seg.stepA[j]!);
      if (p.slotB[k] === Slot.value) read(p.b[k]!, seg.stepB[j]!);
    }
  }
  for (const id of outputs) {
    if (id < inputs) inputInV.add(id);
    else if (!p.objects.has(id)) inV[place(id).k] = 1; // (an array stays a local)
  }
  // Places in V: `count` for a loop's body value, one for a straight value or an input.
  const base = new Int32Array(p.stored).fill(-1);
  let slots = 0;
  const inputSlot = new Map<number, number>();
  for (const id of inputInV) inputSlot.set(id, slots++);
  for (const seg of segments) {
    const n = seg.kind === 'loop' ? seg.period : seg.end - seg.start;
    for (let k = seg.phys; k < seg.phys + n; k++) {
      if (!inV[k]) continue;
      base[k] = slots;
      slots += seg.kind === 'loop' ? seg.count : 1;
    }
  }
  const slotOf = (id: number): number => {
    if (id < inputs) return inputSlot.get(id) ?? -1;
    const at = place(id);
    return base[at.k]! < 0 ? -1 : base[at.k]! + at.copy;
  };

  // (each part's lines; the functions' names are read outside every part)
  const parts: string[][] = [[]];
  let lines = parts[0]!;
  const shared: string[] = [];
  const functionNames = p.functions.map((f, k) => MATH_NAMES.get(f) ?? `F${k}`);
  p.functions.forEach((f, k) => {
    if (!MATH_NAMES.has(f)) (partOf === null ? lines : shared).push(`const F${k} = F[${k}];`);
  });
  /** Starts writing the part of stored instruction k. */
  const enter = (k: number) => {
    if (partOf === null || partOf[k] === here) return;
    here = partOf[k]!;
    lines = parts[here] ??= [];
  };
  here = 0;
  const calls = p.calls.map((call) => call.fn);
  const constants: unknown[] = [];
  const tables: (Float64Array | Uint8Array)[] = [];
  /** A value, read after it was made, outside its loop. */
  const value = (id: number): string => {
    if (id < inputs) return `X[${id}]`;
    const at = place(id);
    if (at.seg.kind === 'straight' && madeHere(id)) return `v${id}`;
    const local = carriedAfter(id);
    if (local !== null) return local;
    const slot = slotOf(id);
    if (slot < 0) throw new Error(`zygote-ts: internal error: value ${id} is read outside its part but has no place in V`);
    return `V[${slot}]`;
  };
  const callArgs = (k: number) =>
    p.calls[k]!.args
      .map((arg) => {
        if ('id' in arg) return value(arg.id);
        if (typeof arg.constant === 'number') return literal(arg.constant);
        if (arg.constant === undefined) return 'undefined';
        return `K[${constants.push(arg.constant) - 1}]`;
      })
      .join(', ');
  for (const [id, slot] of inputSlot) lines.push(`V[${slot}] = X[${id}];`);
  let generated = 0;
  const plan = fuse && p.calls.length > 0 ? planFusion(p, live, outputs) : null;
  // Each fused loop's function, written once for every run whose code it is.
  const loopFunctions = new Map<string, string>();
  let sums = 0; // (the most numbers one loop function leaves in SUMS)
  const outline = (code: string, loopSums: number): string => {
    sums = Math.max(sums, loopSums);
    let name = loopFunctions.get(code);
    if (name === undefined) loopFunctions.set(code, (name = `loop${loopFunctions.size}`));
    return name;
  };
  const constantOf = (x: unknown) => `K[${constants.indexOf(x) >= 0 ? constants.indexOf(x) : constants.push(x) - 1}]`;
  /** The id of straight row k (the rows of fused runs are straight). */
  const idAt = (k: number) => {
    for (const sg of segments) if (sg.kind === 'straight' && k >= sg.phys && k < sg.phys + sg.end - sg.start) return sg.start + k - sg.phys;
    throw new Error('zygote-ts: internal error: a fused row outside the straight code');
  };

  segments.forEach((seg, s) => {
    if (seg.kind === 'straight') {
      for (let k = seg.phys; k < seg.phys + seg.end - seg.start; k++) {
        if (!live[k]) continue;
        enter(k);
        generated++;
        const id = seg.start + k - seg.phys;
        const r = plan === null ? -1 : plan.runOf[k]!;
        if (r >= 0) {
          // a member of a fused run: the run's loop is written where its last member was
          const run = plan!.runs[r]!;
          if (run.rows[run.rows.length - 1] !== k) continue;
          // (a merged run's values were made by the loop of the run before it)
          if (!run.merged) lines.push(...writeRun(p, run, idAt, value, constantOf, literal, outline));
          for (const m of run.rows) if (inV[m] && !p.objects.has(idAt(m))) lines.push(`V[${base[m]}] = v${idAt(m)};`);
          continue;
        }
        const operand = (slot: number, x: number) => (slot === Slot.value ? value(x) : literal(x));
        const line =
          p.op[k] === Op.apply
            ? applyLine(p, k, id, callArgs(p.extra[k]!))
            : statement(p, k, `v${id}`, operand(p.slotA[k]!, p.a[k]!), operand(p.slotB[k]!, p.b[k]!), String(p.expected[k] === 1), functionNames);
        lines.push(line);
        if (inV[k] && !isGuard(p.op[k]!)) lines.push(`V[${base[k]}] = v${id};`);
      }
      return;
    }
    const { start, period, count, phys } = seg;
    enter(phys);
    const body: string[] = [];
    const table = (t: Float64Array | Uint8Array) => {
      lines.push(`const D${tables.length} = D[${tables.length}];`);
      return `D${tables.push(t) - 1}[t]`;
    };
    for (let j = 0; j < period; j++) {
      const k = phys + j;
      if (!live[k]) continue;
      generated++;
      const operand = (slot: number, x: number, step: number, data: Float64Array | null) => {
        if (slot === Slot.constant) return data === null ? literal(x) : table(data.subarray(0, count));
        if (slot !== Slot.value) return '';
        if (step === period && x >= start) return `l${x - start}`; // this copy
        if (step === period && x >= start - period) return `c${s}_${x - start + period}`; // the previous copy
        if (step === 0) return value(x);
        if (x < inputs) return `X[${x} + ${step} * t]`;
        const at = place(x); // another loop's copies, `step / period` of them a copy
        return `V[${base[at.k]! + at.copy} + ${step / (at.seg as Loop).period} * t]`;
      };
      const expected = seg.tableExpected[j] ? `(${table(seg.tableExpected[j]!.subarray(0, count))} === 1)` : String(p.expected[k] === 1);
      body.push(
        '  ' +
          statement(p, k, `l${j}`, operand(p.slotA[k]!, p.a[k]!, seg.stepA[j]!, seg.tableA[j]!), operand(p.slotB[k]!, p.b[k]!, seg.stepB[j]!, seg.tableB[j]!), expected, functionNames),
      );
      if (inV[k] && !isGuard(p.op[k]!)) body.push(`  V[${base[k]} + t] = l${j};`);
    }
    for (let j = 0; j < period; j++) {
      if (!carried[phys + j]) continue;
      lines.push(`let c${s}_${j} = ${value(start - period + j)};`);
      body.push(`  c${s}_${j} = l${j};`);
    }
    lines.push(`for (let t = 0; t < ${count}; t++) {`, ...body, '}');
  });
  // (the caller's code, after the body, reads what the parts left in V)
  here = -1;
  const helpers = [
    ...(sums > 0 ? [`const SUMS = new Float64Array(${sums});`] : []),
    ...[...loopFunctions].map(([code, name]) => `function ${name}${code}`),
    ...shared,
    ...(parts.length > 1 ? parts.map((part, k) => [`function part${k}(X, V, A) {`, ...part, 'return 0;', '}'].join('\n')) : []),
  ].join('\n');
  const code = parts.length > 1 ? parts.map((_, k) => `if (part${k}(X, V, A) === MISS) return MISS;`).join('\n') : parts[0]!.join('\n');
  return { code, helpers, valueOf: value, slotOf, calls, constants, tables, slots, live: generated };
}

/**
 * The part of each stored instruction, PART_SIZE live instructions a part (a loop in the part
 * where it starts, counted by its body), or null where all of them fit in one.
 */
function partsOf(p: Program, live: Uint8Array): Int32Array | null {
  const partOf = new Int32Array(p.stored);
  let part = 0;
  let written = 0;
  for (const seg of p.segments) {
    const n = seg.kind === 'loop' ? seg.period : seg.end - seg.start;
    if (seg.kind === 'loop') {
      partOf.fill(part, seg.phys, seg.phys + n);
      for (let k = seg.phys; k < seg.phys + n; k++) written += live[k]!;
    } else {
      for (let k = seg.phys; k < seg.phys + n; k++) {
        if (written >= PART_SIZE) {
          part++;
          written = 0;
        }
        partOf[k] = part;
        written += live[k]!;
      }
    }
    if (written >= PART_SIZE) {
      part++;
      written = 0;
    }
  }
  return part === 0 || (part === 1 && written === 0) ? null : partOf;
}

// An array operation: `site` says which, should it throw (the function's catch names the user's line).
function applyLine(p: Program, k: number, id: number, args: string): string {
  const c = p.extra[k]!;
  return `site = ${c}; const v${id} = P[${c}](${args}); // ${p.calls[c]!.label} (array operation ${c})`;
}

/** The test `pick` makes: a is chosen (Math.max when `max`, else Math.min; see instructions.ts's picksFirst). */
const picksFirst = (max: boolean, a: string, b: string) =>
  `(${a} !== ${a} || (${b} === ${b} && (${a} ${max ? '>' : '<'} ${b} || (${a} === ${b} && 1 / ${a} ${max ? '>=' : '<='} 1 / ${b}))))`;

function statement(p: Program, k: number, name: string, a: string, b: string, expected: string, functionNames: readonly string[]): string {
  const code = p.op[k]!;
  switch (code) {
    case Op.neg:
      return `const ${name} = -${a};`;
    case Op.call:
      return `const ${name} = ${functionNames[p.extra[k]!]}(${p.slotB[k] === Slot.none ? a : `${a}, ${b}`});`;
    case Op.compare:
      return `if ((${a} ${COMPARISONS[p.extra[k]!]} ${b}) !== ${expected}) return MISS;`;
    case Op.truth:
      return `if (!!${a} !== ${expected}) return MISS;`;
    case Op.pin:
      // (the generated function's `sameNumber` is Object.is: NaN is itself, and -0 is not 0,
      // which `Object.is`, `1 / v` or `atan2` in code that reads the number can tell apart)
      return `if (!sameNumber(${a}, ${b})) return MISS;`;
    case Op.part:
      return `const ${name} = ${a}[${p.extra[k]}];`;
    case Op.argument:
      return `const ${name} = A[${p.extra[k]}];`;
    case Op.scale:
      // (g·p, but 0 where either is 0 and the other infinite or NaN: the eager sweep's strong
      // zeros, tested only when the product is NaN, so that the usual case pays one comparison)
      return `let ${name} = ${a} * ${b}; if (${name} !== ${name} && (${a} === 0 || ${b} === 0)) ${name} = 0;`;
    case Op.pick:
      return `const ${name} = ${picksFirst(p.extra[k] === 0, a, b)} ? ${a} : ${b};`;
    case Op.picked:
      return `const ${name} = ${a} === ${b} ? 0.5 : ${picksFirst(p.extra[k] === 0, a, b)} ? 1 : 0;`;
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
