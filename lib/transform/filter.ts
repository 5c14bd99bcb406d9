/**
 * Which files the loader and the bundler plugins rewrite: user files by
 * default; files under `node_modules` only for listed packages (`*` = all);
 * never zygote-ts's own files (its runtime, rules and proxies are written
 * against the runtime directly and must not be traced twice).
 */
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// (not `import … from 'node:fs'`: see cache.ts)
const { existsSync, readFileSync, statSync } = process.getBuiltinModule('node:fs');

/** Extensions of files that may be rewritten. */
export const SCRIPT_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.tsx', '.jsx'];
export const TS_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.tsx'];

const SWAPS: [string, string[]][] = [
  ['.js', ['.ts', '.tsx']],
  ['.mjs', ['.mts']],
  ['.cjs', ['.cts']],
  ['.jsx', ['.tsx']],
];

/** The TypeScript files an import of `./x.js` (`.cjs`, `.mjs`, `.jsx`) may mean, as TypeScript writes them. */
export function typeScriptSwaps(specifier: string): string[] {
  const out: string[] = [];
  for (const [from, tos] of SWAPS) {
    if (specifier.endsWith(from)) for (const to of tos) out.push(specifier.slice(0, -from.length) + to);
  }
  return out;
}

/**
 * The TypeScript files a relative specifier that names none may mean, as specifiers: `./x.js`
 * as `./x.ts` (typeScriptSwaps), and an extensionless `./x` as `./x.ts`, `./x/index.ts` and kin.
 */
export function typeScriptCandidates(specifier: string): string[] {
  const out = typeScriptSwaps(specifier);
  const last = specifier.slice(specifier.lastIndexOf('/') + 1);
  if (!last.includes('.') || last === '.' || last === '..') {
    for (const ext of ['.ts', '.tsx', '.mts', '.js']) out.push(specifier + ext);
    for (const ext of ['.ts', '.tsx', '.js']) out.push(`${specifier}/index${ext}`);
  }
  return out;
}

/** Whether `path` is a file (false where it is missing or unreadable). */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'zygote-ts') return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return start;
    dir = parent;
  }
}

/** Root directory of the zygote-ts package this module belongs to. */
export const PACKAGE_ROOT: string = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

const OWN_DIRS = ['dist', 'lib', 'rules', 'proxies'].map((d) => join(PACKAGE_ROOT, d) + sep);

/**
 * Absolute path of the built runtime module, the one every rewritten file must
 * share (found from the package root, so it is the same whether this module
 * runs from dist/ or from the TypeScript sources).
 */
export const RUNTIME_PATH: string = join(PACKAGE_ROOT, 'dist', 'lib', 'runtime.js');

export function isOwnFile(path: string): boolean {
  return OWN_DIRS.some((d) => path.startsWith(d));
}

/** Package name of a path inside `node_modules` (`@scope/name` or `name`), or null. */
export function nodeModulesPackage(path: string): string | null {
  const norm = path.split(sep).join('/');
  const at = norm.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const parts = norm.slice(at + '/node_modules/'.length).split('/');
  if (parts[0]?.startsWith('@')) return parts.length > 1 ? `${parts[0]}/${parts[1]}` : parts[0];
  return parts[0] ?? null;
}

/** Package names from the `ZYGOTE_INCLUDE` environment variable (comma-separated). */
export function includeFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['ZYGOTE_INCLUDE'] ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}

export interface FileFilter {
  /** Package names under node_modules to rewrite; `'*'` for all. */
  include?: readonly string[];
  /** Paths to leave alone: a string matches as a path substring, a RegExp is tested against the path. */
  exclude?: readonly (string | RegExp)[];
}

function hasExtension(path: string, exts: readonly string[]): boolean {
  return exts.some((e) => path.endsWith(e));
}

export function isTypeScriptFile(path: string): boolean {
  return hasExtension(path, TS_EXTENSIONS);
}

/** Whether the file at absolute `path` should be rewritten. */
export function shouldRewrite(path: string, filter: FileFilter = {}): boolean {
  if (!hasExtension(path, SCRIPT_EXTENSIONS)) return false;
  if (path.endsWith('.d.ts') || path.endsWith('.d.mts') || path.endsWith('.d.cts')) return false;
  if (isOwnFile(path)) return false;
  if (filter.exclude?.some((e) => (typeof e === 'string' ? path.includes(e) : e.test(path)))) return false;
  const pkg = nodeModulesPackage(path);
  if (pkg === null) return true;
  if (pkg === 'zygote-ts') return false;
  const include = filter.include ?? [];
  return include.includes('*') || include.includes(pkg);
}
