// How a compiled path meets its arguments. When f is recorded, its arguments are copied
// with each number replaced by a symbolic input; the same walk writes the code that, on
// later calls, checks that the arguments have that structure (same array lengths, same
// keys and classes, NDArrays of the same shape and dtype, the same non-number values) and
// reads their numbers into `X` and their NDArrays into `A`.
// The gradient f's recording returned — the same structure with symbolic leaves — is
// turned into the code that builds the compiled gradient.

import { withOriginals } from '../../proxies/cleanup.js';
import { lockedElement, orderLike } from '../../proxies/writeback.js';
import { Symbolic, isSymbolic } from '../core/symbolic.js';
import { NDArray, isNDArray, ownForm } from '../ndarray.js';
import { Params } from '../params.js';
import { isTraced } from '../core/traced.js';
import type { Program } from './program.js';
import { literal } from './codegen.js';
import { article, isArrayIndex, keysOfFunctionHoldingNumbers, sealLike, sealOf, setOwn, type Seal } from '../../proxies/standins.js';
import { isOthersProxy } from '../../proxies/kinds.js';

/** f cannot be compiled (it still runs, uncompiled): the message says why. */
export class Uncompilable extends Error {
  /**
   * `thisCallOnly`: only this call cannot be (its arguments are traced by an enclosing
   * differentiation). `thrown`: what f threw while it was recorded, once its writes to its
   * arguments are made: the call throws it, as the eager gradient would (f does not run again).
   */
  constructor(message: string, readonly thisCallOnly = false, readonly thrown: { readonly error: unknown } | null = null) {
    super(message);
  }
}

export interface SymbolicArguments {
  /** The copy f is recorded on. */
  readonly values: unknown[];
  /** Statements that check `args` and fill `X` (`return MISS` when the structure differs); complete after `forgetOriginals`. */
  readonly reader: string;
  /** Objects the reader compares against (`C[k]`). */
  readonly constants: unknown[];
  /**
   * How many objects the arguments hold. The reader keeps the last call's in `E` (an array
   * of that length), and sets `E.checked` once they were found distinct: a call passing the
   * same objects again is not checked again.
   */
  readonly objects: number;
  /** True if f changed the copy (wrote to its arguments): compiled code would not. */
  changed(): boolean;
  /** Each object of the copy → the caller's object it copies (an NDArray argument is itself), while f is recorded. */
  readonly originals: ReadonlyMap<object, object>;
  /** The copy of the caller's object `original` while f is recorded, if it is one of the arguments' (`originals`'s other way). */
  copyOf(original: object): object | undefined;
  /** After the recording: the caller's objects are not kept, and the prototypes' data the reader checks is taken as f left it. */
  forgetOriginals(): void;
  /**
   * After f wrote to its arguments (before `forgetOriginals`): makes each caller's object
   * hold what f left in its copy, where the eager write-back put f's writes as numbers, so
   * that f need not run again to make them. False, with nothing written, where f changed
   * what the keys do not show (a copy's prototype, lock or Symbol keys).
   */
  writeBack(): boolean;
}

/** Arrays of more numbers (or small records of numbers) than this are read in a loop. */
const UNROLL = 8;
/** Objects are read one by one (except in arrays of small records): past this many, the generated reader would be too long. */
const MAX_OBJECTS = 5000;
/** Records of at most this many numbers, in an array, are read in a loop, one column per key. */
const SMALL_RECORD = 16;

