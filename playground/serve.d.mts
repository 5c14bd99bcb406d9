// Types of serve.mjs, for the end-to-end tests (TypeScript).
export function serve(dir: string, port: number): Promise<{ url: string; close: () => Promise<void> }>;
