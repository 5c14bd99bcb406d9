/**
 * The store barrier: a store into an existing object reports the object to the runtime
 * (`__zy.touch(container, result)`: returns `result`; while a differentiation runs it
 * notes the container, so that traced values left in it are cleaned when it ends).
 *
 * Only a stored object can be or hold a traced value (a traced number is an object), so
 * each site tests the stored value inline and calls the runtime only for objects: a
 * store of a plain number stays a plain store, and, as no call sees the container, V8
 * can still keep a fresh object in registers (`this.x = x` in a constructor).
 *
 * - `E.k = V` / `E[K] = V` →
 *   `(__zy$1 = E, __zy$1.k = __zy$2 = V, typeof __zy$2 === "object" ? __zy.touch(__zy$1, __zy$2) : __zy$2)`.
 *   E, K and V stay in place: the order is JavaScript's (E, K, V, store), the value is
 *   V's, and `a.next = a = b` still stores into the old `a`. E is used in place of its
 *   temporary when it is `this` or a name never assigned in the file (it is read again
 *   after V ran), V in place of its own when it is such a name:
 *   `this.x = x` → `(this.x = x, typeof x === "object" ? __zy.touch(this, x) : x)`.
 * - Left plain when V can never hold a traced value: a literal, an untagged template,
 *   `undefined`/`NaN`/`Infinity`, `void`/`typeof`/`!`/`delete`, a function, arrow or
 *   class, a comparison or other boolean, or such a value through `=`, `,` or `?:`.
 * - Calls of container-mutating methods, `E.m(a, b)` with `m` one of
 *   set/add/push/unshift/splice/fill: each argument that may be an object is tested
 *   after the call, `(__zy$1 = E.m(__zy$2 = a, b), typeof __zy$2 === "object" || typeof b === "object" ? __zy.touch(E, __zy$1) : __zy$1)`
 *   (same receiver, same order: E, the method lookup, the arguments); with a spread
 *   argument, `__zy.touch(__zy$1 = E, __zy$1.m(...a))`. With no argument that may be an
 *   object (`a.splice(0, 1)`), the call stays plain.
 * - `Object.assign(…)` on the global `Object`: `__zy.touch(__zy$1 = Object.assign(…), __zy$1)`.
 * - A class's instance field `k = V` (not `#private`): `k = __zy.fieldNew(this, (V), "k")`,
 *   noted as a constructor's `this.k = V` is (`[K] = V`: `__zy.fieldNew(this, (V))`, the
 *   instance noted as a container). A static one, `static k = V`, likewise: `this` is the
 *   class, noted as a container (a class f made, `static s = x * 2`, kept the traced number).
 * - Compound assignments and updates on members are re-spelled in rewrite-assign.ts;
 *   their store goes through {@link checkedStore} too.
 *
 * Where a temporary would need a closure (class field initializers, parameter
 * defaults) the value is not tested: `__zy.touch(E, E.k = V)` (E read first, into a
 * temporary unless it is `this` or a declared name, which nothing can change before
 * the store reads it again). At the top level of a function source, where no
 * temporary may be declared, a store that needs one stays plain.
 *
 * - A member a destructuring assignment or a `for (… of …)` head writes (`[o.k] = a`,
 *   `({ k: o.k } = b)`, `for (o.k of xs)`): no store expression of its own to wrap, so its
 *   object is noted before the store, `[__zy.patternTarget(o).k] = a` (the clean-up runs
 *   when the call ends either way).
 *
 * `super.k = V` stores into `this`, which is the container noted.
 *
 * Not rewritten: `#private` members (rewrite-private.ts), optional chains (`a?.b.push(x)`:
 * wrapping would break the short-circuit), and computed method calls other than by a
 * string literal (`o[m](x)`) or optional ones (`o.push?.(x)`).
 */
