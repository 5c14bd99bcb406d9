/**
 * `#private` members. Differentiation may hand user code a stand-in for an argument: a
 * copy that is not an instance of the class, so `standIn.#x` would throw. A private
 * access therefore tests the object's brand inline (`#x in o`, no call): an object
 * that has the member is no stand-in and is used as written; any other object goes
 * to the runtime, which says which object holds the member (`__zy.privateHost`: the
 * original for a stand-in, else the object itself, whose access then throws the
 * TypeError plain JavaScript throws) and what user code sees (`__zy.privateGet`):
 *
 * - read: `o.#x` → `(o !== null && o !== undefined && #x in o ? o.#x : __zy.privateGet(o, "x", __zy.privateHost(o).#x))`;
 * - call: `o.#m(a)` → `(<test> ? o.#m : __zy.privateGet(o, "m", __zy.privateHost(o).#m)).call(o, a)`
 *   (`this` in the method is o; `o.#m?.(a)` uses `?.call`);
 * - write: `o.#x = V` → `(__zy$1 = V, W)` with W =
 *   `<test> ? (o.#x = __zy$1, <noted>) : __zy.isStandIn(o) ? __zy.privateSet(o, "x", __zy$1, (h, s) => { h.#x = s(h.#x); }) : (o.#x = __zy$1)`,
 *   whose value is V (the closure is only made for a stand-in: it writes the member when f
 *   ends, and the clean-up of an enclosing differentiation settles it through it). <noted> lets the clean-up
 *   (proxies/cleanup.ts) replace a traced value left in the member of an object f did not
 *   receive: `typeof __zy$1 === "object" && __zy.privateStored(o, "x", __zy$1) ?
 *   __zy.notePrivate(o, "x", __zy$1, (h, s) => { h.#x = s(h.#x); }) : __zy$1`;
 * - compound: `o.#x += V` → `(__zy$1 = __zy.add(<read>, V), W)`; `&&=`/`||=` as
 *   `__zy.test(<read>) ? (__zy$1 = V, W) : __zy.took()`, `??=` as `<read> ?? (__zy$1 = V, W)`;
 * - update: `o.#x++` → `(__zy$1 = __zy.inc(<read>), W)`; a postfix whose value is used
 *   yields the old value through `__zy.numeric`, as in rewrite-assign.ts;
 * - `#x in o` → `#x in __zy.privateHost(o)`.
 * - an instance's accessor (`get #n() { B }`) keeps its body in a private method (`#zy$get$n() { B }`)
 *   that the accessor calls: on a stand-in, a read calls it with the stand-in as `this`
 *   (`__zy.privateHost(o).#zy$get$n.call(o)`), and so does a write its setter's, at once
 *   (see `rewritePrivateAccessor`).
 *
 * `o` stands for `this` or a name: for a read, any declared name (nothing runs between
 * its reads); where user code runs before the store or call (V, a getter, `valueOf`),
 * a name never assigned in the file. Any other object is evaluated once, first, into a
 * temporary: `f().#x` → `((__zy$1 = f()) !== null && __zy$1 !== undefined && #x in __zy$1 ? …)`.
 * The order is JavaScript's (object, old value, right-hand side, store). Static members
 * work the same way (o is the class). The inline test relies on a stand-in never
 * carrying the class's brand (the runtime makes them with `Object.create` or
 * `Reflect.construct` of a built-in, never through the class's constructor).
 *
 * The null/undefined tests keep plain JavaScript's error for a missing receiver (a
 * method called detached); on a primitive receiver (`m.call(5)`) the TypeError's message
 * differs ("Cannot use 'in' operator…"): a `typeof this` test instead made V8 give up
 * its escape analysis of fresh instances (measured: several times slower).
 *
 * - a destructuring's or a `for…of` head's target that is a field (`[o.#x] = a`: no single store to re-spell) →
 *   `[__zy.privateTarget(o, "x", (h) => #x in h, (h, v) => { h.#x = v; }, (h, s) => { h.#x = s(h.#x); }).value] = a`,
 *   a place whose setter writes as W does (proxies/barrier.ts).
 *
 * - an optional chain through a private member (`o?.#x`, `a?.b.#x.y`, `this.#up?.#depth`, `o?.#m(a)`,
 *   `o?.#items.push(v)`): the skip is written out from the first optional link (`rewritePrivateChain`),
 *   a private link's object in a temporary: `o?.#x` → `((__zy$1 = o) == null ? void 0 : <read of __zy$1.#x>)`;
 *   a search or a store through the runtime as rewrite-builtins.ts makes one (`callMethod`).
 *
 * - a tag: `` o.#tag`…` `` → `` (<test> ? o.#tag : <slow>).bind(o)`…` `` (the template's strings stay
 *   one object per site, and `this` in the tag is o).
 *
 * Left alone: an optional chain whose first skip is a call's (`o.f?.().#x`: its `this`), or whose
 * links another rewriter changed (the plain access throws on a stand-in).
 */
