// Copies of values that hold traced numbers: structuredClone's keeps them, and a message that
// leaves the realm (postMessage, v8's serializer) carries their numbers.

import { type Traced, isTraced, live, numberOf, primal, reportEscape } from '../../lib/core/traced.js';
import { noteBufferMade, typedArrayOnBuffer, typedStandIn } from '../../proxies/typed-arrays.js';
import { isDeriving } from '../../lib/core/scope.js';
import { likeBuiltin } from '../like-builtin.js';
import { swapWhileDeriving } from '../../lib/core/swaps.js';
import { builtinReflectApply } from './platform.js';
import { isOthersProxy } from '../../proxies/kinds.js';
import { noteKey, noteMade } from './keys.js';

/**
 * `structuredClone`: the built-in, unless the value holds traced numbers while a
 * differentiation runs; then the same copy made here (records and class instances become
 * records of their own enumerable fields, arrays keep their holes, Maps and Sets their
 * entries, Dates and RegExps are copied, objects met twice are copied once), with each
 * traced number kept as it is: a copy of a number is the number, and so keeps its derivative.
 */
/** The built-in (this file's copies call it by this name: while a differentiation runs the global is structuredCloneOf). */
const nativeStructuredClone = (globalThis as { structuredClone?: typeof structuredClone }).structuredClone;
// (a realm without one at load may get a polyfill later, which is never swapped: the global then)
// (given the arguments as they came: `structuredClone()` throws a TypeError, `structuredClone(undefined)` does not)
const builtinStructuredClone = (...args: CloneArguments): unknown => builtinReflectApply(nativeStructuredClone ?? structuredClone, undefined, args);
type CloneArguments = [value?: unknown, options?: StructuredSerializeOptions];

/**
 * A program's own structuredClone, whose code was not rewritten (a spy that calls the built-in
 * it saved, a polyfill), given `args`: its copy, unless it lost the traced numbers the value
 * holds while a differentiation runs (it copied each as a record of its fields, `{}`); then
 * the runtime's copy, which keeps them.
 */
export function clonedByReplacement(replacement: Function, self: unknown, args: ArrayLike<unknown>): unknown {
  const copy: unknown = builtinReflectApply(replacement, self, args);
  // (looked through as a replacement sees it: its getters, which its copy ran already, and a
  // Proxy, which a polyfill may copy; so the runtime's copy copies a Proxy as a record)
  return isDeriving() && holdsTraced(args[0], true) && !holdsTraced(copy) ? new Cloner(false, false, false).clone(args[0]) : copy;
}

function cloneOf(...args: CloneArguments): unknown {
  const value = args[0];
  if (!isDeriving() || !holdsTraced(value)) return builtinStructuredClone(...args);
  return new Cloner().clone(value);
}
// (Node 22 and later write structuredClone in JavaScript, a function with a prototype that
// `new` takes, where Node 20's is native: the same shape as the platform's)
export const structuredCloneOf = likeBuiltin(
  nativeStructuredClone !== undefined && Object.prototype.hasOwnProperty.call(nativeStructuredClone, 'prototype')
    ? function structuredClone(...args: CloneArguments): unknown { return cloneOf(...args); }
    : { structuredClone: (...args: CloneArguments): unknown => cloneOf(...args) }.structuredClone,
  nativeStructuredClone,
); // (a realm may not have it)

// Code that was not rewritten (a package left out of include, @ungap/structured-clone deferring
// to the built-in) calls the global structuredClone, which copies a traced number as an empty
// record: `{}`, NaN in arithmetic, silently. While a differentiation runs the global is the copy
// above, which keeps traced numbers; the built-in again once none runs (unless the program put
// its own there meanwhile). Code that kept the built-in in a variable still gets the built-in.
// (a program's own structuredClone found there, a spy of the built-in: called, and its copy
// taken unless it lost the traced numbers)
const aroundClone = (installed: Function): Function => likeBuiltin({ structuredClone(value: unknown, options?: unknown): unknown { return clonedByReplacement(installed, undefined, options === undefined ? [value] : [value, options]); } }.structuredClone, nativeStructuredClone);
if (nativeStructuredClone !== undefined) swapWhileDeriving(globalThis, 'structuredClone', nativeStructuredClone, structuredCloneOf, aroundClone);

// ---- postMessage, v8's serializer ------------------------------------------------------------

