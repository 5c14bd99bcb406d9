// Types of build.mjs, for the end-to-end tests (TypeScript).
export function buildPlayground(options?: { outdir?: string; watch?: boolean; minify?: boolean }): Promise<() => Promise<void>>;
