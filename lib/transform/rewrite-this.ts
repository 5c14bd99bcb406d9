/**
 * `this` in an arrow function made by a class's field initializer or constructor
 * (`area = () => this.w * this.h`, `this.onTick = () => this.step()`): the arrow is an own
 * property of the instance and keeps the instance it was made for. When the instance is an
 * argument of a differentiation, f receives a stand-in holding the arrow, and the arrow
 * read the caller's object: constants (a null gradient), and not what f wrote. It reads
 * `__zy.lexicalThis(this)`, the object f sees for it while a differentiation runs (the
 * instance itself otherwise). A plain copy (two-bodies.ts) keeps `this`.
 *
 *   area = () => this.w  →  area = () => (0, __zy.lexicalThis)(this).w
 */
import type { Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { runtime } from './context.js';
import { dropCalleeParentheses, isMemberNamed, keyOpener, receiverOf } from './rewrite-builtins.js';
import { eitherCopy } from './two-bodies.js';
import { isFunction, readsOwn } from './ast.js';
import { tempsAvailable } from './rewrite-inline.js';
import { holdsNoTraced } from './rewrite-stores.js';

export const rewriteArrowThis: Rewriter = {
  name: 'arrow-this',
  types: ['ThisExpression'],
  test: (node, ctx) => instanceThis(node, ctx, true),
  rewrite(node, ctx) {
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    ctx.ed.wrap(node, either(`${runtime('lexicalThis')}(`), either(')'));
  },
};

/**
 * `super.m(…)` in such an arrow (`handle = () => super.handle() * 2`): the call's receiver is
 * the instance the arrow was made for, the caller's object where f received a stand-in
 * (what m reads was constant: a gradient of 6 where it is 12). It is called on the object f
 * sees for the instance: `super.m.call((0, __zy.lexicalThis)(this), …)`. (Search methods
 * and typed-array classes' super calls are rewrite-builtins.ts's, with the same receiver.)
 */
export const rewriteArrowSuperCall: Rewriter = {
  name: 'arrow-super-call',
  types: ['CallExpression'],
  test: (node, ctx) =>
    node.type === 'CallExpression' && !node.optional && node.callee.type === 'MemberExpression' &&
    node.callee.object.type === 'Super' && !node.callee.optional && instanceThis(node, ctx, true),
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    const either = (traced: string, plain: string) => eitherCopy(traced, plain, ctx.options.twoBodies);
    dropCalleeParentheses(node, ctx, either);
    const args = node.arguments;
    const receiver = `${runtime('lexicalThis')}(this)`;
    ctx.ed.replaceToken(node.callee.end, args.length > 0 ? args[0]!.start : node.end, '(', either(args.length > 0 ? `.call(${receiver}, ` : `.call(${receiver}`, '('));
  },
};

const BIND: ReadonlySet<string> = new Set(['bind']);

/**
 * `E.bind(this, …)` in a class's field initializer or constructor (`this.step = this.step.bind(this)`):
 * the bound function is an own property of the instance and keeps the instance it was made
 * for, as the arrows above do. `(0, __zy.bindInstance)(t = E, t.bind, this, …)` makes it as
 * `bind` does (a bound function: its name, length and construction are bind's), calling E
 * with the object f sees for the instance while a differentiation runs. In both copies
 * (two-bodies.ts): the binding is made when the instance is, where no differentiation runs.
 */
export const rewriteInstanceBind: Rewriter = {
  name: 'instance-bind',
  types: ['CallExpression'],
  test(node, ctx) {
    if (node.type !== 'CallExpression' || node.optional || !isMemberNamed(node.callee as Node, BIND)) return false;
    const first = node.arguments[0];
    return first !== undefined && first.type === 'ThisExpression' && instanceThis(first as Node, ctx, false, node);
  },
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression' || node.callee.type !== 'MemberExpression') return;
    const callee = node.callee;
    const { ed } = ctx;
    dropCalleeParentheses(node, ctx);
    const receiver = receiverOf(callee.object as Node, ctx);
    // E.bind(this, a) → (0, __zy.bindInstance)(t = E, t.bind, this, a): E read once, then bind, then the arguments
    ed.prefix(node.start, `${runtime('bindInstance')}(${receiver.first}`);
    const opener = keyOpener(callee);
    ed.replaceToken(callee.object.end, callee.property.start, opener, `${receiver.close}, ${receiver.again}${opener}`);
    ed.replaceToken(callee.end, node.arguments[0]!.start, '(', ', ');
  },
};

