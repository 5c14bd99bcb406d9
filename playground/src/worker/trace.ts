// @zygote-ignore — this file looks at traced values as they are; it must not be rewritten.
//
// The trace graph of each differentiation call, recorded from the outside. The core's tape
// has no public reader, so the worker hands user code (and culori, rewritten at build time)
// an instrumented copy of the runtime table `__zy` and of zygote-ts's exports: each
// operation on a traced value is logged as a node with its operands, and each traced
// operand is passed through `hook`, whose pullback notes the cotangent flowing back along
// that edge. The graph therefore shows the library's own backward pass, not a recomputation.
// It produces the `Graph` of trace-model.ts; playground/README.md describes the core hook
// that would let a tape reader produce it instead.
//
// Every function that user code can reach here (and hand to `gradient`) has a one-line
// body with no operators: the library recompiles a function given to `gradient` whose
// source the transform would change, and these must be run as they are.
import * as Z from 'zygote-ts';
import * as acorn from 'acorn';
import { isTracedScalar, num, primal, type Num } from '../describe.js';
import type { CallInfo, Graph, GraphEdge, Pos, Summary } from '../trace-model.js';

export type { CallInfo, Graph, GraphEdge, GraphNode, Summary } from '../trace-model.js';

/** The largest graph recorded per call (a bigger one is cut, and says so). */
export const NODE_LIMIT = 600;
/** Differentiation calls recorded with their graphs. */
const CALL_LIMIT = 100;
/** Steps of minimize recorded (a point and a value each, no graph). */
const STEP_LIMIT = 2000;
const API = ['pullback', 'gradient', 'withgradient', 'derivative', 'hessian', 'jacobian', 'withjacobian'] as const;
/** Exports recorded as one node each (their insides are not looked into). */
const ARRAY_OPS = new Set([
  'matmul', 'transpose', 'dot', 'outer', 'broadcastTo', 'get', 'reshape', 'add', 'sub', 'mul', 'div', 'pow', 'neg',
  'exp', 'log', 'sqrt', 'abs', 'tanh', 'sigmoid', 'relu', 'maximum', 'minimum', 'abs2', 'sum', 'mean', 'prod', 'max',
  'min', 'sumsq', 'logsumexp', 'softmax', 'cumsum', 'concat', 'stack', 'slice', 'row', 'map', 'checkpointed',
]);
const INFIX: Record<string, string> = { add: '+', sub: '−', mul: '×', div: '÷', mod: '%', pow: '^' };
const PREFIX: Record<string, string> = { neg: '−', pos: '+' };
const POSTFIX: Record<string, string> = { inc: '+ 1', dec: '− 1' };

interface Session {
  call: CallInfo;
  graph: Graph;
  /** Where the user's code called the differentiation (its frames below this are not f's). */
  callAt: Pos | null;
  ids: WeakMap<object, number>;
  labels: WeakMap<object, string>;
  recording: boolean;
  invoked: boolean;
}

let session: Session | null = null;
/** Inside an operation being recorded (its own work is not user code). */
let opDepth = 0;
/** Inside a nested differentiation, or sampling a plot: record nothing. */
let suspended = 0;
const calls: CallInfo[] = [];
let tracedCalls = 0;
let steps = 0;
/** Told after each recorded call has ended (the worker's progress posts). */
let recordedListener: (() => void) | null = null;
const scalarFns = new Map<number, (x: number) => unknown>();
/** For a function of two numbers: f, and its arguments with those two numbers replaced. */
const planeFns = new Map<number, { f: (...args: unknown[]) => number; args: (x: number, y: number) => unknown[]; read: (grads: unknown[]) => [number, number] }>();
/** Each differentiated function's number (CallInfo.fn), so that calls of the same f are seen together. */
const fnNumbers = new WeakMap<object, number>();
let nextFn = 0;
/** The compiled gradients (compileGradient) the user's code made, with where it made them. */
const compiledGradients: { at: Pos | null; g: { source: string } }[] = [];

export function isTraced(x: unknown): boolean {
  if (x instanceof Z.NDArray) return x.tracedTape !== null;
  return isTracedScalar(x) && x.tracedTape.active;
}

