/**
 * zygote-ts/vite: a Vite (and so Vitest) plugin that rewrites user modules
 * for differentiation. It runs after Vite's own transforms (`enforce: 'post'`),
 * when TypeScript is already stripped.
 *
 * @example
 * ```ts
 * // vitest.config.ts
 * import { defineConfig } from 'vitest/config';
 * import zygote from 'zygote-ts/vite';
 * export default defineConfig({ plugins: [zygote({ include: ['simple-statistics'] })] });
 * ```
 */
import { RUNTIME_PATH, shouldRewrite } from './filter.js';
import { transform } from './index.js';
import type { SourceMapV3 } from './sourcemap.js';

export interface ZygoteViteOptions {
  /** Packages under node_modules to rewrite too (`'*'` for all). Default: none. */
  include?: string[];
  /** Files to leave alone: a string matches as a path substring, a RegExp is tested against the path. */
  exclude?: (string | RegExp)[];
  /** Module every rewritten file imports `__zy` from. Default: zygote-ts's built `dist/lib/runtime.js` (absolute path). */
  runtime?: string;
}

/** The subset of Vite's plugin interface this plugin uses (no dependency on Vite's types). */
export interface ZygoteVitePlugin {
  name: string;
  enforce: 'post';
  transform(code: string, id: string): { code: string; map: SourceMapV3 | null } | null;
}

/**
 * Create the plugin.
 *
 * @example
 * ```ts
 * import zygote from 'zygote-ts/vite';
 * export default { plugins: [zygote()] };
 * ```
 */
export default function zygote(options: ZygoteViteOptions = {}): ZygoteVitePlugin {
  const specifier = options.runtime ?? RUNTIME_PATH;
  const filter = { include: options.include ?? [], exclude: options.exclude ?? [] };
  return {
    name: 'zygote-ts',
    enforce: 'post',
    transform(code, id) {
      // Virtual modules (`\0…`) and queries (`?raw`, `?worker`) are not user source files.
      if (id.startsWith('\0') || id.includes('?')) return null;
      if (id === specifier || !shouldRewrite(id, filter)) return null;
      const out = transform(code, { filename: id, runtime: { kind: 'import', specifier } });
      if (!out.changed) return null;
      return { code: out.code, map: out.map };
    },
  };
}
