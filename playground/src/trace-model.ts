// The trace graph as the page draws it: the contract between whatever records a
// differentiation call (today: worker/trace.ts, which instruments the runtime table and
// zygote-ts's exports from the outside) and the view (graph.ts). With an inspection hook in
// the core (playground/README.md), a recorder reading the tape's rows would produce the
// same `Graph`, and the view would not change.
import type { Num } from './describe.js';

/** A value as a graph shows it: a number, an array's shape and first numbers, or a text. */
export type Summary = { n: Num } | { shape: number[]; data: Num[]; more?: number } | { s: string };

export interface GraphNode {
  id: number;
  /** `input`: an argument (or parameter) of f; `op`: an operation; `leaf`: a traced value of unknown origin. */
  kind: 'input' | 'op' | 'leaf';
  /** The operation (`×`, `sin`, `matmul`) or the input's path (`p.x`, `θ.W[0][1]`). */
  label: string;
  /** The operation with its constant operands, `·` for traced ones: `3 × ·`, `pow(·, 2)`. */
  detail?: string;
  value: Summary;
  output?: true;
  /**
   * For operations: the frames of the user's code that made it, innermost first, up to the
   * differentiation call (positions in the evaluated code; the page maps them to lines).
   */
  at?: Pos[];
  /** Made inside a library function that the user's code called at `at[0]` (culori's insides). */
  inLibrary?: true;
}

/** A place in the evaluated code (1-based), as a stack trace gives it. */
export interface Pos {
  line: number;
  column: number;
}

export interface GraphEdge {
  from: number;
  to: number;
  /** The cotangent that flowed back along this edge in the last backward pass (null: none ran). */
  grad: Summary | null;
}

export interface Graph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Recording stopped at the node limit. */
  truncated: boolean;
  /** The node of f's result, -1 when it was not traced. */
  output: number;
  /** The cotangent the backward pass started from (`dy`; 1 for gradient). */
  outputGrad: Summary | null;
}

export interface CallInfo {
  index: number;
  kind: string;
  /** Where the call is in the evaluated code (1-based, from a stack trace), for the page to map to the user's line. */
  at: Pos | null;
  /** A function of one number: the page can plot f and f′. */
  scalar: boolean;
  x0?: number;
  /** A function of two numbers (two arguments, or one argument holding exactly two): the page can draw f's contours and gradient field. */
  plane?: { names: [string, string]; at: [number, number] };
  /** Calls of the same f share a number: their points (from one place in the code) are an iterate path. */
  fn: number;
  /** f's value at the call, when it is a number (the loss of an optimisation's step). */
  value?: number;
  /** For a call on one number whose result holds f′(x0) (gradient, derivative, withgradient): that number. */
  slope?: number;
  /** For a step of `minimize` (kind 'minimize'): the solver's iteration (0: x0). */
  iteration?: number;
  graph: Graph;
}

