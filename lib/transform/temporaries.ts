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
 */
import type * as acorn from 'acorn';
import type { Node } from './ast.js';
import type { Editor } from './edit.js';
import { tokenAtOrAfter } from './parse.js';

export type TargetKind = 'program' | 'function' | 'arrow-expression' | 'static-block' | 'expression';

interface Target {
  kind: TargetKind;
  node: Node;
  names: string[];
}

function directiveEnd(body: readonly Node[]): number | null {
  let end: number | null = null;
  for (const stmt of body) {
    if (stmt.type === 'ExpressionStatement' && typeof (stmt as acorn.ExpressionStatement & { directive?: string }).directive === 'string') end = stmt.end;
    else break;
  }
  return end;
}

export class Temporaries {
  private readonly stack: Target[] = [];
  private counter = 0;

  constructor(
    private readonly ed: Editor,
    private readonly taken: ReadonlySet<string>,
  ) {}

  push(kind: TargetKind, node: Node): void {
    this.stack.push({ kind, node, names: [] });
  }

  /** Kind of the innermost hoist target (where {@link fresh} would declare). */
  get kind(): TargetKind | undefined {
    return this.stack[this.stack.length - 1]?.kind;
  }

  /** A fresh temporary declared in the innermost target. */
  fresh(): string {
    let name: string;
    do name = `__zy$${++this.counter}`;
    while (this.taken.has(name));
    const target = this.stack[this.stack.length - 1];
    if (!target) throw new Error('zygote-ts transform: no hoist target for a temporary');
    target.names.push(name);
    return name;
  }

  /** Pop the innermost target and declare its temporaries. Returns the names for program targets (declared by the caller with the prologue). */
  pop(): string[] {
    const target = this.stack.pop();
    if (!target || target.names.length === 0) return [];
    const decl = `var ${target.names.join(', ')};`;
    const { ed } = this;
    const node = target.node;
    switch (target.kind) {
      case 'program':
        return target.names;
      case 'function': {
        const fn = node as acorn.Function;
        const body = fn.body as acorn.BlockStatement;
        const at = directiveEnd(body.body) ?? body.start + 1;
        ed.suffix(at, ` ${decl}`);
        return [];
      }
      case 'static-block': {
        const block = node as acorn.StaticBlock;
        const at = directiveEnd(block.body) ?? openBrace(ed, block.start) + 1;
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
