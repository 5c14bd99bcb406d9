/**
 * Calls of functions imported from packages (`import { mean } from 'simple-statistics'`,
 * `import * as ss from '…'`, a default import): `mean(xs)` → `(0, __zy.callImported)(void 0, mean, xs)`,
 * `ss.mean(xs)` → `(0, __zy.callImported)(ss, ss.mean, xs)`, and `agg(xs)` for a `const agg = ss.mean`
 * (or `= mean`, `{ mean: agg } = ss`) likewise; in CommonJS, names bound to
 * `require('…')` at the program's level likewise (lib/transform/ast.ts `importsOf`). While a differentiation runs,
 * the runtime stops a call into a package that was not rewritten when it returns NaN for
 * traced numbers, a derivative lost without a conversion to report (lib/imported.ts).
 * Imports of relative paths, other URLs and zygote-ts itself are the program's own or
 * known; a local name that shadows an import is checked at run time as well (the runtime
 * looks at the function called), which costs a call and changes nothing. Node's modules that
 * compare what they are given, `node:util` and `node:assert`, are checked as their bare names
 * (`'util'`) are: their code was not rewritten either (`isDeepStrictEqual(xs, [4, 2, 1])` of
 * `node:util` answered false with no word). (Other `node:` modules are not: a `Console` of
 * `node:console` prints a traced number as it is, through bound methods that cannot be read.)
 */
import type * as acorn from 'acorn';
import { importsOf, isCreateRequire, isFunction, loadedSource, memberName, type Node } from './ast.js';
import { parentOf, runtime, type RewriteContext, type Rewriter } from './context.js';
import { hasPredicateArguments } from './rewrite-callbacks.js';
import { eitherCopy } from './two-bodies.js';
import { constBinding } from './rewrite-globals.js';
import { LANGUAGE_GLOBALS } from './language-globals.js';
import { holdsNoTraced, MUTATING_METHODS } from './rewrite-stores.js';
import { callThroughRuntime } from './rewrite-builtins.js';

const COMPARING_NODE_MODULES: ReadonlySet<string> = new Set(['node:util', 'node:assert', 'node:assert/strict']);

function isPackageSpecifier(specifier: string): boolean {
  return (!/^(?:\.|\/|[a-z][a-z0-9+.-]*:)/i.test(specifier) || COMPARING_NODE_MODULES.has(specifier)) && specifier !== 'zygote-ts' && !specifier.startsWith('zygote-ts/');
}

function isImported(node: Node, ctx: RewriteContext): node is acorn.Identifier {
  if (node.type !== 'Identifier' || ctx.ancestors.length === 0) return false;
  const source = importedSource(node, ctx);
  // (a file of the program's own marked `@zygote-ignore` is not rewritten either: `typeof x === 'number'` there is false for a traced x)
  return source !== null && (isPackageSpecifier(source) || ctx.options.ignoredImports?.has(source) === true) && ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node);
}

/**
 * Where the name `node` was imported from: the program's imports, or a name a function binds once
 * to a module it loads (`const { sq } = await import('./helper.js')`, `const m = require('m')`,
 * `createRequire(import.meta.url)('./helper.cjs')`), whose calls went unchecked; or null.
 */
function importedSource(node: acorn.Identifier, ctx: RewriteContext): string | null {
  const imported = importsOf(ctx.ancestors[0]!).get(node.name);
  if (imported !== undefined) return imported.source;
  const bound = constBinding(node, ctx);
  if (bound === null) return thenParameterSource(node, ctx);
  const init = bound.init;
  // (`req('./helper.cjs')` with `const req = createRequire(import.meta.url)` where the function is)
  if (init.type === 'CallExpression' && init.callee.type === 'Identifier' && init.arguments.length === 1) {
    const maker = constBinding(init.callee as Node, ctx);
    if (maker !== null && maker.key === null && isCreateRequire(maker.init)) return loadedSource(init, new Set([init.callee.name]));
  }
  return loadedSource(init);
}

/**
 * The module `import('m').then((ns) => …)` or `.then(({ sq }) => …)` loads, where `node` is a name
 * that first parameter binds (its calls went unchecked, as `await import('m')`'s did), or null.
 */
