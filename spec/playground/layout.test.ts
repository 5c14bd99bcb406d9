// The trace graph's layered layout (playground/src/layout.ts, dagre underneath).
import { describe, expect, it } from 'vitest';
import { edgeKey, layout, type Box } from '../../playground/src/layout.js';

const apart = (a: Box, b: Box) => a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;

describe('the trace graph layout', () => {
  const nodes = [0, 1, 2, 3, 4, 5].map((id) => ({ id, width: 80, height: 40 }));
  // x (0) → x² (2) → 3x² (3) → + (5); x → 2x (1) → +; 4 is a late input of +.
  const edges = [
    { from: 0, to: 2, label: { width: 50, height: 16 } },
    { from: 2, to: 3 },
    { from: 0, to: 1 },
    { from: 3, to: 5, label: { width: 50, height: 16 } },
    { from: 1, to: 5 },
    { from: 4, to: 5 },
  ];
  const L = layout(nodes, edges);

  it('puts every operation right of its operands, and the output last', () => {
    for (const e of edges) expect(L.pos.get(e.to)!.x).toBeGreaterThan(L.pos.get(e.from)!.x + 80);
    expect(L.pos.get(5)!.x).toBe(Math.max(...[...L.pos.values()].map((p) => p.x)));
  });

  it('never overlaps two nodes, nor a label and a node', () => {
    const boxes = [...L.pos.values()];
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => expect(apart(a, b)).toBe(true)));
    for (const e of edges.filter((x) => x.label)) {
      const at = L.labels.get(edgeKey(e.from, e.to))!;
      const label = { x: at.x - 25, y: at.y - 8, width: 50, height: 16 };
      for (const b of boxes) expect(apart(label, b)).toBe(true);
    }
    expect(L.width).toBeGreaterThan(0);
    expect(L.height).toBeGreaterThan(0);
  });

  it('routes each edge from its source to its target', () => {
    for (const e of edges) {
      const route = L.routes.get(edgeKey(e.from, e.to))!;
      expect(route.length).toBeGreaterThanOrEqual(2);
      // Each end on its node's border.
      const on = (p: { x: number; y: number }, b: Box) => p.x >= b.x - 1 && p.x <= b.x + b.width + 1 && p.y >= b.y - 1 && p.y <= b.y + b.height + 1;
      expect(on(route[0]!, L.pos.get(e.from)!)).toBe(true);
      expect(on(route.at(-1)!, L.pos.get(e.to)!)).toBe(true);
    }
  });

  it('draws an open group as a frame around its members, and goes top to bottom when asked', () => {
    const framed = layout(nodes, edges, { clusters: new Map([[9, [2, 3]]]) });
    const frame = framed.clusters.get(9)!;
    for (const m of [2, 3]) {
      const b = framed.pos.get(m)!;
      expect(b.x).toBeGreaterThanOrEqual(frame.x);
      expect(b.x + b.width).toBeLessThanOrEqual(frame.x + frame.width);
    }
    const down = layout(nodes, edges, { direction: 'TB' });
    for (const e of edges) expect(down.pos.get(e.to)!.y).toBeGreaterThan(down.pos.get(e.from)!.y + 40);
  });

  it('lays out a few hundred nodes quickly', () => {
    const many = Array.from({ length: 400 }, (_, id) => ({ id, width: 90, height: 42 }));
    const chain = many.slice(1).map((n) => ({ from: Math.floor((n.id - 1) / 2), to: n.id }));
    const started = performance.now();
    const big = layout(many, chain);
    expect(big.pos.size).toBe(400);
    expect(performance.now() - started).toBeLessThan(3000);
  });
});
