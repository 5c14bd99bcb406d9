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

import { followIterators, isFollowableIterator, isGenerator, isSetIterator, unfollowed } from './iterators.js';
import { live, Traced, isTraced } from '../lib/core/traced.js';
import { fromNested, liveArray, NDArray, ownForm, traceArray, isNDArray, type FloatArray } from '../lib/ndarray.js';
import { lockLikeOriginal, typedArgument, typedStandIn } from './typed-arrays.js';
import { isScalarObject } from '../lib/core/scalars.js';
import { isSymbolic } from '../lib/core/symbolic.js';
import type { Tape } from '../lib/core/tape.js';
import { kindOf, Refusal, type Kind } from './kinds.js';
import { writeBack } from './writeback.js';
import { memberName, privateLabels } from './private-keys.js';
import type { PrivateUpdate } from './cleanup.js';

/** Under one key of a node: the position of its input, the child node, or nothing traced. */
export type Slot = number | Node | null;

interface PrivateMember {
  slot: Slot;
  /** What f sees: the traced original value, or what f wrote. */
  value: unknown;
  /** Where f wrote the member: its update, which writes it on the original (`update(h, () => v)`). */
  write: PrivateUpdate | null;
  /** The member as f first read it on the original (absent where f wrote it first). */
  read?: unknown;
}

// Stand-ins are found through the differentiations still open (innermost first). A strong
// Map per call, not one WeakMap: a WeakMap of 10⁵ entries per call makes every young-gen
// collection walk its ephemerons, which cost more than the differentiation itself.
const openWrappings: Wrapping[] = [];

/** The NDArray argument of an open differentiation that `x` traces (undefined for any other value). */
function tracedArrayOriginal(x: object): NDArray | undefined {
  for (let i = openWrappings.length - 1; i >= 0; i--) {
    const original = openWrappings[i]!.arrayOriginal(x);
    if (original !== undefined) return original;
  }
  return undefined;
}

/** The node behind a stand-in of an open differentiation (undefined for any other value). */
export function standInNode(x: unknown): Node | undefined {
  if (openWrappings.length === 0 || typeof x !== 'object' || x === null) return undefined;
  for (let i = openWrappings.length - 1; i >= 0; i--) {
    const node = openWrappings[i]!.nodeOfStandIn(x);
    if (node !== undefined) return node;
  }
  return undefined;
}

/**
 * A compileGradient recording (lib/compile/index.ts): f runs on copies of the arguments,
 * `originals` maps each copy to the caller's object (an NDArray argument to itself). Its
 * compiled code checks the structure of the objects it is given, not which objects they
 * are, so a comparison whose answer depends on that calls `comparedByIdentity` (the
 * recording is abandoned: the call finishes eagerly, and f runs uncompiled).
 */
export interface IdentityRecording {
  readonly originals: ReadonlyMap<object, object>;
  /** The copy made of the caller's object `original`, if it is one of the arguments' (asked of every prototype of a class instance: `originals` is made only when needed). */
  copyOf(original: object): object | undefined;
  comparedByIdentity(): void;
  /** f read a `#private` member of an argument (on the caller's object: the copy has none). */
  readPrivate(): void;
  /** f wrote a `#private` member of an argument: the copy has none to write, so the write was not made. */
  wrotePrivate(): void;
}
const openRecordings: IdentityRecording[] = [];

/** Opens a recording (innermost last); the function returned closes it. */
export function openIdentityRecording(recording: IdentityRecording): () => void {
  openRecordings.push(recording);
  return () => {
    const i = openRecordings.lastIndexOf(recording);
    if (i >= 0) openRecordings.splice(i, 1);
  };
}

/** A form an object takes inside the differentiations, and whether the one (or the recording) that made it still runs. */
export interface FormWhile {
  readonly form: object;
  readonly running: () => boolean;
}

/**
 * The caller's object behind `x` (through stand-ins and recordings' copies), and the recording
 * crossed on the way, if any; each form passed on the way is added to `forms`, innermost first.
 */
function resolveOriginal(x: object, forms: FormWhile[] | null = null): { readonly original: object; readonly recording: IdentityRecording | null } {
  let recording: IdentityRecording | null = null;
  for (;;) {
    const form = x;
    const node = standInNode(x);
    if (node !== undefined) {
      forms?.push({ form, running: () => node.wrapping.open });
      x = node.original;
      continue;
    }
    const array = tracedArrayOriginal(x);
    if (array !== undefined) {
      forms?.push({ form, running: () => tracedArrayOriginal(form) !== undefined });
      x = array;
      continue;
    }
    let copied: object | undefined;
    for (let i = openRecordings.length - 1; i >= 0 && copied === undefined; i--) {
      copied = openRecordings[i]!.originals.get(x);
      if (copied !== undefined) recording = openRecordings[i]!;
    }
    if (copied === undefined || copied === x) return { original: x, recording };
    const madeBy = recording!;
    forms?.push({ form, running: () => openRecordings.includes(madeBy) });
    x = copied;
  }
}

/**
 * For a WeakRef f makes to `x` (rules/builtins/stores.ts): the caller's object behind it, and each form
 * f's differentiations give it on the way, innermost first, with whether the one that made it still runs.
 */
export function weakTargetOf(x: object): { readonly caller: object; readonly during: readonly FormWhile[] } {
  const during: FormWhile[] = [];
  return { caller: resolveOriginal(x, during).original, during };
}

/**
 * The object a stand-in of an open differentiation stands for (followed through nested
 * differentiations to the caller's own), or `x` itself. Asked for a key (switch, Map/Set
 * keys): inside a compileGradient recording, an argument's identity then matters.
 */
export function originalOf(x: object): object {
  if (openWrappings.length === 0 && openRecordings.length === 0) return x;
  const { original, recording } = resolveOriginal(x);
  recording?.comparedByIdentity();
  return original;
}

