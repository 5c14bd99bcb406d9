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

/** Whether a comment before the file's first token says `@zygote-ignore`. */
export function hasIgnorePragma(code: string): boolean {
  const comments: string[] = [];
  skipTrivia(code, 0, comments);
  return comments.some((c) => c.includes(IGNORE_PRAGMA));
}
