// The layout of a parameter structure: its leaves as a list of slots, and its skeleton —
// the structure in the shape of its gradient (records as plain objects, arrays, Maps) with
// a slot reference where each leaf is. Optimisers, solvers and testRule compute on the
// slots; `gather` reads a gradient (or the parameters themselves) into slots and `scatter`
// writes slots back into a gradient-shaped tree (rebuild.ts writes them into parameters).
//
// One slot per parameter, however many paths reach it: an object reached twice (a shared
// layer, a tied NDArray) is one slot, and contributions to it along several paths add up —
// except that one object met again is counted once (zygote-ts gives a record or typed
// array reached twice one gradient object, shared, but each path its own NDArray gradient,
// arrays being values; two objects where the parameters have one record or array are
// refused). A number has no identity: each number field is its own slot.
//
// Recursive: parameter structures are shallow (layers, fields), unlike the tape.

import { kindOf, Refusal } from '../../proxies/kinds.js';
import { setOwn } from '../../proxies/standins.js';
import { isTraced } from '../core/traced.js';
import { isNDArray } from '../ndarray.js';
import { Grads, Params } from '../params.js';
import { dotLeaves, isLeaf, leafOfSpec, leafwise, mismatchOf, describe, sizeOfSpec, specOf, writeLeaf, type Leaf, type LeafSpec } from './leaves.js';

/** Where a leaf sits in a skeleton. */
export class SlotRef {
  constructor(readonly slot: number) {}
}

/** A skeleton: slot references at the leaves, null where the structure holds no numbers. */
export type Skeleton = SlotRef | null | Skeleton[] | { [key: string]: Skeleton } | Map<unknown, Skeleton>;

/** A key on the way into a structure: a property, an index, or a Map's key. */
export type Step = string | number | { readonly mapKey: unknown };

/** Where a value sits, innermost step first (a chain, so descending costs one small object). */
export type Path = { readonly up: Path; readonly step: Step } | null;

export const into = (up: Path, step: Step): Path => ({ up, step });

export class Layout {
  /** The numbers in all slots together (the length of `flatten`'s vector). */
  readonly size: number;

  private constructor(
    /** What each slot holds. */
    readonly specs: readonly LeafSpec[],
    readonly skeleton: Skeleton,
  ) {
    this.size = specs.reduce((n, s) => n + sizeOfSpec(s), 0);
  }

  /** The layout of `x`: numbers, NDArrays and float typed arrays anywhere in records, class instances, arrays and Maps. */
  static of(x: unknown, caller: string): Layout {
    const specs: LeafSpec[] = [];
    const seen = new Map<object, Skeleton>();
    const walk = (v: unknown, path: Path): Skeleton => {
      if (typeof v === 'number') return new SlotRef(specs.push(specOf(v)) - 1);
      if (typeof v !== 'object' || v === null) return null;
      const known = seen.get(v);
      if (known !== undefined) return known;
      checkPlain(v, caller, path, null);
      if (isLeaf(v)) {
        const ref = new SlotRef(specs.push(specOf(v)) - 1);
        seen.set(v, ref);
        return ref;
      }
      const kind = kindOf(v);
      if (kind === 'array') {
        const out: Skeleton[] = [];
        seen.set(v, out);
        // (by index, not forEach, which skips a hole: the places after it moved down one, and a
        // sparse array's numbers were refused as where the parameters "have none")
        const a = v as unknown[];
        for (let i = 0; i < a.length; i++) out.push(walk(a[i], into(path, i)));
        return out;
      }
      if (kind === 'map') {
        const out = new Map<unknown, Skeleton>();
        seen.set(v, out);
        for (const [k, item] of v as Map<unknown, unknown>) out.set(k, walk(item, into(path, { mapKey: k })));
        return out;
      }
      if (kind === 'record') {
        const out: { [key: string]: Skeleton } = {};
        seen.set(v, out);
        for (const key of dataKeys(v)) setOwn(out, key, walk((v as Record<string, unknown>)[key], into(path, key)));
        return out;
      }
      // (a store's Proxy — Vue's reactive, MobX, an immer draft inside a recipe — or a Float16Array
      // was taken to hold no numbers: opt.init gave it no slot, and applyUpdates then said the
      // gradient "holds numbers where the parameters have none", minimize "x0 holds no numbers")
      if (kind instanceof Refusal && !(v instanceof WeakMap || v instanceof WeakSet || v instanceof Promise)) {
        throw new TypeError(`zygote-ts: ${caller}: ${pathText(path)} ${kind.reason}`);
      }
      return null; // a Set (its members are its keys), an opaque object (Date, …), a WeakMap
    };
    return new Layout(specs, walk(x, null));
  }

  /** How many slots. */
  get count(): number {
    return this.specs.length;
  }