import type * as acorn from 'acorn';
import type { Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { fixedName, group, isStatementExpression, isWriteTarget, parentOf, runtime, stableObject, valueUnused } from './context.js';
import { findToken } from './parse.js';
import { BINARY_METHODS } from './rewrite-operators.js';
import { accessorToken, dropParens, hasOptionalLink, isPatternTarget } from './rewrite-stores.js';
import { tempsAvailable } from './rewrite-inline.js';
import { methodEntry } from './rewrite-builtins.js';

type PrivateMember = acorn.MemberExpression & { property: acorn.PrivateIdentifier };

/** `E.#x` outside any optional chain. */
function isPrivateMember(node: Node): node is PrivateMember {
  return node.type === 'MemberExpression' && node.property.type === 'PrivateIdentifier' && !hasOptionalLink(node);
}

/**
 * Whether `this` here may still be uninitialized: inside a derived class's constructor
 * (arrow functions keep its `this`), where it is until `super()` returns.
 */
function thisMayBeUninitialized(ctx: RewriteContext): boolean {
  const chain = ctx.ancestors;
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    if (n.type === 'ArrowFunctionExpression') continue;
    if (n.type !== 'FunctionExpression' && n.type !== 'FunctionDeclaration') continue;
    const method = chain[i - 1];
    const classNode = chain[i - 3];
    return (
      method?.type === 'MethodDefinition' && method.kind === 'constructor' &&
      (classNode?.type === 'ClassDeclaration' || classNode?.type === 'ClassExpression') && classNode.superClass !== null
    );
  }
  return false;
}

/** The object's spelling in the rewrite, and whether it went into a temporary. */
interface Host {
  name: string;
  temp: boolean;
}

/**
 * In place when it is `this` or a name that keeps its value over the access (any
 * declared name for a read, one never assigned where user code runs in between),
 * otherwise a temporary.
 */
function host(member: PrivateMember, ctx: RewriteContext, userCodeBetween: boolean): Host {
  const inPlace = userCodeBetween ? fixedName(member.object, ctx) : stableObject(member.object, ctx);
  if (inPlace !== null) return { name: inPlace, temp: false };
  return { name: ctx.temps.fresh(), temp: true };
}

/** What follows the first read of `obj` in the brand test (the first read may be `(__zy$1 = E)`). */
function brandTail(obj: string, name: string): string {
  return ` !== null && ${obj} !== undefined && #${name} in ${obj}`;
}

/** Whether `obj` has the member: then it is no stand-in, and is used as written. */
function branded(obj: string, name: string): string {
  return `${obj}${brandTail(obj, name)}`;
}

/**
 * The slow path of a read: what user code sees of `obj.#name`. An instance accessor's getter
 * runs on the stand-in itself, through the private method its body was moved into (see
 * `rewritePrivateAccessor`): read on the original, it computed from the caller's numbers,
 * constants (`get #norm() { return Math.hypot(this.x, this.y) }` gave no derivative).
 */
function slowRead(obj: string, name: string, member: PrivateMemberKind): string {
  const field = `${runtime('privateGet')}(${obj}, ${member.key}, ${runtime('privateHost')}(${obj}).#${name})`;
  if (!member.getter) return field;
  return `(${runtime('isStandIn')}(${obj}) ? ${runtime('privateHost')}(${obj}).#${accessorBody('get', name)}.call(${obj}) : ${field})`;
}

/** What user code sees of `obj.#name` (parenthesized). */
function read(obj: string, name: string, member: PrivateMemberKind): string {
  return `(${branded(obj, name)} ? ${obj}.#${name} : ${slowRead(obj, name, member)})`;
}

