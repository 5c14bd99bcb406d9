// compileGradient: the gradient of f as generated JavaScript, recorded once per path.
//
// The first call records f on symbolic numbers (lib/core/symbolic.ts) through the usual
// machinery — stand-ins, rules, the tape — so the program holds the forward pass and the
// rules' partials as straight-line code, array operations as calls of their steps; the
// reverse pass is then written from the tape (sweep.ts). That code becomes one function,
// without dead code and rerolled into loops where f looped. (A path of mostly straight code
// is swept from its tape instead, interpret.ts, until its calls have paid for writing it.)
// Each comparison or truth test f made on a traced number is a guard: a later call whose
// numbers would take another path fails a guard and is recorded again; a few paths are kept.
// Functions that cannot be
// compiled (arguments other than numbers, arrays and objects of them and NDArrays; writes
// to arguments; array operations without a step; too many paths) run uncompiled, with the
// reason in `fallback`. As with jax.jit, f's other side effects (logging, writes to
// outside data) happen when it is recorded, not on every call.

import { gradient, gradientWithSweep } from '../api.js';
import type { Gradients } from '../types.js';
import type { Grads, Params } from '../params.js';
import { generateBody } from './codegen.js';
import { interpreter, MAX_INTERPRETED_IDS } from './interpret.js';
import { gradientWriter, storageOwner, symbolicArguments, symbolicLeaves, Uncompilable, type SymbolicArguments } from './arguments.js';
import { isSymbolic } from '../core/symbolic.js';
import { isDeriving } from '../core/scope.js';
import { Program } from './program.js';
import { ArrayRecorder, writeSweep } from './sweep.js';
import { setOwn } from '../../proxies/standins.js';
import type { Tape } from '../core/tape.js';
import { liveInstructions } from './dead-code.js';
import { openIdentityRecording } from '../../proxies/standins.js';

export interface CompileOptions {
  /** How many paths (one per outcome of f's comparisons) are kept. Default 4. */
  paths?: number;
  /** After this many recordings f runs uncompiled (its paths keep changing). Default 16. */
  maxRecordings?: number;
  /**
   * How many recorded instructions that do not fold into loops (a table entry of data
   * counting 1/16) one path may hold. Past it the recording stops, the call finishes as
   * `gradient` would, and f runs uncompiled from then on, with the reason in `fallback`.
   * Default 50 000.
   */
  budget?: number;
  /** Runs of elementwise array operations (and their backwards) become one loop each (fuse.ts). Default true. */
  fuse?: boolean;
  /**
   * A path of numbers only that is mostly straight code (it did not fold into loops: a branch
   * on every sample) is first run without code: its forward instructions interpreted, the
   * recording's tape swept again (interpret.ts); it is written as JavaScript once its calls
   * would have paid for writing it. Default true; false writes every path at the call after
   * its recording.
   */
  interpret?: boolean;
}

/** How a recorded path becomes code. */
interface Writing {
  readonly fuse: boolean;
  readonly interpret: boolean;
}

export interface CompiledGradient<A extends unknown[]> {
  (...args: A): Gradients<A>;
  /** The generated JavaScript of the paths kept, newest first. */
  readonly source: string;
  /** How many times f has been recorded. */
  readonly recordings: number;
  /** Why f runs uncompiled, or null while it is compiled. */
  readonly fallback: string | null;
}

type Run = (args: readonly unknown[]) => unknown;

/** A recording's tape, kept for the reverse pass to be written from it (and swept meanwhile). */
interface Unwritten {
  readonly tape: Tape;
  readonly output: number;
  readonly wanted: readonly number[];
}

interface Path {
  readonly run: Run;
  readonly source: string;
}

/** The answer of a path whose guards do not hold for these arguments. */
const MISS: unique symbol = Symbol('zygote-ts: another path');

const DEFAULT_BUDGET = 50_000;

/**
 * The gradient of `f` (like `gradient(f, ...args)`), compiled to JavaScript for each path
 * through f's control flow that the calls take. (A function of no arguments called with
 * `Params` gives `Grads`, as `gradient` does: it runs uncompiled, saying so in `fallback`.)
 *
 * @example
 * const g = compileGradient((x: number) => 3 * x ** 2 + 2 * x + 1);
 * g(5); // [32]
 * g.source; // the generated code
 */