/** The symbolic copy of `args` and its reader; `arrays` receives each NDArray argument's program value. */
export function symbolicArguments(args: readonly unknown[], program: Program, arrays: Map<NDArray, number>): SymbolicArguments {
  const lines: string[] = [];
  const constants: unknown[] = [];
  /** Each object of the arguments → its copy and the reader's name for it (records of a column read are in `groups`). */
  const copies = new Map<object, { copy: object; name: string }>();
  const groups: RecordGroup[] = [];
  /** Every caller's record in `groups` (a look-up per record of every group: polygons of 10 points each). */
  const grouped = new Set<object>();
  /** The copy of the caller's object `o` and the reader's name for it, if the walk made one. */
  const copyOfObject = (o: object): { copy: object; name: string } | undefined => {
    const made = copies.get(o);
    if (made !== undefined || !grouped.has(o)) return made;
    // (a record seen again elsewhere: rare, and found by a search)
    for (const group of groups) {
      const i = group.originals.indexOf(o);
      if (i >= 0) return { copy: group.copies[i]!, name: `${group.name}[${i}]` };
    }
    return undefined;
  };
  const written: [object, PropertyKey, unknown][] = [];
  /** Each array of the copy, and its elements as made (one list per array, not a triple per element: 10⁶ of them). */
  const madeArrays: [unknown[], unknown[]][] = [];
  /** Each array and record of the copy (but records read as columns), with its length or keys as made. */
  const sizes: [object, number | readonly string[]][] = [];
  const arrayArguments: NDArray[] = [];
  /** How many objects the arguments hold (each has its place in the distinctness check's list). */
  let objects = 0;
  let names = 0;
  const constant = (x: unknown) => {
    const k = constants.indexOf(x);
    return `C[${k >= 0 ? k : constants.push(x) - 1}]`;
  };
  // Each object is compared with the one at its place on the last call whose objects were
  // checked distinct (`E`, kept by the path): only when one differs is the check made again.
  // A record arriving at its place is also checked for properties of the kinds the copy
  // lacks (f could read them); one already there is not (see README: what runs uncompiled).
  const noteObject = (name: string, unread: ((o: never) => unknown) | null = null) =>
    `if (E[${objects}] !== ${name}) { ${unread ? `if (${constant(unread)}(${name})) return MISS; ` : ''}E[${objects++}] = ${name}; E.checked = false; }`;
  // A class's prototype holding data (`Particle.prototype.mass = 1`) gives f numbers it reads
  // as constants, as the eager gradient reads them: a call after the prototype's data changed
  // takes another path (compiled code held the recording's: gradient of p.m * p.v stayed [{ v: 1 }]
  // after P.prototype.m = 5, where it is [{ v: 5 }]). Checked once per prototype and call,
  // against the data as f left it (a counter f keeps there is f's own state, as a closure's).
  const prototypes: { at: number; proto: object }[] = [];
  const checkPrototypeData = (proto: object | null) => {
    if (proto === null || prototypes.some((p) => p.proto === proto)) return;
    prototypes.push({ at: lines.push('') - 1, proto });
  };
  const settlePrototypeData = () => {
    // (a number as its literal: C is searched with indexOf, which takes -0 for 0)
    for (const { at, proto } of prototypes) {
      const { keys, data, accessors } = prototypeContents(proto);
      lines[at] = [
        ...keys.map(([holder, names]) => `{ const k = Object.getOwnPropertyNames(${constant(holder)}); if (${keysDiffer('k', names)}) return MISS; }`),
        ...data.map(([holder, key, value]) => `if (!sameNumber(${constant(holder)}[${JSON.stringify(key)}], ${typeof value === 'number' ? literal(value) : constant(value)})) return MISS;`),
        ...accessors.map(
          ([holder, key, get, set]) =>
            `{ const d = Object.getOwnPropertyDescriptor(${constant(holder)}, ${JSON.stringify(key)}); if (d === undefined || d.get !== ${constant(get)} || d.set !== ${constant(set)}) return MISS; }`,
        ),
      ].join('\n');
    }
    prototypes.length = 0;
  };

  const visit = (value: unknown, expr: string, path: string): unknown => {
    if (isTraced(value) || (isNDArray(value) && value.tracedTape !== null)) {
      throw new Uncompilable(`argument ${path} is traced by an enclosing differentiation: that call runs uncompiled`, true);
    }
    if (typeof value === 'number') {
      lines.push(`if (typeof ${expr} !== 'number') return MISS;`, `X[${program.inputCount}] = ${expr};`); // (inputs are numbered in order)
      return program.input(value);
    }
    // (compiled code compares a function by identity, and kept the numbers it held when recorded:
    // model.w = 10 after a call, and compileGradient((m, x) => m(x) * m.w) still used 3)
    const held = typeof value === 'function' ? keysOfFunctionHoldingNumbers(value) : [];
    if (held.length > 0) throw new Uncompilable(`argument ${path} is a function holding numbers (${held.map((k) => JSON.stringify(k)).join(', ')}), which compiled code would keep as they are now`);
    if (typeof value !== 'object' || value === null) {
      lines.push(`if (${expr} !== ${constant(value)}) return MISS;`);
      return value;
    }
    // (the copy held what its traps showed then, and f was differentiated on it, silently: a Proxy
    // answering p.a from a Map gave [null], one scaling its fields a gradient of other numbers;
    // uncompiled, the eager gradient refuses it, saying why)
    if (isOthersProxy(value)) throw new Uncompilable(`argument ${path} is a Proxy that zygote-ts did not make`, true);
    const seen = copyOfObject(value);
    if (seen !== undefined) {
      lines.push(`if (${expr} !== ${seen.name}) return MISS;`);
      return seen.copy;
    }
    const name = `o${names++}`;
    if (names > MAX_OBJECTS) {
      // (this call only: another call's arguments may be arrays of distinct small records again)
      throw new Uncompilable(`the arguments hold more than ${MAX_OBJECTS} objects that are not small records in arrays, which compiled code would read one by one`, true);
    }
    lines.push(`const ${name} = ${expr};`);
    if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
      // (the copy holds the elements only: f reading `arr.label` would see undefined)
      const named = Object.keys(value).find((k) => !isArrayIndex(k));
      if (named !== undefined) throw new Uncompilable(`argument ${path} is an array with a named property (${JSON.stringify(named)}); compiled code reads arrays by index`);
      // (a hole is not an undefined element: forEach, `i in v` and Object.keys skip it, and the
      // copy below would read it as one; this call runs uncompiled, a dense array may come again)
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) throw new Uncompilable(`argument ${path} is an array with a hole at ${i}, which compiled code would read as an element`, true);
      }
      const copy: unknown[] = [];
      copies.set(value, { copy, name });
      sizes.push([copy, value.length]);
      const seal = sealOf(value);
      // (a subclass of Array passes Array.isArray: f could call its methods)
      lines.push(
        `if (!Array.isArray(${name}) || Object.getPrototypeOf(${name}) !== ${constant(Array.prototype)} || ${name}.length !== ${value.length} || ${sealDiffers(name, seal)}) return MISS;`,
        noteObject(name, isOthersProxy),
      );
      const columns = value.length > UNROLL ? smallRecords(value, copies, grouped) : null;
      if (value.length > UNROLL && value.every((v) => typeof v === 'number')) {
        const first = program.inputCount;
        for (const v of value) copy.push(program.input(v as number));
        lines.push(
          `for (let i = 0; i < ${value.length}; i++) {`,
          `  const v = ${name}[i];`,
          `  if (typeof v !== 'number') return MISS;`,
          `  X[${first} + i] = v;`,
          `}`,
        );
      } else if (columns !== null) {
        // An array of records of one class holding the same numbers: read in a loop, a column per key.
        // (no entry per record in copies, written or sizes: the group is checked as a whole, see RecordGroup)
        const first = program.inputCount;
        const at = objects;
        const { proto, keys, seal: recordSeal } = columns;
        const m = keys.length;
        // (a fresh copy has none of the keys of its own: `key in c` is whether the prototype has it)
        const onPrototype = keys.map((key) => key in proto);
        const made: Symbolic[] = [];
        for (const record of value as Record<string, number>[]) {
          const c = Object.create(proto) as Record<string, unknown>;
          for (let k = 0; k < m; k++) {
            const key = keys[k]!;
            const v = program.input(record[key]!);
            if (onPrototype[k]) setField(c, key, v);
            else c[key] = v;
            made.push(v);
          }
          copy.push(sealLike(c, recordSeal));
        }
        objects += value.length;
        groups.push({ originals: value as object[], copies: copy.slice() as object[], proto, keys, seal: recordSeal, made, name });
        // Each record's keys: Object.keys makes an array per record (10⁵ Points: 40% of the
        // reading). Where the prototypes have no enumerable key (checked once a call),
        // for-in lists exactly a record's own enumerable keys, in Object.keys's order.
        const forIn = !hasEnumerableKey(columns.proto);
        checkPrototypeData(columns.proto);
        lines.push(
          `const ${name}p = ${constant(columns.proto)};`,
          ...(forIn ? [`for (const key in ${name}p) return MISS;`, `const ${name}keys = ${JSON.stringify(columns.keys)};`] : []),
          `for (let i = 0; i < ${value.length}; i++) {`,
          `  const e = ${name}[i];`,
          `  if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== ${name}p || ${sealDiffers('e', columns.seal)}) return MISS;`,
          ...(forIn
            ? [`  let n = 0;`, `  for (const key in e) if (n === ${m} || key !== ${name}keys[n++]) return MISS;`, `  if (n !== ${m}) return MISS;`]
            : [`  const k = Object.keys(e);`, `  if (${keysDiffer('k', columns.keys)}) return MISS;`]),
          `  if (E[${at} + i] !== e) { if (${constant(hasUnreadProperty)}(e)) return MISS; E[${at} + i] = e; E.checked = false; }`,
          ...columns.keys.flatMap((key, k) => [`  const v${k} = e[${JSON.stringify(key)}];`, `  if (typeof v${k} !== 'number') return MISS;`, `  X[${first + k} + ${m} * i] = v${k};`]),
          `}`,
        );
      } else {
        value.forEach((v, i) => {
          // (an undefined element must be one on later calls, not a hole: see above)
          if (v === undefined) lines.push(`if (!(${i} in ${name})) return MISS;`);
          copy.push(visit(v, `${name}[${i}]`, `${path}[${i}]`));
        });
      }
      madeArrays.push([copy, copy.slice()]);
      return sealLike(copy, seal);
    }
    if (value instanceof Params) throw new Uncompilable('implicit parameters (Params) are not compiled yet: pass the arrays as arguments');
    if (isNDArray(value)) {
      // (compiled code reads the array's numbers: a subclass's fields or the caller's own
      // properties, which f may read, would keep the recording's values; that call runs
      // uncompiled, and so does one where such an array arrives later)
      const own = ownForm(value);
      if (own !== null) {
        const what = own.length > 0 ? `a property of its own (${JSON.stringify(String(own[0]))})` : `class ${Object.getPrototypeOf(value)?.constructor?.name ?? '?'}`;
        throw new Uncompilable(`argument ${path} is an NDArray with ${what}; compiled code reads its numbers only`, true);
      }
      // An array argument is an object input, read from A; its shape and dtype are part of the path.
      const k = arrayArguments.push(value) - 1;
      copies.set(value, { copy: value, name });
      lines.push(
        `if (!(${name} instanceof ${constant(NDArray)}) || ${name}.tracedTape !== null || ${name}.dtype !== ${JSON.stringify(value.dtype)} || ` +
          `${name}.shape.length !== ${value.shape.length}${value.shape.map((d, i) => ` || ${name}.shape[${i}] !== ${d}`).join('')}) return MISS;`,
        noteObject(name, ownForm),
        `A[${k}] = ${name};`,
      );
      return value;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    if (!isRecordPrototype(proto)) {
      const kind = proto?.constructor?.name ?? 'special object';
      throw new Uncompilable(`argument ${path} is ${article(kind)} ${kind}; compileGradient reads numbers, NDArrays, and arrays and objects of them`);
    }
    const copy = Object.create(proto) as Record<string, unknown>;
    copies.set(value, { copy, name });
    const keys = Object.keys(value);
    const unread = unreadProperty(value, keys);
    if (unread !== null) throw new Uncompilable(`argument ${path} has ${unread}; compiled code copies an object's enumerable data properties only`);
    const seal = sealOf(value);
    sizes.push([copy, keys]);
    lines.push(
      `if (typeof ${name} !== 'object' || ${name} === null || Object.getPrototypeOf(${name}) !== ${constant(proto)} || ${sealDiffers(name, seal)}) return MISS;`,
      `const ${name}k = Object.keys(${name});`,
      `if (${keysDiffer(`${name}k`, keys)}) return MISS;`,
      noteObject(name, hasUnreadProperty),
    );
    checkPrototypeData(proto);
    for (const key of keys) {
      const v = visit((value as Record<string, unknown>)[key], `${name}[${JSON.stringify(key)}]`, `${path}.${key}`);
      setField(copy, key, v);
      written.push([copy, key, v]);
    }
    return sealLike(copy, seal);
  };

  lines.push(`if (args.length !== ${args.length}) return MISS;`);
  let values: unknown[];
  try {
    values = args.map((arg, i) => visit(arg, `args[${i}]`, `${i}`));
  } catch (e) {
    // (the walk runs none of the caller's code: a RangeError is the stack's, from objects nested
    // deeper than it takes, a long linked list, which the eager gradient takes and compiled
    // code would spell out node by node)
    if (e instanceof RangeError) throw new Uncompilable(`an argument nests objects deeper than the stack takes (a long linked list?): that call runs uncompiled`, true);
    throw e;
  }
  // (after every number input, so that value k < inputCount is input k)
  arrayArguments.forEach((x, k) => arrays.set(x, program.argument(k)));
  // Objects that were distinct when f was recorded must be distinct now: an object passed
  // twice shares one gradient (contributions add), which the compiled path does not do.
  if (objects > 1) lines.push(`if (!E.checked) {`, `  if (new Set(E).size !== ${objects}) return MISS;`, `  E.checked = true;`, `}`);
  // (made when f first compares an object by identity, which most recordings never do;
  // forgotten after the recording, so that the path does not keep the caller's objects)
  let originals: Map<object, object> | null = null;
  let recorded: typeof copies | null = copies;
  // What f may do to a copy itself, which no enumerable key shows: lock it, give it another
  // prototype, a Symbol key, or define a property (a lazy getter caching its value in a hidden
  // field, a field made read-only or hidden). Such a write was neither seen nor made: the
  // caller's object kept its field as it was (`Object.defineProperty(p, 'x', { value: 6,
  // enumerable: false })` left x 3 and enumerable), and the compiled path skipped it after.
  const shapes = sizes.map(([o]) => [o, Object.getPrototypeOf(o), sealOf(o)] as const);
  const reshapedApart = () =>
    shapes.some(
      ([o, proto, seal]) =>
        Object.getPrototypeOf(o) !== proto || sealOf(o) !== seal || Object.getOwnPropertySymbols(o).length !== 0 || (!Array.isArray(o) && attributesDiffer(o, seal)),
    );
  const reshaped = () => reshapedApart() || groups.some((group) => groupChanged(group, true));
  return {
    values,
    get originals() {
      if (originals === null) {
        originals = new Map();
        for (const [original, { copy }] of recorded ?? []) originals.set(copy as object, original);
        if (recorded !== null) for (const group of groups) group.copies.forEach((c, i) => originals!.set(c, group.originals[i]!));
      }
      return originals;
    },
    copyOf(original) {
      return recorded === null ? undefined : copyOfObject(original)?.copy;
    },
    forgetOriginals() {
      settlePrototypeData();
      originals = null;
      recorded = null;
      groups.length = 0;
      grouped.clear();
    },
    get reader() {
      return lines.join('\n');
    },
    constants,
    objects,
    writeBack() {
      if (recorded === null || reshaped()) return false;
      const originalOf = new Map<object, object>();
      for (const [original, { copy }] of recorded) if (copy !== original) originalOf.set(copy, original);
      for (const group of groups) group.copies.forEach((c, i) => originalOf.set(c, group.originals[i]!));
      // (an array whose length the caller locked alone, or an element it cannot delete where f
      // shortened it: plain JavaScript threw in f, at that write; nothing is written here, and the
      // eager gradient, running f again, says so — writing the rest first made f's writes twice)
      for (const [copy, original] of originalOf) if (Array.isArray(copy) && !lengthCanBecome(original as unknown[], copy.length)) return false;
      // (a number f did not write is still its symbolic input in the copy)
      const outside = (v: unknown) => (isSymbolic(v) ? v.value : withOriginals(v, originalOf));
      for (const [copy, original] of originalOf) writeState(original, copy, outside);
      return true;
    },
    // (reshaped first: reading a key f turned into a getter would run it)
    changed: () =>
      reshapedApart() ||
      groups.some((group) => groupChanged(group, false)) ||
      written.some(([o, key, v]) => !Object.is((o as Record<PropertyKey, unknown>)[key], v)) ||
      madeArrays.some(([copy, made]) => elementChanged(copy, made)) ||
      // (a key deleted and set again to the same number moves last: the caller's record takes that order, as in plain JavaScript)
      sizes.some(([o, made]) => (typeof made === 'number' ? (o as unknown[]).length !== made : keysDifferFrom(Object.keys(o), made))),
  };
}

