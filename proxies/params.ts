// Implicit parameters: the arrays of a `Params` are traced where they are, by identity.
//
// f takes no arguments and reaches its parameters however it likes — through closures,
// objects that hold them, array operations, indexing — so no stand-in can be handed over.
// Instead each parameter itself is marked for the duration of the call: an NDArray
// becomes a traced input (its tape fields are set, and restored after), and a JavaScript
// array of numbers has its numbers replaced by traced inputs in place (and put back after,
// or — where f wrote — the number f wrote). Restoring happens in `finish`, also when f
// throws, so the caller's arrays never keep a traced value.

import { live, Traced, isTraced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { allocate, NDArray, traceArray, isNDArray } from '../lib/ndarray.js';
import { outward } from './cleanup.js';

/** A parameter's place in the tape: its inputs, and how to undo the marking. */
interface Marked {
  param: object;
  /** First input (position in `inputs`) and how many. */
  first: number;
  count: number;
  restore(): void;
}

export class MarkedParams {
  readonly values: unknown[] = [];
  readonly inputs: (Traced | NDArray)[] = [];
  private readonly marked: Marked[] = [];

  constructor(params: readonly object[], tape: Tape) {
    try {
      for (const p of params) this.marked.push(isNDArray(p) ? this.markArray(p, tape) : this.markNumbers(p as unknown[], tape));
    } catch (error) {
      this.finish();
      throw error;
    }
  }

  get inputRows(): readonly number[] {
    return this.inputs.map((x) => x.index);
  }

  differentiable(): boolean {
    return true;
  }

  private markArray(p: NDArray, tape: Tape): Marked {
    const saved = { tape: p.tape, index: p.index, value: p.value };
    const outer = p.tape === null ? new NDArray(p.shape, p.data) : new NDArray(p.shape, p.data, p.tape, p.index, p.value);
    const traced = traceArray(tape, outer);
    p.tape = tape;
    p.index = traced.index;
    p.value = outer;
    const first = this.inputs.length;
    this.inputs.push(traced);
    return {
      param: p,
      first,
      count: 1,
      restore: () => {
        p.tape = saved.tape;
        p.index = saved.index;
        p.value = saved.value;
      },
    };
  }

  private markNumbers(p: unknown[], tape: Tape): Marked {
    const first = this.inputs.length;
    const placed: [container: unknown[], index: number, was: unknown, input: Traced][] = [];
    const walk = (a: unknown[]) => {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (Array.isArray(v)) walk(v);
        else if (typeof v === 'number' || isTraced(v)) {
          const input = tape.input(live(v));
          this.inputs.push(input);
          placed.push([a, i, v, input]);
          a[i] = input;
        }
      }
    };
    walk(p);
    return {
      param: p,
      first,
      count: this.inputs.length - first,
      restore: () => {
        for (const [a, i, was, input] of placed) a[i] = a[i] === input ? was : outward(a[i]);
      },
    };
  }

  /** Each parameter's gradient (null where no path), in its own form. */
  gradients(cotangents: readonly unknown[], zeros = false): unknown[] {
    return this.marked.map((m) => {
      if (isNDArray(m.param)) {
        const c = cotangents[m.first];
        return c ?? (zeros ? new NDArray(m.param.shape, allocate(m.param.dtype, m.param.size)) : null);
      }
      let reached = zeros;
      for (let k = m.first; k < m.first + m.count; k++) if (cotangents[k] != null) reached = true;
      if (!reached) return null;
      let k = m.first;
      const copy = (a: unknown[]): unknown[] => a.map((v) => (Array.isArray(v) ? copy(v) : cotangents[k++] ?? 0));
      return copy(m.param as unknown[]);
    });
  }

  /** Puts every parameter back as it was (keeping what f wrote, as numbers). */
  finish(): void {
    for (const m of this.marked) m.restore(); // (the records stay: `gradients` reads them)
  }

  close(): void {}
}
