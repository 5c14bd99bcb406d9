// Stand-ins: what f receives in place of a structured argument.
//
// A stand-in is a real object of the argument's own kind and class (same prototype, same
// property attributes, frozen if the original is) whose numbers are inputs on the tape.
// Because it is an ordinary object, everything JavaScript does with the original works on
// it at full speed: methods and getters run with it as `this`, `instanceof`,
// `Array.isArray`, spread, `Object.keys`, JSON, and Map/Set methods (which need a real
// receiver). We measured ES Proxies first: a get trap costs ~50 ns per field read and an
// array element read through two proxies ~450 ns, against ~1 ns for a plain read, which
// no numeric loop can afford. (Writes to a stand-in are seen when f returns: see `finish`.)
//
// Each original object gets one node (so an object reached twice, or through a cycle,
// has one stand-in and one gradient: contributions add). A node remembers, key by key,
// what it put in the stand-in: the input for a number, the child's stand-in for an object.
// When f returns or throws, `finish` compares and writes what f changed back into the
// original, as numbers, so the caller sees plain JavaScript's effects and no traced value.

import { live, Traced } from '../lib/core/traced.js';
import type { Tape } from '../lib/core/tape.js';
import { kindOf, Refusal, type Kind } from './kinds.js';
import { outward } from './cleanup.js';

/** Under one key of a node: the position of its input, the child node, or nothing traced. */
export type Slot = number | Node | null;

type Writer = (host: any, value: any) => void;

interface PrivateMember {
  slot: Slot;
  /** What f sees: the traced original value, or what f wrote. */
  value: unknown;
  write: Writer | null;
}

const nodeByStandIn = new WeakMap<object, Node>();
let anyStandIns = false;

/** The node behind a stand-in (undefined for any other value). */
export function standInNode(x: unknown): Node | undefined {
  return anyStandIns && typeof x === 'object' && x !== null ? nodeByStandIn.get(x) : undefined;
}

export class Node {
  readonly keys: unknown[] = [];
  readonly slots: Slot[] = [];
  /** What was put in the stand-in under keys[i] (to tell f's writes apart). */
  readonly placed: unknown[] = [];
  /** Nodes holding this one (an object may be reached along several paths). */
  readonly parents: Node[] = [];
  privates: Map<string, PrivateMember> | null = null;
  /** An array's length when f received it (the gradient's length). */
  length = 0;

  constructor(
    readonly kind: Exclude<Kind, 'opaque'>,
    readonly original: object,
    readonly standIn: object,
    readonly wrapping: Wrapping,
    /** The first path that reached this node, for error messages. */
    readonly parent: Node | null,
    readonly keyInParent: unknown,
  ) {}

  hold(key: unknown, value: unknown, placed: unknown): void {
    this.keys.push(key);
    this.slots.push(this.wrapping.slotOf(placed, value));
    this.placed.push(placed);
  }

  /** `this.#name` as f sees it (rewritten code reads `value` on the original). */
  readPrivate(name: string, value: unknown): unknown {
    const known = this.privates?.get(name);
    if (known !== undefined) return known.value;
    if (!this.wrapping.open) return value;
    const seen = this.wrapping.standInFor(value, this, `#${name}`);
    (this.privates ??= new Map()).set(name, { slot: this.wrapping.slotOf(seen, value), value: seen, write: null });
    this.wrapping.fillAll();
    return seen;
  }

  writePrivate(name: string, value: unknown, write: Writer): void {
    const known = this.privates?.get(name);
    if (known !== undefined) {
      known.value = value;
      known.write = write;
    } else {
      (this.privates ??= new Map()).set(name, { slot: null, value, write });
    }
  }
}

/** One differentiation call's stand-ins and inputs. */
export class Wrapping {
  /** The tape inputs, in the order created; slots refer to them by position. */
  readonly inputs: Traced[] = [];
  readonly nodes = new Map<object, Node>();
  open = true;
  private readonly unfilled: Node[] = [];

  constructor(readonly tape: Tape) {}

  /** What f receives for argument `position`. */
  wrap(arg: unknown, position: number): unknown {
    const value = this.standInFor(arg, null, position);
    this.fillAll();
    return value;
  }

