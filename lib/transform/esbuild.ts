/**
 * zygote-ts/esbuild: an esbuild plugin that strips TypeScript and rewrites
 * user files (and listed packages) for differentiation while bundling.
 *
 * @example
 * ```ts
 * import { build } from 'esbuild';
 * import zygote from 'zygote-ts/esbuild';
 * await build({ entryPoints: ['main.ts'], bundle: true, outfile: 'out.js', plugins: [zygote()] });
 * ```
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Plugin } from 'esbuild';
import { throughCache, type TransformCache } from './cache.js';
import { cacheOf, rewriteWithRuntime } from './bundler.js';
import { isTypeScriptFile, RUNTIME_PATH, shouldRewrite } from './filter.js';
import { transform, transformTs } from './index.js';
import { withInlineMap } from './sourcemap.js';

export interface ZygoteEsbuildOptions {
  /** Packages under node_modules to rewrite too (`'*'` for all). Default: none. */
  include?: string[];
  /** Files to leave alone: a string matches as a path substring, a RegExp is tested against the path. */
  exclude?: (string | RegExp)[];
  /**
   * Module the rewritten files take `__zy` from. Default: zygote-ts's built runtime (absolute path), bundled once,
   * or `dist/lib/recompile.js` for a file that calls `Function(…)` (bundler.ts). With a module of your own,
   * import 'zygote-ts/recompile' in the page if its code calls `Function(…)`.
   */
  runtime?: string;
  /**
   * Folder for the cache of rewritten files, or `false` for none. Default: as the Node
   * loader (`ZYGOTE_CACHE_DIR`, else `node_modules/.cache/zygote-ts`; `ZYGOTE_CACHE=0` for none).
   */
  cache?: string | false;
}

/** Paths of JavaScript/TypeScript files (a filter on file names, not on code). */
const SCRIPT_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;

/**
 * Create the plugin.
 *
 * @example
 * ```ts
 * import zygote from 'zygote-ts/esbuild';
 * const plugins = [zygote({ include: ['simple-statistics'] })];
 * ```
 */
export default function zygote(options: ZygoteEsbuildOptions = {}): Plugin {
  const specifier = options.runtime ?? RUNTIME_PATH;
  const filter = { include: options.include ?? [], exclude: options.exclude ?? [] };
  let cache: TransformCache | null | undefined;
  return {
    name: 'zygote-ts',
    setup(build) {
      build.onLoad({ filter: SCRIPT_FILE }, async (args) => {
        if (args.namespace !== 'file' || args.path === specifier || !shouldRewrite(args.path, filter)) return undefined;
        const code = await readFile(args.path, 'utf8');
        if (cache === undefined) cache = cacheOf(options.cache);
        const contents = throughCache(cache, `esbuild ${specifier}`, args.path, code, () => {
          const out = rewriteWithRuntime(specifier, (module) => {
            const runtime = { kind: 'import', specifier: module } as const;
            const commonjsRuntime = { kind: 'require', specifier: module } as const;
            return isTypeScriptFile(args.path)
              ? transformTs(code, args.path, { runtime, commonjsRuntime })
              : transform(code, { filename: args.path, runtime, commonjsRuntime });
          });
          return !out.changed && !isTypeScriptFile(args.path) ? null : withInlineMap(out.code, out.map);
        });
        return contents === null ? undefined : { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}
