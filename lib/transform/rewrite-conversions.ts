/**
 * What an object's `valueOf` or `Symbol.toPrimitive` returns: where that is a traced number,
 * a built-in converting the object natively (`'abcd'.charAt(o)`, `[1, 2, 3].slice(o)`, code
 * that was not rewritten) got an object, took `toString`'s "[object Object]" instead (NaN,
 * read as 0: 'a' where JavaScript gives 'c') or threw. The value goes through the runtime,
 * which gives such a caller the number (the runtime's own conversion, and rewritten code
 * calling the method by name, keep the traced number):
 *
 *   valueOf() { return this.v }  →  valueOf() { return (0, __zy.conversionResult)(this.v) }
 *
 * (`[Symbol.toPrimitive]`'s adds `, true`: see the runtime's conversionResult.) The plain copy
 * (two-bodies.ts) keeps `return E`.
 */
import type { Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { runtime } from './context.js';
import { eitherCopy } from './two-bodies.js';
import { isFunction } from './ast.js';
import { holdsNoTraced } from './rewrite-stores.js';

export const rewriteConversionResult: Rewriter = {
  name: 'conversion-result',
  types: ['ReturnStatement', 'ArrowFunctionExpression'],
  test(node, ctx) {
    const value = returned(node);
    if (value === null || NEVER_A_NUMBER.has(value.type) || holdsNoTraced(value, ctx)) return false;
    return conversionKey(node, ctx) !== null;
  },
  rewrite(node, ctx) {
    const value = returned(node);
    if (value === null) return;
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    ctx.ed.wrap(value, either(`${runtime('conversionResult')}(`), either(exotic(node, ctx) ? ', true)' : ')'));
  },
};

const NEVER_A_NUMBER: ReadonlySet<string> = new Set(['ThisExpression', 'ObjectExpression', 'ArrayExpression', 'NewExpression', 'TemplateLiteral', 'FunctionExpression', 'ArrowFunctionExpression', 'ClassExpression']);

/** The value a `return` statement or an arrow's expression body gives, or null. */
function returned(node: Node): Node | null {
  if (node.type === 'ReturnStatement') return (node.argument as Node | null | undefined) ?? null;
  if (node.type === 'ArrowFunctionExpression' && node.expression === true) return node.body as Node;
  return null;
}

/** The conversion method whose value `node` (a `return`, an arrow's body) gives, or null. */
function conversionKey(node: Node, ctx: RewriteContext): 'valueOf' | 'toPrimitive' | null {
  if (node.type === 'ArrowFunctionExpression') return conversionMethod(node, ctx.ancestors[ctx.ancestors.length - 1]);
  for (let i = ctx.ancestors.length - 1; i >= 0; i--) {
    const a = ctx.ancestors[i]!;
    if (isFunction(a)) return conversionMethod(a, ctx.ancestors[i - 1]);
  }
  return null;
}

const exotic = (node: Node, ctx: RewriteContext): boolean => conversionKey(node, ctx) === 'toPrimitive';

/**
 * Whether function `fn` (held by `owner`) is a `valueOf` or `[Symbol.toPrimitive]` method: of
 * an object literal or a class (also a field holding an arrow), or assigned to a member of that
 * name (`P.prototype.valueOf = function () { … }`).
 */
function conversionMethod(fn: Node, owner: Node | undefined): 'valueOf' | 'toPrimitive' | null {
  if (owner === undefined) return null;
  if (owner.type === 'Property' || owner.type === 'MethodDefinition' || owner.type === 'PropertyDefinition') {
    if (owner.value !== fn || (owner.type !== 'PropertyDefinition' && owner.kind !== 'init' && owner.kind !== 'method')) return null;
    return keyOf(owner.key as Node, owner.computed === true);
  }
  if (owner.type === 'AssignmentExpression' && owner.right === fn && owner.operator === '=' && owner.left.type === 'MemberExpression') {
    return keyOf(owner.left.property as Node, owner.left.computed === true);
  }
  return null;
}

function keyOf(key: Node, computed: boolean): 'valueOf' | 'toPrimitive' | null {
  if (!computed || key.type === 'Literal') return (key.type === 'Identifier' && !computed && key.name === 'valueOf') || (key.type === 'Literal' && key.value === 'valueOf') ? 'valueOf' : null;
  const isSymbolToPrimitive =
    key.type === 'MemberExpression' && !key.computed && key.object.type === 'Identifier' && key.object.name === 'Symbol' &&
    key.property.type === 'Identifier' && key.property.name === 'toPrimitive';
  return isSymbolToPrimitive ? 'toPrimitive' : null;
}
