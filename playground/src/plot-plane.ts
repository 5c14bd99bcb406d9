// f of two numbers: a heat map of f with its contour lines (d3-contour's marching squares),
// the gradient as arrows (uphill; a descent goes against them), the call's point, and the
// points of the calls of the same f from the same place joined in order: an optimisation's
// iterate path (the paths from other places, another optimiser on the same f, fainter).
// Hover for x, y, f and ∇f at the nearest sample.
import { contours } from 'd3-contour';
import type { GridData } from './protocol.js';
import { fmt } from './format.js';
import { ticks } from './plot.js';
import { heatCanvas } from './colour.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export interface PlaneOptions {
  width: number;
  height: number;
  names: [string, string];
  /** The selected call's point. */
  at: [number, number];
  /** The points of the calls of the same f from the same place, in order (the selected call's iterate path). */
  path: [number, number][];
  /** The paths of the calls of f from other places (another optimiser on the same f), drawn fainter. */
  others?: [number, number][][];
}

export function drawPlane(d: GridData, o: PlaneOptions): SVGSVGElement {
  const left = 52;
  const right = 16;
  const top = 12;
  const bottom = 34;
  const side = Math.max(120, Math.min(o.width - left - right, o.height - top - bottom));
  const root = svg('svg', { class: 'plot plane', width: o.width, height: side + top + bottom, viewBox: `0 0 ${o.width} ${side + top + bottom}` });
  const X = (x: number) => left + ((x - d.x[0]) / (d.x[1] - d.x[0])) * side;
  const Y = (y: number) => top + side - ((y - d.y[0]) / (d.y[1] - d.y[0])) * side;
  const finite = d.zs.filter(Number.isFinite);
  const span = Math.max(...finite) - Math.min(...finite);

  // The heat map: one pixel per sample (row 0 is the lowest y: the image's bottom), smoothed by the browser as it scales.
  // (None when f was not sampled: the picture drawn while a run goes on, before f could be.)
  // Cut at the frame: the outer samples' pixels reach half a cell beyond it.
  const clip = svg('clipPath', { id: 'plane-clip' });
  clip.append(svg('rect', { x: left, y: top, width: side, height: side }));
  root.append(clip);
  const inside = svg('g', { 'clip-path': 'url(#plane-clip)' });
  root.append(inside);
  const cell = side / (d.n - 1);
  if (finite.length > 0) {
    const canvas = heatCanvas(d.zs, d.n, d.n, true);
    inside.append(svg('image', { href: canvas.toDataURL(), x: left - cell / 2, y: top - cell / 2, width: side + cell, height: side + cell, preserveAspectRatio: 'none' }));
  }

  // Contours, in grid coordinates (0…n-1 from the first sample) mapped onto the square.
  if (finite.length === d.zs.length && span > 0) {
    const gx = (u: number) => left + (u / (d.n - 1)) * side - cell / 2;
    const gy = (v: number) => top + side - (v / (d.n - 1)) * side + cell / 2;
    for (const level of contours().size([d.n, d.n]).thresholds(12)(d.zs)) {
      const path = level.coordinates.map((poly) => poly.map((ring) => `M${ring.map(([u, v]) => `${gx(u!).toFixed(1)},${gy(v!).toFixed(1)}`).join('L')}Z`).join('')).join('');
      if (path) inside.append(svg('path', { d: path, class: 'contour' }));
    }
  }

  // The gradient field on a coarser grid: arrows scaled to the largest.
  const step = Math.max(1, Math.round(d.n / 11));
  let gmax = 0;
  d.gx.forEach((g, k) => {
    const m = Math.hypot(g, d.gy[k]!);
    if (Number.isFinite(m)) gmax = Math.max(gmax, m);
  });
  const arrowLen = cell * step * 0.8;
  for (let j = Math.floor(step / 2); j < d.n; j += step) {
    for (let i = Math.floor(step / 2); i < d.n; i += step) {
      const k = j * d.n + i;
      const gxk = d.gx[k]!;
      const gyk = d.gy[k]!;
      const m = Math.hypot(gxk, gyk);
      if (!Number.isFinite(m) || m === 0 || gmax === 0) continue;
      // In screen units: x right, y up (so the screen's y flips).
      const len = arrowLen * Math.sqrt(m / gmax);
      const ux = (gxk / m) * len;
      const uy = (-gyk / m) * len;
      const x = X(d.x[0] + ((d.x[1] - d.x[0]) * i) / (d.n - 1)) - ux / 2;
      const y = Y(d.y[0] + ((d.y[1] - d.y[0]) * j) / (d.n - 1)) - uy / 2;
      const hx = x + ux;
      const hy = y + uy;
      const a = Math.atan2(uy, ux);
      const h = Math.min(5, len * 0.45);
      inside.append(svg('line', { x1: x, y1: y, x2: hx, y2: hy, class: 'arrow' }));
      inside.append(svg('path', { d: `M${hx},${hy}L${hx - h * Math.cos(a - 0.45)},${hy - h * Math.sin(a - 0.45)}L${hx - h * Math.cos(a + 0.45)},${hy - h * Math.sin(a + 0.45)}Z`, class: 'arrow-head' }));
    }
  }

  // The iterate paths, and the selected call's point.
  for (const other of o.others ?? []) {
    if (other.length > 1) inside.append(svg('polyline', { points: other.map(([x, y]) => `${X(x)},${Y(y)}`).join(' '), class: 'iterate other' }));
  }
  if (o.path.length > 1) inside.append(svg('polyline', { points: o.path.map(([x, y]) => `${X(x)},${Y(y)}`).join(' '), class: 'iterate' }));
  for (const [x, y] of o.path) inside.append(svg('circle', { cx: X(x), cy: Y(y), r: 2.5, class: 'iterate-dot' }));
  const dot = svg('circle', { cx: X(o.at[0]), cy: Y(o.at[1]), r: 5.5, class: 'mark', fill: 'var(--df)' });
  const title = svg('title');
  title.textContent = `the call at (${o.at.map(fmt).join(', ')})`;
  dot.append(title);
  inside.append(dot);

  root.append(svg('rect', { x: left, y: top, width: side, height: side, class: 'plane-frame' }));
  for (const t of ticks(d.x[0], d.x[1], 5)) root.append(Object.assign(svg('text', { x: X(t), y: top + side + 14, class: 'tick x' }), { textContent: fmt(t) }));
  for (const t of ticks(d.y[0], d.y[1], 5)) root.append(Object.assign(svg('text', { x: left - 6, y: Y(t) + 4, class: 'tick y' }), { textContent: fmt(t) }));
  root.append(Object.assign(svg('text', { x: left + side / 2, y: top + side + 30, class: 'axis-name', 'text-anchor': 'middle' }), { textContent: o.names[0] }));
  root.append(Object.assign(svg('text', { x: 12, y: top + side / 2, class: 'axis-name', transform: `rotate(-90 12 ${top + side / 2})`, 'text-anchor': 'middle' }), { textContent: o.names[1] }));

  // Hover: the numbers at the nearest sample.
  const readout = svg('g', { class: 'readout', visibility: 'hidden' });
  const box = svg('rect', { rx: 6, height: 66 });
  const lines = [0, 1, 2, 3].map((i) => svg('text', { x: 8, y: 16 + i * 15 }));
  readout.append(box, ...lines);
  const hit = svg('rect', { x: left, y: top, width: side, height: side, class: 'hit' });
  root.append(hit, readout);
  hit.addEventListener('mousemove', (ev) => {
    const r = root.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * o.width;
    const py = ((ev.clientY - r.top) / r.height) * (side + top + bottom);
    const i = Math.max(0, Math.min(d.n - 1, Math.round(((px - left) / side) * (d.n - 1))));
    const j = Math.max(0, Math.min(d.n - 1, Math.round(((top + side - py) / side) * (d.n - 1))));
    const k = j * d.n + i;
    lines[0]!.textContent = `${o.names[0]} = ${fmt(d.x[0] + ((d.x[1] - d.x[0]) * i) / (d.n - 1))}`;
    lines[1]!.textContent = `${o.names[1]} = ${fmt(d.y[0] + ((d.y[1] - d.y[0]) * j) / (d.n - 1))}`;
    lines[2]!.textContent = `f = ${fmt(d.zs[k]!)}`;
    lines[3]!.textContent = `∇f = (${fmt(d.gx[k]!)}, ${fmt(d.gy[k]!)})`;
    const w = Math.max(...lines.map((l) => (l.textContent ?? '').length)) * 7.5 + 16;
    box.setAttribute('width', String(w));
    const bx = px + 12 + w > o.width ? px - 12 - w : px + 12;
    readout.setAttribute('transform', `translate(${bx},${Math.min(py + 12, top + side - 66)})`);
    readout.setAttribute('visibility', 'visible');
  });
  hit.addEventListener('mouseleave', () => readout.setAttribute('visibility', 'hidden'));
  return root;
}
