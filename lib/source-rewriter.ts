// The source rewriter as the runtime reaches it. The runtime needs the transform (acorn,
// magic-string and the rewriters: ~170 KB of a minified page) only to recompile code it is
// handed as text: a function that reached `gradient` without being rewritten, or the body
// given to `Function(…)` in rewritten code. An app built with the loader or a plugin has
// its code rewritten already, so the transform is not in the runtime's import graph:
// - `import 'zygote-ts/recompile'` provides it in a page (the plugins import that module
//   for the files that call `Function(…)`), published on a global symbol so that any copy
//   of the runtime finds it (it is plain text in, text out: no state to share);
// - in Node it is loaded on first use, synchronously, by `require` (Node ≥ 20.19 loads
//   ES modules so), from the package's own `zygote-ts/transform`.

/** What the runtime asks of the transform. */
export interface SourceRewriter {
  /** A function's source, rewritten, as an expression over a free `__zy` (`checkFreeCalls`: its calls of globals checked; older copies ignore it). */
  transformFunctionSource(source: string, options?: { checkFreeCalls?: boolean }): string;
  /** The names a function's source reads without binding them. */
  freeVariables(source: string): string[];
  /** Whether a function's source means something else as strict mode code, where the function cannot say which it is (absent in older copies). */
  strictnessMatters?(source: string): boolean;
  /** A script's source, rewritten, reading the runtime from its global (`directEval`: code a direct `eval` runs). */
  transformScript(source: string, options?: { directEval?: boolean }): string;
}

/** The global under which `zygote-ts/recompile` publishes the rewriter. */
const SOURCE_REWRITER_KEY = Symbol.for('zygote-ts.source-rewriter');

type Registry = Record<symbol, SourceRewriter | undefined>;

/** The transform, or undefined in a page that did not import `zygote-ts/recompile`. */
export function sourceRewriter(): SourceRewriter | undefined {
  const registry = globalThis as unknown as Registry;
  return (registry[SOURCE_REWRITER_KEY] ??= requireInNode());
}

/** Publishes the rewriter for every copy of the runtime in this realm. */
export function provideSourceRewriter(rewriter: SourceRewriter): void {
  (globalThis as unknown as Registry)[SOURCE_REWRITER_KEY] = rewriter;
}

interface NodeProcess {
  getBuiltinModule?(id: 'node:module'): typeof import('node:module');
}

function requireInNode(): SourceRewriter | undefined {
  // `process` is read off globalThis, so that bundlers see no Node built-in here.
  const nodeProcess = (globalThis as { process?: NodeProcess }).process;
  const nodeModule = nodeProcess?.getBuiltinModule?.('node:module');
  if (nodeModule === undefined) return undefined;
  try {
    return nodeModule.createRequire(import.meta.url)('zygote-ts/transform') as SourceRewriter;
  } catch {
    return undefined; // bundled for Node without zygote-ts beside the bundle
  }
}
