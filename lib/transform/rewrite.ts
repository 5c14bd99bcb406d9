/**
 * The rewrite pass: one bottom-up walk applying the rewriters below, in order,
 * to every node. Also manages hoist targets for temporaries and the
 * semicolon guard against automatic-semicolon-insertion hazards.
 */
import type * as acorn from 'acorn';
import { children, type Node } from './ast.js';
import type { RewriteContext, RewriteOptions, Rewriter } from './context.js';
import { Editor } from './edit.js';
import type { Parsed } from './parse.js';
import { rewriteCompoundAssignment, rewriteUpdate } from './rewrite-assign.js';
import { rewriteGlobals } from './rewrite-globals.js';
import { rewriteBuiltinCall, rewriteDirectEval } from './rewrite-builtins.js';
import {
  rewriteBinaryInline,
  rewriteCompoundInline,
  rewriteMathCallInline,
  rewriteTypeofInline,
  rewriteUnaryInline,
  rewriteUpdateInline,
} from './rewrite-inline.js';
import { rewriteBinary, rewriteNot, rewriteTypeof, rewriteUnaryNumeric } from './rewrite-operators.js';
import {
  rewritePrivateAssign,
  rewritePrivateCall,
  rewritePrivateIn,
  rewritePrivateRead,
  rewritePrivateUpdate,
} from './rewrite-private.js';
import { rewriteSortComparator } from './rewrite-sort.js';
import { rewriteMemberStore, rewriteMutatingCall, rewriteObjectAssign } from './rewrite-stores.js';
import { rewriteLogical, rewriteSwitch, rewriteTests } from './rewrite-truthiness.js';
import { analyzeScopes, type ScopeInfo } from './scope.js';
import { Temporaries, type TargetKind } from './temporaries.js';

/**
 * Every construct's rewrite, tried in this order on each node (after its
 * children); the first whose test accepts the node rewrites it. The inline
 * fast paths come before the plain runtime calls they specialise; the
 * `#private` rewrites before the update and compound rewrites (which would
 * otherwise take private targets).
 */
export const REWRITERS: readonly Rewriter[] = [
  rewriteGlobals,
  rewriteBuiltinCall,
  rewriteDirectEval,
  rewritePrivateRead,
  rewritePrivateCall,
  rewritePrivateAssign,
  rewritePrivateUpdate,
  rewritePrivateIn,
  rewriteBinaryInline,
  rewriteBinary,
  rewriteUnaryInline,
  rewriteUnaryNumeric,
  rewriteNot,
  rewriteTypeofInline,
  rewriteTypeof,
  rewriteUpdateInline,
  rewriteUpdate,
  rewriteCompoundInline,
  rewriteCompoundAssignment,
  rewriteLogical,
  rewriteTests,
  rewriteSwitch,
  rewriteMathCallInline,
  rewriteMemberStore,
  rewriteMutatingCall,
  rewriteObjectAssign,
  rewriteSortComparator,
];

export interface RewriteResult {
  ed: Editor;
  scope: ScopeInfo;
  /** Temporaries to declare at program level (with the prologue). */
  programTemps: string[];
  /** Offset where the prologue goes (after directives), and whether it follows a directive. */
  prologueAt: number;
  afterDirective: boolean;
}

function isFunctionNode(node: Node): node is acorn.Function & Node {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

function hasStatementList(node: Node): boolean {
  return node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock' || node.type === 'SwitchCase';
}

export function rewriteProgram(code: string, parsed: Parsed, options: RewriteOptions): RewriteResult {
  const ed = new Editor(code, parsed.tokens);
  const scope = analyzeScopes(parsed.ast, parsed.sourceType);
  const temps = new Temporaries(ed, scope.allNames);
  const ancestors: Node[] = [];
  const ctx: RewriteContext = { ed, options, scope, temps, ancestors };
  let programTemps: string[] = [];

  /** Hoist-target kind of `node` given its parent, when it opens one. */
  const targetKind = (node: Node, parent: Node | undefined, inParams: boolean): TargetKind | null => {
    if (node.type === 'Program') return 'program';
    if (isFunctionNode(node)) return node.body.type === 'BlockStatement' ? 'function' : 'arrow-expression';
    if (node.type === 'StaticBlock') return 'static-block';
    if (parent && parent.type === 'PropertyDefinition' && parent.value === node) return 'expression';
    if (inParams && parent && parent.type === 'AssignmentPattern' && parent.right === node) return 'expression';
    if (inParams && parent && parent.type === 'Property' && parent.computed && parent.key === node) return 'expression';
    return null;
  };

  const visit = (node: Node, inParams: boolean): void => {
    const parent = ancestors[ancestors.length - 1];
    const kind = targetKind(node, parent, inParams);
    if (kind) temps.push(kind, node);
    ancestors.push(node);
    if (isFunctionNode(node)) {
      if (node.type !== 'ArrowFunctionExpression' && node.id) visit(node.id, false);
      for (const p of node.params) visit(p, true);
      visit(node.body, false);
    } else {
      // Nested functions reset `inParams` themselves; classes in params keep it off.
      const childParams = inParams && node.type !== 'ClassExpression';
      for (const child of children(node)) visit(child, childParams);
    }
    ancestors.pop();
    for (const r of REWRITERS) {
      if (r.test(node, ctx)) {
        r.rewrite(node, ctx);
        break;
      }
    }
    if (hasStatementList(node)) guardStatements(node, ed);
    if (kind) {
      const names = temps.pop();
      if (kind === 'program') programTemps = names;
    }
  };
  visit(parsed.ast, false);

  let prologueAt = parsed.ast.body.length > 0 ? parsed.ast.body[0]!.start : code.length;
  let afterDirective = false;
  for (const stmt of parsed.ast.body) {
    if (stmt.type === 'ExpressionStatement' && typeof (stmt as acorn.ExpressionStatement & { directive?: string }).directive === 'string') {
      prologueAt = stmt.end;
      afterDirective = true;
    } else break;
  }
  return { ed, scope, programTemps, prologueAt, afterDirective };
}

/**
 * A statement that now starts with `(` while the original did not could be
 * glued to the previous line by ASI (`a\n(b…)` is a call). Statements in a
 * list get a leading `;` in that case (an empty statement, always harmless).
 */
function guardStatements(node: Node, ed: Editor): void {
  let body: readonly Node[];
  if (node.type === 'SwitchCase') body = node.consequent;
  else if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') body = node.body;
  else return;
  for (const stmt of body) {
    if (stmt.type === 'ExpressionStatement' && ed.code[stmt.start] !== '(' && ed.startsWithParen(stmt.start)) {
      ed.prefix(stmt.start, ';');
    }
  }
}
