// How a compiled path meets its arguments. When f is recorded, its arguments are copied
// with each number replaced by a symbolic input; the same walk writes the code that, on
// later calls, checks that the arguments have that structure (same array lengths, same
// keys and classes, NDArrays of the same shape and dtype, the same non-number values) and
// reads their numbers into `X` and their NDArrays into `A`.
// The gradient f's recording returned — the same structure with symbolic leaves — is
// turned into the code that builds the compiled gradient.

import { Symbolic, isSymbolic } from '../core/symbolic.js';
import { NDArray, isNDArray } from '../ndarray.js';
import { Params } from '../params.js';
import { isTraced } from '../core/traced.js';
import type { Program } from './program.js';
import { literal } from './codegen.js';

/** f cannot be compiled (it still runs, uncompiled): the message says why. */
export class Uncompilable extends Error {
  /** Only this call cannot be (its arguments are traced by an enclosing differentiation). */
  constructor(message: string, readonly thisCallOnly = false) {
    super(message);
  }
}

export interface SymbolicArguments {
  /** The copy f is recorded on. */
  readonly values: unknown[];
  /** Statements that check `args` and fill `X` (`return MISS` when the structure differs). */
  readonly reader: string;
  /** Objects the reader compares against (`C[k]`). */
  readonly constants: unknown[];
  /** True if f changed the copy (wrote to its arguments): compiled code would not. */
  changed(): boolean;
}

/** Arrays of more numbers than this are read in a loop. */
const UNROLL = 8;
/** Objects are read one by one: past this many, the generated reader would be too long. */
const MAX_OBJECTS = 5000;

/** The symbolic copy of `args` and its reader; `arrays` receives each NDArray argument's program value. */
export function symbolicArguments(args: readonly unknown[], program: Program, arrays: Map<NDArray, number>): SymbolicArguments {
  const lines: string[] = [];
  const constants: unknown[] = [];
  const copies = new Map<object, { copy: object; name: string }>();
  const written: [object, PropertyKey, unknown][] = [];
  const sizes: [object, number][] = [];
  const arrayArguments: NDArray[] = [];
  let names = 0;
  const constant = (x: unknown) => {
    const k = constants.indexOf(x);
    return `C[${k >= 0 ? k : constants.push(x) - 1}]`;
  };

  const visit = (value: unknown, expr: string, path: string): unknown => {
    if (isTraced(value) || (isNDArray(value) && value.tape !== null)) {
      throw new Uncompilable(`argument ${path} is traced by an enclosing differentiation: that call runs uncompiled`, true);
    }
    if (typeof value === 'number') {
      lines.push(`if (typeof ${expr} !== 'number') return MISS;`, `X[${program.inputCount}] = ${expr};`); // (inputs are numbered in order)
      return program.input(value);
    }
    if (typeof value !== 'object' || value === null) {
      lines.push(`if (${expr} !== ${constant(value)}) return MISS;`);
      return value;
    }
    const seen = copies.get(value);
    if (seen !== undefined) {
      lines.push(`if (${expr} !== ${seen.name}) return MISS;`);
      return seen.copy;
    }
    const name = `o${names++}`;
    if (names > MAX_OBJECTS) {
      throw new Uncompilable(`the arguments hold more than ${MAX_OBJECTS} objects, which compiled code would read one by one (arrays of numbers and NDArrays are read whole)`);
    }
    lines.push(`const ${name} = ${expr};`);
    if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
      const copy: unknown[] = [];
      copies.set(value, { copy, name });
      sizes.push([copy, value.length]);
      lines.push(`if (!Array.isArray(${name}) || ${name}.length !== ${value.length}) return MISS;`);
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
      } else {
        value.forEach((v, i) => copy.push(visit(v, `${name}[${i}]`, `${path}[${i}]`)));
      }
      copy.forEach((v, i) => written.push([copy, i, v]));
      return copy;
    }
    if (value instanceof Params) throw new Uncompilable('implicit parameters (Params) are not compiled yet: pass the arrays as arguments');
    if (isNDArray(value)) {
      // An array argument is an object input, read from A; its shape and dtype are part of the path.
      const k = arrayArguments.push(value) - 1;
      copies.set(value, { copy: value, name });
      lines.push(
        `if (!(${name} instanceof ${constant(NDArray)}) || ${name}.tape !== null || ${name}.dtype !== ${JSON.stringify(value.dtype)} || ` +
          `${name}.shape.length !== ${value.shape.length}${value.shape.map((d, i) => ` || ${name}.shape[${i}] !== ${d}`).join('')}) return MISS;`,
        `A[${k}] = ${name};`,
      );
      return value;
    }
    const proto = Object.getPrototypeOf(value) as object | null;
    if (!isRecordPrototype(proto)) {
      throw new Uncompilable(`argument ${path} is a ${proto?.constructor?.name ?? 'special object'}; compileGradient reads numbers, NDArrays, and arrays and objects of them`);
    }
    const copy = Object.create(proto) as Record<string, unknown>;
    copies.set(value, { copy, name });
    const keys = Object.keys(value);
    sizes.push([copy, keys.length]);
    lines.push(`if (typeof ${name} !== 'object' || ${name} === null || Object.getPrototypeOf(${name}) !== ${constant(proto)} || Object.keys(${name}).length !== ${keys.length}) return MISS;`);
    for (const key of keys) {
      const v = visit((value as Record<string, unknown>)[key], `${name}[${JSON.stringify(key)}]`, `${path}.${key}`);
      copy[key] = v;
      written.push([copy, key, v]);
    }
    return copy;
  };

  lines.push(`if (args.length !== ${args.length}) return MISS;`);
  const values = args.map((arg, i) => visit(arg, `args[${i}]`, `${i}`));
  // (after every number input, so that value k < inputCount is input k)
  arrayArguments.forEach((x, k) => arrays.set(x, program.argument(k)));
  if (copies.size > 1) addDistinctnessCheck(lines, copies);
  return {
    values,
    reader: lines.join('\n'),
    constants,
    changed: () =>
      written.some(([o, key, v]) => !Object.is((o as Record<PropertyKey, unknown>)[key], v)) ||
      sizes.some(([o, n]) => (Array.isArray(o) ? o.length : Object.keys(o).length) !== n),
  };
}

