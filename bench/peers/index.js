// The benchmark's peers, TensorFlow.js and jax-js (~290 MB), in a package of their own so
// that the repository's install does not download them: bench/run.js installs them into
// this folder from its lock file on first use (`npm ci`), and bench/array-peers.js loads
// them through this module, so that they resolve from this folder's node_modules.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `require` from this folder (tfjs is loaded as CommonJS, as in ../shared/peers). */
export const requirePeer = createRequire(import.meta.url);

/** jax-js (an ES module). */
export const importJax = () => import('@jax-js/jax');

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** Installs the peers from the lock file unless the install there is as new as the lock. */
export function installPeers() {
  const installed = here('./node_modules/.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(here('./package-lock.json')).mtimeMs) return;
  console.error('bench: installing TensorFlow.js and jax-js into bench/peers (first run only, ~290 MB)…');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: here('.'), stdio: ['ignore', 2, 2] });
}