/** What a `#name` is in the innermost class that declares it: a field, or an instance accessor with a getter, a setter. */
interface PrivateMemberKind {
  /**
   * The member's key for the runtime, a string literal: its name, the declaring class's name and
   * where the class is declared (`"x Base 1f3a9c02:120"`). A class and a class it extends may each
   * declare a `#x`: two members to JavaScript, which a stand-in must keep apart (it kept them by
   * name: f read one for the other, with no word).
   */
  readonly key: string;
  readonly field: boolean;
  /** An instance accessor's getter (its body moved into a private method). */
  readonly getter: boolean;
  readonly setter: boolean;
  /** A method, or an accessor without a setter: a write throws. */
  readonly readOnly: boolean;
}

/** Per file: a hash of its text, which tells its classes' keys from another file's. */
const fileHashes = new WeakMap<object, string>();

function fileHash(ctx: RewriteContext): string {
  let hash = fileHashes.get(ctx.ed);
  if (hash === undefined) {
    // (FNV-1a: cheap, and made once per file that has a private member)
    let h = 0x811c9dc5;
    const code = ctx.ed.code;
    for (let i = 0; i < code.length; i++) h = Math.imul(h ^ code.charCodeAt(i), 0x01000193);
    hash = (h >>> 0).toString(16).padStart(8, '0');
    fileHashes.set(ctx.ed, hash);
  }
  return hash;
}

/** The name a class goes by in messages and gradients: its own, else the one it is given (`const A = class {…}`), else `class`. */
function className(classNode: Node | undefined, parent: Node | undefined): string {
  if ((classNode?.type === 'ClassDeclaration' || classNode?.type === 'ClassExpression') && classNode.id) return classNode.id.name;
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'AssignmentExpression' && parent.left.type === 'Identifier') return parent.left.name;
  if ((parent?.type === 'Property' || parent?.type === 'PropertyDefinition') && parent.key.type === 'Identifier' && !parent.computed) return parent.key.name;
  return 'class';
}

/** The key of member `#name` declared by the class whose body is `ancestors[i]`. */
function memberKey(name: string, i: number, ctx: RewriteContext): string {
  const body = ctx.ancestors[i]!;
  return JSON.stringify(`${name} ${className(ctx.ancestors[i - 1], ctx.ancestors[i - 2])} ${fileHash(ctx)}:${body.start}`);
}

const undeclared = (name: string): PrivateMemberKind => ({ key: JSON.stringify(name), field: false, getter: false, setter: false, readOnly: false });

/** The key of `#name` here, for the runtime (see `PrivateMemberKind.key`). */
export function privateKey(name: string, ctx: RewriteContext): string {
  return privateMember(name, ctx).key;
}

function privateMember(name: string, ctx: RewriteContext): PrivateMemberKind {
  const chain = ctx.ancestors;
  for (let i = chain.length - 1; i >= 0; i--) {
    const n = chain[i]!;
    if (n.type !== 'ClassBody') continue;
    let found = false;
    let field = false;
    let getter = false;
    let setter = false;
    let staticAccessor = false;
    for (const member of n.body) {
      if ((member.type !== 'PropertyDefinition' && member.type !== 'MethodDefinition') || member.key.type !== 'PrivateIdentifier' || member.key.name !== name) continue;
      found = true;
      if (member.type === 'PropertyDefinition') field = true;
      else if (member.kind === 'get') (getter = true), (staticAccessor ||= member.static);
      else if (member.kind === 'set') (setter = true), (staticAccessor ||= member.static);
    }
    if (!found) continue;
    // (a static accessor's receiver is the class, never a stand-in: it stays as it is)
    return { key: memberKey(name, i, ctx), field, getter: getter && !staticAccessor, setter: setter && !staticAccessor, readOnly: !field && !setter };
  }
  return undeclared(name);
}

/** The private method an instance accessor's getter or setter body is moved into (`#zy$get$norm`). */
const accessorBody = (kind: 'get' | 'set', name: string): string => `zy$${kind}$${name}`;

/**
 * Stores `value` (a temporary) as `obj.#name`: a conditional whose value is `value`. On
 * the class's own instance a stored object is reported, so that the clean-up can replace
 * a traced value left in the member when the differentiation ends (the update closure is
 * made only when the runtime asks for it; a number's store pays for the `typeof` alone).
 */
/** The closure that writes member `#name` of its first argument (the runtime cannot name it). */
const writerOf = (name: string) => `(h, v) => { h.#${name} = v; }`;
/** The closure that rewrites member `#name` of its first argument through `s`, for the clean-up (proxies/cleanup.ts's PrivateUpdate). */
const updaterOf = (name: string) => `(h, s) => { h.#${name} = s(h.#${name}); }`;

