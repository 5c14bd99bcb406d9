/**
 * Updates (`++`/`--`) and compound assignments (`+=`, `&&=`, …).
 *
 * Identifier targets: `x += y` → `x = __zy.add(x, y)`, `++x` → `x = __zy.inc(x)`.
 * Member targets whose object is `this`, `super` or a name never assigned in
 * the file, and whose key is a literal, or a name never assigned in the file
 * (`o.k`, `o[0]`, `o[k]`), are re-spelled in place; any other object or key is
 * evaluated once into a temporary (`super[k()]` reads `this` first, as
 * `super[…]` does). The
 * store of a member goes through the store barrier (rewrite-stores.ts; not
 * for `super`), which reports the object only when the stored value is one:
 * `o.p += y` → `o.p = __zy$1 = __zy.add(o.p, y), typeof __zy$1 === "object" ? __zy.touch(o, __zy$1) : __zy$1`,
 * `f()[g()] += y` → `(__zy$1 = f(), __zy$2 = g(), __zy$1[__zy$2] = __zy$3 = __zy.add(__zy$1[__zy$2], y), typeof __zy$3 === …)`.
 * The order is JavaScript's: object, key, get old value, right-hand side,
 * operation, set. `o.p ??= y` (members only; on a name it stays native) →
 * `o.p ?? (<store of y>)`. Where a temporary would need a closure (class
 * fields, parameter defaults), a declared object stays in place and the store
 * is `__zy.touch(o, o.p = …)` (the object read first). `#private` targets are
 * rewrite-private.ts's.
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
import { fixedName, group, runtime, stableObject, valueUnused } from './context.js';
import { BINARY_METHODS } from './rewrite-operators.js';
import { tempsAvailable } from './rewrite-inline.js';
import { checkedStore, hasOptionalLink, holdsNoTraced, tempsAllowed, touchStore } from './rewrite-stores.js';

interface Reference {
  /** Assignments evaluating object/key into temporaries, in order (may be empty). */
  setup: string[];
  /** Expression reading the target. */
  get: string;
  /** Target spelling for the left-hand side of `=`. */
  set: string;
  /** The object stored into, for the store barrier (null for names and `super`). */
  container: string | null;
  /** Whether `container` still names the object after user code ran (`this`, a never-assigned name, a temporary). */
  fixed: boolean;
}

/**
 * A key that may be spelled twice (read, then written): a literal, or a name that keeps
 * its value whatever runs in between (a getter or `valueOf` may assign a name; a global
 * may be an accessor). Converting it to a property key at each access is what V8 does too.
 */
function isSimpleKey(node: Node, ctx: RewriteContext): boolean {
  return node.type === 'Literal' || fixedName(node, ctx) !== null;
}

/**
 * How the object of a member target is spelled: in place when it is `super` or a
 * never-assigned name; a declared name also in place where no temporary can be had
 * without a closure (read first by the untested barrier form), and any name where
 * none may be declared at all; otherwise a temporary (a global or `with` name may be
 * an accessor: read once).
 */
function objectInPlace(object: Node, ctx: RewriteContext): { text: string; fixed: boolean } | null {
  if (object.type === 'Super') return { text: 'super', fixed: true };
  const fixed = fixedName(object, ctx);
  if (fixed !== null) return { text: fixed, fixed: true };
  const stable = stableObject(object, ctx);
  if (stable !== null && !tempsAvailable(ctx)) return { text: stable, fixed: false };
  if (object.type === 'Identifier' && !tempsAllowed(ctx)) return { text: ctx.ed.text(object), fixed: false };
  return null;
}

function reference(target: Node, ctx: RewriteContext): Reference | null {
  if (target.type === 'Identifier') return { setup: [], get: target.name, set: target.name, container: null, fixed: true };
  if (target.type !== 'MemberExpression') return null;
  const { object, property, computed } = target;
  const inPlace = objectInPlace(object, ctx);
  // (`super.k` stores into `this`: the container the barrier notes)
  const container = (text: string): string | null => (object.type === 'Super' ? 'this' : text);
  const simpleKey = !computed || isSimpleKey(property, ctx);
  if (inPlace !== null && simpleKey) {
    const t = ctx.ed.text(target);
    return { setup: [], get: t, set: t, container: container(inPlace.text), fixed: inPlace.fixed };
  }
  const setup: string[] = [];
  let objectText: string;
  if (inPlace !== null) objectText = ctx.ed.text(object);
  else {
    objectText = ctx.temps.fresh(object.end);
    setup.push(`${objectText} = ${ctx.ed.operand(object)}`);
  }
  let access: string;
  if (!computed) access = `${objectText}.${ctx.ed.original(property)}`;
  else if (simpleKey) access = `${objectText}[${ctx.ed.text(property)}]`;
  else {
    // `super[k]` asks for `this` before it evaluates k (a derived constructor before
    // `super()` throws there): read `this` first, as the key now runs before the access.
    if (object.type === 'Super') setup.push('this');
    const key = ctx.temps.fresh(property.end);
    setup.push(`${key} = ${ctx.ed.operand(property)}`);
    access = `${objectText}[${key}]`;
  }
  return { setup, get: access, set: access, container: container(objectText), fixed: inPlace === null || inPlace.fixed };
}

