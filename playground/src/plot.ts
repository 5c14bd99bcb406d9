// f and f′ of a function of one number, over a range: two panels sharing the x axis, the
// point of the call marked on both, with f's tangent there. Hover for the numbers.
import type { PlotData } from './protocol.js';
import { fmt, full } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : Number(t.toPrecision(12)));
  return out;
}

/** A y range for the finite values, ignoring the far tails (poles would flatten the rest). */
export function yRange(ys: readonly number[], extra: readonly number[] = []): [number, number] {
  const v = ys.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return [-1, 1];
  const q = (p: number) => v[Math.min(v.length - 1, Math.max(0, Math.round(p * (v.length - 1))))]!;
  let lo = q(0.02);
  let hi = q(0.98);
  // The full range when the tails are not far off (most functions).
  if (v[0]! >= lo - (hi - lo) * 2) lo = v[0]!;
  if (v[v.length - 1]! <= hi + (hi - lo) * 2) hi = v[v.length - 1]!;
  for (const e of extra) if (Number.isFinite(e)) [lo, hi] = [Math.min(lo, e), Math.max(hi, e)];
  if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) [lo, hi] = [lo - 1, hi + 1];
  const m = (hi - lo) * 0.08;
  return [lo - m, hi + m];
}

/**
 * The samples the curve joins, as runs of indices: broken where it is undefined, where it
 * leaves the panel far behind, and across a pole — two neighbouring samples beyond the
 * panel on opposite sides (tan x from +34 to −80 across π/2 was joined by a line through
 * the whole panel, a curve that is not there).
 */
export function curveRuns(ys: readonly number[], ylo: number, yhi: number): number[][] {
  const runs: number[][] = [];
  let run: number[] = [];
  const side = (y: number) => (y > yhi ? 1 : y < ylo ? -1 : 0);
  ys.forEach((y, i) => {
    const ok = Number.isFinite(y) && y >= ylo - (yhi - ylo) * 3 && y <= yhi + (yhi - ylo) * 3;
    const previous = run.length > 0 ? ys[run[run.length - 1]!]! : NaN;
    const acrossPole = ok && side(y) !== 0 && side(y) === -side(previous);
    if (!ok || acrossPole) {
      if (run.length > 0) runs.push(run);
      run = [];
    }
    if (ok) run.push(i);
  });
  if (run.length > 0) runs.push(run);
  return runs;
}

export interface PlotOptions {
  x0: number;
  /** What the call itself computed at x0, when f gives other numbers now (drawn as hollow dots). */
  then?: { y0?: number; d0?: number } | undefined;
  width: number;
  height: number;
}

