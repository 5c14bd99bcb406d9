/**
 * What the loader reads from a TypeScript file's surroundings, as `tsc` and Node read it:
 * the nearest tsconfig.json (its compilerOptions change what the file means, and its text
 * keys the file's cache entry), and whether the file is an ES module or CommonJS.
 */
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { isFile } from './filter.js';

// (not `import … from 'node:fs'`: see cache.ts)
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');

/** The tsconfig.json a TypeScript file is compiled under. */
export interface TsConfig {
  path: string;
  /** Its text and that of the files it `extends`, also from a package (a change to any of them must miss the cache). */
  key: string;
  /** Its `compilerOptions.module`, lower case, its own or from what it extends; undefined when none sets it. */
  module: string | undefined;
  /** Its `compilerOptions.target`, lower case, likewise. */
  target: string | undefined;
  /** Its `compilerOptions.esModuleInterop`, `alwaysStrict` and `strict`, likewise. */
  esModuleInterop: boolean | undefined;
  alwaysStrict: boolean | undefined;
  strict: boolean | undefined;
  /** Its `compilerOptions.moduleDetection`, lower case, likewise. */
  moduleDetection: string | undefined;
  /** The files it compiles: its `files` (absolute paths) and `include`/`exclude` (absolute patterns), its own or inherited; undefined where none is set. */
  files: string[] | undefined;
  include: string[] | undefined;
  exclude: string[] | undefined;
  /** The tsconfig files its `references` name. */
  references: string[];
  /** Whether its text and that of the files it extends parse (one that does not decides nothing; esbuild reports it). */
  readable: boolean;
  /**
   * The major version of the TypeScript installed where it is (whose `tsc` it is written
   * for, and whose defaults apply where it sets no `module` or `target`), or null: none.
   */
  typescript: number | null;
}

/** The compilerOptions read here. */
type CompilerOption = 'module' | 'target' | 'esModuleInterop' | 'alwaysStrict' | 'strict' | 'moduleDetection';

const tsconfigByDir = new Map<string, TsConfig | null>();

/**
 * The tsconfig a TypeScript file at `path` is compiled under: the nearest tsconfig.json above
 * it, as `tsc` and esbuild find it (not past a `node_modules` folder: a package's files are
 * not compiled under the app's options), or, where that is a solution's root that does not
 * compile the file itself (Vite's template: `"files": []` and `"references"`), the referenced
 * config that does, as `tsc -b` compiles it. Its compilerOptions change what a TypeScript
 * file means — class fields have assign semantics under a `target` before ES2022 — so the
 * loader strips under it, as the plain `tsc` build and the esbuild plugin do. (Read from the
 * root, which sets no options, a file of a solution with `"target": "ES2022"` ran under
 * TypeScript 5's defaults, as CommonJS with assigned fields, where `tsc -b` + node define them.)
 */
export function nearestTsconfig(path: string): TsConfig | null {
  const nearest = tsconfigAbove(path);
  return nearest === null ? null : projectOf(nearest, resolve(path), 0);
}

function tsconfigAbove(path: string): TsConfig | null {
  const dir = dirname(path);
  let found = tsconfigByDir.get(dir);
  if (found !== undefined) return found;
  const file = join(dir, 'tsconfig.json');
  if (existsSync(file)) found = tsconfigAt(file);
  else found = dirname(dir) === dir || basename(dir) === 'node_modules' ? null : tsconfigAbove(dir);
  tsconfigByDir.set(dir, found);
  return found;
}

/** `config`, or the config among those it references (and theirs) that compiles the file at `path` where it does not. */
function projectOf(config: TsConfig, path: string, depth: number): TsConfig {
  if (config.references.length === 0 || compiles(config, path) || depth > 4) return config;
  for (const reference of config.references) {
    const member = projectOf(tsconfigAt(reference), path, depth + 1);
    if (compiles(member, path)) return member;
  }
  return config;
}

/** Whether `config` compiles the file at `path`: in its `files`, or matched by its `include` (by default everything under it) and not by its `exclude`. */
function compiles(config: TsConfig, path: string): boolean {
  if (!config.readable) return false;
  if (config.files?.includes(path)) return true;
  const include = config.include ?? (config.files === undefined ? [join(dirname(config.path), '**/*')] : []);
  return include.some((pattern) => globMatches(pattern, path)) && !(config.exclude ?? []).some((pattern) => globMatches(pattern, path));
}

