// The pictures card: three tabs over the last run. "Plot": f and f′ for a function of one
// number, or f's heat map, contours and gradient arrows for a function of two. "Trace graph":
// the operations of the selected differentiation call. "JavaScript": what actually ran.
// Tabs follow WAI-ARIA's tab pattern (one tab stop; ← → Home End move between tabs).
import { defaultRange, drawPlot } from './plot.js';
import { drawPlane } from './plot-plane.js';
import { liveRange, pathsOf, planeRange, progressText, type CallPoint } from './progress.js';
import { drawGraph, type GraphView } from './graph.js';
import { createCodeView, type CodeView } from './code-view.js';
import { WRAP_LINES } from './compile.js';
import { fmt } from './format.js';
import type { Runner } from './runner.js';
import type { CompiledSource, GridData, Progress } from './protocol.js';
import type { CallInfo, Pos } from './trace-model.js';

export type Tab = 'plot' | 'graph' | 'code';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export interface Pictures {
  /** After a run: its calls, the code that ran and the compiled gradients' code. */
  show(calls: CallInfo[], code: string | null, compiled: CompiledSource[]): void;
  /** While a run goes on: what it has recorded so far (the iterate path grows on the plot). Returns the progress line. */
  progress(p: Progress): string | null;
  /** Redraws what depends on the panel's size or the theme. */
  redraw(): void;
  /** The editor's cursor is on this line: mark the graph nodes it made. */
  lineSelected(line: number): void;
}

