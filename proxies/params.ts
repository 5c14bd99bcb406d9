// Implicit parameters: the arrays of a `Params` are traced where they are, by identity.
//
// f takes no arguments and reaches its parameters however it likes — through closures,
// objects that hold them, array operations, indexing — so no stand-in can be handed over.
// Instead each parameter itself is marked for the duration of the call: an NDArray
// becomes a traced input (its tape fields are set, and restored after), and a JavaScript
// array of numbers has its numbers replaced by traced inputs in place (and put back after,
// or — where f wrote — the number f wrote). Restoring happens in `finish`, also when f
// throws, so the caller's arrays never keep a traced value.
//
// A number array's structure is recorded when it is marked: its gradient has the form the
// parameter had when passed in, whatever f did to it (as an explicit argument's does),
// and an array reached twice (`M = [row, row]`, or `Params([M, row])`) is marked once, so
// both uses add to its one gradient, shown wherever it is reached.

import { live, Traced, isTraced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { allocate, NDArray, traceArray, isNDArray } from '../lib/ndarray.js';
import { outward } from './cleanup.js';
import { isOthersProxy } from './kinds.js';

/** A marked number array: its container, and what each of its places held then. */
interface MarkedArray {
  container: unknown[];
  /** Per place: the input made for its number (a position in `inputs`), the array there, or null for a hole. */
  entries: (number | MarkedArray | null)[];
}

/** A parameter: an NDArray (its input), or a number array (its structure when marked). */
type Marked = { param: NDArray; input: number; restore(): void } | { param: unknown[]; root: MarkedArray; inputs: number[] };

/**
 * An array whose numbers cannot be replaced in place: frozen since it was given to Params (immer
 * freezes the state it makes), or a Proxy zygote-ts did not make, whose traps would see the
 * traced numbers and choose what is put back (a get trap scaling by 10 left the caller's
 * [1, 2, 3] as [10, 20, 30], and a gradient of length 30).
 */
export function refuseUnmarkable(a: unknown[] | NDArray, place: string): void {
  if (isNDArray(a)) {
    // (an NDArray is traced by setting its own fields for the call)
    if (Object.isFrozen(a)) throw new TypeError(`zygote-ts: Params: parameter ${place} is a frozen NDArray; it is traced in place (its fields are set for the call), so it cannot be frozen. Leave it unfrozen.`);
    return;
  }
  if (isOthersProxy(a)) {
    throw new TypeError(
      `zygote-ts: Params: parameter ${place} is a Proxy that zygote-ts did not make: marking its numbers in place would run its traps. ` +
        'Pass Params the array behind the Proxy (for a Vue/MobX store, its raw value).',
    );
  }
  if (Object.isFrozen(a)) throw new TypeError(`zygote-ts: Params: parameter ${place} is a frozen array; its numbers cannot be traced in place.`);
}

export class MarkedParams {
  readonly values: unknown[] = [];
  readonly inputs: (Traced | NDArray)[] = [];
  private readonly marked: Marked[] = [];
  /** Every number array marked, by identity: one reached twice is marked once. */
  private readonly nodes = new Map<unknown[], MarkedArray>();
  /** What each number input replaced, to put back, by its row on the tape (an array: one Map entry per number cost more than the rest of marking). */
  private readonly was: unknown[] = [];
  private readonly tape: Tape;

  constructor(params: readonly object[], tape: Tape) {
    this.tape = tape;
    try {
      params.forEach((p, at) => this.marked.push(isNDArray(p) ? this.markArray(p, tape) : this.markNumbers(p as unknown[], at, tape)));
    } catch (error) {
      this.finish();
      throw error;
    }
  }

  get inputRows(): readonly number[] {
    return this.inputs.map((x) => x.tracedIndex);
  }

  differentiable(): boolean {
    return true;
  }

  private markArray(p: NDArray, tape: Tape): Marked {
    refuseUnmarkable(p, `${this.marked.length}`);
    const saved = { tape: p.tracedTape, index: p.tracedIndex, value: p.tracedValue };
    const outer = p.tracedTape === null ? new NDArray(p.shape, p.data) : new NDArray(p.shape, p.data, p.tracedTape, p.tracedIndex, p.tracedValue);
    const traced = traceArray(tape, outer);
    p.tracedTape = tape;
    p.tracedIndex = traced.tracedIndex;
    p.tracedValue = outer;
    const input = this.inputs.length;
    this.inputs.push(traced);
    return {
      param: p,
      input,
      restore: () => {
        p.tracedTape = saved.tape;
        p.tracedIndex = saved.index;
        p.tracedValue = saved.value;
      },
    };
  }

  private markNumbers(p: unknown[], at: number, tape: Tape): Marked {
    const mark = (a: unknown[], path: string): MarkedArray => {
      const known = this.nodes.get(a);
      if (known !== undefined) return known;
      refuseUnmarkable(a, `${at}${path}`);
      const node: MarkedArray = { container: a, entries: [] };
      this.nodes.set(a, node); // (before its places: `finish` puts back what was marked so far)
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (!(i in a)) node.entries.push(null); // (a hole stays one, in the gradient too)
        else if (Array.isArray(v)) node.entries.push(mark(v, `${path}[${i}]`));
        else if (typeof v === 'number' || isTraced(v)) {
          const input = tape.input(live(v));
          this.was[input.tracedIndex] = v;
          node.entries.push(this.inputs.length);
          this.inputs.push(input);
          try {
            a[i] = input;
          } catch {
            throw new TypeError(`zygote-ts: Params: parameter ${at}${path}[${i}] is read-only (or a getter): its number cannot be traced in place. Pass Params an ordinary array (a copy, [...a]) and read that in f.`);
          }
        } else {
          // (checked when pushed to Params; the caller has changed it since)
          throw new TypeError(`zygote-ts: Params: parameter ${at}${path}[${i}] is ${v === undefined ? 'undefined (a hole?)' : typeof v}, not a number.`);
        }
      }
      return node;
    };
    const root = mark(p, '');
    // The inputs under this parameter, each once: whether the loss depends on it.
    const inputs: number[] = [];
    const seen = new Set<MarkedArray>();
    const collect = (n: MarkedArray): void => {
      if (seen.has(n)) return;
      seen.add(n);
      for (const e of n.entries) {
        if (typeof e === 'number') inputs.push(e);
        else if (e !== null) collect(e);
      }
    };
    collect(root);
    return { param: p, root, inputs };
  }

  /** Each parameter's gradient (null where no path), in its form when it was marked. */
  gradients(cotangents: readonly unknown[], zeros = false): unknown[] {
    // One gradient per marked array: where it is reached twice, the same array shows it twice.
    const built = new Map<MarkedArray, unknown[]>();
    const build = (n: MarkedArray): unknown[] => {
      const known = built.get(n);
      if (known !== undefined) return known;
      const out: unknown[] = new Array(n.entries.length);
      built.set(n, out);
      n.entries.forEach((e, i) => {
        if (e !== null) out[i] = typeof e === 'number' ? cotangents[e] ?? 0 : build(e);
      });
      return out;
    };
    return this.marked.map((m) => {
      if ('input' in m) {
        const c = cotangents[m.input];
        return c ?? (zeros ? new NDArray(m.param.shape, allocate(m.param.dtype, m.param.size)) : null);
      }
      if (!zeros && !m.inputs.some((k) => cotangents[k] != null)) return null;
      return build(m.root);
    });
  }

  /**
   * Puts every parameter back (keeping what f wrote, as numbers). The arrays are walked as
   * they are now, not as they were marked: f may have shortened one (a write at an old
   * place would lengthen it again), or moved numbers within or between them.
   */
  finish(): void {
    for (const m of this.marked) if ('restore' in m) m.restore(); // (the records stay: `gradients` reads them)
    for (const a of this.nodes.keys()) {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (isTraced(v)) a[i] = this.wasAt(v) ?? outward(v);
      }
    }
    // Arrays or objects f put into a parameter may hold traced values too.
    for (const a of this.nodes.keys()) {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (typeof v === 'object' && v !== null && !this.nodes.has(v as unknown[])) {
          const r = outward(v);
          if (r !== v) a[i] = r;
        }
      }
    }
  }

  /** The number an input of this marking replaced (undefined for any other traced value). */
  private wasAt(v: Traced): unknown {
    return v.tracedTape === this.tape ? this.was[v.tracedIndex] : undefined;
  }

  close(): void {}
}
