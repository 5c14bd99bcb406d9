// Messages between the page and the worker that runs the user's code.
import type { Described } from './describe.js';
import type { CallPoint } from './progress.js';
import type { CallInfo, Pos } from './trace-model.js';

export type ToWorker =
  /** `source` is the compiled code wrapped by `wrapForEval`. */
  | { type: 'run'; source: string; renames: Record<string, string> }
  | { type: 'plot'; id: number; call: number; lo: number; hi: number; n: number }
  | { type: 'grid'; id: number; call: number; x: [number, number]; y: [number, number]; n: number };

export interface PlotData {
  xs: number[];
  ys: number[];
  ds: number[];
  y0: number;
  d0: number;
}

/** f and its gradient on an n×n grid, row by row from the lowest y. */
export interface GridData {
  x: [number, number];
  y: [number, number];
  n: number;
  zs: number[];
  gx: number[];
  gy: number[];
  /** f at the selected call's point, sampled with the grid (NaN where f gives no number). */
  z0?: number;
}

/** A compiled gradient the run made (`compileGradient`), and its generated code when the run ended. */
export interface CompiledSource {
  at: Pos | null;
  source: string;
}

/**
 * While the run goes on (at most every PROGRESS_MS): the calls recorded since the last
 * report. No picture of f: sampling f would run the user's code in the middle of the run.
 */
export interface Progress {
  ms: number;
  calls: CallPoint[];
}

/** What every run reports at its end, finished or failed. */
interface RunEnd {
  calls: CallInfo[];
  ms: number;
  compiled: CompiledSource[];
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'show'; site: number; value: Described }
  | { type: 'log'; level: 'log' | 'info' | 'warn' | 'error'; values: Described[] }
  | ({ type: 'progress' } & Progress)
  | ({ type: 'done' } & RunEnd)
  | ({ type: 'error'; name: string; message: string; stack: string } & RunEnd)
  | { type: 'plot'; id: number; data: PlotData | null }
  | { type: 'grid'; id: number; data: GridData | null };
