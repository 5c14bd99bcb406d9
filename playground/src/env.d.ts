// Modules the playground's build provides.
declare module 'virtual:examples' {
  /** File name (in playground/examples/) → source text. */
  const sources: Record<string, string>;
  export default sources;
}
declare module 'culori';
declare module '*.css';
