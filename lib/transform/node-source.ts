/**
 * What the Node loader compiles for one file: the filter (which files are
 * rewritten), the cache (cache.ts) and the transform, shared by the ESM hooks
 * (node-hooks.ts) and the `require` hook (cjs-hook.ts). A file that cannot be
 * compiled stops the load as a compiler would stop it (load-errors.ts).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { throughCache, type TransformCache } from './cache.js';
import { dirname, resolve } from 'node:path';
import { type FileFilter, isFile, isTypeScriptFile, nodeModulesPackage, RUNTIME_PATH, shouldRewrite, typeScriptCandidates } from './filter.js';
import type * as Transform from './index.js';
import type * as TypeScript from './typescript.js';
import { loadFailure } from './load-errors.js';
import { ignoredImportsOf, ignoredKey } from './ignored-imports.js';
import { withInlineMap } from './sourcemap.js';
import { nearestTsconfig, type TsConfig, typeScriptFormat } from './tsconfig.js';

// (not `import … from 'node:fs'`: see cache.ts)
const { readFileSync } = process.getBuiltinModule('node:fs');

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

/**
 * Whether a file is being compiled. A module loaded meanwhile is the loader's own (the transform
 * and acorn, loaded on the first file; esbuild, on the first TypeScript file), which is loaded as
 * it is: with Node's in-thread hooks (22.15 and later) they pass through these hooks too, and
 * under ZYGOTE_INCLUDE='*' acorn was sent to the transform that was loading it, which was not
 * there yet ("transformer(...).transform is not a function": no program ran).
 */
let compiling = false;

/** `run()`, compiling the file at `path` (source `code`); a failure stops the load saying where and why. */
function guarded<T>(path: string, code: string, run: () => T): T {
  const outer = compiling;
  compiling = true;
  try {
    return run();
  } catch (error) {
    throw loadFailure(path, code, isTypeScriptFile(path), error);
  } finally {
    compiling = outer;
  }
}

/** What a TypeScript file's compilation depends on besides its text: its tsconfig.json's path, and its text and that of what it extends. */
export function tsconfigKey(tsconfig: TsConfig | null): string {
  return `${tsconfig?.path}\0${tsconfig?.key}`;
}

/**
 * The TypeScript file at `path` (source `code`) stripped under its `tsconfig` and rewritten
 * with `rewrite`'s bindings of the runtime, or only stripped (`rewrite` null: a package not
 * included), as ESM or as CommonJS (`format` 'cjs'); its map points at the TypeScript. The
 * loader's hooks and the Jest transformer (jest.ts) compile TypeScript so.
 */
export function compiledTypeScript(
  path: string,
  code: string,
  tsconfig: TsConfig | null,
  rewrite: Pick<Transform.TransformTsOptions, 'runtime' | 'commonjsRuntime' | 'ignoredImports'> | null,
  format?: 'cjs',
): Transform.TransformResult {
  return guarded(path, code, () =>
    rewrite !== null
      ? transformer().transformTs(code, path, { ...rewrite, format, tsconfig: tsconfig?.path })
      : transformer().stripTs(code, path, format, tsconfig?.path),
  );
}

/**
 * Source for an ES module (`.js`/`.mjs` JavaScript, or TypeScript), or null to
 * load the file as it is. Rewritten modules import `__zy` from the runtime's
 * absolute URL, so all files share one runtime instance.
 */
export function moduleSource(path: string, code: string, filter: FileFilter, cache: TransformCache | null): string | null {
  if (compiling && !isTypeScriptFile(path)) return null; // (the loader's own: see `compiling`)
  const rewrite = shouldRewrite(path, filter);
  const runtime = { kind: 'import', specifier: RUNTIME_URL } as const;
  const ignoredImports = rewrite ? ignoredImportsOf(path, code) : new Set<string>();
  if (isTypeScriptFile(path)) {
    const tsconfig = nearestTsconfig(path);
    return throughCache(cache, `${rewrite ? `ts-esm ${RUNTIME_URL}` : 'strip-esm'}\0${tsconfigKey(tsconfig)}${ignoredKey(ignoredImports)}`, path, code, () => {
      const out = compiledTypeScript(path, code, tsconfig, rewrite ? { runtime, ignoredImports } : null);
      return withInlineMap(out.code, out.map);
    });
  }
  if (!rewrite) return null;
  return throughCache(cache, `esm ${RUNTIME_URL}${ignoredKey(ignoredImports)}`, path, code, () =>
    guarded(path, code, () => {
      const out = transformer().transform(code, { filename: path, runtime, sourceType: 'module', sourceMap: mapped(path), ignoredImports });
      return out.changed ? withInlineMap(out.code, out.map) : null;
    }),
  );
}

/**
 * An ES module standing for the CommonJS TypeScript file at `path` where an `import` reaches
 * it, or null for Node's own reading (a file without ES module syntax). Node gives such an
 * import the names it finds in the file's text, the TypeScript, which exports with `export`,
 * not `exports.k = …`: none, so `import * as lib` (or `await import(…)`) had no `lib.k` and
 * `x * lib.k` was NaN, silently, where the `tsc` build's namespace has it. This one requires the
 * file (Node's CommonJS loader, as before: one instance, the require hook rewrites it) and
 * exports what `tsc`'s output gives an import: the whole `module.exports` as default, and each
 * name read from it once it has run, `__esModule` too. The entry point (`isMain`) has one too:
 * an ES module that imports it (`import * as main from './main.js'`, as tsc's build gives it
 * its names) had none, and `x * main.k` was NaN.
 */
