/**
 * The rewrite pass: one bottom-up walk applying the rewriters below, in order,
 * to every node. Also manages hoist targets for temporaries and the
 * semicolon guard against automatic-semicolon-insertion hazards.
 *
 * The rewriters' headers write a runtime call as `__zy.f(x)`; it is emitted as
 * `(0, __zy.f)(x)`, without a receiver (see `runtime` in context.ts).
 */
import type * as acorn from 'acorn';
import { children, isFunction, type Node } from './ast.js';
import type { RewriteContext, RewriteOptions, Rewriter } from './context.js';
import { Editor } from './edit.js';
import { tokenAtOrAfter, type Parsed } from './parse.js';
import { rewriteCompoundAssignment, rewriteUpdate } from './rewrite-assign.js';
import { rewriteBuiltinCalls, rewriteGlobalFunctions, rewriteGlobalObjectCalls, rewriteGlobalPredicates, rewriteGlobalCallInWith, rewriteMathComputedRead, rewriteMathDestructured, rewriteNumberCallback, rewriteNumberPredicateCall } from './rewrite-globals.js';
import { rewriteBindNoted, rewriteBuiltinCall, rewriteObjectIsAliasCall, rewriteBuiltinRead, rewriteCollectionSubclass, rewriteSizedSubclass, rewriteSearchCallback, rewriteConstruct, rewriteDataRead, rewriteDirectEval, rewriteSearchCall, rewriteSearchCallThroughCall, rewriteSizeArguments } from './rewrite-builtins.js';
import { rewriteImportedCall, rewriteImportedCallback, rewriteImportedConstruct } from './rewrite-imports.js';
import {
  rewriteBinaryInline,
  rewriteCompoundInline,
  rewriteMathCallInline,
  rewriteTypeofInline,
  rewriteUnaryInline,
  rewriteUpdateInline,
} from './rewrite-inline.js';
import { rewriteBinary, rewriteInstanceof, rewriteNot, rewriteTypeof, rewriteUnaryNumeric } from './rewrite-operators.js';
import {
  rewritePrivateAssign,
  rewritePrivateCall,
  rewritePrivateChain,
  rewritePrivateTag,
  rewritePrivateIn,
  rewritePrivateAccessor,
  rewritePrivateRead,
  rewritePrivateTarget,
  rewritePrivateUpdate,
} from './rewrite-private.js';
import { rewriteIteratorResult, rewritePredicate, rewriteSortComparator } from './rewrite-callbacks.js';
import { rewriteFieldInitializer, rewritePrivateFieldInitializer, rewriteMemberStore, rewriteMutatingCall, rewriteObjectAssign, rewritePatternTarget, rewriteWithObject } from './rewrite-stores.js';
import { rewriteConversionResult } from './rewrite-conversions.js';
import { rewriteArrowSuperCall, rewriteArrowThis, rewriteConstructorResult, rewriteInstanceAlias, rewriteInstanceBind } from './rewrite-this.js';
import { rewriteLogical, rewriteSwitch, rewriteTests } from './rewrite-truthiness.js';
import { numbersIntoLoop } from './rewrite-loops.js';
import { rewriteCatchClause, rewriteTryFinally } from './rewrite-catch.js';
import { noteOuterWrite } from './rewrite-outer-writes.js';
import { analyzeScopes, type ScopeInfo } from './scope.js';
import { Temporaries, type TargetKind } from './temporaries.js';
import { markOneBody, markRunsWhenever, markTwin, markTwinCall, markTwoBodies, twinCandidates, wantsTwoBodies } from './two-bodies.js';

/**
 * Every construct's rewrite, tried in this order on each node (after its
 * children); the first whose test accepts the node rewrites it. The inline
 * fast paths come before the plain runtime calls they specialise; the
 * `#private` rewrites before the update and compound rewrites (which would
 * otherwise take private targets).
 */
export const REWRITERS: readonly Rewriter[] = [
  rewriteGlobalFunctions,
  rewriteMathComputedRead,
  rewriteGlobalPredicates,
  rewriteMathDestructured,
  rewriteBuiltinCalls,
  rewriteNumberCallback,
  rewriteGlobalObjectCalls,
  rewriteNumberPredicateCall,
  rewriteGlobalCallInWith,
  rewriteBuiltinCall,
  rewriteObjectIsAliasCall,
  rewriteBuiltinRead,
  rewriteDirectEval,
  rewriteSearchCall,
  rewriteSearchCallThroughCall,
  rewriteCollectionSubclass,
  rewriteSizedSubclass,
  rewriteImportedCall,
  rewriteImportedCallback,
  rewriteImportedConstruct,
  rewriteSearchCallback,
  rewriteSizeArguments,
  rewriteConstruct,
  rewritePrivateRead,
  rewritePrivateTarget,
  rewriteDataRead,
  rewritePrivateCall,
  rewritePrivateAssign,
  rewritePrivateUpdate,
  rewritePrivateIn,
  rewritePrivateChain,
  rewritePrivateTag,
  rewritePrivateAccessor,
  rewriteBinaryInline,
  rewriteBinary,
  rewriteInstanceof,
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
  rewriteFieldInitializer,
  rewritePrivateFieldInitializer,
  rewritePatternTarget,
  rewriteWithObject,
  rewriteMutatingCall,
  rewriteObjectAssign,
  rewriteSortComparator,
  rewritePredicate,
  rewriteIteratorResult,
  rewriteArrowThis,
  rewriteArrowSuperCall,
  rewriteInstanceBind,
  rewriteInstanceAlias,
  rewriteConversionResult,
  rewriteConstructorResult,
  rewriteBindNoted,
  rewriteCatchClause,
  rewriteTryFinally,
];