/** Whether a tsconfig `include`/`exclude` pattern (absolute) matches `path`: `*`, `?` and `**` as tsc reads them; a last segment without wildcard or extension names a folder. */
function globMatches(pattern: string, path: string): boolean {
  const slashed = pattern.replace(/\\/g, '/');
  const last = slashed.slice(slashed.lastIndexOf('/') + 1);
  const full = /[*?]/.test(last) || /\.\w+$/.test(last) ? slashed : `${slashed}/**/*`;
  let source = '';
  for (let i = 0; i < full.length; i++) {
    if (full.startsWith('**/', i)) {
      source += '(?:[^/]+/)*';
      i += 2;
    } else if (full.startsWith('**', i)) {
      source += '.*';
      i += 1;
    } else if (full[i] === '*') source += '[^/]*';
    else if (full[i] === '?') source += '[^/]';
    else source += full[i]!.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(path.replace(/\\/g, '/'));
}

const tsconfigByFile = new Map<string, TsConfig>();

/** The tsconfig.json at `file`, read with what it extends. */
export function tsconfigAt(file: string): TsConfig {
  let found = tsconfigByFile.get(file);
  if (found === undefined) {
    const read = readConfig(file, 0);
    const typescript = typescriptMajor(dirname(file));
    // (the defaults follow the installed TypeScript: its upgrade must miss the cache too)
    found = { path: file, ...read, key: `${read.key}\0typescript ${typescript}`, typescript };
    tsconfigByFile.set(file, found);
  }
  return found;
}

/** The major version of the `typescript` package Node would find from `dir`, or null. */
function typescriptMajor(dir: string): number | null {
  for (;;) {
    const pkg = join(dir, 'node_modules', 'typescript', 'package.json');
    if (existsSync(pkg)) {
      try {
        const major = Number.parseInt(String((JSON.parse(readFileSync(pkg, 'utf8')) as { version?: unknown }).version), 10);
        return Number.isFinite(major) ? major : null;
      } catch {
        return null;
      }
    }
    if (dirname(dir) === dir) return null;
    dir = dirname(dir);
  }
}

function readConfig(file: string, depth: number): Omit<TsConfig, 'path' | 'typescript'> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { key: '', module: undefined, target: undefined, esModuleInterop: undefined, alwaysStrict: undefined, strict: undefined, moduleDetection: undefined, files: undefined, include: undefined, exclude: undefined, references: [], readable: false };
  }
  const own = ownOptions(text, dirname(file));
  // Follow `extends` (one or a list) a few levels: a relative path, or a package's config
  // (`@tsconfig/node20/tsconfig.json`), whose upgrade may change the target and so the meaning.
  // Read from the parsed text: a commented-out "extends" named a file that was not there,
  // and the config decided nothing (its class fields were defined where tsc assigns them).
  const bases = depth < 8 ? (own?.extends ?? []) : [];
  const read = bases.map((base) => readConfig(extendedConfig(file, base), depth + 1));
  // The file's own setting wins; among those it extends, the last that sets one.
  const inherited = <K extends CompilerOption | 'files' | 'include' | 'exclude'>(option: K) =>
    own?.[option] ?? read.reduce<TsConfig[K] | undefined>((found, base) => base[option] ?? found, undefined);
  // (paths in files and patterns are relative to the config that sets them; references are not inherited)
  const dir = dirname(file);
  return {
    key: [text, ...read.map((r) => r.key)].join('\0'),
    module: inherited('module'),
    target: inherited('target'),
    esModuleInterop: inherited('esModuleInterop'),
    alwaysStrict: inherited('alwaysStrict'),
    strict: inherited('strict'),
    moduleDetection: inherited('moduleDetection'),
    files: inherited('files'),
    include: inherited('include'),
    exclude: inherited('exclude'),
    references: (own?.references ?? []).map((reference) => referencedConfig(dir, reference)),
    readable: own !== null && read.every((r) => r.readable),
  };
}

/**
 * `compilerOptions.module` and `target` of a tsconfig's text (JSON with comments and trailing
 * commas), lower case, its boolean options read here, and what it `extends`; null when it does not parse.
 */
