// The playground page: editor, examples, output, and pictures (plot and trace graph).
import './style.css';
import sources from 'virtual:examples';
import { createEditor, type Editor } from './editor.js';
import { EXAMPLES } from './examples.js';
import { decodeHash, encodeHash } from './share.js';
import { initCompiler, Runner, type RunOutcome } from './runner.js';
import { render } from './render.js';
import { setExact } from './format.js';
import { defaultRange, drawPlot } from './plot.js';
import { drawGraph, type GraphView } from './graph.js';
import type { Described } from './describe.js';
import type { CallInfo } from './trace-model.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  examples: $<HTMLSelectElement>('examples'),
  run: $<HTMLButtonElement>('run'),
  share: $<HTMLButtonElement>('share'),
  limit: $<HTMLSelectElement>('limit'),
  exact: $<HTMLInputElement>('exact'),
  status: $<HTMLSpanElement>('status'),
  editor: $<HTMLDivElement>('editor'),
  output: $<HTMLDivElement>('output'),
  calls: $<HTMLSelectElement>('calls'),
  tabs: [...document.querySelectorAll<HTMLButtonElement>('.tabs button[data-tab]')],
  plotPane: $<HTMLDivElement>('plot-pane'),
  graphPane: $<HTMLDivElement>('graph-pane'),
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
  tooltip: $<HTMLDivElement>('tooltip'),
  kbd: $<HTMLElement>('run-kbd'),
};
const mac = /Mac|iPhone|iPad/.test(navigator.platform);
ui.kbd.textContent = mac ? '⌘ ↵' : 'Ctrl ↵';

// ---- examples menu ---------------------------------------------------------------------
for (const group of [...new Set(EXAMPLES.map((e) => e.group))]) {
  const og = document.createElement('optgroup');
  og.label = group;
  for (const e of EXAMPLES.filter((x) => x.group === group)) og.append(new Option(e.title, e.id));
  ui.examples.append(og);
}
const custom = new Option('Your code', '');
custom.hidden = true;
ui.examples.prepend(custom);
const exampleCode = (id: string) => {
  const e = EXAMPLES.find((x) => x.id === id);
  return e ? sources[e.file] ?? null : null;
};

// ---- state -------------------------------------------------------------------------------
const runner = new Runner('./worker.js', Number(ui.limit.value));
let editor: Editor;
let runId = 0;
let calls: CallInfo[] = [];
let tab: 'plot' | 'graph' = 'plot';
/** The tab the user picked last (kept across runs where the call allows it). */
let preferred: 'plot' | 'graph' | null = null;
let graphView: GraphView | null = null;
let lastRender: (() => void) | null = null;
let syncingHash = false;

function setState(state: 'loading' | 'ready' | 'running' | 'done' | 'error' | 'timeout', text: string): void {
  document.body.dataset['state'] = state;
  ui.status.textContent = text;
  ui.status.className = `status ${state}`;
}

// ---- output -----------------------------------------------------------------------------
function row(kind: string): HTMLDivElement {
  const r = document.createElement('div');
  r.className = `row ${kind}`;
  ui.output.append(r);
  return r;
}

function lineButton(line: number, column?: number): HTMLButtonElement {
  const b = document.createElement('button');
  b.className = 'ln';
  b.textContent = String(line);
  b.title = `line ${line}: show it in the editor`;
  b.addEventListener('click', () => editor.goTo(line, column));
  return b;
}

function showValue(site: number, value: Described): void {
  const s = runner.compiled?.sites[site];
  const r = row('show');
  r.dataset['value'] = JSON.stringify(value);
  if (s) r.dataset['line'] = String(s.line);
  const src = document.createElement('div');
  src.className = 'src';
  if (s) {
    src.append(lineButton(s.line));
    const code = document.createElement('code');
    const first = s.text.split('\n')[0]!.replace(/;\s*(\/\/.*)?$/, '');
    code.textContent = s.text.includes('\n') ? `${first} …` : first;
    code.title = s.text;
    src.append(code);
  }
  const val = document.createElement('div');
  val.className = 'val';
  val.append(render(value));
  r.append(src, val);
}

function showLog(level: string, values: Described[]): void {
  const r = row(`log ${level}`);
  const tag = document.createElement('span');
  tag.className = 'log-tag';
  tag.textContent = level === 'log' ? 'console' : level;
  r.append(tag);
  for (const v of values) {
    const cell = document.createElement('span');
    cell.className = 'log-item';
    cell.append(v.t === 'other' ? document.createTextNode(v.text) : render(v));
    r.append(cell);
  }
}