  /**
   * The leaves of `tree` — a gradient of the structure, an update, or a structure of the
   * same layout — one per slot (null where `tree` has none: no path). Throws, naming the
   * place, where `tree` has numbers the structure does not, or of another shape.
   */
  gather(tree: unknown, caller: string): (Leaf | null)[] {
    checkPlain(tree, caller, null, null);
    const out: (Leaf | null)[] = new Array<Leaf | null>(this.count).fill(null);
    const counted = new Map<number, Set<object>>(); // slot → the leaf objects added to it
    const visited = new Map<object, Set<object>>(); // skeleton container → trees walked with it
    const firstPlace = new Map<object, { path: Path; tree: unknown }>(); // skeleton container → the tree that met it first, and where
    // (`up` and `step` say where a value is; the path is made only for a container or a message)
    const at = (up: Path, step: Step | null): Path => (step === null ? up : into(up, step));
    const add = (ref: SlotRef, v: unknown, up: Path, step: Step | null) => {
      checkPlain(v, caller, up, step);
      const spec = this.specs[ref.slot]!;
      const wrong = mismatchOf(spec, v);
      if (wrong !== null) throw new TypeError(`zygote-ts: ${caller}: ${pathText(at(up, step))} is ${wrong} in the parameters.`);
      const now = out[ref.slot];
      if (typeof v === 'object') {
        const objects = counted.get(ref.slot) ?? new Set<object>();
        if (objects.has(v as object)) return;
        counted.set(ref.slot, objects.add(v as object));
      }
      out[ref.slot] = now === null || now === undefined ? (v as Leaf) : leafwise(now, plus, now, v as Leaf);
    };
    const walk = (s: Skeleton, t: unknown, up: Path, step: Step | null): void => {
      if (t === null || t === undefined) return;
      if (s instanceof SlotRef) return add(s, t, up, step);
      const path = at(up, step);
      if (s === null) {
        if (holdsNumbers(t)) {
          throw new TypeError(
            `zygote-ts: ${caller}: ${pathText(path)} holds numbers (${describe(t)}) where the parameters have none to update ` +
              `(nothing there, a built-in object such as a Date, or a Set, whose members are its keys and cannot be updated: keep parameters in an array or a Map).`,
          );
        }
        return;
      }
      const trees = visited.get(s) ?? new Set<object>();
      if (typeof t === 'object' && trees.has(t)) return;
      visited.set(s, trees.add(t as object));
      // An object of the parameters reached twice (immer's structural sharing, a shared layer)
      // has one gradient object, shown at every place: zygote-ts gives it so. Two objects
      // there are a tree that lost the sharing (JSON, a tree map), each most likely the whole
      // update: added up, the step was taken twice (sgd moved a shared w = 2 with gradient 4.5
      // by -0.9 where it is -0.45). Refused, as jvp refuses two tangents for one object.
      // (only a container met by a second tree is looked into: the first visit of each costs a map entry)
      const first = firstPlace.get(s);
      if (first === undefined) firstPlace.set(s, { path, tree: t });
      else if (holdsNumbers(t)) {
        if (holdsNumbers(first.tree)) throw twoObjectsForOne(caller, first.path, path);
        firstPlace.set(s, { path, tree: t });
      }
      if (Array.isArray(s)) {
        if (!Array.isArray(t)) throw shapeError(caller, path, t, 'an array');
        // (a shorter one left the numbers past its end without update, with nothing said:
        // applyUpdates([1, 2], [1]) gave [2, 2]; a gradient has its parameter's length)
        if (t.length < s.length) throw shapeError(caller, path, t, `an array of length ${s.length}`);
        for (let i = 0; i < s.length; i++) walk(s[i]!, t[i], path, i);
        for (let i = s.length; i < t.length; i++) walk(null, t[i], path, i);
      } else if (s instanceof Map) {
        if (!(t instanceof Map)) throw shapeError(caller, path, t, 'a Map');
        for (const [k, item] of s) walk(item, t.get(k), path, { mapKey: k });
        for (const [k, v] of t) if (!s.has(k)) walk(null, v, path, { mapKey: k });
      } else {
        if (typeof t !== 'object' || Array.isArray(t) || t instanceof Map || isLeaf(t)) throw shapeError(caller, path, t, 'an object');
        const record = t as Record<string, unknown>;
        for (const key of Object.keys(s)) walk(s[key]!, record[key], path, key);
        for (const key of dataKeys(t)) {
          if (Object.prototype.hasOwnProperty.call(s, key)) continue;
          if (key.startsWith('#') && holdsNumbers(record[key])) {
            throw new TypeError(
              `zygote-ts: ${caller}: ${pathText(into(path, key))} is a #private field: it cannot be updated from outside its class. ` +
                `Make it a public field to optimise it.`,
            );
          }
          walk(null, record[key], path, key);
        }
      }
    };
    walk(this.skeleton, tree, null, null);
    return out;
  }

  /** A gradient-shaped tree (records as plain objects) holding `values[k]` at slot k's places. */
  scatter(values: readonly (Leaf | null)[]): unknown {
    const made = new Map<object, unknown>();
    const walk = (s: Skeleton): unknown => {
      if (s instanceof SlotRef) return values[s.slot] ?? null;
      if (s === null) return null;
      const known = made.get(s);
      if (known !== undefined) return known;
      if (Array.isArray(s)) {
        const out: unknown[] = [];
        made.set(s, out);
        for (const item of s) out.push(walk(item));
        return out;
      }
      if (s instanceof Map) {
        const out = new Map<unknown, unknown>();
        made.set(s, out);
        for (const [k, item] of s) out.set(k, walk(item));
        return out;
      }
      const out: Record<string, unknown> = {};
      made.set(s, out);
      for (const key of Object.keys(s)) setOwn(out, key, walk(s[key]!));
      return out;
    };
    return walk(this.skeleton);
  }