import type * as acorn from 'acorn';
import { children, isConstantNumber, isSyntacticBoolean, memberName, type Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { fixedName, isStatementExpression, isWriteTarget, parentOf, runtime, stableObject } from './context.js';
import { findToken, tokenAtOrAfter } from './parse.js';
import { tempsAvailable } from './rewrite-inline.js';
import { constBinding, isGlobalAlias } from './rewrite-globals.js';
import { privateKey } from './rewrite-private.js';

/** Methods whose call stores into the receiver. */
export const MUTATING_METHODS: ReadonlySet<string> = new Set(['set', 'add', 'push', 'unshift', 'splice', 'fill']);

/**
 * A store of `value` through the target `set` (`o.k`, `__zy$1[__zy$2]`) into `container`,
 * which must still name the object after the store (`this`, a name never assigned, a
 * temporary), reporting the container only when the value is an object: a comma
 * sequence whose value is the stored value, kept in the temporary `v`.
 */
export function checkedStore(container: string, set: string, value: string, v: string): string {
  return `${set} = ${v} = ${value}, typeof ${v} === "object" ? ${runtime('touch')}(${container}, ${v}) : ${v}`;
}

/** `__zy.touch(container, store)`, for sites that cannot test the value. */
export function touchStore(container: string, store: string): string {
  return `${runtime('touch')}(${container}, ${store})`;
}

/**
 * Whether a temporary may be declared where the rewriter is, closure-wrapping included
 * (class fields, parameter defaults): not at the program level of a function source,
 * whose program is only a wrapper (a computed method key `[o.k = v](x) {…}`).
 */
export function tempsAllowed(ctx: RewriteContext): boolean {
  return ctx.temps.kind !== 'program' || ctx.options.programTemps;
}

/**
 * Whether a member or call chain, followed through objects and callees, contains a
 * `?.` link: then an enclosing access may be skipped by the short-circuit and must not
 * be taken apart. A parenthesized chain (a ChainExpression) ends the search.
 */
export function hasOptionalLink(node: Node): boolean {
  let n: Node = node;
  for (;;) {
    if (n.type === 'MemberExpression') {
      if (n.optional) return true;
      n = n.object;
    } else if (n.type === 'CallExpression') {
      if (n.optional) return true;
      n = n.callee;
    } else return false;
  }
}

/** The `.`, `?.` or `[` token between a member's object and its property. */
export function accessorToken(member: acorn.MemberExpression, ctx: RewriteContext): acorn.Token {
  const { ed } = ctx;
  const text = member.computed ? '[' : member.optional ? '?.' : '.';
  return findToken(ed.tokens, member.object.end, member.property.start, text, ed.code);
}

/**
 * Removes the parentheses around a member that is an assignment target or a callee
 * (`(o.k) = v`, `(o.m)(x)`, where they change nothing), so that text can go between
 * its object and its property: the opening ones between `outerStart` and the member,
 * and as many closing ones right after it.
 */
export function dropParens(member: Node, outerStart: number, ctx: RewriteContext): void {
  const { ed } = ctx;
  let count = 0;
  for (let i = tokenAtOrAfter(ed.tokens, outerStart); i < ed.tokens.length; i++) {
    const tok = ed.tokens[i]!;
    if (tok.start >= member.start) break;
    ed.overwrite(tok.start, tok.end, '');
    count++;
  }
  for (let i = tokenAtOrAfter(ed.tokens, member.end); count > 0 && i < ed.tokens.length; i++, count--) {
    const tok = ed.tokens[i]!;
    ed.overwrite(tok.start, tok.end, '');
  }
}

/**
 * Whether the value of `node` can never be or hold a traced number: primitives, and
 * fresh functions and classes (closures are beyond the barrier's reach anyway). A regex
 * literal is a fresh object with nothing traced in it.
 */
export function holdsNoTraced(node: Node, ctx: RewriteContext): boolean {
  switch (node.type) {
    case 'Literal':
    case 'TemplateLiteral':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassExpression':
      return true;
    case 'Identifier':
      // The global value properties cannot be assigned or redefined.
      return (
        (node.name === 'undefined' || node.name === 'NaN' || node.name === 'Infinity') &&
        ctx.scope.freeRefs.has(node) &&
        !ctx.scope.withRefs.has(node)
      );
    case 'UnaryExpression':
      return node.operator === 'void' || node.operator === 'typeof' || node.operator === '!' || node.operator === 'delete' || isConstantNumber(node);
    case 'AssignmentExpression':
      return node.operator === '=' && holdsNoTraced(node.right, ctx);
    case 'SequenceExpression':
      return holdsNoTraced(node.expressions[node.expressions.length - 1]!, ctx);
    case 'ConditionalExpression':
      return holdsNoTraced(node.consequent, ctx) && holdsNoTraced(node.alternate, ctx);
    default:
      // Comparisons, `in`, `instanceof`, and `&&`/`||` of those: booleans.
      return isSyntacticBoolean(node);
  }
}

/** A member whose store or call the barrier wraps: not `super`, not `#private`, not in an optional chain. */
function isPlainMember(node: Node): node is acorn.MemberExpression {
  return (
    node.type === 'MemberExpression' &&
    node.object.type !== 'Super' &&
    node.property.type !== 'PrivateIdentifier' &&
    !hasOptionalLink(node)
  );
}

/** Parentheses around a rewritten expression, unless it is a statement's whole expression. */
function brackets(node: Node, ctx: RewriteContext): [string, string] {
  return isStatementExpression(node, ctx) ? ['', ''] : ['(', ')'];
}

/**
 * The object of `member` for a tested store: its spelling, and whether it went into a
 * temporary (`__zy$1 = ` is then put before E, `, __zy$1` after it).
 */
function objectForCheck(member: acorn.MemberExpression, outer: Node, ctx: RewriteContext): { name: string; temp: boolean } {
  const fixed = member.object.type === 'Super' ? 'this' : fixedName(member.object, ctx);
  if (fixed !== null) return { name: fixed, temp: false };
  if (member.start !== outer.start) dropParens(member, outer.start, ctx);
  return { name: ctx.temps.fresh(), temp: true };
}

/**
 * The untested form, `__zy.touch(E, outer)` with E read first: in place when it is
 * `this` or a declared name (nothing runs between the two reads), otherwise as
 * `__zy.touch(__zy$1 = E, __zy$1<accessor>…)` with E's text left where it is.
 */
function touchFirst(outer: Node, member: acorn.MemberExpression, ctx: RewriteContext): void {
  const { ed } = ctx;
  const stable = member.object.type === 'Super' ? 'this' : stableObject(member.object, ctx);
  if (stable !== null) {
    ed.prefix(outer.start, `${runtime('touch')}(${stable}, `);
    ed.suffix(outer.end, ')');
    return;
  }
  if (member.start !== outer.start) dropParens(member, outer.start, ctx);
  const t = ctx.temps.fresh();
  ed.prefix(outer.start, `${runtime('touch')}(${t} = `);
  ed.suffix(accessorToken(member, ctx).start, `, ${t}`);
  ed.suffix(outer.end, ')');
}

/** Whether the store or call through `member` can be rewritten here at all. */
function canWrap(member: acorn.MemberExpression, ctx: RewriteContext): boolean {
  return member.object.type === 'Super' || stableObject(member.object, ctx) !== null || tempsAllowed(ctx);
}

/**
 * A member whose store the barrier wraps: a plain one, or `super.k` / `super[k]`, which stores
 * into `this` (a method of an object or class instance f did not receive, `super.total = v`
 * in it, left the traced number there), noted as `this.k = v` is.
 */
function isStoredMember(node: Node): node is acorn.MemberExpression {
  return node.type === 'MemberExpression' && node.object.type === 'Super' ? node.property.type !== 'PrivateIdentifier' : isPlainMember(node);
}

/** `E.k = V` / `E[K] = V` (see the file header). */
export const rewriteMemberStore: Rewriter = {
  name: 'member-store',
  types: ['AssignmentExpression'],
  test: (node, ctx) =>
    node.type === 'AssignmentExpression' &&
    node.operator === '=' &&
    isStoredMember(node.left as Node) &&
    !holdsNoTraced(node.right, ctx) &&
    canWrap(node.left as acorn.MemberExpression, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'AssignmentExpression' || node.left.type !== 'MemberExpression') return;
    const member = node.left;
    if (!tempsAvailable(ctx)) {
      touchFirst(node, member, ctx);
      return;
    }
    const { ed } = ctx;
    const [open, close] = brackets(node, ctx);
    const obj = objectForCheck(member, node, ctx);
    const valueName = fixedName(node.right, ctx);
    const v = valueName ?? ctx.temps.fresh(node.right.end);
    if (valueName === null) ed.replaceToken(node.left.end, node.right.start, '=', `= ${v} =`);
    if (obj.temp) {
      ed.prefix(node.start, `${open}${obj.name} = `);
      ed.suffix(accessorToken(member, ctx).start, `, ${obj.name}`);
    } else if (open) ed.prefix(node.start, open);
    const key = member.object.type === 'ThisExpression' && inConstructorBody(ctx) ? fieldKey(member) : null;
    const note = key === null ? `${runtime('touch')}(${obj.name}, ${v})` : `${runtime('touchNew')}(${obj.name}, ${v}${key})`;
    ed.suffix(node.end, `, typeof ${v} === "object" ? ${note} : ${v}${close}`);
  },
};

