// A read-only editor for the JavaScript the playground runs: the user's code as zygote-ts
// rewrote it, and the generated code of each compiled gradient (`g.source`).
import { javascript } from '@codemirror/lang-javascript';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers, highlightActiveLine, keymap } from '@codemirror/view';
import { defaultKeymap } from '@codemirror/commands';
import { foldGutter } from '@codemirror/language';
import { editorLook } from './editor-theme.js';

export interface CodeView {
  show(code: string): void;
}

export function createCodeView(parent: HTMLElement, label: string): CodeView {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        EditorState.readOnly.of(true),
        lineNumbers(),
        foldGutter(),
        highlightActiveLine(),
        keymap.of(defaultKeymap),
        javascript(),
        editorLook,
        // Focusable, so that keyboard users can scroll it (axe: scrollable-region-focusable).
        EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' }),
      ],
    }),
  });
  return {
    show(code) {
      if (code !== view.state.doc.toString()) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: code }, selection: { anchor: 0 } });
    },
  };
}