export function compileGradient<A extends unknown[]>(f: (...args: A) => number, options?: CompileOptions): A extends [] ? CompiledGradient<[]> & ((ps: Params) => Grads) : CompiledGradient<A>;
export function compileGradient<A extends unknown[]>(f: (...args: A) => number, options: CompileOptions = {}): CompiledGradient<A> {
  const maxPaths = options.paths ?? 4;
  const maxRecordings = options.maxRecordings ?? 16;
  const budget = options.budget ?? DEFAULT_BUDGET;
  const writing: Writing = { fuse: options.fuse ?? true, interpret: options.interpret ?? true };
  const paths: Path[] = [];
  let recordings = 0;
  let fallback: string | null = null;

  if (typeof f !== 'function') throw new TypeError(`zygote-ts: compileGradient(f) needs a function f, got ${f === null ? 'null' : typeof f}.`);
  const compiled = function (...args: A): Gradients<A> {
    // Inside another differentiation, f may read through its closure a number that one traces
    // (`gradient(k => { kept = k; return g(2)[0]; }, 3)`), which a path holds as a constant:
    // f runs as `gradient` runs it, nested, so that the derivative reaches the outer one.
    if (isDeriving()) return gradient(f, ...args);
    if (fallback === null) {
      for (let k = 0; k < paths.length; k++) {
        let out: unknown;
        try {
          out = paths[k]!.run(args);
        } catch (e) {
          // (code the engine cannot take: f runs uncompiled from now on)
          if (!(e instanceof Uncompilable)) throw e;
          fallback = e.message;
          paths.length = 0;
          return gradient(f, ...args);
        }
        if (out === MISS) continue;
        if (k > 0) paths.unshift(...paths.splice(k, 1)); // most recent first
        return out as Gradients<A>;
      }
      if (recordings >= maxRecordings) fallback = `f took a new path on each of ${maxRecordings} recordings`;
      else {
        try {
          const recorded = record(f as (...args: unknown[]) => number, args, budget, writing);
          recordings++;
          if (recorded.path === null) {
            // (the recording stopped: this call's gradient was finished eagerly)
            fallback = recorded.abandoned;
            return recorded.gradient as Gradients<A>;
          }
          paths.unshift(recorded.path);
          if (paths.length > maxPaths) paths.pop();
          const out = recorded.gradient ?? recorded.path.run(args);
          if (out === MISS) throw new Error('zygote-ts: internal error: a compiled path rejected the call it was recorded from');
          return out as Gradients<A>;
        } catch (e) {
          if (!(e instanceof Uncompilable)) throw e;
          if (!e.thisCallOnly) fallback = e.message;
          if (e.thrown !== null) throw e.thrown.error; // (f threw while recorded; its writes are made)
        }
      }
    }
    return gradient(f, ...args);
  } as CompiledGradient<A>;
  Object.defineProperties(compiled, {
    source: {
      get: () => {
        try {
          return paths.map((p) => p.source).join('\n\n');
        } catch (e) {
          // (a path whose code could not be made: f runs uncompiled, as a call would find)
          if (!(e instanceof Uncompilable)) throw e;
          fallback = e.message;
          paths.length = 0;
          return '';
        }
      },
    },
    recordings: { get: () => recordings },
    fallback: { get: () => fallback },
    name: { value: `compiled ${f.name || 'gradient'}` },
  });
  return compiled;
}

let serial = 0;

type Recorded =
  | { readonly path: Path; readonly gradient: unknown | null; readonly abandoned: null }
  | { readonly path: null; readonly gradient: unknown; readonly abandoned: string };

/**
 * Records f once on these arguments: the path, and (when it is known already) this call's
 * gradient; or, when the recording was abandoned, the reason and the gradient finished eagerly.
 */
