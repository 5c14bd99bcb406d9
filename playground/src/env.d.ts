// Modules the playground's build provides.
declare module 'virtual:examples' {
  /** File name (in playground/examples/) → source text. */
  const sources: Record<string, string>;
  export default sources;
  /** File name → its compilation, made by the build as the page makes it (so the first run need not wait for the compiler). */
  export const compiled: Record<string, import('./compile.js').Compiled>;
}
declare module 'culori';
declare module '*.css';
declare module 'virtual:type-files' {
  /** Path in the language service's virtual file system → declaration text. */
  const files: Record<string, string>;
  export default files;
}