function sequence(parts: string[]): string {
  return parts.join(', ');
}

/**
 * `set = value`, through the store barrier when the target is a member: tested
 * (a comma sequence, `branch` parenthesizes it for a conditional's branch) where a
 * temporary can be had, else `__zy.touch(container, set = value)`. `valueFrom`: where
 * the value is computed (its temporary is held from there).
 */
function store(ref: Reference, value: string, ctx: RewriteContext, valueFrom?: number, branch = false): string {
  if (ref.container === null) return `${ref.set} = ${value}`;
  if (!ref.fixed || !tempsAvailable(ctx)) return touchStore(ref.container, `${ref.set} = ${value}`);
  const checked = checkedStore(ref.container, ref.set, value, ctx.temps.fresh(valueFrom));
  return branch ? `(${checked})` : checked;
}

/** Names and members, but not `#private` members (rewrite-private.ts's) nor members in an optional chain. */
function isOwnTarget(target: Node): boolean {
  if (target.type === 'Identifier') return true;
  return target.type === 'MemberExpression' && target.property.type !== 'PrivateIdentifier' && !hasOptionalLink(target);
}

export const rewriteUpdate: Rewriter = {
  name: 'update',
  types: ['UpdateExpression'],
  test: (node) => node.type === 'UpdateExpression' && isOwnTarget(node.argument),
  rewrite(node, ctx) {
    if (node.type !== 'UpdateExpression') return;
    const ref = reference(node.argument, ctx);
    if (!ref) return;
    const method = node.operator === '++' ? 'inc' : 'dec';
    if (node.prefix || valueUnused(node, ctx)) {
      ctx.ed.replace(node, group(node, ctx, sequence([...ref.setup, store(ref, `${runtime(method)}(${ref.get})`, ctx)])));
      return;
    }
    const old = ctx.temps.fresh();
    ctx.ed.replace(node, `(${sequence([...ref.setup, `${old} = ${runtime('numeric')}(${ref.get})`, store(ref, `${runtime(method)}(${old})`, ctx), old])})`);
  },
};

const COMPOUND = new Set(['+=', '-=', '*=', '/=', '%=', '**=', '|=', '&=', '^=', '<<=', '>>=', '>>>=', '&&=', '||=']);

export const rewriteCompoundAssignment: Rewriter = {
  name: 'compound-assignment',
  types: ['AssignmentExpression'],
  test(node, ctx) {
    if (node.type !== 'AssignmentExpression' || !isOwnTarget(node.left as Node)) return false;
    if (COMPOUND.has(node.operator)) return true;
    // `??=` needs no runtime call (a traced number is never nullish): only a member
    // store that may leave a traced value behind is rewritten, for the barrier.
    return (
      node.operator === '??=' && node.left.type === 'MemberExpression' && !holdsNoTraced(node.right, ctx)
    );
  },
  rewrite(node, ctx) {
    if (node.type !== 'AssignmentExpression') return;
    const ref = reference(node.left as acorn.AnyNode, ctx);
    if (!ref) return;
    const rhs = ctx.ed.operand(node.right);
    // A logical assignment storing a value that holds nothing traced needs no barrier.
    const logicalRef = holdsNoTraced(node.right, ctx) ? { ...ref, container: null } : ref;
    let core: string;
    const rhsEnd = node.right.end;
    if (node.operator === '&&=') core = `${runtime('test')}(${ref.get}) ? ${store(logicalRef, rhs, ctx, rhsEnd, true)} : ${runtime('took')}()`;
    else if (node.operator === '||=') core = `${runtime('test')}(${ref.get}) ? ${runtime('took')}() : ${store(logicalRef, rhs, ctx, rhsEnd, true)}`;
    else if (node.operator === '??=') core = `${ref.get} ?? ${store(ref, rhs, ctx, rhsEnd, true)}`;
    else {
      const method = BINARY_METHODS[node.operator.slice(0, -1)]!;
      core = store(ref, `${runtime(method)}(${ref.get}, ${rhs})`, ctx, rhsEnd);
    }
    const parts = [...ref.setup, core];
    // A conditional inside a comma sequence needs no extra parentheses (it binds tighter).
    ctx.ed.replace(node, group(node, ctx, sequence(parts)));
  },
};
