/**
 * Node ESM loader hooks (registered by `register.ts` with `module.register`):
 * - `resolve`: `./x.js` finds `./x.ts` (and `.mjs`→`.mts`, `.cjs`→`.cts`);
 *   extensionless relative imports find `.ts`/`.tsx`/`index.ts`.
 * - `load`: TypeScript is stripped with esbuild (ESM unless `.cts`) and user
 *   files (see `filter.ts`) are rewritten, importing `__zy` from the runtime's
 *   absolute file URL so that every file shares one runtime instance.
 *   CommonJS files are left to the `require` hook (`cjs-hook.ts`).
 */
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { includeFromEnv, isTypeScriptFile, RUNTIME_PATH, shouldRewrite } from './filter.js';
import { stripTs, transform, transformTs } from './index.js';
import { withInlineMap } from './sourcemap.js';

interface ResolveContext { conditions: string[]; importAttributes?: Record<string, string>; parentURL?: string }
interface ResolveResult { url: string; format?: string | null; shortCircuit?: boolean }
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;
interface LoadContext { conditions: string[]; format?: string | null; importAttributes?: Record<string, string> }
interface LoadResult { format: string; source?: string | ArrayBuffer | Uint8Array | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

const RUNTIME_URL = pathToFileURL(RUNTIME_PATH).href;
const filter = { include: includeFromEnv() };

const SWAPS: [string, string[]][] = [
  ['.js', ['.ts', '.tsx']],
  ['.mjs', ['.mts']],
  ['.cjs', ['.cts']],
  ['.jsx', ['.tsx']],
];

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Candidate URLs for a relative specifier that Node could not resolve. */
function candidates(specifier: string, parentURL: string): string[] {
  const out: string[] = [];
  for (const [from, tos] of SWAPS) {
    if (specifier.endsWith(from)) for (const to of tos) out.push(specifier.slice(0, -from.length) + to);
  }
  const last = specifier.slice(specifier.lastIndexOf('/') + 1);
  if (!last.includes('.') || last === '.' || last === '..') {
    for (const ext of ['.ts', '.tsx', '.mts', '.js']) out.push(specifier + ext);
    for (const ext of ['.ts', '.tsx', '.js']) out.push(`${specifier}/index${ext}`);
  }
  return out.map((c) => new URL(c, parentURL).href);
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../') || specifier.startsWith('/') || specifier.startsWith('file:');
    if (!relative || !context.parentURL) throw error;
    for (const url of candidates(specifier, context.parentURL)) {
      if (isFile(fileURLToPath(url))) return { url, shortCircuit: true };
    }
    throw error;
  }
}

function formatOfTs(path: string): 'module' | 'commonjs' {
  return path.endsWith('.cts') ? 'commonjs' : 'module';
}

export async function load(url: string, context: LoadContext, next: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:')) return next(url, context);
  const path = fileURLToPath(url);
  const runtime = { kind: 'import', specifier: RUNTIME_URL } as const;
  if (isTypeScriptFile(path)) {
    const format = formatOfTs(path);
    // CommonJS TypeScript goes through require (cjs-hook.ts strips and rewrites it).
    if (format === 'commonjs') return { format, source: null, shortCircuit: true };
    const code = await readFile(path, 'utf8');
    const out = shouldRewrite(path, filter) ? transformTs(code, path, { runtime }) : stripTs(code, path);
    return { format, source: withInlineMap(out.code, out.map), shortCircuit: true };
  }
  const result = await next(url, context);
  if (result.format !== 'module' || result.source == null || !shouldRewrite(path, filter)) return result;
  const code = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  const out = transform(code, { filename: path, runtime, sourceType: 'module' });
  if (!out.changed) return result;
  return { ...result, source: withInlineMap(out.code, out.map) };
}