export function summarize(x: unknown): Summary {
  const p = primal(x);
  if (typeof p === 'number') return { n: num(p) };
  if (p instanceof Z.NDArray) {
    const data = Array.from(p.data.subarray(0, 24), num);
    return p.size > data.length ? { shape: [...p.shape], data, more: p.size - data.length } : { shape: [...p.shape], data };
  }
  try {
    return { s: String(p) };
  } catch {
    return { s: '?' };
  }
}

function brief(x: unknown): string {
  if (typeof x === 'number') return String(Number(x.toPrecision(6)));
  if (x instanceof Z.NDArray) return `[${x.shape.join('×')}]`;
  if (Array.isArray(x)) return x.length <= 3 && x.every((v) => typeof v === 'number') ? `[${x.join(', ')}]` : `[…${x.length}]`;
  if (typeof x === 'string') return JSON.stringify(x);
  if (x === null || x === undefined || typeof x === 'boolean') return String(x);
  if (typeof x === 'function') return 'ƒ';
  const s = String(x);
  return s.startsWith('[object') ? '{…}' : s;
}

function nodeFor(s: Session, x: object): number {
  const known = s.ids.get(x);
  if (known !== undefined) return known;
  const label = s.labels.get(x);
  const id = s.graph.nodes.length;
  s.graph.nodes.push({ id, kind: label === undefined ? 'leaf' : 'input', label: label ?? 'traced', value: summarize(x) });
  s.ids.set(x, id);
  return id;
}

/** An operand passed on through `hook`, so that its edge learns its cotangent. */
function watched(s: Session, x: object, to: GraphEdge[], from = nodeFor(s, x)): unknown {
  const edge: GraphEdge = { from, to: -1, grad: null };
  s.graph.edges.push(edge);
  to.push(edge);
  return Z.hook((g: number | Z.NDArray) => {
    edge.grad = summarize(g);
    return g;
  }, x as number | Z.NDArray);
}

/** Arrays of numbers larger than this are drawn as one node without per-element gradients. */
const GROUP_LIMIT = 256;

/** The traced numbers of a plain nested array, in row-major order (null past the limits). */
function tracedElements(a: readonly unknown[], depth = 0, out: { shape: number[]; flat: unknown[] } = { shape: [], flat: [] }): { shape: number[]; flat: unknown[] } | null {
  if (depth > 4 || out.flat.length > GROUP_LIMIT) return null;
  if (out.shape.length === depth) out.shape.push(a.length);
  for (const v of a) {
    if (Array.isArray(v)) {
      if (tracedElements(v, depth + 1, out) === null) return null;
    } else out.flat.push(v);
  }
  return out;
}

function containsTraced(a: readonly unknown[], depth = 0): boolean {
  if (depth > 4) return false;
  return a.some((v) => isTraced(v) || (Array.isArray(v) && containsTraced(v, depth + 1)));
}

/**
 * `a` with each traced number passed through `f` with its place among all the leaves in
 * row-major order (untraced ones count: they hold places in the edge's cotangent too), the
 * same nesting, a new array.
 */
function mapDeep(a: readonly unknown[], f: (v: unknown, at: number) => unknown, counter = { at: 0 }): unknown[] {
  return a.map((v) => {
    if (Array.isArray(v)) return mapDeep(v, f, counter);
    const at = counter.at++;
    return isTraced(v) ? f(v, at) : v;
  });
}

/**
 * A plain array holding traced numbers, as one operand: an input node when it is (part of)
 * an argument or a parameter, otherwise a node that packs its elements. One edge carries
 * the elementwise cotangent, gathered from a hook on each element.
 */
