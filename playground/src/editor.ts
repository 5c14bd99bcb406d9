// The editor: CodeMirror 6 in TypeScript mode. Ctrl/Cmd+Enter runs; Tab indents, and
// Escape then Tab leaves the editor (CodeMirror's tab-focus convention, so keyboard users are
// never trapped). A run's error is marked at its line and column, beside the TypeScript
// language service's diagnostics once that has loaded (language.ts); lines that made the
// selected trace-graph node are highlighted.
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { Compartment, EditorState, Prec, RangeSetBuilder, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, keymap, type DecorationSet } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { forceLinting, linter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { editorLook } from './editor-theme.js';

/** Diagnostics from the language service, for the current text (empty until it loads). */
export type DiagnosticSource = (view: EditorView) => Promise<readonly Diagnostic[]>;

export interface Editor {
  view: EditorView;
  get(): string;
  set(code: string): void;
  /** Marks a run's error (1-based line and column); null clears it. */
  mark(message: string | null, line?: number, column?: number): void;
  goTo(line: number, column?: number): void;
  /** Highlights these 1-based lines (those that made a graph node); empty clears. */
  highlightLines(lines: readonly number[]): void;
  /** Adds the language service: its extensions, and its diagnostics beside the run's error. */
  attachLanguage(extensions: Extension, diagnostics: DiagnosticSource): void;
}

export interface EditorEvents {
  run(): void;
  changed(): void;
  /** The cursor moved to another line (1-based), by the user. */
  lineSelected(line: number): void;
}

const setTraced = StateEffect.define<readonly number[]>();
const traced = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(set, tr) {
    for (const e of tr.effects) {
      if (!e.is(setTraced)) continue;
      const b = new RangeSetBuilder<Decoration>();
      for (const n of [...new Set(e.value)].sort((a, c) => a - c)) {
        if (n >= 1 && n <= tr.state.doc.lines) b.add(tr.state.doc.line(n).from, tr.state.doc.line(n).from, Decoration.line({ class: 'cm-traced-line' }));
      }
      return b.finish();
    }
    return tr.docChanged ? Decoration.none : set.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});

export function createEditor(parent: HTMLElement, code: string, events: EditorEvents): Editor {
  const language = new Compartment();
  let runError: Diagnostic | null = null;
  let lastLine = 0;
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (events.run(), true) }])),
        basicSetup,
        keymap.of([indentWithTab]),
        javascript({ typescript: true }),
        editorLook,
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'Code editor (TypeScript). Escape then Tab moves focus out.' }),
        traced,
        language.of([]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) {
            runError = null;
            events.changed();
          }
          if (u.selectionSet && u.transactions.some((t) => t.isUserEvent('select') || t.isUserEvent('input') || t.isUserEvent('delete'))) {
            const line = u.state.doc.lineAt(u.state.selection.main.head).number;
            if (line !== lastLine) events.lineSelected(line);
            lastLine = line;
          }
        }),
      ],
    }),
  });
  let languageAttached = false;
  const pos = (line: number, column = 1) => {
    const l = view.state.doc.line(Math.max(1, Math.min(line, view.state.doc.lines)));
    return { line: l, at: Math.min(l.to, l.from + Math.max(0, column - 1)) };
  };
  const refreshMarks = () => {
    if (languageAttached) forceLinting(view);
    else view.dispatch(setDiagnostics(view.state, runError ? [runError] : []));
  };
  return {
    view,
    get: () => view.state.doc.toString(),
    set(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next }, selection: { anchor: 0 }, scrollIntoView: true });
      runError = null;
      refreshMarks();
    },
    mark(message, line, column) {
      if (message === null || line === undefined) runError = null;
      else {
        const { line: l, at } = pos(line, column);
        // Underline from the column to the end of its word (or the whole line when unknown).
        const word = column === undefined ? l.to : Math.max(at + 1, (/^[\w$.]+/.exec(l.text.slice(at - l.from))?.[0].length ?? 1) + at);
        runError = { from: column === undefined ? l.from : at, to: Math.min(l.to, word), severity: 'error', message, source: 'run' };
      }
      refreshMarks();
    },
    goTo(line, column) {
      const { at } = pos(line, column);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
    highlightLines(lines) {
      view.dispatch({ effects: setTraced.of(lines) });
      const first = Math.min(...lines);
      if (Number.isFinite(first) && first <= view.state.doc.lines) {
        view.dispatch({ effects: EditorView.scrollIntoView(view.state.doc.line(first).from, { y: 'nearest' }) });
      }
    },
    attachLanguage(extensions, diagnostics) {
      languageAttached = true;
      const source = async (v: EditorView): Promise<readonly Diagnostic[]> => {
        const found = await diagnostics(v).catch(() => []);
        return runError ? [...found, runError] : found;
      };
      view.dispatch({ effects: language.reconfigure([extensions, linter(source, { delay: 400 })]) });
    },
  };
}
