// The trace graph of one differentiation call: operations as nodes (values flow left to
// right), and on each edge the cotangent that flowed back along it (right to left) in the
// last backward pass. A library's insides and a loop's runs are folded into one node each
// (graph-model.ts), opened by a click or Enter. Pan by dragging, zoom with Ctrl+wheel or the
// buttons, Fit shows the whole graph; a minimap shows where the view is. Keyboard: Tab
// reaches the graph, the arrow keys walk along edges (← →, or ↑ ↓ when the layers go down)
// and within a layer, Enter
// opens a group or selects a node (its source lines light up in the editor), Escape folds the
// open group around it, + − 0 zoom (0 fits).
import { fmt, full } from './format.js';
import { edgeKey, layout, type Box, type Layout } from './layout.js';
import { findGroups, madeAt, total, visibleGraph, type Group, type Origins, type ViewGraph, type ViewNode } from './graph-model.js';
import type { Loop } from './compile.js';
import type { Graph, GraphEdge, Summary } from './trace-model.js';

const SVG = 'http://www.w3.org/2000/svg';
const NODE_H = 42;
const CHAR_W = 7.4;
const LABEL_CHAR_W = 6.6;
const PAD = 24;
/** Below this zoom the edge labels are too small to read, and are hidden. */
const LABEL_MIN_SCALE = 0.5;
const MIN_SCALE = 0.02;
const MAX_SCALE = 3;

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

function nodeText(n: ViewNode): [string, string] {
  if (n.kind === 'group') return [`${n.group.kind === 'loop' ? '↻ ' : ''}${n.group.label}`, `${n.group.members.length} operations ▸`];
  const head = n.kind === 'op' ? (n.detail ?? n.label) : n.label;
  return [head.length > 28 ? `${head.slice(0, 27)}…` : head, `= ${brief(n.value)}`];
}

function searchText(n: ViewNode, g: Graph): string {
  if (n.kind !== 'group') return `${n.label} ${n.detail ?? ''}`.toLowerCase();
  return [n.group.label, ...n.group.members.map((m) => `${g.nodes[m]!.label} ${g.nodes[m]!.detail ?? ''}`)].join(' ').toLowerCase();
}

export interface GraphOptions {
  tooltip: HTMLElement;
  loops: readonly Loop[];
  origins: Origins;
  /** A node was chosen: the user's lines that made it (empty for an input). */
  selected(lines: number[]): void;
  /** The panel's size: a tall, narrow one may show the layers top to bottom, if that fits better. */
  viewport(): { width: number; height: number };
  /** After each drawing: how many groups are open, of how many. */
  groupsChanged(open: number, all: number): void;
}

export interface GraphView {
  element: HTMLElement;
  /** The whole graph in view. */
  fit(): void;
  zoom(factor: number): void;
  /** Opens every group, or folds them all when all are open. */
  toggleAll(): void;
  readonly groupCount: number;
  /** Marks the nodes whose name holds `text` and shows the first; returns how many matched. */
  search(text: string): number;
  /** Shows the next match of the last search. */
  next(): void;
  /** Marks the nodes the user's line made, and shows them; returns how many. */
  showLine(line: number | null): number;
}

