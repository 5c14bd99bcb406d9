/**
 * zygote-ts/vite: a Vite (and so Vitest) plugin that rewrites user modules
 * for differentiation. It runs after Vite's own transforms (`enforce: 'post'`),
 * when TypeScript is already stripped.
 *
 * Packages listed in `include` must reach the plugin at all: Vite hands
 * dependencies to Node as they are (SSR, Vitest) or pre-bundles them (dev
 * server), so the plugin's `config` hook marks them as `ssr.noExternal`,
 * `test.server.deps.inline` and `optimizeDeps.exclude`.
 *
 * zygote-ts itself is excluded from the dev server's pre-bundling: rewritten
 * files import the runtime by its path, and a pre-bundled copy of the
 * library would be a second runtime, whose traced numbers the first one
 * does not know (issue 14: `null` gradients).
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config';
 * import zygote from 'zygote-ts/vite';
 * export default defineConfig({ plugins: [zygote({ include: ['simple-statistics'] })] });
 * ```
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { throughCache, type TransformCache } from './cache.js';
import { cacheOf, OWN_NAME, ownSpecifier, rewriteWithRuntime } from './bundler.js';
import { isTypeScriptFile, RUNTIME_PATH, shouldRewrite } from './filter.js';
import { transform, transformTs } from './index.js';
import { nearestTsconfig } from './tsconfig.js';
import { hasIgnorePragma } from './pragma.js';
import { ignoredImportsOf, ignoredKey } from './ignored-imports.js';
import { composeMaps, type SourceMapV3 } from './sourcemap.js';
import MagicString from 'magic-string';
import { lowerDecorators } from './typescript.js';
import { VITEST_HOISTED } from './rewrite-imports.js';

export interface ZygoteViteOptions {
  /** Packages under node_modules to rewrite too (`'*'` for all). Default: none. */
  include?: string[];
  /** Files to leave alone: a string matches as a path substring, a RegExp is tested against the path. */
  exclude?: (string | RegExp)[];
  /**
   * Module every rewritten file imports `__zy` from. Default: zygote-ts's built `dist/lib/runtime.js` (absolute path),
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

/**
 * The part of Vite's (and Vitest's) config that the plugin sets: one copy of zygote-ts in
 * the dev server, and included packages reaching the plugin.
 */
export interface ZygoteViteConfig {
  optimizeDeps: { exclude: string[] };
  /** The plugin again, for the bundles `vite build` makes of Web Workers (`config.plugins` do not reach them). */
  worker?: { plugins: () => unknown[] };
  ssr?: { noExternal: string[] | true };
  test?: { server: { deps: { inline: string[] | true } } };
}

/** The subset of Vite's plugin interface this plugin uses (no dependency on Vite's types). */
export interface ZygoteVitePlugin {
  name: string;
  enforce: 'post';
  config(user?: { worker?: { plugins?: unknown }; test?: { globals?: unknown } }, env?: { command?: string }): ZygoteViteConfig;
  resolveId: { order: 'pre'; handler(this: ResolveContext, source: string, importer?: string): Promise<{ id: string; external: true } | null> };
  transform(code: string, id: string, options?: { ssr?: boolean }): { code: string; map: SourceMapV3 | null } | null;
}

/** What `resolveId` asks of Vite. */
export interface ResolveContext {
  resolve(source: string, importer?: string, options?: { skipSelf?: boolean }): Promise<{ id: string; external?: boolean | string } | null>;
}

/**
 * The file a module id names, or null for a module that is not a source file: virtual
 * modules (`\0…`) and queries (`?raw`, `?worker`, `?url`). The dev server's version query
 * (`?v=1a2b3c4d`, on files under node_modules) still names the file itself.
 */
function sourceFile(id: string): string | null {
  if (id.startsWith('\0')) return null;
  const query = id.indexOf('?');
  if (query < 0) return id;
  // A Web Worker's own code is served as `w.ts?worker_file&type=module` (the `?worker`
  // import is the wrapper that starts it): left alone, the worker's functions ran
  // un-rewritten.
  const params = id.slice(query + 1).split('&');
  return params.every((p) => /^v=[\w-]+$/.test(p) || p === 'worker_file' || /^type=(?:module|classic)$/.test(p)) ? id.slice(0, query) : null;
}

/**
 * Whether a TypeScript file starts with `@zygote-ignore`. The plugin sees TypeScript after
 * Vite's esbuild has stripped it, comments included, so the file is read as written.
 */
function ignoredTypeScript(id: string): boolean {
  if (!isTypeScriptFile(id)) return false;
  try {
    return hasIgnorePragma(readFileSync(id, 'utf8'));
  } catch {
    return false; // not a file on disk: nothing says to leave it alone
  }
}

/** `error` with `note` after its message. */
function withNote(error: SyntaxError, note: string): SyntaxError {
  error.message = `${error.message}. ${note}`;
  return error;
}