/**
 * Every form `x` takes in the open differentiations, innermost first: the stand-ins made for
 * its original (one per level, each standing for the one outside it), then the original.
 * A collection may hold any of them (a Set argument holds stand-ins, one f made may hold
 * either), and `has` must find the object by any.
 */
export function formsOf(x: object): object[] {
  const original = originalOf(x);
  const forms = [original];
  let current = original;
  // (a compileGradient recording's copy of it: `m.set(p, v)` then `m.get(origin)` missed the
  // entry f stored under p's copy; finding it compares p with origin, so the recording is abandoned)
  if (openRecordings.length > 0) {
    const copy = recordingCopyOf(original);
    if (copy !== original) {
      forms.push(copy);
      current = copy;
    }
  }
  for (const wrapping of openWrappings) {
    const node = wrapping.nodes.get(current);
    if (node === undefined) continue;
    current = node.standIn;
    forms.push(current);
  }
  return forms.reverse();
}

/** The copy the open compileGradient recordings made of the caller's object `x` (through every level), or `x`. */
function recordingCopyOf(x: object): object {
  let current = x;
  for (const recording of openRecordings) current = recording.copyOf(current) ?? current;
  return current;
}

/** What f sees for `x`: its stand-in in the innermost open differentiation that has one (through every level), or a compileGradient recording's copy of it; else `x`. */
export function currentForm<T>(x: T): T {
  if ((openWrappings.length === 0 && openRecordings.length === 0) || typeof x !== 'object' || x === null) return x;
  let current: object = openRecordings.length === 0 ? x : recordingCopyOf(x);
  for (const wrapping of openWrappings) {
    const node = wrapping.nodes.get(current);
    if (node !== undefined) current = node.standIn;
  }
  return current as T;
}

/**
 * The object whose `#private` members rewritten code uses for `x` (a stand-in's original,
 * already followed): the caller's object for a recording's copy, which has none (the
 * recording is abandoned: compiled code reads public fields only), else `x`.
 */
export function privateHostOf(x: object): object {
  if (openRecordings.length === 0) return x;
  for (let i = openRecordings.length - 1; i >= 0; i--) {
    const original = openRecordings[i]!.originals.get(x);
    if (original !== undefined && original !== x) {
      openRecordings[i]!.readPrivate();
      return privateHostOf(original);
    }
  }
  return x;
}

/**
 * Whether `x` is a compileGradient recording's copy of an argument. Such a copy has no
 * `#private` members, so a write f made to one through its stand-in cannot be written
 * back: the recording is told, and gives f to the eager gradient on the caller's objects.
 */
export function isRecordingCopy(x: object): boolean {
  for (let i = openRecordings.length - 1; i >= 0; i--) {
    const original = openRecordings[i]!.originals.get(x);
    if (original !== undefined && original !== x) {
      openRecordings[i]!.wrotePrivate();
      return true;
    }
  }
  return false;
}

/**
 * An object compared by identity: not null, not a traced number nor a symbolic one (each
 * compares as its number: the rules compare bare symbolic numbers, and `a !== a` must
 * record a guard).
 */
export const isIdentityObject = (x: unknown): x is object => ((typeof x === 'object' && x !== null) || typeof x === 'function') && !isTraced(x) && !isSymbolic(x);

/**
 * Whether two objects are one object of the plain program: inside f an argument is its
 * stand-in, and `arg === original` holds as it does without differentiation (equality,
 * `Object.is`, array searches and Map/Set keys in rewritten code ask here: lib/coercion.ts,
 * rules/builtins.ts). Two arguments of a compileGradient recording compare as its
 * compiled code checks them (aliases are part of the structure); an argument and another
 * object do not compile.
 */
export function sameObject(a: object, b: object): boolean {
  if (a === b) return true;
  if (openWrappings.length === 0 && openRecordings.length === 0) return false;
  const ra = resolveOriginal(a);
  const rb = resolveOriginal(b);
  if (ra.recording !== rb.recording) (ra.recording ?? rb.recording)!.comparedByIdentity();
  return ra.original === rb.original;
}

export class Node {
  // Fields assigned in the constructor (`declare`d): a call makes one node per object
  // of the arguments, and class-field definitions are slower to create in V8.
  declare readonly kind: Exclude<Kind, 'opaque'>;
  declare readonly original: object;
  declare readonly standIn: object;
  declare readonly wrapping: Wrapping;
  /** The first node that reached this one (and the key there), for paths in messages. */
  declare readonly parent: Node | null;
  declare readonly keyInParent: unknown;
  /**
   * What the stand-in holds, three slots per key: the key, its `Slot`, and the value put
   * in the stand-in (to tell f's writes apart).
   */
  declare entries: unknown[];
  /** Further nodes holding this one (an object may be reached along several paths). */
  declare otherParents: Node[] | null;
  /** A Map's or Set's own properties when copied (`m.label`, immer's locks), an array's named and Symbol-keyed ones: key, value, … (null when none). */
  declare named: unknown[] | null;
  /** A Map's key objects that are reached otherwise in the arguments: each one's stand-in, which keys the Map's stand-in. */
  declare keyStandIns: Map<object, object> | null;
  declare privates: Map<string, PrivateMember> | null;
  /** An array's length when f received it (the gradient's length). */
  declare length: number;
  /** A record's own property count when made (so a write-back can see added keys). */
  declare ownCount: number;
  /** A record's Symbol keys when it was copied (copied as they are: written back by comparing). */
  declare symbolCount: number;
  /** Scratch for building gradients: the pass that last marked it reached, and its gradient then. */
  declare reachedIn: number;
  declare gradient: object | null;

  constructor(kind: Exclude<Kind, 'opaque'>, original: object, standIn: object, wrapping: Wrapping, parent: Node | null, keyInParent: unknown) {
    this.kind = kind;
    this.original = original;
    this.standIn = standIn;
    this.wrapping = wrapping;
    this.parent = parent;
    this.keyInParent = keyInParent;
    this.entries = [];
    this.otherParents = null;
    this.keyStandIns = null;
    this.named = null;
    this.privates = null;
    this.length = 0;
    this.ownCount = 0;
    this.symbolCount = 0;
    this.reachedIn = 0;
    this.gradient = null;
  }

