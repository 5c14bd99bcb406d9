/**
 * `node --import zygote-ts/register file.ts`: load the runtime (which publishes
 * itself on a global symbol for CommonJS and recompiled code), then install
 * the ESM hooks (`node-hooks.ts`) and the CommonJS `require` hook.
 * Stack traces are mapped to the TypeScript sources.
 *
 * Files under node_modules are rewritten only for packages listed in the
 * `ZYGOTE_INCLUDE` environment variable (comma-separated; `*` for all).
 * Rewritten files are cached (cache.ts): `ZYGOTE_CACHE_DIR` moves the cache,
 * `ZYGOTE_CACHE=0` turns it off.
 *
 * @example
 * ```sh
 * node --import zygote-ts/register examples/seed.ts
 * ZYGOTE_INCLUDE=simple-statistics node --import zygote-ts/register stats.ts
 * ```
 */
import '../runtime.js';
import { register } from 'node:module';
import { installCjsHook } from './cjs-hook.js';
import { includeFromEnv } from './filter.js';

process.setSourceMapsEnabled(true);
register('./node-hooks.js', import.meta.url);
installCjsHook({ include: includeFromEnv() });