  /** All slots' numbers in one vector, in slot order (zeros for a null slot). */
  flatten(values: readonly (Leaf | null)[]): Float64Array {
    const v = new Float64Array(this.size);
    let at = 0;
    values.forEach((x, k) => {
      at = x === null ? at + sizeOfSpec(this.specs[k]!) : writeLeaf(x, v, at);
    });
    return v;
  }

  /** The slots' leaves (new objects) holding the numbers of a vector made by `flatten`. */
  unflatten(v: Float64Array): Leaf[] {
    let at = 0;
    return this.specs.map((spec) => {
      if (spec.kind === 'number') return v[at++]!;
      const n = sizeOfSpec(spec);
      at += n;
      return leafOfSpec(spec, v.subarray(at - n, at));
    });
  }
}

const plus = (a: number, b: number) => a + b;

/**
 * Refuses numbers being differentiated: optimisers, solvers and testRule compute on plain
 * numbers in library code, which is not rewritten — a traced value here would lose its
 * derivative (an NDArray's silently).
 */
function checkPlain(v: unknown, caller: string, up: Path, step: Step | null): void {
  // (Params walked as a record are its list of arrays, which f — a function of no arguments —
  // never reads: minimize(() => loss(), ps) saw a zero gradient and reported x0 a minimum)
  if (v instanceof Params || v instanceof Grads) {
    const what = v instanceof Params ? 'Params' : 'Grads';
    throw new TypeError(
      `zygote-ts: ${caller}: ${pathText(step === null ? up : into(up, step))} is ${what}: optimisers and solvers take the parameters ` +
        `themselves, as explicit structures: minimize((p) => loss(p), { W, b }), opt.init({ W, b }), opt.update({ W: gs.get(W), b: gs.get(b) }, state).`,
    );
  }
  if (isTraced(v) || (isNDArray(v) && v.tracedTape !== null && v.tracedTape.active)) {
    throw new TypeError(
      `zygote-ts: ${caller}: ${pathText(step === null ? up : into(up, step))} is being differentiated (a traced value). Optimisers and solvers ` +
        `compute on plain numbers and are not differentiated: to differentiate through a step, write it in f.`,
    );
  }
}

/** Σ over slots of ⟨a, b⟩ (null slots count as zero). */
export function dotSlots(a: readonly (Leaf | null)[], b: readonly (Leaf | null)[]): number {
  let s = 0;
  a.forEach((x, k) => {
    const y = b[k];
    if (x !== null && y !== null && y !== undefined) s += dotLeaves(x, y);
  });
  return s;
}

/** A record's own data properties (not accessors: a getter computes, it holds nothing). */
function dataKeys(o: object): string[] {
  return Object.getOwnPropertyNames(o).filter((k) => 'value' in Object.getOwnPropertyDescriptor(o, k)!);
}

/** Whether a value (in an update or gradient) carries numbers anywhere. */
function holdsNumbers(v: unknown, seen = new Set<object>()): boolean {
  if (v === null || v === undefined) return false;
  if (isLeaf(v)) return true;
  // (an integer typed array or a DataView holds constants, as gradient takes them (null there):
  // a model keeping an index table, Int32Array, was refused by every optimiser and solver, its
  // numbers taken for ones "where the parameters have none to update")
  if (ArrayBuffer.isView(v)) return false;
  if (typeof v !== 'object' || seen.has(v)) return false;
  seen.add(v);
  const items = Array.isArray(v) ? v : v instanceof Map ? [...v.values()] : Object.values(v);
  return items.some((item) => holdsNumbers(item, seen));
}

function twoObjectsForOne(caller: string, first: Path, path: Path): TypeError {
  return new TypeError(
    `zygote-ts: ${caller}: ${pathText(first)} and ${pathText(path)} are two objects where the parameters have one (the same object reached at both places), ` +
      "and an object's numbers have one gradient or update: give the same object at every place it is reached (as zygote-ts's gradients do), or null at all but one.",
  );
}

function shapeError(caller: string, path: Path, t: unknown, expected: string): TypeError {
  return new TypeError(`zygote-ts: ${caller}: ${pathText(path)} is ${describe(t)} where the parameters have ${expected}.`);
}

/** `.layers[0].get("W")`: a place in a structure, for messages. */
export function pathText(path: Path): string {
  if (path === null) return 'the whole value';
  const steps: Step[] = [];
  for (let p: Path = path; p !== null; p = p.up) steps.push(p.step);
  return steps
    .reverse()
    .map((k) => (typeof k === 'number' ? `[${k}]` : typeof k === 'object' ? `.get(${JSON.stringify(k.mapKey) ?? String(k.mapKey)})` : /^[A-Za-z_$#][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`))
    .join('');
}
