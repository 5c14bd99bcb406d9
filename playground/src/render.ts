// A described value → DOM, by its structure: numbers and short lists inline, matrices as
// grids, records and Maps as key → value tables, null and undefined set apart. A big array
// is a summary (shape, smallest and largest, first and last numbers; a 2-D one also as a
// heat-map thumbnail) with a button that shows all its numbers.
import type { Described, Num } from './describe.js';
import { fmt, full } from './format.js';
import { heatCanvas } from './colour.js';

type El = HTMLElement;

function el(tag: string, cls?: string, text?: string): El {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function numEl(v: Num, traced?: boolean): El {
  const e = el('span', `v-num${traced ? ' traced' : ''}`, fmt(v));
  e.title = traced ? `${full(v)} (a traced number)` : full(v);
  return e;
}

/** A value short enough to sit on one line. */
function isAtom(d: Described): boolean {
  return ['num', 'str', 'bool', 'null', 'undef', 'bigint', 'fn', 'scalar', 'ref', 'other'].includes(d.t);
}

function numbersOf(d: Described): Num[] | null {
  if (d.t !== 'arr' || d.more) return null;
  const out: Num[] = [];
  for (const x of d.items) {
    if (x.t !== 'num') return null;
    out.push(x.v);
  }
  return out;
}

/** Rows of numbers, all the same length (at least two rows): shown as a grid. */
function matrixOf(d: Described): Num[][] | null {
  if (d.t !== 'arr' || d.items.length < 2 || d.more) return null;
  const rows = d.items.map(numbersOf);
  if (rows.some((r) => r === null || r.length === 0)) return null;
  const n = rows[0]!.length;
  return rows.every((r) => r!.length === n) ? (rows as Num[][]) : null;
}

/** Roughly how many characters a value takes on one line (Infinity: it never fits on one). */
function width(d: Described): number {
  switch (d.t) {
    case 'num':
      return String(d.v).length > 8 ? 8 : String(d.v).length;
    case 'str':
      return d.v.length + 2;
    case 'scalar':
      return d.text.length + d.cls.length + 2;
    case 'arr':
    case 'set':
      if (matrixOf(d) || d.more || d.items.length > 12) return Infinity;
      return d.items.reduce((s, x) => s + width(x) + 2, 2 + (d.t === 'arr' && d.cls ? d.cls.length + 2 : 0));
    case 'obj':
      if (d.more || d.fields.length > 6) return Infinity;
      return d.fields.reduce((s, [k, v]) => s + k.length + width(v) + 4, 4 + (d.cls ? d.cls.length + 2 : 0));
    case 'nd':
      return d.shape.length <= 1 && d.data.length <= 12 ? d.data.length * 10 + 12 : Infinity;
    case 'nums':
      return Infinity;
    case 'map':
    case 'grads':
      return Infinity;
    default:
      return 10;
  }
}

function isInline(d: Described): boolean {
  return isAtom(d) || width(d) <= 64;
}

export function render(d: Described): El {
  switch (d.t) {
    case 'num':
      return numEl(d.v, d.traced);
    case 'str':
      return el('span', 'v-str', JSON.stringify(d.v));
    case 'bool':
      return el('span', 'v-bool', String(d.v));
    case 'null':
      return el('span', 'v-null', 'null');
    case 'undef':
      return el('span', 'v-null', 'undefined');
    case 'bigint':
      return el('span', 'v-num', `${d.v}n`);
    case 'fn':
      return el('span', 'v-fn', `ƒ ${d.name || '(anonymous)'}`);
    case 'scalar': {
      const e = el('span', 'v-scalar');
      if (d.cls) e.append(el('span', 'v-cls', d.cls));
      e.append(el('span', 'v-num', d.text));
      return e;
    }
    case 'ref':
    case 'other':
      return el('span', 'v-other', d.text);
    case 'nd':
      return d.range ? summary(d.traced ? 'traced NDArray' : 'NDArray', d.shape, d.data, d.range, d.more, d.nan) : ndarray(d);
    case 'nums':
      return summary(d.cls ?? 'Array', [d.values.length + (d.more ?? 0)], d.values, d.range, d.more, d.nan);
    case 'arr':
    case 'set':
      return list(d);
    case 'obj':
      return record(d);
    case 'map':
      return table(`Map(${d.entries.length + (d.more ?? 0)})`, d.entries.map(([k, v]) => [render(k), v]), d.more);
    case 'grads':
      return table(
        'Grads',
        d.entries.map(([p, g], i) => {
          const key = el('span', 'v-key');
          key.append(el('span', 'v-cls', `param ${i}`), el('span', 'v-shape', shapeOf(p)));
          return [key, g];
        }),
      );
  }
}

/** A parameter in a few characters: its numbers when short, else its shape. */
function shapeOf(d: Described): string {
  if (d.t === 'nd') return d.shape.join('×');
  const m = matrixOf(d);
  if (m) return `${m.length}×${m[0]!.length}`;
  const v = numbersOf(d);
  if (v) return v.length <= 4 ? `[${v.map(fmt).join(', ')}]` : `${v.length}`;
  return '';
}

function list(d: Described & { t: 'arr' | 'set' }): El {
  const label = d.t === 'set' ? `Set(${d.items.length + (d.more ?? 0)})` : d.cls;
  const m = d.t === 'arr' ? matrixOf(d) : null;
  if (m) return grid(m, label);
  if (isInline(d)) {
    const e = el('span', 'v-list');
    if (label) e.append(el('span', 'v-cls', label));
    e.append(el('span', 'v-punct', '['));
    d.items.forEach((x, i) => {
      if (i > 0) e.append(el('span', 'v-punct', ', '));
      e.append(render(x));
    });
    e.append(el('span', 'v-punct', ']'));
    return e;
  }
  // A long list of numbers wraps like text; anything else gets one row per item.
  const nums = d.t === 'arr' ? numbersOf({ ...d, more: undefined } as Described) : null;
  if (nums) {
    const e = el('div', 'v-wrap');
    if (label) e.append(el('span', 'v-cls', label));
    e.append(el('span', 'v-punct', '['));
    nums.forEach((v, i) => {
      if (i > 0) e.append(el('span', 'v-punct', ', '));
      e.append(numEl(v));
    });
    if (d.more) e.append(el('span', 'v-more', ` … ${d.more} more`));
    e.append(el('span', 'v-punct', ']'));
    return e;
  }
  return table(label, d.items.map((x, i) => [el('span', 'v-index', String(i)), x]), d.more, 'v-array');
}

function record(d: Described & { t: 'obj' }): El {
  if (isInline(d)) {
    const e = el('span', 'v-obj');
    if (d.cls) e.append(el('span', 'v-cls', d.cls));
    e.append(el('span', 'v-punct', '{ '));
    d.fields.forEach(([k, v], i) => {
      if (i > 0) e.append(el('span', 'v-punct', ', '));
      e.append(el('span', 'v-field', k), el('span', 'v-punct', ': '), render(v));
    });
    e.append(el('span', 'v-punct', d.fields.length ? ' }' : '}'));
    return e;
  }
  return table(d.cls, d.fields.map(([k, v]) => [el('span', 'v-field', k), v]), d.more);
}

function table(caption: string | undefined, rows: [El, Described][], more?: number, cls = ''): El {
  const e = el('div', `v-table ${cls}`);
  if (caption) e.append(el('div', 'v-caption', caption));
  for (const [k, v] of rows) {
    const key = el('div', 'v-tkey');
    key.append(k);
    const val = el('div', 'v-tval');
    val.append(render(v));
    e.append(key, val);
  }
  if (more) e.append(el('div', 'v-more', `… ${more} more`));
  return e;
}

function grid(rows: Num[][], label?: string, shape?: readonly number[], totalRows = rows.length, maxRows = 24, maxCols = 12): El {
  const e = el('div', 'v-matrix');
  const cap = el('div', 'v-caption', `${label ? `${label} ` : ''}${shape ? shape.join('×') : `${rows.length}×${rows[0]!.length}`}`);
  const t = el('table', 'v-grid');
  for (const r of rows.slice(0, maxRows)) {
    const tr = el('tr');
    for (const v of r.slice(0, maxCols)) {
      const td = el('td');
      td.append(numEl(v));
      tr.append(td);
    }
    if (r.length > maxCols) tr.append(el('td', 'v-more', '…'));
    t.append(tr);
  }
  if (totalRows > Math.min(rows.length, maxRows)) {
    const tr = el('tr');
    const td = el('td', 'v-more', `… ${totalRows - Math.min(rows.length, maxRows)} more rows`);
    td.setAttribute('colspan', String(Math.min(maxCols, rows[0]?.length ?? 1) + 1));
    tr.append(td);
    t.append(tr);
  }
  e.append(cap, t);
  return e;
}

const ENDS = 3;

/** A big array: what it is, its range, its first and last numbers, a thumbnail of a 2-D one, and all its numbers on demand. */
function summary(label: string, shape: readonly number[], data: readonly Num[], [lo, hi]: [Num, Num], more?: number, nan = 0): El {
  const e = el('div', 'v-summary');
  const line = el('div', 'v-summary-line');
  line.append(el('span', 'v-cls', `${label} ${shape.join('×')}`));
  const stat = (name: string, v: Num) => {
    const s = el('span', 'v-stat', `${name} `);
    s.append(numEl(v));
    return s;
  };
  const total = data.length + (more ?? 0);
  // min and max of the numbers that are not NaN; the NaNs counted apart.
  if (nan > 0 && nan < total) line.append(stat('min', lo), stat('max', hi), el('span', 'v-stat v-nan', `${nan} NaN`));
  else line.append(stat('min', lo), stat('max', hi));
  const ends = el('span', 'v-ends');
  ends.append(el('span', 'v-punct', '['));
  data.slice(0, ENDS).forEach((v, i) => ends.append(...(i > 0 ? [el('span', 'v-punct', ', ')] : []), numEl(v)));
  ends.append(el('span', 'v-more', ' … '));
  if (!more) data.slice(-ENDS).forEach((v, i) => ends.append(...(i > 0 ? [el('span', 'v-punct', ', ')] : []), numEl(v)));
  ends.append(el('span', 'v-punct', ']'));
  line.append(ends);
  e.append(line);
  if (shape.length === 2 && shape[0]! * shape[1]! <= data.length) {
    const [m, n] = shape as [number, number];
    const canvas = heatCanvas(data.map(Number), m, n);
    canvas.className = 'v-heat';
    // A thumbnail about 120 px on its longer side, each number at least one pixel.
    const k = Math.max(1, Math.floor(120 / Math.max(m, n)));
    canvas.style.width = `${n * k}px`;
    canvas.style.height = `${m * k}px`;
    canvas.title = `${m}×${n}: dark is ${fmt(lo)}, light is ${fmt(hi)}`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `heat map of a ${m} by ${n} array, from ${fmt(lo)} (dark) to ${fmt(hi)} (light)`);
    e.append(canvas);
  }
  const button = el('button', 'v-expand', `Show all ${total} numbers`) as HTMLButtonElement;
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  let all: El | null = null;
  button.addEventListener('click', () => {
    if (all) {
      all.remove();
      all = null;
      button.textContent = `Show all ${total} numbers`;
      button.setAttribute('aria-expanded', 'false');
      return;
    }
    all = el('div', 'v-all');
    if (shape.length === 2) {
      const [m, n] = shape as [number, number];
      const rows: Num[][] = [];
      for (let i = 0; i < m && (i + 1) * n <= data.length; i++) rows.push(data.slice(i * n, (i + 1) * n));
      all.append(grid(rows, undefined, shape, m, Infinity, Infinity));
    } else {
      const wrap = el('div', 'v-wrap');
      data.forEach((v, i) => wrap.append(...(i > 0 ? [el('span', 'v-punct', ', ')] : []), numEl(v)));
      all.append(wrap);
    }
    if (more) all.append(el('div', 'v-more', `… and ${more} more (not sent to the page)`));
    e.append(all);
    button.textContent = 'Hide the numbers';
    button.setAttribute('aria-expanded', 'true');
  });
  line.append(button);
  return e;
}