function showError(o: Extract<RunOutcome, { kind: 'error' }>): void {
  const r = row('error');
  r.dataset['line'] = o.line === undefined ? '' : String(o.line);
  const head = document.createElement('div');
  head.className = 'err-head';
  if (o.line !== undefined) head.append(lineButton(o.line, o.column));
  const msg = document.createElement('span');
  msg.className = 'err-msg';
  msg.textContent = `${o.phase === 'compile' ? 'Does not compile' : o.name}: ${o.message}`;
  head.append(msg);
  r.append(head);
  const where = document.createElement('div');
  where.className = 'err-where';
  where.textContent = o.line !== undefined ? `at line ${o.line}${o.column !== undefined ? `, column ${o.column}` : ''}` : 'no line of your code is in its stack';
  r.append(where);
  editor.mark(`${o.name}: ${o.message}`, o.line, o.column);
}

// ---- pictures ----------------------------------------------------------------------------
function callLabel(c: CallInfo): string {
  const line = runner.callLine(c);
  return `${line !== null ? `line ${line} · ` : ''}${c.kind}${c.scalar ? ` at x = ${c.x0}` : ''}`;
}

function selectedCall(): CallInfo | undefined {
  return calls[Number(ui.calls.value)];
}

function showCalls(list: CallInfo[]): void {
  calls = list;
  ui.calls.replaceChildren(...list.map((c, i) => new Option(callLabel(c), String(i))));
  ui.calls.disabled = list.length === 0;
  if (list.length > 0) ui.calls.value = String(list.length - 1);
  const last = list[list.length - 1];
  setTab(last && (!last.scalar || preferred === 'graph') ? 'graph' : 'plot');
}

function setTab(next: 'plot' | 'graph'): void {
  tab = next;
  for (const b of ui.tabs) b.setAttribute('aria-selected', String(b.dataset['tab'] === tab));
  ui.plotPane.hidden = tab !== 'plot';
  ui.graphPane.hidden = tab !== 'graph';
  void drawPictures(true);
}

async function drawPictures(resetRange: boolean): Promise<void> {
  const c = selectedCall();
  ui.tooltip.hidden = true;
  ui.graph.replaceChildren();
  graphView = null;
  // The old plot stays until the new one is drawn (no flicker while the worker samples).
  if (resetRange || tab !== 'plot' || !c?.scalar) {
    ui.plot.replaceChildren();
    lastRender = null;
  }
  if (!c) {
    ui.plotNote.textContent = 'Run code that calls gradient (or derivative, pullback, …) to see pictures here.';
    ui.graphNote.textContent = ui.plotNote.textContent;
    ui.plotPane.classList.add('empty');
    return;
  }
  if (tab === 'graph') {
    const g = c.graph;
    const ops = g.nodes.filter((n) => n.kind === 'op').length;
    ui.graphNote.textContent =
      `${ops} operation${ops === 1 ? '' : 's'} on ${g.nodes.length - ops} input${g.nodes.length - ops === 1 ? '' : 's'}` +
      (g.truncated ? ` — only the first ${g.nodes.length} nodes are drawn` : '') +
      '. Values flow →, the gradient flows back ← (orange). Hover for exact values; drag to pan, Ctrl+wheel to zoom.';
    graphView = drawGraph(g, ui.tooltip);
    ui.graph.append(graphView.element);
    graphView.fit();
    return;
  }
  if (!c.scalar || c.x0 === undefined) {
    ui.plotPane.classList.add('empty');
    ui.plotNote.textContent = `The plot is for functions of one number; this ${c.kind} call is not. Its trace graph is in the other tab.`;
    return;
  }
  ui.plotPane.classList.remove('empty');
  if (resetRange) {
    const [lo, hi] = defaultRange(c.x0);
    ui.plotFrom.value = String(lo);
    ui.plotTo.value = String(hi);
  }
  const lo = Number(ui.plotFrom.value);
  const hi = Number(ui.plotTo.value);
  if (!(hi > lo)) {
    ui.plotNote.textContent = 'The range needs “from” below “to”.';
    return;
  }
  ui.plotNote.textContent = `f and its derivative f′ (computed by zygote-ts) on [${lo}, ${hi}]; the dot marks the call at x = ${c.x0}, with f’s tangent there.`;
  const data = await runner.plot(c.index, lo, hi);
  if (data === undefined || selectedCall() !== c) return; // a newer request replaced this one
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
  const x0 = c.x0;
  lastRender = () => {
    ui.plot.replaceChildren(drawPlot(data, { x0, width: Math.max(320, ui.plot.clientWidth), height: Math.max(240, ui.plot.clientHeight) }));
  };
  lastRender();
}