function write(obj: string, name: string, value: string, ctx: RewriteContext): string {
  const member = privateMember(name, ctx);
  // (a private setter is code of its own, whose stores are rewritten where it stores; reading
  // `h.#x` back could not work for it, nor for a member declared in no enclosing class)
  const own = member.field
    ? `(${obj}.#${name} = ${value}, typeof ${value} === "object" && ${runtime('privateStored')}(${obj}, ${member.key}, ${value}) ? ` +
      `${runtime('notePrivate')}(${obj}, ${member.key}, ${value}, ${updaterOf(name)}) : ${value})`
    : `${obj}.#${name} = ${value}`;
  // On a stand-in: a field's write is recorded (made on the original when f ends); an instance
  // setter runs on the stand-in now, as on the instance (recorded, it ran on the original after
  // f, which never saw its effect: f's value was wrong); a method or a getter alone throws now,
  // as on the instance.
  const onStandIn = member.setter
    ? `(${runtime('privateHost')}(${obj}).#${accessorBody('set', name)}.call(${obj}, ${value}), ${value})`
    : member.readOnly
      ? `(${runtime('privateHost')}(${obj}).#${name} = ${value})`
      : `${runtime('privateSet')}(${obj}, ${member.key}, ${value}, ${updaterOf(name)})`;
  return `${branded(obj, name)} ? ${own} : ${runtime('isStandIn')}(${obj}) ? ${onStandIn} : (${obj}.#${name} = ${value})`;
}

/**
 * Re-spells the start of a read or call as `(E !== null && E !== undefined && #x in E ? E.#x : <slow>)`
 * with E's text kept in place as the first operand (`((__zy$1 = E) !== null && …` for a
 * temporary); `after` follows the closing parenthesis, and the overwrite runs from the
 * accessor through `end`.
 */
function brandedAccess(member: PrivateMember, h: Host, end: number, after: string, ctx: RewriteContext): void {
  const { ed } = ctx;
  const name = member.property.name;
  const dot = accessorToken(member, ctx);
  ed.prefix(member.start, h.temp ? `((${h.name} = ` : '(');
  const first = h.temp ? ')' : '';
  ed.overwrite(dot.start, end, `${first}${brandTail(h.name, name)} ? ${h.name}.#${name} : ${slowRead(h.name, name, privateMember(name, ctx))})${after}`);
}

/** Whether a private member is read as a value (not called, written, updated or destructured into here, nor a tag). */
export function isRead(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  if (!parent) return true;
  if (parent.type === 'CallExpression' && parent.callee === node) return false;
  if (parent.type === 'TaggedTemplateExpression' && parent.tag === node) return false;
  return !isWriteTarget(node, ctx);
}

/** `E.#x` read (see the file header). */
export const rewritePrivateRead: Rewriter = {
  name: 'private-read',
  types: ['MemberExpression'],
  test: (node, ctx) => isPrivateMember(node) && isRead(node, ctx),
  rewrite(node, ctx) {
    if (!isPrivateMember(node)) return;
    brandedAccess(node, host(node, ctx, false), node.end, '', ctx);
  },
};

/** `E.#x` a destructuring or a `for…of` head writes (see the file header). */
export const rewritePrivateTarget: Rewriter = {
  name: 'private-target',
  types: ['MemberExpression'],
  // (a field: a private setter is code of its own, whose stores are rewritten where it stores)
  test: (node, ctx) => isPrivateMember(node) && isPatternTarget(node, ctx) && privateMember(node.property.name, ctx).field,
  rewrite(node, ctx) {
    if (!isPrivateMember(node)) return;
    const name = node.property.name;
    ctx.ed.prefix(node.start, `${runtime('privateTarget')}(`);
    ctx.ed.replaceToken(node.object.end, node.end, '.', `, ${privateKey(name, ctx)}, (h) => #${name} in h, ${writerOf(name)}, ${updaterOf(name)}).`);
    ctx.ed.overwrite(node.property.start, node.property.end, 'value');
  },
};