/**
 * The small records of an array argument read as columns (10⁵ Points): copied and checked as a
 * group, with no entry per record in the walk's maps and lists (they made the recording's first
 * call 2.7–3.6× the eager gradient's).
 */
interface RecordGroup {
  /** The caller's records, in order. */
  readonly originals: readonly object[];
  /** Their copies, as made (f may replace the array's elements). */
  readonly copies: readonly object[];
  readonly proto: object;
  readonly keys: readonly string[];
  readonly seal: Seal;
  /** Each copy's numbers as made, `keys.length` per record. */
  readonly made: readonly unknown[];
  /** The reader's name for the array. */
  readonly name: string;
}

/**
 * Whether f reshaped a record copy of the group — its prototype or lock, a Symbol key, a property
 * not as made (`asMade`) — or, unless `shapeOnly`, changed its keys (their order too) or numbers.
 */
function groupChanged({ copies, proto, keys, seal, made }: RecordGroup, shapeOnly: boolean): boolean {
  const m = keys.length;
  for (let i = 0; i < copies.length; i++) {
    const c = copies[i] as Record<string, unknown>;
    if (Object.getPrototypeOf(c) !== proto || sealOf(c) !== seal || Object.getOwnPropertySymbols(c).length !== 0) return true;
    const names = Object.getOwnPropertyNames(c);
    for (let k = 0; k < names.length; k++) if (!asMade(Object.getOwnPropertyDescriptor(c, names[k]!)!, seal)) return true;
    if (shapeOnly) continue;
    // (every name is an enumerable key here)
    if (keysDifferFrom(names, keys)) return true;
    for (let k = 0; k < m; k++) if (!Object.is(c[keys[k]!], made[i * m + k])) return true;
  }
  return false;
}