function group(s: Session, a: unknown[], to: GraphEdge[]): unknown {
  const els = tracedElements(a);
  let id = s.ids.get(a);
  if (id === undefined) {
    id = s.graph.nodes.length;
    const label = s.labels.get(a);
    const value: Summary = els ? { shape: els.shape, data: els.flat.map((v) => num(Number(primal(v)))) } : { s: `array of ${a.length}` };
    if (label !== undefined) s.graph.nodes.push({ id, kind: 'input', label, value });
    else {
      s.graph.nodes.push({ id, kind: 'op', label: 'array', detail: `[${a.length <= 3 ? a.map((v) => (isTraced(v) ? '·' : Array.isArray(v) ? '[…]' : brief(v))).join(', ') : `… ${a.length}`}]`, value });
      // Elements computed by recorded operations feed the pack.
      if (els && els.flat.length <= 24) {
        for (const v of els.flat) if (isTraced(v) && s.ids.has(v as object)) s.graph.edges.push({ from: s.ids.get(v as object)!, to: id, grad: null });
      }
    }
    s.ids.set(a, id);
  }
  const edge: GraphEdge = { from: id, to: -1, grad: null };
  s.graph.edges.push(edge);
  to.push(edge);
  if (els === null) return a;
  const parts: Num[] = els.flat.map(() => 0);
  return mapDeep(a, (v, at) =>
    Z.hook((g: number) => {
      parts[at] = num(Number(primal(g)));
      edge.grad = { shape: els.shape, data: [...parts] };
      return g;
    }, v as number),
  );
}

/** Runs one operation, recording it when a traced operand makes it part of the trace. */
function op(name: string, fn: Function, self: unknown, args: unknown[], closed: boolean): unknown {
  const s = session;
  if (s === null || !s.recording || opDepth > 0 || suspended > 0) return closed ? opaque(fn, self, args) : fn.apply(self, args);
  const traced = args.some((a) => isTraced(a) || (Array.isArray(a) && containsTraced(a)));
  if (!traced) return closed ? opaque(fn, self, args) : fn.apply(self, args);
  if (s.graph.nodes.length >= NODE_LIMIT) {
    s.graph.truncated = true;
    return opaque(fn, self, args);
  }
  const edges: GraphEdge[] = [];
  const shown: string[] = [];
  const passed = args.map((a) => {
    if (isTraced(a)) {
      shown.push('·');
      return watched(s, a as object, edges);
    }
    if (Array.isArray(a) && containsTraced(a)) {
      // A list of arrays (concat, stack): one edge per array; numbers: the array as one operand.
      if (a.some((v) => v instanceof Z.NDArray) && a.every((v) => !isTraced(v) || v instanceof Z.NDArray)) {
        shown.push(`[${a.map((v) => (isTraced(v) ? '·' : brief(v))).join(', ')}]`);
        return a.map((v) => (isTraced(v) ? watched(s, v as object, edges) : v));
      }
      shown.push('·');
      return group(s, a, edges);
    }
    shown.push(brief(a));
    return a;
  });
  const result = opaque(fn, self, passed);
  if (!isTraced(result) || passed.includes(result)) {
    // Not a traced value after all (a comparison, an identity): no node, no edges.
    s.graph.edges = s.graph.edges.filter((e) => !edges.includes(e));
    return result;
  }
  const id = s.graph.nodes.length;
  const label = INFIX[name] ?? PREFIX[name] ?? POSTFIX[name] ?? name;
  const detail =
    INFIX[name] !== undefined && shown.length === 2 ? `${shown[0]} ${INFIX[name]} ${shown[1]}`
    : PREFIX[name] !== undefined ? `${PREFIX[name]}${shown[0]}`
    : POSTFIX[name] !== undefined ? `${shown[0]} ${POSTFIX[name]}`
    : `${name}(${shown.join(', ')})`;
  const where = framesTaken++ < FRAMES_PER_RUN ? userFrames(s.callAt) : {};
  s.graph.nodes.push({ id, kind: 'op', label, detail, value: summarize(result), ...where });
  for (const e of edges) e.to = id;
  s.ids.set(result as object, id);
  return result;
}

function opaque(fn: Function, self: unknown, args: unknown[]): unknown {
  opDepth++;
  try {
    return fn.apply(self, args);
  } finally {
    opDepth--;
  }
}