export function initPictures(runner: Runner, highlightLines: (lines: number[]) => void): Pictures {
  const ui = {
    tabs: [...document.querySelectorAll<HTMLButtonElement>('[role=tab][data-tab]')],
    calls: $<HTMLSelectElement>('calls'),
    plotPane: $<HTMLDivElement>('plot-pane'),
    plot: $<HTMLDivElement>('plot'),
    plotFrom: $<HTMLInputElement>('plot-from'),
    plotTo: $<HTMLInputElement>('plot-to'),
    plotReset: $<HTMLButtonElement>('plot-reset'),
    plotNote: $<HTMLParagraphElement>('plot-note'),
    graph: $<HTMLDivElement>('graph'),
    graphNote: $<HTMLParagraphElement>('graph-note'),
    graphFit: $<HTMLButtonElement>('graph-fit'),
    graphIn: $<HTMLButtonElement>('graph-in'),
    graphOut: $<HTMLButtonElement>('graph-out'),
    graphExpand: $<HTMLButtonElement>('graph-expand'),
    search: $<HTMLInputElement>('graph-search'),
    found: $<HTMLSpanElement>('graph-found'),
    code: $<HTMLDivElement>('code'),
    codeWhich: $<HTMLSelectElement>('code-which'),
    tooltip: $<HTMLDivElement>('tooltip'),
  };
  const panes: Record<Tab, HTMLElement> = { plot: ui.plotPane, graph: $('graph-pane'), code: $('code-pane') };
  let calls: CallInfo[] = [];
  let tab: Tab = 'plot';
  /** The tab the user picked last (kept across runs where the call allows it). */
  let preferred: Tab | null = null;
  let graphView: GraphView | null = null;
  let lastRender: (() => void) | null = null;
  let codes: { label: string; code: string }[] = [];
  let codeView: CodeView | null = null;
  /** What the run in progress has reported (null once it has ended). */
  let live: { calls: CallPoint[] } | null = null;

  const lineOf = (at: Pos | null | undefined) => runner.userLine(at);
  const callLabel = (c: CallInfo) => {
    const line = lineOf(c.at);
    const where = c.scalar && c.x0 !== undefined ? ` at x = ${fmt(c.x0)}` : c.plane ? ` at (${c.plane.at.map(fmt).join(', ')})` : '';
    return `${line !== null ? `line ${line} · ` : ''}${c.kind}${where}`;
  };
  const selectedCall = (): CallInfo | undefined => calls[Number(ui.calls.value)];

  /** `keepPicture`: the plot stays until the new one is drawn (the live picture, as the run's own replaces it). */
  function setTab(next: Tab, focus = false, keepPicture = false): void {
    tab = next;
    for (const b of ui.tabs) {
      const on = b.dataset['tab'] === tab;
      b.setAttribute('aria-selected', String(on));
      b.tabIndex = on ? 0 : -1;
      if (on && focus) b.focus();
    }
    for (const [name, pane] of Object.entries(panes)) pane.hidden = name !== tab;
    ui.calls.parentElement!.hidden = tab === 'code';
    void draw(!keepPicture);
  }

  for (const b of ui.tabs) {
    b.addEventListener('click', () => {
      preferred = b.dataset['tab'] as Tab;
      setTab(preferred);
    });
    b.addEventListener('keydown', (e) => {
      const i = ui.tabs.indexOf(b);
      const to = e.key === 'ArrowRight' ? (i + 1) % ui.tabs.length : e.key === 'ArrowLeft' ? (i + ui.tabs.length - 1) % ui.tabs.length : e.key === 'Home' ? 0 : e.key === 'End' ? ui.tabs.length - 1 : -1;
      if (to < 0) return;
      e.preventDefault();
      preferred = ui.tabs[to]!.dataset['tab'] as Tab;
      setTab(preferred, true);
    });
  }

  async function draw(resetRange: boolean): Promise<void> {
    const c = selectedCall();
    ui.tooltip.hidden = true;
    ui.plotNote.classList.remove('warning');
    if (tab === 'code') {
      drawCode();
      return;
    }
    ui.graph.replaceChildren();
    graphView = null;
    // The old plot stays until the new one is drawn (no flicker while the worker samples).
    if (resetRange || tab !== 'plot') {
      ui.plot.replaceChildren();
      lastRender = null;
    }
    if (!c) {
      ui.plotNote.textContent = 'Run code that calls gradient (or derivative, pullback, …) to see pictures here.';
      ui.graphNote.textContent = ui.plotNote.textContent;
      ui.plotPane.classList.add('empty');
      return;
    }
    if (tab === 'graph') drawTrace(c);
    else if (c.scalar && c.x0 !== undefined) await drawLine(c, c.x0, resetRange);
    else if (c.plane) await drawPlaneOf(c, c.plane);
    else {
      ui.plotPane.classList.add('empty');
      ui.plotNote.textContent = `The plot is for functions of one or two numbers; this ${c.kind} call is not. Its trace graph is in the next tab.`;
    }
  }

  function drawTrace(c: CallInfo): void {
    const g = c.graph;
    if (c.kind === 'minimize') {
      // (A solver's step: its gradients were computed inside the library, not traced.)
      ui.graphNote.textContent = `A step of minimize${c.iteration !== undefined ? ` (iteration ${c.iteration})` : ''}: its gradients are computed inside the library, so there is no trace graph to draw. The calls of gradient and the other differentiation functions have one.`;
      return;
    }
    const ops = g.nodes.filter((n) => n.kind === 'op').length;
    const compiled = runner.compiled;
    graphView = drawGraph(g, {
      tooltip: ui.tooltip,
      loops: compiled?.loops ?? [],
      origins: { line: lineOf, callee: (at) => calleeAt(compiled?.code ?? '', at) },
      selected: highlightLines,
      viewport: () => ({ width: ui.graph.clientWidth, height: ui.graph.clientHeight }),
      groupsChanged(open, all) {
        ui.graphExpand.hidden = all === 0;
        ui.graphExpand.textContent = open === all ? 'Fold all' : 'Expand all';
      },
    });
    const folded = graphView.groupCount;
    ui.graphNote.textContent =
      `${ops} operation${ops === 1 ? '' : 's'} on ${g.nodes.length - ops} input${g.nodes.length - ops === 1 ? '' : 's'}` +
      (g.truncated ? ` — only the first ${g.nodes.length} nodes are drawn` : '') +
      (folded ? `; ${folded} group${folded === 1 ? '' : 's'} folded (open with a click or Enter)` : '') +
      '. Values flow from the inputs to the output, the gradient flows back (orange). Click a node for the lines that made it.';
    ui.graph.append(graphView.element);
    graphView.fit();
    if (ui.search.value) ui.found.textContent = matches(graphView.search(ui.search.value));
    else ui.found.textContent = '';
  }

  async function drawLine(c: CallInfo, x0: number, resetRange: boolean): Promise<void> {
    ui.plotPane.classList.remove('empty');
    if (resetRange) {
      const [lo, hi] = defaultRange(x0);
      ui.plotFrom.value = String(lo);
      ui.plotTo.value = String(hi);
    }
    const lo = Number(ui.plotFrom.value);
    const hi = Number(ui.plotTo.value);
    if (!(hi > lo)) {
      ui.plotNote.textContent = 'The range needs “from” below “to”.';
      return;
    }
    ui.plotNote.textContent = `f and its derivative f′ (computed by zygote-ts) on [${lo}, ${hi}]; the dot marks the call at x = ${x0}, with f’s tangent there. Hover for the numbers.`;
    const data = await runner.plot(c.index, lo, hi);
    if (data === undefined || selectedCall() !== c || tab !== 'plot') return; // a newer request replaced this one
    if (data === null) {
      ui.plotNote.textContent = 'The function took longer than the time limit on this range (or the run was replaced).';
      return;
    }
    if (!data.ys.some(Number.isFinite)) {
      ui.plot.replaceChildren();
      lastRender = null;
      ui.plotNote.textContent = `f gave no number anywhere on [${lo}, ${hi}] (it throws, or returns something else): nothing to plot.`;
      return;
    }
    // f is sampled after the run: if it reads something the code changed after the call, the
    // curves are not what the call computed, and the page says so (the call's own numbers
    // are marked too).
    const then = { y0: c.value, d0: c.slope };
    if (differs(then.y0, data.y0) || differs(then.d0, data.d0)) {
      const said = [then.y0 !== undefined ? `f(${fmt(x0)}) = ${fmt(then.y0)}` : null, then.d0 !== undefined ? `f′(${fmt(x0)}) = ${fmt(then.d0)}` : null].filter((t) => t !== null);
      const now = [then.y0 !== undefined ? fmt(data.y0) : null, then.d0 !== undefined ? fmt(data.d0) : null].filter((t) => t !== null);
      ui.plotNote.textContent =
        `f gives other numbers now than when this call ran: the call computed ${said.join(' and ')}; f gives ${now.join(' and ')} there now — it reads something your code changed after the call. ` +
        `The curves show f as it is at the end of the run; the hollow dots mark what the call computed.`;
      ui.plotNote.classList.add('warning');
    } else ui.plotNote.classList.remove('warning');
    const stale = ui.plotNote.classList.contains('warning') ? then : undefined;
    lastRender = () => ui.plot.replaceChildren(drawPlot(data, { x0, then: stale, width: Math.max(280, ui.plot.clientWidth), height: Math.max(220, ui.plot.clientHeight) }));
    lastRender();
  }

  async function drawPlaneOf(c: CallInfo, plane: NonNullable<CallInfo['plane']>): Promise<void> {
    // The calls of the same f from the same place, in order: the path an optimisation took
    // (and those from other places: another optimiser on the same f).
    const { own: path, others } = pathsOf(calls, c);
    const range = planeRange([...path, ...others.flat()]);
    ui.plotPane.classList.add('empty'); // no x range to edit: the picture covers every call's point
    ui.plotNote.textContent =
      `f(${plane.names.join(', ')}) as colour (light is high) with its contour lines; arrows: the gradient ∇f computed by zygote-ts (uphill). ` +
      (path.length > 1 ? `The white line joins the ${path.length} calls of this f from this place, in order; the orange dot is the one selected.` : 'The orange dot is the call.') +
      (others.length > 0 ? ` Dashed: the calls of the same f from ${others.length === 1 ? 'another place' : `${others.length} other places`}.` : '') +
      ' Hover for the numbers.';
    const data = await runner.grid(c.index, range.x, range.y, 41);
    if (data === undefined || selectedCall() !== c || tab !== 'plot') return;
    if (data === null) {
      ui.plotNote.textContent = 'f took longer than the time limit on this grid (or the run was replaced).';
      return;
    }
    if (!data.zs.some(Number.isFinite)) {
      ui.plotNote.textContent = 'f gave no number anywhere on this grid: nothing to draw.';
      return;
    }
    if (data.z0 !== undefined && differs(c.value, data.z0)) {
      ui.plotNote.textContent =
        `f gives another value now than when the selected call ran: f(${plane.at.map(fmt).join(', ')}) was ${fmt(c.value!)} then, ${fmt(data.z0)} now — it reads something your code changed after the call. ` +
        'The picture shows f as it is at the end of the run, not what the calls computed; the path is where they were made.';
      ui.plotNote.classList.add('warning');
    } else ui.plotNote.classList.remove('warning');
    lastRender = () => ui.plot.replaceChildren(drawPlane(data, { width: Math.max(260, ui.plot.clientWidth), height: Math.max(240, ui.plot.clientHeight), names: plane.names, at: plane.at, path, others }));
    lastRender();
  }

  /**
   * The picture while the run goes on: the paths so far, on a blank plane (f is not sampled
   * while the run goes on: that would run f's side effects in the middle of the program).
   * The calls menu, the trace graph and the full picture come when the run ends.
   */
  function drawLive(): void {
    if (live === null || tab !== 'plot') return;
    ui.plotNote.classList.remove('warning');
    const text = progressText(live.calls);
    const last = live.calls.findLast((c) => c.plane !== undefined);
    if (last === undefined) {
      if (text !== null) ui.plotNote.textContent = `Running: ${text}. The pictures come when the run ends.`;
      return;
    }
    const plane = last.plane!;
    const { own, others } = pathsOf(live.calls, last);
    const data = blankGrid(liveRange([...own, ...others.flat()]));
    ui.plotPane.classList.add('empty');
    ui.plotNote.textContent = `Running: ${text}. The path so far (${own.length} point${own.length === 1 ? '' : 's'}) of the calls of f(${plane.names.join(', ')}); f itself is drawn when the run ends (drawing it now would run your code in the middle of the run).`;
    ui.plot.dataset['live'] = String(own.length);
    lastRender = () => ui.plot.replaceChildren(drawPlane(data, { width: Math.max(260, ui.plot.clientWidth), height: Math.max(240, ui.plot.clientHeight), names: plane.names, at: plane.at, path: own, others }));
    lastRender();
  }

  function drawCode(): void {
    const which = codes[Number(ui.codeWhich.value)] ?? codes[0];
    codeView ??= createCodeView(ui.code, 'The JavaScript that ran (read only)');
    codeView.show(which?.code ?? '// Run the code to see what zygote-ts makes of it.');
  }

  // ---- controls ----
  ui.calls.addEventListener('change', () => void draw(true));
  const replot = () => void draw(false);
  ui.plotFrom.addEventListener('change', replot);
  ui.plotTo.addEventListener('change', replot);
  ui.plotReset.addEventListener('click', () => void draw(true));
  ui.graphFit.addEventListener('click', () => graphView?.fit());
  ui.graphIn.addEventListener('click', () => graphView?.zoom(1.25));
  ui.graphOut.addEventListener('click', () => graphView?.zoom(0.8));
  ui.graphExpand.addEventListener('click', () => graphView?.toggleAll());
  const matches = (n: number) => (n === 0 ? 'no match' : `${n} match${n === 1 ? '' : 'es'}${n > 1 ? ' (Enter: next)' : ''}`);
  ui.search.addEventListener('input', () => {
    if (graphView) ui.found.textContent = ui.search.value ? matches(graphView.search(ui.search.value)) : (graphView.search(''), '');
  });
  ui.search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      graphView?.next();
    }
  });
  ui.codeWhich.addEventListener('change', drawCode);

  return {
    show(list, code, compiled) {
      const wasLive = live !== null && lastRender !== null;
      live = null;
      delete ui.plot.dataset['live'];
      calls = list;
      ui.calls.replaceChildren(...list.map((c, i) => new Option(callLabel(c), String(i))));
      ui.calls.disabled = list.length === 0;
      if (list.length > 0) ui.calls.value = String(list.length - 1);
      codes = code === null ? [] : [{ label: 'Your code, rewritten by zygote-ts', code }];
      for (const c of compiled) {
        const line = lineOf(c.at);
        codes.push({ label: `compileGradient${line !== null ? ` at line ${line}` : ''}: g.source`, code: c.source || '// Nothing recorded yet: g has not been called.' });
      }
      ui.codeWhich.replaceChildren(...codes.map((c, i) => new Option(c.label, String(i))));
      // A compiled gradient's code is what the user is most likely after in that tab.
      if (compiled.length > 0) ui.codeWhich.value = String(codes.length - 1);
      const last = list[list.length - 1];
      const next: Tab = preferred === 'code' ? 'code' : last && (preferred === 'graph' || (!last.scalar && !last.plane)) ? 'graph' : 'plot';
      // (A plane's picture does not depend on the range fields; a line's does, and starts afresh.)
      setTab(next, false, wasLive && next === 'plot' && last?.plane !== undefined);
    },
    progress(p) {
      live ??= { calls: [] };
      live.calls.push(...p.calls);
      drawLive();
      return progressText(live.calls);
    },
    redraw() {
      lastRender?.();
    },
    lineSelected(line) {
      graphView?.showLine(line);
    },
  };
}

/** Whether a number a call computed differs from the one f gives now (NaN is NaN; the last bits may differ). */
function differs(then: number | undefined, now: number): boolean {
  if (then === undefined) return false;
  if (Number.isNaN(then) || Number.isNaN(now)) return !(Number.isNaN(then) && Number.isNaN(now));
  return then !== now && !(Math.abs(then - now) <= 1e-9 * Math.max(1, Math.abs(then), Math.abs(now)));
}

/** A grid with no samples: the axes and the paths, no heat map. */
function blankGrid(range: { x: [number, number]; y: [number, number] }): GridData {
  const none = [NaN, NaN, NaN, NaN];
  return { ...range, n: 2, zs: none, gx: none, gy: none };
}

/** The name called at a place in the evaluated code (`deltaE` of `deltaE(a, b)`), for a folded library call. */
function calleeAt(code: string, at: Pos): string | null {
  const line = code.split('\n')[at.line - 1 - WRAP_LINES];
  const m = line === undefined ? null : /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(line.slice(at.column - 1));
  return m?.[0] ?? null;
}
