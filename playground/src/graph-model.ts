// What the trace graph draws, before it is laid out: the recorded graph with repeated work
// folded. Operations a library made inside one call from the user's code (culori's
// CIEDE2000: ~200 of them) become one node, and so does each run of a loop of the user's
// code; each group opens in place (its members drawn in a frame) and closes again.
import type { Loop } from './compile.js';
import type { Graph, GraphEdge, GraphNode, Pos, Summary } from './trace-model.js';

export interface Group {
  /** Its node id in the visible graph (after the recorded nodes' ids). */
  id: number;
  kind: 'library' | 'loop';
  /** `deltaE(…)`, `for at line 7`. */
  label: string;
  members: number[];
  /** The user's lines that made its members (each member's innermost frame). */
  lines: number[];
}

/** The smallest run of operations worth folding. */
const MIN_LIBRARY = 4;
const MIN_LOOP = 8;

export interface Origins {
  /** The user's line of a place in the evaluated code. */
  line(at: Pos): number | null;
  /** The name called at a place in the evaluated code (`deltaE`), for a library group's label. */
  callee(at: Pos): string | null;
}

/** The user's line that made a node: its innermost frame in the user's code (for a library's operation, the line that called the library). */
export function madeAt(n: GraphNode, origins: Origins): number | null {
  return n.at?.[0] ? origins.line(n.at[0]) : null;
}

/** The user's lines of every frame of a node (innermost first): what called what to make it. */
export function nodeLines(n: GraphNode, origins: Origins): number[] {
  return (n.at ?? []).map((p) => origins.line(p)).filter((l): l is number => l !== null);
}

/** Maximal runs of consecutive operations (in recording order) that share a non-null key. */
function runs(ops: readonly GraphNode[], key: (n: GraphNode) => string | null): GraphNode[][] {
  const out: GraphNode[][] = [];
  let current: GraphNode[] = [];
  let currentKey: string | null = null;
  for (const n of ops) {
    const k = key(n);
    if (k !== null && k === currentKey) current.push(n);
    else {
      if (currentKey !== null) out.push(current);
      current = k === null ? [] : [n];
      currentKey = k;
    }
  }
  if (currentKey !== null) out.push(current);
  return out;
}

export function findGroups(g: Graph, loops: readonly Loop[], origins: Origins): Group[] {
  const ops = g.nodes.filter((n) => n.kind === 'op');
  const lines = new Map(ops.map((n) => [n.id, nodeLines(n, origins)]));
  const groups: Group[] = [];
  const add = (kind: Group['kind'], label: string, members: GraphNode[]) => {
    const made = members.map((n) => madeAt(n, origins)).filter((l): l is number => l !== null);
    groups.push({ id: g.nodes.length + groups.length, kind, label, members: members.map((n) => n.id), lines: [...new Set(made)].sort((a, b) => a - b) });
  };
  // The outermost loop around any of a node's lines: loops are listed outer first.
  const loopOf = (n: GraphNode) => {
    const ls = lines.get(n.id)!;
    const i = loops.findIndex((l) => ls.some((x) => x >= l.line && x <= l.endLine));
    return i < 0 ? null : String(i);
  };
  const inLoop = new Set<number>();
  for (const run of runs(ops, loopOf)) {
    if (run.length < MIN_LOOP) continue;
    const loop = loops[Number(loopOf(run[0]!))]!;
    add('loop', `${loop.kind} at line ${loop.line}`, run);
    for (const n of run) inLoop.add(n.id);
  }
  const libraryCall = (n: GraphNode) => (n.inLibrary && n.at?.[0] && !inLoop.has(n.id) ? `${n.at[0].line}:${n.at[0].column}` : null);
  for (const run of runs(ops, libraryCall)) {
    if (run.length < MIN_LIBRARY) continue;
    const name = origins.callee(run[0]!.at![0]!);
    add('library', `${name ?? 'library call'}(…)`, run);
  }
  return groups;
}

/** A node of the visible graph: a recorded node, or a folded group. */
export type ViewNode = (GraphNode & { group?: undefined }) | { id: number; kind: 'group'; group: Group; value: Summary | null; output?: true };

export interface ViewGraph {
  nodes: ViewNode[];
  edges: GraphEdge[];
  /** For each open group, the ids of its members that are drawn (its frame's contents). */
  frames: Map<Group, number[]>;
}

/** The sum of some summaries when they are all numbers (a node's gradient is the sum over its uses). */
export function total(grads: readonly (Summary | null)[]): Summary | null {
  const got = grads.filter((x): x is Summary => x !== null);
  if (got.length === 0) return null;
  if (got.length === 1) return got[0]!;
  let sum = 0;
  for (const x of got) {
    if (!('n' in x) || typeof x.n !== 'number') return null;
    sum += x.n;
  }
  return { n: sum };
}

/** The graph as drawn: closed groups as one node each, the edges between what is visible. */
export function visibleGraph(g: Graph, groups: readonly Group[], open: ReadonlySet<number>): ViewGraph {
  const closedOf = new Map<number, Group>();
  for (const gr of groups) if (!open.has(gr.id)) for (const m of gr.members) closedOf.set(m, gr);
  const nodes: ViewNode[] = g.nodes.filter((n) => !closedOf.has(n.id));
  for (const gr of groups) {
    if (open.has(gr.id)) continue;
    const last = g.nodes[gr.members[gr.members.length - 1]!]!;
    nodes.push({ id: gr.id, kind: 'group', group: gr, value: last.value, ...(gr.members.includes(g.output) ? { output: true as const } : {}) });
  }
  const rep = (id: number) => closedOf.get(id)?.id ?? id;
  // Parallel edges into a closed group merge; their gradients add up (numbers) or are dropped.
  const merged = new Map<string, GraphEdge[]>();
  for (const e of g.edges) {
    if (e.to < 0) continue;
    const from = rep(e.from);
    const to = rep(e.to);
    if (from === to) continue;
    const key = `${from}>${to}`;
    (merged.get(key) ?? merged.set(key, []).get(key)!).push(e);
  }
  const edges = [...merged.values()].map((es) => ({ from: rep(es[0]!.from), to: rep(es[0]!.to), grad: total(es.map((e) => e.grad)) }));
  const frames = new Map<Group, number[]>();
  for (const gr of groups) if (open.has(gr.id)) frames.set(gr, gr.members.filter((m) => !closedOf.has(m)));
  return { nodes, edges, frames };
}