/**
 * A recorded operation as user code sees it: a one-line body (see the top of the file).
 * `closed`: a library function whose own work (a scalar function `map` runs, a rule's
 * pullback) is not recorded; the runtime's operators are open, since `a + b` on objects
 * calls the user's own operator methods, whose operations belong in the graph.
 */
function recorded(name: string, fn: Function, closed: boolean): Function {
  const wrapper = function (this: unknown, ...args: unknown[]) { return op(name, fn, this, args, closed); };
  Object.defineProperty(wrapper, 'name', { value: fn.name });
  return wrapper;
}

type Runtime = typeof Z.__zy;

/** The runtime table user code and culori call: the real one, with arithmetic and `Math` recorded. */
export function instrumentRuntime(real: Runtime): Runtime {
  const table: Record<string, unknown> = { ...real };
  for (const name of ['add', 'sub', 'mul', 'div', 'mod', 'pow', 'neg', 'pos', 'inc', 'dec'] as const) {
    table[name] = recorded(name, real[name] as Function, false);
  }
  const math: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(real.Math)) {
    const v = (real.Math as unknown as Record<string, unknown>)[name];
    math[name] = typeof v === 'function' ? recorded(name, v, false) : v;
  }
  table['Math'] = Object.freeze(math);
  return Object.freeze(table) as unknown as Runtime;
}

/** zygote-ts's exports as user code imports them: differentiation calls open a recording, array operations are recorded. */
export function instrumentLibrary(lib: typeof Z): Record<string, unknown> {
  const out: Record<string, unknown> = { ...lib };
  for (const name of API) out[name] = differentiation(name, lib[name] as Function);
  const minimize = lib.minimize as Function;
  out['minimize'] = function (this: unknown, f: unknown, x0: unknown, options?: unknown) { return minimizeRecorded(minimize, this, f, x0, options); };
  for (const name of ARRAY_OPS) if (typeof out[name] === 'function') out[name] = recorded(name, out[name] as Function, true);
  const compile = lib.compileGradient as Function;
  out['compileGradient'] = function (this: unknown, ...args: unknown[]) { return remember(compile.apply(this, args) as { source: string }); };
  const rule = lib.rule as Function;
  out['rule'] = function (...args: unknown[]) { return recorded('rule', rule(...args) as Function, true); };
  return out;
}

function remember(g: { source: string }): { source: string } {
  compiledGradients.push({ at: callSite(), g });
  return g;
}

/** The generated source of each compiled gradient, as it stands now (it grows with each path recorded). */
export function compiledSources(): { at: Pos | null; source: string }[] {
  return compiledGradients.map(({ at, g }) => {
    try {
      return { at, source: g.source };
    } catch (e) {
      return { at, source: `// (its source cannot be read: ${(e as Error).message})` };
    }
  });
}

function differentiation(kind: string, real: Function): Function {
  const wrapper = function (this: unknown, f: unknown, ...args: unknown[]) { return differentiate(kind, real, this, f, args); };
  Object.defineProperty(wrapper, 'name', { value: kind });
  return wrapper;
}