function record(f: (...args: unknown[]) => number, args: readonly unknown[], budget: number, writing: Writing): Recorded {
  const program = new Program(budget);
  const recorder = new ArrayRecorder(program);
  const symbolic = symbolicArguments(args, program, recorder.arguments);
  let wrotePrivate = false;
  const close = openIdentityRecording({
    get originals() {
      return symbolic.originals;
    },
    copyOf: (original) => symbolic.copyOf(original),
    comparedByIdentity: () => program.abandon('f compares an argument with an object from outside by identity (===, Object.is, switch, a search or a Map key), which compiled code does not check'),
    readPrivate: () => program.abandon("f reads a #private member of an argument, which compiled code does not read (it reads an object's enumerable fields)"),
    // (the write was not made: the copy has no such member; the eager gradient below makes it on the caller's object)
    wrotePrivate: () => {
      wrotePrivate = true;
    },
  });
  const unwatch = watchChangingSources((reason) => program.abandon(reason));
  let grads: unknown;
  let gradientsOf: ((cotangents: readonly unknown[]) => unknown[]) | null = null;
  // Without array operations, every number the reverse pass needs is on the tape: this call's
  // gradient is swept as `gradient` sweeps it (the same numbers the written pass computes), and
  // the pass is written, from the tape kept, when a second call needs the code (f called once
  // pays for no code; a first call had cost 2–2.5× the eager gradient, a sixth of it writing).
  let unwritten: Unwritten | null = null;
  let thrown: { readonly error: unknown } | null = null;
  let writtenBack: string | null = null;
  try {
    ({ grads, gradientsOf } = gradientWithSweep(
      f,
      symbolic.values,
      (tape) => recorder.attach(tape),
      // (a recording abandoned on the way is swept as `gradient` sweeps: the tape holds every partial's number)
      (tape, output, wanted) => {
        tape.refuseRewrittenArrays();
        if (program.abandoned === null && program.calls.length === 0) {
          unwritten = { tape, output, wanted };
          return tape.sweep(output, 1, wanted);
        }
        return (program.abandoned === null ? writeSweep(program, recorder, tape, output, wanted) : null) ?? tape.sweep(output, 1, wanted);
      },
      // (f runs on a copy of the arguments: where it stored one of them outside — `log.push(p)` —
      // the clean-up leaves the caller's object there, not the copy, which holds symbolic numbers)
      () => symbolic.originals,
      () => unwritten !== null,
    ));
  } catch (e) {
    thrown = { error: e };
  } finally {
    unwatch();
    close();
    // (a symbolic number f left where it outlives the call — a closure variable — computes
    // plain numbers from now on, and adds nothing to the program)
    program.close();
    try {
      // (its gradient would lack the derivative through that number: the eager gradient runs f
      // again, on the caller's objects, as a nested differentiation; later calls may compile)
      if (program.readsEnclosingTrace) throw new Uncompilable(`${program.abandoned}: that call runs uncompiled`, true);
      // f wrote to its arguments, which compiled code would not do again: f runs uncompiled from
      // now on. Where this call's gradient (or what f threw) is at hand, f's writes are made on the
      // caller's objects from its copy, and f does not run a second time (its other side effects
      // would happen twice); else the eager gradient runs f again, on the caller's objects.
      // (an Uncompilable f's recording threw stops the recording, whatever f wrote)
      const stopped = thrown !== null && thrown.error instanceof Uncompilable;
      if (!stopped && (wrotePrivate || symbolic.changed())) {
        const finished = !wrotePrivate && (thrown !== null || program.calls.length === 0) && symbolic.writeBack();
        const why = wrotePrivate ? 'f writes to a #private member of an argument, which compiled code would not do again' : 'f writes to its arguments, which compiled code would not do again';
        if (!finished) throw new Uncompilable(why);
        if (thrown !== null) throw new Uncompilable(why, false, thrown);
        writtenBack = why;
      }
    } finally {
      symbolic.forgetOriginals();
    }
  }
  if (thrown !== null) throw thrown.error;
  if (writtenBack !== null) return { path: null, gradient: valuesOf(grads), abandoned: writtenBack };
  if (program.abandoned !== null) return { path: null, gradient: grads, abandoned: `${program.abandoned}: f runs uncompiled` };
  // (the gradient as symbolic numbers, once the reverse pass is written; an Uncompilable where it could not be)
  let written: unknown = unwritten === null ? grads : null;
  if (unwritten === null) program.finish();
  const generate = (): GeneratedPath => {
    if (written instanceof Uncompilable) throw written;
    if (written === null) {
      const { tape, output, wanted } = unwritten!;
      // (written once: a pass half written by a call that threw is not written again on top)
      written = new Uncompilable('writing the reverse pass failed: f runs uncompiled');
      const cotangents = program.appendAfterClose(() => writeSweep(program, recorder, tape, output, wanted));
      tape.release();
      unwritten = null; // (the path would otherwise keep the tape's rows)
      // (past the budget: this call and later ones run uncompiled, saying why)
      if (cotangents === null) throw (written = new Uncompilable(`${program.abandoned ?? 'the reverse pass could not be written'}: f runs uncompiled`));
      written = gradientsOf!(cotangents);
      program.finish();
    }
    return generatePath(f, program, symbolic, written, symbolicLeaves(written), writing.fuse);
  };
  let generated: GeneratedPath | null = null;
  // (a path of mostly straight code is first swept from its tape, until writing it pays: undefined
  // until the second call decides, null once it is written or was not worth sweeping)
  let swept: SweptPath | null | undefined = unwritten !== null && writing.interpret ? undefined : null;
  const path: Path = {
    run: (callArgs) => {
      if (generated === null && swept !== null) {
        swept ??= sweptPath(program, symbolic, unwritten!, gradientsOf!);
        const out = swept === null ? PAID : swept.run(callArgs);
        if (out !== PAID) return out;
        swept = null;
      }
      return (generated ??= generate()).run(callArgs);
    },
    get source() {
      return (generated ??= generate()).source;
    },
  };
  // Without array operations every value was computed while recording, by the same
  // operations on the same numbers as the generated code: this call's gradient is those
  // values, and the code is generated when a second call needs it.
  return { path, gradient: program.calls.length === 0 ? valuesOf(grads) : null, abandoned: null };
}

