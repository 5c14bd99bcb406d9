// The playground page: editor, examples, output, and pictures (plot, trace graph, the
// JavaScript that ran). The TypeScript language service loads in its own worker when the
// editor is first used (focused or pointed at), after the first run: the first run is not
// kept waiting, and a page that is only read never loads the compiler (about 5 MB).
import './style.css';
import sources, { compiled as precompiled } from 'virtual:examples';
import { createEditor, type Editor } from './editor.js';
import { examplesOf } from './examples.js';
import { decodeHash, encodeHash } from './share.js';
import { initCompiler, Runner, type RunOutcome } from './runner.js';
import { setExact } from './format.js';
import { outputPanel } from './output.js';
import { initPictures } from './pictures.js';
import { initSplitters } from './splitters.js';
import { initTheme } from './theme.js';
import type { Described } from './describe.js';
import type { Progress } from './protocol.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  examples: $<HTMLSelectElement>('examples'),
  run: $<HTMLButtonElement>('run'),
  runLabel: $<HTMLSpanElement>('run-label'),
  share: $<HTMLButtonElement>('share'),
  theme: $<HTMLButtonElement>('theme'),
  limit: $<HTMLSelectElement>('limit'),
  exact: $<HTMLInputElement>('exact'),
  status: $<HTMLSpanElement>('status'),
  editor: $<HTMLDivElement>('editor'),
  output: $<HTMLDivElement>('output'),
  stale: $<HTMLSpanElement>('stale'),
  kbd: $<HTMLElement>('run-kbd'),
};
const mac = /Mac|iPhone|iPad/.test(navigator.platform);
ui.kbd.textContent = mac ? '⌘ ↵' : 'Ctrl ↵';
const EXAMPLES = examplesOf(sources);

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
  return e ? (sources[e.file] ?? null) : null;
};

// ---- state -------------------------------------------------------------------------------
const runner = new Runner('./worker.js', Number(ui.limit.value));
let editor: Editor;
let runId = 0;
let syncingHash = false;
/** A note for the first run (a link that could not be read). */
let openingNote: string | null = null;
const output = outputPanel(ui.output, (line, column) => editor.goTo(line, column));
const pictures = initPictures(runner, (lines) => editor.highlightLines(lines));

type State = 'loading' | 'running' | 'done' | 'error' | 'timeout' | 'stopped';
function setState(state: State, text: string): void {
  document.body.dataset['state'] = state;
  ui.status.textContent = text;
  ui.status.title = text; // (a narrow bar cuts it short)
  ui.status.className = `status ${state}`;
  const running = state === 'running';
  ui.runLabel.textContent = running ? 'Stop' : 'Run';
  ui.run.title = running ? 'Stop this run (its worker is terminated)' : 'Run (Ctrl+Enter or ⌘+Enter in the editor)';
  ui.run.querySelector('.play')!.textContent = running ? '■' : '▶';
}

