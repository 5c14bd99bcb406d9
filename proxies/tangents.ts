// Forward mode's seeds: the tangents each input of a call starts with.
//
// `jvp` takes tangents in the shape of the arguments — a number for a number, an array for
// an array, a record (or an instance) with the same field names, a Map with the same keys,
// a Set's tangent as a Map from member to tangent (as its gradient is), an NDArray of the
// same shape or a typed array of as many numbers — and `null` for "not perturbed" anywhere. Inputs are made as the
// arguments are wrapped (private members while f runs), so each input finds its tangent by
// where it sits: its parent structure's tangent, and its key there.
//
// `jacfwd` seeds the unit directions instead: every number of the arguments is one column.

import { castData, fromNested, isFloatArray, isNDArray, NDArray, allocate } from '../lib/ndarray.js';
import { isTraced, primal, type Traced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { isScalarObject } from '../lib/core/scalars.js';
import { pathOf, type Node, type Seeder, type Slot } from './standins.js';
import { byLabel, className, memberName, privateLabels } from './private-keys.js';

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
    if (t !== null) refuseExtra(node, t, pathOf(parent, key));
    this.ofNode.set(node, t);
  }

  input(input: Traced | NDArray, parent: Node | null, key: unknown): void {
    const t = this.tangentAt(parent, key);
    if (t === null) return; // (inputs start with zero tangents)
    this.seedInput(input, t, parent, key);
  }

  private seedInput(input: Traced | NDArray, t: unknown, parent: Node | null, key: unknown): void {
    const tape = (this.tape ??= input.tracedTape!);
    if (isNDArray(input)) {
      tape.seed(input.tracedIndex, [arrayTangent(t, input, pathOf(parent, key))]);
      return;
    }
    // (a number field's instance, a Fraction, moves a number too, as its cotangent may be one)
    if (typeof t !== 'number' && !isTraced(t) && !isScalarObject(t)) {
      throw new TypeError(`zygote-ts: the tangent for ${pathOf(parent, key)} is ${describe(t)}; a number's tangent is a number (or null).`);
    }
    tape.seed(input.tracedIndex, [t]);
  }

  /**
   * A value that has no tangent (a string, a boolean, a function, an integer typed array, a
   * Date: passed to f as it is) may be given null, or anything that does not move (its own
   * value, as a copy of the argument holds it); a direction there was ignored, and the
   * derivative given along part of the one asked for: jvp((t, x) => t[0] * x, [new
   * Int32Array([3]), 2], [[1], 1]) gave 3 where the caller meant 5.
   */
  constant(value: unknown, parent: Node | null, key: unknown): void {
    const t = parent === null ? this.roots[key as number] : this.childOf(parent, key);
    if (t === value || !moves(t, new Set())) return;
    throw new TypeError(
      `zygote-ts: the tangent for ${pathOf(parent, key)} is ${describe(t)}, but the argument there is ${describeConstant(value)}, which f gets as it is, ` +
        'with no derivative: give null there (to perturb its numbers, pass them as numbers, a Float64Array, or an NDArray).',
    );
  }

  /**
   * `node` (already made) is reached again, under `key` of `parent`. An object's numbers have
   * one tangent: the tangents along its paths must be the same object, or null on all but one.
   */
  alias(node: Node, parent: Node | null, key: unknown): void {
    this.merge(node, this.tangentAt(parent, key), parent, key);
  }

  private merge(node: Node, t: unknown, parent: Node | null, key: unknown): void {
    const before = this.ofNode.get(node) ?? null;
    if (t === null || t === before) return;
    if (before !== null) {
      throw new TypeError(
        `zygote-ts: ${pathOf(parent, key)} is the same object as ${pathOf(node.parent, node.keyInParent)}, and an object's numbers have ` +
          `one tangent: give the same tangent object at every place it is reached, or null at all but one.`,
      );
    }
    if (typeof t !== 'object' || isTraced(t)) {
      throw new TypeError(`zygote-ts: the tangent for ${pathOf(parent, key)} is ${describe(t)}, but the argument there is a structure; give a tangent of its shape, or null.`);
    }
    refuseExtra(node, t, pathOf(parent, key));
    this.ofNode.set(node, t);
    // What was made under it while its tangent was null gets its tangent now.
    const e = node.entries;
    for (let i = 0; i + 1 < e.length; i += 3) this.reseed(node, e[i], e[i + 1] as Slot);
    if (node.privates !== null) for (const [label, m] of byLabel(node.privates)) this.reseed(node, label, m.slot);
  }

  private reseed(node: Node, key: unknown, slot: Slot): void {
    if (slot === null) return;
    if (typeof slot === 'number') {
      // (a typed array's numbers are its input: its tangent is the node's own)
      const t = node.kind === 'typed' ? this.ofNode.get(node) : this.childOf(node, key);
      if (t !== null) this.seedInput(node.wrapping.inputs[slot]!, t, node.kind === 'typed' ? node.parent : node, node.kind === 'typed' ? node.keyInParent : key);
      return;
    }
    this.merge(slot, this.childOf(node, key), node, key);
  }

  /** The tangent for the value under `key` of `parent`; null when it is not perturbed. */
  private tangentAt(parent: Node | null, key: unknown): unknown {
    const t = parent === null ? this.roots[key as number] : this.childOf(parent, key);
    if (t === undefined) {
      throw new TypeError(`zygote-ts: no tangent for ${pathOf(parent, key)}. Give tangents in the shape of the arguments, with null where a value is not perturbed.`);
    }
    return t;
  }

  /** The tangent under `key` of `parent`'s tangent (null when `parent`'s is; undefined when missing). */
  private childOf(parent: Node, key: unknown): unknown {
    const up = this.ofNode.get(parent);
    if (up === null || up === undefined) return null;
    if (parent.kind === 'map' || parent.kind === 'set') {
      if (!(up instanceof Map)) {
        throw new TypeError(`zygote-ts: the tangent for ${pathOf(parent.parent, parent.keyInParent)} must be a Map (from each ${parent.kind === 'set' ? 'member' : 'key'} to its tangent), got ${describe(up)}.`);
      }
      const held = keyIn(up, key);
      return held === NO_KEY ? undefined : up.get(held);
    }
    if (typeof key === 'string' && key.includes('#') && parent.privates !== null) return privateTangent(up as Record<string, unknown>, parent, key);
    return (up as Record<PropertyKey, unknown>)[key as PropertyKey];
  }
}