/**
 * For `touchNew` and `fieldNew`: `, "x"` for a field a constructor or a field definition names
 * (`this.x = v`, `this["x"] = v`, `this[0] = v`, `x = v`), noted as that field; `''` for a
 * computed one (`this[k] = v`: its key would be converted again), noted as the instance.
 */
function fieldKey(member: acorn.MemberExpression | acorn.PropertyDefinition): string {
  const p = member.type === 'MemberExpression' ? member.property : member.key;
  if (!member.computed && p.type === 'Identifier') return `, ${JSON.stringify(p.name)}`;
  // (a class field's key may be a literal without brackets: `"a b" = v`, `0 = v`)
  if (p.type === 'Literal' && (typeof p.value === 'string' || (typeof p.value === 'number' && Number.isSafeInteger(p.value) && p.value >= 0))) return `, ${JSON.stringify(p.value)}`;
  return '';
}

/** A member a destructuring assignment or a `for (… of …)` head writes (see the file header). */
export const rewritePatternTarget: Rewriter = {
  name: 'pattern-target',
  types: ['MemberExpression'],
  test: (node, ctx) => isPlainMember(node) && isPatternTarget(node, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'MemberExpression') return;
    ctx.ed.wrap(node.object as Node, `${runtime('patternTarget')}(`, ')');
  },
};

