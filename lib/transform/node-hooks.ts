/**
 * Node ESM loader hooks, registered by `register.ts`: synchronous, in the loading
 * thread, with `module.registerHooks` where Node has it (22.15 and later), else
 * asynchronous with `module.register`, which runs them in a thread of their own:
 * - `resolve`: `./x.js` finds `./x.ts` (and `.mjs`→`.mts`, `.cjs`→`.cts`);
 *   extensionless relative imports find `.ts`/`.tsx`/`index.ts`.
 * - `load`: TypeScript is stripped with esbuild (an ES module or CommonJS as `tsc`
 *   compiles it: `tsconfig.ts`) and user files (see `filter.ts`) are rewritten (`node-source.ts`, through the cache
 *   of `cache.ts`), importing `__zy` from the runtime's absolute file URL so
 *   that every file shares one runtime instance.
 *   CommonJS files are left to the `require` hook (`cjs-hook.ts`); an `import` of CommonJS
 *   TypeScript gets an ES module that requires it (`commonJsFacade`), with the file's names.
 */
import { fileURLToPath } from 'node:url';
import { cacheFromEnv } from './cache.js';
import { includeFromEnv, isFile, isTypeScriptFile, shouldRewrite, typeScriptCandidates } from './filter.js';
import { commonJsFacade, moduleSource } from './node-source.js';
import { commonJsInModulePackage, typeScriptFormat } from './tsconfig.js';

// (not `import … from 'node:fs'`: see cache.ts)
const { readFileSync } = process.getBuiltinModule('node:fs');

interface ResolveContext { conditions: string[]; importAttributes?: Record<string, string>; parentURL?: string }
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;
interface LoadContext { conditions: string[]; format?: string | null; importAttributes?: Record<string, string> }
interface LoadResult { format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const filter = { include: includeFromEnv() };
const cache = cacheFromEnv();

/** Candidate URLs for a relative specifier that Node could not resolve. */
function candidates(specifier: string, parentURL: string): string[] {
  return typeScriptCandidates(specifier).map((c) => new URL(c, parentURL).href);
}

/** After the default resolution failed: a relative `./x.js` that means `./x.ts`, and the like. */
function resolveTypeScript(specifier: string, context: ResolveContext, error: unknown): ResolveResult {
  const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:');
  if (!relative || !context.parentURL) throw error;
  for (const url of candidates(specifier, context.parentURL)) {
    if (isFile(fileURLToPath(url))) return { url, shortCircuit: true };
  }
  throw error;
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  try {
    return noteEntry(await next(specifier, context), context);
  } catch (error) {
    return resolveTypeScript(specifier, context, error);
  }
}

/** {@link resolve} for `module.registerHooks`, whose hooks and `next` are synchronous. */
export function resolveSync(specifier: string, context: ResolveContext, next: (specifier: string, context?: ResolveContext) => ResolveResult): ResolveResult {
  try {
    return noteEntry(next(specifier, context), context);
  } catch (error) {
    return resolveTypeScript(specifier, context, error);
  }
}

/** URLs resolved as an entry point (no parent): a CommonJS entry is loaded as main, which sets `require.main`. */
const entries = new Set<string>();

function noteEntry(result: ResolveResult, context: ResolveContext): ResolveResult {
  if (context.parentURL === undefined) entries.add(result.url);
  return result;
}

/** A TypeScript file's load, stripped and (for user files and included packages) rewritten. */
function loadTypeScript(url: string, path: string): LoadResult {
  const code = readFileSync(path, 'utf8');
  const format = typeScriptFormat(path, code);
  if (format === 'commonjs') {
    // CommonJS TypeScript goes through require (cjs-hook.ts strips and rewrites it); an import
    // of it, through an ES module requiring it, which gives the import its names.
    const facade = commonJsFacade(path, code, cache, entries.has(url));
    return facade === null ? { format, source: null, shortCircuit: true } : { format: 'module', source: facade, shortCircuit: true };
  }
  const refused = commonJsInModulePackage(path, code);
  if (refused !== null) throw new Error(refused);
  return { format, source: moduleSource(path, code, filter, cache) ?? code, shortCircuit: true };
}

/** What Node loaded, rewritten where it is an ES module of a user file or an included package. */
function rewriteLoaded(path: string, result: LoadResult): LoadResult {
  // CommonJS (also when reached from `import`) is compiled by Node's CommonJS loader,
  // where the require hook rewrites it.
  if (result.format !== 'module' || result.source == null || !shouldRewrite(path, filter)) return result;
  const code = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  const source = moduleSource(path, code, filter, cache);
  return source === null ? result : { ...result, source };
}

export async function load(url: string, context: LoadContext, next: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:')) return next(url, context);
  const path = fileURLToPath(url);
  if (isTypeScriptFile(path)) return loadTypeScript(url, path);
  return rewriteLoaded(path, await next(url, context));
}

/** {@link load} for `module.registerHooks`, whose hooks and `next` are synchronous. */
export function loadSync(url: string, context: LoadContext, next: (url: string, context?: LoadContext) => LoadResult): LoadResult {
  if (!url.startsWith('file:')) return next(url, context);
  const path = fileURLToPath(url);
  if (isTypeScriptFile(path)) return loadTypeScript(url, path);
  return rewriteLoaded(path, next(url, context));
}
