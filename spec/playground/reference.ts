// The library's own results for the playground's examples, computed in Node — the numbers
// the page must show. Each example is compiled exactly as the page compiles it (native
// esbuild instead of esbuild-wasm) and run with zygote-ts from dist/ and culori rewritten
// by zygote-ts's esbuild plugin, with the plain runtime (no trace instrumentation).
// Bundled and run in a child process by playground.e2e.ts (see there), so that the
// library is loaded by Node itself, once.
import { transform } from 'esbuild';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as zygote from 'zygote-ts';
import * as culori from 'culori';
import * as fraction from 'fraction.js';
import * as complex from 'complex.js';
import * as decimal from 'decimal.js';
import { compile, wrapForEval } from '../../playground/src/compile.js';
import { describe, type Described } from '../../playground/src/describe.js';

const modules: Record<string, unknown> = { 'zygote-ts': zygote, culori, 'fraction.js': fraction, 'complex.js': complex, 'decimal.js': decimal };

export interface Reference {
  file: string;
  rows: { line: number; value: Described }[];
  error: string | null;
}

const strip = async (code: string, sourcefile: string) => {
  const r = await transform(code, { loader: 'ts', sourcemap: 'external', sourcefile, charset: 'utf8', target: 'es2022' });
  return { code: r.code, map: r.map };
};

export async function reference(dir: string): Promise<Reference[]> {
  const out: Reference[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const compiled = await compile(readFileSync(join(dir, file), 'utf8'), strip);
    const rows: Reference['rows'] = [];
    const show = (site: number, value: unknown) => {
      if (value !== undefined) rows.push({ line: compiled.sites[site]!.line, value: describe(value) });
      return value;
    };
    const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {}, table() {}, dir() {} };
    let error: string | null = null;
    try {
      await ((0, eval)(wrapForEval(compiled.code)) as Function)((m: string) => modules[m], show, quiet);
    } catch (e) {
      error = String(e);
    }
    out.push({ file, rows, error });
  }
  return out;
}

// As a script: print the references of the folder given as the first argument.
if (process.argv[2]) process.stdout.write(JSON.stringify(await reference(process.argv[2])));
