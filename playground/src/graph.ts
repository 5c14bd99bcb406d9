// The trace graph of one differentiation call: operations as nodes (values flow left to
// right), and on each edge the cotangent that flowed back along it (right to left) in the
// last backward pass. Hover a node or an edge for its exact numbers.
import { fmt, full } from './format.js';
import { layout } from './layout.js';
import type { Graph, GraphEdge, GraphNode, Summary } from './trace-model.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_H = 42;
const CHAR_W = 7.4;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** A summary in a few characters: a number, or an array's shape. */
export function brief(s: Summary | null): string {
  if (s === null) return '—';
  if ('n' in s) return fmt(s.n);
  if ('shape' in s) {
    if (s.shape.length === 0) return fmt(s.data[0] ?? 0);
    if (s.shape.length === 1 && s.shape[0]! <= 3 && !s.more) return `[${s.data.map(fmt).join(', ')}]`;
    return s.shape.length === 1 ? `${s.shape[0]} numbers` : `${s.shape.join('×')} array`;
  }
  return s.s;
}

/** A summary in full, for a tooltip. */
export function detailed(s: Summary | null): string {
  if (s === null) return '— (no backward pass reached it)';
  if ('n' in s) return full(s.n);
  if ('shape' in s) return `${s.shape.join('×') || 'scalar'} [${s.data.map(fmt).join(', ')}${s.more ? `, … ${s.more} more` : ''}]`;
  return s.s;
}

/** The sum of some scalar summaries (a node's gradient is the sum over its outgoing edges). */
function total(grads: (Summary | null)[]): Summary | null {
  const got = grads.filter((g): g is Summary => g !== null);
  if (got.length === 0) return null;
  if (got.length === 1) return got[0]!;
  if (got.every((g) => 'n' in g && typeof g.n === 'number')) return { n: got.reduce((s, g) => s + ((g as { n: number }).n), 0) };
  return null;
}

function nodeText(n: GraphNode): [string, string] {
  const head = n.kind === 'op' ? (n.detail ?? n.label) : n.label;
  return [head.length > 28 ? `${head.slice(0, 27)}…` : head, `= ${brief(n.value)}`];
}

export interface GraphView {
  element: HTMLElement;
  /** Fit a small graph to the panel; show a big one at a readable size, its output in view. */
  fit(): void;
  zoom(factor: number): void;
}

