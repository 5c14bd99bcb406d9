// Messages between the page and the worker that runs the user's code.
import type { Described } from './describe.js';
import type { CallInfo } from './trace-model.js';

export type ToWorker =
  /** `source` is the compiled code wrapped by `wrapForEval`. */
  | { type: 'run'; source: string; renames: Record<string, string> }
  | { type: 'plot'; id: number; call: number; lo: number; hi: number; n: number };

export interface PlotData {
  xs: number[];
  ys: number[];
  ds: number[];
  y0: number;
  d0: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'show'; site: number; value: Described }
  | { type: 'log'; level: 'log' | 'info' | 'warn' | 'error'; values: Described[] }
  | { type: 'done'; calls: CallInfo[]; ms: number }
  | { type: 'error'; name: string; message: string; stack: string; calls: CallInfo[]; ms: number }
  | { type: 'plot'; id: number; data: PlotData | null };
