// TypeScript in, rewritten JavaScript out: esbuild strips the types, then the transform
// runs and the two source maps are composed. Node only (esbuild's native binary).
//
// esbuild is an optional peer dependency: only the Node loader and CLI need it, to run
// `.ts` files (Node 20 strips no types itself; Node's own stripping, on by default from
// 22.18, refuses enums, namespaces with code and parameter properties). Bundler users
// have their own: Vite strips the types before the plugin sees the code, and the esbuild
// plugin runs inside esbuild. Missing, it is named with the command that installs it.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import { children, is, memberName, type Node } from './ast.js';
import { parse } from './parse.js';
import { hasIgnorePragma } from './pragma.js';
import { composeMaps, type SourceMapV3 } from './sourcemap.js';
import { transform, type TransformOptions, type TransformResult } from './transform.js';
import { effectiveTarget, hasModuleSyntax, tsconfigAt, tscDefaultTarget, tscEsModuleInterop, tscRequiresDynamicImports, tscStrictScripts } from './tsconfig.js';

/** Options of {@link transformTs}. */
export interface TransformTsOptions extends Omit<TransformOptions, 'filename' | 'sourceType'> {
  /** Convert ES module syntax to CommonJS while stripping types (for `.cts`). */
  format?: 'esm' | 'cjs';
  /**
   * Path of the tsconfig.json whose compilerOptions the stripping follows (`extends` too),
   * as esbuild reads them: `useDefineForClassFields` and the `target` it defaults from,
   * `experimentalDecorators`, `alwaysStrict`, JSX. Default: none (esbuild's defaults).
   */
  tsconfig?: string;
}

/**
 * Strip TypeScript with esbuild, then {@link transform} (unless the TypeScript
 * starts with `@zygote-ignore`). The returned map is composed, so it points at
 * the TypeScript source lines.
 *
 * @example
 * ```ts
 * import { transformTs } from 'zygote-ts/transform';
 * const out = transformTs('export const sq = (x: number): number => x * x;', 'sq.ts');
 * out.code; // '… export const sq = (x) => (typeof x === "number" ? x * x : __zy.mul(x, x)); …'
 * ```
 */
export function transformTs(code: string, filename: string, options: TransformTsOptions = {}): TransformResult {
  return transformStripped(code, stripTs(code, filename, options.format, options.tsconfig), filename, options);
}

/**
 * {@link transformTs} for TypeScript already stripped (`stripped`: its JavaScript, with a
 * map to `code`). The esbuild plugin strips with the build's own esbuild, which reads the
 * file's tsconfig.json, then rewrites here.
 */
export function transformStripped(code: string, stripped: { code: string; map: SourceMapV3 | null }, filename: string, options: TransformTsOptions = {}): TransformResult {
  const jsMap = stripped.map;
  // `@zygote-ignore` is looked for in the TypeScript: stripping drops the comments.
  const out = hasIgnorePragma(code)
    ? null
    : transform(stripped.code, { ...options, filename, sourceType: options.format === 'cjs' ? 'script' : 'auto' });
  if (out === null || !out.changed) return { code: stripped.code, map: options.sourceMap === false ? null : jsMap, changed: false };
  return { ...out, map: out.map && jsMap ? composeMaps(out.map, jsMap) : null };
}

/**
 * Strip TypeScript syntax only (no rewrite), with a source map to the .ts file.
 *
 * @example
 * ```ts
 * import { stripTs } from 'zygote-ts/transform';
 * stripTs('const n: number = 1;', 'n.ts').code; // 'const n = 1;\n'
 * ```
 */
export function stripTs(code: string, filename: string, format?: 'esm' | 'cjs', tsconfig?: string): TransformResult {
  const loader = filename.endsWith('.tsx') ? 'tsx' : 'ts';
  // CommonJS output goes through a build, whose metafile says whether the file has ES module syntax.
  const stripped = tsconfig === undefined && format !== 'cjs'
    ? esbuild(filename).transformSync(code, { loader, sourcefile: filename, sourcemap: 'external', supported: DECORATORS_KEPT })
    : stripUnder(code, filename, loader, format, tsconfig);
  let map = JSON.parse(stripped.map) as SourceMapV3;
  map.sources = [filename];
  map.sourcesContent = [code];
  // (`accessor` fields too: the first pass keeps them with the decorators, also where it lowers `experimentalDecorators` ones)
  const lowered = /@|\baccessor\b/.test(code) ? lowerDecorators(stripped.code, filename) : null;
  if (lowered !== null) map = composeMaps(lowered.map, map);
  const out = { code: lowered?.code ?? stripped.code, map, changed: true };
  const strict = isTypeScriptModule(code, filename, 'esmSyntax' in stripped && stripped.esmSyntax) || (tsconfig !== undefined && tscStrictScripts(tsconfigAt(tsconfig)));
  return format === 'cjs' && strict ? strictCommonJs(out) : out;
}