  /** The stand-in for one value: an input for a number, a stand-in for a structure. */
  standInFor(value: unknown, parent: Node | null, key: unknown): unknown {
    if (typeof value === 'number') return this.input(value);
    if (value instanceof Traced) {
      const x = live(value);
      return typeof x === 'number' || x instanceof Traced ? this.input(x) : x;
    }
    if (typeof value !== 'object' || value === null) return value;
    const known = this.nodes.get(value);
    if (known !== undefined) {
      if (parent !== null) known.parents.push(parent);
      return known.standIn;
    }
    const kind = kindOf(value);
    if (kind instanceof Refusal) throw new TypeError(`zygote-ts: ${pathOf(parent, key)} ${kind.reason}`);
    if (kind === 'opaque') return value;
    const node = new Node(kind, value, emptyLike(kind, value), this, parent, key);
    if (parent !== null) node.parents.push(parent);
    this.nodes.set(value, node);
    nodeByStandIn.set(node.standIn, node);
    anyStandIns = true;
    this.unfilled.push(node);
    return node.standIn;
  }

  /** The slot for a value `standInFor` just returned (an input is always the newest one). */
  slotOf(placed: unknown, original: unknown): Slot {
    if (placed instanceof Traced && placed.tape === this.tape && this.inputs[this.inputs.length - 1] === placed) {
      return this.inputs.length - 1;
    }
    if (typeof placed === 'object' && placed !== null && placed !== original) return nodeByStandIn.get(placed) ?? null;
    return null;
  }

  /** The slot of a whole argument (its input may not be the newest one). */
  slotOfArgument(placed: unknown, original: unknown): Slot {
    if (placed instanceof Traced && placed.tape === this.tape) return this.inputs.indexOf(placed);
    return this.slotOf(placed, original);
  }

  private input(x: unknown): Traced {
    const t = this.tape.input(x);
    this.inputs.push(t);
    return t;
  }

  // Iterative, so a long linked list does not overflow the stack.
  fillAll(): void {
    let node: Node | undefined;
    const filled: Node[] = [];
    while ((node = this.unfilled.pop()) !== undefined) {
      fill(node);
      filled.push(node);
    }
    for (const n of filled) sealLike(n.original, n.standIn);
  }

  /**
   * After f: writes what f changed in each stand-in back into its original, as numbers
   * (the tape is closed, so `outward` strips this call's traced layer).
   */
  finish(): void {
    this.open = false;
    for (const node of this.nodes.values()) {
      if (Object.isFrozen(node.original)) continue;
      writeBack(node);
    }
  }
}

// ---- making stand-ins ------------------------------------------------------------------

function emptyLike(kind: Exclude<Kind, 'opaque'>, original: object): object {
  const proto = Object.getPrototypeOf(original) as object | null;
  switch (kind) {
    case 'record':
      return Object.create(proto) as object;
    case 'array':
      return proto === Array.prototype ? [] : (Reflect.construct(Array, [], (original as { constructor: Function }).constructor) as object);
    case 'map':
      return proto === Map.prototype ? new Map() : (Reflect.construct(Map, [], (original as { constructor: Function }).constructor) as object);
    case 'set':
      return proto === Set.prototype ? new Set() : (Reflect.construct(Set, [], (original as { constructor: Function }).constructor) as object);
  }
}

function fill(node: Node): void {
  const w = node.wrapping;
  const { original, standIn } = node;
  switch (node.kind) {
    case 'record':
      fillRecord(node, original, standIn);
      return;
    case 'array': {
      const from = original as unknown[];
      const to = standIn as unknown[];
      const n = from.length;
      to.length = n;
      node.length = n;
      for (let i = 0; i < n; i++) {
        if (!(i in from)) continue; // a hole stays a hole
        const v = from[i];
        const s = w.standInFor(v, node, i);
        to[i] = s;
        node.hold(i, v, s);
      }
      return;
    }
    case 'map':
      for (const [k, v] of Map.prototype.entries.call(original as Map<unknown, unknown>)) {
        const s = w.standInFor(v, node, k);
        Map.prototype.set.call(standIn as Map<unknown, unknown>, k, s);
        node.hold(k, v, s);
      }
      return;
    case 'set':
      for (const m of Set.prototype.values.call(original as Set<unknown>)) {
        const s = w.standInFor(m, node, m);
        Set.prototype.add.call(standIn as Set<unknown>, s);
        node.hold(m, m, s);
      }
      return;
  }
}

function fillRecord(node: Node, original: object, standIn: object): void {
  const w = node.wrapping;
  for (const key of Reflect.ownKeys(original)) {
    const d = Object.getOwnPropertyDescriptor(original, key)!;
    if (!('value' in d)) {
      Object.defineProperty(standIn, key, d); // an own getter runs on the stand-in
      continue;
    }
    if (typeof key === 'symbol') {
      if (carriesNumbers(d.value)) {
        throw new TypeError(
          `zygote-ts: ${pathOf(node, key)} holds numbers under a Symbol key; gradients are given by field name. ` +
            `Use a string key for what you differentiate.`,
        );
      }
      Object.defineProperty(standIn, key, d);
      continue;
    }
    const v: unknown = d.value;
    const s = w.standInFor(v, node, key);
    d.value = s;
    Object.defineProperty(standIn, key, d); // define, not assign: a setter on the prototype must not run
    node.hold(key, v, s);
  }
}