  /** Records that the stand-in holds `placed` under `key` (`placed` just came from `standInFor`). */
  hold(key: unknown, placed: unknown): void {
    this.entries.push(key, this.wrapping.lastSlot, placed);
  }

  addParent(parent: Node): void {
    if (parent !== this.parent) (this.otherParents ??= []).push(parent);
  }

  /**
   * The member under `key` (see private-keys.ts) as f sees it (rewritten code reads `value` on
   * the original).
   */
  readPrivate(key: string, value: unknown): unknown {
    const known = this.privates?.get(key);
    if (known !== undefined) {
      // (a member f read is one input: where the caller's object changed meanwhile, f's copy
      // would go on with the old number, with no word)
      if ('read' in known && this.wrapping.open && !Object.is(known.read, value)) {
        const name = memberName(key);
        throw new TypeError(
          `zygote-ts: ${pathOf(this.parent, this.keyInParent)} .#${name} was read as two values (${String(known.read)}, then ${String(value)}): ` +
            `f changed the caller's object's #${name} another way than through the argument (a closure holding it), or one class declaration ` +
            `of #${name} was applied twice in its chain (a mixin), which f's copy cannot tell apart. Change it through the argument (or rename one of the two members).`,
        );
      }
      return known.value;
    }
    if (!this.wrapping.open) return value;
    // (held before its stand-in is made, so that forward mode can tell which member a label names: see tangents.ts)
    const member: PrivateMember = { slot: null, value, write: null, read: value };
    const privates = (this.privates ??= new Map());
    privates.set(key, member);
    try {
      member.value = this.wrapping.standInFor(value, this, privateLabels([...privates.keys()]).get(key)!);
    } catch (error) {
      privates.delete(key);
      throw error;
    }
    member.slot = this.wrapping.lastSlot;
    this.wrapping.fillAll();
    return member.value;
  }

  writePrivate(key: string, value: unknown, write: PrivateUpdate): void {
    const known = this.privates?.get(key);
    if (known !== undefined) {
      known.value = value;
      known.write = write;
    } else {
      (this.privates ??= new Map()).set(key, { slot: null, value, write });
    }
  }
}

/**
 * Forward mode's view of the wrapping (proxies/tangents.ts): told of each structure and each
 * input as it is made — where it sits in the arguments — so that it can give the input its
 * tangents. (Private members are made lazily, while f runs, so this cannot be a pass after.)
 */
export interface Seeder {
  /** Node `node` was made for the value under `key` of `parent` (argument `key` when null). */
  node(node: Node, parent: Node | null, key: unknown): void;
  /** Input `input` (a number's or an array's row) was made for the value under `key` of `parent`. */
  input(input: Traced | NDArray, parent: Node | null, key: unknown): void;
  /** Node `node`, made before, is reached again under `key` of `parent` (an object along two paths). */
  alias(node: Node, parent: Node | null, key: unknown): void;
  /** A value with no tangent (a string, a function, an object passed as it is) is under `key` of `parent`. */
  constant?(value: unknown, parent: Node | null, key: unknown): void;
}

/** One differentiation call's stand-ins and inputs. */
export class Wrapping {
  /** The tape inputs (numbers and arrays), in the order created; slots refer to them by position. */
  readonly inputs: (Traced | NDArray)[] = [];
  /** Each input's row on the tape (in `inputs`' order). */
  readonly inputRows: number[] = [];
  /** Each original object's node (so aliases and cycles share one). */
  readonly nodes = new Map<object, Node>();
  /** Memory of the arguments over buffers, by buffer: bytes [start, end), and whether f gets a copy (a float typed array's stand-in). */
  private typedSeen: Map<ArrayBufferLike, { start: number; end: number; copied: boolean; parent: Node | null; key: unknown }[]> | null = null;
  /** Records whose prototype is not Object.prototype: it may be another argument's object (see `linkShared`). */
  inheriting: Node[] | null = null;
  /** Whether `linkShared` has run (what `fillAll` makes after, an argument's private members, is linked as it is made). */
  private linked = false;
  /** The last prototype `refuseInheritingThroughOthers` found leading to no argument. */
  private lastPrototypeChecked: object | null = null;
  /** Maps with object keys: a key may be another argument's object (see `linkShared`). */
  keyedByObjects: Node[] | null = null;
  /** Array and Map iterators among the arguments: followed onto the stand-ins while f runs (iterators.ts). */
  iterators: { it: object; parent: Node | null; key: unknown }[] | null = null;
  /** What gives the iterators their own `next` back. */
  private unfollow: (() => void) | null = null;
  /** The slot of the value `standInFor` returned last. */
  lastSlot: Slot = null;
  /** The slot of each argument. */
  readonly roots: Slot[] = [];
  /**
   * Numbers in the arguments that are constants for f, with no gradient: under a function's
   * own keys (`Object.assign(x => x * m.w, { w: 3 })`), in opaque objects (a `new Number(3)`,
   * an Error or Date subclass's fields, a WeakRef's target). What is said of each: the API
   * says it (lib/call.ts).
   */
  constantNumbers: ConstantNumbers[] | null = null;
  open = true;
  private readonly unfilled: Node[] = [];
  // Built on first use only: most calls never look a stand-in up.
  private byStandIn: Map<object, Node> | null = null;
  /** Each NDArray argument's traced array → the array f was given (arrays are values: no node). */
  private readonly arrayOriginals = new Map<object, NDArray>();

  constructor(
    readonly tape: Tape,
    private readonly seeder: Seeder | null = null,
  ) {
    openWrappings.push(this);
  }