export function drawGraph(g: Graph, opts: GraphOptions): GraphView {
  const wrap = document.createElement('div');
  wrap.className = 'graph-canvas';
  const nothing = { fit() {}, zoom() {}, toggleAll() {}, groupCount: 0, search: () => 0, next() {}, showLine: () => 0 };
  if (g.nodes.length === 0) {
    wrap.append(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'f did not depend on its arguments: nothing was traced.' }));
    return { element: wrap, ...nothing };
  }
  const groups = findGroups(g, opts.loops, opts.origins);
  const open = new Set<number>();
  const linesOf = (n: ViewNode): number[] => {
    if (n.kind === 'group') return n.group.lines;
    const line = madeAt(n, opts.origins);
    return line === null ? [] : [line];
  };
  const outgoingGrads = new Map<number, (Summary | null)[]>();
  for (const e of g.edges) if (e.to >= 0) (outgoingGrads.get(e.from) ?? outgoingGrads.set(e.from, []).get(e.from)!).push(e.grad);

  let view: ViewGraph;
  let L: Layout;
  let root: SVGSVGElement;
  let nodeEls = new Map<number, SVGGElement>();
  let hits: number[] = [];
  let hitIndex = 0;
  let query = '';
  let focused = -1;
  let direction: 'LR' | 'TB' = 'LR';
  let scale = 1;
  let tx = 0;
  let ty = 0;
  const minimap = svg('svg', { class: 'minimap', 'aria-hidden': 'true' });
  const mmView = svg('rect', { class: 'mm-view' });

  // ---- tooltip ----
  const tip = (x: number, y: number, lines: [string, string][]) => {
    const t = opts.tooltip;
    t.replaceChildren(
      ...lines.map(([k, v]) => {
        const row = document.createElement('div');
        row.append(Object.assign(document.createElement('span'), { className: 'tip-key', textContent: k }), Object.assign(document.createElement('span'), { className: 'tip-val', textContent: v }));
        return row;
      }),
    );
    t.hidden = false;
    const box = t.parentElement!.getBoundingClientRect();
    t.style.left = `${Math.max(4, Math.min(x - box.left + 14, box.width - t.offsetWidth - 8))}px`;
    t.style.top = `${Math.max(4, Math.min(y - box.top + 14, box.height - t.offsetHeight - 8))}px`;
  };
  const untip = () => {
    opts.tooltip.hidden = true;
  };
  const nodeTip = (n: ViewNode): [string, string][] => {
    if (n.kind === 'group') {
      const where = n.group.lines.length ? `line ${Math.min(...n.group.lines)}${n.group.lines.length > 1 ? ` (and ${n.group.lines.length - 1} more)` : ''}` : '—';
      return [[n.group.kind === 'loop' ? 'loop' : 'library call', n.group.label], ['operations', String(n.group.members.length)], ['result', detailed(n.value)], ['made at', where], ['', 'Enter or click: open']];
    }
    const grad = n.output ? g.outputGrad : total(outgoingGrads.get(n.id) ?? []);
    const lines = linesOf(n);
    return [
      [n.kind === 'op' ? 'operation' : n.kind === 'input' ? 'input' : 'traced value', n.kind === 'op' ? (n.detail ?? n.label) : n.label],
      ['value', detailed(n.value)],
      [n.output ? 'cotangent in (dy)' : 'gradient', detailed(grad)],
      ...(lines.length ? ([['made at', `line ${lines[0]}${n.inLibrary ? ' (inside a library call)' : ''}`]] as [string, string][]) : []),
    ];
  };

  // ---- panning and zooming ----
  const apply = () => {
    root.style.transform = `translate(${tx}px, ${ty}px) scale(${scale})`;
    wrap.classList.toggle('far', scale < LABEL_MIN_SCALE);
    const W = L.width + 2 * PAD;
    const H = L.height + 2 * PAD;
    mmView.setAttribute('x', String(-tx / scale));
    mmView.setAttribute('y', String(-ty / scale));
    mmView.setAttribute('width', String(wrap.clientWidth / scale));
    mmView.setAttribute('height', String(wrap.clientHeight / scale));
    // The minimap only when part of the graph is out of view.
    minimap.style.display = W * scale > wrap.clientWidth + 1 || H * scale > wrap.clientHeight + 1 ? '' : 'none';
  };
  const zoomAt = (factor: number, px: number, py: number) => {
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scale * factor));
    tx = px - ((px - tx) / scale) * next;
    ty = py - ((py - ty) / scale) * next;
    scale = next;
    apply();
  };
  /** Centres the view on a point of the graph (its own coordinates), keeping the zoom. */
  const centre = (x: number, y: number) => {
    tx = wrap.clientWidth / 2 - x * scale;
    ty = wrap.clientHeight / 2 - y * scale;
    apply();
  };
  const fit = () => {
    const W = L.width + 2 * PAD;
    const H = L.height + 2 * PAD;
    const w = wrap.clientWidth || 600;
    const h = wrap.clientHeight || 400;
    scale = Math.max(MIN_SCALE, Math.min(1.25, w / W, h / H));
    tx = (w - W * scale) / 2;
    ty = (h - H * scale) / 2;
    apply();
  };
  /** Shows a node at a readable size (zooming in when the view is too far out). */
  const reveal = (id: number) => {
    const b = L.pos.get(id);
    if (!b) return;
    if (scale < 0.8) scale = 1;
    centre(b.x + PAD + b.width / 2, b.y + PAD + b.height / 2);
  };

  let drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | null = null;
  wrap.addEventListener('pointerdown', (e) => {
    if (e.button !== 0 || e.target instanceof Element && e.target.closest('.minimap')) return;
    drag = { x: e.clientX, y: e.clientY, tx, ty, moved: false };
  });
  wrap.addEventListener('pointermove', (e) => {
    if (!drag) return;
    if (!drag.moved && Math.hypot(e.clientX - drag.x, e.clientY - drag.y) < 4) return;
    if (!drag.moved) {
      drag.moved = true;
      wrap.setPointerCapture(e.pointerId);
      wrap.classList.add('dragging');
      untip();
    }
    tx = drag.tx + e.clientX - drag.x;
    ty = drag.ty + e.clientY - drag.y;
    apply();
  });
  const endDrag = () => {
    drag = null;
    wrap.classList.remove('dragging');
  };
  wrap.addEventListener('pointerup', endDrag);
  wrap.addEventListener('pointercancel', endDrag);
  wrap.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const r = wrap.getBoundingClientRect();
      // Ctrl/⌘ + wheel (and a trackpad's pinch) zooms; the wheel alone pans.
      if (e.ctrlKey || e.metaKey) zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
      else {
        tx -= e.shiftKey ? e.deltaY : e.deltaX;
        ty -= e.shiftKey ? 0 : e.deltaY;
        apply();
      }
    },
    { passive: false },
  );
  const fromMinimap = (e: PointerEvent) => {
    // In the minimap's content box (inside its border), where the viewBox is drawn.
    const r = minimap.getBoundingClientRect();
    const [left, top, width, height] = [r.left + minimap.clientLeft, r.top + minimap.clientTop, minimap.clientWidth, minimap.clientHeight];
    const W = L.width + 2 * PAD;
    const H = L.height + 2 * PAD;
    const k = Math.max(W / width, H / height); // the viewBox keeps its aspect (xMidYMid meet)
    centre(W / 2 + (e.clientX - left - width / 2) * k, H / 2 + (e.clientY - top - height / 2) * k);
  };
  minimap.addEventListener('pointerdown', (e) => {
    e.stopPropagation();
    minimap.setPointerCapture(e.pointerId);
    fromMinimap(e);
    const move = (ev: PointerEvent) => fromMinimap(ev);
    minimap.addEventListener('pointermove', move);
    minimap.addEventListener('pointerup', () => minimap.removeEventListener('pointermove', move), { once: true });
  });

  // ---- drawing ----
  const select = (n: ViewNode) => {
    for (const el of nodeEls.values()) el.classList.remove('selected');
    nodeEls.get(n.id)?.classList.add('selected');
    opts.selected(linesOf(n));
  };
  /** Opens or folds a group; the focus goes to its first member drawn (opened) or to it (folded). */
  const toggleGroup = (gr: Group) => {
    const opening = !open.has(gr.id);
    if (opening) open.add(gr.id);
    else open.delete(gr.id);
    draw();
    focusNode(opening ? (gr.members.find((m) => nodeEls.has(m)) ?? gr.id) : gr.id);
  };
  const activate = (n: ViewNode) => {
    if (n.kind === 'group') toggleGroup(n.group);
    else select(n);
  };

  function draw(): void {
    view = visibleGraph(g, groups, open);
    const labelled = (e: GraphEdge) => e.grad !== null;
    const sizes = view.nodes.map((n) => {
      const [a, b] = nodeText(n);
      return { id: n.id, width: Math.max(64, Math.ceil(Math.max(a.length, b.length) * CHAR_W) + 22), height: NODE_H };
    });
    const labelText = (e: GraphEdge) => `← ${brief(e.grad)}`;
    const labelWidth = (e: GraphEdge) => labelText(e).length * LABEL_CHAR_W + 8;
    const clusters = new Map([...view.frames].map(([gr, members]) => [gr.id, members]));
    const edges = view.edges.map((e) => (labelled(e) ? { ...e, label: { width: labelWidth(e), height: 18 } } : e));
    const options = { gapX: 36, gapY: 14, clusters };
    L = layout(sizes, edges, { ...options, direction: 'LR' });
    direction = 'LR';
    const panel = opts.viewport();
    if (panel.width < panel.height) {
      // A tall panel: top to bottom when that shows the graph larger.
      const down = layout(sizes, edges, { ...options, direction: 'TB' });
      const fits = (l: Layout) => Math.min(panel.width / (l.width + 2 * PAD), panel.height / (l.height + 2 * PAD));
      if (fits(down) > fits(L)) [L, direction] = [down, 'TB'];
    }
    const W = L.width + 2 * PAD;
    const H = L.height + 2 * PAD;
    const next = svg('svg', { class: 'graph', width: W, height: H, viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': `Trace graph: ${view.nodes.length} nodes. Arrow keys move between nodes, Enter selects or opens.` });
    const defs = svg('defs');
    const marker = svg('marker', { id: 'arrow', viewBox: '0 0 8 8', refX: 7, refY: 4, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrowhead' }));
    defs.append(marker);
    const frameLayer = svg('g', { class: 'frames' });
    const edgeLayer = svg('g', { class: 'edges' });
    const nodeLayer = svg('g', { class: 'nodes' });
    const labelLayer = svg('g', { class: 'edge-labels' });
    next.append(defs, frameLayer, edgeLayer, nodeLayer, labelLayer);
    const world = (b: Box) => ({ x: b.x + PAD, y: b.y + PAD });

    for (const [gr] of view.frames) {
      const b = L.clusters.get(gr.id);
      if (!b) continue;
      const at = world(b);
      const frame = svg('g', { class: 'group-frame' });
      frame.append(svg('rect', { x: at.x - 8, y: at.y - 22, width: b.width + 16, height: b.height + 30, rx: 10, class: 'frame' }));
      const title = svg('text', { x: at.x, y: at.y - 8, class: 'frame-title' });
      title.textContent = `${gr.kind === 'loop' ? '↻ ' : ''}${gr.label} — ${gr.members.length} operations (click here to fold)`;
      frame.append(title);
      frame.addEventListener('click', (e) => {
        if (!drag?.moved && e.target === title) toggleGroup(gr);
      });
      frameLayer.append(frame);
    }

    const byId = new Map(view.nodes.map((n) => [n.id, n]));
    for (const e of view.edges) {
      const pts = L.routes.get(edgeKey(e.from, e.to));
      if (!pts || pts.length < 2) continue;
      const p = pts.map((q) => ({ x: q.x + PAD, y: q.y + PAD }));
      let d = `M${p[0]!.x},${p[0]!.y}`;
      for (let i = 1; i < p.length - 1; i++) d += ` Q${p[i]!.x},${p[i]!.y} ${(p[i]!.x + p[i + 1]!.x) / 2},${(p[i]!.y + p[i + 1]!.y) / 2}`;
      d += ` L${p[p.length - 1]!.x},${p[p.length - 1]!.y}`;
      const group = svg('g', { class: `edge${e.grad === null ? ' no-grad' : ''}` });
      group.append(svg('path', { d, class: 'edge-line', 'marker-end': 'url(#arrow)' }), svg('path', { d, class: 'edge-hit' }));
      const from = byId.get(e.from)!;
      const to = byId.get(e.to)!;
      group.addEventListener('mousemove', (ev) =>
        tip(ev.clientX, ev.clientY, [
          ['edge', `${nodeText(from)[0]}  →  ${nodeText(to)[0]}`],
          ['value passed', detailed(from.value)],
          ['gradient back', detailed(e.grad)],
        ]),
      );
      group.addEventListener('mouseleave', untip);
      edgeLayer.append(group);
      const at = L.labels.get(edgeKey(e.from, e.to));
      if (labelled(e) && at) {
        const w = labelWidth(e);
        const label = svg('g', { class: 'edge-label', transform: `translate(${at.x + PAD - w / 2},${at.y + PAD - 8})` });
        label.append(svg('rect', { width: w, height: 16, rx: 8 }), Object.assign(svg('text', { x: w / 2, y: 12 }), { textContent: labelText(e) }));
        labelLayer.append(label);
      }
    }

    nodeEls = new Map();
    for (const n of view.nodes) {
      const b = L.pos.get(n.id)!;
      const at = world(b);
      const cls = `node ${n.kind}${n.output ? ' output' : ''}`;
      const [head, value] = nodeText(n);
      const el = svg('g', { class: cls, transform: `translate(${at.x},${at.y})`, tabindex: -1, role: 'button', 'data-id': n.id });
      // Named by its own text (head and value); a folded group says that it opens.
      if (n.kind === 'group') el.setAttribute('aria-expanded', 'false');
      el.append(svg('rect', { width: b.width, height: NODE_H, rx: 8 }));
      el.append(Object.assign(svg('text', { x: b.width / 2, y: 17, class: 'node-head' }), { textContent: head }));
      el.append(Object.assign(svg('text', { x: b.width / 2, y: 33, class: 'node-value' }), { textContent: value }));
      el.addEventListener('mousemove', (ev) => tip(ev.clientX, ev.clientY, nodeTip(n)));
      el.addEventListener('mouseleave', untip);
      el.addEventListener('click', () => {
        if (drag?.moved) return;
        focused = n.id;
        activate(n);
      });
      el.addEventListener('focus', () => {
        focused = n.id;
        for (const other of nodeEls.values()) other.setAttribute('tabindex', '-1');
        el.setAttribute('tabindex', '0');
        const r = el.getBoundingClientRect();
        const box = wrap.getBoundingClientRect();
        if (r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom || scale < 0.5) reveal(n.id);
        const after = el.getBoundingClientRect();
        tip(after.right, after.top, nodeTip(n));
      });
      el.addEventListener('blur', untip);
      nodeEls.set(n.id, el);
      nodeLayer.append(el);
    }
    // One node is reachable by Tab (the output, or the last one focused); the arrows do the rest.
    const entry = nodeEls.get(focused) ?? nodeEls.get(view.nodes.find((n) => n.output)?.id ?? -1) ?? nodeEls.values().next().value!;
    entry.setAttribute('tabindex', '0');

    minimap.replaceChildren();
    minimap.setAttribute('viewBox', `0 0 ${W} ${H}`);
    const k = Math.min(200 / W, 120 / H);
    minimap.setAttribute('width', String(Math.max(40, W * k)));
    minimap.setAttribute('height', String(Math.max(24, H * k)));
    for (const n of view.nodes) {
      const b = L.pos.get(n.id)!;
      minimap.append(svg('rect', { x: b.x + PAD, y: b.y + PAD, width: b.width, height: b.height, class: `mm-node${n.kind === 'group' ? ' group' : ''}`, 'data-id': n.id }));
    }
    minimap.append(mmView);
    if (root) root.replaceWith(next);
    else wrap.append(next);
    root = next;
    if (!minimap.isConnected) wrap.append(minimap);
    if (query) mark(query);
    apply();
    opts.groupsChanged(open.size, groups.length);
  }

  // ---- keyboard ----
  const focusNode = (id: number) => {
    const el = nodeEls.get(id);
    if (el) el.focus();
  };
  const neighbour = (id: number, key: string): number | null => {
    const b = L.pos.get(id)!;
    const cx = b.x + b.width / 2;
    const cy = b.y + b.height / 2;
    // Along the flow: → (↓ when the layers go down) to a use, back to an operand.
    const lr = direction === 'LR';
    const forth = lr ? 'ArrowRight' : 'ArrowDown';
    const back = lr ? 'ArrowLeft' : 'ArrowUp';
    if (key === forth || key === back) {
      const along = view.edges.filter((e) => (key === forth ? e.from === id : e.to === id)).map((e) => (key === forth ? e.to : e.from));
      if (along.length === 0) return null;
      // The nearest (across the flow) of the nodes along the edges.
      const across = (o: number) => (lr ? Math.abs(L.pos.get(o)!.y - b.y) : Math.abs(L.pos.get(o)!.x - b.x));
      return along.reduce((best, o) => (across(o) < across(best) ? o : best));
    }
    // Across the flow: the nearest node on that side, within (or near) the same layer.
    const sign = key === 'ArrowDown' || key === 'ArrowRight' ? 1 : -1;
    let best: number | null = null;
    let bestD = Infinity;
    for (const [o, ob] of L.pos) {
      const ox = ob.x + ob.width / 2;
      const oy = ob.y + ob.height / 2;
      const [ahead, aside] = lr ? [oy - cy, ox - cx] : [ox - cx, oy - cy];
      if (o === id || ahead * sign <= 0) continue;
      const dist = Math.abs(ahead) + 3 * Math.abs(aside);
      if (dist < bestD) [best, bestD] = [o, dist];
    }
    return best;
  };
  wrap.addEventListener('keydown', (e) => {
    const onNode = focused >= 0 && document.activeElement === nodeEls.get(focused);
    if (e.key === '+' || e.key === '=') zoomAt(1.25, wrap.clientWidth / 2, wrap.clientHeight / 2);
    else if (e.key === '-') zoomAt(0.8, wrap.clientWidth / 2, wrap.clientHeight / 2);
    else if (e.key === '0') fit();
    else if (onNode && e.key.startsWith('Arrow')) {
      const to = neighbour(focused, e.key);
      if (to !== null) focusNode(to);
    } else if (onNode && (e.key === 'Enter' || e.key === ' ')) activate(view.nodes.find((n) => n.id === focused)!);
    else if (e.key === 'Escape') {
      // Folds the open group around the focused node (or just hides the tooltip).
      const around = onNode ? groups.find((gr) => open.has(gr.id) && gr.members.includes(focused)) : undefined;
      if (around) toggleGroup(around);
      else untip();
    } else return;
    e.preventDefault();
  });

  // ---- search and lines ----
  const setMarks = (ids: Set<number>, cls: string) => {
    for (const [id, el] of nodeEls) el.classList.toggle(cls, ids.has(id));
    for (const r of minimap.querySelectorAll<SVGRectElement>('.mm-node')) r.classList.toggle(cls, ids.has(Number(r.dataset['id'])));
  };
  const mark = (text: string): number => {
    const q = text.trim().toLowerCase();
    const found = new Set(q ? view.nodes.filter((n) => searchText(n, g).includes(q)).map((n) => n.id) : []);
    setMarks(found, 'hit');
    hits = [...found].sort((a, b) => L.pos.get(a)!.x - L.pos.get(b)!.x);
    return hits.length;
  };

  draw();
  return {
    element: wrap,
    fit,
    zoom: (factor) => zoomAt(factor, wrap.clientWidth / 2, wrap.clientHeight / 2),
    groupCount: groups.length,
    toggleAll() {
      const opening = open.size < groups.length;
      open.clear();
      if (opening) for (const gr of groups) open.add(gr.id);
      draw();
      fit();
    },
    search(text) {
      query = text;
      hitIndex = 0;
      const n = mark(text);
      if (n > 0) reveal(hits[0]!);
      return n;
    },
    next() {
      if (hits.length === 0) return;
      hitIndex = (hitIndex + 1) % hits.length;
      reveal(hits[hitIndex]!);
    },
    showLine(line) {
      const ids = new Set(line === null ? [] : view.nodes.filter((n) => linesOf(n).includes(line)).map((n) => n.id));
      setMarks(ids, 'linked');
      const first = [...ids].sort((a, b) => L.pos.get(a)!.x - L.pos.get(b)!.x)[0];
      if (first !== undefined && nodeEls.get(first)) {
        const r = nodeEls.get(first)!.getBoundingClientRect();
        const box = wrap.getBoundingClientRect();
        if (r.right < box.left || r.left > box.right || r.bottom < box.top || r.top > box.bottom) reveal(first);
      }
      return ids.size;
    },
  };
}
