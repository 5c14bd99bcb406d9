// A fused float32 loop (./fuse.ts) as WebAssembly. JavaScript has no float32 arithmetic: the
// loop fuse.ts writes rounds after every operation with Math.fround, which costs about as much
// as the arithmetic itself (Rosenbrock over 10⁵ float32 elements: 0.94 ms, the same loop
// without the rounding 0.30 ms). WebAssembly's f32 operations round as they go: + − × ÷ and
// sqrt of float32 numbers computed in float64 and rounded once give the float32 result (the
// double has more than twice the float's digits), so the module computes exactly what the
// JavaScript loop does, element for element, and sums add in the same order, in float64.
//
// The loop arrives as statements over expressions (`Loop`), written beside the JavaScript
// by fuse.ts. Only operations WebAssembly has are taken (+ − × ÷, sqrt, abs, floor, ceil,
// trunc, min and max of two); a loop with any other (sin, exp, a user's function) stays
// JavaScript. The arrays are copied into one memory for fused loops and the outputs back.

import { F32, F64, I32, encodeModule, f32, f64, get, i32, ifElse, inc, select, set, whileLoop, type Code, type ValueType } from '../kernels/wasm/encoder.js';

/** How an element (or a number) of the loop is computed. */
export type Node =
  | { readonly kind: 'constant'; readonly x: number }
  /** A number parameter of the loop function. */
  | { readonly kind: 'number'; readonly param: number }
  /** An array parameter's element i + offset. */
  | { readonly kind: 'load'; readonly param: number; readonly offset: number }
  /** An array parameter's element i − from where from ≤ i < to, else 0. */
  | { readonly kind: 'place'; readonly param: number; readonly from: number; readonly to: number }
  | { readonly kind: 'arithmetic'; readonly op: '+' | '-' | '*' | '/'; readonly a: Value; readonly b: Value }
  | { readonly kind: 'math'; readonly name: string; readonly args: readonly Value[] }
  /** 0 where x is NaN and (without g) always, or where g is 0; else x. */
  | { readonly kind: 'zeroNaN'; readonly x: Value; readonly g: Value | null }
  /** A number (or an element) stored as an element. */
  | { readonly kind: 'round'; readonly x: Value }
  | { readonly kind: 'carry'; readonly carry: number }
  /** Something WebAssembly does not do here. */
  | { readonly kind: 'other' };

/** An expression of the loop: an element of the arrays' dtype, or (`scalar`) a float64 number. */
export interface Value {
  readonly node: Node;
  readonly scalar: boolean;
}

export type Statement =
  /** The value computed once, into a local. */
  | { readonly kind: 'bind'; readonly value: Value }
  | { readonly kind: 'sum'; readonly sum: number; readonly value: Value }
  /** Into array parameter `param` at element i (`at`: at that element, after the loop). */
  | { readonly kind: 'store'; readonly param: number; readonly at: number | null; readonly value: Value }
  | { readonly kind: 'carry'; readonly carry: number; readonly value: Value };

export interface Loop {
  /** Elements the loop runs over. */
  readonly n: number;
  /** What each parameter of the loop function is. */
  readonly params: readonly ('read' | 'write' | 'number' | 'other')[];
  readonly carries: number;
  readonly sums: number;
  readonly body: readonly Statement[];
  /** After the loop: the last element's lines (they read carries and constants). */
  readonly last: readonly Statement[];
}

/** Runs the loop on the loop function's arguments; returns its sums, or null where the memory cannot grow so far. */
export type Runner = (...args: unknown[]) => Float64Array | null;

/** Below this many elements the copies and the call cost more than the rounding saves. */
export const WASM_LOOP_CUTOFF = 256;

const MATH: Record<string, { arity: number; op: keyof ReturnType<typeof opsOf> | 'sign' }> = {
  'Math.sqrt': { arity: 1, op: 'sqrt' },
  'Math.abs': { arity: 1, op: 'abs' },
  'Math.floor': { arity: 1, op: 'floor' },
  'Math.ceil': { arity: 1, op: 'ceil' },
  'Math.trunc': { arity: 1, op: 'trunc' },
  'Math.min': { arity: 2, op: 'min' },
  'Math.max': { arity: 2, op: 'max' },
  'Math.sign': { arity: 1, op: 'sign' },
};
const opsOf = (scalar: boolean) => (scalar ? f64 : f32);
const zero = (scalar: boolean) => (scalar ? f64.const(0) : f32.const(0));
/** Math.sign: 1 above 0, −1 below, else x itself (±0, NaN). `x` is read three times: a local or a load. */
const sign = (x: Code, scalar: boolean): Code => {
  const ops = opsOf(scalar);
  return select(ops.const(1), select(ops.const(-1), x, ops.lt(x, zero(scalar))), ops.gt(x, zero(scalar)));
};
const ARITHMETIC = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' } as const;