/**
 * Whether `this` at `node` is the instance a class's field initializer or constructor is
 * making (inside an arrow when `inArrow` is asked for). `from`: a node between `node` and the
 * ancestors (the call being rewritten, whose arguments hold `node`).
 */
export function instanceThis(node: Node, ctx: RewriteContext, needArrow: boolean, from?: Node): boolean {
  const ancestors = ctx.ancestors;
  let inArrow = false;
  let storedOnThis = false;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === 'ArrowFunctionExpression') {
      inArrow = true;
      storedOnThis ||= isStoredOnThis(a, ancestors[i - 1]);
      continue;
    }
    if (a.type === 'PropertyDefinition') return (inArrow || !needArrow) && !a.static && a.value !== null && a.value !== undefined && (from ?? node).start >= a.value.start;
    // (an arrow a method stores on its instance, `init() { this.onTick = () => this.step() }`, is
    // an own property of the instance, made before any differentiation when the method ran before)
    if (a.type === 'FunctionExpression' || a.type === 'FunctionDeclaration') return (inArrow || !needArrow) && (isConstructor(a, ancestors[i - 1]) || storedOnThis);
    if (a.type === 'StaticBlock' || a.type === 'ClassBody' || a.type === 'Program') return false;
  }
  return false;
}

/** Whether `arrow` is what `this.k = arrow` stores (`parent`: its parent). */
function isStoredOnThis(arrow: Node, parent: Node | undefined): boolean {
  return parent !== undefined && parent.type === 'AssignmentExpression' && parent.operator === '=' && parent.right === arrow && parent.left.type === 'MemberExpression' && parent.left.object.type === 'ThisExpression';
}

/**
 * Whether function `fn` (held by `owner`) makes instances: a class's constructor, or a function
 * named as one (`function Point(x) { … }`: the constructors of code written before classes, and
 * of classes compiled for ES5 by TypeScript or Babel). A closure it makes is an own property of
 * the instance it makes, made before any differentiation.
 */
function isConstructor(fn: Node, owner: Node | undefined): boolean {
  if (fn.type !== 'FunctionExpression' && fn.type !== 'FunctionDeclaration') return false;
  if (owner !== undefined && owner.type === 'MethodDefinition') return owner.kind === 'constructor';
  if (owner !== undefined && owner.type === 'Property' && (owner.method || owner.kind !== 'init')) return false;
  return fn.id !== null && fn.id !== undefined && /^[A-Z]/.test(fn.id.name);
}

/**
 * A name a constructor binds to its instance (`const self = this`; TypeScript's ES5 output
 * `var _this = this`, or `var _this = _super.call(this, x) || this` in a subclass), read in a
 * function it makes (`this.area = function () { return _this.w * _this.h; }`): like an arrow's
 * `this` above, the closure kept the caller's object where f received a stand-in (constants: a
 * derivative of 1 where it is 7). It reads `__zy.lexicalThis(self)`. Only where the name is
 * never assigned again, and is read inside a nested function.
 */
export const rewriteInstanceAlias: Rewriter = {
  name: 'instance-alias',
  types: ['Identifier'],
  test(node, ctx) {
    if (node.type !== 'Identifier' || ctx.scope.writes.has(node) || !ctx.scope.isDeclared(node) || ctx.scope.assignedNames.has(node.name)) return false;
    const parent = ctx.ancestors[ctx.ancestors.length - 1];
    if (parent !== undefined && parent.type === 'Property' && parent.shorthand) return false;
    const owner = ctx.scope.bindingOwner(node);
    if (owner === null || (owner.type !== 'FunctionExpression' && owner.type !== 'FunctionDeclaration')) return false;
    if (owner.id !== null && owner.id !== undefined && !/^[A-Z]/.test(owner.id.name)) return false; // (most functions: before the walk up)
    const at = ctx.ancestors.lastIndexOf(owner);
    if (at < 0 || !isConstructor(owner, ctx.ancestors[at - 1])) return false;
    // (read in a function the constructor makes: in its own body, the name is the instance being made)
    let nested = false;
    for (let i = at + 1; i < ctx.ancestors.length && !nested; i++) nested = isFunction(ctx.ancestors[i]!);
    return nested && aliasesThis(owner, node.name);
  },
  rewrite(node, ctx) {
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    ctx.ed.wrap(node, either(`${runtime('lexicalThis')}(`), either(')'));
  },
};

