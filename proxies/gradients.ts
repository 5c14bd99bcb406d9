// Structural gradients: the cotangents of a call's inputs, put back in the shape of the
// arguments they came from.
//
// A record's gradient is a plain object with its field names (Zygote's named tuple), an
// array's an array, a Map's a Map with the same keys, a Set's a Map from each member to
// its gradient, a Float64Array's or Float32Array's a typed array of its class. A field
// with no path from the output is `null`; an array of numbers is
// dense (0 where there is no path), as in Zygote; a structure with no path at all is
// `null`. An object reached along several paths has one gradient object, shared.

import { allocate, NDArray, isNDArray, type FloatArray } from '../lib/ndarray.js';
import { setOwn, type Node, type Slot, type Wrapping } from './standins.js';
import { typedArrayOf } from './typed-arrays.js';
import { noteFilledByLibrary } from '../lib/core/library-keys.js';
import { byLabel } from './private-keys.js';

/** An array input's gradient: an array of its shape (null where no path; zeros with `zeros`). */
function arrayGradient(input: NDArray, cotangent: unknown, zeros: boolean): unknown {
  if (cotangent === null || cotangent === undefined) return zeros ? new NDArray(input.shape, allocate(input.dtype, input.size)) : null;
  return cotangent; // an NDArray (the sweep gives array rows as arrays of their dtype)
}

/**
 * The gradient of each argument, given the cotangent of each input of `wrapping`
 * (`cotangents[k]` for `wrapping.inputs[k]`, null where unreached). With `zeros`,
 * unreached numbers are 0 instead of null (Jacobian rows).
 */
export function structuralGradients(wrapping: Wrapping, cotangents: readonly unknown[], zeros = false): unknown[] {
  const pass = markReached(wrapping, cotangents);
  const pending: Node[] = [];

  const gradientOf = (slot: Slot, dense: boolean): unknown => {
    if (typeof slot === 'number') {
      const cotangent = cotangents[slot];
      if (typeof cotangent === 'number') return cotangent; // (a number's: an array's is an NDArray or null)
      const input = wrapping.inputs[slot]!;
      if (isNDArray(input)) return arrayGradient(input, cotangent, zeros);
      return cotangent ?? (dense || zeros ? 0 : null);
    }
    if (slot === null || (slot.reachedIn !== pass && !zeros)) return null;
    // (one gradient per typed array, however many paths reach it, as for any other object)
    if (slot.kind === 'typed') return (slot.gradient ??= typedGradient(slot, gradientOf(slot.entries[1] as Slot, false)));
    let g = slot.gradient;
    if (g === null) {
      // (a Map's or Set's gradient is keyed as the argument: by numbers an enclosing differentiation may trace)
      g = slot.kind === 'record' ? {} : slot.kind === 'array' ? (holeless(slot) ? [] : new Array<unknown>(slot.length).fill(null)) : filledMap();
      slot.gradient = g;
      pending.push(slot);
    }
    return g;
  };

  const result = wrapping.roots.map((root) => gradientOf(root, false));
  // Filled iteratively, so a long chain of nested objects does not overflow the stack.
  let node: Node | undefined;
  while ((node = pending.pop()) !== undefined) {
    const g = node.gradient!;
    const e = node.entries;
    if (node.kind === 'record') {
      const o = g as Record<string, unknown>;
      for (let i = 0; i < e.length; i += 3) setOwn(o, e[i] as string, gradientOf(e[i + 1] as Slot, false));
      if (node.privates !== null) {
        for (const [label, member] of byLabel(node.privates)) if (member.slot !== null) o[label] = gradientOf(member.slot, false);
      }
    } else if (node.kind === 'array') {
      const a = g as unknown[];
      if (holeless(node)) {
        for (let i = 0; i < e.length; i += 3) a.push(gradientOf(e[i + 1] as Slot, true));
      } else {
        for (let i = 0; i < e.length; i += 3) a[e[i] as number] = gradientOf(e[i + 1] as Slot, true);
      }
    } else {
      const m = g as Map<unknown, unknown>;
      for (let i = 0; i < e.length; i += 3) m.set(e[i], gradientOf(e[i + 1] as Slot, false));
    }
  }
  for (const n of wrapping.nodes.values()) n.gradient = null;
  return result;
}

/**
 * Whether array node `node` had every element when f received it: its gradient is then filled
 * in order, by push, so that an array of numbers' gradient is one of doubles, not of boxed
 * numbers in a holey array, for the caller's arithmetic (an optimiser's step).
 */
const holeless = (node: Node): boolean => node.entries.length === 3 * node.length;

/**
 * A typed array's gradient: a typed array of its class from its numbers' cotangent (an
 * NDArray); inside an enclosing differentiation, one whose elements stay traced on it.
 */
function typedGradient(node: Node, cotangent: unknown): FloatArray | null {
  if (!isNDArray(cotangent)) return null;
  const ctor = node.original instanceof Float32Array ? Float32Array : Float64Array;
  if (cotangent.tracedTape === null || !cotangent.tracedTape.active) return ctor.from(cotangent.data);
  return typedArrayOf(ctor, Array.from({ length: cotangent.size }, (_, i) => cotangent.get(i)));
}

let passes = 0;

/**
 * Marks (with a fresh pass number) the nodes below which some input has a cotangent,
 * up through every parent; returns the pass number.
 */
function markReached(wrapping: Wrapping, cotangents: readonly unknown[]): number {
  const pass = ++passes;
  const stack: Node[] = [];
  const mark = (n: Node | null) => {
    if (n !== null && n.reachedIn !== pass) {
      n.reachedIn = pass;
      stack.push(n);
    }
  };
  for (const node of wrapping.nodes.values()) {
    if (holdsReachedInput(node, cotangents)) mark(node);
  }
  let n: Node | undefined;
  while ((n = stack.pop()) !== undefined) {
    mark(n.parent);
    if (n.otherParents !== null) for (const p of n.otherParents) mark(p);
  }
  return pass;
}

function holdsReachedInput(node: Node, cotangents: readonly unknown[]): boolean {
  const e = node.entries;
  for (let i = 1; i < e.length; i += 3) {
    const slot = e[i];
    if (typeof slot === 'number' && cotangents[slot] != null) return true;
  }
  if (node.privates !== null) {
    for (const m of node.privates.values()) if (typeof m.slot === 'number' && cotangents[m.slot] != null) return true;
  }
  return false;
}

/** A Map this module fills, noted so that rewritten code finds its keys by value (lib/core/library-keys.ts). */
function filledMap(): Map<unknown, unknown> {
  const m = new Map();
  noteFilledByLibrary(m);
  return m;
}