/** Whether the key lists differ (in order too). */
function keysDifferFrom(now: readonly string[], made: readonly string[]): boolean {
  if (now.length !== made.length) return true;
  for (let k = 0; k < made.length; k++) if (now[k] !== made[k]) return true;
  return false;
}

/** Whether an element of `copy` is not the one it was made with, `made[i]` (its length is checked apart). */
function elementChanged(copy: readonly unknown[], made: readonly unknown[]): boolean {
  for (let i = 0; i < made.length; i++) if (!Object.is(copy[i], made[i])) return true;
  return false;
}

const hasOwn = (o: object, key: PropertyKey): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * Makes `v` the copy's own data field `key`, as the argument holds it. Assigned, a setter of that
 * name on the prototype (which the argument's own field shadows) ran instead: with a class whose
 * setter stores `value * 100` in `_v` and an instance holding its own `value`, f was recorded on
 * another object (a gradient of { _v: 300 } where it is { value: 1, _v: 1.5 }), and writing the
 * copy back replaced the caller's `value` by `_v` 30000. (Also an own `__proto__` key, which
 * assigned would set the prototype.)
 */
function setField(copy: Record<string, unknown>, key: string, v: unknown): void {
  if (key in copy) Object.defineProperty(copy, key, { value: v, writable: true, enumerable: true, configurable: true });
  else copy[key] = v;
}