/** The module's code for a float32 loop, or undefined where it has an operation WebAssembly does not do here. */
export function loopModule(loop: Loop): Uint8Array<ArrayBuffer> | undefined {
  if (loop.params.includes('other')) return undefined;
  // Parameters: an address (i32) for each array, a float64 for each number; then the sums' address.
  const paramTypes: ValueType[] = loop.params.map((kind) => (kind === 'number' ? F64 : I32));
  const sumsAt = paramTypes.push(I32) - 1;
  const locals: ValueType[] = [];
  const local = (type: ValueType) => paramTypes.length + locals.push(type) - 1;
  const i = local(I32);
  const carries = Array.from({ length: loop.carries }, () => local(F32));
  const sums = Array.from({ length: loop.sums }, () => local(F64));
  const bound = new Map<Value, number>();
  const typeOf = (v: Value) => (v.scalar ? F64 : F32);
  const address = (param: number, index: Code): Code => i32.add(get(param), i32.shl(index, i32.const(2)));
  const indexPlus = (k: number): Code => (k === 0 ? get(i) : i32.add(get(i), i32.const(k)));

  /** The code pushing v, or undefined. */
  const code = (v: Value): Code | undefined => {
    const local = bound.get(v);
    if (local !== undefined) return get(local);
    const node = v.node;
    switch (node.kind) {
      case 'constant':
        return v.scalar ? f64.const(node.x) : f32.const(node.x);
      case 'number':
        return v.scalar ? get(node.param) : undefined;
      case 'carry':
        return get(carries[node.carry]!);
      case 'load':
        return f32.load(address(node.param, indexPlus(node.offset)));
      case 'place':
        return ifElse(F32, i32.and(i32.geS(get(i), i32.const(node.from)), i32.ltS(get(i), i32.const(node.to))), f32.load(address(node.param, indexPlus(-node.from))), f32.const(0));
      case 'arithmetic': {
        const a = v.scalar ? code(node.a) : element(node.a);
        const b = v.scalar ? code(node.b) : element(node.b);
        return a && b && opsOf(v.scalar)[ARITHMETIC[node.op]](a, b);
      }
      case 'math': {
        const math = MATH[node.name];
        if (math === undefined || math.arity !== node.args.length || node.args.some((x) => x.scalar !== v.scalar)) return undefined;
        const args = node.args.map(code);
        if (args.some((x) => x === undefined)) return undefined;
        if (math.op === 'sign') return sign(args[0]!, v.scalar);
        const op = opsOf(v.scalar)[math.op] as (...xs: Code[]) => Code;
        return op(...(args as Code[]));
      }
      case 'zeroNaN': {
        const x = code(node.x);
        const ops = opsOf(node.x.scalar);
        if (x === undefined) return undefined;
        const isNaN = ops.ne(x, x);
        if (node.g === null) return select(zero(node.x.scalar), x, isNaN);
        const g = code(node.g);
        return g && select(zero(node.x.scalar), x, i32.and(isNaN, opsOf(node.g.scalar).eq(g, zero(node.g.scalar))));
      }
      case 'round':
        return element(node.x);
      case 'other':
        return undefined;
    }
  };
  /** v as an element: a number rounded to float32, as Math.fround and a Float32Array store do. */
  const element = (v: Value): Code | undefined => {
    const c = code(v);
    return c && (v.scalar ? f32.demoteF64(c) : c);
  };
  const statements = (list: readonly Statement[]): Code | undefined => {
    const out: Code = [];
    for (const s of list) {
      let c: Code | undefined;
      if (s.kind === 'bind') {
        const value = code(s.value);
        if (value === undefined) return undefined;
        const at = local(typeOf(s.value));
        c = set(at, value);
        bound.set(s.value, at);
      } else if (s.kind === 'sum') {
        const value = code(s.value);
        c = value && set(sums[s.sum]!, f64.add(get(sums[s.sum]!), s.value.scalar ? value : f64.promoteF32(value)));
      } else if (s.kind === 'store') {
        const value = element(s.value);
        c = value && f32.store(s.at === null ? address(s.param, get(i)) : i32.add(get(s.param), i32.const(4 * s.at)), value);
      } else {
        const value = element(s.value);
        c = value && set(carries[s.carry]!, value);
      }
      if (c === undefined) return undefined;
      out.push(...c);
    }
    return out;
  };
  const body = statements(loop.body);
  const last = statements(loop.last);
  if (body === undefined || last === undefined) return undefined;
  const loopCode = [
    ...whileLoop(i32.ltS(get(i), i32.const(loop.n)), body, inc(i, i32.const(1))),
    ...last,
    ...sums.flatMap((s, k) => f64.store(i32.add(get(sumsAt), i32.const(8 * k)), get(s))),
  ];
  return encodeModule({
    memory: { shared: false, maximumPages: 0 },
    functions: [{ exportName: 'loop', params: paramTypes, results: [], locals, body: loopCode }],
  });
}

