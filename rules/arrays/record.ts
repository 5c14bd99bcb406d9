// How array rules see their operands and record themselves: one tape node per operation,
// with a pullback over whole arrays (the array analogue of rules/operands.ts).

import { NDArray, fromNested, holdForSweep, isFloatArray, isNDArray, isNumericArrayLike, liveArray, shapeOfNested, type Dtype } from '../../lib/ndarray.js';
import { live, Traced, isTraced } from '../../lib/core/traced.js';
import { isSymbolic } from '../../lib/core/symbolic.js';
import type { NodeRecord, Tape } from '../../lib/core/tape.js';
import { astype } from './dtype.js';
import { broadcastTo } from './elementwise.js';

export { isNDArray, liveArray };

/** The innermost active tape among array and scalar operands, or null. */
export function tapeOf(operands: readonly unknown[]): Tape | null {
  let inner: Tape | null = null;
  for (const operand of operands) {
    const x = throughClosed(operand);
    const t = isNDArray(x) || isTraced(x) ? x.tracedTape : null;
    if (t !== null && t.active && (inner === null || t.depth > inner.depth)) inner = t;
  }
  return inner;
}

/** An operand as tape `t` sees it: one level out when recorded on `t`, else as it is. */
export function on(x: unknown, t: Tape): unknown {
  x = throughClosed(x);
  if (isNDArray(x) || isTraced(x)) return x.tracedTape === t ? x.tracedValue : x;
  return x;
}

/**
 * `x` under the layers of tapes that have closed (constants now), which an operand kept from
 * an ended inner differentiation carries (a bound function's, a pullback's): the value inside
 * may be traced on an open tape (hook ignored it, and a rule refused it as a hidden input).
 */
function throughClosed(x: unknown): unknown {
  if (isNDArray(x)) return liveArray(x);
  return isTraced(x) ? live(x) : x;
}

/**
 * Throws when `value`, computed by a rule's or a checkpoint's own function from its
 * operands as `t` sees them, still depends on `t` (or a tape inside it): the function read
 * a traced number it was not given, from a closure or an outer variable. The node records
 * only the operands as parents, so that derivative would be lost without a word.
 */
export function refuseHiddenInputs(value: unknown, t: Tape, what: string, fix: string): void {
  const tape = isNDArray(value) || isTraced(value) ? value.tracedTape : null;
  if (tape === null || !tape.active || tape.depth < t.depth) return;
  throw new Error(
    `zygote-ts: ${what} computed its result from a traced number it was not given as an argument (one it reads ` +
      `from a closure or an outer variable), so the derivative through that number would be lost. ${fix}`,
  );
}

/** The row of an operand on tape `t`, or -1 when it is a constant there. */
export function rowOf(x: unknown, t: Tape): number {
  x = throughClosed(x);
  return (isNDArray(x) || isTraced(x)) && x.tracedTape === t ? x.tracedIndex : -1;
}

/**
 * Records `value` (computed from the operands as `t` sees them) with `pullback`, which
 * maps the result's cotangent to one contribution per operand (null: none needed).
 * Contributions for operands that are constants on `t` are never asked for. A pullback
 * must not look at its operands' `tape` fields: it runs after the call, when implicit
 * parameters have been restored to plain arrays; decide what it needs when recording.
 * `reads` says which operands' numbers (and the result's) the pullback reads when the tape
 * is swept (default: the step's, else all), so that f's writes into them are checked.
 */