// ---- running -----------------------------------------------------------------------------
async function run(): Promise<void> {
  const id = ++runId;
  document.body.dataset['run'] = String(id);
  ui.output.replaceChildren();
  editor.mark(null);
  showCalls([]);
  setState('running', 'Running…');
  let outcome: RunOutcome;
  try {
    outcome = await runner.run(editor.get(), { show: showValue, log: showLog });
  } catch (e) {
    // The worker itself failed to load (a broken build, a browser without module workers).
    outcome = { kind: 'error', name: 'Error', message: `the worker could not start: ${(e as Error).message}`, calls: [], phase: 'run' };
  }
  if (id !== runId) return; // a newer run started
  if (outcome.kind === 'cancelled') return;
  if (outcome.kind === 'timeout') {
    const r = row('error timeout');
    r.textContent = `Stopped after ${outcome.limitMs / 1000} s: the code did not finish within the time limit (an endless loop?). The page is fine; edit and run again.`;
    showCalls([]);
    setState('timeout', `Stopped at the ${outcome.limitMs / 1000} s limit`);
  } else if (outcome.kind === 'error') {
    showError(outcome);
    showCalls(outcome.calls);
    setState('error', outcome.phase === 'compile' ? 'Does not compile' : 'Error');
  } else {
    if (ui.output.childElementCount === 0) {
      const r = row('note');
      r.textContent = 'Ran without output. Top-level expressions (like gradient(f, 1) on a line of its own) and console.log show here.';
    }
    showCalls(outcome.calls);
    setState('done', `Ran in ${outcome.ms < 10 ? outcome.ms.toFixed(1) : Math.round(outcome.ms)} ms`);
  }
  document.body.dataset['done'] = String(id);
}

// ---- the URL hash --------------------------------------------------------------------------
let hashTimer = 0;
function codeChanged(): void {
  if (syncingHash) return;
  ui.examples.value = '';
  clearTimeout(hashTimer);
  hashTimer = window.setTimeout(async () => {
    history.replaceState(null, '', await encodeHash(editor.get()));
  }, 300);
}

function load(code: string, exampleId: string): void {
  syncingHash = true;
  editor.set(code);
  syncingHash = false;
  ui.examples.value = exampleId;
}

async function fromHash(): Promise<{ code: string; example: string }> {
  const h = await decodeHash(location.hash);
  if (h && 'code' in h) return { code: h.code, example: '' };
  const id = h && 'example' in h && exampleCode(h.example) !== null ? h.example : EXAMPLES[0]!.id;
  return { code: exampleCode(id)!, example: id };
}

// ---- wiring --------------------------------------------------------------------------------
async function main(): Promise<void> {
  setState('loading', 'Loading the compiler…');
  const first = await fromHash();
  editor = createEditor(ui.editor, first.code, () => void run(), codeChanged);
  ui.examples.value = first.example;

  ui.examples.addEventListener('change', () => {
    const code = exampleCode(ui.examples.value);
    if (code === null) return;
    load(code, ui.examples.value);
    history.replaceState(null, '', `#example=${ui.examples.value}`);
    void run();
  });
  ui.run.addEventListener('click', () => void run());
  ui.limit.addEventListener('change', () => {
    runner.limitMs = Number(ui.limit.value);
  });
  ui.exact.addEventListener('change', () => {
    setExact(ui.exact.checked);
    for (const r of ui.output.querySelectorAll<HTMLElement>('.row.show')) {
      const v = r.querySelector('.val')!;
      v.replaceChildren(render(JSON.parse(r.dataset['value']!) as Described));
    }
  });
  ui.share.addEventListener('click', async () => {
    history.replaceState(null, '', await encodeHash(editor.get()));
    try {
      await navigator.clipboard.writeText(location.href);
      ui.share.textContent = 'Link copied';
    } catch {
      ui.share.textContent = 'Link is in the address bar';
    }
    setTimeout(() => (ui.share.textContent = 'Copy link'), 1600);
  });
  window.addEventListener('hashchange', async () => {
    const next = await fromHash();
    if (next.code === editor.get()) return;
    load(next.code, next.example);
    void run();
  });
  for (const b of ui.tabs) {
    b.addEventListener('click', () => {
      preferred = b.dataset['tab'] as 'plot' | 'graph';
      setTab(preferred);
    });
  }
  ui.calls.addEventListener('change', () => void drawPictures(true));
  const replot = () => void drawPictures(false);
  ui.plotFrom.addEventListener('change', replot);
  ui.plotTo.addEventListener('change', replot);
  ui.plotReset.addEventListener('click', () => void drawPictures(true));
  ui.graphFit.addEventListener('click', () => graphView?.fit());
  ui.graphIn.addEventListener('click', () => graphView?.zoom(1.25));
  ui.graphOut.addEventListener('click', () => graphView?.zoom(0.8));
  new ResizeObserver(() => lastRender?.()).observe(ui.plot);

  await Promise.all([initCompiler('./esbuild.wasm'), runner.ready]);
  document.body.dataset['ready'] = 'true';
  setState('ready', 'Ready');
  await run();
}

main().catch((e: unknown) => {
  setState('error', `The playground failed to start: ${(e as Error).message}`);
});