export function drawGraph(g: Graph, tooltip: HTMLElement): GraphView {
  const wrap = document.createElement('div');
  wrap.className = 'graph-canvas';
  if (g.nodes.length === 0) {
    wrap.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'f did not depend on its arguments: nothing was traced.' }));
    return { element: wrap, fit() {}, zoom() {} };
  }
  const sizes = g.nodes.map((n) => {
    const [a, b] = nodeText(n);
    return { id: n.id, width: Math.max(64, Math.ceil(Math.max(a.length, b.length) * CHAR_W) + 22), height: NODE_H };
  });
  // Small graphs carry the gradient on each edge: leave room for the widest label.
  const showLabels = g.edges.length <= 40;
  const widest = showLabels ? Math.max(0, ...g.edges.map((e) => `← ${brief(e.grad)}`.length * 6.6 + 8)) : 0;
  const gapX = Math.max(52, widest + 20);
  const L = layout(sizes, g.edges, g.output, gapX, 14);
  const pad = 24;
  const W = L.width + 2 * pad;
  const H = L.height + 2 * pad;
  const root = svg('svg', { class: 'graph', width: W, height: H, viewBox: `0 0 ${W} ${H}` });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }));
  defs.append(marker);
  root.append(defs);
  const edgeLayer = svg('g', { class: 'edges' });
  const labelLayer = svg('g', { class: 'edge-labels' });
  const nodeLayer = svg('g', { class: 'nodes' });
  root.append(edgeLayer, nodeLayer, labelLayer);

  const size = new Map(sizes.map((s) => [s.id, s]));
  const at = (id: number) => L.pos.get(id)!;
  const incoming = new Map<number, GraphEdge[]>();
  const outgoing = new Map<number, GraphEdge[]>();
  for (const e of g.edges) {
    if (e.to < 0) continue;
    (incoming.get(e.to) ?? incoming.set(e.to, []).get(e.to)!).push(e);
    (outgoing.get(e.from) ?? outgoing.set(e.from, []).get(e.from)!).push(e);
  }

  const tip = (ev: MouseEvent, lines: [string, string][]) => {
    tooltip.replaceChildren(
      ...lines.map(([k, v]) => {
        const row = document.createElement('div');
        const key = document.createElement('span');
        key.className = 'tip-key';
        key.textContent = k;
        const val = document.createElement('span');
        val.className = 'tip-val';
        val.textContent = v;
        row.append(key, val);
        return row;
      }),
    );
    tooltip.hidden = false;
    const box = tooltip.parentElement!.getBoundingClientRect();
    const x = Math.min(ev.clientX - box.left + 14, box.width - tooltip.offsetWidth - 8);
    const y = Math.min(ev.clientY - box.top + 14, box.height - tooltip.offsetHeight - 8);
    tooltip.style.left = `${Math.max(4, x)}px`;
    tooltip.style.top = `${Math.max(4, y)}px`;
  };
  const untip = () => {
    tooltip.hidden = true;
  };

  for (const e of g.edges) {
    if (e.to < 0 || !L.pos.has(e.from) || !L.pos.has(e.to)) continue;
    const a = at(e.from);
    const b = at(e.to);
    const sa = size.get(e.from)!;
    const into = incoming.get(e.to)!;
    const k = into.indexOf(e);
    const x1 = a.x + sa.width + pad;
    const y1 = a.y + NODE_H / 2 + pad;
    const x2 = b.x + pad - 1;
    const spread = showLabels ? 18 : 10;
    const y2 = b.y + NODE_H / 2 + pad + (k - (into.length - 1) / 2) * Math.min(spread, 36 / Math.max(1, into.length - 1));
    const dx = Math.max(24, (x2 - x1) / 2);
    const d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    const group = svg('g', { class: `edge${e.grad === null ? ' no-grad' : ''}` });
    const path = svg('path', { d, class: 'edge-line', 'marker-end': 'url(#arrow)' });
    const hit = svg('path', { d, class: 'edge-hit' });
    group.append(path, hit);
    const from = g.nodes[e.from]!;
    const to = g.nodes[e.to]!;
    group.addEventListener('mousemove', (ev) =>
      tip(ev, [
        ['edge', `${nodeText(from)[0]}  →  ${nodeText(to)[0]}`],
        ['value passed', detailed(from.value)],
        ['gradient back', detailed(e.grad)],
      ]),
    );
    group.addEventListener('mouseleave', untip);
    edgeLayer.append(group);
    if (showLabels && e.grad !== null) {
      // In the gap just before the target, where no other node stands.
      const mx = x2 - gapX / 2;
      let my = y2;
      for (let t = 0, best = Infinity; t <= 1; t += 0.02) {
        const u = 1 - t;
        const bx = u * u * u * x1 + 3 * u * u * t * (x1 + dx) + 3 * u * t * t * (x2 - dx) + t * t * t * x2;
        if (Math.abs(bx - mx) < best) {
          best = Math.abs(bx - mx);
          my = u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2;
        }
      }
      const text = `← ${brief(e.grad)}`;
      const w = text.length * 6.6 + 8;
      const label = svg('g', { class: 'edge-label', transform: `translate(${mx - w / 2},${my - 9})` });
      label.append(svg('rect', { width: w, height: 16, rx: 8 }), Object.assign(svg('text', { x: w / 2, y: 12 }), { textContent: text }));
      labelLayer.append(label);
    }
  }

  for (const n of g.nodes) {
    const p = L.pos.get(n.id);
    if (!p) continue;
    const s = size.get(n.id)!;
    const cls = `node ${n.kind}${n.output ? ' output' : ''}`;
    const group = svg('g', { class: cls, transform: `translate(${p.x + pad},${p.y + pad})` });
    group.append(svg('rect', { width: s.width, height: NODE_H, rx: 8 }));
    const [head, value] = nodeText(n);
    group.append(Object.assign(svg('text', { x: s.width / 2, y: 17, class: 'node-head' }), { textContent: head }));
    group.append(Object.assign(svg('text', { x: s.width / 2, y: 33, class: 'node-value' }), { textContent: value }));
    const grad = n.output ? g.outputGrad : total((outgoing.get(n.id) ?? []).map((e) => e.grad));
    group.addEventListener('mousemove', (ev) =>
      tip(ev, [
        [n.kind === 'op' ? 'operation' : n.kind === 'input' ? 'input' : 'traced value', n.kind === 'op' ? (n.detail ?? n.label) : n.label],
        ['value', detailed(n.value)],
        [n.output ? 'cotangent in (dy)' : 'gradient', detailed(grad)],
        ...(n.output ? [] : ([['uses', String(outgoing.get(n.id)?.length ?? 0)]] as [string, string][])),
      ]),
    );
    group.addEventListener('mouseleave', untip);
    nodeLayer.append(group);
  }
  wrap.append(root);

  let scale = 1;
  const apply = () => {
    root.setAttribute('width', String(W * scale));
    root.setAttribute('height', String(H * scale));
  };
  const out = g.output >= 0 ? L.pos.get(g.output) : undefined;
  /** Scroll so that the output (or the right end) is in view, vertically centred. */
  const showOutput = () => {
    wrap.scrollLeft = wrap.scrollWidth;
    const y = out ? (out.y + pad + NODE_H / 2) * scale : (H * scale) / 2;
    wrap.scrollTop = y - wrap.clientHeight / 2;
  };
  // Drag to pan; Ctrl (or ⌘) + wheel to zoom around the pointer.
  let drag: { x: number; y: number; left: number; top: number } | null = null;
  wrap.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, left: wrap.scrollLeft, top: wrap.scrollTop };
    wrap.classList.add('dragging');
  });
  window.addEventListener('pointermove', (e) => {
    if (!drag) return;
    wrap.scrollLeft = drag.left - (e.clientX - drag.x);
    wrap.scrollTop = drag.top - (e.clientY - drag.y);
  });
  window.addEventListener('pointerup', () => {
    drag = null;
    wrap.classList.remove('dragging');
  });
  const zoomAt = (factor: number, px: number, py: number) => {
    const cx = (wrap.scrollLeft + px) / scale;
    const cy = (wrap.scrollTop + py) / scale;
    scale = Math.min(2.5, Math.max(0.15, scale * factor));
    apply();
    wrap.scrollLeft = cx * scale - px;
    wrap.scrollTop = cy * scale - py;
  };
  wrap.addEventListener(
    'wheel',
    (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      const r = wrap.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    },
    { passive: false },
  );
  return {
    element: wrap,
    fit() {
      const box = wrap.getBoundingClientRect();
      const fitW = (box.width - 4) / W;
      const fitScale = Math.min(1.25, fitW, (box.height - 4) / H);
      // Small graphs fit the panel; tall ones fit its width and scroll down; big ones keep
      // their text readable and scroll both ways.
      scale = fitScale >= 0.6 ? fitScale : fitW >= 0.55 ? Math.min(1.1, fitW) : 0.9;
      apply();
      showOutput();
    },
    zoom(factor: number) {
      zoomAt(factor, wrap.clientWidth / 2, wrap.clientHeight / 2);
    },
  };
}