/** Whether `d` is a property as a record copy locked at `seal` has it when made: a data field, enumerable, writable unless frozen, configurable unless sealed or frozen. */
const asMade = (d: PropertyDescriptor, seal: Seal): boolean =>
  'value' in d && d.enumerable === true && d.writable === (seal !== 'freeze') && d.configurable === (seal === 'open' || seal === 'preventExtensions');

/**
 * Whether f defined a property of the record copy `o` (made locked at `seal`: f cannot change
 * that without `reshaped` seeing it) otherwise than the copy made it: a key added that is not
 * enumerable, or one whose kind or attributes changed. Keys added plainly and deleted ones are
 * seen by their counts (and written back).
 */
function attributesDiffer(o: object, seal: Seal): boolean {
  for (const key of Object.getOwnPropertyNames(o)) if (!asMade(Object.getOwnPropertyDescriptor(o, key)!, seal)) return true;
  return false;
}

/** Whether the caller's array `a` can take length `n` (its length writable, the elements past `n` deletable). */
function lengthCanBecome(a: unknown[], n: number): boolean {
  if (a.length === n) return true;
  if (Object.getOwnPropertyDescriptor(a, 'length')?.writable !== true) return false;
  for (let i = n; i < a.length; i++) if (Object.getOwnPropertyDescriptor(a, i)?.configurable === false) return false;
  return true;
}

/** Makes `original` (an array or a record) hold what `copy` holds, in its order; `outside` gives each value as the caller's data holds it. */
function writeState(original: object, copy: object, outside: (v: unknown) => unknown): void {
  if (Array.isArray(copy)) {
    const a = original as unknown[];
    let i = 0;
    try {
      for (; i < copy.length; i++) {
        if (!(i in copy)) delete a[i];
        else {
          const v = outside(copy[i]);
          // (an `undefined` f stored where the caller's array has a hole is an element: written, not left a hole)
          if (!Object.is(a[i], v) || !hasOwn(a, i)) a[i] = v;
        }
      }
    } catch (error) {
      // (an element the caller locked alone: said as the eager write-back says it, proxies/writeback.ts)
      throw lockedElement(`element [${i}] of an argument's array`, a, i, error);
    }
    if (a.length !== copy.length) a.length = copy.length;
    return;
  }
  const o = original as Record<string, unknown>;
  const c = copy as Record<string, unknown>;
  const keys = Object.keys(c);
  for (const key of Object.keys(o)) if (!Object.prototype.hasOwnProperty.call(c, key)) delete o[key];
  for (const key of keys) {
    const v = outside(c[key]);
    // (a key f set to undefined, or to the value a prototype holds under it, is an own key too)
    if (!Object.is(o[key], v) || !hasOwn(o, key)) setOwn(o, key, v);
  }
  orderLike(c, o); // (a key f deleted and set again is last in the copy, as in plain JavaScript)
}