/** `E.#m(a)` (see the file header). */
export const rewritePrivateCall: Rewriter = {
  name: 'private-call',
  types: ['CallExpression'],
  test: (node) => node.type === 'CallExpression' && isPrivateMember(node.callee),
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression' || !isPrivateMember(node.callee)) return;
    const { ed } = ctx;
    const member = node.callee;
    if (member.start !== node.start) dropParens(member, node.start, ctx);
    const h = host(member, ctx, true);
    // Through the `(` of the arguments: `.#m`, closing parentheses of the callee, `?.`.
    const paren = findToken(ed.tokens, member.end, node.end, '(', ed.code);
    const link = node.optional ? '?.' : '.';
    const sep = node.arguments.length > 0 ? ', ' : '';
    brandedAccess(member, h, paren.end, `${link}call(${h.name}${sep}`, ctx);
  },
};

/** `` E.#tag`…` `` (see the file header). */
export const rewritePrivateTag: Rewriter = {
  name: 'private-tag',
  types: ['TaggedTemplateExpression'],
  test: (node) => node.type === 'TaggedTemplateExpression' && isPrivateMember(node.tag as Node),
  rewrite(node, ctx) {
    if (node.type !== 'TaggedTemplateExpression' || !isPrivateMember(node.tag as Node)) return;
    const member = node.tag as PrivateMember;
    // (the substitutions run after the tag is read: o is held where they could change it)
    const h = host(member, ctx, true);
    brandedAccess(member, h, member.end, `.bind(${h.name})`, ctx);
  },
};

/** `E.#x = V`, `E.#x += V`, `E.#x &&= V`, … (see the file header). */
export const rewritePrivateAssign: Rewriter = {
  name: 'private-assign',
  types: ['AssignmentExpression'],
  test: (node) => node.type === 'AssignmentExpression' && isPrivateMember(node.left as Node),
  rewrite(node, ctx) {
    if (node.type !== 'AssignmentExpression' || !isPrivateMember(node.left as Node)) return;
    const { ed } = ctx;
    const member = node.left as PrivateMember;
    if (member.start !== node.start) dropParens(member, node.start, ctx);
    const h = host(member, ctx, true);
    const name = member.property.name;
    const value = ctx.temps.fresh();
    const op = findToken(ed.tokens, member.end, node.right.start, node.operator, ed.code);
    const w = write(h.name, name, value, ctx);
    const old = read(h.name, name, privateMember(name, ctx));
    // No parentheses around the whole when it is a statement's expression.
    const [lp, rp] = isStatementExpression(node, ctx) ? ['', ''] : ['(', ')'];
    let head: string;
    let tail: string;
    switch (node.operator) {
      case '=':
        // `this` is read before the value, as JavaScript reads the target first: before
        // `super()` in a derived constructor, reading it throws (and the value never runs).
        head = `${h.name === 'this' && thisMayBeUninitialized(ctx) ? 'this, ' : ''}${value} =`;
        tail = `, ${w}`;
        break;
      case '&&=':
        head = `${runtime('test')}(${old}) ? (${value} =`;
        tail = `, ${w}) : ${runtime('took')}()`;
        break;
      case '||=':
        head = `${runtime('test')}(${old}) ? ${runtime('took')}() : (${value} =`;
        tail = `, ${w})`;
        break;
      case '??=':
        head = `${old} ?? (${value} =`;
        tail = `, ${w})`;
        break;
      default: {
        const method = BINARY_METHODS[node.operator.slice(0, -1)]!;
        head = `${value} = ${runtime(method)}(${old},`;
        tail = `), ${w}`;
      }
    }
    if (h.temp) {
      ed.prefix(member.start, `${lp}${h.name} = `);
      ed.overwrite(accessorToken(member, ctx).start, op.end, `, ${head}`);
    } else {
      // E is `this` or a name: the whole target, through the operator, is re-spelled.
      ed.overwrite(member.start, op.end, `${lp}${head}`);
    }
    ed.suffix(node.end, `${tail}${rp}`);
  },
};

