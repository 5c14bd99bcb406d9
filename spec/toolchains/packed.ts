// zygote-ts as a user installs it, for the toolchain end-to-end tests.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** zygote-ts as `npm pack` ships it, unpacked into `app`'s node_modules (the tarball is left in `work`). */
export function installPackedLibrary(work: string, app: string): void {
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }),
  ) as { filename: string }[];
  const into = join(app, 'node_modules', 'zygote-ts');
  mkdirSync(into, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, packed[0]!.filename), '-C', into, '--strip-components=1']);
}