const BY_TYPE = new Map<string, readonly Rewriter[]>();

/** The rewriters that may take a node of `type`, in REWRITERS order. */
function rewritersOf(type: string): readonly Rewriter[] {
  let list = BY_TYPE.get(type);
  if (list === undefined) BY_TYPE.set(type, (list = REWRITERS.filter((r) => (r.types as readonly string[]).includes(type))));
  return list;
}

export interface RewriteResult {
  ed: Editor;
  scope: ScopeInfo;
  /** Temporaries to declare at program level (with the prologue). */
  programTemps: string[];
  /** Offset where the prologue goes (after directives), and whether it follows a directive. */
  prologueAt: number;
  afterDirective: boolean;
}

function hasStatementList(node: Node): boolean {
  return node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock' || node.type === 'SwitchCase';
}

export function rewriteProgram(code: string, parsed: Parsed, options: RewriteOptions): RewriteResult {
  const ed = new Editor(code, parsed.tokens);
  const scope = analyzeScopes(parsed.ast, parsed.sourceType);
  const temps = new Temporaries(ed, scope.allNames);
  const ancestors: Node[] = [];
  const ctx: RewriteContext = { ed, options, scope, temps, ancestors, moduleCode: parsed.sourceType === 'module' };
  // Top-level functions that may get twins, and calls of them (two-bodies.ts).
  const twins = options.twoBodies ? twinCandidates(parsed.ast, scope, parsed.sourceType) : new Map<string, Node>();
  let programTemps: string[] = [];

  /** Hoist-target kind of `node` given its parent, when it opens one. */
  const targetKind = (node: Node, parent: Node | undefined, inParams: boolean): TargetKind | null => {
    if (node.type === 'Program') return 'program';
    if (isFunction(node)) return node.body.type === 'BlockStatement' ? 'function' : 'arrow-expression';
    if (node.type === 'StaticBlock') return 'static-block';
    if (parent && parent.type === 'PropertyDefinition' && parent.value === node) return 'expression';
    if (inParams && parent && parent.type === 'AssignmentPattern' && parent.right === node) return 'expression';
    if (inParams && parent && parent.type === 'Property' && parent.computed && parent.key === node) return 'expression';
    return null;
  };

  /** Nodes whose text the rewrite changed (the guards below look at statements and class fields). */
  const edited = new Set<Node>();
  /**
   * Per enclosing function: edits made inside its nested functions and their text's length,
   * and edits made in its own body (not counting nested functions): two-bodies.ts.
   */
  const functions: { nestedEdits: number; nestedText: number; bodyEdits: number }[] = [];

  const visit = (node: Node, inParams: boolean): void => {
    const editsBefore = ed.edits;
    const parent = ancestors[ancestors.length - 1];
    const kind = targetKind(node, parent, inParams);
    if (kind) temps.push(kind, node);
    ancestors.push(node);
    let fn: { nestedEdits: number; nestedText: number; bodyEdits: number } | null = null;
    if (isFunction(node)) {
      functions.push((fn = { nestedEdits: 0, nestedText: 0, bodyEdits: 0 }));
      if (node.type !== 'ArrowFunctionExpression' && node.id) visit(node.id, false);
      const paramsFrom = ed.edits;
      for (const p of node.params) visit(p, true);
      // (defaults run when the function is called: two-bodies.ts)
      if (options.twoBodies && ed.edits > paramsFrom) markRunsWhenever(node.params[0]!.start, node.params[node.params.length - 1]!.end, ed);
      const bodyFrom = ed.edits - fn.nestedEdits;
      visit(node.body, false);
      fn.bodyEdits = ed.edits - fn.nestedEdits - bodyFrom;
    } else {
      // Nested functions reset `inParams` themselves; classes in params keep it off.
      const childParams = inParams && node.type !== 'ClassExpression';
      for (const child of children(node)) visit(child, childParams);
    }
    ancestors.pop();
    if (node.type === 'CallExpression' && node.callee.type === 'Identifier' && twins.has(node.callee.name) && scope.isProgramLevel(node.callee)) {
      markTwinCall(node.callee, ed);
    }
    for (const r of rewritersOf(node.type)) {
      if (r.test(node, ctx)) {
        temps.enterSite(node, ancestors.length);
        const counted = ed.edits;
        r.rewrite(node, ctx);
        if (r.uncounted) ed.edits = counted;
        break;
      }
    }
    numbersIntoLoop(node, ctx);
    noteOuterWrite(node, ctx);
    if (hasStatementList(node) || node.type === 'ClassBody') guardStatements(node, ed, edited);
    if (ed.edits > editsBefore) edited.add(node);
    if (fn) functions.pop();
    // The function to write with two bodies, if this is one (two-bodies.ts).
    const twice = fn && options.twoBodies && isFunction(node) && wantsTwoBodies(node, fn.bodyEdits, fn.nestedText, code) ? node : null;
    // An expression body is marked before its temporaries make it a block; a block body after.
    if (twice && kind === 'arrow-expression') markTwoBodies(twice, ed);
    if (kind) {
      const names = temps.pop();
      if (kind === 'program') programTemps = names;
    }
    if (twice && kind === 'function') {
      markTwoBodies(twice, ed);
      if (twins.get((twice as acorn.FunctionDeclaration).id?.name ?? '') === twice) markTwin(twice, ed);
    }
    // A function with one body, or a class field's value, must not take the version of a copy
    // it is written in: it runs whenever it is called (two-bodies.ts).
    if (fn && options.twoBodies && isFunction(node) && !twice && ed.edits > editsBefore) markOneBody(node, ed);
    if (options.twoBodies && node.type === 'PropertyDefinition' && node.value && ed.edits > editsBefore) markRunsWhenever(node.value.start, node.value.end, ed);
    const outer = fn ? functions[functions.length - 1] : undefined;
    if (outer) {
      outer.nestedEdits += ed.edits - editsBefore;
      outer.nestedText += node.end - node.start;
    }
  };
  visit(parsed.ast, false);

  let prologueAt = parsed.ast.body.length > 0 ? parsed.ast.body[0]!.start : code.length;
  let lastDirective: Node | null = null;
  for (const stmt of parsed.ast.body) {
    if (stmt.type === 'ExpressionStatement' && typeof (stmt as acorn.ExpressionStatement & { directive?: string }).directive === 'string') {
      prologueAt = stmt.end;
      lastDirective = stmt;
    } else break;
  }
  const afterDirective = lastDirective !== null;
  // The prologue follows the directives: one that ASI ended must not run on into it.
  if (lastDirective !== null && ed.s.hasChanged() && ed.lastToken(lastDirective) !== ';') terminate(lastDirective.end, ed);
  return { ed, scope, programTemps, prologueAt, afterDirective };
}