export function record(
  t: Tape,
  value: unknown,
  operands: readonly unknown[],
  pullback: (g: any) => readonly unknown[],
  step?: Step,
  pushforward?: Pushforward,
  custom?: boolean,
  reads: Step['reads'] = step?.reads,
): any {
  const parents: number[] = [];
  const which: number[] = [];
  /** Each traced operand's dtype (null for a scalar): its cotangent comes back in it. */
  const dtypes: (Dtype | null)[] = [];
  // (arrays the pullback reads in the sweep are noted on them: see holdForSweep; a forward
  // tape computes its tangents now)
  const sweeps = t.tangents === null;
  operands.forEach((x, k) => {
    const row = rowOf(x, t);
    if (row >= 0) {
      parents.push(row);
      which.push(k);
      dtypes.push(isNDArray(x) ? x.dtype : null);
    }
    if (sweeps && isNDArray(x) && (reads?.operands?.[k] ?? true)) holdForSweep(x, t);
  });
  const arrayValued = isNDArray(value);
  const size = arrayValued ? value.size : 1;
  const node: NodeRecord = {
    parents,
    size,
    shape: arrayValued ? value.shape : [],
    arrayValued,
    dtype: arrayValued ? value.dtype : 'float64',
    pullback: (g) => {
      const parts = pullback(arrayValued && isFloatArray(g) ? new NDArray((value as NDArray).shape, g) : g);
      return which.map((k, j) => cotangentOf(parts[k], dtypes[j]!));
    },
    step,
    name: step?.name ?? pullback.name.replace(/Pullback$/, ''),
    // (forward mode: the rule sees a tangent per operand, null for constants and zeros; only a
    // forward tape asks, as the node is recorded)
    pushforward:
      pushforward === undefined || t.tangents === null
        ? undefined
        : (tangents) => {
            const perOperand = operands.map(() => null as unknown);
            // (a scalar row's zero tangent comes as the number 0: zero, as null says)
            which.forEach((k, j) => (perOperand[k] = tangents[j] === 0 || tangents[j] === undefined ? null : tangents[j]));
            return conformed(perOperand.every((d) => d === null) ? null : pushforward(perOperand), value);
          },
    custom,
  };
  const row = t.pushNode(node);
  if (arrayValued) {
    t.recorder?.recordNode(row, node, operands, value, which, dtypes);
    const result = new NDArray(value.shape, value.data, t, row, value);
    if (sweeps && (reads?.result ?? true)) holdForSweep(result, t);
    return result;
  }
  return new Traced(t.recorder === null ? value : t.recorder.recordNode(row, node, operands, value, which, dtypes), row, t);
}

/**
 * A rule's tangent as its result's: a number's a number (0 for zero: what jvp hands back for
 * a number); an array's in the array's shape (a tangent that broadcasting would stretch is
 * stretched now: element reads index it flat) and dtype (a float64 tangent of a float32
 * array becomes float32, as reverse mode's cotangents take their operand's dtype), or null
 * for zero.
 */
function conformed(tangent: unknown, value: unknown): unknown {
  if (!isNDArray(value)) return tangent === null || tangent === undefined ? 0 : tangent;
  if (tangent === null || tangent === undefined || tangent === 0) return null;
  let a = isNDArray(tangent) ? tangent : broadcastTo(tangent, value.shape);
  if (a.shape.length !== value.shape.length || a.shape.some((n, d) => n !== value.shape[d])) a = broadcastTo(a, value.shape);
  return a.dtype === value.dtype ? a : astype(a, value.dtype);
}

/**
 * Forward mode's rule for an operation: the result's tangent from one tangent per operand
 * (null where the operand is a constant or its tangent is zero; an NDArray of the operand's
 * shape for an array operand, a number — or a value traced one level out — for a scalar).
 * Returns the result's tangent (null: zero). Written with the runtime's array operations,
 * so that it nests (forward over reverse, …).
 */
export type Pushforward = (tangents: readonly unknown[]) => unknown;

/**
 * An array operation in replayable form, so that compileGradient can run it again on new
 * values: `forward` computes the result from the operands' values (as the tape sees them),
 * `backward` the contribution to each operand from the result's cotangent (null: none).
 * `reads` says which of the operands' values and the result `backward` uses (default: all),
 * so compiled code computes only what is needed.
 */
