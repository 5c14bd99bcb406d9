/**
 * State shared by the rewriters while one file is rewritten.
 */
import type { Node } from './ast.js';
import type { Editor } from './edit.js';
import type { ScopeInfo } from './scope.js';
import type { Temporaries } from './temporaries.js';

/** Per-file choices of the rewrite pass. */
export interface RewriteOptions {
  /**
   * Emit the plain-number fast path of arithmetic, comparisons, updates and
   * compound assignments inline at each site (`typeof a === "number" && … ? a * b : __zy.mul(a, b)`),
   * so that every site has its own V8 type feedback.
   */
  readonly inlineFastPaths: boolean;
  /**
   * Whether an inline fast path may declare temporaries at program level
   * (not in a function source, whose program is only a wrapper).
   */
  readonly programTemps: boolean;
  /** Code run by a direct `eval`: a name it does not declare may be the caller's local (not a global). */
  readonly freeNamesMayBeLocal: boolean;
  /** Mark function bodies to be written twice, one copy for tracing and one for plain numbers (two-bodies.ts). */
  readonly twoBodies: boolean;
  /**
   * Check calls of names the code does not declare as calls into a package (rewrite-imports.ts):
   * in a function recompiled from its text, or a body given to `Function(…)`, such a name is a
   * global, often a helper of the same code that was not rewritten either. In a file ('given'),
   * a global that a script or an ignored file defined: only calls in a function (or in code a
   * direct eval runs) that give it something that may be traced (`f()`, `f("a")` stay as written).
   */
  readonly checkFreeCalls?: boolean | 'given';
  /** Relative specifiers this file imports whose files are not rewritten (`// @zygote-ignore`): their functions are checked as a package's. */
  readonly ignoredImports?: ReadonlySet<string>;
}

export interface RewriteContext {
  readonly ed: Editor;
  readonly options: RewriteOptions;
  readonly scope: ScopeInfo;
  readonly temps: Temporaries;
  /** Ancestors of the node being rewritten, root first; the last one is its parent. */
  readonly ancestors: readonly Node[];
  /** Whether the code is an ES module (its top-level names are its own, not shared with other scripts). */
  readonly moduleCode: boolean;
}

/**
 * One construct's rewrite: `test` decides (cheaply, syntactically) whether the
 * node needs it, `rewrite` edits the source. Rewriters run bottom-up, so a
 * node's children are already rewritten when its own rewriter runs. The
 * first rewriter in the list whose `test` accepts a node is the only one that
 * rewrites it.
 *
 * The contract of a rewrite: JavaScript's meaning is kept for every value that is
 * not traced — each operand evaluated once, in JavaScript's order, and nothing
 * observable added (no extra property reads, no Proxy traps).
 * - To move an expression into a runtime call, use `ed.wrap(node, `${runtime('f')}(`, ')')`
 *   (text left in place) or `ed.operand(node)` (text copied into new text): they
 *   parenthesize what must be (a comma expression) so the node stays one operand.
 *   Never splice `ed.text(node)` into an argument list. Runtime functions are called
 *   through {@link runtime}, without a receiver.
 * - A replacement that is not a statement's whole expression is parenthesized
 *   ({@link group}).
 * - An operand read twice must be one that reading cannot change or observe (a
 *   declared name outside `with`); anything else goes into a temporary
 *   (`ctx.temps.fresh()`), and where none can be declared the rewrite falls back to
 *   a plain runtime call.
 */
export interface Rewriter {
  readonly name: string;
  /**
   * The node types `test` can accept: the pass asks a rewriter only about those (asking
   * every rewriter about every node was most of the transform's time).
   */
  readonly types: readonly Node['type'][];
  test(node: Node, ctx: RewriteContext): boolean;
  rewrite(node: Node, ctx: RewriteContext): void;
  /**
   * Its edits are alike in both copies of a function and do not count as the function's
   * rewrite: alone, they give it no second body (two-bodies.ts).
   */
  readonly uncounted?: boolean;
}

export function parentOf(ctx: RewriteContext, depth = 1): Node | undefined {
  return ctx.ancestors[ctx.ancestors.length - depth];
}

/** Replaces the global `name` read at `node` with `text`; a shorthand property (`{ isNaN }`) keeps its key. */
export function replaceGlobalRead(node: Node, name: string, text: string, ctx: RewriteContext): void {
  const parent = parentOf(ctx);
  const shorthand = parent !== undefined && parent.type === 'Property' && parent.shorthand;
  ctx.ed.replace(node, shorthand ? `${name}: ${text}` : text);
}

/**
 * Whether the value of `node` (the node being rewritten) is discarded: it is an
 * expression statement, a `for` init/update clause, or a non-final (or unused)
 * element of a comma sequence. Parentheses do not appear in the AST, so
 * `(x++);` counts as unused too.
 */
export function valueUnused(node: Node, ctx: RewriteContext): boolean {
  let child: Node = node;
  for (let i = ctx.ancestors.length - 1; i >= 0; i--) {
    const parent = ctx.ancestors[i]!;
    if (parent.type === 'ExpressionStatement') return true;
    if (parent.type === 'ForStatement') return parent.init === child || parent.update === child;
    if (parent.type === 'SequenceExpression') {
      if (parent.expressions[parent.expressions.length - 1] !== child) return true;
      child = parent;
      continue;
    }
    return false;
  }
  return false;
}

/**
 * Whether `node` (the node being rewritten) is written rather than read: the target of
 * an assignment or update, the head of a `for…in/of`, or a target inside a
 * destructuring pattern.
 */
export function isWriteTarget(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  if (!parent) return false;
  switch (parent.type) {
    case 'AssignmentExpression':
    case 'ForInStatement':
    case 'ForOfStatement':
      return parent.left === node;
    case 'UpdateExpression':
    case 'ArrayPattern':
    case 'RestElement':
      return true;
    case 'AssignmentPattern':
      return parent.left === node;
    case 'Property': {
      const grand = parentOf(ctx, 2);
      return grand !== undefined && grand.type === 'ObjectPattern' && parent.value === node;
    }
    default:
      return false;
  }
}

/** Whether `node` is the whole expression of an expression statement (then no wrapping parentheses are needed). */
export function isStatementExpression(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  return parent !== undefined && parent.type === 'ExpressionStatement' && parent.expression === node;
}

/**
 * The runtime's function `name` as rewritten code calls it: `(0, __zy.name)(…)`. A call
 * without a receiver takes one register less in the frame of the function making it,
 * and a deep recursion must fit in as many frames rewritten as plain (issue 13).
 */
export function runtime(name: string): string {
  return `(0, __zy.${name})`;
}

/** `text` parenthesized unless it stands alone as a statement's expression. */
export function group(node: Node, ctx: RewriteContext, text: string): string {
  return isStatementExpression(node, ctx) ? text : `(${text})`;
}

/**
 * The spelling of an object that may be read again right after it was read, with the
 * same value and no side effect: `this`, or a name declared in the file outside `with`.
 * Null for anything else (a global may be an accessor, a call runs code).
 */
export function stableObject(node: Node, ctx: RewriteContext): string | null {
  if (node.type === 'ThisExpression') return 'this';
  if (node.type === 'Identifier' && ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node)) return node.name;
  return null;
}

/**
 * `this`, or a declared name (outside `with`) that is never assigned in the file: it
 * has the same value whenever it is read, whatever code ran in between. Null otherwise.
 */
export function fixedName(node: Node, ctx: RewriteContext): string | null {
  if (node.type === 'Identifier' && ctx.scope.assignedNames.has(node.name)) return null;
  return stableObject(node, ctx);
}