export function commonJsFacade(path: string, code: string, cache: TransformCache | null, isMain = false): string | null {
  let own: Exported | null;
  try {
    own = exportedBy(path, code, cache);
  } catch (error) {
    // An entry that does not compile: Node's own load reports it, from the require hook in
    // the main thread, as it reported it before the entry had a facade.
    if (isMain) return null;
    throw error;
  }
  if (own === null) return null;
  const reexported = { names: new Set<string>(), others: new Set<string>() };
  collectReexports(path, own, cache, new Set([path]), reexported);
  // (tsc marks the exports of a file with ES module syntax `__esModule`; an `export =` file's are its own)
  const names = [...(own.commonjs ? [] : ['__esModule']), ...[...reexported.names].filter((name) => name !== 'default' && (own.commonjs || name !== '__esModule'))];
  return [
    "import Module, { createRequire } from 'node:module';",
    // The entry point: loaded as Node loads a CommonJS entry, which sets require.main.
    `const exports = ${isMain ? 'Module._load' : 'createRequire(import.meta.url)'}(${JSON.stringify(path)}${isMain ? ', null, true' : ''});`,
    'export default exports;',
    ...names.map((name, i) => `const $${i} = exports[${JSON.stringify(name)}];`),
    `export { ${names.map((name, i) => `$${i} as ${JSON.stringify(name)}`).join(', ')} };`,
    // (the same instances the require above reaches: Node reads their names as for any import)
    ...[...reexported.others].map((file) => `export * from ${JSON.stringify(pathToFileURL(file).href)};`),
  ].join('\n');
}

type Exported = { names: string[]; reexports: string[]; commonjs?: true };

/** What the TypeScript file at `path` exports (typescript.ts `exportNames`), through the cache (each file by its own content). */
function exportedBy(path: string, code: string, cache: TransformCache | null): Exported | null {
  const listed = throughCache(cache, 'cjs-export-names', path, code, () =>
    guarded(path, code, () => {
      const exported = (createRequire(import.meta.url)('./typescript.js') as typeof TypeScript).exportNames(code, path);
      return exported === null ? null : JSON.stringify(exported);
    }),
  );
  return listed === null ? null : (JSON.parse(listed) as Exported);
}

/**
 * Adds to `into` `own`'s names and those of the CommonJS TypeScript files it re-exports
 * (`export * from './math.js'`, a barrel's), as tsc's `__exportStar` and Node's reading of its
 * output give them: without them, `import * as pkg` of a barrel had no `pkg.scale`. A re-export
 * of anything else (JavaScript, a package) is the file `require` finds for it, whose names
 * Node reads itself: the facade re-exports it (it had no `pkg.scale` either).
 */
function collectReexports(path: string, own: Exported, cache: TransformCache | null, seen: Set<string>, into: { names: Set<string>; others: Set<string> }): void {
  for (const name of own.names) into.names.add(name); // (`default` is the facade's own: the whole exports)
  for (const specifier of own.reexports) {
    // (as the loader resolves an import: the file named, else the TypeScript it means)
    const target = specifier.startsWith('.')
      ? [specifier, ...typeScriptCandidates(specifier)].map((candidate) => resolve(dirname(path), candidate)).find((file) => isTypeScriptFile(file) && isFile(file))
      : undefined;
    if (target === undefined) {
      const required = requiredFile(path, specifier);
      if (required !== null && !isTypeScriptFile(required)) into.others.add(required);
      continue;
    }
    if (seen.has(target) || typeScriptFormat(target) !== 'commonjs') continue;
    seen.add(target);
    const exported = exportedBy(target, readFileSync(target, 'utf8'), cache);
    if (exported !== null) collectReexports(target, exported, cache, seen, into);
  }
}

/** The file `require(specifier)` loads from the file at `path` (a built-in or nothing found: null). */
function requiredFile(path: string, specifier: string): string | null {
  try {
    const file = createRequire(path).resolve(specifier);
    return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) ? file : null;
  } catch {
    return null;
  }
}

/**
 * Source for a file compiled by `Module.prototype._compile` (CommonJS, and ES
 * modules loaded by `require` in Node ≥ 20.19, which passes `format`), or
 * null to compile it as it is. The runtime is read from its global (a
 * CommonJS module cannot `import`).
 */
export function requiredSource(path: string, code: string, filter: FileFilter, cache: TransformCache | null, format?: string): string | null {
  if (compiling && !isTypeScriptFile(path)) return null; // (the loader's own: see `compiling`)
  const rewrite = shouldRewrite(path, filter);
  const runtime = { kind: 'global' } as const;
  const ignoredImports = rewrite ? ignoredImportsOf(path, code) : new Set<string>();
  if (isTypeScriptFile(path)) {
    const tsconfig = nearestTsconfig(path);
    return throughCache(cache, `${rewrite ? 'ts-cjs' : 'strip-cjs'}\0${tsconfigKey(tsconfig)}${ignoredKey(ignoredImports)}`, path, code, () => {
      const out = compiledTypeScript(path, code, tsconfig, rewrite ? { runtime, ignoredImports } : null, 'cjs');
      return withInlineMap(out.code, out.map);
    });
  }
  if (!rewrite) return null;
  return throughCache(cache, `require-${format ?? 'auto'}${ignoredKey(ignoredImports)}`, path, code, () =>
    guarded(path, code, () => {
      const out = transformRequired(code, path, format, ignoredImports);
      return out.changed ? withInlineMap(out.code, out.map) : null;
    }),
  );
}

function transformRequired(code: string, filename: string, format: string | undefined, ignoredImports: ReadonlySet<string>): Transform.TransformResult {
  const { transform } = transformer();
  const options = { filename, runtime: { kind: 'global' }, commonjsRuntime: { kind: 'global' }, sourceMap: mapped(filename), ignoredImports } as const;
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