// A message leaves this realm (a worker, another port, a BroadcastChannel; in Node a Worker's
// and a BroadcastChannel's postMessage go through MessagePort's, and so does a Worker's
// workerData), copied by the built-in structured clone, which copies a traced number as an
// empty record: f posting its progress (`parentPort.postMessage({ loss })`) sent
// `{ loss: {} }`, silently. Node's v8 serializer (`v8.serialize`, a child process's IPC with
// `serialization: 'advanced'`) writes it so too. No derivative can follow the copy, so while a
// differentiation runs these send the numbers, as plain code does. Code that kept the
// built-in in a variable still gets the built-in.
const MESSAGE_TARGETS = ['MessagePort', 'BroadcastChannel', 'Worker', 'DedicatedWorkerGlobalScope', 'Window', 'ServiceWorker', 'Client'];
for (const name of MESSAGE_TARGETS) sendNumbersWhileBusy((globalThis as unknown as Record<string, { prototype?: object } | undefined>)[name]?.prototype, 'postMessage', null);
// (a message is output, as printing is; v8's bytes are also read back in f, the deep copy
// `v8.deserialize(v8.serialize(o))`: there the derivative is lost, and said so)
const nodeV8 = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:v8') as { Serializer?: { prototype?: object } } | undefined;
sendNumbersWhileBusy(nodeV8?.Serializer?.prototype, 'writeValue', "v8's serializer (v8.serialize, a child process's advanced IPC), whose bytes hold only the number");

/**
 * While a differentiation runs, `proto[method](value, …)` is given a copy of `value` holding
 * numbers for its traced ones; `lost` (if not null) reports that as a lost derivative.
 */
function sendNumbersWhileBusy(proto: object | undefined, method: string, lost: string | null): void {
  const descriptor = proto === undefined ? undefined : Object.getOwnPropertyDescriptor(proto, method);
  if (descriptor === undefined || typeof descriptor.value !== 'function' || descriptor.writable !== true) return;
  const native = descriptor.value as (this: unknown, value: unknown, ...rest: unknown[]) => unknown;
  // (around the built-in, or a program's own function found there: a test's spy of postMessage)
  const withNumbers = (send: Function): Function =>
    likeBuiltin(
      {
        [method](this: unknown, value: unknown, ...rest: unknown[]): unknown {
          if (!isDeriving() || !holdsTraced(value)) return Reflect.apply(send, this, [value, ...rest]);
          // (v8's bytes are read back in f, `v8.deserialize(v8.serialize(o))`: a compiled path depends on the numbers)
          const cloner = new Cloner(true, lost !== null);
          const copy = cloner.clone(value);
          if (lost !== null && cloner.firstLive !== null) reportEscape(cloner.firstLive, lost);
          return Reflect.apply(send, this, [copy, ...rest]);
        },
      }[method]!,
      native,
    );
  swapWhileDeriving(proto!, method, native, withNumbers(native), withNumbers);
}

/**
 * Whether `value` holds a traced number, looked for as the built-in copy would not see it: a
 * getter's field counts as one, a program's Proxy (which the built-in refuses) as none; unless
 * `asRead`: then the getters run and Proxies are looked into. A typed array f made or was given
 * counts as one whatever it holds: it is a Proxy, which the built-in refuses
 * (`structuredClone(new Float64Array(3))` in f threw DataCloneError where plain JavaScript copies it).
 */
function holdsTraced(value: unknown, asRead = false): boolean {
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (isTraced(v)) return true;
    if (typedStandIn(v) !== undefined) return true;
    if (typeof v !== 'object' || v === null || seen.has(v) || ArrayBuffer.isView(v) || typedStandIn(v) !== undefined) continue;
    // (a program's Proxy: the built-in refuses it, and its traps are not to run one time more than plain)
    if (!asRead && isOthersProxy(v)) continue;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) stack.push(k, x);
    else if (v instanceof Set) for (const x of v) stack.push(x);
    else {
      for (const k of Object.keys(v)) {
        const field = Object.getOwnPropertyDescriptor(v, k);
        // (a getter may give a traced number: the copy made here runs it, once, as the built-in
        // would; run here to look, it ran twice: `structuredClone({ get a() { n++ } })` counted 2)
        if (field === undefined) continue;
        if (!('value' in field)) {
          if (!asRead) return true;
          stack.push((v as Record<string, unknown>)[k]);
        } else stack.push(field.value);
      }
    }
  }
  return false;
}

class Cloner {
  private readonly made = new Map<object, unknown>();

  /**
   * `numbers`: the copy a message leaving this realm needs (see postMessage, v8's serializer): each traced
   * number as its plain number, a typed-array stand-in as a typed array of numbers, and
   * every object the built-in copies itself (a Date, a typed array, a MessagePort, a
   * buffer in the transfer list) left as it is, for the built-in to copy or transfer.
   */
  constructor(
    private readonly numbers = false,
    /** With `numbers`: the copy is read back as numbers, so compileGradient's path is pinned to them (as by String(x)). */
    private readonly readBack = false,
    /** A program's Proxy is refused, as by the built-in (not by a program's own structuredClone, which may copy it). */
    private readonly refusesProxies = true,
  ) {}