/** What a swept path answers once its calls have paid for writing the code. */
const PAID: unique symbol = Symbol('zygote-ts: write the code');

interface SweptPath {
  /** The gradient, MISS (another path), or PAID (write the code now). */
  run(args: readonly unknown[]): unknown;
}

/**
 * Per stored forward instruction, what writing the path as code costs (its reverse pass and
 * the code of both, then V8's first, cold runs), in interpreted instructions: ~5 µs against
 * ~10 ns and the reverse pass's two or so instructions per forward one (the logistic loss).
 */
const WRITE_COST = 1024;
/** Tapes of more rows than this are not kept for sweeping (the sweep works on a copy of its rows). */
const MAX_SWEPT_ROWS = 1 << 21;

/**
 * The path of a program without array operations, run without writing code (interpret.ts):
 * the arguments read by the generated reader, the forward instructions interpreted, and the
 * recording's tape swept with their partials — until its calls have run about as many
 * instructions as writing the code would cost (ski rental: never more than twice the better
 * choice). Null where writing at once is as cheap (a program that folded into loops) or the
 * tape cannot be swept again.
 */
function sweptPath(program: Program, symbolic: SymbolicArguments, unwritten: Unwritten, gradientsOf: (cotangents: readonly unknown[]) => unknown[]): SweptPath | null {
  const { tape, output, wanted } = unwritten;
  const { partialIds, generic, nodes } = tape.recorded();
  if (generic !== null || nodes || program.objects.size > 0 || program.length > MAX_INTERPRETED_IDS || output >= MAX_SWEPT_ROWS) return null;
  // (each call sweeps every row, and writing costs at most WRITE_COST per stored instruction: a
  // program that folded into loops is written at once, without the walk below, ~20 ms at 10⁵ turns)
  if (output + 1 > WRITE_COST * program.stored) return null;
  program.finish();
  // (the forward instructions the tape's partials read, and the guards)
  const partials: number[] = [];
  if (partialIds !== null) for (let k = 0; k < 2 * (output + 1); k++) if (partialIds[k] !== 0) partials.push(partialIds[k]! - 1);
  const live = liveInstructions(program, partials);
  let stored = 0;
  let perCall = output + 1;
  for (const seg of program.segments) {
    const n = seg.kind === 'loop' ? seg.period : seg.end - seg.start;
    let k = 0;
    for (let i = seg.phys; i < seg.phys + n; i++) k += live[i]!;
    stored += k;
    perCall += seg.kind === 'loop' ? k * seg.count : k;
  }
  const writeCost = output + 1 + WRITE_COST * stored;
  if (2 * perCall > writeCost) return null;
  const read = functionFrom(['MISS', 'C', 'sameNumber'], `return function read(args, X, A, E) {\n${symbolic.reader}\nreturn null;\n}`, symbolic.reader)(
    MISS,
    symbolic.constants,
    Object.is,
  ) as (args: readonly unknown[], X: Float64Array, A: unknown[], E: unknown[]) => unknown;
  const forward = interpreter(program, live);
  const X = new Float64Array(program.inputCount);
  const E = objectsSeen(symbolic);
  const A: unknown[] = []; // (no NDArray arguments here)
  let done = 0;
  return {
    run(args) {
      if ((done += perCall) > writeCost) return PAID;
      let ok: boolean;
      try {
        ok = read(args, X, A, E) !== MISS && forward.run(X);
      } catch (e) {
        // (the engine compiles the reader when it first runs: see generatePath's run)
        if (done === perCall && e instanceof RangeError && /call stack/i.test(e.message)) throw tooLarge(e, symbolic.reader);
        throw e;
      }
      return ok ? valuesOf(gradientsOf(tape.resweep(output, wanted, forward.values))) : MISS;
    },
  };
}