function differentiate(kind: string, real: Function, self: unknown, f: unknown, args: unknown[]): unknown {
  const plainFunction = typeof f === 'function' && (f as Function).constructor === Function;
  if (session !== null || suspended > 0 || opDepth > 0 || !plainFunction || tracedCalls >= CALL_LIMIT) {
    // A differentiation inside f (or while plotting) is part of f's work, not a new call.
    suspended++;
    try {
      return real.call(self, f, ...args);
    } finally {
      suspended--;
    }
  }
  const index = calls.length;
  tracedCalls++;
  const graph: Graph = { nodes: [], edges: [], truncated: false, output: -1, outputGrad: null };
  const scalar = args.length === 1 && typeof args[0] === 'number';
  const info: CallInfo = { index, kind, at: callSite(), scalar, graph, fn: fnNumber(f as object) };
  const names = parameterNames(f as Function);
  if (scalar) {
    info.x0 = args[0] as number;
    scalarFns.set(index, f as (x: number) => unknown);
  } else if (kind !== 'pullback') {
    const plane = twoNumbers(args, names);
    if (plane) {
      info.plane = { names: plane.names, at: plane.at };
      planeFns.set(index, { f: f as (...args: unknown[]) => number, args: plane.args, read: plane.read });
    }
  }
  calls.push(info);
  const s: Session = { call: info, graph, callAt: info.at, ids: new WeakMap(), labels: new WeakMap(), recording: false, invoked: false };
  const params = args.length === 1 && args[0] instanceof Z.Params ? [...args[0]] : null;
  const user = f as Function;
  const traced = function (this: unknown, ...a: unknown[]) { return runTraced(s, user, this, a, names, params); };
  // f as the library sees it: its arity decides what it accepts (derivative lets an f of one
  // parameter be handed more arguments, as `xs.map(derivative.bind(null, f))` does).
  Object.defineProperties(traced, { length: { value: user.length }, name: { value: user.name } });
  session = s;
  try {
    const result = real.call(self, traced, ...args);
    if (scalar) {
      // What the call said f′(x0) is: the plot compares it with f′ sampled when the run has ended.
      const d = slopeOf(kind, result);
      if (d !== undefined) info.slope = d;
    }
    return result;
  } finally {
    session = null;
    recordedListener?.();
  }
}

/** f′(x0) from the result of a call on one number, where the result holds it. */
function slopeOf(kind: string, result: unknown): number | undefined {
  const first = (g: unknown) => (Array.isArray(g) && typeof g[0] === 'number' ? g[0] : undefined);
  if (kind === 'gradient') return first(result);
  if (kind === 'derivative') return typeof result === 'number' ? result : undefined;
  if (kind === 'withgradient' && typeof result === 'object' && result !== null) return first((result as { grad?: unknown }).grad);
  return undefined;
}

function fnNumber(f: object): number {
  let fn = fnNumbers.get(f);
  if (fn === undefined) fnNumbers.set(f, (fn = nextFn++));
  return fn;
}

/**
 * minimize, as user code calls it: x0 and each iterate onStep sees are recorded as calls of
 * kind 'minimize' (a point and f's value, no graph: the solver's gradients are computed
 * inside the library), so that the plot draws the solver's path and progress can say how
 * far it has got. The user's own onStep still sees every step.
 */
function minimizeRecorded(real: Function, self: unknown, f: unknown, x0: unknown, options: unknown): unknown {
  if (session !== null || suspended > 0 || opDepth > 0 || typeof f !== 'function') return unrecorded(() => real.call(self, f, x0, options));
  const at = callSite();
  const fn = fnNumber(f);
  const names = parameterNames(f as Function);
  const note = (iteration: number, x: unknown, value: number | undefined) => {
    if (steps >= STEP_LIMIT) return;
    steps++;
    const info: CallInfo = { index: calls.length, kind: 'minimize', at, scalar: false, graph: { nodes: [], edges: [], truncated: false, output: -1, outputGrad: null }, fn, iteration };
    if (value !== undefined) info.value = value;
    const plane = twoNumbers([x], names);
    if (plane) {
      info.plane = { names: plane.names, at: plane.at };
      planeFns.set(info.index, { f: f as (...args: unknown[]) => number, args: plane.args, read: plane.read });
    }
    calls.push(info);
    recordedListener?.();
  };
  const given = (typeof options === 'object' && options !== null ? options : {}) as { onStep?: (step: { iteration: number; x: unknown; value: number }) => unknown };
  const onStep = (step: { iteration: number; x: unknown; value: number }) => {
    note(step.iteration, step.x, step.value);
    return given.onStep?.(step);
  };
  note(0, x0, undefined);
  return unrecorded(() => real.call(self, f, x0, { ...given, onStep }));
}

/** Calls `listener` after each recorded call (null: no one is listening). */
export function onRecorded(listener: (() => void) | null): void {
  recordedListener = listener;
}

