// Runs code: compile on the page (esbuild-wasm strips TypeScript in its own worker, then
// zygote-ts's transform), execute in a fresh Web Worker under a time limit. A spare worker
// is always loading, so a run does not wait for one, and a worker that overruns is
// terminated — an endless loop never blocks the page.
import * as esbuild from 'esbuild-wasm';
import { compile, errorPosition, EVAL_URL, STRIP_OPTIONS, userPlaces, wrapForEval, type Compiled, type Strip } from './compile.js';
import type { CompiledSource, FromWorker, GridData, PlotData, Progress, ToWorker } from './protocol.js';
import type { Pos } from './trace-model.js';
import type { Described } from './describe.js';
import type { CallInfo } from './trace-model.js';

export interface RunHandlers {
  show(site: number, value: Described): void;
  log(level: string, values: Described[]): void;
  /** While the run goes on: the calls recorded since the last report (progress.ts). */
  progress?(p: Progress): void;
}

export type RunOutcome =
  | { kind: 'done'; calls: CallInfo[]; ms: number; compiled: CompiledSource[] }
  | { kind: 'error'; name: string; message: string; line?: number; column?: number; calls: CallInfo[]; ms?: number; phase: 'compile' | 'run'; compiled: CompiledSource[] }
  | { kind: 'timeout'; limitMs: number }
  /** The user pressed Stop. */
  | { kind: 'stopped'; ms: number }
  /** A newer run replaced this one. */
  | { kind: 'cancelled' };

let esbuildReady: Promise<void> | null = null;

/** Load esbuild-wasm once (the .wasm file is served with the page). */
export function initCompiler(wasmURL: string): Promise<void> {
  esbuildReady ??= esbuild.initialize({ wasmURL, worker: true });
  return esbuildReady;
}

const strip: Strip = async (source, filename) => {
  await esbuildReady;
  const r = await esbuild.transform(source, { ...STRIP_OPTIONS, sourcefile: filename });
  return { code: r.code, map: r.map };
};

class WorkerHandle {
  readonly worker: Worker;
  readonly ready: Promise<void>;
  listener: ((m: FromWorker) => void) | null = null;

  constructor(url: string) {
    this.worker = new Worker(url, { type: 'module' });
    this.ready = new Promise((resolve, reject) => {
      this.worker.onerror = (e) => reject(new Error(e.message || 'the worker failed to load'));
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
        if (e.data.type === 'ready') resolve();
        else this.listener?.(e.data);
      };
    });
  }

  post(m: ToWorker): void {
    this.worker.postMessage(m);
  }
}

export class Runner {
  private spare: WorkerHandle;
  /** The worker of the last run, kept for plot requests until the next run. */
  private current: WorkerHandle | null = null;
  private requestId = 0;
  private pending: { resolve: (d: null | undefined) => void } | null = null;
  private cancelRun: (() => void) | null = null;
  private stopRun: (() => void) | null = null;
  private generation = 0;
  compiled: Compiled | null = null;

  constructor(
    private readonly workerURL: string,
    public limitMs: number,
  ) {
    this.spare = new WorkerHandle(workerURL);
  }

  /** Resolves when the first worker has loaded (the library and the packages it offers). */
  get ready(): Promise<void> {
    return this.spare.ready;
  }