/**
 * An ES module's JavaScript as CommonJS (esbuild's conversion; its map points at `code`), for
 * a host that runs CommonJS only and cannot `require` an ES module: Jest without
 * `--experimental-vm-modules`, on Node before 24.9. `import.meta.url` keeps naming the file
 * (esbuild empties `import.meta` in CommonJS output: zygote-ts's own modules read it).
 */
export function esModuleAsCommonJs(code: string, filename: string): TransformResult {
  const out = esbuild(filename).transformSync(code, {
    loader: filename.endsWith('.jsx') ? 'jsx' : 'js', format: 'cjs', sourcefile: filename, sourcemap: 'external', supported: LOWERED, logLevel: 'silent',
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(filename).href) },
  });
  const map = JSON.parse(out.map) as SourceMapV3;
  map.sources = [filename];
  map.sourcesContent = [code];
  return { code: out.code, map, changed: true };
}

/**
 * The names a TypeScript file exports: with ES module syntax, as esbuild reads them (`default`
 * among them), and the specifiers of its `export * from …` (whose names it cannot know); without
 * it (`exports.k = …`, `export =`), those Node's reading of `tsc`'s output finds
 * ({@link commonJsExportNames}; `commonjs`: without tsc's `__esModule`), or null where it finds none.
 */
