// A small WebAssembly module encoder: just what the kernels need, written so that the code
// that emits a kernel reads like the kernel. Every instruction helper returns the bytes of
// an expression — its operands' bytes followed by its opcode — so `f64x2.add(get(s), x)`
// is "push s, push x, add", the stack machine's order. Nothing is validated here:
// `new WebAssembly.Module` does that.
//
// Binary format: https://webassembly.github.io/spec/core/binary/ (SIMD opcodes are the
// 0xFD prefix followed by a LEB128 number).

/** Bytes of code. */
export type Code = number[];

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
function uleb(n: number): Code {
  const out: Code = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const). */
function sleb(n: number): Code {
  const out: Code = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const seq = (...parts: Code[]): Code => parts.flat();
const simd = (opcode: number): Code => [0xfd, ...uleb(opcode)];
/** A memory access's immediates: log2 of the alignment, then the constant offset. */
const memarg = (alignLog2: number, offset: number): Code => [...uleb(alignLog2), ...uleb(offset)];

// ---- variables and control ----------------------------------------------------------------

export const get = (local: number): Code => [0x20, ...uleb(local)];
export const set = (local: number, value: Code): Code => [...value, 0x21, ...uleb(local)];
/** local += value (i32). */
export const inc = (local: number, value: Code): Code => set(local, seq(get(local), value, [0x6a]));

/** A block with no result; `br(depth)` to it jumps past its end. */
const block = (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b];
/** A loop with no result; `br(depth)` to it jumps back to its start. */
const loop = (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b];
/** Calls function `functionIndex` of the module with `args`. */
export const call = (functionIndex: number, ...args: Code[]): Code => [...args.flat(), 0x10, ...uleb(functionIndex)];
/** if (condition) body. */
export const when = (condition: Code, ...body: Code[]): Code => [...condition, 0x04, 0x40, ...body.flat(), 0x0b];
/** condition ? a : b, a value of `type`, evaluating only the branch taken. */
export const ifElse = (type: ValueType, condition: Code, a: Code, b: Code): Code => [...condition, 0x04, type, ...a, 0x05, ...b, 0x0b];
const br = (depth: number): Code => [0x0c, ...uleb(depth)];
const brIf = (depth: number, condition: Code): Code => [...condition, 0x0d, ...uleb(depth)];
/** Pushes `a` if `condition` is nonzero, else `b` (any one type; both are evaluated). */
export const select = (a: Code, b: Code, condition: Code): Code => seq(a, b, condition, [0x1b]);

/** A do-while loop: `body`, then again while `condition` holds. */
export const doWhile = (body: Code, condition: Code): Code => loop(body, brIf(0, condition));
/** for (; condition; step) body — the condition checked before each pass. */
export const whileLoop = (condition: Code, body: Code, step: Code): Code =>
  block(loop(brIf(1, i32.eqz(condition)), body, step, br(0)));

// ---- instructions by type -----------------------------------------------------------------

const binary = (opcode: Code) => (a: Code, b: Code): Code => seq(a, b, opcode);

export const i32 = {
  const: (n: number): Code => [0x41, ...sleb(n)],
  eqz: (a: Code): Code => [...a, 0x45],
  eq: binary([0x46]),
  ne: binary([0x47]),
  ltS: binary([0x48]),
  ltU: binary([0x49]),
  geS: binary([0x4e]),
  add: binary([0x6a]),
  sub: binary([0x6b]),
  mul: binary([0x6c]),
  and: binary([0x71]),
  shl: binary([0x74]),
  shrU: binary([0x76]),
  /** The smaller of two unsigned numbers (each operand's code runs twice: keep them pure). */
  minU: (a: Code, b: Code): Code => select(a, b, i32.ltU(a, b)),
};

const unary = (opcode: Code) => (a: Code): Code => seq(a, opcode);

/** Arithmetic of one float type: the opcodes of f32 and f64 are in the same order, f64's 0x0e further on. */
const floatOps = (shift: number) => ({
  eq: binary([0x5b + (shift ? 6 : 0)]),
  ne: binary([0x5c + (shift ? 6 : 0)]),
  lt: binary([0x5d + (shift ? 6 : 0)]),
  gt: binary([0x5e + (shift ? 6 : 0)]),
  abs: unary([0x8b + shift]),
  neg: unary([0x8c + shift]),
  ceil: unary([0x8d + shift]),
  floor: unary([0x8e + shift]),
  trunc: unary([0x8f + shift]),
  sqrt: unary([0x91 + shift]),
  add: binary([0x92 + shift]),
  sub: binary([0x93 + shift]),
  mul: binary([0x94 + shift]),
  div: binary([0x95 + shift]),
  min: binary([0x96 + shift]),
  max: binary([0x97 + shift]),
});

/** A number's bytes, little-endian, as a float of `bytes` bytes. */
const floatBytes = (x: number, bytes: 4 | 8): Code => {
  const view = new DataView(new ArrayBuffer(bytes));
  if (bytes === 4) view.setFloat32(0, x, true);
  else view.setFloat64(0, x, true);
  return [...new Uint8Array(view.buffer)];
};

export const f32 = {
  ...floatOps(0),
  const: (x: number): Code => [0x43, ...floatBytes(x, 4)],
  load: (address: Code, offset = 0): Code => seq(address, [0x2a], memarg(2, offset)),
  store: (address: Code, value: Code, offset = 0): Code => seq(address, value, [0x38], memarg(2, offset)),
  /** A float64 rounded to the nearest float32 (ties to even), as Math.fround. */
  demoteF64: unary([0xb6]),
};

export const f64 = {
  ...floatOps(0x0e),
  const: (x: number): Code => [0x44, ...floatBytes(x, 8)],
  load: (address: Code, offset = 0): Code => seq(address, [0x2b], memarg(3, offset)),
  store: (address: Code, value: Code, offset = 0): Code => seq(address, value, [0x39], memarg(3, offset)),
  promoteF32: unary([0xbb]),
};

export const memory = {
  /** Sets `length` bytes at `address` to `byte` (bulk memory). */
  fill: (address: Code, byte: Code, length: Code): Code => seq(address, byte, length, [0xfc, ...uleb(11), 0x00]),
};

export const v128 = {
  load: (address: Code, offset = 0): Code => seq(address, simd(0x00), memarg(4, offset)),
  store: (address: Code, value: Code, offset = 0): Code => seq(address, value, simd(0x0b), memarg(4, offset)),
  /** One 32-bit number loaded into all four lanes. */
  load32Splat: (address: Code, offset = 0): Code => seq(address, simd(0x09), memarg(2, offset)),
  /** One 64-bit number loaded into both lanes. */
  load64Splat: (address: Code, offset = 0): Code => seq(address, simd(0x0a), memarg(3, offset)),
  zero: (): Code => [...simd(0x0c), ...new Array<number>(16).fill(0)],
  /** Bytes picked from a (indices 0–15) and b (16–31). */
  shuffle: (a: Code, b: Code, lanes: number[]): Code => seq(a, b, simd(0x0d), lanes),
};

export const f32x4 = {
  add: binary(simd(0xe4)),
  sub: binary(simd(0xe5)),
  mul: binary(simd(0xe6)),
  div: binary(simd(0xe7)),
};

export const f64x2 = {
  add: binary(simd(0xf0)),
  sub: binary(simd(0xf1)),
  mul: binary(simd(0xf2)),
  div: binary(simd(0xf3)),
  extractLane: (a: Code, lane: number): Code => seq(a, simd(0x21), [lane]),
  /** The low two float32 lanes, widened. */
  promoteLowF32x4: (a: Code): Code => seq(a, simd(0x5f)),
};

// ---- the module -----------------------------------------------------------------------------

/** A function: its parameters and locals are numbered in the order given (parameters first). */
export interface FunctionDefinition {
  /** Exported under this name when given. */
  exportName?: string;
  params: ValueType[];
  results: ValueType[];
  locals: ValueType[];
  body: Code;
}

/** A module exporting functions, and importing one memory (`env.memory`) if given. */
export interface ModuleDefinition {
  /** A shared memory must declare its maximum; an unshared one is declared without. */
  memory?: { shared: boolean; maximumPages: number };
  functions: FunctionDefinition[];
}

const vector = (items: Code[]): Code => [...uleb(items.length), ...items.flat()];
const name = (text: string): Code => vector([...new TextEncoder().encode(text)].map((byte) => [byte]));
const section = (id: number, content: Code): Code => [id, ...uleb(content.length), ...content];

export function encodeModule(module: ModuleDefinition): Uint8Array<ArrayBuffer> {
  const signatures: string[] = [];
  const types: Code[] = [];
  const typeIndex = (f: FunctionDefinition): number => {
    const key = `${f.params}|${f.results}`;
    let at = signatures.indexOf(key);
    if (at < 0) {
      at = signatures.push(key) - 1;
      types.push([0x60, ...vector(f.params.map((t) => [t])), ...vector(f.results.map((t) => [t]))]);
    }
    return at;
  };
  const functionTypes = module.functions.map((f) => uleb(typeIndex(f)));
  const imports: Code[] = [];
  if (module.memory) {
    const { shared, maximumPages } = module.memory;
    const limits = shared ? [0x03, 0x00, ...uleb(maximumPages)] : [0x00, 0x00];
    imports.push([...name('env'), ...name('memory'), 0x02, ...limits]);
  }
  const exports = module.functions.flatMap((f, index) => (f.exportName ? [[...name(f.exportName), 0x00, ...uleb(index)]] : []));
  const bodies = module.functions.map((f) => {
    // locals as runs of one type
    const runs: Code[] = [];
    for (let i = 0; i < f.locals.length; ) {
      let j = i;
      while (j < f.locals.length && f.locals[j] === f.locals[i]) j++;
      runs.push([...uleb(j - i), f.locals[i]!]);
      i = j;
    }
    const content = [...vector(runs), ...f.body, 0x0b];
    return [...uleb(content.length), ...content];
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector(imports)),
    ...section(3, vector(functionTypes)),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}

/** Numbers a function's parameters and locals while its code is written. */
export class FunctionBuilder {
  private readonly paramTypes: ValueType[] = [];
  private readonly localTypes: ValueType[] = [];

  /** Declares the parameters (before any local); returns their indices. */
  params(...types: ValueType[]): number[] {
    if (this.localTypes.length > 0) throw new Error('zygote-ts: wasm encoder: parameters come before locals.');
    const first = this.paramTypes.push(...types) - types.length;
    return types.map((_, i) => first + i);
  }

  local(type: ValueType): number {
    return this.paramTypes.length + this.localTypes.push(type) - 1;
  }

  define(body: Code, results: ValueType[] = [], exportName?: string): FunctionDefinition {
    return { params: this.paramTypes, results, locals: this.localTypes, body, ...(exportName ? { exportName } : {}) };
  }
}