export interface Step {
  readonly name: string;
  forward(values: readonly any[]): unknown;
  backward(g: any, values: readonly any[], result: any): readonly unknown[];
  readonly reads?: { readonly operands?: readonly boolean[]; readonly result?: boolean };
  /**
   * For an operation that works element by element, its formulas on one element, so that
   * compiled code can run a chain of such operations (and their backwards) as one loop
   * (lib/compile/fuse.ts). They must compute exactly what `forward` and `backward` compute
   * for operands of one shape (numbers standing for every element); spec/compile/fuse.test.ts
   * holds each to that.
   */
  readonly elementwise?: ElementwiseForm;
  /**
   * For a slice that is a contiguous window of its operand's storage: the result's element i
   * is the operand's element `window + i` (compiled code reads it in place when it fuses).
   */
  readonly window?: number;
  /**
   * Forward mode: the result's tangent (see `Pushforward`) from one tangent per operand (null:
   * zero; never all null), given the operands' values as `forward` saw them and the result.
   * Required, so that an operation without its forward rule does not compile.
   */
  jvp(tangents: readonly any[], values: readonly any[], result: any): unknown;
}

/**
 * One element of an array — or a number standing for every element — in a fused loop: an
 * expression of compiled code (lib/compile/fuse.ts writes it).
 */
export interface Element {
  /** True for a number (not an array's element). */
  readonly scalar: boolean;
}

/**
 * The array operations as they act on one element, for writing element formulas: each
 * rounds its result to the arrays' dtype; + − × ÷ of a float32 array and a number round
 * the number to float32 first, as the kernels do.
 */
export interface Elements {
  constant(x: number): Element;
  add(a: Element, b: Element): Element;
  sub(a: Element, b: Element): Element;
  mul(a: Element, b: Element): Element;
  div(a: Element, b: Element): Element;
  /** f(a) or f(a, b) for a plain-number function, as `map1`/`map2` apply it (the number as it is). */
  map(f: (...xs: number[]) => number, ...args: Element[]): Element;
  /** `part`, but 0 where it is NaN and the cotangent `g` is 0 (elementwise.ts's nothingFromZeros). */
  nothingFromZeros(part: Element, g: Element): Element;
  /** A number as an element: rounded to the arrays' dtype, as storing it rounds it. */
  stored(x: Element): Element;
}

/**
 * An elementwise operation's formulas: `forward` gives the result's element from the
 * operands'; `backward` each operand's contribution from the cotangent's element (null where
 * `need` says none is asked for). `reduces`: the result is the sum of `forward`'s elements
 * (a number), as `sum` gives.
 */
export interface ElementwiseForm {
  forward(e: Elements, args: readonly Element[]): Element;
  backward(e: Elements, g: Element, args: readonly Element[], z: Element, need: readonly boolean[]): readonly (Element | null)[];
  readonly reduces?: boolean;
}

/** Records an operation given as a step: its value from the operands, its pullback from `backward`. */
export function recordStep(t: Tape, operands: readonly unknown[], step: Step): any {
  // While compileGradient records (or once it has stopped recording, for the rest of that
  // call), a traced number holds a symbolic one: the step runs on its value now, and
  // compiled code passes the number of each later call.
  const values = operands.map((x) => {
    const v = on(x, t);
    return isSymbolic(v) ? v.value : v;
  });
  const value = step.forward(values);
  return record(t, value, operands, (g) => step.backward(g, values, value), step, (tangents) => step.jvp(tangents, values, value));
}

// The sweep accumulates plain array cotangents as typed arrays (in place), cast to their
// row's dtype; traced ones (nested differentiation) stay arrays, cast here by a recorded
// astype. So, as in JAX, a float32 operand of a float64 result gets a float32 cotangent.
function cotangentOf(part: unknown, dtype: Dtype | null): unknown {
  if (!isNDArray(part)) return part;
  // (a part under closed layers — a pullback returned an array kept from an ended inner
  // differentiation — is the array inside them, which an open tape may trace: its data lost that)
  const inside = liveArray(part);
  if (inside.tracedTape === null) return inside.data;
  return dtype === null || inside.dtype === dtype ? inside : astype(inside, dtype);
}