function ownOptions(
  text: string,
  dir: string,
): Pick<TsConfig, CompilerOption | 'files' | 'include' | 'exclude'> & { extends: string[]; references: string[] } | null {
  // Comments and trailing commas out; strings (`"src/**/*"`) kept as they are.
  const json = text
    .replace(/("(?:[^"\\\n]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, string: string | undefined) => string ?? '')
    .replace(/("(?:[^"\\\n]|\\.)*")|,(?=\s*[}\]])/g, (_, string: string | undefined) => string ?? '');
  let config: { compilerOptions?: Partial<Record<CompilerOption, unknown>>; extends?: unknown; files?: unknown; include?: unknown; exclude?: unknown; references?: unknown } | null;
  try {
    config = JSON.parse(json) as typeof config;
  } catch {
    return null; // (not JSON: esbuild reports it when it strips under the file)
  }
  const lower = (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : undefined);
  const bases = [config?.extends].flat().filter((base): base is string => typeof base === 'string');
  const flag = (option: 'esModuleInterop' | 'alwaysStrict' | 'strict') => {
    const value = config?.compilerOptions?.[option];
    return typeof value === 'boolean' ? value : undefined;
  };
  const paths = (value: unknown) => (Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string').map((p) => resolve(dir, p)) : undefined);
  const references = Array.isArray(config?.references) ? (config.references as { path?: unknown }[]).map((r) => r?.path).filter((p): p is string => typeof p === 'string') : [];
  return {
    module: lower(config?.compilerOptions?.module),
    target: lower(config?.compilerOptions?.target),
    esModuleInterop: flag('esModuleInterop'),
    alwaysStrict: flag('alwaysStrict'),
    strict: flag('strict'),
    moduleDetection: lower(config?.compilerOptions?.moduleDetection),
    files: paths(config?.files),
    include: paths(config?.include),
    exclude: paths(config?.exclude),
    extends: bases,
    references,
  };
}

/**
 * The `target` tsc compiles for under a tsconfig that sets none: what a `module` of
 * `node16`…`nodenext` implies; else ES5 for TypeScript 5 and before, the latest for
 * TypeScript 6 and after (ES2025 in 6.0: native class fields, as ESNext has them), and
 * with no TypeScript installed what Node's own type stripping runs (native class fields).
 */
export function tscDefaultTarget(config: TsConfig): string {
  const { module } = config;
  if (module === 'node16' || module === 'node18') return 'es2022';
  if (module === 'node20') return 'es2023';
  if (module === 'nodenext') return 'esnext';
  return config.typescript !== null && config.typescript < 6 ? 'es5' : 'esnext';
}

/** The `target` tsc compiles for under `config`: its own (ES3, which tsc no longer has, as none), else {@link tscDefaultTarget}. */
export function effectiveTarget(config: TsConfig): string {
  return config.target === undefined || config.target === 'es3' ? tscDefaultTarget(config) : config.target;
}

/**
 * The module system of tsc's output under `config`: its `module` (UMD runs as CommonJS in
 * Node), else (none set) TypeScript 5's default — CommonJS for a target of ES5 or ES3, the
 * default target, ES modules for a later one — or ES modules, TypeScript 6's default
 * (`esnext`), and without TypeScript as Node's own type stripping runs a file with `import`.
 * Undefined for a tsconfig that does not parse.
 */
function emittedModule(config: TsConfig): string | undefined {
  if (!config.readable) return undefined;
  if (config.module !== undefined) return config.module === 'umd' ? 'commonjs' : config.module;
  if (config.typescript === null || config.typescript >= 6) return 'esnext';
  return effectiveTarget(config) === 'es5' ? 'commonjs' : 'es2015';
}

/**
 * Whether tsc's CommonJS output under `config` imports CommonJS with `esModuleInterop`'s
 * helpers: always under TypeScript 7 (which removed `false`), else its own setting, else
 * TypeScript 5's default — on for a `module` of `node16`…`nodenext` or `preserve`, off
 * otherwise — or TypeScript 6's (on), as also without TypeScript. Off, `import d from
 * './two.js'` of `module.exports = 2` is its `.default` (undefined) and `import * as ns` the
 * exports themselves (a function stays callable).
 */