/**
 * `with (o) { k = x * 2 }`: where `o` has `k`, a name written inside the block is a member of
 * `o`, which the clean-up did not see (it kept its traced number after the gradient, an
 * object to code that was not rewritten). The object of a `with` whose block writes a name
 * (an assignment, an update, a pattern, a `for` head, a `var`) is noted as written when the
 * block is entered: `with ((0, __zy.patternTarget)(o))`. (Not a block entered before the
 * differentiation began, that a closure made in it writes through later.)
 */
export const rewriteWithObject: Rewriter = {
  name: 'with-object',
  types: ['WithStatement'],
  test: (node, ctx) => node.type === 'WithStatement' && writesAName(node.body as Node, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'WithStatement') return;
    ctx.ed.wrap(node.object as Node, `${runtime('patternTarget')}(`, ')');
  },
};

/** Whether a name inside `node` (a `with` block) is written. */
function writesAName(node: Node, ctx: RewriteContext): boolean {
  if (node.type === 'Identifier') return ctx.scope.writes.has(node) && ctx.scope.withRefs.has(node);
  return children(node).some((child) => writesAName(child, ctx));
}

/** Whether `node` is a place a destructuring pattern or a `for (… of …)` head stores into. */
export function isPatternTarget(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx)?.type;
  return parent !== 'AssignmentExpression' && parent !== 'UpdateExpression' && parent !== 'ForInStatement' && isWriteTarget(node, ctx);
}

