// Fused elementwise array code (issue 15). Compiled array code calls each operation's step:
// one kernel call and one new array per operation, forward and backward. Where a run of the
// program's array operations works element by element on arrays of one shape and dtype —
// arithmetic, Math functions, sums, slices that are windows of their operand, sums of
// cotangents, and the backwards of these — the run becomes one loop over the elements: each
// element's forward values are computed where the backward needs them (not stored and read
// back), and only the arrays something outside the run reads are written.
//
// The formulas come from the rules (Step.elementwise, rules/arrays/record.ts) and are written
// here with each operation's own rounding: a float32 result is rounded after every operation,
// and a number combined with a float32 array by + − × ÷ is rounded to float32 first, as the
// kernels do; so a fused loop gives exactly what the operations give one by one, but for the
// order in which a sum adds its elements (spec/compile/fuse.test.ts).

import { NDArray, isNDArray, type Dtype } from '../ndarray.js';
import { isTraced } from '../core/traced.js';
import { isSymbolic } from '../core/symbolic.js';
import type { Element, Elements, ElementwiseForm, Step } from '../../rules/arrays/record.js';
import { Op, Slot, type Call, type CallOperand } from './instructions.js';
import type { Program } from './program.js';
import { kernels } from '../kernels/index.js';
import { WASM_LOOP_CUTOFF, wasmLoop, type Loop, type Node, type Statement, type Value } from './fuse-wasm.js';
import { liveInstructions } from './dead-code.js';