/**
 * An operand as an array: ours as it is; a nested JavaScript array (or typed array) of
 * numbers converted — and when its elements are traced (a stand-in for an argument), packed
 * into one traced array whose gradient flows back to each element.
 */
export function asArray(x: unknown, what: string): NDArray {
  if (isNDArray(x)) return liveArray(x);
  if (typeof x === 'number') return new NDArray([], Float64Array.of(x));
  if (isTraced(x)) return packScalars([x], []);
  // (a symbolic number — compileGradient's recording — is its number, pinned, as in an operator)
  if (isSymbolic(x)) return new NDArray([], Float64Array.of(x.pin()));
  if (Array.isArray(x)) {
    const flat: unknown[] = [];
    const shape = flatten(x, flat, what);
    if (flat.some((v) => isTraced(v) && v.tracedTape.active)) return packScalars(flat, shape);
    return new NDArray(shape, Float64Array.from(flat.map((v) => +(live(v) as number))));
  }
  return fromNested(x, what);
}

function flatten(x: unknown[], out: unknown[], what: string): number[] {
  const probe = shapeOfNested(x);
  const walk = (v: unknown, axis: number, path: string) => {
    if (axis === probe.length) {
      if (typeof v !== 'number' && !isTraced(v) && !isSymbolic(v)) throw new TypeError(`zygote-ts: ${what}${path} is not a number.`);
      out.push(v);
      return;
    }
    // (rows may be typed arrays too, as `shapeOfNested` and `fromNested` allow)
    const row = v as ArrayLike<unknown> | null;
    if (!isNumericArrayLike(v) || row!.length !== probe[axis]) {
      throw new TypeError(`zygote-ts: ${what}${path} does not match shape [${probe.join(', ')}] (arrays must be rectangular).`);
    }
    for (let i = 0; i < row!.length; i++) walk(row![i], axis + 1, `${path}[${i}]`);
  };
  walk(x, 0, '');
  return probe;
}

// One node whose parents are the traced elements: its pullback hands each its cotangent.
function packScalars(elements: readonly unknown[], shape: number[]): NDArray {
  const t = tapeOf(elements)!;
  const outer = elements.map((v) => on(v, t));
  const value = outer.some((v) => isTraced(v) && v.tracedTape.active) ? packScalars(outer, shape) : new NDArray(shape, Float64Array.from(outer.map((v) => +(live(v) as number))));
  return record(t, value, elements, (g: NDArray) => elementsOf(g), undefined, function packScalarsTangent(tangents) {
    // the elements' tangents packed the same way (traced ones, one level out, into a traced array)
    const ts = tangents.map((d) => d ?? 0);
    if (ts.some((d) => isTraced(d) && d.tracedTape.active)) return packScalars(ts, shape);
    return new NDArray(shape, Float64Array.from(ts.map((d) => +(live(d) as number))));
  }, undefined, readsNothing(elements.length));
}

/** What a pullback of `n` operands that reads none of their numbers (nor its result's) declares. */
export const readsNothing = (n: number): Step['reads'] => ({ operands: new Array<boolean>(n).fill(false), result: false });

/**
 * `g`'s numbers, row-major: when `g` is traced on a tape still recording, its elements as
 * traced numbers (read one by one, so that the derivative flows back into `g`).
 */
export function elementsOf(g: NDArray): unknown[] {
  g = liveArray(g);
  const n = g.size;
  const out = new Array<unknown>(n);
  if (g.tracedTape === null || !g.tracedTape.active) for (let k = 0; k < n; k++) out[k] = g.data[k];
  else for (let k = 0; k < n; k++) out[k] = g.get(...unflat(g.shape, k));
  return out;
}

function unflat(shape: readonly number[], k: number): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = k % shape[d]!;
    k = Math.floor(k / shape[d]!);
  }
  return index;
}
