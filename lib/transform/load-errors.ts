/**
 * What the Node loader says when it cannot compile a file: a compiler's message — where
 * (`file:line:column`, which terminals and editors open), the line, a caret under the
 * spot — and no advice that does not apply (issue 14: a TypeScript typo used to print
 * fifty lines ending with advice to leave the file unrewritten).
 * - A syntax error in TypeScript (esbuild's parser): the file is wrong; esbuild's notes, if any.
 * - A syntax error in JavaScript (acorn's): almost always the file is wrong too; the note
 *   says what to do in the other case, syntax that Node runs and the parser does not read.
 * - Anything else is the transform's own failure: name the file, and how to leave it alone.
 */

interface EsbuildMessage {
  text: string;
  location: { line: number; column: number; lineText: string } | null;
  notes?: { text: string }[];
}

/** esbuild's failure: its messages, with 1-based lines and 0-based columns. */
function esbuildMessages(error: unknown): EsbuildMessage[] | null {
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 ? (errors as EsbuildMessage[]) : null;
}

/** acorn's failure: a SyntaxError with a 1-based line and a 0-based column, and `(line:column)` at the end of its message. */
function acornLocation(error: unknown): { line: number; column: number } | null {
  const loc = (error as { loc?: { line?: unknown; column?: unknown } } | null)?.loc;
  return error instanceof SyntaxError && typeof loc?.line === 'number' && typeof loc.column === 'number' ? { line: loc.line, column: loc.column } : null;
}

const inPackage = (path: string) => path.includes('/node_modules/') || path.includes('\\node_modules\\');

/**
 * The message, `at path:line:column` (a frame: Node prints such an error as it is), then the
 * line with a caret under the column (tabs kept, so the caret lines up).
 */
function syntaxError(path: string, message: string, line: number, column: number, lineText: string, note: string | null): SyntaxError {
  const where = `${path}:${line}:${column + 1}`;
  const gutter = ' '.repeat(String(line).length);
  const error = new SyntaxError(`${where}: ${message}`);
  error.stack = [
    `SyntaxError: ${message}`,
    `    at ${where}`,
    '',
    `  ${line} | ${lineText}`,
    `  ${gutter} | ${lineText.slice(0, column).replace(/[^\t]/g, ' ')}^`,
    ...(note === null ? [] : ['', note]),
  ].join('\n');
  return error;
}

/**
 * The error that stops the load of `path` (source `code`, TypeScript or not) when compiling
 * it threw `error`.
 */
export function loadFailure(path: string, code: string, typescript: boolean, error: unknown): Error {
  const esbuildError = typescript ? esbuildMessages(error)?.[0] : undefined;
  if (esbuildError?.location) {
    const { line, column, lineText } = esbuildError.location;
    const notes = (esbuildError.notes ?? []).map((n) => n.text);
    return syntaxError(path, esbuildError.text, line, column, lineText, notes.length > 0 ? notes.join('\n') : null);
  }
  const at = typescript ? null : acornLocation(error);
  if (at !== null) {
    const message = (error as Error).message.replace(/\s*\(\d+:\d+\)$/, '');
    const leaveAlone = inPackage(path)
      ? 'leave its package out of ZYGOTE_INCLUDE (or the include option)'
      : 'put a // @zygote-ignore comment at its top';
    const note =
      `zygote-ts parses this file to rewrite it for differentiation. If it runs without zygote-ts, ` +
      `it uses syntax that zygote-ts's parser does not read: ${leaveAlone} to load it as it is.`;
    return syntaxError(path, message, at.line, at.column, code.split(/\r?\n/)[at.line - 1] ?? '', note);
  }
  if (error instanceof Error && error.message.startsWith('zygote-ts:')) return error; // says itself what to do
  const message = error instanceof Error ? error.message : String(error);
  const advice = inPackage(path)
    ? 'Leave this package out of ZYGOTE_INCLUDE (or the include option) if it need not be differentiated.'
    : 'Put a // @zygote-ignore comment at the top of the file to leave it as it is.';
  return new Error(`zygote-ts could not rewrite ${path}: ${message}. ${advice}`, { cause: error });
}
