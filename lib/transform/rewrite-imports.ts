/**
 * Calls of functions imported from packages (`import { mean } from 'simple-statistics'`,
 * `import * as ss from '…'`, a default import): `mean(xs)` → `(0, __zy.callImported)(void 0, mean, xs)`,
 * `ss.mean(xs)` → `(0, __zy.callImported)(ss, ss.mean, xs)`, and `agg(xs)` for a `const agg = ss.mean`
 * (or `= mean`, `{ mean: agg } = ss`) likewise; in CommonJS, names bound to
 * `require('…')` at the program's level likewise (lib/transform/ast.ts `importsOf`). While a differentiation runs,
 * the runtime stops a call into a package that was not rewritten when it returns NaN for
 * traced numbers, a derivative lost without a conversion to report (lib/imported.ts).
 * Imports of relative paths, `node:` modules and zygote-ts itself are the program's own
 * or known; a local name that shadows an import is checked at run time as well (the
 * runtime looks at the function called), which costs a call and changes nothing.
 */
import type * as acorn from 'acorn';
import { importsOf, memberName, type Node } from './ast.js';
import { parentOf, runtime, type RewriteContext, type Rewriter } from './context.js';
import { hasPredicateArguments } from './rewrite-callbacks.js';
import { eitherCopy } from './two-bodies.js';
import { constBinding } from './rewrite-globals.js';
import { LANGUAGE_GLOBALS } from './language-globals.js';

function isPackageSpecifier(specifier: string): boolean {
  return !/^(?:\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) && specifier !== 'zygote-ts' && !specifier.startsWith('zygote-ts/');
}

function isImported(node: Node, ctx: RewriteContext): node is acorn.Identifier {
  if (node.type !== 'Identifier' || ctx.ancestors.length === 0) return false;
  const imported = importsOf(ctx.ancestors[0]!).get(node.name);
  return imported !== undefined && isPackageSpecifier(imported.source) && ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node);
}

/**
 * A package's namespace as code reads it: an imported name (`ss`), or its `default` where
 * code compiled to CommonJS reads a default import (`import_ss.default.mean(x)`, esbuild's
 * and TypeScript's output of `import ss from 'ss'; ss.mean(x)`). The text of the receiver
 * a method is called with, or null.
 */
function importedNamespace(node: Node, ctx: RewriteContext): string | null {
  if (isImported(node, ctx)) return node.name;
  if (node.type !== 'MemberExpression' || node.computed || node.optional || node.property.type !== 'Identifier' || node.property.name !== 'default') return null;
  const object = node.object as Node;
  return isImported(object, ctx) ? `${object.name}.default` : null;
}

/**
 * The imported function a call calls, and the receiver it calls it with (`void 0`, or the
 * namespace as code reads it): `f(x)`, `ns.f(x)`, and `(0, ns.f)(x)`, as code compiled to
 * CommonJS calls an imported function (esbuild, TypeScript, Babel), with no receiver.
 */
function importedCallee(node: Node, ctx: RewriteContext): { callee: Node; receiver: string } | null {
  if (node.type !== 'CallExpression' || node.optional) return null;
  let callee = node.callee as Node;
  let detached = false;
  if (callee.type === 'SequenceExpression' && callee.expressions.length === 2 && callee.expressions[0]!.type === 'Literal') {
    callee = callee.expressions[1] as Node;
    detached = true;
    if (callee.type !== 'MemberExpression') return null;
  }
  if (isImported(callee, ctx) || (!detached && isFreeCall(callee, ctx))) return { callee: node.callee as Node, receiver: 'void 0' };
  const namespace = callee.type === 'MemberExpression' && !callee.optional ? importedNamespace(callee.object as Node, ctx) : null;
  if (namespace !== null) return { callee: node.callee as Node, receiver: detached ? 'void 0' : namespace };
  if (!detached && isImportedAlias(callee, ctx)) return { callee, receiver: 'void 0' };
  return null;
}

/**
 * A name the code does not declare, called (`helper(x)`), where the options ask it checked: in a
 * function recompiled from its text it is a global, and a helper of code that was not rewritten
 * either answered a traced number's `typeof` as for an object, with no word (`helper(x) + x` with
 * `helper = (x) => typeof x === 'number' ? x * x : 0` gave 1 where it is 4). Not the language's
 * own (`isFinite(x)` is the runtime's already; `eval(…)` is a direct eval only so spelled).
 */
