// Runs a fixture of spec/fixtures/packages in a fresh Node process with the zygote-ts
// loader (`--import zygote-ts/register`, built dist/ required), as a user would.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const fixtures = join(root, 'spec/fixtures/packages');
export const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
export const cli = join(root, 'dist/lib/transform/cli.js');

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `node [args]` from the repository root, with `env` over a clean environment (no cache unless asked). */
export function node(args: string[], env: Record<string, string> = {}): Run {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('ZYGOTE_') && k !== 'NODE_OPTIONS') base[k] = v;
  }
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ZYGOTE_CACHE: '0', ...base, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Run a fixture with the loader and parse the JSON it prints (failing with its stderr otherwise). */
export function runJson<T>(file: string, env: Record<string, string> = {}): T {
  const r = node(['--import', registerUrl, join(fixtures, file)], env);
  if (r.status !== 0) throw new Error(`${file} exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

export interface Case {
  name: string;
  value?: number;
  grad?: number[];
  fd?: number[];
  error?: string;
}

/** Largest difference between gradient and finite differences, relative to max(1, |fd|). */
export function fdError(c: Case): number {
  if (c.error !== undefined) throw new Error(`${c.name}: ${c.error}`);
  const { grad = [], fd = [] } = c;
  if (grad.length !== fd.length) throw new Error(`${c.name}: ${grad.length} partials, ${fd.length} differences`);
  return Math.max(0, ...grad.map((g, i) => (g === null ? Infinity : Math.abs(g - fd[i]!) / Math.max(1, Math.abs(fd[i]!)))));
}