const seconds = (ms: number) => (ms < 10 ? `${ms.toFixed(1)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

function setStale(stale: boolean): void {
  ui.stale.hidden = !stale;
  ui.output.classList.toggle('stale-run', stale);
}

// ---- running -----------------------------------------------------------------------------
async function run(): Promise<void> {
  const id = ++runId;
  document.body.dataset['run'] = String(id);
  output.clear();
  setStale(false);
  editor.mark(null);
  editor.highlightLines([]);
  pictures.show([], null, []);
  const started = performance.now();
  setState('running', 'Running…');
  // Elapsed time while it runs (a long run says how long it has taken so far), and how far
  // an optimisation has got (the worker's progress reports).
  let progress: string | null = null;
  const tick = () => {
    if (id !== runId || document.body.dataset['state'] !== 'running') return;
    ui.status.textContent = `Running… ${seconds(performance.now() - started)}${progress ? ` · ${progress}` : ''}`;
    ui.status.title = ui.status.textContent; // (a narrow bar cuts it short)
  };
  const ticker = setInterval(tick, 100);
  let outcome: RunOutcome;
  try {
    const source = editor.get();
    const example = EXAMPLES.find((e) => sources[e.file] === source);
    const handlers = {
      show: (site: number, value: Described) => output.show(runner.compiled?.sites[site], value),
      log: (level: string, values: Described[]) => output.log(level, values),
      progress: (p: Progress) => {
        if (id !== runId) return;
        progress = pictures.progress(p);
        tick();
      },
    };
    outcome = await runner.run(source, handlers, example && precompiled[example.file]);
  } catch (e) {
    // The worker itself failed to load (a broken build, a browser without module workers).
    outcome = { kind: 'error', name: 'Error', message: `the worker could not start: ${(e as Error).message}`, calls: [], phase: 'run', compiled: [] };
  } finally {
    clearInterval(ticker);
  }
  if (id !== runId || outcome.kind === 'cancelled') return; // a newer run started
  if (openingNote) output.note(openingNote, 'error');
  openingNote = null;
  const code = runner.compiled?.code ?? null;
  if (outcome.kind === 'timeout') {
    output.note(`Stopped after ${outcome.limitMs / 1000} s: the code did not finish within the time limit (an endless loop, or a timer never cleared?). The page is fine; edit and run again, or choose a longer limit.`, 'error timeout');
    pictures.show([], code, []);
    setState('timeout', `Stopped at the ${outcome.limitMs / 1000} s limit`);
  } else if (outcome.kind === 'stopped') {
    output.note(`Stopped after ${seconds(outcome.ms)}, as you asked. Output shown above is what it printed until then.`, 'error stopped');
    pictures.show([], code, []);
    setState('stopped', `Stopped after ${seconds(outcome.ms)}`);
  } else if (outcome.kind === 'error') {
    const message = `${outcome.phase === 'compile' ? 'Does not compile' : outcome.name}: ${outcome.message}`;
    output.error(message, outcome.line, outcome.column);
    editor.mark(`${outcome.name}: ${outcome.message}`, outcome.line, outcome.column);
    pictures.show(outcome.calls, outcome.phase === 'compile' ? null : code, outcome.compiled);
    setState('error', outcome.phase === 'compile' ? 'Does not compile' : 'Error');
  } else {
    if (output.count === 0) output.note('Ran without output. Top-level expressions (like gradient(f, 1) on a line of its own) and console.log show here.');
    pictures.show(outcome.calls, code, outcome.compiled);
    setState('done', `Ran in ${seconds(outcome.ms)}`);
  }
  document.body.dataset['done'] = String(id);
  firstRunDone();
}

/** Resolves when the first run has ended (the language service waits for it). */
let firstRunDone: () => void = () => {};
const firstRun = new Promise<void>((resolve) => (firstRunDone = resolve));
let languageRequested = false;

/** Loads the language service once, on the first use of the editor, after the first run. */
function wantLanguageService(): void {
  if (languageRequested) return;
  languageRequested = true;
  void firstRun.then(loadLanguageService);
}

/** The TypeScript language service (diagnostics, completion, hover), after the first run. */
async function loadLanguageService(): Promise<void> {
  try {
    const { languageService } = await import('./language.js');
    const service = await languageService('./typescript-worker.js');
    editor.attachLanguage(service.extensions, service.diagnostics);
    document.body.dataset['types'] = 'ready';
  } catch (e) {
    // The playground works without it; say why the editor does not check types.
    document.body.dataset['types'] = 'failed';
    console.warn(`The TypeScript language service did not load: ${(e as Error).message}`);
  }
}

// ---- the URL hash --------------------------------------------------------------------------
let hashTimer = 0;
function codeChanged(): void {
  if (document.body.dataset['done'] !== undefined) setStale(true);
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

async function fromHash(): Promise<{ code: string; example: string; note?: string }> {
  const h = await decodeHash(location.hash);
  const first = EXAMPLES[0]!.id;
  if (h && 'code' in h) return { code: h.code, example: '' };
  if (h && 'broken' in h) return { code: exampleCode(first)!, example: first, note: `This link’s code could not be read (${h.broken}): it may have been cut short when it was copied. The first example is open instead.` };
  if (h && 'example' in h && exampleCode(h.example) === null) return { code: exampleCode(first)!, example: first, note: `This link names an example the playground does not have (“${h.example}”). The first example is open instead.` };
  const id = h && 'example' in h ? h.example : first;
  return { code: exampleCode(id)!, example: id };
}

// ---- wiring --------------------------------------------------------------------------------
async function main(): Promise<void> {
  setState('loading', 'Loading the compiler…');
  const first = await fromHash();
  openingNote = first.note ?? null;
  editor = createEditor(ui.editor, first.code, {
    run: () => void run(),
    changed: codeChanged,
    lineSelected(line) {
      pictures.lineSelected(line);
      output.highlightLine(line);
    },
  });
  ui.examples.value = first.example;
  for (const event of ['focusin', 'pointerenter']) ui.editor.addEventListener(event, wantLanguageService, { once: true });
  initTheme(ui.theme, () => pictures.redraw());
  initSplitters(
    [
      { separator: $('split-x'), container: $('layout'), vars: ['--left', '--right'], axis: 'x', min: 20, max: 80 },
      { separator: $('split-y'), container: $('side'), vars: ['--top', '--bottom'], axis: 'y', min: 15, max: 85 },
    ],
    () => pictures.redraw(),
  );

  ui.examples.addEventListener('change', async () => {
    const id = ui.examples.value;
    const code = exampleCode(id);
    if (code === null) return;
    const current = editor.get();
    if (EXAMPLES.some((e) => sources[e.file] === current)) history.replaceState(null, '', `#example=${id}`);
    else {
      // The user's own code stays one Back away (a keyboard user may pick an example by
      // accident, with an arrow key on the menu): its link becomes a history entry first.
      clearTimeout(hashTimer);
      history.replaceState(null, '', await encodeHash(current));
      history.pushState(null, '', `#example=${id}`);
    }
    load(code, id);
    void run();
  });
  ui.run.addEventListener('click', () => {
    if (!runner.stop()) void run();
  });
  ui.limit.addEventListener('change', () => {
    runner.limitMs = Number(ui.limit.value);
  });
  ui.exact.addEventListener('change', () => {
    setExact(ui.exact.checked);
    output.rerender();
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
    if (next.code === editor.get() && !next.note) return;
    openingNote = next.note ?? null;
    load(next.code, next.example);
    void run();
  });
  new ResizeObserver(() => pictures.redraw()).observe($('plot'));

  // An example opens without the compiler (the build compiled it); other code compiles as
  // soon as the compiler is there, while the worker is still loading the library.
  initCompiler('./esbuild.wasm').catch((e: unknown) => {
    // Examples still run; other code says that it cannot be compiled.
    console.warn(`The compiler (esbuild-wasm) did not load: ${(e as Error).message}`);
  });
  void runner.ready.then(() => (document.body.dataset['ready'] = 'true'));
  await run();
}

main().catch((e: unknown) => {
  setState('error', `The playground failed to start: ${(e as Error).message}`);
});