function isFreeCall(node: Node, ctx: RewriteContext): boolean {
  return ctx.options.checkFreeCalls === true && node.type === 'Identifier' && !LANGUAGE_GLOBALS.has(node.name) && !ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node);
}

/**
 * A `const` bound to an imported function (`const agg = ss.mean`, `const agg = mean`,
 * `const { mean: agg } = ss`): called as `agg(xs)`, it is checked as `ss.mean(xs)` is (the
 * call was left as written, and a package's NaN for traced numbers went by with no report).
 */
function isImportedAlias(node: Node, ctx: RewriteContext): boolean {
  const bound = constBinding(node, ctx);
  if (bound === null) return false;
  const init = bound.init;
  if (bound.key !== null) return importedNamespace(init, ctx) !== null;
  if (isImported(init, ctx)) return true;
  return init.type === 'MemberExpression' && !init.optional && !init.computed && importedNamespace(init.object as Node, ctx) !== null;
}

export const rewriteImportedCall: Rewriter = {
  name: 'imported-call',
  types: ['CallExpression'],
  test: (node, ctx) => importedCallee(node, ctx) !== null,
  rewrite(node, ctx) {
    const found = importedCallee(node, ctx);
    if (found === null || node.type !== 'CallExpression') return;
    const { callee, receiver } = found;
    const args = node.arguments;
    // (the receiver, an import binding or its `default`, is read twice: reading either runs nothing)
    // (`_.filter(xs, Boolean)`: callbacks answer with their truth where the package tests it
    // natively, rewrite-callbacks.ts; a plain copy has no traced number to ask about)
    const call = (entry: string) => `${runtime(entry)}(${receiver}, `;
    ctx.ed.prefix(node.start, hasPredicateArguments(node, ctx) ? eitherCopy(call('callImportedPredicates'), call('callImported'), ctx.options.twoBodies) : call('callImported'));
    ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', args.length > 0 ? ', ' : '');
  },
};

/**
 * Methods that call the function they are given, by name (the array methods, `Array.from`'s
 * map function): a function given there is only called. (Given to another function, it may be
 * kept and compared, and a Proxy is not the function: `handlers.get(ss.mean)` would miss.)
 */
export const CALLING_METHODS: ReadonlySet<string> = new Set([
  'map', 'flatMap', 'forEach', 'reduce', 'reduceRight', 'filter', 'find', 'findIndex', 'findLast',
  'findLastIndex', 'some', 'every', 'sort', 'toSorted', 'from',
]);

/** Whether `node` is an argument of a call of one of {@link CALLING_METHODS} (`rows.map(node)`, `xs['sort'](node)`). */
export function isGivenToCallingMethod(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  return parent?.type === 'CallExpression' && parent.callee !== node && parent.callee.type === 'MemberExpression' && CALLING_METHODS.has(memberName(parent.callee) ?? '');
}

/** `mean` or `ss.mean` (imported from a package) given to a method that calls it: `rows.map(ss.mean)`. */
function isImportedCallback(node: Node, ctx: RewriteContext): boolean {
  if (!isGivenToCallingMethod(node, ctx)) return false;
  if (node.type === 'Identifier') return isImported(node, ctx);
  return node.type === 'MemberExpression' && !node.computed && !node.optional && importedNamespace(node.object as Node, ctx) !== null;
}

/**
 * A function imported from a package, given to a method that calls it (`rows.map(ss.mean)`):
 * its calls happen where no call is rewritten, so the runtime hands it on checked as
 * {@link rewriteImportedCall} checks a call (lib/imported.ts). Without it, `rows.map(ss.mean)`
 * on traced numbers gave NaN and a null gradient, silently.
 *
 *   rows.map(ss.mean)  →  rows.map((0, __zy.importedFunction)(ss.mean))
 */
export const rewriteImportedCallback: Rewriter = {
  name: 'imported-callback',
  types: ['Identifier', 'MemberExpression'],
  test: isImportedCallback,
  rewrite(node, ctx) {
    ctx.ed.wrap(node, eitherCopy(`${runtime('importedFunction')}(`, '', ctx.options.twoBodies), eitherCopy(')', '', ctx.options.twoBodies));
  },
};
