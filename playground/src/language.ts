// The editor's TypeScript intelligence: the language service runs in its own worker
// (language-worker.ts), loaded after the first run so that the first run stays fast.
// Diagnostics are underlined, completion comes from the service, hovering shows types
// (a gradient call's `Gradients<…>`, made of `Grad<T>`).
import { wrap } from 'comlink';
import { autocompletion } from '@codemirror/autocomplete';
import type { Extension } from '@codemirror/state';
import type { EditorView } from '@codemirror/view';
import type { Diagnostic } from '@codemirror/lint';
import { tsAutocompleteWorker, tsFacetWorker, tsHoverWorker, tsSyncWorker } from '@valtown/codemirror-ts';
import type { createWorker } from '@valtown/codemirror-ts/worker';
import { USER_PATH } from './language-path.js';

/**
 * TypeScript's complaints that do not hold in code zygote-ts rewrites: arithmetic on arrays,
 * NDArrays and classes with operator methods (`x ** p + y`, `p + q` for Points) is what the
 * rewrite is for. 2362/2363: an operand of an arithmetic operator is not a number;
 * 2365: an operator cannot be applied to these types.
 */
const REWRITTEN_OPERATORS = [2362, 2363, 2365];

export interface LanguageService {
  extensions: Extension;
  diagnostics(view: EditorView): Promise<readonly Diagnostic[]>;
}

export async function languageService(workerURL: string): Promise<LanguageService> {
  const worker = wrap<ReturnType<typeof createWorker>>(new Worker(workerURL, { type: 'module' }));
  await worker.initialize();
  return {
    extensions: [tsFacetWorker.of({ worker, path: USER_PATH }), tsSyncWorker(), autocompletion({ override: [tsAutocompleteWorker()] }), tsHoverWorker()],
    async diagnostics(view) {
      // The text the service has may lag behind an edit: send it first.
      await worker.updateFile({ path: USER_PATH, code: view.state.doc.toString() });
      return worker.getLints({ path: USER_PATH, diagnosticCodesToIgnore: REWRITTEN_OPERATORS });
    },
  };
}