// Objects that were distinct when f was recorded must be distinct now: an object passed
// twice shares one gradient (contributions add), which the compiled path does not do.
function addDistinctnessCheck(lines: string[], copies: Map<object, { name: string }>): void {
  const names = [...copies.values()].map((c) => c.name);
  lines.push(`const distinct = new Set([${names.join(', ')}]);`, `if (distinct.size !== ${names.length}) return MISS;`);
}

// Plain records and instances of the user's classes (not built-ins such as Map or Date).
function isRecordPrototype(proto: object | null): boolean {
  if (proto === null || proto === Object.prototype) return true;
  const ctor = (proto as { constructor?: unknown }).constructor;
  if (typeof ctor !== 'function') return true;
  return !/\{\s*\[native code\]\s*\}\s*$/.test(Function.prototype.toString.call(ctor));
}

/**
 * The statements that build the gradient from `grads` (symbolic leaves) and its final
 * expression; `valueOf` gives a leaf's expression, `slotOf` its index in `V` (-1: an
 * array, held in a local).
 */
export function gradientWriter(
  grads: unknown,
  valueOf: (id: number) => string,
  slotOf: (id: number) => number,
  indexTables: Int32Array[],
): { code: string; result: string } {
  const lines: string[] = [];
  const made = new Map<object, string>();
  let names = 0;
  const write = (g: unknown): string => {
    if (isSymbolic(g)) return valueOf(g.id);
    if (typeof g === 'number') return literal(g);
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
      } else {
        lines.push(`const ${name} = [];`);
        for (const x of g) lines.push(`${name}.push(${write(x)});`);
      }
      return name;
    }
    if (Object.getPrototypeOf(g) !== Object.prototype) throw new Uncompilable(`the gradient holds a ${Object.prototype.toString.call(g)}`);
    lines.push(`const ${name} = {};`);
    for (const [key, x] of Object.entries(g)) lines.push(`${name}[${JSON.stringify(key)}] = ${write(x)};`);
    return name;
  };
  const result = write(grads);
  return { code: lines.join('\n'), result };
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
    if (irregular.length <= UNROLL) for (const i of irregular) lines.push(`${name}[${i}] = V[${slots[i]}];`);
    else {
      const k = indexTables.push(slots.subarray(from, from + irregular.length)) - 1;
      lines.push(`for (let i = 0; i < ${irregular.length}; i++) ${name}[${from} + i] = V[I[${k}][i]];`);
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
      lines.push(`for (let i = ${i}; i < ${end}; i++) ${name}[i] = V[${base} + ${step} * i];`);
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
