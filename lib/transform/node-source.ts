/**
 * What the Node loader compiles for one file: the filter (which files are
 * rewritten), the cache (cache.ts) and the transform, shared by the ESM hooks
 * (node-hooks.ts) and the `require` hook (cjs-hook.ts). A file that cannot be
 * rewritten stops the load with its path named, not a bare parser error.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { throughCache, type TransformCache } from './cache.js';
import { type FileFilter, isTypeScriptFile, nodeModulesPackage, RUNTIME_PATH, shouldRewrite } from './filter.js';
import type * as Transform from './index.js';
import { withInlineMap } from './sourcemap.js';

let transformModule: typeof Transform | undefined;

/**
 * The transform, loaded on the first file the cache does not have: a start whose files
 * are all cached parses nothing and need not load the parser (here and in the loader's
 * hooks thread).
 */
function transformer(): typeof Transform {
  return (transformModule ??= createRequire(import.meta.url)('./index.js') as typeof Transform);
}

const RUNTIME_URL = pathToFileURL(RUNTIME_PATH).href;

/** How a file is compiled: an ES module, or CommonJS (Node's `format` of the file). */
export type NodeFormat = 'module' | 'commonjs';

/** The transform failed on a file Node was about to run: say which, and what to do. */
export function rewriteFailure(path: string, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const inPackage = path.includes('/node_modules/') || path.includes('\\node_modules\\');
  const advice = inPackage
    ? 'Leave this package out of ZYGOTE_INCLUDE (or the include option) if it need not be differentiated.'
    : 'Put a // @zygote-ignore comment at the top of the file to leave it as it is.';
  return new SyntaxError(`zygote-ts could not rewrite ${path}: ${message}. ${advice}`, { cause: error });
}

/**
 * Whether a rewritten JavaScript file carries a source map: not a package's (under
 * node_modules). The rewrite keeps every line where it was, so stack traces through a
 * package name the right lines (only columns move), while Node decodes the inline map of
 * every module it loads once source maps are on: a cost every start would pay for every
 * file of every included package.
 */
function mapped(path: string): boolean {
  return nodeModulesPackage(path) === null;
}

function guarded<T>(path: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw rewriteFailure(path, error);
  }
}

/**
 * Source for an ES module (`.js`/`.mjs` JavaScript, or TypeScript), or null to
 * load the file as it is. Rewritten modules import `__zy` from the runtime's
 * absolute URL, so all files share one runtime instance.
 */
export function moduleSource(path: string, code: string, filter: FileFilter, cache: TransformCache | null): string | null {
  const rewrite = shouldRewrite(path, filter);
  const runtime = { kind: 'import', specifier: RUNTIME_URL } as const;
  if (isTypeScriptFile(path)) {
    return throughCache(cache, rewrite ? `ts-esm ${RUNTIME_URL}` : 'strip-esm', path, code, () =>
      guarded(path, () => {
        const out = rewrite ? transformer().transformTs(code, path, { runtime }) : transformer().stripTs(code, path);
        return withInlineMap(out.code, out.map);
      }),
    );
  }
  if (!rewrite) return null;
  return throughCache(cache, `esm ${RUNTIME_URL}`, path, code, () =>
    guarded(path, () => {
      const out = transformer().transform(code, { filename: path, runtime, sourceType: 'module', sourceMap: mapped(path) });
      return out.changed ? withInlineMap(out.code, out.map) : null;
    }),
  );
}

/**
 * Source for a file compiled by `Module.prototype._compile` (CommonJS, and ES
 * modules loaded by `require` in Node ≥ 20.19, which passes `format`), or
 * null to compile it as it is. The runtime is read from its global (a
 * CommonJS module cannot `import`).
 */
export function requiredSource(path: string, code: string, filter: FileFilter, cache: TransformCache | null, format?: string): string | null {
  const rewrite = shouldRewrite(path, filter);
  const runtime = { kind: 'global' } as const;
  if (isTypeScriptFile(path)) {
    return throughCache(cache, rewrite ? 'ts-cjs' : 'strip-cjs', path, code, () =>
      guarded(path, () => {
        const out = rewrite ? transformer().transformTs(code, path, { format: 'cjs', runtime }) : transformer().stripTs(code, path, 'cjs');
        return withInlineMap(out.code, out.map);
      }),
    );
  }
  if (!rewrite) return null;
  return throughCache(cache, `require-${format ?? 'auto'}`, path, code, () =>
    guarded(path, () => {
      const out = transformRequired(code, path, format);
      return out.changed ? withInlineMap(out.code, out.map) : null;
    }),
  );
}

function transformRequired(code: string, filename: string, format: string | undefined): Transform.TransformResult {
  const { transform } = transformer();
  const options = { filename, runtime: { kind: 'global' }, commonjsRuntime: { kind: 'global' }, sourceMap: mapped(filename) } as const;
  if (format === 'module') return transform(code, { ...options, sourceType: 'module' });
  try {
    return transform(code, { ...options, sourceType: 'script' });
  } catch (error) {
    // A `.js` file without a "type" that only parses as a module: Node runs it as one
    // (module-syntax detection), so parse it the same way.
    if (format === 'commonjs' || !(error instanceof SyntaxError)) throw error;
    return transform(code, { ...options, sourceType: 'module' });
  }
}