  /** The node of one of this call's stand-ins. */
  nodeOfStandIn(x: object): Node | undefined {
    if (this.byStandIn === null) {
      this.byStandIn = new Map();
      for (const node of this.nodes.values()) this.byStandIn.set(node.standIn, node);
    }
    return this.byStandIn.get(x);
  }

  /** The NDArray argument `x` traces (undefined for anything else). */
  arrayOriginal(x: object): NDArray | undefined {
    return this.arrayOriginals.get(x);
  }

  /** Forgets the stand-ins (after `finish` and the clean-up that follows it). */
  close(): void {
    const at = openWrappings.lastIndexOf(this);
    if (at >= 0) openWrappings.splice(at, 1);
  }

  /**
   * After every argument is wrapped (and after each private member f reads while it runs,
   * for what that member holds), objects of the arguments reached where no stand-in is
   * made for them are given as their stand-ins, so that f sees one object (it saw the
   * caller's there: its numbers constants, and not what f wrote through the other): a
   * record's prototype (`Object.create(defaults)`), and a Map's key objects (keys reached
   * nowhere else stay the caller's: the Map's gradient is by key, with no place for theirs).
   */
  linkShared(): void {
    const inheriting = this.inheriting;
    this.inheriting = null;
    this.linked = true;
    // (instances of one class share their prototype: it is looked up once, not per instance)
    let lastProto: object | null | undefined;
    let protoNode: Node | undefined;
    for (const node of inheriting ?? []) {
      const proto = Object.getPrototypeOf(node.original) as object;
      if (proto !== lastProto) {
        protoNode = this.nodeOf(proto);
        lastProto = proto;
      }
      if (protoNode !== undefined) Reflect.setPrototypeOf(node.standIn, protoNode.standIn);
      else this.refuseInheritingThroughOthers(node, proto);
      sealLike(node.standIn, sealOf(node.original)); // (left open by `fillAll` until its prototype was set)
    }
    const keyed = this.keyedByObjects;
    this.keyedByObjects = null;
    for (const node of keyed ?? []) {
      const map = node.standIn as Map<unknown, unknown>;
      let keys: Map<object, object> | null = null;
      for (const k of Map.prototype.keys.call(map)) {
        const keyNode = typeof k === 'object' && k !== null ? this.nodeOf(k) : undefined;
        if (keyNode !== undefined) (keys ??= new Map()).set(k as object, keyNode.standIn);
      }
      if (keys === null) continue;
      node.keyStandIns = keys;
      const entries = [...Map.prototype.entries.call(map)];
      Map.prototype.clear.call(map);
      for (const [k, v] of entries) Map.prototype.set.call(map, keys.get(k as object) ?? k, v);
    }
  }

  /**
   * A record whose prototype is not an object of the arguments, but inherits from one further
   * up (`Object.create(Object.create(defaults))` beside `defaults`): the prototype between is
   * the caller's, and it leads to the caller's object, so f would read that argument's numbers
   * there as constants, not as the stand-in it gets elsewhere (no gradient, and not what f
   * wrote to it). Refused, naming both places.
   */
  private refuseInheritingThroughOthers(node: Node, proto: object | null): void {
    if (proto === null || proto === this.lastPrototypeChecked) return;
    for (let above = Object.getPrototypeOf(proto) as object | null; above !== null && above !== Object.prototype; above = Object.getPrototypeOf(above) as object | null) {
      const reached = this.nodeOf(above);
      if (reached === undefined) continue;
      throw new TypeError(
        `zygote-ts: ${pathOf(node.parent, node.keyInParent)} inherits from ${pathOf(reached.parent, reached.keyInParent)} through a prototype that is not among ` +
          `the arguments, so f would read that object's numbers there as constants (no derivative, and not what f writes to it). ` +
          `Pass the prototypes between them too (in a record beside the others), or copy the inherited fields into own ones.`,
      );
    }
    this.lastPrototypeChecked = proto; // (instances of one class share it: one walk up)
  }

  /**
   * The node of an object of the arguments. What f reaches while it runs (through a private
   * member) is the caller's object where a compileGradient recording gave f its copy.
   */
  private nodeOf(x: object): Node | undefined {
    return this.nodes.get(openRecordings.length > 0 ? recordingCopyOf(x) : x);
  }

  /** What f receives for argument `position`. */
  wrap(arg: unknown, position: number): unknown {
    if (typeof arg === 'number') {
      // (the common argument: no structure to fill)
      const input = this.input(arg, null, position);
      this.roots[position] = this.lastSlot;
      return input;
    }
    const value = this.standInFor(arg, null, position);
    this.roots[position] = this.lastSlot;
    this.fillAll();
    return value;
  }