/** `E.#x++`, `--E.#x` (see the file header). */
export const rewritePrivateUpdate: Rewriter = {
  name: 'private-update',
  types: ['UpdateExpression'],
  test: (node) => node.type === 'UpdateExpression' && isPrivateMember(node.argument),
  rewrite(node, ctx) {
    if (node.type !== 'UpdateExpression' || !isPrivateMember(node.argument)) return;
    const member = node.argument;
    const h = host(member, ctx, true);
    const name = member.property.name;
    const method = node.operator === '++' ? 'inc' : 'dec';
    const parts = h.temp ? [`${h.name} = ${ctx.ed.operand(member.object as Node)}`] : [];
    const value = ctx.temps.fresh();
    if (node.prefix || valueUnused(node, ctx)) {
      parts.push(`${value} = ${runtime(method)}(${read(h.name, name, privateMember(name, ctx))})`, write(h.name, name, value, ctx));
    } else {
      const old = ctx.temps.fresh();
      parts.push(`${old} = ${runtime('numeric')}(${read(h.name, name, privateMember(name, ctx))})`, `${value} = ${runtime(method)}(${old})`, write(h.name, name, value, ctx), old);
    }
    ctx.ed.replace(node, group(node, ctx, parts.join(', ')));
  },
};

/** `#x in E` → `#x in __zy.privateHost(E)`. */
export const rewritePrivateIn: Rewriter = {
  name: 'private-in',
  types: ['BinaryExpression'],
  test: (node) => node.type === 'BinaryExpression' && node.operator === 'in' && node.left.type === 'PrivateIdentifier',
  rewrite(node, ctx) {
    if (node.type !== 'BinaryExpression') return;
    ctx.ed.wrap(node.right, `${runtime('privateHost')}(`, ')');
  },
};

/**
 * An instance's private accessor (`get #norm() { … }`, `set #w(v) { … }`): its body becomes a
 * private method, which the accessor calls, so that the slow paths above can run it on a
 * stand-in (which has no brand: `standIn.#norm` throws, and on the original the getter read
 * the caller's numbers, the setter wrote there after f):
 *
 *   get #norm() { B }  →  #zy$get$norm() { B } get #norm() { return this.#zy$get$norm(); }
 *   set #w(v) { B }    →  #zy$set$w(v) { B } set #w(v) { this.#zy$set$w(v); }
 *
 * A private method is a method as the accessor was (`super`, `this`, no `arguments` given).
 */
export const rewritePrivateAccessor: Rewriter = {
  name: 'private-accessor',
  types: ['MethodDefinition'],
  test: (node) => node.type === 'MethodDefinition' && !node.static && (node.kind === 'get' || node.kind === 'set') && node.key.type === 'PrivateIdentifier',
  rewrite(node, ctx) {
    if (node.type !== 'MethodDefinition' || node.key.type !== 'PrivateIdentifier' || (node.kind !== 'get' && node.kind !== 'set')) return;
    const name = node.key.name;
    const body = accessorBody(node.kind, name);
    ctx.ed.overwrite(node.start, node.key.end, `#${body}`);
    ctx.ed.suffix(node.end, node.kind === 'get' ? ` get #${name}() { return this.#${body}(); }` : ` set #${name}(v) { this.#${body}(v); }`);
  },
};

/**
 * Whether the chain `node` passes a private member after a link that skips (`o?.#items` in
 * `o?.#items.push(v)`): left by the private member rewriters, it is written out by
 * `rewritePrivateChain`.
 */
export function passesPrivateLink(node: Node): boolean {
  let privateSeen = false;
  for (let n: Node = node; ; ) {
    if (n.type === 'MemberExpression' && n.object.type !== 'Super') {
      privateSeen ||= n.property.type === 'PrivateIdentifier';
      if (n.optional && privateSeen) return true;
      n = n.object as Node;
    } else if (n.type === 'CallExpression') {
      if (n.optional && privateSeen) return true;
      n = n.callee as Node;
    } else return false;
  }
}

/**
 * The links of the optional chain `expr` from its first optional one, over `head` (the
 * expression before that link, which other rewriters have rewritten as a whole), when one of
 * them is a private member, and the calls among them are of members; else null.
 */
function privateChain(expr: Node): { head: Node; links: Node[] } | null {
  if (!passesPrivateLink(expr)) return null;
  const links: Node[] = [];
  let firstOptional = -1;
  for (let n: Node = expr; ; ) {
    if (n.type === 'MemberExpression' && n.object.type !== 'Super') {
      links.push(n);
      if (n.optional) firstOptional = links.length - 1;
      n = n.object as Node;
    } else if (n.type === 'CallExpression') {
      links.push(n);
      if (n.optional) firstOptional = links.length - 1;
      n = n.callee as Node;
    } else break;
  }
  const inChain = links.slice(0, firstOptional + 1).reverse();
  const first = inChain[0]!;
  // (`o.f?.()`: the call is the first optional link, its receiver is before it)
  if (first.type !== 'MemberExpression') return null;
  return { head: first.object as Node, links: inChain };
}

