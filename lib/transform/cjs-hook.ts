/**
 * CommonJS support for the loader. Node 20's ESM hooks do not see `require`,
 * so `Module.prototype._compile` is wrapped: TypeScript (`.ts`, `.cts`,
 * `.tsx` when required) is stripped to CommonJS, and user files are rewritten
 * with the global runtime binding (a CommonJS module cannot `import`).
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { type FileFilter, isTypeScriptFile, shouldRewrite } from './filter.js';
import { stripTs, transform, transformTs } from './index.js';
import { withInlineMap } from './sourcemap.js';

interface CompilableModule {
  _compile(content: string, filename: string): unknown;
}
type ExtensionHandler = (module: CompilableModule, filename: string) => void;

const INSTALLED = Symbol.for('zygote-ts.cjs-hook');

/** Source of a CommonJS file as it should be compiled. */
export function compileSource(content: string, filename: string, filter: FileFilter): string {
  const rewrite = shouldRewrite(filename, filter);
  if (isTypeScriptFile(filename)) {
    const out = rewrite ? transformTs(content, filename, { format: 'cjs', runtime: { kind: 'global' } }) : stripTs(content, filename, 'cjs');
    return withInlineMap(out.code, out.map);
  }
  if (!rewrite) return content;
  const out = transform(content, { filename, runtime: { kind: 'global' }, sourceType: 'script' });
  return out.changed ? withInlineMap(out.code, out.map) : content;
}

/** Install the `require` hook once per process. */
export function installCjsHook(filter: FileFilter): void {
  const registry = globalThis as unknown as Record<symbol, boolean>;
  if (registry[INSTALLED]) return;
  registry[INSTALLED] = true;
  const proto = Module.prototype as unknown as CompilableModule;
  const original = proto._compile;
  proto._compile = function compile(this: CompilableModule, content: string, filename: string): unknown {
    return original.call(this, compileSource(content, filename, filter), filename);
  };
  // `require('./x.ts')`: read TypeScript files as text; `_compile` above strips them.
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionHandler> })._extensions;
  for (const ext of ['.ts', '.cts', '.tsx']) {
    extensions[ext] ??= (module, filename) => {
      module._compile(readFileSync(filename, 'utf8'), filename);
    };
  }
}
