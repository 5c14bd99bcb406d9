/**
 * `node --import zygote-ts/register file.ts`: load the runtime (which publishes
 * itself on a global symbol for CommonJS and recompiled code), then install
 * the ESM hooks (`node-hooks.ts`) and the CommonJS `require` hook.
 * Stack traces are mapped to the TypeScript sources.
 *
 * Files under node_modules are rewritten only for packages listed in the
 * `ZYGOTE_INCLUDE` environment variable (comma-separated; `*` for all).
 * Rewritten files are cached (cache.ts): `ZYGOTE_CACHE_DIR` moves the cache,
 * `ZYGOTE_CACHE=0` turns it off (and, with it, Node's compile cache, which the loader
 * turns on where Node has one).
 *
 * @example
 * ```sh
 * node --import zygote-ts/register examples/seed.ts
 * ZYGOTE_INCLUDE=simple-statistics node --import zygote-ts/register stats.ts
 * ```
 */
import Module, { register } from 'node:module';
import { cacheDirFromEnv } from './cache.js';
import { installCjsHook } from './cjs-hook.js';
import { includeFromEnv } from './filter.js';

/** `module.registerHooks` (Node 22.15 and later): synchronous hooks in the loading thread. */
type RegisterHooks = (hooks: { resolve: unknown; load: unknown }) => unknown;
/** `module.enableCompileCache` (Node 22.1 and later): V8's compiled code kept on disk. */
type EnableCompileCache = () => unknown;

// With the cache on, the code V8 compiles for every module from here on (the runtime's,
// the rewritten files') is kept on disk too, in Node's own place for it, as
// NODE_COMPILE_CACHE would: the next start compiles none of it again.
if (cacheDirFromEnv() !== null) (Module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache?.();
await import('../runtime.js');
process.setSourceMapsEnabled(true);
const registerHooks = (Module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
if (typeof registerHooks === 'function') {
  // In-thread hooks spare every module a round trip to the hooks thread that
  // `module.register` starts: loading a package of 150 modules then costs about as much
  // as loading it plain (with `register`, more than twice as much, even for hooks that do nothing).
  const hooks = await import('./node-hooks.js');
  registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
} else {
  register('./node-hooks.js', import.meta.url);
}
installCjsHook({ include: includeFromEnv() });
