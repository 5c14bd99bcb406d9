/**
 * Updates (`++`/`--`) and compound assignments (`+=`, `&&=`, …).
 *
 * Identifier targets: `x += y` → `x = __zy.add(x, y)`, `++x` → `x = __zy.inc(x)`.
 * Member targets whose object is an identifier/`this`/`super` and whose key
 * is a name, literal or identifier are re-spelled in place:
 * `o.p += y` → `o.p = __zy.add(o.p, y)`. Any other object or key is evaluated
 * once into a temporary: `f()[g()] += y` →
 * `(__zy$1 = f(), __zy$2 = g(), __zy$1[__zy$2] = __zy.add(__zy$1[__zy$2], y))`.
 * The order is JavaScript's: object, key, get old value, right-hand side,
 * operation, set.
 *
 * Postfix updates whose value is used also yield the old value converted
 * with ToNumeric (`__zy.numeric`, so `valueOf` runs once and a BigInt stays one), computed before the
 * new one and kept in a temporary: `y = x++` →
 * `y = (__zy$1 = __zy.numeric(x), x = __zy.inc(__zy$1), __zy$1)`. (A shared
 * runtime slot would not do: a setter or `valueOf` may run user code between
 * the store and the read, and the runtime object is frozen.)
 */
import type * as acorn from 'acorn';
import type { Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { embed, group, valueUnused } from './context.js';
import { BINARY_METHODS } from './rewrite-operators.js';

interface Reference {
  /** Assignments evaluating object/key into temporaries, in order (may be empty). */
  setup: string[];
  /** Expression reading the target. */
  get: string;
  /** Target spelling for the left-hand side of `=`. */
  set: string;
}

function isSimpleObject(node: Node): boolean {
  return node.type === 'Identifier' || node.type === 'ThisExpression' || node.type === 'Super';
}

function isSimpleKey(node: Node): boolean {
  return node.type === 'Identifier' || node.type === 'Literal' || node.type === 'PrivateIdentifier';
}

function reference(target: Node, ctx: RewriteContext): Reference | null {
  if (target.type === 'Identifier') return { setup: [], get: target.name, set: target.name };
  if (target.type !== 'MemberExpression') return null;
  const { object, property, computed } = target;
  const simpleObject = isSimpleObject(object);
  const simpleKey = !computed || isSimpleKey(property);
  if (simpleObject && simpleKey) {
    const t = ctx.ed.text(target);
    return { setup: [], get: t, set: t };
  }
  const setup: string[] = [];
  let objectText: string;
  if (simpleObject) objectText = ctx.ed.text(object);
  else {
    objectText = ctx.temps.fresh();
    setup.push(`${objectText} = ${embed(object, ctx)}`);
  }
  let access: string;
  if (!computed) access = `${objectText}.${ctx.ed.original(property)}`;
  else if (simpleKey) access = `${objectText}[${ctx.ed.text(property)}]`;
  else {
    const key = ctx.temps.fresh();
    setup.push(`${key} = ${embed(property, ctx)}`);
    access = `${objectText}[${key}]`;
  }
  return { setup, get: access, set: access };
}

function sequence(parts: string[]): string {
  return parts.join(', ');
}

export const rewriteUpdate: Rewriter = {
  name: 'update',
  test: (node) => node.type === 'UpdateExpression',
  rewrite(node, ctx) {
    if (node.type !== 'UpdateExpression') return;
    const ref = reference(node.argument, ctx);
    if (!ref) return;
    const method = node.operator === '++' ? 'inc' : 'dec';
    if (node.prefix || valueUnused(node, ctx)) {
      ctx.ed.replace(node, group(node, ctx, sequence([...ref.setup, `${ref.set} = __zy.${method}(${ref.get})`])));
      return;
    }
    const old = ctx.temps.fresh();
    ctx.ed.replace(node, `(${sequence([...ref.setup, `${old} = __zy.numeric(${ref.get})`, `${ref.set} = __zy.${method}(${old})`, old])})`);
  },
};

const COMPOUND = new Set(['+=', '-=', '*=', '/=', '%=', '**=', '|=', '&=', '^=', '<<=', '>>=', '>>>=', '&&=', '||=']);

export const rewriteCompoundAssignment: Rewriter = {
  name: 'compound-assignment',
  test: (node) => node.type === 'AssignmentExpression' && COMPOUND.has(node.operator),
  rewrite(node, ctx) {
    if (node.type !== 'AssignmentExpression') return;
    const ref = reference(node.left as acorn.AnyNode, ctx);
    if (!ref) return;
    const rhs = embed(node.right, ctx);
    let core: string;
    if (node.operator === '&&=') core = `__zy.test(${ref.get}) ? ${ref.set} = ${rhs} : __zy.took()`;
    else if (node.operator === '||=') core = `__zy.test(${ref.get}) ? __zy.took() : ${ref.set} = ${rhs}`;
    else {
      const method = BINARY_METHODS[node.operator.slice(0, -1)]!;
      core = `${ref.set} = __zy.${method}(${ref.get}, ${rhs})`;
    }
    const parts = [...ref.setup, core];
    // A conditional inside a comma sequence needs no extra parentheses (it binds tighter).
    ctx.ed.replace(node, group(node, ctx, sequence(parts)));
  },
};
