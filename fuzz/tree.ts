// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * Programs as trees, so that a failing one can be shrunk by replacing a subtree with a
 * smaller one and still print as valid JavaScript.
 *
 * A tree is text with holes (slots); each slot holds a subtree and says how tightly
 * what goes there must bind (the ECMAScript precedence levels below). A subtree that
 * binds more loosely than its slot allows is printed in parentheses, so whatever the
 * shrinker puts in a slot prints as the same program shape with the same meaning.
 */

/** Precedence levels, loosest first (ECMAScript's expression grammar). */
export const Prec = {
  comma: 0,
  assign: 1, // also arrow functions, `yield`, conditionals' branches
  conditional: 2,
  coalesce: 3,
  or: 4,
  and: 5,
  bitOr: 6,
  bitXor: 7,
  bitAnd: 8,
  equality: 9,
  relational: 10,
  shift: 11,
  additive: 12,
  multiplicative: 13,
  exponent: 14,
  unary: 15,
  update: 16,
  call: 17, // member access, calls, `new`, optional chains
  primary: 18,
  /** Statements and other non-expressions: never parenthesized. */
  statement: 99,
} as const;

/** What a subtree is, for the shrinker: only a subtree of the same kind may replace it. */
export type Kind = 'expression' | 'target' | 'statement' | 'other';

export interface Slot {
  readonly tree: Tree;
  /** The loosest precedence printed without parentheses here. */
  readonly min: number;
  /** An expression statement's expression: also parenthesized when it would start like a declaration or block. */
  readonly statementStart?: boolean;
}

export interface Tree {
  readonly kind: Kind;
  /** How loosely the printed text binds (a `Prec` level). */
  readonly prec: number;
  readonly parts: readonly (string | Slot)[];
  /** A list of statements whose items the shrinker may drop (a block's body, a program). */
  readonly list?: boolean;
}

export function leaf(kind: Kind, prec: number, text: string): Tree {
  return { kind, prec, parts: [text] };
}

export function node(kind: Kind, prec: number, ...parts: (string | Slot)[]): Tree {
  return { kind, prec, parts };
}

export function slot(tree: Tree, min: number): Slot {
  return { tree, min };
}

/** Statements in order, one per line (a list the shrinker may drop items from). */
export function statements(items: Tree[]): Tree {
  const parts: (string | Slot)[] = [];
  for (const item of items) parts.push(slot(item, Prec.statement), '\n');
  return { kind: 'other', prec: Prec.statement, parts, list: true };
}

/** `e;` with `e` printed in parentheses where it would start like a block, function, class or `let [`. */
export function expressionStatement(e: Tree, semicolon = ';'): Tree {
  return node('statement', Prec.statement, { tree: e, min: Prec.comma, statementStart: true }, semicolon);
}

const DECLARATION_START = /^(?:\{|function\b|async\s+function\b|class\b|let\s*\[)/;

export function print(tree: Tree): string {
  let out = '';
  for (const part of tree.parts) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const text = print(part.tree);
    const wrap = part.tree.prec < part.min || (part.statementStart === true && DECLARATION_START.test(text));
    const printed = wrap ? `(${text})` : text;
    // `-` then `-x` must not print as `--x`.
    const glued = (out.endsWith('-') && printed.startsWith('-')) || (out.endsWith('+') && printed.startsWith('+'));
    out += glued ? ` ${printed}` : printed;
  }
  return out;
}
