/**
 * What the loader reads from a TypeScript file's surroundings, as `tsc` and Node read it:
 * the nearest tsconfig.json (its compilerOptions change what the file means, and its text
 * keys the file's cache entry), and whether the file is an ES module or CommonJS.
 */
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';

// (not `import … from 'node:fs'`: see cache.ts)
const { existsSync, readFileSync } = process.getBuiltinModule('node:fs');

/** The tsconfig.json a TypeScript file is compiled under. */
export interface TsConfig {
  path: string;
  /** Its text and that of the files it `extends`, also from a package (a change to any of them must miss the cache). */
  key: string;
  /** Its `compilerOptions.module`, lower case, its own or from what it extends; undefined when none sets it. */
  module: string | undefined;
}

const tsconfigByDir = new Map<string, TsConfig | null>();

/**
 * The nearest tsconfig.json above `path`, as `tsc` and esbuild find it (not past a
 * `node_modules` folder: a package's files are not compiled under the app's options). Its
 * compilerOptions change what a TypeScript file means — class fields have assign
 * semantics under a `target` before ES2022 — so the loader strips under it, as the plain
 * `tsc` build and the esbuild plugin do.
 */
export function nearestTsconfig(path: string): TsConfig | null {
  const dir = dirname(path);
  let found = tsconfigByDir.get(dir);
  if (found !== undefined) return found;
  const file = join(dir, 'tsconfig.json');
  if (existsSync(file)) found = { path: file, ...readConfig(file, 0) };
  else found = dirname(dir) === dir || basename(dir) === 'node_modules' ? null : nearestTsconfig(dir);
  tsconfigByDir.set(dir, found);
  return found;
}

function readConfig(file: string, depth: number): Omit<TsConfig, 'path'> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { key: '', module: undefined };
  }
  // Follow `extends` (one or a list) a few levels: a relative path, or a package's config
  // (`@tsconfig/node20/tsconfig.json`), whose upgrade may change the target and so the meaning.
  const bases = depth < 8 ? [...text.matchAll(/"extends"\s*:\s*(\[[^\]]*\]|"[^"]*")/g)].flatMap((m) => m[1]!.match(/"[^"]*"/g) ?? []) : [];
  const read = bases.map((b) => readConfig(extendedConfig(file, b.slice(1, -1)), depth + 1));
  // The file's own setting wins; among those it extends, the last that sets one.
  const module = ownModule(text) ?? read.reduce<string | undefined>((found, base) => base.module ?? found, undefined);
  return { key: [text, ...read.map((r) => r.key)].join('\0'), module };
}

/** `compilerOptions.module` of a tsconfig's text (JSON with comments and trailing commas), lower case. */
function ownModule(text: string): string | undefined {
  // Comments and trailing commas out; strings (`"src/**/*"`) kept as they are.
  const json = text
    .replace(/("(?:[^"\\\n]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, string: string | undefined) => string ?? '')
    .replace(/("(?:[^"\\\n]|\\.)*")|,(?=\s*[}\]])/g, (_, string: string | undefined) => string ?? '');
  try {
    const module = (JSON.parse(json) as { compilerOptions?: { module?: unknown } }).compilerOptions?.module;
    return typeof module === 'string' ? module.toLowerCase() : undefined;
  } catch {
    return undefined; // (not JSON: esbuild reports it when it strips under the file)
  }
}

/** The file an `extends` of the tsconfig.json `file` names (a path or a package's config), as tsc resolves it. */
function extendedConfig(file: string, base: string): string {
  if (base.startsWith('.') || base.startsWith('/')) return resolve(dirname(file), base.endsWith('.json') ? base : `${base}.json`);
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
 * `module` is `commonjs`, or `node16`…`nodenext` outside a `"type": "module"` package, and
 * an ES module otherwise (also without a tsconfig, as Node's own type stripping runs it).
 * Run as a module, a CommonJS project's `import scale from './scale.js'` of `tsc` output
 * (`exports.default = 2`) was the whole exports object: `x * scale` was NaN where `tsc`'s
 * build gives a number.
 */
export function typeScriptFormat(path: string): 'module' | 'commonjs' {
  if (path.endsWith('.cts')) return 'commonjs';
  if (path.endsWith('.mts') || packageType(path) === 'module') return 'module';
  const module = nearestTsconfig(path)?.module;
  return module === 'commonjs' || module === 'nodenext' || /^node\d+$/.test(module ?? '') ? 'commonjs' : 'module';
}
