// The trace graph's layered data-flow layout, by dagre (Sugiyama's method: layers, crossing
// reduction, coordinate assignment): inputs first, the output last, left to right (or top
// to bottom, for a panel taller than it is wide). An open group is a dagre cluster, so its members are drawn together in a frame.
import dagre from '@dagrejs/dagre';

export interface LayoutNode {
  id: number;
  width: number;
  height: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  /** Top-left corners and sizes. */
  pos: Map<number, Box>;
  /** Each edge's route (from → to), as dagre's points. */
  routes: Map<string, { x: number; y: number }[]>;
  /** The centre of each labelled edge's label, placed by dagre clear of nodes and other labels. */
  labels: Map<string, { x: number; y: number }>;
  /** The frame of each cluster. */
  clusters: Map<number, Box>;
  width: number;
  height: number;
}

export const edgeKey = (from: number, to: number) => `${from}>${to}`;

export function layout(
  nodes: readonly LayoutNode[],
  edges: readonly { from: number; to: number; label?: { width: number; height: number } }[],
  {
    gapX = 56,
    gapY = 16,
    clusters = new Map<number, readonly number[]>(),
    direction = 'LR',
  }: { gapX?: number; gapY?: number; clusters?: ReadonlyMap<number, readonly number[]>; direction?: 'LR' | 'TB' } = {},
): Layout {
  const g = new dagre.graphlib.Graph({ compound: clusters.size > 0, multigraph: false });
  g.setGraph({ rankdir: direction, nodesep: gapY, ranksep: gapX, edgesep: 8, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(nodes.map((n) => n.id));
  for (const n of nodes) g.setNode(String(n.id), { width: n.width, height: n.height });
  for (const [cluster, members] of clusters) {
    g.setNode(`c${cluster}`, {});
    for (const m of members) if (ids.has(m)) g.setParent(String(m), `c${cluster}`);
  }
  for (const e of edges) {
    // A labelled edge is given its label's size, and dagre makes room for it between the layers.
    if (ids.has(e.from) && ids.has(e.to) && e.from !== e.to) g.setEdge(String(e.from), String(e.to), e.label ? { ...e.label, labelpos: 'c' } : {});
  }
  dagre.layout(g);
  const pos = new Map<number, Box>();
  for (const n of nodes) {
    const d = g.node(String(n.id));
    pos.set(n.id, { x: d.x! - n.width / 2, y: d.y! - n.height / 2, width: n.width, height: n.height });
  }
  const frames = new Map<number, Box>();
  for (const cluster of clusters.keys()) {
    const d = g.node(`c${cluster}`);
    if (d?.width) frames.set(cluster, { x: d.x! - d.width / 2, y: d.y! - d.height! / 2, width: d.width, height: d.height! });
  }
  const routes = new Map<string, { x: number; y: number }[]>();
  const labels = new Map<string, { x: number; y: number }>();
  for (const e of g.edges()) {
    const d = g.edge(e);
    routes.set(edgeKey(Number(e.v), Number(e.w)), d.points ?? []);
    if (d.width && d.x !== undefined && d.y !== undefined) labels.set(edgeKey(Number(e.v), Number(e.w)), { x: d.x, y: d.y });
  }
  const size = g.graph();
  return { pos, routes, labels, clusters: frames, width: size.width ?? 0, height: size.height ?? 0 };
}
