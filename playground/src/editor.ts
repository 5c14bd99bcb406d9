// The editor: CodeMirror 6 in TypeScript mode; Ctrl/Cmd+Enter runs; an error is marked at
// its line and column.
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { setDiagnostics } from '@codemirror/lint';
const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '14px', backgroundColor: 'var(--editor-bg)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.6', fontVariantLigatures: 'none' },
  '.cm-content': { padding: '12px 0' },
  '.cm-gutters': { backgroundColor: 'var(--editor-bg)', border: 'none', color: '#a0a6b0' },
  '.cm-activeLineGutter': { backgroundColor: 'transparent', color: '#4b5563' },
  '.cm-activeLine': { backgroundColor: 'rgba(99, 102, 241, 0.05)' },
  '&.cm-focused': { outline: 'none' },
  '.cm-lintRange-error': { backgroundImage: 'none', textDecoration: 'underline wavy #dc2626', textUnderlineOffset: '3px' },
});

export interface Editor {
  view: EditorView;
  get(): string;
  set(code: string): void;
  /** Marks an error (1-based line and column); no line clears the marks. */
  mark(message: string | null, line?: number, column?: number): void;
  goTo(line: number, column?: number): void;
}

export function createEditor(parent: HTMLElement, code: string, run: () => void, changed: () => void): Editor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (run(), true) }])),
        basicSetup,
        keymap.of([indentWithTab]),
        javascript({ typescript: true }),
        theme,
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) changed();
        }),
      ],
    }),
  });
  const pos = (line: number, column = 1) => {
    const l = view.state.doc.line(Math.max(1, Math.min(line, view.state.doc.lines)));
    return { line: l, at: Math.min(l.to, l.from + Math.max(0, column - 1)) };
  };
  return {
    view,
    get: () => view.state.doc.toString(),
    set(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next }, selection: { anchor: 0 }, scrollIntoView: true });
      view.dispatch(setDiagnostics(view.state, []));
    },
    mark(message, line, column) {
      if (message === null || line === undefined) {
        view.dispatch(setDiagnostics(view.state, []));
        return;
      }
      const { line: l, at } = pos(line, column);
      // Underline from the column to the end of its word (or the whole line when unknown).
      const word = column === undefined ? l.to : Math.max(at + 1, (/^[\w$.]+/.exec(l.text.slice(at - l.from))?.[0].length ?? 1) + at);
      view.dispatch(setDiagnostics(view.state, [{ from: column === undefined ? l.from : at, to: Math.min(l.to, word), severity: 'error', message }]));
    },
    goTo(line, column) {
      const { at } = pos(line, column);
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
    },
  };
}
