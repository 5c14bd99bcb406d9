// Forward mode: a tape that carries tangents instead of recording partials.
//
// The rules are the reverse mode's: each scalar operation hands the tape its local partials
// (`push(value, a, ∂a, b, ∂b)`). A forward tape multiplies them by its operands' tangents at
// once — ṙ = ∂a·ȧ + ∂b·ḃ — and keeps only the tangent of each row, so every rule has its
// forward rule without writing one. Array operations give theirs (`NodeRecord.pushforward`).
//
// A forward tape carries `width` tangents per row: one direction for `jvp`, many for
// `jacfwd` (all columns of a Jacobian in one evaluation of f, as ForwardDiff's chunks).
// Nesting works as in reverse mode: partials or tangents traced on an outer tape are
// combined with the runtime's operations (`Algebra`), so the outer tape sees them. Each tape
// is its own tag, so perturbations of different differentiations are never confused.

import type { Algebra, NodeRecord } from './tape.js';
import { isNDArray } from '../ndarray.js';

/** A tangent reached an operation without a forward rule (testRule tells it from a wrong rule by its class). */
export class NoForwardRule extends TypeError {}

// Buffers of finished forward tapes: rows are written before they are read, so a buffer
// needs no clearing, and a call in a loop stops growing one from small.
const spare: Float64Array[] = [];

export class Tangents {
  /** Tangents per row (directions). */
  width: number;
  /** Row r's tangents at [r·width, (r+1)·width), while they are plain numbers. */
  private plain: Float64Array;
  /**
   * Rows whose tangents are not plain numbers — array rows (NDArrays, null for zero) and
   * rows traced on an outer tape — by row; their `plain` slots are unused.
   */
  private generic: Map<number, unknown[]> | null = null;

  constructor(width: number) {
    this.width = width;
    this.plain = spare.pop() ?? new Float64Array(Math.max(64, 64 * width));
  }

  /** Hands the buffer back for the next forward tape (after the call has read its tangents). */
  release(): void {
    if (spare.length < 2) spare.push(this.plain);
    this.plain = new Float64Array(0);
    this.generic = null;
  }

  /**
   * Sets the number of directions before any tangent is seeded (jacfwd counts the arguments'
   * numbers while wrapping them, and only then knows its width); every tangent is zero again.
   */
  resize(width: number): void {
    this.width = width;
    this.generic = null;
  }

  /** Row `row` = op(a, b) with partials `da`, `db` (a parent of -1 is a constant). */
  scalar(ops: Algebra, row: number, a: number, da: unknown, b: number, db: unknown): void {
    const w = this.width;
    this.ensure(row);
    const ga = a >= 0 ? this.generic?.get(a) : undefined;
    const gb = b >= 0 ? this.generic?.get(b) : undefined;
    const P = this.plain;
    if (ga === undefined && gb === undefined && typeof da === 'number' && typeof db === 'number') {
      for (let j = 0; j < w; j++) {
        // A zero tangent contributes nothing, even through an infinite partial (as a zero
        // cotangent in the reverse sweep): 0·∞ must not turn a constant path into NaN. Nor
        // does a zero partial given an infinite tangent (min(exp(1000 x), 5)'s unchosen one).
        let t = 0;
        if (a >= 0 && da !== 0) {
          const ta = P[a * w + j]!;
          if (ta !== 0) t = da * ta;
        }
        if (b >= 0 && db !== 0) {
          const tb = P[b * w + j]!;
          if (tb !== 0) t += db * tb;
        }
        P[row * w + j] = t;
      }
      return;
    }
    const out = new Array<unknown>(w);
    let plain = true;
    for (let j = 0; j < w; j++) {
      let t: unknown = 0;
      if (a >= 0) t = term(ops, t, da, ga !== undefined ? ga[j] : P[a * w + j]);
      if (b >= 0) t = term(ops, t, db, gb !== undefined ? gb[j] : P[b * w + j]);
      out[j] = t;
      if (typeof t !== 'number') plain = false;
    }
    this.store(row, out, plain);
  }