function carriesNumbers(v: unknown): boolean {
  if (typeof v === 'number' || v instanceof Traced) return true;
  if (typeof v !== 'object' || v === null) return false;
  const kind = kindOf(v);
  return kind !== 'opaque' && !(kind instanceof Refusal);
}

function sealLike(original: object, standIn: object): void {
  if (Object.isExtensible(original)) return;
  if (Object.isFrozen(original)) Object.freeze(standIn);
  else if (Object.isSealed(original)) Object.seal(standIn);
  else Object.preventExtensions(standIn);
}

// ---- writing f's changes back --------------------------------------------------------------

const hasOwn = (o: object, k: PropertyKey) => Object.prototype.hasOwnProperty.call(o, k);

function writeBack(node: Node): void {
  const { original, standIn, keys, placed } = node;
  switch (node.kind) {
    case 'record': {
      const s = standIn as Record<PropertyKey, unknown>;
      const o = original as Record<PropertyKey, unknown>;
      const held = new Set<unknown>(keys);
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (!hasOwn(s, key)) Reflect.deleteProperty(o, key);
        else if (isDataProperty(s, key) && s[key] !== placed[i]) Reflect.set(o, key, outward(s[key]));
      }
      for (const key of Reflect.ownKeys(s)) {
        if (held.has(key) || hasOwn(o, key)) continue;
        const d = Object.getOwnPropertyDescriptor(s, key)!;
        if ('value' in d) d.value = outward(d.value);
        Reflect.defineProperty(o, key, d);
      }
      break;
    }
    case 'array': {
      const s = standIn as unknown[];
      const o = original as unknown[];
      const was = new Array<unknown>(Math.max(o.length, s.length)).fill(HOLE);
      for (let k = 0; k < keys.length; k++) was[keys[k] as number] = placed[k];
      if (o.length !== s.length) Reflect.set(o, 'length', s.length);
      for (let i = 0; i < s.length; i++) {
        if (!(i in s)) {
          if (i in o) delete o[i];
        } else if (s[i] !== was[i]) o[i] = outward(s[i]);
      }
      break;
    }
    case 'map': {
      const s = standIn as Map<unknown, unknown>;
      const o = original as Map<unknown, unknown>;
      for (let i = 0; i < keys.length; i++) {
        if (!s.has(keys[i])) Map.prototype.delete.call(o, keys[i]);
        else if (s.get(keys[i]) !== placed[i]) Map.prototype.set.call(o, keys[i], outward(s.get(keys[i])));
      }
      for (const [k, v] of s) if (!Map.prototype.has.call(o, k)) Map.prototype.set.call(o, outward(k), outward(v));
      break;
    }
    case 'set': {
      const s = standIn as Set<unknown>;
      const o = original as Set<unknown>;
      const before = new Set(placed);
      for (let i = 0; i < keys.length; i++) if (!s.has(placed[i])) Set.prototype.delete.call(o, keys[i]);
      for (const m of s) if (!before.has(m)) Set.prototype.add.call(o, outward(m));
      break;
    }
  }
  if (node.privates !== null) {
    for (const member of node.privates.values()) if (member.write !== null) member.write(original, outward(member.value));
  }
}

const HOLE = Symbol('hole');

function isDataProperty(o: object, key: PropertyKey): boolean {
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d !== undefined && 'value' in d;
}

// ---- paths for messages -----------------------------------------------------------------

/** `arg 0 .layers[2].W`: where a value sits inside the arguments. */
export function pathOf(parent: Node | null, key: unknown): string {
  const parts: string[] = [];
  let node = parent;
  let k = key;
  while (node !== null) {
    parts.push(step(node, k));
    k = node.keyInParent;
    node = node.parent;
  }
  return `arg ${String(k)}${parts.length ? ' ' : ''}${parts.reverse().join('')}`;
}

function step(node: Node, key: unknown): string {
  if (node.kind === 'array') return `[${String(key)}]`;
  if (node.kind === 'map') return `.get(${typeof key === 'string' ? JSON.stringify(key) : String(key)})`;
  if (node.kind === 'set') return '(a Set member)';
  return typeof key === 'string' && /^[A-Za-z_$#][\w$]*$/.test(key) ? `.${key}` : `[${typeof key === 'symbol' ? key.toString() : JSON.stringify(key)}]`;
}