  /** The stand-in for one value: an input for a number, a stand-in for a structure. */
  standInFor(value: unknown, parent: Node | null, key: unknown): unknown {
    // (a symbolic number — compileGradient's copy of an argument holds one per number — is a
    // scalar, as the tests below find: asked at once, a 10⁶-element array spent 0.5 s in them)
    if (typeof value === 'number' || isSymbolic(value)) return this.input(value, parent, key);
    if (isTraced(value)) {
      const x = live(value);
      if (typeof x === 'number' || isTraced(x)) return this.input(x, parent, key);
      value = x;
    }
    this.lastSlot = null;
    if (typeof value === 'function') this.noteNumbersOf(value, parent, key);
    if (typeof value !== 'object' || value === null) {
      this.seeder?.constant?.(value, parent, key);
      return value;
    }
    // (reached while f runs, through a private member, which a compileGradient recording reads
    // on the caller's object: an argument there is the recording's copy, as everywhere else in f)
    const object: object = this.linked && openRecordings.length > 0 ? recordingCopyOf(value) : value;
    if (isNDArray(object)) return this.arrayInput(object, parent, key);
    const known = this.nodes.get(object);
    if (known !== undefined) {
      if (parent !== null) known.addParent(parent);
      this.seeder?.alias(known, parent, key);
      this.lastSlot = known;
      return known.standIn;
    }
    // (a Proxy is refused before anything reads it: its traps must not run, and a revoked one throws)
    const kind = kindOf(object);
    if (kind instanceof Refusal) throw new TypeError(`zygote-ts: ${pathOf(parent, key)} ${kind.reason}`);
    if (isScalarObject(object)) return this.input(object, parent, key); // a Fraction, a Decimal, …
    if (kind === 'opaque') {
      // (a DataView, an integer typed array or an ArrayBuffer, passed as it is: refused over a float typed array's memory)
      if (ArrayBuffer.isView(object)) this.refuseOverlap(object, parent, key, false);
      else if (object instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && object instanceof SharedArrayBuffer)) this.refuseOverlap(object, parent, key, false);
      else if (isFollowableIterator(object) || isSetIterator(object) || isGenerator(object)) this.noteIterator(object, parent, key);
      else this.noteNumbersOfOpaque(object, parent, key);
      this.seeder?.constant?.(object, parent, key);
      return object;
    }
    if (kind === 'typed') return this.typedNode(object as FloatArray, parent, key);
    const node = new Node(kind, object, emptyLike(kind, object), this, parent, key);
    this.nodes.set(object, node);
    if (this.byStandIn !== null) this.byStandIn.set(node.standIn, node);
    this.seeder?.node(node, parent, key);
    this.unfilled.push(node);
    this.lastSlot = node;
    return node.standIn;
  }

  /** Notes a function holding numbers under its own enumerable keys. */
  private noteNumbersOf(fn: Function, parent: Node | null, key: unknown): void {
    const keys = keysHoldingNumbers(fn);
    if (keys.length > 0) this.noteConstants(parent, key, `is a function holding numbers (${listed(keys)}): it is passed to f as it is, so they are constants there and get no gradient.`, BESIDE);
  }

  /**
   * Notes an opaque object (passed as it is, its gradient null) that holds numbers f may
   * differentiate through: a Number object's own number, what a WeakRef's target holds (f
   * reads the caller's object through `deref()`, also where that object is an argument), and
   * numbers under its own enumerable keys (`class Failure extends Error { constructor(public
   * cost: number) … }`). f read them as constants, and their gradient was null with no word.
   */
  private noteNumbersOfOpaque(o: object, parent: Node | null, key: unknown): void {
    if (o instanceof Number) {
      this.noteConstants(parent, key, 'is a Number object (new Number(…)): it is passed to f as it is, so its number is a constant there and gets no gradient.', 'To differentiate it, pass the number itself (n.valueOf()).');
      return;
    }
    if (typeof WeakRef !== 'undefined' && o instanceof WeakRef && carriesNumbers(o.deref())) {
      this.noteConstants(parent, key, "is a WeakRef to an object holding numbers: f reads them through deref() on the caller's object, as constants, with no gradient.", 'To differentiate them, pass the object itself (beside the WeakRef), and read it there, not through deref().');
    }
    // (numbers themselves only: a DOM node's expandos hold a framework's records of numbers, React's fibers, which are not f's)
    if (isDomNode(o)) return;
    const keys = keysHoldingNumbers(o, (v) => typeof v === 'number' || isTraced(v));
    if (keys.length === 0) return;
    const ctor = (o as { constructor?: { name?: unknown } }).constructor;
    const name = typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
    this.noteConstants(parent, key, `is ${article(name)} ${name} (an object with built-in internals, which a copy cannot have) holding numbers (${listed(keys)}): it is passed to f as it is, so they are constants there and get no gradient.`, BESIDE);
  }

  /**
   * Notes a Map or Set holding numbers under its own fields (`class Polynomial extends Map {
   * scale = 2 }`): copied to its stand-in as they are (its gradient is by key, with no place for
   * them), so f read them as constants, and their derivative was missing with no word.
   */
  noteNumbersOfCollection(node: Node, o: object): void {
    const keys = keysHoldingNumbers(o, holdsNumbersDirectly);
    if (keys.length === 0) return;
    const what = node.kind === 'map' ? 'Map' : 'Set';
    const ctor = (o as { constructor?: { name?: unknown } }).constructor;
    const name = typeof ctor?.name === 'string' && ctor.name !== '' && ctor.name !== what ? `${article(ctor.name)} ${ctor.name} (a ${what})` : `a ${what}`;
    this.noteConstants(
      node.parent,
      node.keyInParent,
      `is ${name} holding numbers under its own fields (${listed(keys)}): a ${what}'s gradient is by ${node.kind === 'map' ? 'key' : 'member'}, so they are passed to f as they are, constants there with no gradient.`,
      BESIDE,
    );
  }

  /** Notes numbers at `parent`'s `key` that f reads as constants: `said` follows the path. */
  private noteConstants(parent: Node | null, key: unknown, said: string, fix: string): void {
    (this.constantNumbers ??= []).push({ said: `${pathOf(parent, key)} ${said}`, fix });
  }

  // A typed array: one input row for its numbers (as an NDArray argument), read element by
  // element through its stand-in (proxies/typed-arrays.ts).
  private typedNode(value: FloatArray, parent: Node | null, key: unknown): FloatArray {
    this.refuseOverlap(value, parent, key, true);
    const input = this.arrayInput(fromNested(value), parent, key); // (a copy of its numbers; traced ones if f got it from an enclosing differentiation)
    const slot = this.lastSlot;
    const standIn = typedArgument(value, input, (named, v) => refuseNumbersUnderName(node, named, v, 'a typed array'));
    const node = new Node('typed', value, standIn, this, parent, key);
    if (!Object.isExtensible(value)) lockLikeOriginal(standIn); // (after the node: its named properties are checked on their path)
    this.seeder?.node(node, parent, key);
    node.entries = ['numbers', slot, standIn];
    this.nodes.set(value, node);
    if (this.byStandIn !== null) this.byStandIn.set(standIn, node);
    this.lastSlot = node;
    return standIn;
  }

  /**
   * Two arguments over overlapping memory of one buffer (`buf.subarray(0, 2)` and
   * `buf.subarray(1, 3)`; a Float64Array and a DataView, an integer typed array or the
   * ArrayBuffer itself) cannot both be followed where f gets a copy of one (a float typed
   * array's stand-in): a write through one would not be seen through the other, as it is in
   * plain JavaScript. (`copied`: `value` is such a float typed array; views passed as they are
   * share their memory as in plain JavaScript.)
   */
  private refuseOverlap(value: ArrayBufferView | ArrayBufferLike, parent: Node | null, key: unknown, copied: boolean): void {
    const seen = (this.typedSeen ??= new Map());
    // (an enclosing differentiation's stand-in: its buffer read through the Proxy would be reported as a lost derivative)
    const view = ArrayBuffer.isView(value) ? ((typedStandIn(value)?.target ?? value) as ArrayBufferView) : null;
    const buffer = view === null ? (value as ArrayBufferLike) : view.buffer;
    const start = view === null ? 0 : view.byteOffset;
    const end = view === null ? buffer.byteLength : start + view.byteLength;
    const views = seen.get(buffer);
    if (views === undefined) {
      seen.set(buffer, [{ start, end, copied, parent, key }]);
      return;
    }
    for (const other of views) {
      if ((copied || other.copied) && start < other.end && other.start < end) {
        const what = copied && other.copied ? 'typed arrays over the same memory (views of one buffer that overlap)' : 'over the same memory (a Float64Array or Float32Array, and a view or the buffer of its memory)';
        throw new TypeError(
          `zygote-ts: ${pathOf(parent, key)} and ${pathOf(other.parent, other.key)} are ${what}. ` +
            'f would get a copy of the float typed array, so a write through one would not be seen through the other. Pass one of them, or copies (`.slice()`).',
        );
      }
    }
    views.push({ start, end, copied, parent, key });
  }

  // Arrays are values: one input row for the whole array, no stand-in.
  private arrayInput(x: NDArray, parent: Node | null, key: unknown): NDArray {
    const t = traceArray(this.tape, liveArray(x));
    keepClassAndOwnProperties(t, x);
    this.arrayOriginals.set(t, x);
    this.lastSlot = this.inputs.length;
    this.inputs.push(t);
    this.inputRows.push(t.tracedIndex);
    this.seeder?.input(t, parent, key);
    return t;
  }

  /** A number's (or a scalar object's) input: `standInFor` of a number, called without its tests by `fill`. */
  input(x: unknown, parent: Node | null, key: unknown): Traced {
    const t = this.tape.input(x);
    this.lastSlot = this.inputs.length;
    this.inputs.push(t);
    this.inputRows.push(t.tracedIndex);
    this.seeder?.input(t, parent, key);
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
    for (const n of filled) {
      const seal = sealOf(n.original);
      // (a locked record with a prototype of its own is locked by `linkShared`, once that prototype may be an argument's stand-in)
      if (seal !== 'open' && !inheritsFromOwnPrototype(n)) sealLike(n.standIn, seal);
    }
    // (what is reached while f runs, through a private member, is linked as it is made)
    if (this.linked && (this.inheriting !== null || this.keyedByObjects !== null)) this.linkShared();
  }

  /**
   * After f: writes what f changed in each stand-in back into its original, as numbers
   * (the tape is closed, so `outward` strips this call's traced layer).
   */
  private noteIterator(it: object, parent: Node | null, key: unknown): void {
    const iterators = (this.iterators ??= []);
    if (!iterators.some((seen) => seen.it === it)) iterators.push({ it, parent, key });
  }

  /**
   * After every argument is wrapped: the iterators among them follow the stand-ins of what they
   * iterate; one that cannot be followed, beside what it may iterate, is said.
   */
  followIterators(): void {
    if (this.iterators === null) return;
    for (const { it, parent, key } of this.iterators) {
      const why = unfollowed(it, this.nodes.values());
      if (why !== null) this.noteConstants(parent, key, `${why}: if it iterates that argument, it yields the caller's numbers, constants with no gradient.`, isGenerator(it) ? 'Pass the object alone and start the generator in f (s.gen()).' : 'Pass the iterated object alone and make the iterator in f (xs.values()).');
    }
    this.unfollow = followIterators(
      this.iterators.map(({ it }) => it).filter(isFollowableIterator),
      this.nodes.values(),
    );
  }

  finish(): void {
    this.open = false;
    this.unfollow?.();
    this.unfollow = null;
    for (const node of this.nodes.values()) writeBack(node);
  }
}

