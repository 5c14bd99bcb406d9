/**
 * On-disk cache of rewritten files, so that a second start does not parse and
 * rewrite every file of an included package again (culori: ~150 files).
 *
 * An entry is keyed by a SHA-256 of the transform's version (its own files and
 * the versions of acorn, magic-string and esbuild), the kind of output (ESM,
 * CommonJS, TypeScript stripped, …), the file name (it is in the source map)
 * and the file's content; so a changed file, a changed transform or other
 * options simply miss. Entries are written to a temporary file and renamed
 * into place, which is atomic: processes starting at once never read half an
 * entry, and the last writer of identical content wins.
 *
 * Location: `ZYGOTE_CACHE_DIR`, else `node_modules/.cache/zygote-ts` in the
 * nearest `node_modules` above the working directory (or zygote-ts's own),
 * else `.zygote-cache`. `ZYGOTE_CACHE=0` turns it off. Deleting the folder is
 * always safe.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from './filter.js';

// fs and crypto are taken with process.getBuiltinModule, here and in every module of the
// loader's start (filter.ts, cjs-hook.ts, node-hooks.ts): an `import … from 'node:fs'`
// builds the module's ES namespace, which loads Node's streams: ~5 ms of every start that
// plain Node does not pay, in each thread that loads the loader.
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { createHash } = process.getBuiltinModule('node:crypto');

// An entry's first character: the rewritten source follows, or the file is used as it is.
const REWRITTEN = 'R';
const UNCHANGED = 'U';

export interface TransformCache {
  /** The folder holding the entries. */
  readonly dir: string;
  /** Key of one file's output: `kind` names the output's form and options. */
  key(kind: string, filename: string, content: string): string;
  /** The stored output: a string, `null` for "leave the file as it is", `undefined` on a miss. */
  get(key: string): string | null | undefined;
  /** Store an output (best effort: a read-only folder only means no caching). */
  set(key: string, output: string | null): void;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The default folder: the nearest `node_modules/.cache/zygote-ts`, as other tools keep theirs. */
export function defaultCacheDir(cwd: string = process.cwd()): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (isDirectory(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'zygote-ts');
    if (dirname(dir) === dir) break;
  }
  const own = dirname(PACKAGE_ROOT);
  if (own.endsWith('node_modules')) return join(own, '.cache', 'zygote-ts');
  if (isDirectory(join(PACKAGE_ROOT, 'node_modules'))) return join(PACKAGE_ROOT, 'node_modules', '.cache', 'zygote-ts');
  return join(resolve(cwd), '.zygote-cache');
}

/** The cache folder the environment asks for, or null when caching is off. */
export function cacheDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  if (/^(0|false|no|off)$/i.test(env['ZYGOTE_CACHE'] ?? '')) return null;
  const dir = env['ZYGOTE_CACHE_DIR'];
  return dir !== undefined && dir !== '' ? resolve(dir) : defaultCacheDir();
}

let versionMemo: string | undefined;

/**
 * The transform's version: a hash of the files of this folder (lib/transform or
 * its build) and of the versions of the packages its output depends on, so
 * that editing the transform, or upgrading acorn or esbuild, invalidates.
 */
export function transformVersion(): string {
  if (versionMemo !== undefined) return versionMemo;
  const hash = createHash('sha256');
  const here = dirname(fileURLToPath(import.meta.url));
  for (const name of readdirSync(here).sort()) {
    if (!/\.(?:js|ts)$/.test(name) || name.endsWith('.d.ts')) continue;
    hash.update(name).update('\0').update(readFileSync(join(here, name))).update('\0');
  }
  for (const dep of ['acorn', 'magic-string', 'esbuild']) hash.update(`${dep}@${dependencyVersion(dep, here)}\0`);
  versionMemo = hash.digest('hex');
  return versionMemo;
}

/**
 * A package's version, from the first node_modules folder up from `dir` that has it, as
 * `require` would find it ('?' when none has: a bundle, whose files' hash still changes
 * with the transform). Read directly: `createRequire(…)(name + '/package.json')` cost ~4 ms
 * of every start.
 */
function dependencyVersion(name: string, dir: string): string {
  for (;;) {
    try {
      return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      // not in this folder: look further up
    }
    const parent = dirname(dir);
    if (parent === dir) return '?';
    dir = parent;
  }
}

/**
 * A cache in `dir`.
 *
 * @example
 * ```ts
 * const cache = openCache('/tmp/zy');
 * const k = cache.key('esm', file, code);
 * let out = cache.get(k);
 * if (out === undefined) cache.set(k, (out = rewrite(code)));
 * ```
 */
export function openCache(dir: string, version: string = transformVersion()): TransformCache {
  let ready = false;
  let writable = true;
  return {
    dir,
    key(kind, filename, content) {
      return createHash('sha256').update(`${version}\0${kind}\0${filename}\0`).update(content).digest('hex');
    },
    get(key) {
      let text: string;
      try {
        text = readFileSync(join(dir, key), 'utf8');
      } catch {
        return undefined;
      }
      if (text.startsWith(REWRITTEN)) return text.slice(1);
      if (text === UNCHANGED) return null;
      return undefined; // not an entry of ours: recompute (and overwrite)
    },
    set(key, output) {
      if (!writable) return;
      const file = join(dir, key);
      const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        if (!ready) {
          mkdirSync(dir, { recursive: true });
          ready = true;
        }
        writeFileSync(temp, output === null ? UNCHANGED : REWRITTEN + output);
        renameSync(temp, file);
      } catch {
        writable = false;
        try {
          if (existsSync(temp)) unlinkSync(temp);
        } catch {
          // nothing more to do: caching is best effort
        }
      }
    },
  };
}

let envCache: TransformCache | null | undefined;

/** The process's cache, as the environment configures it (null when off). */
export function cacheFromEnv(): TransformCache | null {
  if (envCache === undefined) {
    const dir = cacheDirFromEnv();
    envCache = dir === null ? null : openCache(dir);
  }
  return envCache;
}

/**
 * `produce()`'s output for this file, from the cache when it has it.
 * `null` stands for "use the file as it is".
 */
export function throughCache(cache: TransformCache | null, kind: string, filename: string, content: string, produce: () => string | null): string | null {
  if (cache === null) return produce();
  const key = cache.key(kind, filename, content);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const out = produce();
  cache.set(key, out);
  return out;
}
