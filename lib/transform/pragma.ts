/**
 * `@zygote-ignore`, read from a file's text: the comments before its first token. Read
 * from the text (not from a parse) so that TypeScript is checked before esbuild strips
 * it, which drops the comments: the loader, the esbuild plugin and the Vite plugin ask
 * here about the file as written.
 */
import { IGNORE_PRAGMA } from './prologue.js';

/** Offset after the comment or whitespace run starting at `at`, or `at` when there is none. */
function skipTrivia(code: string, at: number, comments: string[]): number {
  let i = at;
  for (;;) {
    while (i < code.length && /\s|\uFEFF/.test(code[i]!)) i++;
    if (code.startsWith('//', i) || (i === 0 && code.startsWith('#!'))) {
      const end = code.slice(i).search(/[\n\r\u2028\u2029]/);
      const stop = end < 0 ? code.length : i + end;
      comments.push(code.slice(i, stop));
      i = stop;
    } else if (code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      const stop = end < 0 ? code.length : end + 2;
      comments.push(code.slice(i, stop));
      i = stop;
    } else return i;
  }
}

/**
 * Whether a comment before the file's first token says `@zygote-ignore`: a line comment that
 * starts with it (`// @zygote-ignore (why)`), or a line of a block comment that does
 * (`/** @zygote-ignore *\/`, a JSDoc tag). A comment that only mentions it (`// files marked
 * @zygote-ignore are …`) does not: such a header left its whole file unrewritten, and every
 * gradient through it was followed only where the runtime could see a traced number escape.
 */
export function hasIgnorePragma(code: string): boolean {
  const comments: string[] = [];
  skipTrivia(code, 0, comments);
  return comments.some((c) => c.split(/[\n\r\u2028\u2029]/).some((line) => PRAGMA_LINE.test(line)));
}

/** A comment's line that begins (after `//`, `/*`, `*` and spaces) with the pragma, then no more of a name. */
const PRAGMA_LINE = new RegExp(`^\\s*(?:\\/\\/|\\/\\*+|\\*)?\\s*${IGNORE_PRAGMA}(?![\\w-])`);