// ---- making stand-ins ------------------------------------------------------------------

function emptyLike(kind: Exclude<Kind, 'opaque' | 'typed'>, original: object): object {
  const proto = Object.getPrototypeOf(original) as object | null;
  switch (kind) {
    case 'record':
      // (an `arguments` object gets one of its kind: Object.prototype.toString, and so lodash's
      // isArguments and flatten, told a record apart and did otherwise with no word)
      return proto === Object.prototype && isArguments(original) ? emptyArguments() : (Object.create(proto) as object);
    case 'array':
      return proto === Array.prototype ? [] : (Reflect.construct(Array, [], (original as { constructor: Function }).constructor) as object);
    case 'map':
      return proto === Map.prototype ? new Map() : (Reflect.construct(Map, [], (original as { constructor: Function }).constructor) as object);
    case 'set':
      return proto === Set.prototype ? new Set() : (Reflect.construct(Set, [], (original as { constructor: Function }).constructor) as object);
  }
}

/**
 * An `arguments` object (its own `callee` is tested first: a cheap test that records almost never
 * pass; a record naming itself so by a Symbol.toStringTag is none).
 */
const isArguments = (o: object): boolean =>
  Object.prototype.hasOwnProperty.call(o, 'callee') && !(Symbol.toStringTag in o) && Object.prototype.toString.call(o) === '[object Arguments]';