/** A call Vitest moves above a test file's imports (its own `regexpHoistable`), by the name it is made on. */
const VITEST_HOISTED_CALL = new RegExp(`\\b(vi|vitest)\\s*\\.\\s*(?:${[...VITEST_HOISTED].join('|')})\\s*\\(`);
/** The rewrite's import of the runtime, at the start of a rewritten ES module's first line of code (after its leading comments). */
const RUNTIME_IMPORT = /^import \{ __zy \} from ("[^"\n]*");/m;

/**
 * A Vitest test file whose `vi.hoisted(…)` or `vi.mock(…)` Vitest moves above its imports (by
 * its own transform, after the plugins): the runtime taken by such a call too, first of them, so
 * that the code moved up finds it. Rewritten, `vi.hoisted(() => …)` reads the runtime as it
 * starts (a function with two bodies), and stopped with "Cannot access '__vi_import_0__' before
 * initialization". `vi` must be bound: imported from 'vitest', or Vitest's `globals`.
 */
function withRuntimeHoisted(out: { code: string; map: SourceMapV3 | null }, id: string, globals: boolean): { code: string; map: SourceMapV3 | null } {
  const call = VITEST_HOISTED_CALL.exec(out.code);
  const prologue = RUNTIME_IMPORT.exec(out.code);
  if (call === null || prologue === null) return out;
  const imported = new RegExp(`\\bimport\\s*\\{[^}]*\\b${call[1]}\\b[^}]*\\}\\s*from\\s*["']vitest["']`).test(out.code);
  if (!imported && !globals) return out;
  const s = new MagicString(out.code);
  s.overwrite(prologue.index, prologue.index + prologue[0].length, `const { __zy } = await ${call[1]}.hoisted(() => import(${prologue[1]}));`);
  const code = s.toString();
  if (out.map === null) return { code, map: null };
  const edit = JSON.parse(s.generateMap({ hires: 'boundary', source: id, includeContent: false }).toString()) as SourceMapV3;
  return { code, map: composeMaps(edit, out.map) };
}

/** Folders whose files reach this runtime by the name `zygote-ts/runtime` (see the plugin's `transform`). */
const namingFolders = new Map<string, boolean>();

/** Whether `zygote-ts/runtime`, imported from the file at `id`, is this runtime (Node's resolution). */
function namesRuntime(id: string): boolean {
  const folder = dirname(id);
  let named = namingFolders.get(folder);
  if (named === undefined) {
    try {
      named = realpathSync(createRequire(id).resolve(`${OWN_NAME}/runtime`)) === realpathSync(RUNTIME_PATH);
    } catch {
      named = false;
    }
    namingFolders.set(folder, named);
  }
  return named;
}

/** Whether the rewrite's parser may have stopped at a decorator or an `accessor` field (lowered, they parse). */
function mayBeDecorators(code: string, error: unknown): boolean {
  return error instanceof SyntaxError && /@|\baccessor\b/.test(code);
}

/**
 * Create the plugin.
 *
 * @example
 * ```ts
 * import zygote from 'zygote-ts/vite';
 * export default { plugins: [zygote()] };
 * ```
 */
export default function zygote(options: ZygoteViteOptions = {}): ZygoteVitePlugin {
  return vitePlugin(options, false);
}

