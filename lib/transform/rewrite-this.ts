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
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === 'ArrowFunctionExpression') {
      inArrow = true;
      continue;
    }
    if (a.type === 'PropertyDefinition') return (inArrow || !needArrow) && !a.static && a.value !== null && a.value !== undefined && (from ?? node).start >= a.value.start;
    if (a.type === 'FunctionExpression') {
      const owner = ancestors[i - 1];
      return (inArrow || !needArrow) && owner !== undefined && owner.type === 'MethodDefinition' && owner.kind === 'constructor';
    }
    if (a.type === 'FunctionDeclaration' || a.type === 'StaticBlock' || a.type === 'ClassBody' || a.type === 'Program') return false;
  }
  return false;
}