  /** With `numbers`: the first number copied that is traced on a tape still recording. */
  firstLive: Traced | null = null;

  /** The copies of the buffers of typed-array stand-ins met (views of one buffer share its copy, as the built-in's do). */
  private readonly buffers = new Map<ArrayBufferLike, ArrayBuffer>();

  /**
   * A typed-array stand-in (a Proxy, which the built-in refuses): a Float64Array (Float32Array)
   * over a copy of its buffer, its own class's (a subclass is not kept, as by the built-in),
   * holding its elements, traced ones kept.
   */
  private typed(v: object): unknown {
    const s = typedStandIn(v)!;
    const buffer = s.target.buffer;
    let copy = this.buffers.get(buffer);
    if (copy === undefined) {
      copy = (buffer as ArrayBuffer).slice(0);
      if (!this.numbers) noteBufferMade(copy); // (f's own: no view outside f reads it)
      this.buffers.set(buffer, copy);
    }
    if (this.numbers) {
      const plain = new s.ctor(copy, s.target.byteOffset, s.length);
      this.made.set(v, plain);
      for (let i = 0; i < s.length; i++) plain[i] = this.clone(s.element(i)) as number;
      return plain;
    }
    const out = typedArrayOnBuffer(new s.ctor(copy, s.target.byteOffset, s.length));
    this.made.set(v, out);
    for (let i = 0; i < s.length; i++) out[i] = s.element(i) as number;
    return out;
  }

  clone(v: unknown): unknown {
    if (isTraced(v) && this.numbers) {
      const recording = live(v);
      if (this.firstLive === null && isTraced(recording)) this.firstLive = recording;
      // (a message that only leaves is output, as printing is: it does not pin the path)
      return this.readBack ? primal(v) : numberOf(v);
    }
    if (isTraced(v) || typeof v !== 'object' || v === null) {
      // (functions and symbols throw DataCloneError, as the built-in says it)
      return (typeof v === 'function' || typeof v === 'symbol') && !this.numbers ? builtinStructuredClone(v) : v;
    }
    const known = this.made.get(v);
    if (known !== undefined) return known;
    if (typedStandIn(v) !== undefined) return this.typed(v);
    // (a program's Proxy: the built-in's DataCloneError, where it was copied as a record)
    if (this.refusesProxies && isOthersProxy(v)) return this.numbers ? v : builtinStructuredClone(v);
    // (a copy's traced keys are noted as `m.set(k, v)` notes them: it is looked up by their values too)
    if (v instanceof Map) {
      const out = new Map();
      this.made.set(v, out);
      if (!this.numbers) noteMade(out);
      for (const [k, x] of v) {
        const key = this.clone(k);
        if (!this.numbers) noteKey(out, key);
        out.set(key, this.clone(x));
      }
      return out;
    }
    if (v instanceof Set) {
      const out = new Set();
      this.made.set(v, out);
      for (const x of v) {
        const key = this.clone(x);
        if (!this.numbers) noteKey(out, key);
        out.add(key);
      }
      return out;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      this.made.set(v, out);
      for (const k of Object.keys(v)) (out as unknown as Record<string, unknown>)[k] = this.clone((v as unknown as Record<string, unknown>)[k]);
      return out;
    }
    if (isPlainData(v)) {
      // (a message's MessagePort or stream is an instance too: one holding no traced number
      // is left for the built-in, which copies or transfers it)
      if (this.numbers && !isRecord(v) && !holdsTraced(v)) return v;
      const out: Record<string, unknown> = {};
      this.made.set(v, out);
      for (const k of Object.keys(v)) out[k] = this.clone((v as Record<string, unknown>)[k]);
      return out;
    }
    // Dates, RegExps, typed arrays, errors, wrappers…: they hold no traced number
    if (this.numbers) return v;
    const out = builtinStructuredClone(v);
    this.made.set(v, out);
    return out;
  }
}

const isRecord = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === Object.prototype || proto === null;
};

/** An object the built-in copies as a record of its own enumerable fields (not a Date, a typed array, …). */
function isPlainData(v: object): boolean {
  return !(
    v instanceof Date ||
    v instanceof RegExp ||
    v instanceof Error ||
    v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) ||
    v instanceof Boolean ||
    v instanceof Number ||
    v instanceof String ||
    v instanceof BigInt
  );
}