/** A class's instance field `k = V` (see the file header). */
export const rewriteFieldInitializer: Rewriter = {
  name: 'field-initializer',
  types: ['PropertyDefinition'],
  test: (node, ctx) =>
    node.type === 'PropertyDefinition' && node.key.type !== 'PrivateIdentifier' && node.value != null && !holdsNoTraced(node.value as Node, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'PropertyDefinition' || node.value == null) return;
    ctx.ed.prefix(node.value.start, `${runtime('fieldNew')}(this, (`);
    ctx.ed.suffix(node.value.end, `)${fieldKey(node)})`);
  },
};

/**
 * A class's `#private` field `#k = V` (static too): the clean-up must be handed an update of the
 * member, as for a store `this.#k = v` (rewrite-private.ts), or a class f made kept the traced
 * number there (`class K { #v = x * 2; v() { return this.#v; } }`, an instance kept outside:
 * `out.i.v()` a traced number, 6 in plain code). No temporary can be had in an initializer:
 * the runtime holds the value between its two calls (nothing runs between them),
 * `#k = __zy.privateFieldNew(this, "k", V) ? __zy.notePrivate(this, "k", __zy.privateFieldHeld(),
 * (h, s) => { h.#k = s(h.#k); }) : __zy.privateFieldHeld()`. Not for a fresh empty array, record
 * or collection (`#items = []`), which holds nothing yet: stores into it are noted where made.
 */
export const rewritePrivateFieldInitializer: Rewriter = {
  name: 'private-field-initializer',
  types: ['PropertyDefinition'],
  test: (node, ctx) =>
    node.type === 'PropertyDefinition' && node.key.type === 'PrivateIdentifier' && node.value != null &&
    !holdsNoTraced(node.value as Node, ctx) && !isFreshEmpty(node.value as Node),
  rewrite(node, ctx) {
    if (node.type !== 'PropertyDefinition' || node.value == null || node.key.type !== 'PrivateIdentifier') return;
    const name = node.key.name;
    const key = privateKey(name, ctx);
    const held = `${runtime('privateFieldHeld')}()`;
    ctx.ed.prefix(node.value.start, `${runtime('privateFieldNew')}(this, ${key}, (`);
    ctx.ed.suffix(node.value.end, `)) ? ${runtime('notePrivate')}(this, ${key}, ${held}, (h, s) => { h.#${name} = s(h.#${name}); }) : ${held}`);
  },
};

/** `[]`, `{}`, `new Map()`, `new Set()`: an object holding nothing. */
function isFreshEmpty(node: Node): boolean {
  if (node.type === 'ArrayExpression') return node.elements.length === 0;
  if (node.type === 'ObjectExpression') return node.properties.length === 0;
  return node.type === 'NewExpression' && node.arguments.length === 0 && node.callee.type === 'Identifier' && (node.callee.name === 'Map' || node.callee.name === 'Set');
}

/**
 * Whether the rewriter is in a class's constructor itself (no function between): there `this`
 * is the instance being made, which `__zy.touchNew` notes as made while a differentiation runs
 * (proxies/cleanup.ts: a frozen one f made and let go is no data the caller holds).
 */
function inConstructorBody(ctx: RewriteContext): boolean {
  const chain = ctx.ancestors;
  for (let i = chain.length - 1; i >= 0; i--) {
    const a = chain[i]!;
    if (a.type === 'FunctionExpression') return chain[i - 1]?.type === 'MethodDefinition' && (chain[i - 1] as acorn.MethodDefinition).kind === 'constructor';
    if (a.type === 'ArrowFunctionExpression' || a.type === 'FunctionDeclaration' || a.type === 'PropertyDefinition' || a.type === 'StaticBlock' || a.type === 'Program') return false;
  }
  return false;
}

