/**
 * `xs.sort(cmp)` and `xs.toSorted(cmp)`: the built-in sort converts the
 * comparator's result to a number itself, so `(a, b) => a - b` on traced
 * numbers would read a traced difference through `valueOf` — a lost
 * derivative in strict mode, though only its sign matters. The comparator is
 * wrapped so that a traced result becomes -1, 0 or 1 by comparison (which
 * loses nothing: the order is piecewise constant); any other result, and any
 * argument that is not a function, is passed on unchanged.
 *
 *   xs.sort(cmp)  →  xs.sort(((f) => typeof f !== "function" ? f : (a, b) => { … })(cmp))
 */
import type { Node } from './ast.js';
import type { Rewriter } from './context.js';
import { runtime } from './context.js';

const SORTS: ReadonlySet<string> = new Set(['sort', 'toSorted']);

const WRAPPER =
  '((f) => typeof f !== "function" ? f : (a, b) => { const c = f(a, b); ' +
  `return typeof c === "object" && c !== null && ${runtime('typeOf')}(c) === "number" ? (${runtime('lt')}(c, 0) ? -1 : ${runtime('gt')}(c, 0) ? 1 : 0) : c; })`;

export const rewriteSortComparator: Rewriter = {
  name: 'sort-comparator',
  types: ['CallExpression'],
  test(node) {
    if (node.type !== 'CallExpression' || node.arguments.length !== 1) return false;
    const arg = node.arguments[0]!;
    if (arg.type === 'SpreadElement' || arg.type === 'Literal' || (arg.type === 'Identifier' && arg.name === 'undefined')) return false;
    const callee = node.callee;
    return callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && SORTS.has(callee.property.name);
  },
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    ctx.ed.wrap(node.arguments[0] as Node, `${WRAPPER}(`, ')');
  },
};