  /** Runs `source`; `precompiled` is its compilation made by the build (an example's), which spares the compiler. */
  async run(source: string, handlers: RunHandlers, precompiled?: Compiled): Promise<RunOutcome> {
    this.pending?.resolve(undefined);
    this.cancelRun?.();
    this.current?.worker.terminate();
    this.current = null;
    const generation = ++this.generation;
    let compiled: Compiled;
    performance.mark('playground:compile');
    try {
      compiled = precompiled ?? (await compile(source, strip));
      performance.mark('playground:compiled');
      if (generation !== this.generation) return { kind: 'cancelled' };
    } catch (e) {
      const err = e as Error & { line?: number; column?: number };
      return { kind: 'error', name: err.name, message: err.message, line: err.line, column: err.column, calls: [], phase: 'compile', compiled: [] };
    }
    this.compiled = compiled;
    const handle = this.spare;
    this.spare = new WorkerHandle(this.workerURL);
    await handle.ready;
    if (generation !== this.generation) {
      handle.worker.terminate();
      return { kind: 'cancelled' };
    }
    this.current = handle;
    const started = performance.now();
    return new Promise<RunOutcome>((resolve) => {
      const finish = (o: RunOutcome) => {
        clearTimeout(timer);
        if (this.cancelRun === cancel) this.cancelRun = null;
        if (this.stopRun === stop) this.stopRun = null;
        handle.listener = null;
        resolve(o);
      };
      const cancel = () => finish({ kind: 'cancelled' });
      const stop = () => {
        handle.worker.terminate();
        if (this.current === handle) this.current = null;
        finish({ kind: 'stopped', ms: performance.now() - started });
      };
      this.cancelRun = cancel;
      this.stopRun = stop;
      const timer = setTimeout(() => {
        handle.worker.terminate();
        if (this.current === handle) this.current = null;
        finish({ kind: 'timeout', limitMs: this.limitMs });
      }, this.limitMs);
      handle.listener = (m) => {
        if (m.type === 'show') handlers.show(m.site, m.value);
        // (messages name places in the evaluated code: the library's warnings, as the user's file's)
        else if (m.type === 'log') handlers.log(m.level, m.values.map((v) => (v.t === 'other' ? { ...v, text: userPlaces(v.text, compiled.map) } : v)));
        else if (m.type === 'progress') handlers.progress?.(m);
        else if (m.type === 'done') finish({ kind: 'done', calls: m.calls, ms: m.ms, compiled: m.compiled });
        else if (m.type === 'error') {
          const at = errorPosition(m.stack, compiled.map);
          finish({ kind: 'error', name: m.name, message: userPlaces(m.message, compiled.map), line: at?.line, column: at?.column, calls: m.calls, ms: m.ms, phase: 'run', compiled: m.compiled });
        }
      };
      handle.post({ type: 'run', source: wrapForEval(compiled.code), renames: compiled.renames });
    });
  }

  /** Stops the run in progress (its worker is terminated); false when none is running. */
  stop(): boolean {
    if (this.stopRun === null) return false;
    this.stopRun();
    return true;
  }

  /**
   * f and f′ over [lo, hi] for a call of the last run: null when its worker is gone or took
   * too long, undefined when a newer request replaced this one.
   */
  plot(call: number, lo: number, hi: number, n = 241): Promise<PlotData | null | undefined> {
    return this.ask((id) => ({ type: 'plot', id, call, lo, hi, n }), (m, id) => (m.type === 'plot' && m.id === id ? m.data : undefined));
  }

  /** f and its gradient on an n×n grid, for a call of a function of two numbers (as `plot`). */
  grid(call: number, x: [number, number], y: [number, number], n: number): Promise<GridData | null | undefined> {
    return this.ask((id) => ({ type: 'grid', id, call, x, y, n }), (m, id) => (m.type === 'grid' && m.id === id ? m.data : undefined));
  }

  /** One request to the last run's worker, under the time limit; a newer request replaces it. */
  private ask<T>(message: (id: number) => ToWorker, answer: (m: FromWorker, id: number) => T | null | undefined): Promise<T | null | undefined> {
    const handle = this.current;
    if (handle === null) return Promise.resolve(null);
    this.pending?.resolve(undefined);
    const id = ++this.requestId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        handle.worker.terminate();
        if (this.current === handle) this.current = null;
        this.pending = null;
        resolve(null);
      }, this.limitMs);
      const settle = (d: T | null | undefined) => {
        clearTimeout(timer);
        this.pending = null;
        resolve(d);
      };
      this.pending = { resolve: settle };
      handle.listener = (m) => {
        const d = answer(m, id);
        if (d !== undefined) settle(d);
      };
      handle.post(message(id));
    });
  }

  /** The user's line of a place in the evaluated code (a recorded call, a graph node's frame). */
  userLine(at: Pos | null | undefined): number | null {
    if (!at || !this.compiled) return null;
    return errorPosition(`${EVAL_URL}:${at.line}:${at.column}`, this.compiled.map)?.line ?? null;
  }
}