export function tscEsModuleInterop(config: TsConfig): boolean {
  if (config.typescript !== null && config.typescript >= 7) return true;
  if (config.esModuleInterop !== undefined) return config.esModuleInterop;
  if (config.typescript === null || config.typescript >= 6) return true;
  return config.module === 'preserve' || /^node(?:\d+|next)$/.test(config.module ?? '');
}

/**
 * Whether tsc's CommonJS output of a script (a file without import or export, which a module's
 * output always is) under `config` is strict code (`"use strict"` first): always under
 * TypeScript 7, which removed `alwaysStrict: false`; every file is a module under
 * `moduleDetection: "force"`; else its `alwaysStrict`, on by default under TypeScript 6
 * (whatever `strict` says) and following `strict` (off by default) under TypeScript 5.
 * Without TypeScript, as Node runs a CommonJS script: sloppy.
 */
export function tscStrictScripts(config: TsConfig): boolean {
  if (!config.readable || config.typescript === null) return false;
  if (config.typescript >= 7 || config.moduleDetection === 'force') return true;
  return config.alwaysStrict ?? (config.typescript >= 6 || (config.strict ?? false));
}

/**
 * Whether tsc compiles `import(…)` to `require` under `config`: where it emits CommonJS
 * (`commonjs`, UMD, TypeScript 5's default), not under `node16`…`nodenext`, which keep it.
 */
export function tscRequiresDynamicImports(config: TsConfig): boolean {
  return emittedModule(config) === 'commonjs';
}

/** The tsconfig a project reference's `path` names, from the folder `dir`: a file, or a folder's tsconfig.json. */
function referencedConfig(dir: string, path: string): string {
  const named = resolve(dir, path);
  return named.endsWith('.json') || isFile(named) ? named : join(named, 'tsconfig.json');
}

/** The file an `extends` of the tsconfig.json `file` names (a path or a package's config), as tsc resolves it. */
function extendedConfig(file: string, base: string): string {
  if (base.startsWith('.') || base.startsWith('/')) return resolve(dirname(file), base.endsWith('.json') ? base : `${base}.json`);
  const packaged = packageConfig(dirname(file), base);
  if (packaged !== undefined) return packaged;
  // A package with "exports": as they map the path (require's reading of them).
  const require = createRequire(file);
  for (const candidate of [base, `${base}.json`, `${base}/tsconfig.json`]) {
    try {
      return require.resolve(candidate);
    } catch {
      // try the next form
    }
  }
  return ''; // (not installed: esbuild reports it)
}

/**
 * The config a package without "exports" gives `extends`, as tsc finds it: for the package's
 * name, its package.json "tsconfig" field, else its tsconfig.json — never its "main" (read as
 * a tsconfig, a package's index.js decided nothing, and a CommonJS project ran as ES modules);
 * for a path in it, that file, with ".json", or its folder's tsconfig.json. Undefined when
 * the package is not found or has "exports".
 */
