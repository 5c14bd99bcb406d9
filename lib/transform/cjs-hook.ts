/**
 * CommonJS support for the loader. Node 20's ESM hooks do not see `require`,
 * so `Module.prototype._compile` is wrapped: TypeScript (`.ts`, `.cts`,
 * `.tsx` when required) is stripped to CommonJS, and user files and included
 * packages are rewritten with the global runtime binding (a CommonJS module
 * cannot `import`). The same hook sees CommonJS reached from `import` (Node
 * compiles it with its CommonJS loader) and, in Node ≥ 20.19, ES modules
 * loaded by `require` (`_compile`'s third argument is then `'module'`).
 */
import Module from 'node:module';
import { cacheFromEnv, type TransformCache } from './cache.js';
import { type FileFilter, isOwnFile, typeScriptSwaps } from './filter.js';
import { requiredSource } from './node-source.js';

// (not `import … from 'node:fs'`: see cache.ts)
const { readFileSync } = process.getBuiltinModule('node:fs');

interface CompilableModule {
  _compile(content: string, filename: string, format?: string): unknown;
}
type ExtensionHandler = (module: CompilableModule, filename: string) => void;
type ResolveFilename = (this: unknown, request: string, ...rest: unknown[]) => string;

const INSTALLED = Symbol.for('zygote-ts.cjs-hook');

/** Source of a CommonJS file (or an ES module loaded by `require`) as it should be compiled. */
export function compileSource(content: string, filename: string, filter: FileFilter, format?: string, cache: TransformCache | null = null): string {
  return requiredSource(filename, content, filter, cache, format) ?? content;
}

/** Install the `require` hook once per process. */
export function installCjsHook(filter: FileFilter, cache: TransformCache | null = cacheFromEnv()): void {
  const registry = globalThis as unknown as Record<symbol, boolean>;
  if (registry[INSTALLED]) return;
  registry[INSTALLED] = true;
  const proto = Module.prototype as unknown as CompilableModule;
  const original = proto._compile;
  proto._compile = function compile(this: CompilableModule, content: string, filename: string, format?: string): unknown {
    // zygote-ts's own `.js` files are ES modules ("type": "module"), which Node compiles here as
    // such. Compiled as CommonJS, another loader's require hook converted one (tsx's converts every
    // ES module that is required): that was a second copy of zygote-ts beside the one the loader
    // runs, and every gradient stopped with "a traced number from another copy of zygote-ts".
    // Compiled as the ES module it is, `require` gives the instance `import` gives.
    if (format !== 'module' && isOwnFile(filename) && filename.endsWith('.js')) return original.call(this, readFileSync(filename, 'utf8'), filename, 'module');
    return original.call(this, compileSource(content, filename, filter, format, cache), filename, format);
  };
  // `require('./lib.cjs')` meaning lib.cts (as TypeScript writes the import of a `.cts` file, and
  // compiles `import … from './lib.cjs'` in a `.cts` file): Node 20's ESM hooks do not resolve
  // for `require`, which stopped with "Cannot find module". Tried only once the file is not found.
  const resolver = Module as unknown as { _resolveFilename: ResolveFilename };
  const resolveFilename = resolver._resolveFilename;
  resolver._resolveFilename = function resolveTypeScript(this: unknown, request: string, ...rest: unknown[]): string {
    try {
      return resolveFilename.call(this, request, ...rest);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND' || !/^\.\.?\//.test(request)) throw error;
      for (const candidate of typeScriptSwaps(request)) {
        try {
          return resolveFilename.call(this, candidate, ...rest);
        } catch {
          // not this one either
        }
      }
      throw error;
    }
  };
  // `require('./x.ts')`: read TypeScript files as text; `_compile` above strips them.
  const extensions = (Module as unknown as { _extensions: Record<string, ExtensionHandler> })._extensions;
  for (const ext of ['.ts', '.cts', '.tsx']) {
    extensions[ext] ??= (module, filename) => {
      module._compile(readFileSync(filename, 'utf8'), filename);
    };
  }
}
