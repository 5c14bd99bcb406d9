// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * One program, run plain and rewritten, each in a fresh realm: what it logged, and how it
 * ended. Logged values are written without running any of their code (numbers with
 * their sign of zero, objects by identity: the first object logged is `object#0`), so
 * writing the log cannot itself differ between the two runs.
 */
import vm from 'node:vm';
import { createRealm, rewrite, type Bodies } from './realm.js';
import { passThrough, ToolchainRefused, type Through } from './through.js';

export interface Outcome {
  log: string[];
  /**
   * `ok`, `throw <name>: <message>`, `syntax error` (V8 did not compile it), `not
   * ECMAScript` (the transform's parser, acorn, rejected it), or `timeout`.
   */
  end: string;
}

/** How values are written in the log: side-effect free, identity kept per run. */
function formatter(): (x: unknown) => string {
  const ids = new Map<unknown, number>();
  const id = (x: unknown): number => {
    let k = ids.get(x);
    if (k === undefined) ids.set(x, (k = ids.size));
    return k;
  };
  return (x) => {
    switch (typeof x) {
      case 'number':
        return Object.is(x, -0) ? '-0' : String(x);
      case 'bigint':
        return `${x}n`;
      case 'string':
        return JSON.stringify(x);
      case 'symbol':
        return `Symbol(${x.description ?? ''})`;
      case 'function':
        return `function#${id(x)}`;
      case 'object':
        return x === null ? 'null' : `object#${id(x)}`;
      default:
        return String(x);
    }
  };
}

/**
 * V8 quotes the source text of the expression in some messages (`(--b) is not iterable`,
 * `o.m is not a function`, with `(cannot read property …)` after a call); rewritten
 * source says the same thing in other words, so the quoted text is left out of the
 * comparison. For the same reason a destructuring of null or undefined is worded as
 * the property read it is (V8 words it one way or the other by where the value comes
 * from), and a call whose result is destructured fails with `… is not a function or its
 * return value is not iterable` or with `… is not a function` by how V8 sees the call
 * site (a `return` between them is enough), or with `… is not iterable` when its result
 * was not: the combined wording matches either (see {@link sameLine}). Everything else in
 * a message is compared.
 */
const QUOTING_MESSAGE = /^.*? (is not (?:a function or its return value is not iterable|a function|iterable|a constructor))(?: \(cannot read property .*\))?$/s;
/** A spread call of a non-function (`o.m(...xs)`): V8 words it as `Function.prototype.apply` would, the runtime's `callMethod` as any call. */
const SPREAD_CALL = /^Function\.prototype\.apply was called on .*, which is .* and not a function$/s;
const QUOTING_DESTRUCTURE = /^Cannot destructure property '(.*)' of '.*' as it is (undefined|null)\.$/s;

/**
 * A `#private` member of a primitive (`(0).#x`) throws a TypeError either way, but the
 * rewrite's inline brand test (`#x in o`) words it its own way: a difference
 * lib/transform/rewrite-private.ts accepts (a `typeof` test instead costs V8 its escape
 * analysis of fresh instances). Both wordings are read as one.
 */
/**
 * `Symbol.iterator in 0` throws a TypeError that V8 words as the `in` it is, or — after a
 * `do … while` whose test calls a function, in plain code with no rewrite involved — as
 * `number 0 is not iterable (cannot read property Symbol(Symbol.iterator))` (seed 10
 * program 580271). Both wordings are read as one.
 */
const IN_ITERATOR = /^Cannot use 'in' operator to search for 'Symbol\(Symbol\.iterator\)' in .*$/s;

