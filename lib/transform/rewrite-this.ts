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
import { eitherCopy } from './two-bodies.js';

export const rewriteArrowThis: Rewriter = {
  name: 'arrow-this',
  types: ['ThisExpression'],
  test: (node, ctx) => inInstanceArrow(node, ctx),
  rewrite(node, ctx) {
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    ctx.ed.wrap(node, either(`${runtime('lexicalThis')}(`), either(')'));
  },
};

/** Whether `this` at `node` is the instance, read in an arrow made by a field initializer or a constructor. */
function inInstanceArrow(node: Node, ctx: RewriteContext): boolean {
  const ancestors = ctx.ancestors;
  let inArrow = false;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === 'ArrowFunctionExpression') {
      inArrow = true;
      continue;
    }
    if (a.type === 'PropertyDefinition') return inArrow && !a.static && a.value !== null && a.value !== undefined && node.start >= a.value.start;
    if (a.type === 'FunctionExpression') {
      const owner = ancestors[i - 1];
      return inArrow && owner !== undefined && owner.type === 'MethodDefinition' && owner.kind === 'constructor';
    }
    if (a.type === 'FunctionDeclaration' || a.type === 'StaticBlock' || a.type === 'ClassBody' || a.type === 'Program') return false;
  }
  return false;
}