function thenParameterSource(node: acorn.Identifier, ctx: RewriteContext): string | null {
  const owner = ctx.scope.bindingOwner(node);
  if (owner === null || !isFunction(owner) || ctx.scope.assignedNames.has(node.name)) return null;
  const [first] = owner.params;
  const binds = first?.type === 'Identifier' ? first.name === node.name : first?.type === 'ObjectPattern' && first.properties.some((p) => p.type === 'Property' && p.value.type === 'Identifier' && p.value.name === node.name);
  if (!binds) return null;
  const at = ctx.ancestors.indexOf(owner);
  const call = at > 0 ? ctx.ancestors[at - 1]! : undefined;
  if (call?.type !== 'CallExpression' || call.arguments[0] !== owner || call.callee.type !== 'MemberExpression' || memberName(call.callee) !== 'then') return null;
  const loaded = call.callee.object as Node;
  return loaded.type === 'ImportExpression' && loaded.source.type === 'Literal' && typeof loaded.source.value === 'string' ? loaded.source.value : null;
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

/** The methods of Vitest's `vi` that its own transform finds by their text (`vi.mock(`) and moves above the imports. */
export const VITEST_HOISTED: ReadonlySet<string> = new Set(['mock', 'unmock', 'doMock', 'doUnmock', 'hoisted']);

/**
 * `vi.mock(…)`, `vi.hoisted(…)` and kin, `vi` (or `vitest`) imported from 'vitest': left as
 * written. Vitest's transform runs after the Vite plugin's and knows them by their text; sent
 * through the runtime, `(0, __zy.callImported)(vi, vi.mock, './scale', factory)` stayed below
 * the imports, and the test ran the real module where it mocked it, silently.
 */
function isVitestHoisted(callee: Node, ctx: RewriteContext): boolean {
  if (callee.type !== 'MemberExpression' || callee.computed || callee.optional || callee.object.type !== 'Identifier') return false;
  const name = callee.object.name;
  return (name === 'vi' || name === 'vitest') && VITEST_HOISTED.has(memberName(callee) ?? '') && importsOf(ctx.ancestors[0]!).get(name)?.source === 'vitest';
}

/**
 * The imported function a call calls, and the receiver it calls it with (`void 0`, or the
 * namespace as code reads it): `f(x)`, `ns.f(x)`, and `(0, ns.f)(x)`, as code compiled to
 * CommonJS calls an imported function (esbuild, TypeScript, Babel), with no receiver; a
 * global called (`helper(x)`, `helperO.sq(x)`), receiver null: called as it reads its receiver.
 */
function importedCallee(node: Node, ctx: RewriteContext): { callee: Node; receiver: string | null; tracedOnly?: boolean } | null {
  if (node.type !== 'CallExpression' || node.optional || isVitestHoisted(node.callee as Node, ctx)) return null;
  let callee = node.callee as Node;
  let detached = false;
  if (callee.type === 'SequenceExpression' && callee.expressions.length === 2 && callee.expressions[0]!.type === 'Literal') {
    callee = callee.expressions[1] as Node;
    detached = true;
    if (callee.type !== 'MemberExpression') return null;
  }
  if (isImported(callee, ctx)) return { callee: node.callee as Node, receiver: 'void 0' };
  if (!detached && (isFreeCall(callee, ctx) || isFreeObjectMethod(callee, ctx)) && checksFreeCall(node, ctx)) return { callee, receiver: null };
  const namespace = callee.type === 'MemberExpression' && !callee.optional ? importedNamespace(callee.object as Node, ctx) : null;
  if (namespace !== null) return { callee: node.callee as Node, receiver: detached ? 'void 0' : namespace };
  if (!detached && isImportedAlias(callee, ctx)) return { callee, receiver: 'void 0' };
  if (!detached && isBindOfImported(callee, ctx)) return { callee, receiver: 'void 0' };
  if (detached) return null;
  if (isMadeByImport(callee, ctx) || isCallMadeByImport(callee, ctx)) return { callee, receiver: 'void 0', tracedOnly: true };
  // (not its `bind`, which rewriteBindNoted sends through the runtime in both copies: a bound copy is made where no differentiation runs)
  if (callee.type === 'MemberExpression' && !callee.optional && memberName(callee) !== 'bind' && isMadeByImport(callee.object as Node, ctx)) return { callee, receiver: (callee.object as acorn.Identifier).name, tracedOnly: true };
  return null;
}

/**
 * A name bound once to what a package made: an instance of its class (`const v = new Vec(1)`,
 * `new ns.Vec(1)`) or what its function returned (`const triple = make()`, `const s = ns.scale()`).
 * Its calls (`triple(x)`) and its methods' (`v.scale(x)`) run the package's code as its functions do,
 * and went unchecked: one testing `typeof k === 'number'` kept 0 for a traced k (1 where it is 3),
 * with no word. Checked in the traced copy only (the plain copy, often a hot loop, as written).
 */
function isMadeByImport(node: Node, ctx: RewriteContext): node is acorn.Identifier {
  if (node.type !== 'Identifier') return false;
  const bound = constBinding(node, ctx);
  if (bound === null || bound.key !== null) return false;
  const init = bound.init;
  if (init.type === 'NewExpression') return isImportedClass(init.callee as Node, ctx);
  return isCallMadeByImport(init, ctx);
}

/**
 * A call of a package's function (not of what it made): what it returns is checked where it is
 * called, bound to a name ({@link isMadeByImport}) or at once — ramda's curried
 * `R.propEq(2, 'x')(row)` and `R.whereEq({ x: 2 })(row)` compared the row's traced number as an
 * object (false where plain code finds it equal), with no word.
 */
function isCallMadeByImport(node: Node, ctx: RewriteContext): boolean {
  if (node.type !== 'CallExpression' || node.optional) return false;
  const made = importedCallee(node, ctx);
  return made !== null && made.receiver !== null && made.tracedOnly !== true;
}

/**
 * `mean.bind(r, …)` or `ss.mean.bind(r, …)`: a bound copy of an imported function, called at once
 * (`mean.bind(null)(xs)`) or kept in a name bound once (`const agg = mean.bind(null); agg(xs)`).
 * Called so, it is checked as `mean(xs)` is: the runtime knows the function it binds (the
 * `bind` went through it as a method call of the import), which a bound function does not tell.
 */
function isBindOfImported(node: Node, ctx: RewriteContext): boolean {
  if (node.type !== 'CallExpression' || node.optional) return false;
  const callee = node.callee as Node;
  if (callee.type !== 'MemberExpression' || callee.optional || memberName(callee) !== 'bind') return false;
  const target = callee.object as Node;
  if (isImported(target, ctx)) return true;
  return target.type === 'MemberExpression' && !target.optional && !target.computed && importedNamespace(target.object as Node, ctx) !== null;
}

/**
 * A name the code does not declare, called (`helper(x)`): a global, perhaps a helper of code that
 * was not rewritten (a function recompiled from its text, a script, a `// @zygote-ignore` file,
 * `new Function`), which answered a traced number's `typeof` as for an object, with no word
 * (`helper(x) + x` with `helper = (x) => typeof x === 'number' ? x * x : 0` gave 1 where it is 4).
 * Checked as a package's function is; a rewritten one costs the runtime's call only. Not the
 * language's own (`isFinite(x)` is the runtime's already; `eval(…)` is a direct eval only so
 * spelled), nor a module loader's (`require('x')` must stay as written for bundlers).
 */
function isFreeCall(node: Node, ctx: RewriteContext): boolean {
  return ctx.options.checkFreeCalls !== undefined && ctx.options.checkFreeCalls !== false && node.type === 'Identifier' && isFreeName(node, ctx);
}

/**
 * Whether a call of a global is checked where the options ask it: always in a function recompiled
 * from its text; in a file, in a function (or code a direct eval runs: a module's top level runs
 * at its import, before any differentiation) and given something that may be traced.
 */
function checksFreeCall(node: acorn.CallExpression, ctx: RewriteContext): boolean {
  if (ctx.options.checkFreeCalls === true) return true;
  if (!node.arguments.some((a) => a.type === 'SpreadElement' || !holdsNoTraced(a as Node, ctx))) return false;
  return ctx.options.freeNamesMayBeLocal || ctx.ancestors.some(isFunction);
}

const LOADERS: ReadonlySet<string> = new Set(['require', 'define', 'importScripts']);

function isFreeName(node: acorn.Identifier, ctx: RewriteContext): boolean {
  return !LANGUAGE_GLOBALS.has(node.name) && !LOADERS.has(node.name) && !ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node);
}

