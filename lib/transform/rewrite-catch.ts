/**
 * Catch clauses hand their error to the runtime first (lib/caught.ts), so that a
 * differentiation can tell when f caught one of the library's own errors (a value it cannot
 * follow) and went on down a path plain JavaScript would not take:
 *
 *   catch (e) { … }          →  catch (e) { (0, __zy.caught)(e); … }
 *   catch { … }              →  catch (__zy$caught) { (0, __zy.caught)(__zy$caught); … }
 *   catch ({ message }) { … } →  catch (__zy$caught) { let { message } = (0, __zy.caught)(__zy$caught); { … } }
 *
 * A pattern becomes a `let` around the block, which stays a scope of its own: a closure in the
 * pattern's defaults sees the names outside, not those the block declares (test262's
 * `scope-catch-block-lex-open`: `catch ([_ = p = () => x]) { let x = 'inside' }` read 'inside'). A `finally` that can leave its block (`return`, `throw`, `break`,
 * `continue`) drops the error its `try` threw: such a `try` without a catch clause gets one
 * that hands the error over and throws it again, which changes nothing else:
 *
 *   try { … } finally { return 0 }  →  try { … } catch (__zy$caught) { (0, __zy.caught)(__zy$caught); throw __zy$caught } finally { return 0 }
 *
 * The edit is no rewrite of the function's own: alone it gives the
 * function no second body (two-bodies.ts), and `caught` is no sign that code was rewritten
 * (recognize.ts), so a function whose only change is here still needs none to be differentiated.
 */
import type * as acorn from 'acorn';
import type { Node } from './ast.js';
import { children, isFunction } from './ast.js';
import type { Rewriter } from './context.js';
import { runtime } from './context.js';

const CAUGHT = '__zy$caught';

export const rewriteCatchClause: Rewriter = {
  name: 'catch-clause',
  types: ['CatchClause'],
  test: () => true,
  uncounted: true,
  rewrite(node, ctx) {
    const { param, body } = node as acorn.CatchClause;
    const { ed } = ctx;
    const open = body.start + 1; // (after the block's `{`)
    if (param === null || param === undefined) {
      ed.prefix(body.start, `(${CAUGHT}) `);
      ed.prefix(open, `${runtime('caught')}(${CAUGHT});`);
    } else if (param.type === 'Identifier') {
      ed.prefix(open, `${runtime('caught')}(${param.name});`);
    } else {
      const pattern = ed.text(param);
      ed.overwrite(param.start, param.end, CAUGHT);
      // (the block's end first: at one offset, a later prefix goes before, as in `{}`)
      ed.prefix(body.end - 1, '}');
      ed.prefix(open, `let ${pattern} = ${runtime('caught')}(${CAUGHT}); {`);
    }
  },
};

/**
 * Whether a `finally` block may complete other than normally, dropping the error in flight:
 * a `return` or `throw`, or a `break`/`continue` whose target is outside it (functions and
 * classes inside aside).
 */
function mayLeave(node: Node, inner: { loop: boolean; switch: boolean; labels: readonly string[] } = { loop: false, switch: false, labels: [] }): boolean {
  switch (node.type) {
    case 'ReturnStatement':
    case 'ThrowStatement':
      return true;
    case 'BreakStatement':
      return node.label ? !inner.labels.includes(node.label.name) : !inner.loop && !inner.switch;
    case 'ContinueStatement':
      return node.label ? !inner.labels.includes(node.label.name) : !inner.loop;
    case 'ClassDeclaration':
    case 'ClassExpression':
      return false;
    case 'LabeledStatement':
      return mayLeave(node.body, { ...inner, labels: [...inner.labels, node.label.name] });
    case 'ForStatement':
    case 'ForInStatement':
    case 'ForOfStatement':
    case 'WhileStatement':
    case 'DoWhileStatement':
      return children(node).some((child) => mayLeave(child, { ...inner, loop: true }));
    case 'SwitchStatement':
      return children(node).some((child) => mayLeave(child, { ...inner, switch: true }));
    default:
      return !isFunction(node) && children(node).some((child) => mayLeave(child, inner));
  }
}

export const rewriteTryFinally: Rewriter = {
  name: 'try-finally',
  types: ['TryStatement'],
  test: (node) => {
    const { handler, finalizer } = node as acorn.TryStatement;
    return handler == null && finalizer != null && mayLeave(finalizer);
  },
  uncounted: true,
  rewrite(node, ctx) {
    const { block } = node as acorn.TryStatement;
    ctx.ed.suffix(block.end, ` catch (${CAUGHT}) { ${runtime('caught')}(${CAUGHT}); throw ${CAUGHT} }`);
  },
};
