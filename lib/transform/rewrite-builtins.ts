/**
 * Calls of built-ins whose meaning on traced numbers the runtime supplies (the runtime's
 * versions behave as the built-ins do on numbers, and keep derivatives):
 * - `parseFloat(s)`, `parseInt(s, r)`, `Number.parseFloat(s)`, `Number.parseInt(s, r)`
 *   → `(0, __zy.parseFloat)(s)`, `(0, __zy.parseInt)(s, r)` (text a traced number wrote reads back
 *   as that number: rules/text.ts);
 * - `JSON.stringify(v, …)`, `JSON.parse(t, …)` → `__zy.jsonStringify(…)`, `__zy.jsonParse(…)`
 *   (a JSON round trip keeps derivatives);
 * - `Object.is(a, b)` → `__zy.objectIs(a, b)`, `structuredClone(v)` → `__zy.structuredClone(v)`
 *   (a traced number is its value: rules/builtins.ts);
 * - `Float64Array.from(…)`, `Float32Array.of(…)` & co. → `__zy.float64ArrayFrom(…)` & co. (while
 *   a differentiation runs, a typed array holding traced numbers: proxies/typed-arrays.ts);
 * - a direct `eval(code)` → `eval((0, __zy.evalSource)(code))`: still a direct eval (its callee is
 *   the name `eval`), running the rewritten code in the caller's scope.
 * (Each runtime function is spelled `(0, __zy.f)`, as everywhere: lib/transform/context.ts.)
 * Only the callee is replaced, so arguments keep their place and order; only calls of the
 * globals themselves are (names declared in the file, `with` bodies, optional calls and
 * other references such as `const { parse } = JSON` keep JavaScript's meaning).
 */
import type { Node } from './ast.js';
import { runtime, type RewriteContext, type Rewriter } from './context.js';
import { isGlobalReference } from './rewrite-globals.js';

/** `name(…)` → `__zy.entry(…)`. */
const GLOBAL_CALLS: Readonly<Record<string, string>> = {
  parseFloat: 'parseFloat',
  parseInt: 'parseInt',
  structuredClone: 'structuredClone',
};

/** `object.name(…)` → `__zy.entry(…)`. */
const MEMBER_CALLS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Number: { parseFloat: 'parseFloat', parseInt: 'parseInt' },
  JSON: { parse: 'jsonParse', stringify: 'jsonStringify' },
  Object: { is: 'objectIs' },
  Float64Array: { from: 'float64ArrayFrom', of: 'float64ArrayOf' },
  Float32Array: { from: 'float32ArrayFrom', of: 'float32ArrayOf' },
};

const own = (table: object, key: string) => Object.prototype.hasOwnProperty.call(table, key);

/** The runtime entry replacing this call's callee, or null. */
function entryOf(node: Node, ctx: RewriteContext): string | null {
  if (node.type !== 'CallExpression' || node.optional) return null;
  const callee = node.callee;
  if (callee.type === 'Identifier' && own(GLOBAL_CALLS, callee.name) && isGlobalReference(callee, callee.name, ctx)) return GLOBAL_CALLS[callee.name]!;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.optional || callee.property.type !== 'Identifier') return null;
  const object = callee.object;
  if (object.type !== 'Identifier' || !own(MEMBER_CALLS, object.name) || !isGlobalReference(object, object.name, ctx)) return null;
  const table = MEMBER_CALLS[object.name]!;
  return own(table, callee.property.name) ? table[callee.property.name]! : null;
}

export const rewriteBuiltinCall: Rewriter = {
  name: 'builtin-call',
  types: ['CallExpression'],
  test: (node, ctx) => entryOf(node, ctx) !== null,
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    ctx.ed.replace(node.callee, runtime(entryOf(node, ctx)!));
  },
};

/** A direct `eval(code, …)`: its code is rewritten before it runs (not a spread: `eval(...a)`). */
export const rewriteDirectEval: Rewriter = {
  name: 'direct-eval',
  types: ['CallExpression'],
  test: (node, ctx) =>
    node.type === 'CallExpression' && !node.optional && isGlobalReference(node.callee, 'eval', ctx) &&
    node.arguments.length > 0 && node.arguments[0]!.type !== 'SpreadElement',
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    const code = node.arguments[0]!;
    // (a comma expression is one argument: it keeps its parentheses inside the call)
    const sequence = code.type === 'SequenceExpression';
    ctx.ed.wrap(code, `${runtime('evalSource')}(${sequence ? '(' : ''}`, sequence ? '))' : ')');
  },
};