/** `E.push(x)` and the other mutating methods (see the file header). */
export const rewriteMutatingCall: Rewriter = {
  name: 'mutating-call',
  types: ['CallExpression'],
  test: (node, ctx) =>
    node.type === 'CallExpression' &&
    !node.optional &&
    isPlainMember(node.callee) &&
    node.callee.type === 'MemberExpression' &&
    MUTATING_METHODS.has(memberName(node.callee) ?? '') && // (`log['push'](x)` too)
    node.arguments.some((a) => a.type === 'SpreadElement' || !holdsNoTraced(a, ctx)) &&
    canWrap(node.callee, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return;
    const member = node.callee;
    if (!tempsAvailable(ctx) || node.arguments.some((a) => a.type === 'SpreadElement')) {
      touchFirst(node, member, ctx);
      return;
    }
    const { ed } = ctx;
    const [open, close] = brackets(node, ctx);
    const obj = objectForCheck(member, node, ctx);
    const result = ctx.temps.fresh();
    // Each argument that may be an object is tested after the call: a name that
    // cannot change in place, anything else kept in a temporary where it stands.
    const tested: string[] = [];
    const args = node.arguments as Node[];
    args.forEach((arg, k) => {
      if (holdsNoTraced(arg, ctx)) return;
      const name = fixedName(arg, ctx);
      if (name !== null) {
        tested.push(name);
        return;
      }
      // At the argument's first token after the `(` or `,` before it: outside any
      // parentheses of its own.
      const from = k === 0 ? member.end : args[k - 1]!.end;
      const separator = findToken(ed.tokens, from, arg.start, k === 0 ? '(' : ',', ed.code);
      const t = ctx.temps.fresh();
      ed.prefix(ed.tokens[tokenAtOrAfter(ed.tokens, separator.end)]!.start, `${t} = `);
      tested.push(t);
    });
    const test = [...new Set(tested)].map((t) => `typeof ${t} === "object"`).join(' || ');
    if (obj.temp) {
      ed.prefix(node.start, `${open}${obj.name} = `);
      ed.suffix(accessorToken(member, ctx).start, `, ${result} = ${obj.name}`);
    } else ed.prefix(node.start, `${open}${result} = `);
    ed.suffix(node.end, `, ${test} ? ${runtime('touch')}(${obj.name}, ${result}) : ${result}${close}`);
  },
};

/** `Object.assign(T, …S)` on the global `Object` → `__zy.touch(__zy$1 = Object.assign(T, …S), __zy$1)` (it returns T). */
export const rewriteObjectAssign: Rewriter = {
  name: 'object-assign',
  types: ['CallExpression'],
  test: (node, ctx) => {
    if (node.type !== 'CallExpression' || node.optional || !tempsAllowed(ctx)) return false;
    const callee = node.callee as Node;
    if (isObjectAssign(callee, ctx)) return true; // (through `call`/`apply`: rewrite-builtins.ts, callOn)
    // (a name bound once to it: `const { assign } = Object`, `const assign = Object.assign`)
    const bound = constBinding(callee, ctx);
    return bound !== null && (bound.key === null ? isObjectAssign(bound.init, ctx) : bound.key === 'assign' && isGlobalObject(bound.init, ctx));
  },
  rewrite(node, ctx) {
    const t = ctx.temps.fresh();
    ctx.ed.prefix(node.start, `${runtime('touch')}(${t} = `);
    ctx.ed.suffix(node.end, `, ${t})`);
  },
};

/** `Object.assign` on the global `Object` (also reached through the global object, `globalThis.Object.assign`). */
export function isObjectAssign(node: Node, ctx: RewriteContext): boolean {
  return (
    node.type === 'MemberExpression' && !node.computed && !node.optional &&
    (isGlobalObject(node.object as Node, ctx) || isGlobalAlias(node.object as Node, 'Object', ctx)) &&
    node.property.type === 'Identifier' && node.property.name === 'assign'
  );
}

/** The global `Object`, by its name. */
function isGlobalObject(node: Node, ctx: RewriteContext): boolean {
  return (
    node.type === 'Identifier' && node.name === 'Object' &&
    ctx.scope.freeRefs.has(node) && !ctx.scope.writes.has(node) && !ctx.scope.withRefs.has(node)
  );
}
