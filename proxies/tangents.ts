// Forward mode's seeds: the tangents each input of a call starts with.
//
// `jvp` takes tangents in the shape of the arguments — a number for a number, an array for
// an array, a record (or an instance) with the same field names, a Map with the same keys,
// a Set's tangent as a Map from member to tangent (as its gradient is), a typed array or an
// NDArray of the same size — and `null` for "not perturbed" anywhere. Inputs are made as the
// arguments are wrapped (private members while f runs), so each input finds its tangent by
// where it sits: its parent structure's tangent, and its key there.
//
// `jacfwd` seeds the unit directions instead: every number of the arguments is one column.

import { fromNested, isFloatArray, isNDArray, NDArray, allocate } from '../lib/ndarray.js';
import { isTraced, type Traced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { pathOf, type Node, type Seeder } from './standins.js';

/** Seeds from tangents shaped like the arguments (one direction). */
export class StructuredSeeds implements Seeder {
  /** Each structure's tangent (null: nothing under it is perturbed). */
  private readonly ofNode = new Map<Node, unknown>();
  private tape: Tape | null = null;

  constructor(private readonly roots: readonly unknown[]) {}

  node(node: Node, parent: Node | null, key: unknown): void {
    const t = this.tangentAt(parent, key);
    if (t !== null && (typeof t !== 'object' || isTraced(t))) {
      throw new TypeError(`zygote-ts: the tangent for ${pathOf(parent, key)} is ${describe(t)}, but the argument there is a structure; give a tangent of its shape, or null.`);
    }
    this.ofNode.set(node, t);
  }

  input(input: Traced | NDArray, parent: Node | null, key: unknown): void {
    const t = this.tangentAt(parent, key);
    if (t === null) return; // (inputs start with zero tangents)
    const tape = (this.tape ??= input.tape!);
    if (isNDArray(input)) {
      tape.seed(input.index, [arrayTangent(t, input, pathOf(parent, key))]);
      return;
    }
    if (typeof t !== 'number' && !isTraced(t)) {
      throw new TypeError(`zygote-ts: the tangent for ${pathOf(parent, key)} is ${describe(t)}; a number's tangent is a number (or null).`);
    }
    tape.seed(input.index, [t]);
  }

  /** The tangent for the value under `key` of `parent`; null when it is not perturbed. */
  private tangentAt(parent: Node | null, key: unknown): unknown {
    let t: unknown;
    if (parent === null) {
      t = this.roots[key as number];
    } else {
      const up = this.ofNode.get(parent);
      if (up === null || up === undefined) return null;
      if (parent.kind === 'map' || parent.kind === 'set') {
        if (!(up instanceof Map)) {
          throw new TypeError(`zygote-ts: the tangent for ${pathOf(parent.parent, parent.keyInParent)} must be a Map (from each ${parent.kind === 'set' ? 'member' : 'key'} to its tangent), got ${describe(up)}.`);
        }
        t = up.has(key) ? up.get(key) : undefined;
      } else {
        t = (up as Record<PropertyKey, unknown>)[key as PropertyKey];
      }
    }
    if (t === undefined) {
      throw new TypeError(`zygote-ts: no tangent for ${pathOf(parent, key)}. Give tangents in the shape of the arguments, with null where a value is not perturbed.`);
    }
    return t;
  }
}

/**
 * Seeds for a Jacobian by forward mode: input k's numbers are columns [start_k, start_k + size_k)
 * of `width` directions. Inputs are counted as the arguments are wrapped; the tape's width is
 * set once they all are (`seedAll`), before f runs.
 */
export class BasisSeeds implements Seeder {
  readonly inputs: (Traced | NDArray)[] = [];
  private sealed = false;

  node(): void {}

  input(input: Traced | NDArray, parent: Node | null, key: unknown): void {
    if (this.sealed) {
      throw new TypeError(
        `zygote-ts: jacfwd: f read ${pathOf(parent, key)}, a private member of an argument. A forward-mode Jacobian has ` +
          `one column per number it sees before f runs, and private members are only seen while it runs. Use jacobian (reverse mode).`,
      );
    }
    this.inputs.push(input);
  }

  /** The number of columns: every number of the inputs. */
  get width(): number {
    let n = 0;
    for (const x of this.inputs) n += isNDArray(x) ? x.size : 1;
    return n;
  }

  /** Gives every input its unit directions (the tape's width must be `width`). */
  seedAll(tape: Tape): void {
    this.sealed = true;
    const width = this.width;
    let column = 0;
    for (const x of this.inputs) {
      const seeds = new Array<unknown>(width).fill(isNDArray(x) ? null : 0);
      if (isNDArray(x)) {
        for (let k = 0; k < x.size; k++) {
          const data = allocate(x.dtype, x.size);
          data[k] = 1;
          seeds[column + k] = new NDArray(x.shape, data);
        }
        column += x.size;
      } else {
        seeds[column++] = 1;
      }
      tape.seed(x.index, seeds);
    }
  }
}

/** An array input's tangent as an NDArray of its shape (from an NDArray, typed array or nested array). */
function arrayTangent(t: unknown, input: NDArray, where: string): NDArray {
  let a: NDArray;
  try {
    a = isNDArray(t) ? t : Array.isArray(t) || isFloatArray(t) ? fromNested(t) : (null as never);
  } catch {
    a = null as never;
  }
  if (a === null || a.size !== input.size) {
    throw new TypeError(`zygote-ts: the tangent for ${where} is ${describe(t)}; it must be an array of ${input.size} numbers (shape [${input.shape.join(', ')}]), or null.`);
  }
  return a.shape.length === input.shape.length && a.shape.every((n, d) => n === input.shape[d]) ? a : new NDArray(input.shape, a.data);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (isNDArray(x)) return `an NDArray of shape [${x.shape.join(', ')}]`;
  if (isTraced(x)) return 'a number';
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  return `${typeof x} ${String(x)}`;
}