/**
 * Automatic semicolon insertion, kept. A statement that now starts with `(` while the
 * original did not could be glued to the code before it (`a\n(b…)` is a call): it gets a
 * leading `;` (an empty statement, always harmless), unless that code ends in `;`, `{`
 * or `:`. And a statement (or class field) that ended without `;`, ASI ending it before
 * the next line, may now end in a way the next line can go on from (`a++\n[b] = c`
 * was two statements; `a = __zy.inc(a)\n[b] = c` is one): a rewritten one gets its `;`.
 */
function guardStatements(node: Node, ed: Editor, edited: ReadonlySet<Node>): void {
  let body: readonly Node[];
  if (node.type === 'SwitchCase') body = node.consequent;
  else if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock' || node.type === 'ClassBody') body = node.body;
  else return;
  body.forEach((stmt, k) => {
    if (stmt.type === 'ExpressionStatement' && ed.code[stmt.start] !== '(' && ed.startsWithParen(stmt.start) && mayContinue(stmt, ed)) {
      ed.prefix(stmt.start, ';');
    }
    // (The last one is followed by `}` or the end: nothing to run on into.)
    const endsHere = node.type !== 'ClassBody' || stmt.type === 'PropertyDefinition';
    if (endsHere && k < body.length - 1 && edited.has(stmt) && !ENDS.has(ed.lastToken(stmt))) terminate(stmt.end, ed);
  });
}

const ENDS_OR_OPENS = new Set([';', '{', ':']);
const ENDS = new Set([';', '}']);

/** Whether the code before `stmt` could go on into it (there is such code, and it does not end in `;`, `{` or `:`). */
function mayContinue(stmt: Node, ed: Editor): boolean {
  const before = ed.tokens[tokenAtOrAfter(ed.tokens, stmt.start) - 1];
  return before !== undefined && !ENDS_OR_OPENS.has(ed.code.slice(before.start, before.end));
}

/** Ends a statement that ASI ended, explicitly: `;` after everything else written at `end`. */
function terminate(end: number, ed: Editor): void {
  ed.suffix(end, ';');
}