const PAGE = 65536;
/** Arrays start on cache lines. */
const ALIGN = 64;
const roundUp = (x: number, m: number) => Math.ceil(x / m) * m;

/** The memory of the fused loops: one for all (JavaScript runs one loop at a time), grown on demand. */
let memory: WebAssembly.Memory | undefined;
let f32View = new Float32Array(0);
let f64View = new Float64Array(0);
function reserve(bytes: number): boolean {
  memory ??= new WebAssembly.Memory({ initial: 1 });
  const have = memory.buffer.byteLength;
  if (bytes > have) {
    try {
      memory.grow(Math.ceil((bytes - have) / PAGE));
    } catch {
      return false; // (a wasm32 memory holds 4 GiB, and the engine may give less)
    }
  }
  if (f32View.buffer !== memory.buffer) {
    f32View = new Float32Array(memory.buffer);
    f64View = new Float64Array(memory.buffer);
  }
  return true;
}

/** Compiled modules by their code (the loops of a Runge–Kutta step are one loop many times). */
const modules = new Map<string, WebAssembly.Module>();

/** A function running `loop` as WebAssembly, or undefined (an operation it lacks, or an engine that will not compile it). */
export function wasmLoop(loop: Loop): Runner | undefined {
  if (typeof WebAssembly !== 'object') return undefined;
  const bytes = loopModule(loop);
  if (bytes === undefined) return undefined;
  let exports: { loop: (...args: number[]) => void };
  try {
    if (!reserve(PAGE)) return undefined;
    const key = bytes.join();
    let module = modules.get(key);
    if (module === undefined) {
      if (modules.size >= 256) modules.clear();
      modules.set(key, (module = new WebAssembly.Module(bytes)));
    }
    exports = new WebAssembly.Instance(module, { env: { memory: memory! } }).exports as typeof exports;
  } catch {
    return undefined; // (a browser's main thread compiles only small modules synchronously)
  }
  const { params, sums } = loop;
  const addresses: number[] = new Array(params.length + 1);
  return (...args: unknown[]) => {
    let top = ALIGN;
    const at: number[] = [];
    for (let j = 0; j < params.length; j++) {
      if (params[j] === 'number') continue;
      const a = args[j];
      if (!(a instanceof Float32Array)) throw new Error('zygote-ts: internal error: a float32 loop was given an array of another type');
      at[j] = top;
      top = roundUp(top + 4 * a.length, ALIGN);
    }
    const sumsAt = top;
    if (!reserve(sumsAt + 8 * sums)) return null;
    for (let j = 0; j < params.length; j++) {
      if (params[j] === 'number') addresses[j] = args[j] as number;
      else {
        addresses[j] = at[j]!;
        if (params[j] === 'read') f32View.set(args[j] as Float32Array, at[j]! / 4);
      }
    }
    addresses[params.length] = sumsAt;
    exports.loop(...addresses);
    for (let j = 0; j < params.length; j++) {
      if (params[j] !== 'write') continue;
      const a = args[j] as Float32Array;
      a.set(f32View.subarray(at[j]! / 4, at[j]! / 4 + a.length));
    }
    return f64View.subarray(sumsAt / 8, sumsAt / 8 + sums);
  };
}
