#!/usr/bin/env node
/**
 * `zygote [node options] file.ts [args…]`: run a file with the zygote-ts loader, as
 * `node --import zygote-ts/register file.ts args…` does. The environment is passed on, so
 * packages are opted in as for the loader: `ZYGOTE_INCLUDE=culori,chroma-js npx zygote main.ts`.
 * `zygote --version` prints the version.
 *
 * An ES module entry (`.mts`, `.mjs`, `.js` in a `"type": "module"` package, a `.ts` file
 * that `tsc` compiles as one: `tsconfig.ts`) runs in
 * this process, after the loader is installed here: starting a second Node for it
 * doubled the start-up (issue 14). A Worker it starts from a TypeScript file needs the
 * loader passed on, `new Worker(url, { execArgv: process.execArgv })` (child processes
 * inherit it). The rest runs in a child `node --import …/register.js` with inherited stdio,
 * whose exit code (or signal) is this process's: node options before the file
 * (`zygote --inspect main.ts`), which only a new process can take, and CommonJS entries,
 * for which only Node's own start sets `require.main`, and entries that read `import.meta.main`,
 * which only Node's own start sets (and a file that is not there, which Node reports).
 *
 * @example
 * ```sh
 * npx zygote examples/seed.ts --steps 10
 * ZYGOTE_INCLUDE=culori,chroma-js npx zygote examples/colordiff.ts
 * ```
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageType, typeScriptFormat } from './tsconfig.js';

const USAGE = 'usage: zygote [node options] <file> [args...]\n       zygote --version';

/** Split CLI arguments into node options (before the file), the file, and the script's arguments. */
export function splitArgs(argv: readonly string[]): { nodeArgs: string[]; file: string | undefined; args: string[] } {
  let i = 0;
  const nodeArgs: string[] = [];
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') nodeArgs.push(argv[i++]!);
  if (argv[i] === '--') i++;
  return { nodeArgs, file: argv[i], args: argv.slice(i + 1) };
}

function packageVersion(): string {
  const pkg = new URL('../../../package.json', import.meta.url); // dist/lib/transform/cli.js → package.json
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

/** Whether Node loads `path` as an ES module (TypeScript as `tsc` compiles it; `.js` follows its package's "type"). */
function isModuleEntry(path: string): boolean {
  if (path.endsWith('.mjs')) return true;
  if (/\.(?:ts|tsx|mts|cts)$/.test(path)) return typeScriptFormat(path, readFileSync(path, 'utf8')) === 'module';
  return /\.(?:js|jsx)$/.test(path) && packageType(path) === 'module';
}

/**
 * `import.meta` read for something other than the entry's own location: `import.meta.main`
 * (Node 22.18+, 24.2+) is true only in the module Node starts with, and the entry imported here
 * is not that module: `if (import.meta.main) run()` did nothing, silently, where `node --import
 * zygote-ts/register` runs it. Such an entry runs in a child, as Node's own entry point.
 */
const READS_IMPORT_META = /\bimport\s*\.\s*meta\b(?!\s*\.\s*(?:url|dirname|filename|resolve)\b)/;

/** Whether the entry at `path` runs here (an ES module that does not ask whether it is the entry point). */
function runsHere(path: string): boolean {
  return isModuleEntry(path) && !READS_IMPORT_META.test(readFileSync(path, 'utf8'));
}

/** Runs the file at `path` here, as `node --import register path` would run it. */
async function runHere(registerUrl: string, path: string, args: string[]): Promise<void> {
  process.argv = [process.execPath, path, ...args];
  // Workers and child processes the script starts inherit execArgv: they get the loader too.
  process.execArgv.push('--import', registerUrl);
  await import(registerUrl);
  // An error it throws reaches Node as the entry point's, and Node reports it as it would.
  await import(pathToFileURL(path).href);
}

function runInChild(registerUrl: string, nodeArgs: string[], file: string, args: string[]): void {
  const child = spawn(process.execPath, [...nodeArgs, '--import', registerUrl, file, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

async function main(): Promise<void> {
  const { nodeArgs, file, args } = splitArgs(process.argv.slice(2));
  if (file === undefined && (nodeArgs.includes('--version') || nodeArgs.includes('-v'))) {
    console.log(packageVersion());
    return;
  }
  if (file === undefined || nodeArgs.includes('--help') || nodeArgs.includes('-h')) {
    console.error(USAGE);
    process.exitCode = file === undefined ? 2 : 0;
    return;
  }
  const registerUrl = new URL('./register.js', import.meta.url).href;
  const path = resolve(file);
  if (nodeArgs.length === 0 && existsSync(path) && runsHere(path)) await runHere(registerUrl, path, args);
  else runInChild(registerUrl, nodeArgs, file, args);
}

await main();
