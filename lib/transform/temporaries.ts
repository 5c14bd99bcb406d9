/**
 * Function-scoped temporaries (`__zy$N`) for rewrites that must evaluate an
 * object, key or operand once (compound assignment and updates on non-trivial
 * member expressions, postfix values, the operands of inline fast paths). Each
 * temporary is declared with `var` in the nearest hoist target:
 * - a function / program / class static block body: `var __zy$1, __zy$2;`
 *   after the directive prologue;
 * - an arrow with an expression body: the body becomes `{ var …; return (…); }`;
 * - a class field initializer or a parameter default: the expression is
 *   wrapped as `(() => { var …; return …; })()` (arrows keep `this`,
 *   `arguments`, `super` and `new.target`; parameter scopes cannot see body
 *   `var`s).
 *
 * A temporary is live from where it is assigned to the end of the node being
 * rewritten (the site): source order is evaluation order in rewritten code, and at one
 * source offset a deeper site ends first (`f(a * b)`: `a * b` is done before `f(…)`
 * uses its value). Two sites whose live ranges do not overlap share a temporary
 * (`a * b; c * d` use one; so do `x * 2` and the `+` of `x * 2 + y`), as an engine
 * shares registers between expressions: each `var` is a slot in every frame of its
 * function, and a deep recursion must fit in as many frames rewritten as plain.
 */

/** Moments of the rewritten code's evaluation, ordered: offsets in source order, then by depth. */
const DEPTHS = 1 << 12;
/** When a site at `depth` starting at `offset` begins (outer sites begin first). */
const begins = (offset: number, depth: number): number => offset * 2 * DEPTHS + Math.min(depth, DEPTHS - 1);
/** When a site at `depth` ending at `offset` is done (inner sites are done first). */
const ends = (offset: number, depth: number): number => offset * 2 * DEPTHS + 2 * DEPTHS - 1 - 2 * Math.min(depth, DEPTHS / 2 - 1);
import type * as acorn from 'acorn';
import type { Node } from './ast.js';
import type { Editor } from './edit.js';
import { tokenAtOrAfter } from './parse.js';

export type TargetKind = 'program' | 'function' | 'arrow-expression' | 'static-block' | 'expression';

/** One declared temporary and the moments `[from, to)` over which sites hold it. */
interface Temporary {
  name: string;
  live: [number, number][];
  /** The latest end of those ranges (sites mostly come in source order: a quick "free"). */
  end: number;
}

/** Whether no range in `live` overlaps `[from, to)`; the latest ranges, likeliest to, first. */
function isFree(t: Temporary, from: number, to: number): boolean {
  if (from >= t.end) return true;
  for (let i = t.live.length - 1; i >= 0; i--) {
    const [start, end] = t.live[i]!;
    if (start < to && from < end) return false;
  }
  return true;
}

interface Target {
  kind: TargetKind;
  node: Node;
  temporaries: Temporary[];
  /** Temporaries kept by key ({@link Temporaries.keptIn}). */
  kept?: Map<string, string>;
}

/** The end of a body's directive prologue (`"use strict";`), or null; one ended by ASI gets its `;`. */
function directiveEnd(body: readonly Node[], ed: Editor): number | null {
  let last: Node | null = null;
  for (const stmt of body) {
    if (stmt.type === 'ExpressionStatement' && typeof (stmt as acorn.ExpressionStatement & { directive?: string }).directive === 'string') last = stmt;
    else break;
  }
  if (last === null) return null;
  if (ed.lastToken(last) !== ';') ed.suffix(last.end, ';');
  return last.end;
}

export class Temporaries {
  private readonly stack: Target[] = [];
  private counter = 0;
  /** The node being rewritten (a temporary's live range ends with it), and its depth in the tree. */
  private site: { start: number; end: number } = { start: 0, end: 0 };
  private depth = 0;
  private parameter: string | undefined;

  constructor(
    private readonly ed: Editor,
    private readonly taken: ReadonlySet<string>,
  ) {}

  push(kind: TargetKind, node: Node): void {
    this.stack.push({ kind, node, temporaries: [] });
  }

  /** The rewrite pass is about to rewrite `node`, `depth` levels down: temporaries taken now are its. */
  enterSite(node: Node, depth: number): void {
    this.site = node;
    this.depth = depth;
  }

  /** Kind of the innermost hoist target (where {@link fresh} would declare). */
  get kind(): TargetKind | undefined {
    return this.stack[this.stack.length - 1]?.kind;
  }

