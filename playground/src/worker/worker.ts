// @zygote-ignore
// The Web Worker that runs the user's code. The page starts a fresh one for every run (so
// nothing a run defines leaks into the next) and terminates it when a run takes longer than
// the time limit — an endless loop stops the worker, never the page.
import * as zygote from 'zygote-ts';
// Code typed into the page may build functions from strings (`new Function(…)`): their
// bodies are rewritten as they are built, which needs the source rewriter here.
import 'zygote-ts/recompile';
import * as culori from 'culori';
import * as fraction from 'fraction.js';
import * as complex from 'complex.js';
import * as decimal from 'decimal.js';
import { describe, isTracedScalar, type Described } from '../describe.js';
import type { FromWorker, ToWorker } from '../protocol.js';
import { checkedImport } from '../imports.js';
import { formatArguments } from '../console-format.js';
import { __zy } from './runtime.js';
import { compiledSources, instrumentLibrary, onRecorded, recordedCalls, sample, sampleGrid, setRenames } from './trace.js';
import { PROGRESS_MS, Throttle, type CallPoint } from '../progress.js';
import type { CallInfo } from '../trace-model.js';

// User code is compiled with the global runtime binding: give it the instrumented table.
(globalThis as unknown as Record<symbol, unknown>)[Symbol.for('zygote-ts.runtime')] = __zy;

/** What `import … from '…'` in the playground can name. */
export const MODULES: Record<string, unknown> = {
  'zygote-ts': Object.freeze(instrumentLibrary(zygote)),
  culori,
  'fraction.js': fraction,
  'complex.js': complex,
  'decimal.js': decimal,
};

const post = (m: FromWorker) => (globalThis as unknown as { postMessage: (m: FromWorker) => void }).postMessage(m);

function safeDescribe(v: unknown): Described {
  try {
    return describe(v);
  } catch (e) {
    return { t: 'other', text: `(cannot show: ${(e as Error).message})` };
  }
}

/** A described value as one short line of text (a thrown value that is not an Error). */
function textOf(d: Described, depth = 0): string {
  const all = (xs: string[], n: number | undefined) => (n ? [...xs, `… ${n} more`] : xs).join(', ');
  if (depth > 3) return '…';
  switch (d.t) {
    case 'num':
      return String(d.v);
    case 'str':
      return JSON.stringify(d.v);
    case 'bool':
      return String(d.v);
    case 'null':
      return 'null';
    case 'undef':
      return 'undefined';
    case 'bigint':
      return `${d.v}n`;
    case 'fn':
      return `function ${d.name}`;
    case 'arr':
    case 'set':
      return `${d.t === 'set' ? 'Set ' : d.cls ? `${d.cls} ` : ''}[${all(d.items.map((x) => textOf(x, depth + 1)), d.more)}]`;
    case 'nums':
      return `${d.cls ?? 'Array'}(${d.values.length + (d.more ?? 0)}) [${all(d.values.slice(0, 8).map(String), d.values.length + (d.more ?? 0) - Math.min(8, d.values.length))}]`;
    case 'nd':
      return `NDArray ${d.shape.join('×')}`;
    case 'obj':
      return `${d.cls ? `${d.cls} ` : ''}{ ${all(d.fields.map(([k, v]) => `${k}: ${textOf(v, depth + 1)}`), d.more)} }`;
    case 'map':
    case 'grads':
      return `${d.t === 'map' ? 'Map' : 'Grads'} { ${d.entries.map(([k, v]) => `${textOf(k, depth + 1)} => ${textOf(v, depth + 1)}`).join(', ')} }`;
    case 'scalar':
      return `${d.cls} ${d.text}`;
    case 'ref':
    case 'other':
      return d.text;
  }
}

function importModule(name: string, names?: readonly string[]): unknown {
  const m = MODULES[name];
  if (m === undefined) {
    throw new Error(`The playground has no module '${name}'. It offers: ${Object.keys(MODULES).map((k) => `'${k}'`).join(', ')}.`);
  }
  return checkedImport(m, name, names);
}

// console, as user code (and the library's warnings) reach it: to the page, by structure.
const userConsole: Record<string, (...values: unknown[]) => void> = {};
for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  userConsole[level] = (...given: unknown[]) => {
    // A format string first ('%d steps'): filled as Node fills it, the values it used taken out.
    const f = formatArguments(given, (v) => textOf(safeDescribe(v)));
    const values = f === null ? given : [f.head, ...f.rest];
    post({ type: 'log', level: level === 'debug' ? 'log' : level, values: values.map((v) => (typeof v === 'string' ? { t: 'other', text: v } : safeDescribe(v))) });
  };
}
userConsole['table'] = userConsole['log']!;
userConsole['dir'] = userConsole['log']!;
Object.assign(console, userConsole);

/**
 * Live progress: after a recorded call, at most every PROGRESS_MS, the calls recorded since
 * the last post. Only what the run recorded: nothing here calls the user's code while it
 * runs (sampling f for a picture would run f's side effects — a counter, a random number
 * generator, a log — in the middle of the program, and change what it computes next).
 */
function reportProgress(started: number): void {
  const throttle = new Throttle(PROGRESS_MS, started);
  let sent = 0;
  onRecorded(() => {
    if (!throttle.due(performance.now())) return;
    const calls = recordedCalls();
    const fresh = calls.slice(sent).map(pointOf);
    sent = calls.length;
    post({ type: 'progress', ms: performance.now() - started, calls: fresh });
  });
}