export function drawPlot(data: PlotData, { x0, then, width, height }: PlotOptions): SVGSVGElement {
  const left = 58;
  const right = 24;
  const top = 14;
  const gap = 30;
  const bottom = 26;
  const panelH = (height - top - bottom - gap) / 2;
  const lo = data.xs[0]!;
  const hi = data.xs[data.xs.length - 1]!;
  const X = (x: number) => left + ((x - lo) / (hi - lo)) * (width - left - right);
  const root = svg('svg', { class: 'plot', width, height, viewBox: `0 0 ${width} ${height}` });

  const panels = [
    { name: 'f(x)', cls: 'f', ys: data.ys, y0: data.y0, then: then?.y0, top },
    { name: 'f′(x)', cls: 'df', ys: data.ds, y0: data.d0, then: then?.d0, top: top + panelH + gap },
  ];
  for (const p of panels) {
    const [ylo, yhi] = yRange(p.ys, [p.y0, ...(p.then !== undefined ? [p.then] : []), ...(p.cls === 'df' ? [0] : [])]);
    const Y = (y: number) => p.top + panelH - ((y - ylo) / (yhi - ylo)) * panelH;
    const g = svg('g', { class: `panel ${p.cls}` });
    g.append(svg('rect', { x: left, y: p.top, width: width - left - right, height: panelH, class: 'frame' }));
    for (const t of ticks(ylo, yhi, 4)) {
      g.append(svg('line', { x1: left, x2: width - right, y1: Y(t), y2: Y(t), class: t === 0 ? 'zero' : 'grid' }));
      g.append(Object.assign(svg('text', { x: left - 6, y: Y(t) + 4, class: 'tick y' }), { textContent: fmt(t) }));
    }
    for (const t of ticks(lo, hi, 6)) g.append(svg('line', { x1: X(t), x2: X(t), y1: p.top, y2: p.top + panelH, class: t === 0 ? 'zero' : 'grid' }));
    const d = curveRuns(p.ys, ylo, yhi)
      .map((run) => run.map((i, k) => `${k === 0 ? 'M' : 'L'}${X(data.xs[i]!).toFixed(1)},${Y(p.ys[i]!).toFixed(1)}`).join(''))
      .join('');
    const clip = svg('clipPath', { id: `clip-${p.cls}` });
    clip.append(svg('rect', { x: left, y: p.top, width: width - left - right, height: panelH }));
    g.append(clip);
    const curves = svg('g', { 'clip-path': `url(#clip-${p.cls})` });
    curves.append(svg('path', { d, class: 'curve' }));
    if (p.cls === 'f' && Number.isFinite(data.y0) && Number.isFinite(data.d0)) {
      // The tangent at the call's point: its slope is what the gradient says.
      const h = (hi - lo) * 0.18;
      curves.append(svg('line', { x1: X(x0 - h), y1: Y(data.y0 - data.d0 * h), x2: X(x0 + h), y2: Y(data.y0 + data.d0 * h), class: 'tangent' }));
    }
    if (Number.isFinite(p.y0) && x0 >= lo && x0 <= hi) {
      curves.append(svg('line', { x1: X(x0), x2: X(x0), y1: p.top, y2: p.top + panelH, class: 'mark-line' }));
      const dot = svg('circle', { cx: X(x0), cy: Y(p.y0), r: 5, class: 'mark' });
      const title = svg('title');
      title.textContent = `${p.name.replace('x', full(x0))} = ${full(p.y0)}`;
      dot.append(title);
      curves.append(dot);
      if (p.then !== undefined && Number.isFinite(p.then)) {
        const ring = svg('circle', { cx: X(x0), cy: Y(p.then), r: 5, class: 'mark then' });
        const said = svg('title');
        said.textContent = `${p.name.replace('x', full(x0))} = ${full(p.then)} when the call ran (f has changed since)`;
        ring.append(said);
        curves.append(ring);
      }
    }
    g.append(curves);
    const name = svg('text', { x: left + 8, y: p.top + 16, class: 'panel-name' });
    name.textContent = p.name;
    g.append(name);
    root.append(g);
  }
  for (const t of ticks(lo, hi, 6)) {
    root.append(Object.assign(svg('text', { x: X(t), y: height - 8, class: 'tick x' }), { textContent: fmt(t) }));
  }

  // Hover: a cursor line and the numbers at the nearest sample.
  const cursor = svg('line', { y1: top, y2: height - bottom, class: 'cursor', visibility: 'hidden' });
  const readout = svg('g', { class: 'readout', visibility: 'hidden' });
  const box = svg('rect', { rx: 6, height: 52 });
  const lines = [0, 1, 2].map((i) => svg('text', { x: 8, y: 16 + i * 15 }));
  readout.append(box, ...lines);
  root.append(cursor, readout);
  const hitArea = svg('rect', { x: left, y: top, width: width - left - right, height: height - top - bottom, class: 'hit' });
  root.append(hitArea);
  /** Shows the numbers at sample i (the pointer's, or the arrow keys'). */
  let at = -1;
  const show = (i: number) => {
    at = i;
    const x = data.xs[i]!;
    cursor.setAttribute('x1', String(X(x)));
    cursor.setAttribute('x2', String(X(x)));
    lines[0]!.textContent = `x = ${fmt(x)}`;
    lines[1]!.textContent = `f = ${fmt(data.ys[i]!)}`;
    lines[2]!.textContent = `f′ = ${fmt(data.ds[i]!)}`;
    const w = Math.max(...lines.map((l) => (l.textContent ?? '').length)) * 7.5 + 16;
    box.setAttribute('width', String(w));
    const bx = X(x) + 10 + w > width - right ? X(x) - 10 - w : X(x) + 10;
    readout.setAttribute('transform', `translate(${bx},${top + 6})`);
    cursor.setAttribute('visibility', 'visible');
    readout.setAttribute('visibility', 'visible');
  };
  const hide = () => {
    cursor.setAttribute('visibility', 'hidden');
    readout.setAttribute('visibility', 'hidden');
  };
  hitArea.addEventListener('mousemove', (ev) => {
    const r = root.getBoundingClientRect();
    const px = ((ev.clientX - r.left) / r.width) * width;
    show(Math.max(0, Math.min(data.xs.length - 1, Math.round(((px - left) / (width - left - right)) * (data.xs.length - 1)))));
  });
  hitArea.addEventListener('mouseleave', hide);
  // By keyboard: focus the plot, then ← → (Shift: ten steps), Home, End.
  root.setAttribute('tabindex', '0');
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', `Plot of f and f′ from ${fmt(lo)} to ${fmt(hi)}; the arrow keys read the numbers`);
  const nearest = (x: number) => data.xs.reduce((best, v, i) => (Math.abs(v - x) < Math.abs(data.xs[best]! - x) ? i : best), 0);
  root.addEventListener('focus', () => show(at >= 0 ? at : nearest(x0)));
  root.addEventListener('blur', hide);
  root.addEventListener('keydown', (e) => {
    const last = data.xs.length - 1;
    const step = e.shiftKey ? 10 : 1;
    const next = e.key === 'ArrowRight' ? at + step : e.key === 'ArrowLeft' ? at - step : e.key === 'Home' ? 0 : e.key === 'End' ? last : null;
    if (next === null) return;
    e.preventDefault();
    show(Math.max(0, Math.min(last, next)));
  });
  return root;
}

/** The range first shown around the call's point x0: about x0 ± max(3, |x0|), on round numbers. */
export function defaultRange(x0: number): [number, number] {
  const w = Math.max(3, Math.abs(x0));
  const mag = 10 ** Math.floor(Math.log10(w / 5));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= w / 5) ?? 10 * mag;
  const clean = (x: number) => Number(x.toPrecision(12));
  return [clean(Math.floor((x0 - w) / step) * step), clean(Math.ceil((x0 + w) / step) * step)];
}
