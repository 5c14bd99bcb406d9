/**
 * Truthiness. A traced number is an object, so natively it is always truthy;
 * tests ask the runtime instead: `if (x)` → `if (__zy.truthy(x))`, same for
 * `while`, `do…while`, `for (;x;)` and `x ? a : b`. Tests that are booleans by
 * construction (comparisons, `!`, `in`, …) are left native.
 *
 * `a && b` / `a || b` must yield an operand itself, evaluated once:
 * `(__zy.test(a) ? b : __zy.took())` / `(__zy.test(a) ? __zy.took() : b)`.
 * `test` parks `a` in a runtime slot and returns its truthiness; `took`
 * returns and clears the slot. No user code runs between the two.
 *
 * `switch (d)` compares with `===`: discriminant and non-literal case tests go
 * through `__zy.key` (which unwraps a traced number to its value). A case test that is not a
 * constant written in the source (`case cachedT:`) is compared as `d === cachedT` is, noting a
 * match of a traced number with a stored one (a cache hit: rewrite-operators.ts `binaryMethod`),
 * so the discriminant is kept in a temporary:
 *   switch (t) { case cachedT: … }  →  switch (__zy.key(__zy$1 = t)) { case __zy.caseKeyStored(__zy$1, cachedT): … }
 */
import type { Node } from './ast.js';
import { isSyntacticBoolean } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { group, runtime } from './context.js';
import { isWrittenConstant } from './rewrite-operators.js';
import { tempsAvailable } from './rewrite-inline.js';

/** `&&`/`||` (not `??`), which become boolean-valued when only their truthiness is asked. */
function isTruthinessLogical(node: Node): boolean {
  return node.type === 'LogicalExpression' && node.operator !== '??';
}

/**
 * Whether only the truthiness of `node` is observed: it is the test of an
 * `if`/loop/`?:`, the operand of `!`, or an operand of `&&`/`||` that is
 * itself in such a position. There `a && b` can become
 * `__zy.truthy(a) && __zy.truthy(b)` (cheaper than preserving the operand).
 */
export function inBooleanContext(node: Node, ctx: RewriteContext, depth = 1): boolean {
  const parent = ctx.ancestors[ctx.ancestors.length - depth];
  if (!parent) return false;
  switch (parent.type) {
    case 'IfStatement':
    case 'WhileStatement':
    case 'DoWhileStatement':
    case 'ForStatement':
    case 'ConditionalExpression':
      return parent.test === node;
    case 'UnaryExpression':
      return parent.operator === '!';
    case 'LogicalExpression':
      return parent.operator !== '??' && inBooleanContext(parent, ctx, depth + 1);
    default:
      return false;
  }
}

/** Whether a test needs no `__zy.truthy`: boolean by construction, or a logical already made boolean. */
export function isBooleanTest(node: Node): boolean {
  return isSyntacticBoolean(node) || isTruthinessLogical(node);
}

function truthy(test: Node | null | undefined, ctx: RewriteContext): void {
  if (!test || isBooleanTest(test)) return;
  ctx.ed.wrap(test, `${runtime('truthy')}(`, ')');
}

export const rewriteTests: Rewriter = {
  name: 'tests',
  types: ['IfStatement', 'WhileStatement', 'DoWhileStatement', 'ForStatement', 'ConditionalExpression'],
  test: (node) =>
    node.type === 'IfStatement' || node.type === 'WhileStatement' || node.type === 'DoWhileStatement' ||
    node.type === 'ForStatement' || node.type === 'ConditionalExpression',
  rewrite(node, ctx) {
    switch (node.type) {
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'ForStatement':
      case 'ConditionalExpression':
        truthy(node.test, ctx);
        break;
      default:
        break;
    }
  },
};

export const rewriteLogical: Rewriter = {
  name: 'logical',
  types: ['LogicalExpression'],
  test: (node) => node.type === 'LogicalExpression' && node.operator !== '??' && !isSyntacticBoolean(node),
  rewrite(node, ctx) {
    if (node.type !== 'LogicalExpression') return;
    if (inBooleanContext(node, ctx)) {
      truthy(node.left, ctx);
      truthy(node.right, ctx);
      return;
    }
    if (isSyntacticBoolean(node.left)) return; // a boolean left operand is its own truthiness
    const bare = group(node, ctx, '') === '';
    const open = bare ? '' : '(';
    const close = bare ? '' : ')';
    ctx.ed.prefix(node.start, `${open}${runtime('test')}(`);
    if (node.operator === '&&') {
      ctx.ed.replaceToken(node.left.end, node.right.start, '&&', ') ?');
      ctx.ed.suffix(node.end, ` : ${runtime('took')}()${close}`);
    } else {
      ctx.ed.replaceToken(node.left.end, node.right.start, '||', `) ? ${runtime('took')}() :`);
      ctx.ed.suffix(node.end, close);
    }
  },
};

export const rewriteSwitch: Rewriter = {
  name: 'switch',
  types: ['SwitchStatement'],
  test: (node) => node.type === 'SwitchStatement',
  rewrite(node, ctx) {
    if (node.type !== 'SwitchStatement') return;
    const stored = (test: Node | null | undefined): test is Node => test != null && test.type !== 'Literal' && !isWrittenConstant(test, ctx);
    // (`switch (true) { case x > 0: … }` compares booleans: nothing to note; where no temporary can
    // be declared, code a direct eval runs, the cases are compared as before, with no note)
    const noted = !isWrittenConstant(node.discriminant, ctx) && !isSyntacticBoolean(node.discriminant) && node.cases.some((c) => stored(c.test)) && tempsAvailable(ctx);
    const discriminant = noted ? ctx.temps.fresh() : null;
    ctx.ed.wrap(node.discriminant, `${runtime('key')}(${discriminant === null ? '' : `${discriminant} = `}`, ')');
    for (const c of node.cases) {
      if (!c.test || c.test.type === 'Literal') continue;
      if (discriminant !== null && stored(c.test)) ctx.ed.wrap(c.test, `${runtime('caseKeyStored')}(${discriminant}, `, ')');
      else ctx.ed.wrap(c.test, `${runtime('key')}(`, ')');
    }
  },
};