interface GeneratedPath {
  run(args: readonly unknown[]): unknown;
  readonly source: string;
}

/**
 * While f is recorded, the global sources of numbers that change from call to call —
 * `Math.random()`, `crypto.getRandomValues`, the clocks `Date.now()` and `performance.now()` —
 * are replaced by ones that tell `noted` (why f cannot be compiled) they were called: compiled code would hold the numbers
 * the recording drew (a stochastic loss gave one noise sample's gradient on every call, and
 * minimize converged on it). Returns what puts the originals back. A reference taken before
 * (`const { random } = Math` at module level) is not seen.
 */
function watchChangingSources(noted: (reason: string) => void): () => void {
  const restores: (() => void)[] = [];
  const drawn = (source: string) => noted(`f calls ${source}, whose numbers compiled code would hold as the recording drew them`);
  let watching = true; // (a watched function f kept, `const draw = Math.random`, is inert after the recording)
  const watch = (holder: object | undefined, key: string, source: string): void => {
    if (typeof holder !== 'object' && typeof holder !== 'function') return;
    const own = Object.getOwnPropertyDescriptor(holder, key);
    let d = own;
    for (let p = Object.getPrototypeOf(holder) as object | null; d === undefined && p !== null; p = Object.getPrototypeOf(p) as object | null) d = Object.getOwnPropertyDescriptor(p, key);
    if (d === undefined || typeof d.value !== 'function' || (own !== undefined && !own.configurable) || !Object.isExtensible(holder)) return;
    const original = d.value as Function;
    const watched = {
      [key](this: unknown, ...args: unknown[]): unknown {
        if (watching) drawn(source);
        return Reflect.apply(original, this, args);
      },
    }[key]!;
    // (what the original holds goes with it: process.hrtime.bigint)
    for (const name of Object.getOwnPropertyNames(original)) if (!Object.prototype.hasOwnProperty.call(watched, name)) Object.defineProperty(watched, name, Object.getOwnPropertyDescriptor(original, name)!);
    Object.defineProperty(holder, key, { value: watched, writable: true, enumerable: d.enumerable, configurable: true });
    restores.push(() => {
      // (f put its own there, a seeded generator installed as Math.random: it stays, as f left
      // it, and what it gives is as changing as the original's)
      if (Object.getOwnPropertyDescriptor(holder, key)?.value !== watched) return drawn(source);
      if (own === undefined) delete (holder as Record<string, unknown>)[key];
      else Object.defineProperty(holder, key, own);
    });
  };
  // (Node makes `crypto` and `performance` when they are first read, ~2 ms cold: a first recording
  // paid that for f that reads neither. Until one is made, it is watched when f reads it.)
  const watchGlobal = (name: 'crypto' | 'performance', key: string, source: string, module: string, via: string): void => {
    const d = Object.getOwnPropertyDescriptor(globalThis, name);
    if (d?.get === undefined || !d.configurable || madeAlready(module)) {
      watch((globalThis as unknown as Record<string, object | undefined>)[name], key, source);
      return;
    }
    const get = function (this: unknown): unknown {
      Object.defineProperty(globalThis, name, d);
      const made = Reflect.apply(d.get!, this, []) as object | undefined;
      if (watching) watch(made, key, source);
      return made;
    };
    Object.defineProperty(globalThis, name, { get, set: d.set, enumerable: d.enumerable, configurable: true });
    restores.push(() => {
      if (Object.getOwnPropertyDescriptor(globalThis, name)?.get !== get) return;
      Object.defineProperty(globalThis, name, d);
      // (made while f was recorded, but not through the global: `require('node:perf_hooks').performance`
      // first required inside f. Its draws were not watched, and compiled code held the recording's
      // performance.now(): a gradient of x · now() stayed the first call's)
      if (madeAlready(module)) noted(`f made ${name} other than through globalThis.${name} while it was recorded (${via}), whose ${source} compiled code could not watch`);
    });
  };
  watch(Math, 'random', 'Math.random()');
  watchGlobal('crypto', 'getRandomValues', 'crypto.getRandomValues()', 'internal/crypto/webcrypto', "require('node:crypto')");
  watch(Date, 'now', 'Date.now()');
  // (Node's clock: compileGradient((x) => x * (process.hrtime()[1] % 1000)) gave the first call's gradient on every call)
  const hrtime = (globalThis as { process?: { hrtime?: unknown } }).process?.hrtime;
  if (typeof hrtime === 'function') {
    watch(hrtime, 'bigint', 'process.hrtime.bigint()');
    watch(globalThis.process, 'hrtime', 'process.hrtime()');
  }
  watchGlobal('performance', 'now', 'performance.now()', 'internal/perf/performance', "require('node:perf_hooks')");
  return () => {
    for (let k = restores.length - 1; k >= 0; k--) restores[k]!();
    watching = false;
  };
}