export function exportNames(code: string, filename: string): { names: string[]; reexports: string[]; commonjs?: true } | null {
  const loader = filename.endsWith('.tsx') ? 'tsx' : 'ts';
  const out = esbuild(filename).buildSync({ stdin: { contents: code, sourcefile: filename, loader }, write: false, outfile: `${filename}.js`, format: 'esm', metafile: true, supported: LOWERED, logLevel: 'silent' });
  if (!Object.values(out.metafile.inputs).some((input) => input.format === 'esm')) {
    const own = commonJsExportNames(esbuild(filename).transformSync(code, { loader, supported: LOWERED, logLevel: 'silent' }).code);
    // (tsc marks a module's exports `__esModule`, `import … = require(…)`'s too, but not `export =`'s, which are the value itself)
    return own !== null && hasModuleSyntax(code) && !/^export\s*=/m.test(code) ? { names: own.names, reexports: own.reexports } : own;
  }
  // esbuild prints each as `export * from "…";` on a line of its own.
  const reexports = [...out.outputFiles[0]!.text.matchAll(/^export \* from ("(?:[^"\\\n]|\\.)*");$/gm)].map((m) => JSON.parse(m[1]!) as string);
  return { names: Object.values(out.metafile.outputs).flatMap((output) => output.exports), reexports };
}

/**
 * The names Node gives an `import` of the CommonJS JavaScript `js` (types stripped, as `tsc`
 * emits it), as its lexer (cjs-module-lexer) finds them in the text, and the specifiers it
 * re-exports whole (`module.exports = require('./x')`); null for none. Node reads them from the
 * file it is given, here the TypeScript, where `export = { k, sq }` is no CommonJS it knows, and
 * `import scale = require(…)` stops its lexer: `import * as lib` had no `lib.k`, and `x * lib.k`
 * was NaN, silently, where the `tsc` build's namespace has it.
 */
export function commonJsExportNames(js: string): { names: string[]; reexports: string[]; commonjs: true } | null {
  const names = new Set<string>();
  const reexports: string[] = [];
  const isExports = (node: Node): boolean =>
    is(node, 'Identifier') ? node.name === 'exports' : is(node, 'MemberExpression') && is(node.object, 'Identifier') && node.object.name === 'module' && memberName(node) === 'exports';
  const required = (node: Node): string | null =>
    is(node, 'CallExpression') && is(node.callee, 'Identifier') && node.callee.name === 'require' && is(node.arguments[0], 'Literal') && typeof node.arguments[0].value === 'string' ? node.arguments[0].value : null;
  const visit = (node: Node): void => {
    if (is(node, 'AssignmentExpression') && node.operator === '=' && is(node.left, 'MemberExpression')) {
      const name = memberName(node.left);
      if (isExports(node.left.object) && name !== null) names.add(name);
      else if (isExports(node.left)) {
        const whole = required(node.right);
        if (whole !== null) reexports.push(whole);
        // (the lexer's object form: keys whose values are names, up to the first that is not)
        if (is(node.right, 'ObjectExpression')) {
          for (const p of node.right.properties) {
            if (is(p, 'SpreadElement')) continue;
            const key = p.computed ? null : is(p.key, 'Identifier') ? p.key.name : is(p.key, 'Literal') && typeof p.key.value === 'string' ? p.key.value : null;
            if (key === null || p.kind !== 'init' || p.method || !is(p.value, 'Identifier')) break;
            names.add(key);
          }
        }
      }
    } else if (is(node, 'CallExpression') && is(node.callee, 'MemberExpression') && is(node.callee.object, 'Identifier') && node.callee.object.name === 'Object' && memberName(node.callee) === 'defineProperty' && node.arguments[0] && isExports(node.arguments[0] as Node) && is(node.arguments[1], 'Literal') && typeof node.arguments[1].value === 'string') {
      names.add(node.arguments[1].value);
    }
    for (const child of children(node)) visit(child);
  };
  visit(parse(js).ast as Node);
  return names.size === 0 && reexports.length === 0 ? null : { names: [...names], reexports, commonjs: true };
}

/**
 * JavaScript `code` with its decorators (and `using` declarations) lowered by esbuild, with a map
 * to `code`, for a bundler whose own TypeScript transform keeps standard decorators: Vite 8's
 * Oxc lowers only `experimentalDecorators` ones, and the rewrite's parser reads none. Null
 * where esbuild is not installed.
 */
export function lowerDecorators(code: string, filename: string): { code: string; map: SourceMapV3 } | null {
  try {
    esbuild(filename);
  } catch (error) {
    if ((error as Error).message === ESBUILD_MISSING) return null;
    throw error;
  }
  const out = esbuild(filename).transformSync(code, { loader: 'js', sourcefile: filename, sourcemap: 'external', supported: LOWERED, logLevel: 'silent' });
  const map = JSON.parse(out.map) as SourceMapV3;
  map.sources = [filename];
  map.sourcesContent = [code];
  return { code: out.code, map };
}

/**
 * Syntax `tsc` lowers (for any `target` it has) that Node 20 cannot run: decorators (TS 5's
 * standard ones, with `accessor` fields) and `using` declarations. Kept, the rewrite's parser
 * stopped at `@` and Node at `using`.
 */
export const LOWERED = { decorators: false, using: false };

/**
 * What the TypeScript pass lowers: TypeScript 5 decorators are kept there and lowered from its
 * JavaScript ({@link lowerDecorators}), where parameter properties are constructor statements.
 * Lowered with the TypeScript, a decorated class's fields were moved after the parameter
 * properties' assignments, where `tsc` (native class fields) runs them first: `later =
 * this.compute()` beside `constructor(public pp = 5)` and `@dec m() {}` gave 10 where the
 * `tsc` build gives NaN, silently. (`experimentalDecorators` ones are lowered by the first pass.)
 */
const DECORATORS_KEPT = { ...LOWERED, decorators: true };

/**
 * Whether `tsc` compiles the file as a module, which its CommonJS output runs as strict code
 * (`"use strict"` first) whatever the tsconfig says: a `.cts`/`.mts` file, or one with import or
 * export syntax — also type-only (`import type`, `export interface`), TypeScript's
 * `import x = require(…)` and `export =`, and beside `module.exports` (where esbuild's metafile
 * says CommonJS): a statement that starts a line with `import` or `export`. esbuild's CommonJS
 * output of such a file is sloppy code unless the tsconfig asks for `alwaysStrict`: there a
 * function's `this` was the global object and `arguments[0] = …` changed its parameter — other
 * values and gradients than the `tsc` build, silently. (Indented: a namespace's members, or a
 * `declare module`'s, which make no module.)
 */
function isTypeScriptModule(code: string, filename: string, esmSyntax: boolean): boolean {
  return esmSyntax || /\.[cm]ts$/.test(filename) || hasModuleSyntax(code);
}

/** `"use strict";` on a line of its own first (after a hashbang), unless the code starts with it; the map follows. */
function strictCommonJs(out: TransformResult & { map: SourceMapV3 }): TransformResult {
  const hashbang = /^#!.*\n/.exec(out.code)?.[0] ?? '';
  if (/^\s*(["'])use strict\1/.test(out.code.slice(hashbang.length))) return out;
  const lines = out.map.mappings.split(';');
  lines.splice(hashbang === '' ? 0 : 1, 0, '');
  return { ...out, code: `${hashbang}"use strict";\n${out.code.slice(hashbang.length)}`, map: { ...out.map, mappings: lines.join(';') } };
}

/**
 * Strip under a tsconfig.json (or none): the transform API takes no tsconfig file (nor
 * follows its `extends`), a one-file build of the code does (nothing bundled, nothing
 * lowered but {@link LOWERED}). Its metafile tells whether the file has ES module syntax.
 */
function stripUnder(code: string, filename: string, loader: 'ts' | 'tsx', format: 'esm' | 'cjs' | undefined, tsconfig: string | undefined): { code: string; map: string; esmSyntax: boolean } {
  let out: Esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    out = buildOne(code, filename, loader, format, tsconfig);
    // A module's top-level `this` is `undefined` to esbuild, even in CommonJS output; tsc's
    // CommonJS output keeps it, and Node runs it as the module's exports (`this.k` is the
    // export k). Built again with it as the exports esbuild's output gives importers.
    if (format === 'cjs' && /\bthis\b/.test(code) && isEsmSyntax(out)) out = buildOne(code, filename, loader, format, tsconfig, { this: 'module.exports' });
  } catch (error) {
    // (esbuild's failures only: a missing esbuild is said as it is)
    const failed = Array.isArray((error as { errors?: unknown } | null)?.errors);
    throw format === 'cjs' && failed ? withCommonJsNote(error as Esbuild.BuildFailure) : error;
  }
  // esbuild empties `import.meta` in CommonJS with a warning: `import.meta.url` was undefined.
  const emptied = out.warnings.filter((w) => w.id === 'empty-import-meta');
  if (emptied.length > 0) throw withCommonJsNote({ errors: emptied.map((w) => ({ ...w, text: '"import.meta" is not available in CommonJS' })) });
  const text = (suffix: string): string => out.outputFiles.find((f) => f.path.endsWith(suffix))!.text;
  // (only where this build converted imports: a file that is CommonJS already — another loader's
  // output, tsx's before the loader's require hook — keeps the helper it came with and its meaning)
  const ownImports = format === 'cjs' && isEsmSyntax(out);
  const js = ownImports && tsconfig !== undefined && !tscEsModuleInterop(tsconfigAt(tsconfig)) ? withoutInterop(text('.js'), filename) : text('.js');
  return { code: js, map: text('.map'), esmSyntax: isEsmSyntax(out) };
}

/**
 * esbuild's CommonJS output importing as tsc's does without `esModuleInterop`: each import
 * reads the required exports themselves. esbuild wraps them with `esModuleInterop`'s meaning
 * (`__toESM`): `import two from './two.js'` of `module.exports = 2` was 2 where tsc's build
 * reads `.default` (undefined, and `x * two` NaN), and `import * as fn` of a function was an
 * object where tsc's is the function. Its helper becomes the identity (on the same line: the
 * map still holds).
 */
function withoutInterop(code: string, filename: string): string {
  if (!code.includes('__toESM(')) return code;
  const helper = /^var __toESM = /m;
  // (esbuild's helper changed: stop rather than import otherwise than tsc)
  if (!helper.test(code)) throw new Error(`zygote-ts: cannot compile ${filename} without esModuleInterop as tsc does: esbuild's __toESM helper was not found`);
  return code.replace(helper, 'var __toESM = (mod) => mod, __toESMWithInterop = ');
}

/** Whether a {@link buildOne}'s file has ES module syntax, as its metafile says. */
function isEsmSyntax(out: Esbuild.BuildResult<{ metafile: true }>): boolean {
  return Object.values(out.metafile.inputs).some((input) => input.format === 'esm');
}

/**
 * What only an ES module can have (top-level await, `import.meta`) in a file compiled as
 * CommonJS: `tsc` refuses it too; the note says why the file is CommonJS and what to change.
 */
function withCommonJsNote<T extends { errors: Esbuild.Message[] }>(failure: T): T {
  const note =
    'This file is compiled to CommonJS, as tsc compiles it: a .cts file, a .ts file loaded by require, or one under a tsconfig.json ' +
    'whose "module" is "commonjs" (or "node16"/"nodenext" outside a package.json with "type": "module"; ' +
    'or, with TypeScript 5 installed, that sets neither "module" nor a "target" after ES5, for which tsc 5 compiles to CommonJS). ' +
    'Make it an ES module to use this: a .mts file, "type": "module" in package.json, or "module": "esnext".';
  for (const message of failure.errors) {
    if (message.text.includes('CommonJS') || message.text.includes('"cjs" output format')) message.notes = [{ text: note, location: null }];
  }
  return failure;
}

/** A one-file build of `code`: see {@link stripUnder}. */
function buildOne(code: string, filename: string, loader: 'ts' | 'tsx', format: 'esm' | 'cjs' | undefined, tsconfig: string | undefined, define?: Record<string, string>) {
  return esbuild(filename).buildSync({
    ...(define === undefined ? {} : { define }),
    stdin: { contents: code, sourcefile: filename, resolveDir: filename.slice(0, Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\'))), loader },
    ...(tsconfig === undefined ? {} : tsconfigOption(tsconfig)),
    write: false,
    outfile: `${filename}.js`, // never written: names the output of a build with write: false
    sourcemap: 'external',
    metafile: true,
    supported: tsconfig === undefined ? DECORATORS_KEPT : { ...DECORATORS_KEPT, ...classFieldsLowered(tsconfig), ...(format === 'cjs' ? dynamicImportLowered(tsconfig) : {}) },
    logLevel: 'silent',
    ...(format === 'cjs' ? { format: 'cjs' as const } : {}),
  });
}

/**
 * esbuild's reading of the tsconfig.json at `path`, with tsc's default `target` where it and
 * what it extends set none. esbuild derives `useDefineForClassFields` from that target alone,
 * and without one took the define semantics of ES2022, where tsc's default target (ES5)
 * assigns class fields: a field declared `k!: number`, written by the base constructor's
 * init(), was reset to undefined after super() — other values and gradients than the `tsc`
 * build, silently. An explicit `useDefineForClassFields` still wins, as in tsc.
 */
function tsconfigOption(path: string): { tsconfig: string } | { tsconfigRaw: string } {
  const config = tsconfigAt(path);
  if (config.target !== undefined || !config.readable) return { tsconfig: path };
  return { tsconfigRaw: JSON.stringify({ extends: path, compilerOptions: { target: tscDefaultTarget(config) } }) };
}

/**
 * Class fields lowered to definitions in the constructor where the tsconfig's target (tsc's
 * default where none is set) is before ES2022, as tsc lowers them: a field that reads a
 * parameter property (`b = this.a * 2` beside `constructor(public a: number)`) then runs after
 * it. Kept as class fields, under `useDefineForClassFields: true` (an explicit one: the
 * default before ES2022 assigns, and assigned fields are moved into the constructor anyway),
 * they ran first and read undefined: NaN, silently, where the `tsc` build gives a number.
 */
function classFieldsLowered(path: string): Record<string, boolean> {
  const config = tsconfigAt(path);
  const target = effectiveTarget(config);
  const native = target === 'esnext' || (/^es(\d{4})$/.exec(target)?.[1] ?? '0') >= '2022';
  return native || !config.readable ? {} : { 'class-field': false, 'class-static-field': false };
}

/**
 * `import(…)` lowered to `Promise.resolve().then(() => require(…))` in CommonJS output where tsc
 * lowers it so (`module` `commonjs`, not `node16`…`nodenext`), through the same import helper
 * as a static import (see {@link withoutInterop}). Kept, Node's own import gave another
 * namespace: `(await import('./scale.js')).default` of tsc output (`exports.default = 2`) was
 * the whole exports object, and 1.5 times it NaN, where the `tsc` build gives 3.
 */
function dynamicImportLowered(path: string): Record<string, boolean> {
  const config = tsconfigAt(path);
  return config.readable && tscRequiresDynamicImports(config) ? { 'dynamic-import': false } : {};
}

let esbuildModule: typeof Esbuild | undefined;

/** Stripping TypeScript needs esbuild, and it is not installed. */
export const ESBUILD_MISSING =
  'zygote-ts: running TypeScript needs esbuild to strip the types, and it is not installed ' +
  '(Node 20 strips none itself). Install it beside zygote-ts: npm install --save-dev esbuild';

/**
 * esbuild, loaded on first use: code that only needs `transformFunctionSource`
 * (the gradient API, possibly bundled for a browser) must not pull in esbuild's
 * native binary, so it is not a static import. Missing, the error names the file that
 * needed it and nothing else (its cause and our frames would only bury the fix).
 */
function esbuild(filename: string): typeof Esbuild {
  if (esbuildModule === undefined) {
    try {
      esbuildModule = createRequire(import.meta.url)('esbuild') as typeof Esbuild;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw error;
      const missing = new Error(ESBUILD_MISSING);
      missing.stack = `Error: ${ESBUILD_MISSING}\n    at ${filename}`;
      throw missing;
    }
  }
  return esbuildModule;
}