function runTraced(s: Session, f: Function, self: unknown, args: unknown[], names: string[], params: unknown[] | null): unknown {
  if (s.invoked) return f.apply(self, args); // f run again by the library (not recorded twice)
  s.invoked = true;
  labelled = 0;
  if (params !== null) params.forEach((p, k) => label(s, p, `params[${k}]`, 0));
  else args.forEach((a, k) => label(s, a, names[k] ?? `arg${k}`, 0));
  s.recording = true;
  let result: unknown;
  try {
    result = f.apply(self, args);
  } finally {
    s.recording = false;
  }
  const value = primal(result);
  if (typeof value === 'number') s.call.value = value;
  if (isTraced(result)) {
    const id = nodeFor(s, result as object);
    s.graph.nodes[id]!.output = true;
    s.graph.output = id;
    const graph = s.graph;
    return Z.hook((g: number | Z.NDArray) => {
      graph.outputGrad = summarize(g);
      return g;
    }, result as number | Z.NDArray);
  }
  return result;
}

let labelled = 0;
/** Names the traced numbers inside an argument by their path (`θ.W[0][1]`), without running getters. */
function label(s: Session, x: unknown, path: string, depth: number): void {
  if (labelled > 5000 || depth > 8) return;
  labelled++;
  if (isTraced(x)) {
    s.labels.set(x as object, path);
    return;
  }
  if (typeof x !== 'object' || x === null) return;
  if (Array.isArray(x)) {
    s.labels.set(x, path);
    x.forEach((v, i) => label(s, v, `${path}[${i}]`, depth + 1));
  } else if (x instanceof Map) {
    for (const [k, v] of x) label(s, v, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : brief(k)})`, depth + 1);
  } else if (!(x instanceof Z.NDArray)) {
    for (const k of Object.keys(x)) {
      const d = Object.getOwnPropertyDescriptor(x, k);
      if (d && 'value' in d) label(s, d.value, `${path}.${k}`, depth + 1);
    }
  }
}

let renames: Record<string, string> = {};
/** The user's names for identifiers esbuild renamed (from the compiler's source map). */
export function setRenames(r: Record<string, string>): void {
  renames = r;
}

/** f's parameter names, for the graph's input labels (`arg0`… where a name cannot be read). */
function parameterNames(f: Function): string[] {
  try {
    const src = Function.prototype.toString.call(f);
    const expr = (acorn.parseExpressionAt(`(${src})`, 0, { ecmaVersion: 'latest' }) as acorn.Expression);
    const fn = expr.type === 'ArrowFunctionExpression' || expr.type === 'FunctionExpression' ? expr : null;
    const name = (p: acorn.Pattern, i: number) => (p.type === 'Identifier' ? p.name : p.type === 'AssignmentPattern' && p.left.type === 'Identifier' ? p.left.name : `arg${i}`);
    return fn ? fn.params.map((p, i) => renames[name(p, i)] ?? name(p, i)) : [];
  } catch {
    return [];
  }
}

const USER_FILE = 'zygote-playground-user.js';
const USER_FRAME = /zygote-playground-user\.js:(\d+):(\d+)/;
/** The frames of `op` and of the `recorded` wrapper, above the operation's caller. */
const OWN_FRAMES = 2;
/** Enough for an operation inside culori, called from f (capturing costs in proportion to the frames). */
const FRAME_LIMIT = 24;
/**
 * Frames are taken for this many operations of a run (about 30 µs each): enough for every
 * graph of most programs, and a bound on a long loop of recorded calls, whose later graphs
 * then draw without links to lines and without folding.
 */
const FRAMES_PER_RUN = 5000;
let framesTaken = 0;

/** A stack frame as V8 (Chromium, Node) hands it to `Error.prepareStackTrace`. */
interface Frame {
  getScriptNameOrSourceURL?(): string | null | undefined;
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}
type V8ErrorConstructor = ErrorConstructor & {
  prepareStackTrace?: (error: Error, frames: Frame[]) => unknown;
  captureStackTrace?: (target: object, above?: Function) => void;
};

/**
 * The user's frames that made the operation being recorded, innermost first, up to the
 * differentiation call; and whether a library function (culori) made it, called from at[0].
 * The frames are V8's structured call sites, not the formatted stack text: formatting cost
 * ~0.2 ms per operation, which made a traced optimisation loop four times slower. Other
 * engines give no frames (the graph then cannot link nodes to lines).
 */
function userFrames(callAt: Pos | null): { at?: Pos[]; inLibrary?: true } {
  const E = Error as V8ErrorConstructor;
  if (E.captureStackTrace === undefined) return {};
  const [limit, prepare] = [E.stackTraceLimit, E.prepareStackTrace];
  const holder: { stack?: unknown } = {};
  let stack: unknown;
  try {
    E.stackTraceLimit = FRAME_LIMIT;
    E.prepareStackTrace = (_, frames) => frames;
    E.captureStackTrace(holder, userFrames);
    stack = holder.stack; // (V8 prepares it when it is first read)
  } finally {
    E.stackTraceLimit = limit;
    E.prepareStackTrace = prepare;
  }
  const frames = (Array.isArray(stack) ? (stack as Frame[]) : []).slice(OWN_FRAMES);
  const inUserCode = (f: Frame) => (f.getScriptNameOrSourceURL?.() ?? f.getFileName()) === USER_FILE;
  const at: Pos[] = [];
  for (const f of frames) {
    if (!inUserCode(f)) continue;
    const p = { line: f.getLineNumber() ?? 0, column: f.getColumnNumber() ?? 0 };
    if (callAt && p.line === callAt.line && p.column === callAt.column) break;
    at.push(p);
  }
  if (at.length === 0) return {};
  return inUserCode(frames[0]!) ? { at } : { at, inLibrary: true };
}

/** Numbers inside a plain argument (arrays and plain objects), with their paths, up to `max + 1` of them. */
function numberLeaves(x: unknown, path: (string | number)[], out: (string | number)[][], values: number[], max: number, depth = 0): void {
  if (out.length > max || depth > 4) return;
  if (typeof x === 'number') {
    out.push(path);
    values.push(x);
  } else if (Array.isArray(x)) x.forEach((v, i) => numberLeaves(v, [...path, i], out, values, max, depth + 1));
  else if (isRecord(x)) {
    for (const k of Object.keys(x)) numberLeaves((x as Record<string, unknown>)[k], [...path, k], out, values, max, depth + 1);
  } else if (x !== null && x !== undefined && typeof x !== 'string' && typeof x !== 'boolean') out.length = max + 1; // an NDArray, a Map, an object with getters: not a plane
}

/**
 * A plain object, or an instance of the user's class holding only data properties (a
 * `Point`, the frozen snapshots minimize hands onStep): not a Map, an NDArray, a typed
 * array or another built-in object.
 */
function isRecord(x: unknown): x is object {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x) as object | null;
  if (proto === Object.prototype || proto === null) return true;
  if (x instanceof Z.NDArray || x instanceof Map || x instanceof Set || x instanceof Date || x instanceof RegExp || x instanceof Promise || x instanceof WeakMap || x instanceof WeakSet) return false;
  if (Object.prototype.toString.call(x) !== '[object Object]') return false;
  return Object.getOwnPropertyNames(x).every((k) => 'value' in Object.getOwnPropertyDescriptor(x, k)!);
}

/** `x` with the number at `path` replaced (new arrays and objects along the path; a class instance keeps its class). */
function replaced(x: unknown, path: readonly (string | number)[], v: number): unknown {
  if (path.length === 0) return v;
  const [k, ...rest] = path;
  const copy = (Array.isArray(x) ? [...x] : Object.assign(Object.create(Object.getPrototypeOf(x) as object | null) as object, x)) as Record<string | number, unknown>;
  copy[k!] = replaced(copy[k!], rest, v);
  return copy;
}

/** The number at `path` in a gradient: null (no path from that input to f's value, at any level) is a zero. */
function read(x: unknown, path: readonly (string | number)[]): number {
  let v = x;
  for (const k of path) v = v === null || v === undefined ? v : (v as Record<string | number, unknown>)[k];
  // (A null component made every arrow vanish: f(x, y) = x² had no gradient field at all.)
  return typeof v === 'number' ? v : v === null ? 0 : NaN;
}

/** When the arguments hold exactly two numbers: their names, values, and how to make arguments at another point. */
function twoNumbers(args: unknown[], names: string[]): { names: [string, string]; at: [number, number]; args: (x: number, y: number) => unknown[]; read: (grads: unknown[]) => [number, number] } | null {
  const paths: (string | number)[][] = [];
  const values: number[] = [];
  numberLeaves(args, [], paths, values, 2);
  if (paths.length !== 2) return null;
  const [p, q] = paths as [(string | number)[], (string | number)[]];
  const name = (path: (string | number)[]) =>
    `${names[path[0] as number] ?? `arg${String(path[0])}`}${path.slice(1).map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
  return {
    names: [name(p), name(q)],
    at: [values[0]!, values[1]!],
    args: (x, y) => replaced(replaced(args, p, x), q, y) as unknown[],
    read: (grads) => [read(grads, p), read(grads, q)],
  };
}

/** The first frame of the user's code in this stack (`zygote-playground-user.js:L:C`). */
function callSite(): CallInfo['at'] {
  const m = USER_FRAME.exec(new Error().stack ?? '');
  return m ? { line: Number(m[1]), column: Number(m[2]) } : null;
}

export function recordedCalls(): CallInfo[] {
  return calls;
}

/** Runs `fn` without recording (sampling a picture is not part of any call's trace). */
function unrecorded<T>(fn: () => T): T {
  suspended++;
  try {
    return fn();
  } finally {
    suspended--;
  }
}

/** What f returned, as a plain number (NaN for anything else). */
function numberOf(y: unknown): number {
  const p = primal(y);
  return typeof p === 'number' ? p : NaN;
}

/**
 * f and its gradient on an n×n grid over [x0, x1]×[y0, y1], row by row from y0, for a call of
 * a function of two numbers; null when there is none. Only once the run has ended: f's side
 * effects must not happen in the middle of the user's program.
 */
export function sampleGrid(index: number, x0: number, x1: number, y0: number, y1: number, n: number): { zs: number[]; gx: number[]; gy: number[]; z0: number } | null {
  const plane = planeFns.get(index);
  if (plane === undefined) return null;
  return unrecorded(() => {
    const zs: number[] = [];
    const gx: number[] = [];
    const gy: number[] = [];
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) {
        const a = plane.args(x0 + ((x1 - x0) * i) / (n - 1), y0 + ((y1 - y0) * j) / (n - 1));
        let z = NaN;
        let g: [number, number] = [NaN, NaN];
        try {
          z = numberOf(plane.f(...a));
          g = plane.read(Z.gradient(plane.f, ...a));
        } catch {
          // f throws here: a hole in the picture
        }
        zs.push(z);
        gx.push(g[0]);
        gy.push(g[1]);
      }
    }
    // f at the call's own point, now: the page compares it with the value the call computed.
    const at = calls[index]?.plane?.at;
    let z0 = NaN;
    if (at) {
      try {
        z0 = numberOf(plane.f(...plane.args(at[0], at[1])));
      } catch {
        // (f throws there now)
      }
    }
    return { zs, gx, gy, z0 };
  });
}

/** f and f′ at n points of [lo, hi] for a recorded call of a function of one number. */
export function sample(index: number, lo: number, hi: number, n: number): { xs: number[]; ys: number[]; ds: number[]; y0: number; d0: number } | null {
  const f = scalarFns.get(index);
  const x0 = calls[index]?.x0;
  if (f === undefined || x0 === undefined) return null;
  const value = (x: number): number => {
    try {
      return numberOf(f(x));
    } catch {
      return NaN;
    }
  };
  const slope = (x: number): number => {
    try {
      return Z.derivative(f as (x: number) => number, x);
    } catch {
      return NaN;
    }
  };
  return unrecorded(() => {
    const xs: number[] = [];
    const ys: number[] = [];
    const ds: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = lo + ((hi - lo) * i) / (n - 1);
      xs.push(x);
      ys.push(value(x));
      ds.push(slope(x));
    }
    return { xs, ys, ds, y0: value(x0), d0: slope(x0) };
  });
}