  /** Row `row` is element `k` of array row `array`. */
  element(ops: Algebra, row: number, array: number, k: number): void {
    this.ensure(row);
    const g = this.generic?.get(array);
    const out = new Array<unknown>(this.width);
    let plain = true;
    for (let j = 0; j < this.width; j++) {
      const t = g === undefined ? null : g[j];
      const e = t === null || t === undefined ? 0 : isNDArray(t) && t.tracedTape === null ? t.data[k]! : ops.elementAt(t, k);
      out[j] = e;
      if (typeof e !== 'number') plain = false;
    }
    this.store(row, out, plain);
  }

  /** Row `row` is an operation with its own rule (an array operation, a custom rule). */
  node(row: number, node: NodeRecord): void {
    this.ensure(row);
    // (a zero tangent: null for an array, which has a shape; 0 for a number)
    const zero = node.arrayValued ? null : 0;
    const out = new Array<unknown>(this.width).fill(zero);
    if (node.parents.length > 0) {
      for (let j = 0; j < this.width; j++) {
        const inputs = node.parents.map((p) => this.at(p, j));
        if (inputs.every((t) => t === null)) continue;
        if (node.pushforward === undefined) {
          throw new NoForwardRule(
            node.custom === true
              ? `zygote-ts: ${node.name} has no forward rule, which forward mode needs. Give it one: rule(fn, rrule, frule).`
              : `zygote-ts: forward mode has no rule for ${node.name ?? 'an operation'}. Use reverse mode (gradient, jacobian) for this function.`,
          );
        }
        const t = node.pushforward(inputs);
        out[j] = t === undefined || t === null ? zero : t;
      }
    }
    (this.generic ??= new Map()).set(row, out);
  }

  /** Sets the tangents of input row `row` (one value per direction; null for zero). */
  seed(row: number, values: readonly unknown[]): void {
    this.ensure(row);
    this.store(row, values.slice(), values.every((v) => typeof v === 'number'));
  }

  /** Sets row `row`'s tangents to plain numbers (one per direction). */
  seedNumbers(row: number, values: ArrayLike<number>): void {
    this.ensure(row);
    for (let j = 0; j < this.width; j++) this.plain[row * this.width + j] = values[j]!;
    this.generic?.delete(row);
  }

  /**
   * Row `row`'s tangent in direction `j`: a number, an NDArray, or a value traced on an
   * outer tape; null for the zero tangent of an array row.
   */
  at(row: number, j: number): unknown {
    const g = this.generic?.get(row);
    if (g !== undefined) return g[j] ?? null;
    return row * this.width + j < this.plain.length ? this.plain[row * this.width + j]! : 0;
  }

  private store(row: number, values: unknown[], plain: boolean): void {
    if (plain) {
      this.plain.set(values as number[], row * this.width);
      this.generic?.delete(row);
    } else {
      (this.generic ??= new Map()).set(row, values);
    }
  }

  private ensure(row: number): void {
    const need = (row + 1) * this.width;
    if (need <= this.plain.length) return;
    const grown = new Float64Array(Math.max(need, 2 * this.plain.length));
    grown.set(this.plain);
    this.plain = grown;
  }
}

/** `t + ∂·ṫ`, skipping zero tangents and plain zero partials (and a zero `t`), with the runtime's operations. */
function term(ops: Algebra, t: unknown, d: unknown, tangent: unknown): unknown {
  if (tangent === 0 || tangent === null || tangent === undefined || d === 0) return t;
  const part = typeof d === 'number' && typeof tangent === 'number' ? d * tangent : ops.mul(d, tangent);
  if (t === 0) return part;
  return typeof t === 'number' && typeof part === 'number' ? t + part : ops.add(t, part);
}