/** Whether Node has loaded its internal module `name` (where it cannot say: true). */
function madeAlready(name: string): boolean {
  const loaded = (globalThis as { process?: { moduleLoadList?: unknown } }).process?.moduleLoadList;
  return !Array.isArray(loaded) || loaded.includes(`NativeModule ${name}`);
}

function generatePath(f: Function, program: Program, symbolic: SymbolicArguments, grads: unknown, outputs: readonly number[], fuse: boolean): GeneratedPath {
  const live = liveInstructions(program, outputs);
  const body = generateBody(program, outputs, live, fuse);
  const indexTables: Int32Array[] = [];
  const writer = gradientWriter(grads, body.valueOf, body.slotOf, (id) => program.objects.has(id), indexTables);
  // f's name is any string (`{ '2d': (x) => … }`, a name with a line break): the function's
  // name must be an identifier, and the header comment one line.
  const name = `${(f.name || 'f').replace(/[^\w$]/g, '_').replace(/^(?=\d)/, '_')}_path${++serial}`;
  const loops = program.segments.filter((s) => s.kind === 'loop').length;
  const header = `// compileGradient(${(f.name || 'f').replace(/[\n\r\u2028\u2029]/g, ' ')}): ${program.length} instructions recorded, ${program.stored} kept (${loops} loops), ${body.live} generated, ${program.inputCount} inputs`;
  const code = [
    `function ${name}(args, X, V, A, E, S) {`,
    // (array operations can throw: the catch names the user's line that made the one that did)
    ...(program.calls.length === 0
      ? [symbolic.reader, body.code, writer.code, `return ${writer.result};`]
      : ['let site = -1;', 'try {', symbolic.reader, body.code, writer.code, `return ${writer.result};`, '} catch (e) {', '  throw atUserLine(e, site);', '}']),
    `}`,
  ]
    .filter((part) => part !== '')
    .join('\n');
  const factory = functionFrom(['MISS', 'F', 'C', 'I', 'P', 'K', 'D', 'O', 'sameNumber', 'atUserLine'], `${header}\n${body.helpers}\n${code}\nreturn ${name};\n//# sourceURL=zygote-ts/compiled/${name}.js`, code);
  const sites = program.calls.map((call) => call.site);
  const generated = factory(MISS, program.functions, symbolic.constants, indexTables, body.calls, body.constants, body.tables, storageOwner, Object.is, (e: unknown, k: number) =>
    atUserLine(e, String(sites[k] ?? '')),
  ) as (args: readonly unknown[], X: Float64Array, V: Float64Array, A: unknown[], E: unknown[], S: unknown[]) => unknown;
  const X = new Float64Array(program.inputCount);
  const V = new Float64Array(body.slots);
  const A: unknown[] = [];
  const E = objectsSeen(symbolic);
  // (arrays a fused loop writes and only later fused loops read, reused by every call: fuse.ts)
  const S: unknown[] = [];
  // (where the user's code made the guards and the array operations is written only when the source is read)
  let notes: string | null = null;
  // The engine compiles the function when it first runs: code too deep or too long for it
  // throws a RangeError then (a stack overflow in its parser), before any of it has run.
  let ran = false;
  const run = (callArgs: readonly unknown[]): unknown => {
    if (ran) return generated(callArgs, X, V, A, E, S);
    try {
      const out = generated(callArgs, X, V, A, E, S);
      ran = true;
      return out;
    } catch (e) {
      if (e instanceof RangeError && /call stack/i.test(e.message)) throw tooLarge(e, code);
      throw e;
    }
  };
  return {
    run,
    get source() {
      notes ??= [guardNotes(program), arrayNotes(program)].filter((part) => part !== '').join('\n');
      return [header, notes, body.helpers, code].filter((part) => part !== '').join('\n');
    },
  };
}