/**
 * An `arguments` object with no elements, to fill (its `length` is set as the original's). It
 * is a strict function's: its own `callee` cannot be redefined, so a sloppy function's
 * `arguments.callee` reads as a strict one's (it throws), and is not written back.
 */
function emptyArguments(): object {
  return arguments;
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
      node.length = n;
      // Appending in order keeps V8's packed representation when there are no holes.
      let present = 0;
      const entries = new Array<unknown>(3 * n); // (sized once: an array of numbers is the common argument)
      for (let i = 0; i < n; i++) {
        const v = from[i];
        if (v === undefined && !(i in from)) continue; // a hole stays a hole
        const s = typeof v === 'number' ? w.input(v, node, i) : w.standInFor(v, node, i);
        to[i] = s;
        entries[3 * present] = i;
        entries[3 * present + 1] = w.lastSlot;
        entries[3 * present + 2] = s;
        present++;
      }
      if (present < n) entries.length = 3 * present;
      node.entries = entries;
      to.length = n;
      copyNamedProperties(node, from, to, present);
      return;
    }
    case 'map': {
      let keyedByObjects = false;
      for (const [k, v] of Map.prototype.entries.call(original as Map<unknown, unknown>)) {
        if (typeof k === 'object' && k !== null && !keyedByObjects) {
          keyedByObjects = true;
          (w.keyedByObjects ??= []).push(node);
        }
        const s = w.standInFor(v, node, k);
        Map.prototype.set.call(standIn as Map<unknown, unknown>, k, s);
        node.hold(k, s);
      }
      copyOwnProperties(node, original, standIn);
      return;
    }
    case 'set':
      for (const m of Set.prototype.values.call(original as Set<unknown>)) {
        const s = w.standInFor(m, node, m);
        Set.prototype.add.call(standIn as Set<unknown>, s);
        node.hold(m, s);
      }
      copyOwnProperties(node, original, standIn);
      return;
  }
}

/** What an array's `named` lists for a getter or setter (copied as it is: the write-back compares descriptors). */
export const ACCESSOR = Symbol('accessor');

/**
 * An array's own enumerable properties besides its elements (`arr.label = 'a'`, a RegExp
 * match's `index` and `input`), which f would otherwise read as undefined on the stand-in.
 * Copied as they are; numbers under them are refused, since an array's gradient is by index.
 * (Object.keys is the cheapest way to see them: one key per element, ~10 µs for 1000.)
 */
function copyNamedProperties(node: Node, from: unknown[], to: unknown[], elements: number): void {
  // (what is copied is remembered, key and value, for the write-back to compare: see `named`)
  let named: unknown[] | null = null;
  // (Symbol keys are listed apart, and cheaply: no index is among them)
  for (const key of Object.getOwnPropertySymbols(from)) {
    const d = Object.getOwnPropertyDescriptor(from, key)!;
    if ('value' in d) {
      refuseNumbersUnderName(node, key, d.value, 'an array');
      (named ??= []).push(key, d.value);
    } else (named ??= []).push(key, ACCESSOR);
    Object.defineProperty(to, key, d);
  }
  const keys = Object.keys(from);
  if (keys.length !== elements) {
    for (const key of keys) {
      if (isArrayIndex(key)) continue;
      // (a getter runs on the stand-in, as a record's does: read here, on the original, its value
      // was copied, stale once f changed the elements, or a number it computed was refused)
      const d = Object.getOwnPropertyDescriptor(from, key)!;
      if (!('value' in d)) {
        Object.defineProperty(to, key, d);
        (named ??= []).push(key, ACCESSOR);
        continue;
      }
      refuseNumbersUnderName(node, key, d.value, 'an array');
      (to as unknown as Record<string, unknown>)[key] = d.value;
      (named ??= []).push(key, d.value);
    }
  }
  node.named = named;
}

/**
 * An NDArray argument is traced as a new array, which had NDArray's class and fields only: f
 * read a subclass's field or the caller's own property (`t.scale`, `x.label`) as undefined,
 * a subclass's method as missing, and `t instanceof Tensor` as false, and so computed
 * another value without a word. The class and those properties come along (as they are: the
 * gradient is the array's; numbers there are constants).
 */
function keepClassAndOwnProperties(traced: NDArray, x: NDArray): void {
  const own = ownForm(x);
  if (own === null) return;
  Object.setPrototypeOf(traced, Object.getPrototypeOf(x));
  for (const key of own) Object.defineProperty(traced, key, Object.getOwnPropertyDescriptor(x, key)!);
}

/** Refuses a number (or what holds numbers) under a named property of an array or typed array: their gradients are by index. */
function refuseNumbersUnderName(node: Node, key: PropertyKey, v: unknown, what: string): void {
  if (!carriesNumbers(v)) return;
  throw new TypeError(
    `zygote-ts: ${pathOf(node, key)} is a number (or holds numbers) under a named property of ${what}; ${what === 'an array' ? "an array's" : 'its'} ` +
      `gradient is given by index. Move it out of the array (into a record beside it), or pass it separately.`,
  );
}

/**
 * A Map's or Set's own properties (a label, a subclass's fields, immer's `set` that throws on a
 * frozen state), which f would otherwise not see on the stand-in: copied as they are (a
 * Map's gradient is by key: a number here is a constant), and written back by comparing.
 */
function copyOwnProperties(node: Node, original: object, standIn: object): void {
  const keys = Reflect.ownKeys(original);
  if (keys.length === 0) return;
  const named: unknown[] = [];
  for (const key of keys) {
    const d = Object.getOwnPropertyDescriptor(original, key)!;
    Object.defineProperty(standIn, key, d);
    if ('value' in d) named.push(key, d.value);
  }
  node.named = named;
  node.wrapping.noteNumbersOfCollection(node, original);
}