function pointOf(c: CallInfo): CallPoint {
  const { graph: _, ...point } = c;
  return point;
}

/** The run has ended (finished or failed): the pictures may call f. */
let ended = false;

// A run ends as a Node program does: when its top-level code has finished and no timer of
// its own is left to fire (a `setTimeout` callback's output is the program's output too);
// an error thrown in a timer, or a promise rejected with no handler, ends it with that
// error. The time limit applies to the whole (an endless `setInterval` is stopped at it).
const timers = new Set<unknown>();
let timersDone: (() => void) | null = null;
let runFailed: ((e: unknown) => void) | null = null;
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
{
  type Handler = (...args: unknown[]) => void;
  const g = globalThis as unknown as Record<string, Function>;
  const [realClearTimeout, realSetInterval, realClearInterval] = [g['clearTimeout']!, g['setInterval']!, g['clearInterval']!];
  const changed = () => {
    if (timers.size === 0) timersDone?.();
  };
  const guarded = (handler: Handler) => (...a: unknown[]) => {
    try {
      handler(...a);
    } catch (e) {
      runFailed?.(e);
    }
  };
  g['setTimeout'] = function setTimeout(handler: unknown, ms?: number, ...args: unknown[]) {
    if (typeof handler !== 'function') return realSetTimeout(handler as TimerHandler, ms, ...args);
    const id: unknown = realSetTimeout((...a: unknown[]) => {
      timers.delete(id);
      guarded(handler as Handler)(...a);
      changed();
    }, ms, ...args);
    timers.add(id);
    return id;
  };
  g['setInterval'] = function setInterval(handler: unknown, ms?: number, ...args: unknown[]) {
    if (typeof handler !== 'function') return realSetInterval(handler, ms, ...args) as unknown;
    const id: unknown = realSetInterval(guarded(handler as Handler), ms, ...args);
    timers.add(id);
    return id;
  };
  // (clearTimeout and clearInterval take each other's ids, as in browsers.)
  g['clearTimeout'] = function clearTimeout(id?: unknown) {
    realClearTimeout(id);
    if (timers.delete(id)) changed();
  };
  g['clearInterval'] = function clearInterval(id?: unknown) {
    realClearInterval(id);
    if (timers.delete(id)) changed();
  };
  globalThis.addEventListener('unhandledrejection', (e) => {
    if (ended || runFailed === null) return;
    e.preventDefault();
    runFailed(e.reason);
  });
}

/** Resolves when no timer of the run's is left, and the tasks its last callbacks queued have run. */
async function settled(): Promise<void> {
  for (;;) {
    if (timers.size > 0) await new Promise<void>((resolve) => (timersDone = resolve));
    timersDone = null;
    // Two tasks: the microtasks the last callback left, and the rejections they left unhandled.
    for (let i = 0; i < 2; i++) await new Promise((resolve) => realSetTimeout(resolve, 0));
    if (timers.size === 0) return;
  }
}

async function run(source: string): Promise<void> {
  const started = performance.now();
  reportProgress(started);
  const show = (site: number, value: unknown) => {
    if (value !== undefined) post({ type: 'show', site, value: safeDescribe(value) });
    return value;
  };
  const failure = new Promise<never>((_, reject) => (runFailed = reject));
  try {
    const fn = (0, eval)(source) as (i: typeof importModule, s: typeof show, c: typeof userConsole) => Promise<void>;
    await Promise.race([
      (async () => {
        await fn(importModule, show, userConsole);
        await settled();
      })(),
      failure,
    ]);
    onRecorded(null); // (the worker now samples pictures for the page)
    ended = true;
    post({ type: 'done', calls: recordedCalls(), ms: performance.now() - started, compiled: compiledSources() });
  } catch (e) {
    onRecorded(null);
    ended = true;
    const end = { calls: recordedCalls(), ms: performance.now() - started, compiled: compiledSources() };
    if (e instanceof Error) post({ type: 'error', name: e.name, message: e.message, stack: e.stack ?? '', ...end });
    else {
      // `throw 42`, `throw { code: 7 }`: the value itself (it was shown as "Error: [object Object]").
      const kind = e === null ? 'null' : isTracedScalar(e) ? 'a number' : Array.isArray(e) ? 'an array' : typeof e === 'object' ? 'an object' : `a ${typeof e}`;
      post({ type: 'error', name: 'Uncaught', message: `${textOf(safeDescribe(e))} (${kind} was thrown, not an Error: it has no stack to say where)`, stack: '', ...end });
    }
  }
}

(globalThis as unknown as { onmessage: (e: MessageEvent<ToWorker>) => void }).onmessage = (event) => {
  const m = event.data;
  if (m.type === 'run') {
    setRenames(m.renames);
    void run(m.source);
  }
  // Pictures call f: only once the run has ended (a request that comes while it awaits
  // something is refused, as one past the time limit is), never in the middle of it.
  else if (!ended) post({ type: m.type, id: m.id, data: null });
  else if (m.type === 'plot') post({ type: 'plot', id: m.id, data: sample(m.call, m.lo, m.hi, m.n) });
  else if (m.type === 'grid') {
    const g = sampleGrid(m.call, m.x[0], m.x[1], m.y[0], m.y[1], m.n);
    post({ type: 'grid', id: m.id, data: g && { x: m.x, y: m.y, n: m.n, ...g } });
  }
};

post({ type: 'ready' });