/** Whether a statement of `fn`'s own body declares `name` as its `this` (`= this`, or `= E || this`). */
function aliasesThis(fn: Node, name: string): boolean {
  if ((fn.type !== 'FunctionExpression' && fn.type !== 'FunctionDeclaration') || fn.body.type !== 'BlockStatement') return false;
  for (const statement of fn.body.body) {
    if (statement.type !== 'VariableDeclaration') continue;
    for (const d of statement.declarations) {
      if (d.id.type !== 'Identifier' || d.id.name !== name || d.init === null || d.init === undefined) continue;
      const init = d.init as Node;
      return init.type === 'ThisExpression' || (init.type === 'LogicalExpression' && init.operator === '||' && init.right.type === 'ThisExpression');
    }
  }
  return false;
}

/**
 * `return E` in a function that may be called with `new` and makes its instance on `this`
 * (`function Rect(w) { this.w = w; return w * 2 }`, a base class's constructor): `new` gives
 * the instance when E is a number, but a traced number is an object, and `new Rect(x)` gave
 * it instead (`r.w` undefined, a derivative lost with no word). While a differentiation may
 * run, a constructed call returns the instance where E is one:
 *
 *   return w * 2  →  return (__zy$1 = w * 2, new.target === undefined ? __zy$1 : (0, __zy.constructed)(__zy$1, this))
 *
 * The plain copy (two-bodies.ts) keeps `return E`. Only where E was rewritten (arithmetic, a
 * `Math` call), or where the function was (`this.w = w; return w`): a function otherwise left
 * as written stays so. Not in a derived class's
 * constructor (returning a number there is a TypeError, and `this` may not be bound).
 */
export const rewriteConstructorResult: Rewriter = {
  name: 'constructor-result',
  types: ['ReturnStatement'],
  test(node, ctx) {
    if (node.type !== 'ReturnStatement' || node.argument === null || node.argument === undefined || !tempsAvailable(ctx)) return false;
    if (NEVER_A_NUMBER.has(node.argument.type) || holdsNoTraced(node.argument as Node, ctx)) return false;
    for (let i = ctx.ancestors.length - 1; i >= 0; i--) {
      const a = ctx.ancestors[i]!;
      if (!isFunction(a)) continue;
      if (!makesInstance(a, ctx.ancestors[i - 1], ctx.ancestors[i - 3])) return false;
      // A function with nothing else rewritten (one that returns a call's result) must stay
      // unchanged: that is how gradient knows it needs no rewrite when it reaches it
      // unrewritten. So a value returned as given (`return w`, `return f(w)`) is wrapped only
      // where the rewrite already changed the function before it (`this.w = w` is a store).
      if (ctx.ed.text(node.argument) !== ctx.ed.original(node.argument)) return true;
      const before = { start: (a.body as Node).start, end: node.start };
      return ctx.ed.text(before) !== ctx.ed.original(before);
    }
    return false;
  },
  rewrite(node, ctx) {
    if (node.type !== 'ReturnStatement' || !node.argument) return;
    const argument = node.argument as Node;
    const value = ctx.temps.fresh(argument.end);
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    ctx.ed.wrap(argument, either(`(${value} = `), either(`, new.target === undefined ? ${value} : ${runtime('constructed')}(${value}, this))`));
  },
};

const NEVER_A_NUMBER: ReadonlySet<string> = new Set(['ThisExpression', 'ObjectExpression', 'ArrayExpression', 'NewExpression']);

const instanceMakers = new WeakMap<Node, boolean>();
/**
 * Whether a call of function `fn` (held by `owner`; `klass`: the class, for a method) with
 * `new` gives the `this` it makes: a base class's constructor, or an ordinary function that
 * reads its own `this`.
 */
function makesInstance(fn: Node, owner: Node | undefined, klass: Node | undefined): boolean {
  if (fn.type !== 'FunctionExpression' && fn.type !== 'FunctionDeclaration') return false;
  if (fn.async || fn.generator) return false;
  if (owner !== undefined && owner.type === 'MethodDefinition') {
    return owner.kind === 'constructor' && (klass?.type === 'ClassDeclaration' || klass?.type === 'ClassExpression') && (klass.superClass === null || klass.superClass === undefined);
  }
  if (owner !== undefined && owner.type === 'Property' && (owner.method || owner.kind !== 'init')) return false;
  let known = instanceMakers.get(fn);
  if (known === undefined) instanceMakers.set(fn, (known = readsOwn(fn.body as Node, (n) => n.type === 'ThisExpression')));
  return known;
}