function ndarray(d: Described & { t: 'nd' }): El {
  const label = d.traced ? 'traced NDArray' : 'NDArray';
  if (d.shape.length === 2 && d.shape[1]! > 0) {
    const [m, n] = d.shape as [number, number];
    const rows: Num[][] = [];
    // The numbers sent may stop partway: show the complete rows.
    for (let i = 0; i < m && (i + 1) * n <= d.data.length; i++) rows.push(d.data.slice(i * n, (i + 1) * n));
    if (rows.length > 0) return grid(rows, label, d.shape, m);
  }
  if (d.shape.length <= 1) {
    const e = el(d.data.length <= 12 ? 'span' : 'div', 'v-list');
    e.append(el('span', 'v-cls', `${label} ${d.shape.length ? d.shape[0] : 'scalar'}`), el('span', 'v-punct', '['));
    d.data.forEach((v, i) => {
      if (i > 0) e.append(el('span', 'v-punct', ', '));
      e.append(numEl(v));
    });
    if (d.more) e.append(el('span', 'v-more', ` … ${d.more} more`));
    e.append(el('span', 'v-punct', ']'));
    return e;
  }
  // Three or more axes: one grid per leading index (of the numbers that were sent).
  const e = el('div', 'v-table');
  e.append(el('div', 'v-caption', `${label} ${d.shape.join('×')}`));
  const [m, n] = d.shape.slice(-2) as [number, number];
  const lead = d.shape.slice(0, -2);
  const block = m * n;
  for (let b = 0; b * block < d.data.length; b++) {
    const idx: number[] = [];
    for (let k = lead.length - 1, r = b; k >= 0; k--) {
      idx.unshift(r % lead[k]!);
      r = Math.floor(r / lead[k]!);
    }
    const rows: Num[][] = [];
    for (let i = 0; i < m && b * block + i * n < d.data.length; i++) rows.push(d.data.slice(b * block + i * n, b * block + (i + 1) * n));
    const key = el('div', 'v-tkey', `[${idx.join(', ')}, :, :]`);
    const val = el('div', 'v-tval');
    val.append(grid(rows));
    e.append(key, val);
  }
  if (d.more) e.append(el('div', 'v-more', `… ${d.more} more numbers`));
  return e;
}