/** What fusing needs to know of an array operation (or a backward, or a sum of cotangents), on the Call. */
export interface Fusion {
  readonly kind: 'forward' | 'backward' | 'window' | 'place' | 'add';
  /** The shape and dtype of the arrays the loop runs over. */
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly form?: ElementwiseForm;
  /** window: the operand's element read for element 0; place (a window's backward): where the cotangent's element 0 goes. */
  readonly offset?: number;
  /** window: the shape of the operand (place: of the cotangent). */
  readonly source?: readonly number[];
  /** forward and backward: each operand of the operation, an array of `shape` or a number. */
  readonly arrays?: readonly boolean[];
  /** backward: which operands need a gradient, and the operand of each part the backward returns. */
  readonly need?: readonly boolean[];
  readonly which?: readonly number[];
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const isScalar = (x: unknown) => typeof x === 'number' || isTraced(x) || isSymbolic(x);

/** The fusion of an array operation recorded with these operands and this value, if it can be fused. */
export function describeOperation(step: Step, operands: readonly unknown[], value: unknown): Fusion | undefined {
  if (step.window !== undefined) {
    const x = operands[0];
    if (!isNDArray(value) || !isNDArray(x) || value.dtype !== x.dtype || value.size === 0) return undefined;
    return { kind: 'window', shape: value.shape, dtype: value.dtype, offset: step.window, source: x.shape };
  }
  const form = step.elementwise;
  if (form === undefined) return undefined;
  // The elements: the result's (the operand's, for a sum).
  const like = form.reduces ? operands[0] : value;
  if (!isNDArray(like) || like.ndim === 0 || like.size === 0) return undefined;
  if (form.reduces ? typeof value !== 'number' && !isSymbolic(value) : !isNDArray(value)) return undefined;
  const arrays: boolean[] = [];
  for (const x of operands) {
    if (isNDArray(x) && sameShape(x.shape, like.shape) && x.dtype === like.dtype) arrays.push(true);
    else if (isScalar(x)) arrays.push(false);
    else return undefined; // (broadcast, another dtype)
  }
  return { kind: 'forward', shape: like.shape, dtype: like.dtype, form, arrays };
}

/** The fusion of the backward of a fused operation, whose parts are for operands `which` (of dtypes `dtypes`), if it can be fused. */
export function describeBackward(forward: Fusion | undefined, need: readonly boolean[], which: readonly number[], dtypes: readonly (Dtype | null)[]): Fusion | undefined {
  // (a window's backward places the cotangent in zeros of the operand's shape: a loop over those)
  if (forward?.kind === 'window') return dtypes[0] === forward.dtype ? { kind: 'place', shape: forward.source!, dtype: forward.dtype, offset: forward.offset, source: forward.shape } : undefined;
  if (forward === undefined || forward.kind !== 'forward') return undefined;
  if (which.some((k, j) => (forward.arrays![k] ? dtypes[j] !== forward.dtype : dtypes[j] !== null))) return undefined;
  return { ...forward, kind: 'backward', need, which };
}

/** The fusion of a sum of two cotangents of an array row (`shape`, `dtype`). */
export function describeSum(shape: readonly number[], dtype: Dtype): Fusion {
  return { kind: 'add', shape, dtype };
}

/** The runs of the program fused into loops: the loop of each is written at its last member. */
export interface FusionPlan {
  /** For each stored row: the run it belongs to (-1: none). */
  readonly runOf: Int32Array;
  readonly runs: readonly FusedRun[];
}

export interface FusedRun {
  /** Stored rows of the run's members (array operations, and the parts of its backwards), in order. */
  readonly rows: readonly number[];
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  /** Member values read outside the run (written to arrays, or kept as numbers). */
  readonly outputs: Set<number>;
  /**
   * Outputs read only by later fused runs (never returned, never kept by an operation): their
   * arrays are made once and reused by every call (`S`, kept by the path).
   */
  readonly scratch: Set<number>;
  /**
   * A run that only places this run's values in arrays one element longer (the cotangents of
   * slices `x[0:n-1]`, `x[1:n]`) and adds them up: this run's loop computes it too (its values
   * at element i + 1 carried to the next element), and `tail.merged` is set.
   */
  tail?: FusedRun;
  merged?: boolean;
}

/**
 * The runs of fusable array operations among the live straight rows. A run ends at an
 * operation of another shape or dtype, at one that cannot be fused, and before any other
 * row that reads one of its values (the loop is written where its last member was).
 */
export function planFusion(p: Program, live: Uint8Array, outputs: readonly number[]): FusionPlan {
  const runOf = new Int32Array(p.stored).fill(-1);
  const runs: FusedRun[] = [];
  // Rows that read each value (ids), to find what leaves a run.
  const readers = new Map<number, number[]>();
  const note = (id: number, k: number) => {
    const list = readers.get(id);
    if (list === undefined) readers.set(id, [k]);
    else list.push(k);
  };
  const idOf = new Map<number, number>(); // stored row → id (straight rows)
  for (const seg of p.segments) {
    if (seg.kind !== 'straight') {
      // (a loop reads values made before it by id: one for every copy, or copy 0's carried in)
      for (let j = 0; j < seg.period; j++) {
        const k = seg.phys + j;
        if (!live[k]) continue;
        if (p.slotA[k] === Slot.value && p.a[k]! < seg.start) note(p.a[k]!, k);
        if (p.slotB[k] === Slot.value && p.b[k]! < seg.start) note(p.b[k]!, k);
      }
      continue;
    }
    for (let k = seg.phys; k < seg.phys + seg.end - seg.start; k++) {
      idOf.set(k, seg.start + k - seg.phys);
      if (!live[k]) continue;
      if (p.slotA[k] === Slot.value) note(p.a[k]!, k);
      if (p.slotB[k] === Slot.value) note(p.b[k]!, k);
      if (p.op[k] === Op.apply) for (const arg of p.calls[p.extra[k]!]!.args) if ('id' in arg) note(arg.id, k);
    }
  }
  const kinked = kinkInputs(p);
  const fusionAt = (k: number): Fusion | undefined => {
    const fusion = p.op[k] === Op.apply ? p.calls[p.extra[k]!]!.fusion : undefined;
    // (a sum a kink reads is the kernel's, added in the eager gradient's order: see kinkInputs)
    return fusion?.kind === 'forward' && fusion.form!.reduces && kinked[k] ? undefined : fusion;
  };
  for (const seg of p.segments) {
    if (seg.kind !== 'straight') continue;
    // (`numbers`: members whose value is a number, a sum over the elements)
    let run: { rows: number[]; members: Set<number>; numbers: Set<number>; shape: readonly number[]; dtype: Dtype; lists: Set<number> } | null = null;
    const close = () => {
      if (run !== null && run.rows.filter((k) => p.op[k] === Op.apply && fusionAt(k)!.kind !== 'window').length >= 2) {
        const out = new Set<number>();
        for (const k of run.rows) {
          const id = idOf.get(k)!;
          if (p.op[k] === Op.apply && (fusionAt(k)!.kind === 'backward' || fusionAt(k)!.kind === 'place')) continue; // (its parts are the values)
          if (outputs.includes(id) || (readers.get(id) ?? []).some((r) => !run!.rows.includes(r))) out.add(id);
        }
        for (const k of run.rows) runOf[k] = runs.length;
        runs.push({ rows: run.rows, shape: run.shape, dtype: run.dtype, outputs: out, scratch: new Set() });
      }
      run = null;
    };
    for (let k = seg.phys; k < seg.phys + seg.end - seg.start; k++) {
      if (!live[k]) continue;
      const id = idOf.get(k)!;
      const fusion = fusionAt(k);
      const isPart = p.op[k] === Op.part && run !== null && run.lists.has(p.a[k]!);
      if (isPart) {
        run!.rows.push(k);
        run!.members.add(id);
        if (!p.objects.has(id)) run!.numbers.add(id);
        continue;
      }
      const fits =
        fusion !== undefined &&
        run !== null &&
        sameShape(fusion.shape, run.shape) &&
        fusion.dtype === run.dtype &&
        // (a window reads its operand, and a place its cotangent, at other places: made before the run)
        !((fusion.kind === 'window' || fusion.kind === 'place') && 'id' in p.calls[p.extra[k]!]!.args[0]! && run.members.has((p.calls[p.extra[k]!]!.args[0] as { id: number }).id)) &&
        // (a member's sum is known once the loop is done: an operation using it runs after it)
        !readsAny(p, k, run.numbers);
      if (fusion !== undefined && !fits) {
        close();
        run = { rows: [], members: new Set(), numbers: new Set(), shape: fusion.shape, dtype: fusion.dtype, lists: new Set() };
      }
      if (fusion !== undefined) {
        run!.rows.push(k);
        run!.members.add(id);
        if (!p.objects.has(id)) run!.numbers.add(id);
        if (fusion.kind === 'backward' || fusion.kind === 'place') run!.lists.add(id);
        continue;
      }
      // A row that reads a member ends the run before it.
      if (run !== null && readsAny(p, k, run.members)) close();
    }
    close();
  }
  for (let r = 1; r < runs.length; r++) mergeTail(p, runs[r - 1]!, runs[r]!, idOf, readers, outputs);
  // An array output that only later fused loops read can be the same array on every call.
  runs.forEach((run, r) => {
    for (const id of run.outputs) {
      const rows = readers.get(id) ?? [];
      if (!outputs.includes(id) && rows.every((k) => runOf[k]! > r && p.op[k] !== Op.part)) run.scratch.add(id);
    }
  });
  return { runOf, runs };
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/** Math's functions whose value and derivative are continuous where defined: a last bit of their operand changes theirs by a last bit. */
const SMOOTH = new Set<Function>(
  ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sqrt', 'cbrt', 'hypot', 'atan2'].map(
    (k) => (Math as unknown as Record<string, Function>)[k]!,
  ),
);

/**
 * The rows (stored, as liveInstructions gives them) that a guard, a choice of Math.max/min or
 * a call of a function that is not smooth (Math.sign: abs's partial, floor, round …) reads,
 * directly or through arithmetic. A fused loop adds a sum's elements in its own order, which
 * can differ from the eager kernel's in the last bit: harmless in arithmetic, but a kink turns
 * it into another branch or partial (at a sum of 7e-14 eagerly and 0 fused, `s > 0` chose
 * the other path, and the recording call threw "a compiled path rejected the call it was
 * recorded from"). Such sums are not fused: each is its kernel's, as eagerly.
 */
function kinkInputs(p: Program): Uint8Array {
  const kinks: number[] = [];
  for (const seg of p.segments) {
    const n = seg.kind === 'loop' ? seg.period : seg.end - seg.start;
    for (let j = 0; j < n; j++) {
      const op = p.op[seg.phys + j];
      if (op === Op.pick || op === Op.picked || (op === Op.call && !SMOOTH.has(p.functions[p.extra[seg.phys + j]!]!))) kinks.push(seg.start + j);
    }
  }
  return liveInstructions(p, kinks); // (and every guard's inputs)
}

/**
 * Makes `tail` part of `head`'s loop when all it does is place values of `head` (each at
 * offset 0 or 1 of an array one element longer, at least one at 0) and add such arrays: the
 * cotangent of x in a stencil over the slices x[0:n-1] and x[1:n]. The places' values then
 * need no arrays of their own.
 */
function mergeTail(p: Program, head: FusedRun, tail: FusedRun, idOf: Map<number, number>, readers: Map<number, number[]>, outputs: readonly number[]): void {
  if (head.tail !== undefined || head.merged || tail.dtype !== head.dtype) return;
  const n = sizeOf(head.shape);
  if (sizeOf(tail.shape) !== n + 1) return;
  const members = new Set(tail.rows.map((k) => idOf.get(k)!));
  const placed = new Set<number>();
  let atZero = false;
  for (const k of tail.rows) {
    if (p.op[k] === Op.part) continue;
    if (p.op[k] !== Op.apply) return;
    const call = p.calls[p.extra[k]!]!;
    const fusion = call.fusion!;
    if (fusion.kind === 'place') {
      const g = call.args[0]!;
      if (!('id' in g) || !head.outputs.has(g.id) || sizeOf(fusion.source!) !== n || (fusion.offset !== 0 && fusion.offset !== 1)) return;
      atZero ||= fusion.offset === 0;
      placed.add(g.id);
    } else if (fusion.kind === 'add') {
      if (!call.args.every((x) => 'id' in x && members.has(x.id))) return;
    } else return;
  }
  if (!atZero) return;
  head.tail = tail;
  tail.merged = true;
  const tailRows = new Set(tail.rows);
  // (a value of head that only the tail read is no longer written to an array)
  for (const id of placed) if (!outputs.includes(id) && (readers.get(id) ?? []).every((k) => tailRows.has(k))) head.outputs.delete(id);
}

function readsAny(p: Program, k: number, ids: Set<number>): boolean {
  if (p.slotA[k] === Slot.value && ids.has(p.a[k]!)) return true;
  if (p.slotB[k] === Slot.value && ids.has(p.b[k]!)) return true;
  if (p.op[k] === Op.apply) for (const arg of p.calls[p.extra[k]!]!.args) if ('id' in arg && ids.has(arg.id)) return true;
  return false;
}

/**
 * An element in a loop: an expression (a local, a literal, an array read); `known`, its number
 * when it is a constant; `node`, how it is computed, for the loop as WebAssembly.
 */
class Expr implements Element, Value {
  /** When this is `times` multiplied by a finite number (so 0 where `times` is 0, never NaN there). */
  times: Expr | null = null;
  constructor(
    readonly code: string,
    readonly scalar: boolean,
    readonly node: Node,
    readonly known: number | null = null,
  ) {}
}

/** An operand a backward does not read: using it is a mistake in a rule's formulas. */
const UNREAD = new Expr('(unread)', true, { kind: 'other' });

/**
 * One run, as the lines that call its loop. The loop is a function of its own, which
 * `outline(code, sums)` names at the level of the generated factory (runs whose code is the
 * same, like the steps of a Runge–Kutta loop, share one): a loop inside the one large
 * generated function runs in V8's interpreter until that whole function is optimised,
 * which took seconds of calls on long programs, while a small function is optimised
 * within its first call, once for all the runs that share it. The loop function reads
 * what it needs from outside through its parameters (p0, p1, …) and leaves its sums in
 * `SUMS` (see codegen.ts).
 * `value(id)` is the expression of a value made before the loop; `constant(x)` the
 * expression of an object constant; `literal`, a number's source.
 */
export function writeRun(
  p: Program,
  run: FusedRun,
  idOf: (k: number) => number,
  value: (id: number) => string,
  constant: (x: unknown) => string,
  literal: (x: number) => string,
  /** Names the loop function `code`, which leaves `sums` numbers in SUMS. */
  outline: (code: string, sums: number) => string,
): string[] {
  const f32 = run.dtype === 'float32';
  const n = run.shape.reduce((a, d) => a * d, 1);
  /** The caller's expressions the loop reads, each passed once: parameter j is `params[j]`. */
  const params: string[] = [];
  const paramKinds: Loop['params'][number][] = [];
  const paramOf = new Map<string, number>();
  const paramIndex = (expr: string, kind: Loop['params'][number]): number => {
    let j = paramOf.get(expr);
    if (j === undefined) {
      paramOf.set(expr, (j = params.push(expr) - 1));
      paramKinds.push(kind);
    }
    return j;
  };
  const param = (expr: string, kind: Loop['params'][number] = 'other'): string => `p${paramIndex(expr, kind)}`;
  const outer: string[] = []; // the caller's lines before the call (the arrays the loop writes)
  const before: string[] = []; // the loop function's lines before its loop
  const body: string[] = [];
  const after: string[] = []; // the caller's lines after the call
  const sums: string[] = []; // the loop function's last lines (its sums, into SUMS)
  // (the same loop as statements, for WebAssembly: body and last)
  const bodyStatements: Statement[] = [];
  const lastStatements: Statement[] = [];
  const sum = (id: number, x: Expr) => {
    const r = `r${sums.length}`;
    before.push(`let ${r} = 0;`);
    body.push(`  ${r} += ${x.code};`);
    bodyStatements.push({ kind: 'sum', sum: sums.length, value: x });
    after.push(`const v${id} = SUMS[${sums.length}];`);
    sums.push(`SUMS[${sums.length}] = ${r};`);
  };
  /** Where bound expressions are written: the loop's body, or (for a tail) the last element's lines. */
  let sink = body;
  let sinkStatements = bodyStatements;
  const elements = new Map<number, Expr>(); // member id → its element in the loop
  let temps = 0;
  // (each expression once: the backwards of x·x, say, ask for g·x twice)
  let bound = new Map<string, Expr>();
  const bind = (code: string, scalar: boolean, node: Node): Expr => {
    const key = `${scalar}:${code}`;
    const known = bound.get(key);
    if (known !== undefined) return known;
    const name = `f${temps++}`;
    sink.push(`  const ${name} = ${code};`);
    const x = new Expr(name, scalar, node);
    sinkStatements.push({ kind: 'bind', value: x });
    bound.set(key, x);
    return x;
  };
  const round = (code: string) => (f32 ? `Math.fround(${code})` : code);
  const roundNumber = (x: number) => (f32 ? Math.fround(x) : x);
  const known = (x: number, scalar: boolean) => new Expr(literal(x), scalar, { kind: 'constant', x }, x);
  const functionName = (f: Function) => MATH_NAMES.get(f) ?? param(constant(f));
  const e: Elements = {
    constant: (x) => known(x, true),
    add: (a, b) => kernelOp('+', a as Expr, b as Expr),
    sub: (a, b) => kernelOp('-', a as Expr, b as Expr),
    mul: (a, b) => kernelOp('*', a as Expr, b as Expr),
    div: (a, b) => kernelOp('/', a as Expr, b as Expr),
    map: (fn, ...args) => {
      const xs = args as Expr[];
      for (const x of xs) used(x);
      const name = functionName(fn);
      const call = `${name}(${xs.map((x) => x.code).join(', ')})`;
      const node: Node = { kind: 'math', name, args: xs };
      return xs.every((x) => x.scalar) ? bind(call, true, node) : bind(round(call), false, node);
    },
    nothingFromZeros: (part, g) => {
      const pe = used(part as Expr);
      const ge = used(g as Expr);
      // (a finite multiple of g is 0 where g is: never NaN there)
      if (pe === ge || pe.times === ge) return pe;
      // (a cotangent known now: it is zero everywhere, or nowhere)
      if (ge.known !== null) return ge.known === 0 ? bind(`${pe.code} !== ${pe.code} ? 0 : ${pe.code}`, pe.scalar, { kind: 'zeroNaN', x: pe, g: null }) : pe;
      return bind(`${pe.code} !== ${pe.code} && ${ge.code} === 0 ? 0 : ${pe.code}`, pe.scalar, { kind: 'zeroNaN', x: pe, g: ge });
    },
    stored: (x) => {
      const xe = used(x as Expr);
      return xe.known !== null ? known(roundNumber(xe.known), false) : bind(round(xe.code), false, { kind: 'round', x: xe });
    },
  };
  // + − × ÷ as map2's kernels compute them: two numbers in double; a number with a float32
  // array rounded to float32 first; the result rounded to the dtype.
  function kernelOp(op: '+' | '-' | '*' | '/', a: Expr, b: Expr): Expr {
    used(a);
    used(b);
    if (a.scalar && b.scalar) {
      if (a.known !== null && b.known !== null) return known(arithmetic(op, a.known, b.known), true);
      return bind(`${a.code} ${op} ${b.code}`, true, { kind: 'arithmetic', op, a, b });
    }
    if (a.known !== null && b.known !== null) {
      const sideOf = (x: Expr) => (f32 && x.scalar ? Math.fround(x.known!) : x.known!);
      return known(roundNumber(arithmetic(op, sideOf(a), sideOf(b))), false);
    }
    // x·1, 1·x and x/1 are x exactly (NaN and ±0 too) when x is an element already rounded to the dtype
    if ((op === '*' && b.known === 1) || (op === '/' && b.known === 1)) if (!a.scalar) return a;
    if (op === '*' && a.known === 1 && !b.scalar) return b;
    const side = (x: Expr) => (f32 && x.scalar ? (x.known !== null ? literal(Math.fround(x.known)) : `Math.fround(${x.code})`) : x.code);
    // 0 − x of an element is exact in its dtype (no rounding to write)
    const exact = op === '-' && a.known === 0 && !b.scalar;
    const z = bind(exact ? `0 - ${b.code}` : round(`${side(a)} ${op} ${side(b)}`), false, { kind: 'arithmetic', op, a, b });
    // (g·k, k·g, g/k and 0 − g for a finite number k: 0 where g is 0)
    const finite = (x: Expr) => x.known !== null && Number.isFinite(x.known) && (!f32 || Number.isFinite(Math.fround(x.known)));
    if (z.times === null) {
      if (op === '*' && finite(b) && !a.scalar) z.times = a;
      else if (op === '*' && finite(a) && !b.scalar) z.times = b;
      else if (op === '/' && finite(b) && b.known !== 0 && !a.scalar) z.times = a;
      else if (exact) z.times = b;
    }
    return z;
  }
  function used(x: Expr): Expr {
    if (x === UNREAD) throw new Error('zygote-ts: internal error: an elementwise formula reads an operand its step does not read');
    return x;
  }
  const leaf = (data: string, offset = 0): Expr => {
    const j = paramIndex(data, 'read');
    return bind(offset === 0 ? `p${j}[i]` : `p${j}[i + ${offset}]`, false, { kind: 'load', param: j, offset });
  };
  // An operand's element: a member's, an array made before the loop, a number.
  const element = (operand: CallOperand, isArray: boolean): Expr => {
    if ('id' in operand) {
      const mine = elements.get(operand.id);
      if (mine !== undefined) return mine;
      if (isArray) return leaf(`${value(operand.id)}.data`);
      const j = paramIndex(value(operand.id), 'number');
      return new Expr(`p${j}`, true, { kind: 'number', param: j });
    }
    const c = operand.constant;
    if (c === undefined) return UNREAD;
    if (typeof c === 'number') return e.constant(c) as Expr;
    if (isNDArray(c)) return leaf(`${constant(c)}.data`);
    throw new Error('zygote-ts: internal error: a fused operand is neither an array nor a number');
  };

  const labels: string[] = [];
  for (const k of run.rows) {
    const id = idOf(k);
    if (p.op[k] === Op.part) continue; // (made with its backward)
    const call: Call = p.calls[p.extra[k]!]!;
    const fusion = call.fusion!;
    labels.push(call.label);
    if (fusion.kind === 'window') {
      const src = call.args[0]!;
      elements.set(id, 'id' in src ? leaf(`${value(src.id)}.data`, fusion.offset) : leaf(`${constant(src.constant)}.data`, fusion.offset));
    } else if (fusion.kind === 'place') {
      // zeros but for the cotangent at [offset, offset + its size)
      const g = call.args[0]!;
      const j = paramIndex('id' in g ? `${value(g.id)}.data` : `${constant(g.constant)}.data`, 'read');
      const from = fusion.offset!;
      const to = from + fusion.source!.reduce((a, d) => a * d, 1);
      const placed = bind(`i >= ${from} && i < ${to} ? p${j}[i - ${from}] : 0`, false, { kind: 'place', param: j, from, to });
      for (const r of run.rows) if (p.op[r] === Op.part && p.a[r] === id) elements.set(idOf(r), placed);
    } else if (fusion.kind === 'add') {
      elements.set(id, e.add(element(call.args[0]!, true), element(call.args[1]!, true)) as Expr);
    } else if (fusion.kind === 'forward') {
      const args = call.args.map((x, j) => element(x, fusion.arrays![j]!));
      const z = fusion.form!.forward(e, args) as Expr;
      if (fusion.form!.reduces) sum(id, z);
      else elements.set(id, z);
    } else {
      // backward: args are [g, ...operands, result]
      const m = fusion.arrays!.length;
      const g = element(call.args[0]!, !fusion.form!.reduces);
      const args = call.args.slice(1, 1 + m).map((x, j) => element(x, fusion.arrays![j]!));
      const z = element(call.args[1 + m]!, !fusion.form!.reduces);
      const parts = fusion.form!.backward(e, g, args, z, fusion.need!);
      // Each part the backward returns: an array's element, or a number's sum.
      const partRows = run.rows.filter((r) => p.op[r] === Op.part && p.a[r] === id);
      for (const r of partRows) {
        const j = p.extra[r]!;
        const operandIndex = fusion.which![j]!;
        const part = parts[operandIndex];
        if (part === null || part === undefined) throw new Error(`zygote-ts: internal error: ${call.label} has no part for operand ${operandIndex}`);
        const partId = idOf(r);
        if (fusion.arrays![operandIndex]) elements.set(partId, part as Expr);
        else sum(partId, part as Expr);
      }
    }
  }
  // The arrays read after the loop.
  const storage = f32 ? 'Float32Array' : 'Float64Array';
  for (const id of run.outputs) {
    const el = elements.get(id);
    if (el === undefined) continue; // (a number: a sum, declared above)
    outer.push(run.scratch.has(id) ? `const O${id} = S[${id}] ?? (S[${id}] = new ${storage}(${n}));` : `const O${id} = new ${storage}(${n});`);
    const j = paramIndex(`O${id}`, 'write');
    body.push(`  p${j}[i] = ${el.code};`);
    bodyStatements.push({ kind: 'store', param: j, at: null, value: el });
    after.push(`const v${id} = new ${constant(NDArray)}(${JSON.stringify(run.shape)}, O${id});`);
  }
  const last: string[] = [];
  let carries = 0;
  if (run.tail !== undefined) {
    // The tail's element i, in the loop: a value placed at offset 0 is this element's, one at
    // offset 1 the last element's (carried in C…, 0 before the first); its element n, after
    // the loop: 0, and the carried value.
    const tail = run.tail;
    const carried = new Map<number, number>(); // carried value → its number k (local c<k>)
    const placeAll = (at: (g: number, offset: number) => Expr) => {
      for (const k of tail.rows) {
        if (p.op[k] !== Op.apply) continue;
        const call = p.calls[p.extra[k]!]!;
        const fusion = call.fusion!;
        if (fusion.kind === 'place') {
          const g = (call.args[0] as { id: number }).id;
          const x = at(g, fusion.offset!);
          for (const r of tail.rows) if (p.op[r] === Op.part && p.a[r] === idOf(k)) elements.set(idOf(r), x);
        } else elements.set(idOf(k), e.add(elements.get((call.args[0] as { id: number }).id)!, elements.get((call.args[1] as { id: number }).id)!) as Expr);
      }
    };
    for (const k of tail.rows) if (p.op[k] === Op.apply) labels.push(p.calls[p.extra[k]!]!.label);
    const carriedElement = (g: number) => {
      let k = carried.get(g);
      if (k === undefined) carried.set(g, (k = carried.size));
      return new Expr(`c${k}`, false, { kind: 'carry', carry: k });
    };
    placeAll((g, offset) => (offset === 0 ? elements.get(g)! : carriedElement(g)));
    for (const k of carried.values()) before.push(`let c${k} = 0;`);
    const writes = (at: number | null, into: string[], statements: Statement[]) => {
      for (const id of tail.outputs) {
        const el = elements.get(id);
        if (el === undefined) continue;
        const j = paramIndex(`O${id}`, 'write');
        into.push(`${into === body ? '  ' : ''}p${j}[${at ?? 'i'}] = ${el.code};`);
        statements.push({ kind: 'store', param: j, at, value: el });
      }
    };
    writes(null, body, bodyStatements);
    for (const [g, k] of carried) {
      body.push(`  c${k} = ${elements.get(g)!.code};`);
      bodyStatements.push({ kind: 'carry', carry: k, value: elements.get(g)! });
    }
    carries = carried.size;
    // (the last element: its own lines, after the loop, reading only the carries and constants)
    sink = last;
    sinkStatements = lastStatements;
    bound = new Map();
    const m = sizeOf(tail.shape);
    // (a placed zero is an element of its array, not a number combined with one)
    placeAll((g, offset) => (offset === 0 ? known(0, false) : carriedElement(g)));
    writes(n, last, lastStatements);
    for (const id of tail.outputs) {
      if (!elements.has(id)) continue;
      outer.push(tail.scratch.has(id) ? `const O${id} = S[${id}] ?? (S[${id}] = new ${storage}(${m}));` : `const O${id} = new ${storage}(${m});`);
      after.push(`const v${id} = new ${constant(NDArray)}(${JSON.stringify(tail.shape)}, O${id});`);
    }
  }
  // A float32 loop runs as WebAssembly where it can (see fuse-wasm.ts), the loop below kept
  // for a memory that cannot grow so far.
  const runner = f32 && n >= WASM_LOOP_CUTOFF && kernels().name === 'wasm-simd'
    ? wasmLoop({ n, params: [...paramKinds], carries, sums: sums.length, body: bodyStatements, last: lastStatements })
    : undefined;
  const wasm = runner === undefined ? [] : [`const s = ${param(constant(runner))}(${params.slice(0, -1).map((_, j) => `p${j}`).join(', ')});`, `if (s !== null) {`, ...sums.map((_, k) => `  SUMS[${k}] = s[${k}];`), '  return;', '}'];
  const loop = [
    `(${params.map((_, j) => `p${j}`).join(', ')}) {`,
    ...[...wasm, ...before, `for (let i = 0; i < ${n}; i++) {`, ...body, '}', ...last.map((line) => line.replace(/^ {2}/, '')), ...sums].map((line) => `  ${line}`),
    '}',
  ].join('\n');
  return [`// fused: ${labels.join(', ')}${runner === undefined ? '' : ' (as WebAssembly)'}`, ...outer, `${outline(loop, sums.length)}(${params.join(', ')});`, ...after];
}

function arithmetic(op: string, a: number, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}

/** Math functions called by name (V8 inlines those). */
const MATH_NAMES = new Map<Function, string>(
  Object.getOwnPropertyNames(Math)
    .filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')
    .map((k) => [(Math as unknown as Record<string, Function>)[k]!, `Math.${k}`]),
);
