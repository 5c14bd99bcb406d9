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
import { dirname, extname } from 'node:path';
import type { BuildOptions, Message, Plugin, PluginBuild } from 'esbuild';
import { throughCache, type TransformCache } from './cache.js';
import { cacheOf, OWN_NAME, ownSpecifier, rewriteWithRuntime } from './bundler.js';
import { isTypeScriptFile, RUNTIME_PATH, shouldRewrite } from './filter.js';
import { transform, transformStripped } from './index.js';
import { LOWERED } from './typescript.js';
import type { SourceMapV3 } from './sourcemap.js';
import { withInlineMap } from './sourcemap.js';
import { ignoredImportsOf, ignoredKey } from './ignored-imports.js';

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
 * Files esbuild must compile to plain JavaScript before the rewrite: TypeScript and JSX, by
 * their extension or by the build's `loader` option (`{ '.js': 'jsx' }`).
 */
function needsCompiling(path: string, loaders: Record<string, string> | undefined): boolean {
  const loader = loaders?.[extname(path)];
  if (loader !== undefined) return loader === 'ts' || loader === 'tsx' || loader === 'jsx';
  return isTypeScriptFile(path) || path.endsWith('.jsx');
}

/**
 * The file at `path` compiled to JavaScript (types stripped, JSX converted, nothing
 * lowered but decorators and `using`) by the build's own esbuild, as the build would compile it: a one-file build
 * reads the file's tsconfig.json (`useDefineForClassFields`, its `target`, decorators, JSX
 * settings) and takes the build's tsconfig and JSX options. Stripping without them (the
 * Node loader's `stripTs`) gave class fields other semantics than the plain build: a
 * declared `k!: number` reset by define semantics after `super()` — a silently different
 * value and gradient.
 */
async function compileWithBuild(build: PluginBuild, path: string, lowered: Record<string, boolean>): Promise<{ code: string; map: SourceMapV3 } | { errors: Message[] }> {
  const o = build.initialOptions;
  const outfile = `${path}.zygote.js`; // never written: only names the output of a build with write: false
  const options: BuildOptions & { write: false } = {
    entryPoints: [path], bundle: false, write: false, outfile, sourcemap: 'external', target: 'esnext', logLevel: 'silent',
    // (the rewrite's parser reads no decorators; the build lowers them and `using` for its target anyway)
    supported: { ...o.supported, ...LOWERED, ...lowered },
    absWorkingDir: o.absWorkingDir, tsconfig: o.tsconfig, tsconfigRaw: o.tsconfigRaw, loader: o.loader,
    jsx: o.jsx, jsxFactory: o.jsxFactory, jsxFragment: o.jsxFragment, jsxImportSource: o.jsxImportSource, jsxDev: o.jsxDev, jsxSideEffects: o.jsxSideEffects,
  };
  let result;
  try {
    result = await build.esbuild.build(options);
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (errors !== undefined) return { errors };
    throw error;
  }
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'))!;
  const mapFile = result.outputFiles.find((f) => f.path.endsWith('.map'))!;
  return { code: js.text, map: JSON.parse(mapFile.text) as SourceMapV3 };
}

/**
 * The class-field features the build's `target` lowers (`{ 'class-field': false, … }`), which
 * the compilation before the rewrite must lower too (it compiles for esnext otherwise). A field
 * beside a parameter property (`b = this.a * 2` and `constructor(public a: number)`) is lowered
 * after it, into the constructor: kept a class field, it ran first and read undefined. Under
 * `target: 'es2020'` `new PP(x).b * x` was NaN with a null gradient where the plain build gives
 * 2x². Asked of the build's esbuild with a class of each kind, as its own table decides.
 */
async function classFieldsLowered(build: PluginBuild): Promise<Record<string, boolean>> {
  const { target, supported } = build.initialOptions;
  if (target === undefined) return {}; // (esnext)
  const kept = async (field: string): Promise<boolean> => {
    try {
      return (await build.esbuild.transform(`class A { ${field} = 1 }`, { loader: 'js', target, supported })).code.includes(`${field} = 1;`);
    } catch {
      return true; // (a target esbuild refuses: the build says so itself)
    }
  };
  const [instance, statics] = await Promise.all([kept('a'), kept('static a')]);
  return { ...(instance ? {} : { 'class-field': false }), ...(statics ? {} : { 'class-static-field': false }) };
}

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
      let fieldsLowered: Promise<Record<string, boolean>> | undefined;
      // The runtime a rewritten file imports by its path stays out of the bundle where zygote-ts does (bundler.ts ownSpecifier).
      build.onResolve({ filter: /(?:runtime|recompile)\.js$/ }, async (args) => {
        const own = ownSpecifier(args.path);
        if (own === undefined) return undefined;
        const library = await build.resolve(OWN_NAME, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir });
        return library.external && library.path === OWN_NAME ? { path: own, external: true } : undefined;
      });
      build.onLoad({ filter: SCRIPT_FILE }, async (args) => {
        if (args.namespace !== 'file' || args.path === specifier || !shouldRewrite(args.path, filter)) return undefined;
        const code = await readFile(args.path, 'utf8');
        if (cache === undefined) cache = cacheOf(options.cache);
        const compile = async () => {
          const compiled = await compileWithBuild(build, args.path, await (fieldsLowered ??= classFieldsLowered(build)));
          if (!('errors' in compiled)) compiled.map.sources = [args.path];
          if (!('errors' in compiled)) compiled.map.sourcesContent = [code];
          return compiled;
        };
        const ignoredImports = ignoredImportsOf(args.path, code);
        const rewrite = (compiled: { code: string; map: SourceMapV3 } | null): string | null => {
          // The compiled JavaScript is part of the key: the same TypeScript compiles otherwise under another tsconfig.
          const content = compiled === null ? code : `${code}\n\0${compiled.code}`;
          return throughCache(cache!, `esbuild ended ${specifier}${ignoredKey(ignoredImports)}`, args.path, content, () => {
            const out = rewriteWithRuntime(specifier, (module) => {
              const runtime = { kind: 'import', specifier: module } as const;
              const commonjsRuntime = { kind: 'require', specifier: module } as const;
              return compiled !== null
                ? transformStripped(code, compiled, args.path, { runtime, commonjsRuntime, marksEnd: true, ignoredImports })
                : transform(code, { filename: args.path, runtime, commonjsRuntime, marksEnd: true, ignoredImports });
            });
            return !out.changed && compiled === null ? null : withInlineMap(out.code, out.map);
          });
        };
        let contents: string | null;
        if (needsCompiling(args.path, build.initialOptions.loader)) {
          const compiled = await compile();
          if ('errors' in compiled) return { errors: compiled.errors };
          contents = rewrite(compiled);
        } else {
          try {
            contents = rewrite(null);
          } catch (error) {
            // JavaScript with decorators (or `accessor` fields), which the build's esbuild takes and
            // the rewrite's parser does not: compiled by the build first, decorators lowered, as a
            // TypeScript file is (the build stopped at the first `@`, where the plain build lowers them).
            if (!(error instanceof SyntaxError) || !/@|\baccessor\b/.test(code)) throw error;
            const compiled = await compile();
            if ('errors' in compiled) throw error;
            contents = rewrite(compiled);
          }
        }
        return contents === null ? undefined : { contents, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}