const PRIVATE_OF_PRIMITIVE = /^(?:Cannot use 'in' operator to search for '(#\w+)' in .*|Cannot (?:read|write) private member (#\w+) (?:from|to) an object whose class did not declare it)$/s;

export function comparableMessage(message: string): string {
  return message.replace(SPREAD_CALL, '… is not a function').replace(IN_ITERATOR, '… is not iterable').replace(QUOTING_MESSAGE, '… $1').replace(QUOTING_DESTRUCTURE, "Cannot read properties of $2 (reading '$1')").replace(PRIVATE_OF_PRIMITIVE, (_, a: string | undefined, b: string | undefined) => `private member ${a ?? b} of a value without it`);
}

/** An error as `name: message`, read from its own properties only (it may come from either realm). */
function describeThrown(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const own = (key: string): unknown => Object.getOwnPropertyDescriptor(error, key)?.value;
    const proto = Object.getPrototypeOf(error) as { name?: unknown } | null;
    const name = own('name') ?? proto?.name;
    return `${String(name)}: ${comparableMessage(String(own('message')))}`;
  }
  return formatter()(error);
}

export interface RunOptions {
  rewritten: boolean;
  /** The transform's `inlineFastPaths` (rewritten runs). */
  inline?: boolean;
  /** Which of each function's two bodies runs (rewritten runs). */
  bodies?: Bodies;
  /** Milliseconds before a run counts as not ending. */
  timeout?: number;
}

/** Run a script in a fresh realm, plain or rewritten. */
export function execute(code: string, options: RunOptions): Outcome {
  const log: string[] = [];
  const format = formatter();
  const realm = createRealm(options.rewritten ? 'shared' : 'none', {
    log: (...xs: unknown[]) => {
      log.push(xs.map(format).join(' '));
    },
    comparableMessage: (message: unknown) => comparableMessage(String(message)),
  });
  let source = code;
  if (options.rewritten) {
    try {
      source = rewrite(code, options.bodies?.endsWith('module') ? 'module' : 'script', options.inline ?? true, options.bodies ?? 'plain');
    } catch (error) {
      if ((error as { name?: string }).name === 'SyntaxError') return { log, end: 'not ECMAScript' };
      throw error;
    }
  }
  let script: vm.Script;
  try {
    script = new vm.Script(source, { filename: 'program.js' });
  } catch (error) {
    if ((error as { name?: string }).name === 'SyntaxError') return { log, end: 'syntax error' };
    throw error;
  }
  try {
    script.runInContext(realm, { timeout: options.timeout ?? 2_000 });
    return { log, end: 'ok' };
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { log, end: 'timeout' };
    return { log, end: `throw ${describeThrown(error)}` };
  }
}

export interface Comparison {
  plain: Outcome;
  rewritten: Outcome;
  /** Null when the runs agree; otherwise where they first part. */
  difference: string | null;
  /** Plain did not compile or did not end, or it is not ECMAScript: the program says nothing about the rewrite. */
  invalid: boolean;
}

/**
 * Run `code` both ways and compare logs and endings. A program V8 does not compile or
 * finish plain is invalid; so is one acorn rejects while V8 runs it: V8 accepts some
 * early errors for the web's sake (`++f()` and `f() = 1` throw ReferenceError at run
 * time), which the loader cannot rewrite and reports with the file's name.
 */
export function compare(code: string, inline = true, bodies: Bodies = 'plain', through: Through = 'none'): Comparison {
  // `through` (through.ts): the toolchain's output is what is rewritten, and what the rewrite
  // is held to is its plain run (the original's, unless the toolchain changed the program).
  if (through !== 'none') {
    try {
      code = passThrough(code, through);
    } catch (e) {
      if (!(e instanceof ToolchainRefused)) throw e;
      const refused: Outcome = { log: [], end: 'syntax error' };
      return { plain: refused, rewritten: refused, difference: null, invalid: true };
    }
  }
  // A plain run that does not end soon is a loop that never ends (random programs run in
  // well under a millisecond), and says nothing: a short limit keeps such programs cheap.
  // The rewritten run, slower by design, keeps the long one.
  const plain = execute(code, { rewritten: false, timeout: 250 });
  let invalid = plain.end === 'syntax error' || plain.end === 'timeout';
  let rewritten = plain;
  if (!invalid) {
    rewritten = execute(code, { rewritten: true, inline, bodies });
    // A busy machine (a test run beside a long campaign) can stretch a run past its limit:
    // a timeout is only believed when a second run, with ten times the time, times out too.
    if (rewritten.end === 'timeout') rewritten = execute(code, { rewritten: true, inline, bodies, timeout: 20_000 });
    invalid = rewritten.end === 'not ECMAScript';
  }
  return { plain, rewritten, difference: invalid ? null : firstDifference(plain, rewritten), invalid };
}

const EITHER = '… is not a function or its return value is not iterable';
const EITHER_READS = ['… is not a function', '… is not iterable'];

/** Two log lines (or ends) that say the same: equal, or one with V8's combined wording where the other has one of its halves. */
function sameLine(a: string | undefined, b: string | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  const reads = (x: string, y: string) => x.includes(EITHER) && EITHER_READS.some((r) => x.replace(EITHER, r) === y);
  return reads(a, b) || reads(b, a);
}

const STACK_OVERFLOW = 'RangeError: Maximum call stack size exceeded';

/** A log split where the stack overflowed (a caught overflow logs its error; an uncaught one ends the run). */
function segments(outcome: Outcome): { lines: string[]; overflowed: boolean }[] {
  const out: { lines: string[]; overflowed: boolean }[] = [{ lines: [], overflowed: false }];
  for (const line of outcome.log) {
    if (!line.includes(STACK_OVERFLOW)) {
      out[out.length - 1]!.lines.push(line);
      continue;
    }
    out[out.length - 1]!.overflowed = true;
    out.push({ lines: [], overflowed: false });
  }
  if (outcome.end.includes(STACK_OVERFLOW)) out[out.length - 1]!.overflowed = true;
  return out;
}

/**
 * Where two runs first differ, or null. What a run logged right before its stack
 * overflowed is compared as far as both runs got: how deep a recursion gets is no part of
 * the language (it moves with frame sizes, which differ between V8's tiers too, and a
 * recursion through `valueOf` has the runtime's conversion frames between its calls).
 */
function firstDifference(plain: Outcome, rewritten: Outcome): string | null {
  const p = segments(plain);
  const r = segments(rewritten);
  let line = 0;
  for (let k = 0; k < Math.max(p.length, r.length); k++) {
    const a = p[k] ?? { lines: [], overflowed: false };
    const b = r[k] ?? { lines: [], overflowed: false };
    if (a.overflowed !== b.overflowed) return `stack overflow ${k + 1}: plain ${a.overflowed ? 'overflowed' : 'did not'} | rewritten ${b.overflowed ? 'overflowed' : 'did not'}`;
    const n = (a.overflowed ? Math.min : Math.max)(a.lines.length, b.lines.length);
    for (let i = 0; i < n; i++) {
      if (!sameLine(a.lines[i], b.lines[i])) return `log line ${line + i + 1}: plain ${a.lines[i] ?? '(nothing)'} | rewritten ${b.lines[i] ?? '(nothing)'}`;
    }
    line += Math.max(a.lines.length, b.lines.length) + 1;
  }
  return sameLine(plain.end, rewritten.end) ? null : `end: plain ${plain.end} | rewritten ${rewritten.end}`;
}