/**
 * Sets `o`'s own data property `key`. An own "__proto__" key (as JSON.parse makes) is defined:
 * assigned, it would set the prototype instead, and what it holds (a gradient) was lost.
 */
export function setOwn(o: Record<string, unknown>, key: string, v: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
  else o[key] = v;
}

/** A property key that is an array index ("0" … "4294967294"), not a named property. */
export const isArrayIndex = (key: string): boolean => {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1 && String(n) === key;
};

/** A record whose prototype is neither null nor Object.prototype (`fillRecord` lists it in `inheriting`). */
function inheritsFromOwnPrototype(node: Node): boolean {
  if (node.kind !== 'record') return false;
  const proto = Object.getPrototypeOf(node.original) as object | null;
  return proto !== null && proto !== Object.prototype;
}

function fillRecord(node: Node, original: object, standIn: object): void {
  const w = node.wrapping;
  const proto = Object.getPrototypeOf(original) as object | null;
  // (Object.getOwnPropertyNames and getOwnPropertySymbols are each several times faster
  // than Reflect.ownKeys, and most records have no symbol keys.)
  if (proto !== null && proto !== Object.prototype) (w.inheriting ??= []).push(node);
  const names = Object.getOwnPropertyNames(original);
  node.ownCount = names.length;
  const entries = new Array<unknown>(3 * names.length); // sized exactly: one per object adds up
  let at = 0;
  for (const key of names) {
    const d = Object.getOwnPropertyDescriptor(original, key)!;
    if (!('value' in d)) {
      Object.defineProperty(standIn, key, d); // an own getter runs on the stand-in
      continue;
    }
    const v: unknown = d.value;
    const s = w.standInFor(v, node, key);
    if (d.writable && d.enumerable && d.configurable && (proto === null || !(key in proto))) {
      (standIn as Record<string, unknown>)[key] = s; // the common case, and ~5× faster than defining
    } else {
      d.value = s;
      // (define, not assign: a setter on the prototype must not run; false only for an arguments
      // object's `callee`, which the stand-in holds as a strict one's: see `emptyArguments`)
      if (!Reflect.defineProperty(standIn, key, d)) continue;
    }
    entries[at++] = key;
    entries[at++] = w.lastSlot;
    entries[at++] = s;
  }
  if (at < entries.length) entries.length = at; // (accessors hold nothing)
  node.entries = entries;
  const symbols = Object.getOwnPropertySymbols(original);
  node.symbolCount = symbols.length;
  for (const key of symbols) {
    const d = Object.getOwnPropertyDescriptor(original, key)!;
    if ('value' in d && carriesNumbers(d.value)) {
      throw new TypeError(
        `zygote-ts: ${pathOf(node, key)} holds numbers under a Symbol key; gradients are given by field name. ` +
          `Use a string key for what you differentiate.`,
      );
    }
    Object.defineProperty(standIn, key, d);
  }
}

/** Numbers in the arguments that are constants for f (see `Wrapping.constantNumbers`): where, what is said, what to do. */
export interface ConstantNumbers {
  /** Where, and what: said once. */
  readonly said: string;
  readonly fix: string;
}

const BESIDE = 'To differentiate them, pass them in an object beside it (or as Params).';
const listed = (keys: readonly string[]): string => keys.map((k) => `'${k}'`).join(', ');
/** 'a' or 'an' before a class's name. */
export const article = (name: string): string => (/^[AEIOU]/.test(name) ? 'an' : 'a');

/** The own enumerable keys of `o` holding numbers (`holds`: by default, numbers or what carries them; read by descriptor: a getter does not run). */
/** The own enumerable keys under which a function among the arguments holds numbers (see `noteNumbersOf`). */
export function keysOfFunctionHoldingNumbers(fn: Function): string[] {
  return keysHoldingNumbers(fn);
}

function keysHoldingNumbers(o: object, holds: (v: unknown) => boolean = carriesNumbers): string[] {
  return Object.keys(o).filter((k) => {
    const d = Object.getOwnPropertyDescriptor(o, k);
    return d !== undefined && 'value' in d && holds(d.value);
  });
}

/** A number, or an array or record with a number among its own enumerable data fields (read by descriptor). */
function holdsNumbersDirectly(v: unknown): boolean {
  if (typeof v === 'number' || isTraced(v)) return true;
  if (typeof v !== 'object' || v === null || isNDArray(v)) return isNDArray(v);
  const kind = kindOf(v);
  if (kind === 'typed') return true;
  if (kind === 'array') return (v as unknown[]).some((x) => typeof x === 'number' || isTraced(x));
  return kind === 'record' && keysHoldingNumbers(v, (x) => typeof x === 'number' || isTraced(x)).length > 0;
}

/** A DOM node (browsers; none in Node). */
const isDomNode = (o: object): boolean => {
  const DomNode = (globalThis as { Node?: abstract new () => object }).Node;
  return typeof DomNode === 'function' && o instanceof DomNode;
};

function carriesNumbers(v: unknown): boolean {
  if (typeof v === 'number' || isTraced(v)) return true;
  if (typeof v !== 'object' || v === null) return false;
  const kind = kindOf(v);
  return kind !== 'opaque' && !(kind instanceof Refusal);
}

/** JavaScript's levels of locking an object, which f can test (`Object.isFrozen(p)`): a copy gets its object's. */
export type Seal = 'open' | 'preventExtensions' | 'seal' | 'freeze';

export function sealOf(o: object): Seal {
  if (Object.isExtensible(o)) return 'open';
  return Object.isFrozen(o) ? 'freeze' : Object.isSealed(o) ? 'seal' : 'preventExtensions';
}

/** Locks `copy` at level `seal`; returns it. */
export function sealLike<T extends object>(copy: T, seal: Seal): T {
  if (seal !== 'open') (Object[seal] as (o: object) => object)(copy);
  return copy;
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
