/**
 * Parsing with acorn. Modules first; CommonJS and sloppy scripts (`with`,
 * octal literals, `arguments`-style code) fall back to script goal.
 */
import * as acorn from 'acorn';

export type SourceType = 'module' | 'script';

export interface Parsed {
  ast: acorn.Program;
  /** All tokens in source order (comments excluded); used to locate operators. */
  tokens: acorn.Token[];
  comments: acorn.Comment[];
  sourceType: SourceType;
}

/**
 * An import's attributes in their old spelling, `from './d.json' assert { type: 'json' }`, which
 * Node 20 runs (with a deprecation warning) and acorn does not read. Parsed as `with`, written
 * as it was: the keyword is read as `with` padded to its length, so every offset stays the same.
 */
const IMPORT_ASSERT = /((?:\bfrom\s*|\bimport\s*)(?:'[^'\n]*'|"[^"\n]*")\s*)assert(\s*\{)/g;

function parseAs(code: string, sourceType: SourceType): Parsed {
  // A hashbang after a byte order mark: Node drops the mark of an ES module and runs it; acorn
  // reads a hashbang only at offset 0. Read as a comment of the same length (`//`).
  if (code.startsWith('\uFEFF#!')) return parseAs(`//${code.slice(2)}`, sourceType);
  try {
    return parseText(code, sourceType);
  } catch (error) {
    IMPORT_ASSERT.lastIndex = 0;
    if (!(error instanceof SyntaxError) || !IMPORT_ASSERT.test(code)) throw error;
    try {
      return parseText(code.replace(IMPORT_ASSERT, '$1with  $2'), sourceType);
    } catch {
      throw error;
    }
  }
}

function parseText(code: string, sourceType: SourceType): Parsed {
  if (sourceType === 'module') return parseGoal(code, 'module');
  try {
    return parseGoal(code, 'script');
  } catch (error) {
    // A CommonJS file is a function's body to Node: `new.target` at its top level is
    // valid there (acorn's commonjs goal reads it; its tree is a script's).
    try {
      return parseGoal(code, 'commonjs');
    } catch {
      throw error;
    }
  }
}

function parseGoal(code: string, goal: SourceType | 'commonjs'): Parsed {
  const sourceType = goal === 'module' ? 'module' : 'script';
  const tokens: acorn.Token[] = [];
  const comments: acorn.Comment[] = [];
  const ast = acorn.parse(code, {
    ecmaVersion: 'latest',
    sourceType: goal,
    allowHashBang: true,
    allowReturnOutsideFunction: sourceType === 'script',
    allowAwaitOutsideFunction: sourceType === 'module',
    onToken: tokens,
    onComment: comments,
  });
  return { ast, tokens, comments, sourceType };
}

/**
 * Parse `code`. With `'auto'`, module goal is tried first and script goal is the
 * fallback; the error of the module attempt is rethrown when both fail, as it
 * is the more informative one for modern code.
 */
export function parse(code: string, sourceType: SourceType | 'auto' = 'auto'): Parsed {
  if (sourceType !== 'auto') return parseAs(code, sourceType);
  try {
    return parseAs(code, 'module');
  } catch (moduleError) {
    try {
      return parseAs(code, 'script');
    } catch {
      throw moduleError;
    }
  }
}

/** Index of the first token whose start is >= pos (binary search). */
export function tokenAtOrAfter(tokens: readonly acorn.Token[], pos: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]!.start < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The token spelling `text` between `from` and `to` (the operator between two
 * operands; parentheses and comments around operands are skipped naturally
 * because they are other tokens or not tokens at all).
 */
export function findToken(tokens: readonly acorn.Token[], from: number, to: number, text: string, code: string): acorn.Token {
  for (let i = tokenAtOrAfter(tokens, from); i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.start >= to) break;
    if (code.slice(tok.start, tok.end) === text) return tok;
  }
  throw new Error(`zygote-ts transform: operator ${text} not found between ${from} and ${to}`);
}
