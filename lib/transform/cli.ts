#!/usr/bin/env node
/**
 * `zygote [node options] file.ts [args…]`: run a file with the zygote-ts loader
 * (`node --import zygote-ts/register file.ts args…`), with inherited stdio and
 * the child's exit code (or signal). The environment is passed on, so packages are
 * opted in as for the loader: `ZYGOTE_INCLUDE=culori,chroma-js npx zygote main.ts`.
 *
 * @example
 * ```sh
 * npx zygote examples/seed.ts --steps 10
 * ZYGOTE_INCLUDE=culori,chroma-js npx zygote examples/colordiff.ts
 * ```
 */
import { spawn } from 'node:child_process';

const USAGE = 'usage: zygote [node options] <file> [args...]';

/** Split CLI arguments into node options (before the file), the file, and the script's arguments. */
export function splitArgs(argv: readonly string[]): { nodeArgs: string[]; file: string | undefined; args: string[] } {
  let i = 0;
  const nodeArgs: string[] = [];
  while (i < argv.length && argv[i]!.startsWith('-') && argv[i] !== '--') nodeArgs.push(argv[i++]!);
  if (argv[i] === '--') i++;
  return { nodeArgs, file: argv[i], args: argv.slice(i + 1) };
}

function main(): void {
  const { nodeArgs, file, args } = splitArgs(process.argv.slice(2));
  if (file === undefined || nodeArgs.includes('--help') || nodeArgs.includes('-h')) {
    console.error(USAGE);
    process.exit(file === undefined ? 2 : 0);
  }
  const registerUrl = new URL('./register.js', import.meta.url).href;
  const child = spawn(process.execPath, [...nodeArgs, '--import', registerUrl, file, ...args], { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

main();