/**
 * The prototype and keys shared by every element of `value`, when each is a record (a plain
 * object or an instance of a user's class) holding only numbers, at most SMALL_RECORD of
 * them, none seen before (in `copied` or `grouped`); else null. The records join `grouped`.
 */
function smallRecords(value: unknown[], copied: ReadonlyMap<object, unknown>, grouped: Set<object>): { proto: object; keys: string[]; seal: Seal } | null {
  const first = value[0];
  if (typeof first !== 'object' || first === null || Array.isArray(first) || isNDArray(first) || isTraced(first)) return null;
  const proto = Object.getPrototypeOf(first) as object | null;
  if (!isRecordPrototype(proto) || proto === null || first instanceof Params) return null;
  const keys = Object.keys(first);
  if (keys.length === 0 || keys.length > SMALL_RECORD) return null;
  const seal = sealOf(first);
  // (each record joins `grouped` as it is checked, which also finds one met twice; taken out again if the array is not read in columns)
  for (let i = 0; i < value.length; i++) {
    const e = value[i];
    // (a Proxy is asked nothing: its traps would run)
    const fits =
      typeof e === 'object' && e !== null && !isOthersProxy(e) && Object.getPrototypeOf(e) === proto && !copied.has(e) && !grouped.has(e) &&
      sealOf(e) === seal && numbersAsCopied(e, keys, seal);
    if (!fits) {
      for (let k = 0; k < i; k++) grouped.delete(value[k] as object);
      return null;
    }
    grouped.add(e);
  }
  return { proto, keys, seal };
}

/**
 * Whether the own properties of `o` (locked at `seal`) are `keys`, in order, each a number in a
 * field as its copy will have it (see `asMade`), with no Symbol key: what `unreadProperty`
 * checks, in one pass (10⁵ records).
 */
function numbersAsCopied(o: object, keys: readonly string[], seal: Seal): boolean {
  if (Object.getOwnPropertySymbols(o).length !== 0) return false;
  const names = Object.getOwnPropertyNames(o);
  if (names.length !== keys.length) return false;
  for (let k = 0; k < keys.length; k++) {
    if (names[k] !== keys[k]) return false;
    const d = Object.getOwnPropertyDescriptor(o, names[k]!)!;
    if (!asMade(d, seal) || typeof d.value !== 'number') return false;
  }
  return true;
}

/**
 * What of an object's own properties the copy f is recorded on would not have (it holds the
 * enumerable data properties, by name): a Symbol key, a property that is not enumerable, a
 * getter or setter; null when there is none. (f could read them, and a getter could read
 * the other fields: recorded on the copy, f would answer for another object.)
 */
function unreadProperty(o: object, keys: readonly string[]): string | null {
  if (isOthersProxy(o)) return 'a Proxy that zygote-ts did not make';
  if (Object.getOwnPropertySymbols(o).length > 0) return 'a Symbol-keyed property';
  const names = Object.getOwnPropertyNames(o);
  if (names.length !== keys.length) return `a property that is not enumerable (${JSON.stringify(names.find((n) => !keys.includes(n)))})`;
  // (the copy's fields are as writable and configurable as the object's lock makes them all: f's
  // write to a read-only field, or delete of a fixed one, changed the copy where plain code throws
  // or changes nothing, and writing it back threw, also where f had caught the TypeError)
  const seal = sealOf(o);
  const writable = seal !== 'freeze';
  const configurable = seal === 'open' || seal === 'preventExtensions';
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const d = Object.getOwnPropertyDescriptor(o, key)!;
    if (d.get !== undefined || d.set !== undefined) return `a getter or setter (${JSON.stringify(key)})`;
    if (d.writable !== writable) return `a read-only property (${JSON.stringify(key)})`;
    if (d.configurable !== configurable) return `a property that cannot be deleted (${JSON.stringify(key)})`;
  }
  return null;
}

/** True if `o` has a property of a kind the recording's copy would not hold (see unreadProperty). */
function hasUnreadProperty(o: object): boolean {
  return unreadProperty(o, Object.keys(o)) !== null;
}

/**
 * What a class's prototype chain holds, as the reader checks it on each call: each prototype's
 * own keys (a key added after the recording, `B.prototype.mass = 5` where f reads `b.mass ?? 1`,
 * or deleted, changes what f reads), and its data, each key as read through `proto`, the first
 * on the chain: numbers, strings and flags by value, objects and functions (a `defaults`
 * record, a method) by identity; accessors are not read, their getter and setter are compared by identity. The same for each prototype's class,
 * whose static fields f reads as `b.constructor.scale` or `B.scale` (its `prototype`, `name`
 * and `length` are the class's own). Object.prototype and beyond hold none.
 */
