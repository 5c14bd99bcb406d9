// The trace graph's layered layout (playground/src/layout.ts).
import { describe, expect, it } from 'vitest';
import { layout } from '../../playground/src/layout.js';

describe('the trace graph layout', () => {
  const nodes = [0, 1, 2, 3, 4, 5].map((id) => ({ id, width: 80, height: 40 }));
  // x (0) → x² (2) → 3x² (3) → + (5); x → 2x (1) → +; 4 is a late input of +.
  const edges = [
    { from: 0, to: 2 },
    { from: 2, to: 3 },
    { from: 0, to: 1 },
    { from: 3, to: 5 },
    { from: 1, to: 5 },
    { from: 4, to: 5 },
  ];
  const L = layout(nodes, edges, 5);

  it('puts every operation right of its operands, and the output last', () => {
    for (const e of edges) expect(L.pos.get(e.to)!.layer).toBeGreaterThan(L.pos.get(e.from)!.layer);
    expect(L.pos.get(5)!.layer).toBe(Math.max(...[...L.pos.values()].map((p) => p.layer)));
    expect(L.pos.get(4)!.layer).toBe(L.pos.get(5)!.layer - 1); // pulled next to its use
  });

  it('never overlaps two nodes', () => {
    const boxes = [...L.pos.entries()].map(([id, p]) => ({ id, ...p }));
    for (const a of boxes) {
      for (const b of boxes) {
        if (a.id >= b.id) continue;
        const apart = a.x + 80 <= b.x || b.x + 80 <= a.x || a.y + 40 <= b.y || b.y + 40 <= a.y;
        expect(apart, `${a.id} and ${b.id}`).toBe(true);
      }
    }
    expect(L.width).toBeGreaterThan(0);
    expect(L.height).toBeGreaterThan(0);
  });
});
