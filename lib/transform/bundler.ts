/**
 * What the bundler plugins (vite.ts, esbuild.ts) share: their cache option, and the
 * module a rewritten file takes `__zy` from.
 *
 * That module is the runtime, except for a file whose rewritten code calls `Function(…)`:
 * the body such a call compiles is rewritten when it is called (numeric.js generates its
 * loops so), which needs the source rewriter in the page. Such a file takes `__zy` from
 * `zygote-ts/recompile` instead, which provides the rewriter and re-exports the runtime, so
 * the rewriter (~170 KB minified) is bundled only into apps that need it
 * (lib/source-rewriter.ts).
 */
import { dirname, join } from 'node:path';
import { cacheFromEnv, openCache, type TransformCache } from './cache.js';
import { RUNTIME_PATH } from './filter.js';
import type { TransformResult } from './transform.js';

/** Absolute path of the built `zygote-ts/recompile`: the runtime, with the source rewriter. */
export const RECOMPILE_PATH: string = join(dirname(RUNTIME_PATH), 'recompile.js');

/** The package's own name. */
export const OWN_NAME = 'zygote-ts';

/**
 * The package's name for the runtime module a rewritten file imports by its path
 * (`zygote-ts/runtime`, `zygote-ts/recompile`), or undefined for another module. A build
 * that leaves zygote-ts to be loaded at run time (Vite's SSR build, esbuild's `packages:
 * 'external'`) must leave the runtime so too: bundled from its path, it was a second copy of
 * the library beside the one the app imports, and every gradient of rewritten arithmetic
 * stopped with "a traced number from another copy of zygote-ts".
 */
export function ownSpecifier(path: string): string | undefined {
  if (path === RUNTIME_PATH) return `${OWN_NAME}/runtime`;
  if (path === RECOMPILE_PATH) return `${OWN_NAME}/recompile`;
  return undefined;
}

/** The cache a plugin's `cache` option asks for: a folder, `false` for none, or as the environment says. */
export function cacheOf(option: string | false | undefined): TransformCache | null {
  if (option === false) return null;
  return option === undefined ? cacheFromEnv() : openCache(option);
}

/**
 * `rewrite(specifier)` with the runtime the file needs: the given one, or — when that is the
 * default runtime and the output calls `Function(…)` or a direct `eval(…)` — `zygote-ts/recompile`. (A custom
 * runtime is kept as it is: its page imports 'zygote-ts/recompile' itself if it needs it.)
 */
export function rewriteWithRuntime(specifier: string, rewrite: (specifier: string) => TransformResult): TransformResult {
  const out = rewrite(specifier);
  const compilesCode = out.code.includes('__zy.builtin)(Function)') || out.code.includes('__zy.evalSource)(');
  return specifier === RUNTIME_PATH && compilesCode ? rewrite(RECOMPILE_PATH) : out;
}
