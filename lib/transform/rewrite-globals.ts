/**
 * References to the global `Math`, `Number`, `isNaN`, `isFinite` and `Function` become
 * `__zy.Math` etc., so `Math.sin(x)`, `Math.PI` and `const { sqrt } = Math`
 * see the runtime's traced-aware versions (and code built by `Function(…)` is rewritten). Only references that resolve to no
 * declaration in the file are rewritten (a file's own `Math` is kept), never
 * assignment targets, and not inside `with` bodies (dynamic resolution).
 * `globalThis.Math` / `window.Math` are property accesses and stay as written.
 */
import type { Rewriter } from './context.js';
import { parentOf } from './context.js';

export const REWRITTEN_GLOBALS: ReadonlySet<string> = new Set(['Math', 'Number', 'isNaN', 'isFinite', 'Function']);

export const rewriteGlobals: Rewriter = {
  name: 'globals',
  test: (node, ctx) =>
    node.type === 'Identifier' &&
    REWRITTEN_GLOBALS.has(node.name) &&
    ctx.scope.freeRefs.has(node) &&
    !ctx.scope.writes.has(node) &&
    !ctx.scope.withRefs.has(node),
  rewrite(node, ctx) {
    if (node.type !== 'Identifier') return;
    const parent = parentOf(ctx);
    // `{ Math }` in an object literal is shorthand for `{ Math: Math }`.
    if (parent && parent.type === 'Property' && parent.shorthand) {
      ctx.ed.replace(node, `${node.name}: __zy.${node.name}`);
    } else {
      ctx.ed.replace(node, `__zy.${node.name}`);
    }
  },
};