/**
 * The tangent of the `#private` member labelled `label` (`#x`, or `Base#x` once f used
 * another class's `#x` too: private-keys.ts). The tangent may name it by its class either way
 * (`{ 'Base#x': 1, 'Derived#x': 0 }`, the gradient's shape); a `'#x'` where two classes'
 * `#x` are used is refused, not given to whichever f read first.
 */
function privateTangent(up: Record<string, unknown>, node: Node, label: string): unknown {
  const labels = privateLabels([...node.privates!.keys()]);
  const key = [...labels].find(([, l]) => l === label)?.[0];
  if (key === undefined) return up[label];
  const plain = `#${memberName(key)}`;
  const qualified = label === plain ? `${className(key)}${plain}` : label;
  if (Object.prototype.hasOwnProperty.call(up, qualified)) return up[qualified];
  if (label !== plain && Object.prototype.hasOwnProperty.call(up, plain)) {
    const alike = [...labels].filter(([k]) => memberName(k) === memberName(key)).map(([, l]) => l);
    throw new TypeError(
      `zygote-ts: the tangent for ${pathOf(node.parent, node.keyInParent)} has a ${plain}, but two classes of its chain each declare a ${plain} that f uses: ` +
        `give each its own tangent, named by its class (${alike.join(', ')}), as the gradient names them.`,
    );
  }
  return up[label];
}

/**
 * `key` as `collection` holds it: itself, or a key with its number's value where either is
 * traced — the argument's keys may be numbers an enclosing differentiation traces, which its
 * tangent's Map (of plain numbers) does not hold as the same objects; NO_KEY when none (a Map
 * may hold undefined as a key: taken for none, its entry's tangent was refused as missing).
 */
function keyIn(collection: Map<unknown, unknown> | Set<unknown>, key: unknown): unknown {
  if (collection.has(key)) return key;
  if (typeof key !== 'number' && !isTraced(key)) return NO_KEY;
  const value = primal(key);
  for (const k of collection.keys()) {
    if ((isTraced(k) || isTraced(key)) && (typeof k === 'number' || isTraced(k)) && sameValueZero(primal(k), value)) return k;
  }
  return NO_KEY;
}

const NO_KEY = Symbol('no such key');

const sameValueZero = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

/**
 * Refuses a tangent holding more than its argument: an array's extra elements, a field or a
 * Map key the argument lacks (a misspelt name) would be ignored, and the derivative given
 * along only part of the direction asked for. (`#name` fields are private members, found
 * while f runs.)
 */