function packageConfig(from: string, base: string): string | undefined {
  const parts = base.split('/');
  const nameLength = base.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.slice(nameLength).join('/');
  for (let dir = from; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', name);
    if (existsSync(root)) {
      let pkg: { exports?: unknown; tsconfig?: unknown } = {};
      try {
        if (existsSync(join(root, 'package.json'))) pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as typeof pkg;
      } catch {
        return undefined;
      }
      if (pkg.exports !== undefined) return undefined;
      const field = typeof pkg.tsconfig === 'string' ? [pkg.tsconfig, `${pkg.tsconfig}.json`] : [];
      const candidates = subpath === '' ? [...field, 'tsconfig.json'] : [subpath, `${subpath}.json`, `${subpath}/tsconfig.json`];
      return candidates.map((c) => join(root, c)).find(isFile) ?? '';
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const typeByDir = new Map<string, unknown>();

/** The "type" of the package.json nearest above `path` (Node's package scope), or undefined. */
export function packageType(path: string): unknown {
  const dir = dirname(path);
  if (typeByDir.has(dir)) return typeByDir.get(dir);
  const pkg = join(dir, 'package.json');
  let type: unknown;
  if (existsSync(pkg)) {
    try {
      type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type;
    } catch {
      type = undefined; // (Node reports an unreadable package.json itself)
    }
  } else type = dirname(dir) === dir ? undefined : packageType(dir);
  typeByDir.set(dir, type);
  return type;
}

/**
 * Whether a TypeScript file runs as an ES module or as CommonJS: as `tsc` compiles it for
 * Node. `.mts` and `.cts` say it; a `.ts`/`.tsx` file is CommonJS where its tsconfig's
 * `module` is `commonjs` (also by default under TypeScript 5: a tsconfig that sets neither
 * `module` nor a `target` after ES5), or `node16`…`nodenext` outside a `"type": "module"` package, and
 * an ES module otherwise (also without a tsconfig, as Node's own type stripping runs it).
 * Run as a module, a CommonJS project's `import scale from './scale.js'` of `tsc` output
 * (`exports.default = 2`) was the whole exports object: `x * scale` was NaN where `tsc`'s
 * build gives a number.
 */
export function typeScriptFormat(path: string, code?: string): 'module' | 'commonjs' {
  if (path.endsWith('.cts')) return 'commonjs';
  if (path.endsWith('.mts') || packageType(path) === 'module') return 'module';
  const config = nearestTsconfig(path);
  const module = config === null ? undefined : emittedModule(config);
  if (module === 'commonjs' || module === 'nodenext' || /^node\d+$/.test(module ?? '')) return 'commonjs';
  return code !== undefined && isCommonJsScript(code, config) ? 'commonjs' : 'module';
}

/**
 * Whether TypeScript source compiled to ES module output, outside a `"type": "module"`
 * package, runs as CommonJS: a script to tsc (no import or export, and no
 * `moduleDetection: "force"`) is emitted as one, and Node runs a `.js` file without module
 * syntax as CommonJS (as its own type stripping runs such a `.ts` file). Run as an ES module,
 * its top-level `this` was undefined (tsc + node: the exports) and `require` missing, and
 * under TypeScript 5 it was strict where tsc + node run it sloppy. (Any `await` or
 * `import.meta` may be what Node detects as a module: such a file stays one.)
 */
function isCommonJsScript(code: string, config: TsConfig | null): boolean {
  return config?.moduleDetection !== 'force' && !hasModuleSyntax(code) && !/\bawait\b|\bimport\s*\.\s*meta\b/.test(code);
}

/**
 * Whether TypeScript source is a module to tsc: a statement that starts a line with `import`
 * or `export` (also type-only ones, `import x = require(…)` and `export =`). Indented: a
 * namespace's members, or a `declare module`'s, which make no module.
 */
export function hasModuleSyntax(code: string): boolean {
  return /^(?:import|export)(?=[\s{*'"=])/m.test(code);
}

/**
 * Why the `tsc` build cannot run the TypeScript module at `path` (a `.ts`/`.tsx` file with
 * module syntax, `code`) where the loader would: tsc compiles it to CommonJS (the tsconfig's
 * `module` is `commonjs` or `umd`), and the
 * package.json's `"type": "module"` makes Node run that output as an ES module, where it
 * stops at `exports` (UMD output runs nothing). Run as the ES module it is written as, it
 * gave values the `tsc` build never does, silently. Null when nothing stands in the way.
 */
export function commonJsInModulePackage(path: string, code: string): string | null {
  if (!/\.tsx?$/.test(path) || packageType(path) !== 'module' || !hasModuleSyntax(code)) return null;
  const config = nearestTsconfig(path);
  // Only a "module" the tsconfig sets: one that sets none in a "type": "module" package is
  // typically a solution's root (Vite's: "files": [] and "references"), which compiles
  // nothing itself; `tsc -b` compiles the files under the configs it references.
  if (config?.module === undefined || emittedModule(config) !== 'commonjs') return null;
  return (
    `zygote-ts: ${path} is compiled to CommonJS by tsc (the "module" of ${config.path} is "${config.module}"), but the "type": "module" of its package.json ` +
    'makes Node run that output as an ES module, where it does not run (CommonJS output stops: "exports is not defined in ES module scope"). ' +
    'The loader will not run it otherwise than tsc + node would. Set "module": "nodenext" (or "esnext") in the tsconfig.json, ' +
    'or remove "type": "module" from package.json.'
  );
}