  /**
   * A temporary of the innermost target, held by the node being rewritten from its start
   * or, given `afterOperand`, from the end of its operand ending there, until the node is
   * done: one that no other site holds meanwhile, or a new one.
   */
  fresh(afterOperand?: number): string {
    const target = this.stack[this.stack.length - 1];
    if (!target) throw new Error('zygote-ts transform: no hoist target for a temporary');
    const from = afterOperand === undefined ? begins(this.site.start, this.depth) : ends(afterOperand, this.depth + 1) + 1;
    const to = ends(this.site.end, this.depth);
    let temporary = target.temporaries.find((t) => isFree(t, from, to));
    if (temporary === undefined) {
      temporary = { name: this.unusedName('__zy$'), live: [], end: 0 };
      target.temporaries.push(temporary);
    }
    temporary.live.push([from, to]);
    temporary.end = Math.max(temporary.end, to);
    return temporary.name;
  }

  /**
   * The temporary kept for `key` in the hoist target of `owner` (a function's or the
   * program's, when it is one of the targets around the site; else null), which no other site
   * shares: declared in that function, it holds a value made once per call of it
   * (rewrite-outer-writes.ts).
   */
  keptIn(owner: Node, key: string): string | null {
    const target = this.stack.find((t) => t.node === owner && (t.kind === 'function' || t.kind === 'arrow-expression' || t.kind === 'program'));
    if (target === undefined) return null;
    const kept = (target.kept ??= new Map());
    const known = kept.get(key);
    if (known !== undefined) return known;
    const name = this.unusedName('__zy$');
    target.temporaries.push({ name, live: [[-Infinity, Infinity]], end: Infinity });
    kept.set(key, name);
    return name;
  }

  /** A name for a closure's parameter in rewritten text: the same one each time, which the code does not spell. */
  parameterName(): string {
    return (this.parameter ??= this.unusedName('__zy$s'));
  }

  /** `prefix` and a number the counter has not given before, making a name the code does not spell. */
  private unusedName(prefix: string): string {
    let name: string;
    do name = `${prefix}${++this.counter}`;
    while (this.taken.has(name));
    return name;
  }

  /** Pop the innermost target and declare its temporaries. Returns the names for program targets (declared by the caller with the prologue). */
  pop(): string[] {
    const target = this.stack.pop();
    if (!target || target.temporaries.length === 0) return [];
    const names = target.temporaries.map((t) => t.name);
    const decl = `var ${names.join(', ')};`;
    const { ed } = this;
    const node = target.node;
    switch (target.kind) {
      case 'program':
        return names;
      case 'function': {
        const fn = node as acorn.Function;
        const body = fn.body as acorn.BlockStatement;
        const at = directiveEnd(body.body, ed) ?? body.start + 1;
        ed.suffix(at, ` ${decl}`);
        return [];
      }
      case 'static-block': {
        const block = node as acorn.StaticBlock;
        const at = directiveEnd(block.body, ed) ?? openBrace(ed, block.start) + 1;
        ed.suffix(at, ` ${decl}`);
        return [];
      }
      case 'arrow-expression': {
        const arrow = node as acorn.ArrowFunctionExpression;
        const arrowToken = findArrow(ed, arrow);
        // `return (`: the body may start on the next line, where a bare
        // `return` would end the statement (automatic semicolon insertion).
        ed.prefix(arrowToken, ` { ${decl} return (`);
        ed.suffix(arrow.end, '); }');
        return [];
      }
      case 'expression':
        ed.wrap(node, `(() => { ${decl} return `, '; })()');
        return [];
    }
  }
}

function openBrace(ed: Editor, from: number): number {
  for (let i = tokenAtOrAfter(ed.tokens, from); i < ed.tokens.length; i++) {
    const tok = ed.tokens[i]!;
    if (ed.code.slice(tok.start, tok.end) === '{') return tok.start;
  }
  throw new Error('zygote-ts transform: static block brace not found');
}

/** Offset just after the `=>` of an arrow function (the body may be parenthesized). */
function findArrow(ed: Editor, arrow: acorn.ArrowFunctionExpression): number {
  let end = -1;
  for (let i = tokenAtOrAfter(ed.tokens, arrow.start); i < ed.tokens.length; i++) {
    const tok = ed.tokens[i]!;
    if (tok.start >= arrow.body.start) break;
    if (ed.code.slice(tok.start, tok.end) === '=>') end = tok.end;
  }
  if (end < 0) throw new Error('zygote-ts transform: arrow token not found');
  return end;
}