/** The plugin; `inWorker`: the copy given to `worker.plugins`, which adds itself no further. */
function vitePlugin(options: ZygoteViteOptions, inWorker: boolean): ZygoteVitePlugin {
  const specifier = options.runtime ?? RUNTIME_PATH;
  const include = options.include ?? [];
  const filter = { include, exclude: options.exclude ?? [] };
  let cache: TransformCache | null | undefined;
  // `vite build` bundles: each rewritten file's end is marked (bundler.ts). The dev server and
  // Vitest serve files one by one, their stacks mapped back to the sources, which would move the marks.
  // Rollup and Rolldown, which take the plugin as it is, call no `config` hook, and always bundle:
  // unmarked, their bundle was one rewritten file, and a package left out of `include` lost its
  // derivatives in it (`scale(x) + x`, with the package's `x * 3`, had the gradient 1), with a warning only.
  let bundles = true;
  // Under Vitest, whose `globals` option binds `vi` in every test file (withRuntimeHoisted).
  let vitestGlobals = false;
  return {
    name: 'zygote-ts',
    enforce: 'post',
    config(user, env) {
      bundles = env?.command === 'build';
      vitestGlobals = user?.test?.globals === true;
      const all = include.includes('*');
      // `*` cannot be excluded from pre-bundling by name; the dev server's pre-bundled
      // packages then stay un-rewritten (a strict-mode error, or a warning, says so).
      const config: ZygoteViteConfig = { optimizeDeps: { exclude: [OWN_NAME, ...(all ? [] : include)] } };
      if (include.length > 0) {
        config.ssr = { noExternal: all ? true : [...include] };
        config.test = { server: { deps: { inline: all ? true : [...include] } } };
      }
      if (!inWorker) {
        // `vite build` bundles each Web Worker with `worker.plugins` only: without the plugin
        // there, a worker's code ran un-rewritten. The user's own worker plugins are kept.
        const own = user?.worker?.plugins;
        config.worker = { plugins: () => [...(typeof own === 'function' ? (own as () => unknown[])() : []), vitePlugin(options, true)] };
      }
      return config;
    },
    // (before Vite's own resolver, which bundles a path)
    resolveId: {
      order: 'pre',
      async handler(source, importer) {
        const own = ownSpecifier(source);
        if (own === undefined) return null;
        const library = await this.resolve(OWN_NAME, importer, { skipSelf: true });
        return library?.external && library.id === OWN_NAME ? { id: own, external: true } : null;
      },
    },
    transform(code, moduleId, transformOptions) {
      const id = sourceFile(moduleId);
      if (id === null || id === specifier || !shouldRewrite(id, filter) || ignoredTypeScript(id)) return null;
      // The dev server's SSR (and Vitest) loads `zygote-ts` as Node does, by its name, where it is a
      // dependency: the runtime is taken by its name too, so that the same rule keeps both out (or
      // in). By its path, the runtime was evaluated by Vite beside the copy Node loaded for the
      // program's `gradient`, and every gradient stopped with "a traced number from another copy of
      // zygote-ts". (Only where the name reaches this very runtime: an included package may not see
      // zygote-ts by its name, under pnpm's strict layout, and its import stopped, "not found".)
      const byName = !bundles && transformOptions?.ssr === true && namesRuntime(id);
      const named = (runtime: string): string => (byName ? (ownSpecifier(runtime) ?? runtime) : runtime);
      if (cache === undefined) cache = cacheOf(options.cache);
      // (a `.cts` file is stripped under its tsconfig.json, whose text keys its entry too)
      const tsconfig = id.endsWith('.cts') ? nearestTsconfig(id) : undefined;
      const ignoredImports = ignoredImportsOf(id, code);
      // (Vitest sets VITEST before it makes its server: its test files' hoisted calls, withRuntimeHoisted)
      const vitest = !bundles && process.env['VITEST'] !== undefined;
      const kind = `vite ${bundles ? 'build ' : vitest ? `vitest${vitestGlobals ? ' globals' : ''} ` : ''}${byName ? 'ssr ' : ''}${specifier}${tsconfig === undefined ? '' : `\0${tsconfig?.path}\0${tsconfig?.key}`}${ignoredKey(ignoredImports)}`;
      const stored = throughCache(cache, kind, id, code, () => {
        // A CommonJS file reaches its runtime by `require` in a bundle (Rolldown keeps such a file
        // CommonJS, and runs it where it is first required): by the global, it threw "the
        // zygote-ts runtime is not loaded" wherever it ran before the runtime's module did.
        const commonjsRuntime = (runtime: string) => (bundles ? ({ kind: 'require', specifier: runtime } as const) : undefined);
        // Vite's TypeScript transform skips `.cts` files (Rolldown strips them after the plugins):
        // their types are stripped here, under the file's tsconfig.json as the loader strips them.
        if (tsconfig !== undefined) {
          const out = rewriteWithRuntime(specifier, (runtime) => transformTs(code, id, { runtime: { kind: 'import', specifier: named(runtime) }, commonjsRuntime: commonjsRuntime(runtime), marksEnd: bundles, tsconfig: tsconfig?.path, ignoredImports }));
          return out.changed ? JSON.stringify({ code: out.code, map: out.map }) : null;
        }
        const rewrite = (input: string) =>
          rewriteWithRuntime(specifier, (runtime) => transform(input, { filename: id, runtime: { kind: 'import', specifier: named(runtime) }, commonjsRuntime: commonjsRuntime(runtime), marksEnd: bundles, ignoredImports }));
        let out;
        try {
          out = rewrite(code);
        } catch (error) {
          if (!mayBeDecorators(code, error)) throw error;
          // (the build stopped at the first `@`, where the plain build kept the decorators for its minifier or target to lower)
          let lowered;
          try {
            lowered = lowerDecorators(code, id);
            if (lowered !== null) out = rewrite(lowered.code);
          } catch {
            throw error; // (not the decorators: the error as the file has it)
          }
          if (lowered === null || out === undefined) throw withNote(error as SyntaxError, 'zygote-ts lowers standard decorators (which Vite leaves as they are written) with esbuild, which is not installed: npm install --save-dev esbuild');
          out = { ...out, changed: true, map: out.map ? composeMaps(out.map, lowered.map) : null };
        }
        if (!out.changed) return null;
        const hoisted = vitest ? withRuntimeHoisted(out, id, vitestGlobals) : out;
        return JSON.stringify({ code: hoisted.code, map: hoisted.map });
      });
      return stored === null ? null : (JSON.parse(stored) as { code: string; map: SourceMapV3 | null });
    },
  };
}
