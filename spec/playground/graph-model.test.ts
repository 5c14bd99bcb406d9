// What the trace graph draws (playground/src/graph-model.ts): library calls and loop runs
// folded into one node each, and the edges between what is visible.
import { describe, expect, it } from 'vitest';
import { findGroups, visibleGraph, type Origins } from '../../playground/src/graph-model.js';
import type { Graph, GraphNode } from '../../playground/src/trace-model.js';

// Positions in the evaluated code stand for lines one to one here.
const origins: Origins = { line: (at) => at.line, callee: (at) => (at.line === 9 ? 'deltaE' : null) };
const op = (id: number, lines: number[], inLibrary = false): GraphNode => ({
  id,
  kind: 'op',
  label: id % 2 ? 'sin' : '×',
  value: { n: id },
  at: lines.map((line) => ({ line, column: 1 })),
  ...(inLibrary ? { inLibrary: true as const } : {}),
});

/** x → 12 operations a library made from line 9 → 10 operations of a loop on lines 3–4 → the output, made on line 6. */
function traced(): Graph {
  const nodes: GraphNode[] = [{ id: 0, kind: 'input', label: 'x', value: { n: 1 } }];
  for (let i = 1; i <= 12; i++) nodes.push(op(i, [9], true));
  for (let i = 13; i <= 22; i++) nodes.push(op(i, [i % 2 ? 4 : 3]));
  nodes.push({ ...op(23, [6]), output: true });
  const edges = nodes.slice(1).map((n) => ({ from: n.id - 1, to: n.id, grad: { n: 2 } }));
  edges.push({ from: 0, to: 23, grad: { n: 5 } });
  return { nodes, edges, truncated: false, output: 23, outputGrad: { n: 1 } };
}
const loops = [{ line: 3, endLine: 4, kind: 'for' }];

describe('folding the trace graph', () => {
  const g = traced();
  const groups = findGroups(g, loops, origins);

  it('folds the operations of one library call, and a loop’s run', () => {
    expect(groups.map((x) => [x.kind, x.label, x.members.length, x.lines])).toEqual([
      ['loop', 'for at line 3', 10, [3, 4]],
      ['library', 'deltaE(…)', 12, [9]],
    ]);
    expect(groups.map((x) => x.id)).toEqual([24, 25]);
  });

  it('draws a closed group as one node, its edges merged, and an open one as its members', () => {
    const closed = visibleGraph(g, groups, new Set());
    expect(closed.nodes.map((n) => n.id)).toEqual([0, 23, 24, 25]);
    expect(closed.edges.map((e) => [e.from, e.to])).toEqual([
      [0, 25],
      [25, 24],
      [24, 23],
      [0, 23],
    ]);
    const open = visibleGraph(g, groups, new Set([25]));
    expect(open.nodes).toHaveLength(4 + 11);
    expect(open.frames.get(groups[1]!)).toEqual(groups[1]!.members);
  });

  it('adds up the gradients of parallel edges into a closed group', () => {
    const two: Graph = { ...traced(), edges: [...traced().edges, { from: 0, to: 5, grad: { n: 0.5 } }] };
    const edge = visibleGraph(two, findGroups(two, loops, origins), new Set()).edges.find((e) => e.from === 0 && e.to === 25)!;
    expect(edge.grad).toEqual({ n: 2.5 });
  });

  it('leaves short runs as they are', () => {
    const small: Graph = { ...g, nodes: g.nodes.slice(0, 3), edges: g.edges.slice(0, 2), output: 2 };
    expect(findGroups(small, loops, origins)).toEqual([]);
  });
});
