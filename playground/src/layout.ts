// A layered drawing of a trace: inputs on the left, the output on the right, each
// operation one column right of its latest operand; the order within a column is improved
// by a few barycentre sweeps (Sugiyama's heuristic), which keeps most edges short and
// uncrossed on graphs of a few hundred nodes.

export interface LayoutNode {
  id: number;
  width: number;
  height: number;
}

export interface Placed {
  x: number;
  y: number;
  layer: number;
}

export interface Layout {
  pos: Map<number, Placed>;
  width: number;
  height: number;
}

export function layout(nodes: readonly LayoutNode[], edges: readonly { from: number; to: number }[], output = -1, gapX = 56, gapY = 18): Layout {
  const ids = new Set(nodes.map((n) => n.id));
  const ins = new Map<number, number[]>();
  const outs = new Map<number, number[]>();
  for (const n of nodes) {
    ins.set(n.id, []);
    outs.set(n.id, []);
  }
  for (const e of edges) {
    if (!ids.has(e.from) || !ids.has(e.to) || e.from === e.to) continue;
    ins.get(e.to)!.push(e.from);
    outs.get(e.from)!.push(e.to);
  }
  // Node ids are in recording order, so operands come before results: one pass assigns layers.
  const order = [...nodes].sort((a, b) => a.id - b.id);
  const layer = new Map<number, number>();
  for (const n of order) layer.set(n.id, Math.max(-1, ...ins.get(n.id)!.map((p) => layer.get(p) ?? 0)) + 1);
  // Inputs that feed only late operations are pulled right, next to their first use.
  for (const n of [...order].reverse()) {
    if (ins.get(n.id)!.length > 0 || outs.get(n.id)!.length === 0) continue;
    layer.set(n.id, Math.max(0, Math.min(...outs.get(n.id)!.map((c) => layer.get(c)!)) - 1));
  }
  let depth = Math.max(0, ...layer.values());
  if (output >= 0 && layer.has(output)) {
    layer.set(output, depth);
  }
  const columns: number[][] = Array.from({ length: depth + 1 }, () => []);
  for (const n of order) columns[layer.get(n.id)!]!.push(n.id);
  depth = columns.length - 1;

  const rank = new Map<number, number>();
  const renumber = () => columns.forEach((c) => c.forEach((id, i) => rank.set(id, i)));
  renumber();
  const bary = (id: number, nbrs: Map<number, number[]>): number => {
    const ns = nbrs.get(id)!;
    return ns.length === 0 ? rank.get(id)! : ns.reduce((s, p) => s + rank.get(p)!, 0) / ns.length;
  };
  for (let sweep = 0; sweep < 6; sweep++) {
    const down = sweep % 2 === 0;
    const range = down ? columns.keys() : [...columns.keys()].reverse();
    for (const c of range) {
      const col = columns[c]!;
      const key = new Map(col.map((id) => [id, bary(id, down ? ins : outs)]));
      col.sort((a, b) => key.get(a)! - key.get(b)! || rank.get(a)! - rank.get(b)!);
      col.forEach((id, i) => rank.set(id, i));
    }
  }

  const size = new Map(nodes.map((n) => [n.id, n]));
  const colWidth = columns.map((c) => Math.max(0, ...c.map((id) => size.get(id)!.width)));
  const colHeight = columns.map((c) => c.reduce((s, id) => s + size.get(id)!.height, 0) + Math.max(0, c.length - 1) * gapY);
  const height = Math.max(0, ...colHeight);
  const pos = new Map<number, Placed>();
  let x = 0;
  columns.forEach((col, c) => {
    // Each column is centred on the tallest one.
    let y = (height - colHeight[c]!) / 2;
    for (const id of col) {
      const n = size.get(id)!;
      pos.set(id, { x: x + (colWidth[c]! - n.width) / 2, y, layer: c });
      y += n.height + gapY;
    }
    x += colWidth[c]! + gapX;
  });
  return { pos, width: Math.max(0, x - gapX), height };
}