/** The reader's `E`: the objects of the last call whose objects were checked distinct (see arguments.ts). */
function objectsSeen(symbolic: SymbolicArguments): unknown[] & { checked: boolean } {
  return Object.assign(new Array<unknown>(symbolic.objects).fill(undefined), { checked: false });
}

/** A function made from generated source (`code`: the part to show should the engine refuse it). */
function functionFrom(parameters: readonly string[], source: string, code: string): Function {
  try {
    return new Function(...parameters, source);
  } catch (e) {
    if (e instanceof RangeError) throw tooLarge(e, code);
    // (a Content Security Policy without 'unsafe-eval', node --disallow-code-generation-from-strings)
    if (e instanceof EvalError) throw new Uncompilable(`this platform refuses to compile code from strings (${e.message}): f runs uncompiled`);
    throw new Error(`zygote-ts: internal error: compileGradient generated code that does not parse (${(e as Error).message}):\n${code}`);
  }
}

/** Generated code the engine refused (a RangeError): f runs uncompiled, saying so. */
function tooLarge(e: RangeError, code: string): Uncompilable {
  return new Uncompilable(`the generated code (${code.length} characters) is more than this engine can compile (${e.message}): f runs uncompiled`);
}

/** A recorded gradient with each symbolic number replaced by its value (new objects, aliases kept; a number plus 0, as gradientWriter writes it). */
function valuesOf(grads: unknown): unknown {
  const made = new Map<object, unknown>();
  const copy = (g: unknown): unknown => {
    if (isSymbolic(g)) return g.value + 0;
    if (typeof g === 'number') return g + 0;
    if (typeof g !== 'object' || g === null) return g;
    const known = made.get(g);
    if (known !== undefined) return known;
    if (Array.isArray(g)) {
      const out: unknown[] = [];
      made.set(g, out);
      for (let i = 0; i < g.length; i++) out.push(copy(g[i]));
      return out;
    }
    const out: Record<string, unknown> = {};
    made.set(g, out);
    // (keys, not entries: a pair per field of 10⁵ records was a tenth of a first call's allocations)
    for (const key of Object.keys(g)) setOwn(out, key, copy((g as Record<string, unknown>)[key]));
    return out;
  };
  return copy(grads);
}

/** An error thrown by an array operation in compiled code, its stack naming the user's line that made the operation. */
function atUserLine(e: unknown, site: string): unknown {
  if (e instanceof Error && typeof e.stack === 'string' && site !== '') {
    const firstFrame = e.stack.indexOf('\n    at ');
    if (firstFrame >= 0) e.stack = `${e.stack.slice(0, firstFrame)}\n    at ${site}${e.stack.slice(firstFrame)}`;
  }
  return e;
}

// Where the user's code made each array operation, as comments at the top of the source.
function arrayNotes(program: Program): string {
  if (program.calls.length === 0) return '';
  return ['// array operations recorded:', ...program.calls.map((call, k) => `//   ${k}: ${call.label}${String(call.site) === '' ? '' : ` at ${String(call.site)}`}`)].join('\n');
}

// Where the user's code made the first guards, as comments at the top of the source.
function guardNotes(program: Program): string {
  const notes: string[] = [];
  for (const [id, { site, what }] of program.sites) if (String(site) !== '') notes.push(`//   guard at instruction ${id}: ${what}, at ${String(site)}`);
  if (notes.length === 0) return '';
  if (program.guards > notes.length) notes.push(`//   … and ${program.guards - notes.length} more`);
  return ['// guards (a failed guard records f again):', ...notes].join('\n');
}