function refuseExtra(node: Node, t: object, where: string): void {
  const o = node.original;
  if (node.kind === 'array' && (Array.isArray(t) || isFloatArray(t)) && (t as ArrayLike<unknown>).length > (o as unknown[]).length) {
    throw new TypeError(`zygote-ts: the tangent for ${where} has ${(t as ArrayLike<unknown>).length} elements, but the argument there is an array of ${(o as unknown[]).length}.`);
  }
  if ((node.kind === 'map' || node.kind === 'set') && t instanceof Map) {
    for (const k of t.keys()) {
      if (keyIn(o as Map<unknown, unknown> | Set<unknown>, k) === NO_KEY) {
        const name = typeof k === 'string' ? JSON.stringify(k) : describe(k);
        throw new TypeError(`zygote-ts: the tangent for ${where} has a key ${name}, but the ${node.kind === 'set' ? 'Set there has no such member' : 'Map there has no such key'}.`);
      }
    }
  }
  // (an array given a record for its tangent: an index past its end, or a field it lacks, was ignored)
  if ((node.kind === 'record' || (node.kind === 'array' && !Array.isArray(t) && !isFloatArray(t))) && !(t instanceof Map)) {
    for (const k of Object.keys(t)) {
      if (k.startsWith('#') || (k.includes('#') && !(k in o))) continue; // (a private member's, `Base#x` where two classes declare one)
      if (!(k in o)) throw new TypeError(`zygote-ts: the tangent for ${where} has a field ${k}, but the argument there has no field ${k}.`);
      // (a getter's, a method's or an inherited field's tangent was ignored: only own data fields are inputs)
      const d = Object.getOwnPropertyDescriptor(o, k);
      if ((d === undefined || !('value' in d)) && moves((t as Record<string, unknown>)[k], new Set())) {
        throw new TypeError(
          `zygote-ts: the tangent for ${where} moves its ${k}, but the argument's ${k} is ${d === undefined ? 'not a field of its own (a method, a getter of its class, or inherited)' : 'a getter'}, ` +
            'which is not an input: give the tangents of the fields it is computed from (null there).',
        );
      }
    }
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

  alias(): void {}

  constant(): void {}

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
      tape.seed(x.tracedIndex, seeds);
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
  if (a === null && Array.isArray(t) && t.flat(Infinity).some(isTraced)) {
    // (the numbers depend on an enclosing differentiation: an NDArray made of them keeps that)
    throw new TypeError(`zygote-ts: the tangent for ${where} is an array holding numbers traced by an enclosing differentiation; give it as array(xs), an NDArray, which keeps their derivatives.`);
  }
  if (a === null || a.size !== input.size) {
    throw new TypeError(`zygote-ts: the tangent for ${where} is ${describe(t)}; it must be an array of ${input.size} numbers (shape [${input.shape.join(', ')}]), or null.`);
  }
  // (in the input's shape and dtype: a float32 argument's tangents are float32, as its values)
  const sameShape = a.shape.length === input.shape.length && a.shape.every((n, d) => n === input.shape[d]);
  // An NDArray or nested array of another shape with as many numbers is a mistake (a 2×3 for
  // a 3×2), which reading it row-major would hide, as pullback's cotangents are refused; a
  // typed array is flat, its numbers read row-major.
  if (!sameShape && !isFloatArray(t)) {
    throw new TypeError(`zygote-ts: the tangent for ${where} is ${describe(t)}; it must have the argument's shape [${input.shape.join(', ')}] (a typed array: its numbers, row-major), or be null.`);
  }
  if (a.tracedTape !== null && a.tracedTape.active) {
    if (!sameShape || a.dtype !== input.dtype) {
      throw new TypeError(`zygote-ts: the tangent for ${where} is traced by an enclosing differentiation: give it as an NDArray of the argument's shape [${input.shape.join(', ')}] and dtype (${input.dtype}).`);
    }
    return a;
  }
  // (the caller's own array is copied: a tangent that passes through f unchanged (x + 1, a reshape)
  // came back as it, and a Jacobian built column by column, one direction array refilled for
  // each, had every column the last one)
  if (sameShape && a.dtype === input.dtype) return a === t ? new NDArray(a.shape, a.data.slice()) : a;
  return new NDArray(input.shape, castData(a.data, input.dtype));
}

/** Whether tangent `t` holds a number other than 0 (it asks for a perturbation). */
function moves(t: unknown, seen: Set<object>): boolean {
  if (typeof t === 'number') return t !== 0;
  if (isTraced(t)) return true;
  if (typeof t !== 'object' || t === null || seen.has(t)) return false;
  seen.add(t);
  if (isNDArray(t)) return t.tracedTape !== null || Array.prototype.some.call(t.data, (v: number) => v !== 0);
  if (isFloatArray(t)) return Array.prototype.some.call(t, (v: number) => v !== 0);
  if (t instanceof Map) return [...t.values()].some((v) => moves(v, seen));
  return Object.values(t).some((v) => moves(v, seen));
}

function describeConstant(x: unknown): string {
  if (typeof x === 'object' && x !== null) {
    const name = (x as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}` : 'an object';
  }
  return x === null || x === undefined ? String(x) : `a ${typeof x}`;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of length ${x.length}`;
  if (isNDArray(x)) return `an NDArray of shape [${x.shape.join(', ')}]`;
  if (isTraced(x)) return 'a number';
  if (typeof x === 'object') return `an object (${Object.prototype.toString.call(x)})`;
  return `${typeof x} ${String(x)}`;
}