function prototypeContents(proto: object): { keys: [object, string[]][]; data: [object, string, unknown][]; accessors: [object, string, unknown, unknown][] } {
  const keys: [object, string[]][] = [];
  const data: [object, string, unknown][] = [];
  const accessors: [object, string, unknown, unknown][] = [];
  const note = (holder: object, seen: Set<string>, skip: (key: string) => boolean) => {
    const names = Object.getOwnPropertyNames(holder);
    keys.push([holder, names]);
    for (const key of names) {
      if (seen.has(key) || skip(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(holder, key)!;
      if ('value' in d) data.push([holder, key, d.value]);
      // (by its functions, not read: a getter replaced after the recording, or made a data
      // field, `Object.defineProperty(P.prototype, 'sq', { get() { return this.x * 3 } })`, kept
      // the recording's: a gradient of 6 where f's is now 3)
      else accessors.push([holder, key, d.get, d.set]);
    }
  };
  const seen = new Set<string>();
  const staticSeen = new Set<string>();
  for (let p: object | null = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    note(p, seen, () => false);
    const ctor = Object.prototype.hasOwnProperty.call(p, 'constructor') ? (p as { constructor: unknown }).constructor : undefined;
    if (typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === p) note(ctor, staticSeen, (key) => key === 'prototype' || key === 'name' || key === 'length');
  }
  return { keys, data, accessors };
}

/** The reader's test that the key list `expr` differs from `keys` (in order too: f could read `Object.values`). */
/** Whether for-in over `proto` (its own enumerable keys and its prototypes') lists any key. */
function hasEnumerableKey(proto: object | null): boolean {
  for (const _ in proto) return true;
  return false;
}

function keysDiffer(expr: string, keys: readonly string[]): string {
  return [`${expr}.length !== ${keys.length}`, ...keys.map((key, k) => `${expr}[${k}] !== ${JSON.stringify(key)}`)].join(' || ');
}

/** The reader's test that the object `expr` is locked otherwise than the recorded one was. */
function sealDiffers(expr: string, seal: Seal): string {
  switch (seal) {
    case 'open':
      return `!Object.isExtensible(${expr})`;
    case 'freeze':
      return `!Object.isFrozen(${expr})`;
    case 'seal':
      return `!Object.isSealed(${expr}) || Object.isFrozen(${expr})`;
    case 'preventExtensions':
      return `Object.isExtensible(${expr}) || Object.isSealed(${expr})`;
  }
}

// Plain records and instances of the user's classes (not built-ins such as Map or Date, nor
// a user's class extending one: `class Vec extends Float64Array` keeps its numbers where the
// copy has none, and Map's methods refuse the copy).
function isRecordPrototype(proto: object | null): boolean {
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const ctor = (p as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(ctor))) return false;
  }
  return true;
}

/**
 * The statements that build the gradient from `grads` (symbolic leaves) and its final
 * expression; `valueOf` gives a leaf's expression, `slotOf` its index in `V` (-1: an
 * array, held in a local), `isArray` whether a leaf is an array.
 *
 * A number is written plus 0: the eager sweep adds each input's cotangents to 0, so its
 * gradient is never -0, where the compiled sweep starts from the first contribution (a·b at
 * a = -0 gave b's gradient -0).
 */
export function gradientWriter(
  grads: unknown,
  valueOf: (id: number) => string,
  slotOf: (id: number) => number,
  isArray: (id: number) => boolean,
  indexTables: Int32Array[],
): { code: string; result: string } {
  const lines: string[] = [];
  const made = new Map<object, string>();
  const shared = sharedObjects(grads);
  let names = 0;
  let arrays = 0;
  const write = (g: unknown): string => {
    if (isSymbolic(g)) {
      if (!isArray(g.id)) return `${valueOf(g.id)} + 0`;
      arrays++;
      return `ownStorage(${valueOf(g.id)})`;
    }
    if (typeof g === 'number') return literal(g + 0);
    if (g === null || g === undefined) return String(g);
    if (typeof g !== 'object') throw new Uncompilable(`the gradient holds ${typeof g}`);
    const known = made.get(g);
    if (known !== undefined) return known;
    const name = `g${names++}`;
    made.set(g, name);
    if (Array.isArray(g)) {
      if (g.length > UNROLL && g.every((x) => isSymbolic(x) && slotOf(x.id) >= 0)) {
        const slots = Int32Array.from(g, (x) => slotOf((x as Symbolic).id));
        lines.push(`const ${name} = new Array(${g.length});`, ...gather(name, slots, indexTables));
      } else if (g.length > UNROLL && writeRecords(name, g, shared, slotOf, indexTables, lines)) {
        // (the gradient of an array of small records: one loop, a column per key)
      } else {
        lines.push(`const ${name} = [];`);
        for (const x of g) lines.push(`${name}.push(${write(x)});`);
      }
      return name;
    }
    if (Object.getPrototypeOf(g) !== Object.prototype) throw new Uncompilable(`the gradient holds a ${Object.prototype.toString.call(g)}`);
    lines.push(`const ${name} = {};`);
    for (const [key, x] of Object.entries(g)) {
      // (an own "__proto__" key is defined: assigned, it would set the prototype, and the gradient was lost)
      if (key === '__proto__') lines.push(`Object.defineProperty(${name}, "__proto__", { value: ${write(x)}, writable: true, enumerable: true, configurable: true });`);
      else lines.push(`${name}[${JSON.stringify(key)}] = ${write(x)};`);
    }
    return name;
  };
  const result = write(grads);
  if (arrays > 0) lines.unshift('const ownStorage = O();');
  return { code: lines.join('\n'), result };
}

