/**
 * Source editing on top of magic-string. Rewriters run bottom-up (children
 * before parents), so a parent's prefix inserted at the same offset as a
 * child's prefix must come first: `prependRight` does exactly that, and
 * `appendLeft` puts a parent's suffix after its children's suffixes. Reading a
 * child with `text()` then yields the child's already-rewritten source.
 *
 * Moving an expression into a runtime call (or any place that takes one operand:
 * an argument, an assignment's right-hand side) goes through {@link Editor.wrap}
 * (the text stays where it is) or {@link Editor.operand} (the text is copied into
 * new text). Both parenthesize a comma expression, whose parentheses are not part of
 * its node: `if (p = ps[i], u)` must become `__zy.truthy((p = ps[i], u))`, not a call
 * with two arguments.
 */
import MagicString from 'magic-string';
import type * as acorn from 'acorn';
import { findToken, tokenAtOrAfter } from './parse.js';
import type { Node } from './ast.js';

/** A character a name (or keyword, or number) can end or start with. */
const NAME_CHAR = /[\p{ID_Continue}$\u200c\u200d\\]/u;
/** Text that starts (ends) with a name character, past comments; `either` markers (two-bodies.ts) hold two copies' texts, both read. */
const NAME_FIRST = /^(?:\/\*[^]*?\*\/)*[\p{ID_Continue}$\\]|^(?:\/\*[^]*?\*\/)*\/\*\uE005\*\/(?:\/\*[^]*?\*\/)*\/\*\uE006\*\/(?:\/\*[^]*?\*\/)*[\p{ID_Continue}$\\]/u;
const NAME_LAST = /[\p{ID_Continue}$\u200c\u200d](?:\/\*[^]*?\*\/)*$/u;

export class Editor {
  readonly s: MagicString;
  /** Last prefix inserted at each offset = the outermost, i.e. the first characters emitted there. */
  private readonly firstInsert = new Map<number, string>();
  /** How many edits were made so far (a node's subtree was edited if the count moved while it was visited). */
  edits = 0;

  constructor(
    readonly code: string,
    readonly tokens: readonly acorn.Token[],
  ) {
    this.s = new MagicString(code);
  }

  /** Current (rewritten) text of a node. */
  text(node: { start: number; end: number }): string {
    return this.s.slice(node.start, node.end);
  }

  original(node: { start: number; end: number }): string {
    return this.code.slice(node.start, node.end);
  }

  /**
   * `text` to be written from `start` to `end`, with a space where a name would run into the
   * source's: minified code has a keyword right before a token that is not a name
   * (`else"number".p^=0`, `return[a][0]+=1`, `"k"in o`), and text that starts (ends) with a
   * name there would be read as one longer name (`else__zy$1 = …`: no `else` any more).
   */
  private spaced(start: number, end: number, text: string): string {
    const code = this.code;
    if (start > 0 && NAME_CHAR.test(code[start - 1]!) && NAME_FIRST.test(text)) text = ` ${text}`;
    if (end >= 0 && end < code.length && NAME_CHAR.test(code[end]!) && NAME_LAST.test(text)) text = `${text} `;
    return text;
  }

  prefix(pos: number, text: string): void {
    this.s.prependRight(pos, this.spaced(pos, -1, text));
    this.firstInsert.set(pos, text);
    this.edits++;
  }

  suffix(pos: number, text: string): void {
    this.s.appendLeft(pos, this.spaced(-1, pos, text));
    this.edits++;
  }

  /** Puts `before` and `after` around `node`, which stays one operand between them (see the file header). */
  wrap(node: Node, before: string, after: string): void {
    const sequence = node.type === 'SequenceExpression';
    this.prefix(node.start, sequence ? `${before}(` : before);
    this.suffix(node.end, sequence ? `)${after}` : after);
  }

  /** The rewritten text of `node`, to be placed in new text as one operand (see the file header). */
  operand(node: Node): string {
    const text = this.text(node);
    return node.type === 'SequenceExpression' ? `(${text})` : text;
  }

  /** Replace a whole node by new text (which usually embeds children's `text()`). */
  replace(node: Node, text: string): void {
    this.s.overwrite(node.start, node.end, this.spaced(node.start, node.end, text));
    this.firstInsert.set(node.start, text);
    this.edits++;
  }

  /** Replace the source between two offsets (no node boundary inside may carry edits). */
  overwrite(start: number, end: number, text: string): void {
    this.s.overwrite(start, end, this.spaced(start, end, text));
    this.firstInsert.set(start, text);
    this.edits++;
  }

  /** Replace the operator token spelled `op` found between offsets `from` and `to`. */
  replaceToken(from: number, to: number, op: string, text: string): void {
    const tok = findToken(this.tokens, from, to, op, this.code);
    this.s.overwrite(tok.start, tok.end, this.spaced(tok.start, tok.end, text));
    this.firstInsert.set(tok.start, text);
    this.edits++;
  }

  /** The text of the last token of `node` (before its end offset). */
  lastToken(node: { end: number }): string {
    const tok = this.tokens[tokenAtOrAfter(this.tokens, node.end) - 1];
    return tok === undefined ? '' : this.code.slice(tok.start, tok.end);
  }

  /** Whether the emitted text at `pos` now starts with an opening parenthesis. */
  startsWithParen(pos: number): boolean {
    const t = this.firstInsert.get(pos);
    // (after any comments: the two-bodies markers start some inserts)
    return t !== undefined && t.replace(/^(?:\/\*[^]*?\*\/)+/, '').startsWith('(');
  }
}