/**
 * A method of an object named by a global (`helperO.sq(x)`), checked as `helper(x)` is: a
 * function recompiled from its text called it unchecked (1 where it is 4). Not the language's own
 * objects (`Math`, `JSON`: the runtime's already), nor the methods other rewrites take
 * (`data.push(x)`, `data.sort(cmp)`: stores and comparators).
 */
function isFreeObjectMethod(node: Node, ctx: RewriteContext): boolean {
  if (ctx.options.checkFreeCalls === undefined || ctx.options.checkFreeCalls === false || node.type !== 'MemberExpression' || node.optional || node.object.type !== 'Identifier' || !isFreeName(node.object, ctx)) return false;
  const name = memberName(node);
  return name === null || !(MUTATING_METHODS.has(name) || name === 'sort' || name === 'toSorted');
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
  if (isImported(init, ctx) || isBindOfImported(init, ctx)) return true;
  return init.type === 'MemberExpression' && !init.optional && !init.computed && importedNamespace(init.object as Node, ctx) !== null;
}

export const rewriteImportedCall: Rewriter = {
  name: 'imported-call',
  types: ['CallExpression'],
  test: (node, ctx) => importedCallee(node, ctx) !== null,
  rewrite(node, ctx) {
    const found = importedCallee(node, ctx);
    if (found === null || node.type !== 'CallExpression') return;
    const { callee, receiver, tracedOnly } = found;
    // (a global, read once as JavaScript reads it, a getter of the global object too; the copy
    // that runs while no differentiation does calls it as written: rewrite-builtins.ts)
    if (receiver === null) return callThroughRuntime(node, hasPredicateArguments(node, ctx) ? 'callImportedPredicates' : 'callImported', ctx);
    const args = node.arguments;
    // (the receiver, an import binding or its `default`, is read twice: reading either runs nothing)
    // (`_.filter(xs, Boolean)`: callbacks answer with their truth where the package tests it
    // natively, rewrite-callbacks.ts; a plain copy has no traced number to ask about)
    const call = (entry: string) => `${runtime(entry)}(${receiver}, `;
    const entry = hasPredicateArguments(node, ctx) ? 'callImportedPredicates' : 'callImported';
    if (tracedOnly === true) {
      ctx.ed.prefix(node.start, eitherCopy(call(entry), '', ctx.options.twoBodies));
      ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', eitherCopy(args.length > 0 ? ', ' : '', '(', ctx.options.twoBodies));
      return;
    }
    ctx.ed.prefix(node.start, entry === 'callImportedPredicates' ? eitherCopy(call(entry), call('callImported'), ctx.options.twoBodies) : call('callImported'));
    ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', args.length > 0 ? ', ' : '');
  },
};

/**
 * `new C(…)` of a class imported from a package (`new Vec(x)`, `new ns.Vec(x)`, `new agg(x)` with
 * `const agg = ns.Vec`), given arguments: its constructor was not checked as its functions' calls
 * are, and one testing `typeof x === 'number'` kept 0 for a traced x (`new Vec(x).x + x` gave 1
 * where it is 2, with no word). The traced copy makes it through the runtime, which says so
 * (lib/imported.ts constructImported); the plain copy as written.
 *
 *   new Vec(x)  →  ((0, __zy.constructImported)(Vec, x))
 */
function isImportedConstruct(node: Node, ctx: RewriteContext): node is acorn.NewExpression {
  return node.type === 'NewExpression' && node.arguments.length > 0 && isImportedClass(node.callee as Node, ctx);
}

/** `Vec`, `ns.Vec` or a name bound once to either, imported from a package. */
function isImportedClass(callee: Node, ctx: RewriteContext): boolean {
  if (isImported(callee, ctx) || isImportedAlias(callee, ctx)) return true;
  return callee.type === 'MemberExpression' && !callee.optional && !callee.computed && importedNamespace(callee.object as Node, ctx) !== null;
}

export const rewriteImportedConstruct: Rewriter = {
  name: 'imported-construct',
  types: ['NewExpression'],
  test: isImportedConstruct,
  rewrite(node, ctx) {
    if (!isImportedConstruct(node, ctx)) return;
    const either = (traced: string, plain: string) => eitherCopy(traced, plain, ctx.options.twoBodies);
    ctx.ed.replaceToken(node.start, node.callee.start, 'new', either(`(${runtime('constructImported')}(`, 'new'));
    ctx.ed.replaceToken(node.callee.end, node.arguments[0]!.start, '(', either(', ', '('));
    ctx.ed.suffix(node.end, either(')', ''));
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