/**
 * For one call's gradient: each NDArray handed back with storage no other of them shares (a
 * copy where one does). A cotangent handed on unchanged (add's, a reshape's) can be one
 * buffer for two inputs, and writing into one gradient's data must change no other.
 */
export function storageOwner(): (a: NDArray) => NDArray {
  const given = new Set<ArrayBufferLike>();
  return (a) => {
    const own = given.has(a.data.buffer) ? new NDArray(a.shape, a.data.slice()) : a;
    given.add(own.data.buffer);
    return own;
  };
}

/** The objects a gradient reaches by more than one way (they keep their identity: written one by one). */
function sharedObjects(grads: unknown): Set<object> {
  const seen = new Set<object>();
  const shared = new Set<object>();
  const stack: unknown[] = [grads];
  while (stack.length > 0) {
    const g = stack.pop();
    if (typeof g !== 'object' || g === null || isSymbolic(g)) continue;
    if (seen.has(g)) {
      shared.add(g);
      continue;
    }
    seen.add(g);
    for (const x of Array.isArray(g) ? g : Object.values(g)) stack.push(x);
  }
  return shared;
}

/**
 * Writes `name`, an array of plain records with the same keys (the gradient of an array of
 * small records), as one loop making a record per element, each key's values read as a
 * column: from V (evenly spaced, or through an index table), or one literal for all. False
 * (nothing written) when `g` is not such an array.
 */
function writeRecords(name: string, g: unknown[], shared: Set<object>, slotOf: (id: number) => number, indexTables: Int32Array[], lines: string[]): boolean {
  const first = g[0];
  if (typeof first !== 'object' || first === null || Object.getPrototypeOf(first) !== Object.prototype) return false;
  const keys = Object.keys(first);
  if (keys.length === 0 || keys.length > SMALL_RECORD || keys.includes('__proto__')) return false;
  for (const e of g) {
    if (typeof e !== 'object' || e === null || Object.getPrototypeOf(e) !== Object.prototype || shared.has(e)) return false;
    const own = Object.keys(e);
    if (own.length !== keys.length || own.some((k, i) => k !== keys[i])) return false;
  }
  const n = g.length;
  const columns: string[] = [];
  for (const key of keys) {
    const column = g.map((e) => (e as Record<string, unknown>)[key]);
    const c0 = column[0];
    if (column.every((x) => isSymbolic(x) && slotOf(x.id) >= 0)) {
      const slots = Int32Array.from(column, (x) => slotOf((x as Symbolic).id));
      const step = slots[1]! - slots[0]!;
      if (slots.every((v, i) => v === slots[0]! + step * i)) columns.push(`V[${slots[0]} + ${step} * i] + 0`);
      else columns.push(`V[I[${indexTables.push(slots) - 1}][i]] + 0`);
    } else if ((c0 === null || typeof c0 === 'number') && column.every((x) => Object.is(x, c0))) {
      columns.push(c0 === null ? 'null' : literal(c0 + 0));
    } else {
      return false;
    }
  }
  lines.push(`const ${name} = new Array(${n});`, `for (let i = 0; i < ${n}; i++) ${name}[i] = { ${keys.map((k, j) => `${JSON.stringify(k)}: ${columns[j]}`).join(', ')} };`);
  return true;
}

/**
 * `name[i] = V[slots[i]]` for every i: runs of evenly spaced slots (a loop's values) as
 * strided loops, single ones one by one, and irregular stretches through an index table.
 */
function gather(name: string, slots: Int32Array, indexTables: Int32Array[]): string[] {
  const lines: string[] = [];
  const n = slots.length;
  let irregular: number[] = [];
  const flush = () => {
    if (irregular.length === 0) return;
    const from = irregular[0]!;
    if (irregular.length <= UNROLL) for (const i of irregular) lines.push(`${name}[${i}] = V[${slots[i]}] + 0;`);
    else {
      const k = indexTables.push(slots.subarray(from, from + irregular.length)) - 1;
      lines.push(`for (let i = 0; i < ${irregular.length}; i++) ${name}[${from} + i] = V[I[${k}][i]] + 0;`);
    }
    irregular = [];
  };
  let i = 0;
  while (i < n) {
    const step = i + 1 < n ? slots[i + 1]! - slots[i]! : 0;
    let end = i + 1;
    while (end < n && slots[end]! - slots[end - 1]! === step) end++;
    if (end - i > UNROLL) {
      flush();
      const base = slots[i]! - step * i;
      lines.push(`for (let i = ${i}; i < ${end}; i++) ${name}[i] = V[${base} + ${step} * i] + 0;`);
      i = end;
    } else {
      irregular.push(i);
      i++;
    }
  }
  flush();
  return lines;
}

/** The symbolic values a gradient holds (the program's outputs). */
export function symbolicLeaves(grads: unknown): number[] {
  const ids: number[] = [];
  const seen = new Set<object>();
  const walk = (g: unknown) => {
    if (isSymbolic(g)) ids.push(g.id);
    else if (typeof g === 'object' && g !== null && !seen.has(g)) {
      seen.add(g);
      for (const x of Array.isArray(g) ? g : Object.values(g)) walk(x);
    }
  };
  walk(grads);
  return ids;
}
