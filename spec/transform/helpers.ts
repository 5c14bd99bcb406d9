// Shared helpers for the transform specs: evaluate a function body plain and rewritten
// (through transformFunctionSource, as the gradient API does) and capture the outcome.
import { afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { __zy } from '../../lib/runtime.js';
import { transformFunctionSource } from '../../lib/transform/index.js';

export interface Outcome {
  value?: unknown;
  error?: string;
  log: unknown[];
}

type Body = (log: (...xs: unknown[]) => void) => unknown;

// Compiled with `vm`, not `Function`: this file is itself rewritten (the specs run through
// the Vite plugin), and rewritten code's `Function(…)` rewrites the body it compiles, which
// would make the plain run a rewritten one too.
function compile(src: string, rewrite: boolean): Body {
  if (!rewrite) return runInThisContext(`(${src})`) as Body;
  return (runInThisContext(`(function (__zy) { return (${transformFunctionSource(src)}); })`) as (zy: unknown) => Body)(__zy);
}

/** Source of the rewritten function for `body` (for shape assertions). */
export function rewrittenSource(body: string, isAsync = false): string {
  return transformFunctionSource(`${isAsync ? 'async ' : ''}function (log) {\n${body}\n}`);
}

export async function run(body: string, rewrite: boolean, isAsync = false): Promise<Outcome> {
  const src = `${isAsync ? 'async ' : ''}function (log) {\n${body}\n}`;
  const f = compile(src, rewrite);
  const log: unknown[] = [];
  try {
    const value = await f((...xs) => { log.push(xs.length === 1 ? xs[0] : xs); });
    return { value, log };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), log };
  }
}

/**
 * A temporary folder for a spec file's projects, removed after its specs: its path, and
 * `write(file, text)`, which makes the file's folders as needed and returns its path.
 */
export function temporaryFolder(prefix: string): { dir: string; write(file: string, text: string): string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (file: string, text: string): string => {
    const path = join(dir, file);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  };
  return { dir, write };
}