/**
 * The parts of a chain's links that other rewriters rewrite (computed keys, arguments), in order:
 * where the chain's text is its source with these parts rewritten, no rewriter edited the
 * chain's links themselves, and it can be written out from the parts.
 */
function linkParts(links: Node[]): Node[] {
  const parts: Node[] = [];
  for (const link of links) {
    if (link.type === 'MemberExpression' && link.computed) parts.push(link.property as Node);
    else if (link.type === 'CallExpression') parts.push(...(link.arguments as Node[]));
  }
  return parts;
}

function untouched(chain: Node, head: Node, links: Node[], ctx: RewriteContext): boolean {
  const { ed } = ctx;
  let expected = '';
  let at = chain.start;
  for (const part of [head, ...linkParts(links)]) {
    expected += ed.code.slice(at, part.start) + ed.text(part);
    at = part.end;
  }
  return ed.text(chain) === expected + ed.code.slice(at, chain.end);
}

/** An optional chain through a private member (see the file header): the skip written out. */
export const rewritePrivateChain: Rewriter = {
  name: 'private-chain',
  types: ['ChainExpression'],
  test: (node, ctx) => {
    if (node.type !== 'ChainExpression' || !tempsAvailable(ctx)) return false;
    // (`(o?.#m)()` calls it with `this` o, which the written-out skip would lose)
    const parent = parentOf(ctx);
    if (parent?.type === 'CallExpression' && parent.callee === node) return false;
    const chain = privateChain(node.expression as Node);
    return chain !== null && untouched(node, chain.head, chain.links, ctx);
  },
  rewrite(node, ctx) {
    if (node.type !== 'ChainExpression') return;
    const { ed } = ctx;
    const { head, links } = privateChain(node.expression as Node)!;
    let skips = '';
    let current = ed.operand(head);
    // (whether `current` is a name, read more than once with nothing run in between: a temporary's, or `this`)
    let named = head.type === 'ThisExpression';
    // (a method's object, for the call after it)
    let receiver = '';
    // (where the method's object went into `receiver`: its assignment, made before the method is read)
    let held = '';
    links.forEach((link, i) => {
      if (link.type === 'CallExpression') {
        const args = link.arguments.map((a) => `, ${ed.operand(a as Node)}`).join('');
        const callee = link.callee as acorn.MemberExpression;
        const entry = callee.property.type === 'PrivateIdentifier' ? null : methodEntry(callee);
        const first = held === '' ? '' : `${held}, `;
        held = '';
        if (link.optional) {
          const fn = ctx.temps.fresh();
          skips += `(${fn} = ${first === '' ? current : `(${first}${current})`}) == null ? void 0 : `;
          current = fn;
        }
        // (a search or a store through the runtime, as rewrite-builtins.ts calls one; `this` is the object)
        let call: string;
        if (entry !== null) call = `${runtime(entry)}(${receiver}, ${current}${args})`;
        else if (callee.property.type !== 'PrivateIdentifier' && !link.optional) call = `${current}(${args.slice(2)})`;
        else call = `${current}.call(${receiver}${args})`;
        current = link.optional || first === '' ? call : `(${first}${call})`;
        named = false;
        return;
      }
      if (link.type !== 'MemberExpression') return;
      if (link.optional) {
        const t = ctx.temps.fresh();
        skips += `(${t} = ${current}) == null ? void 0 : `;
        current = t;
        named = true;
      }
      const next = links[i + 1];
      const called = next?.type === 'CallExpression' && next.callee === link;
      if (link.property.type === 'PrivateIdentifier') {
        const name = link.property.name;
        if (named) {
          receiver = current;
          current = read(current, name, privateMember(name, ctx));
        } else {
          receiver = ctx.temps.fresh();
          current = `(${receiver} = ${current}, ${read(receiver, name, privateMember(name, ctx))})`;
        }
      } else {
        if (called && named) receiver = current;
        else if (called) {
          receiver = ctx.temps.fresh();
          held = `${receiver} = ${current}`;
          current = receiver;
        }
        current = link.computed ? `${current}[${ed.operand(link.property as Node)}]` : `${current}.${(link.property as acorn.Identifier).name}`;
      }
      named = false;
    });
    ed.replace(node, `(${skips}${current})`);
  },
};
