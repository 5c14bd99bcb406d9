/**
 * Callbacks whose result a built-in reads natively, where a traced number is an object.
 *
 * `xs.sort(cmp)` and `xs.toSorted(cmp)`: the built-in sort converts the
 * comparator's result to a number itself, so `(a, b) => a - b` on traced
 * numbers would read a traced difference through `valueOf` — a lost
 * derivative in strict mode, though only its sign matters. The call goes through
 * `__zy.callComparator`, which hands a built-in (or code that was not rewritten) the
 * comparator wrapped so that a traced result becomes -1, 0 or 1 by comparison (which
 * loses nothing: the order is piecewise constant); a method of rewritten code of that
 * name gets it as it is (it may use the number). In an optional chain the comparator is
 * wrapped where it stands.
 *
 *   xs.sort(cmp)  →  (0, __zy.callComparator)(xs, xs.sort, cmp)
 */
import { importsOf, type Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { runtime } from './context.js';
import { eitherCopy } from './two-bodies.js';
import { callThroughRuntime, isMethodCall } from './rewrite-builtins.js';
import { memberName } from './ast.js';
import { constBinding } from './rewrite-globals.js';

const SORTS: ReadonlySet<string> = new Set(['sort', 'toSorted']);

export const rewriteSortComparator: Rewriter = {
  name: 'sort-comparator',
  types: ['CallExpression'],
  test(node) {
    if (node.type !== 'CallExpression' || node.arguments.length !== 1) return false;
    const arg = node.arguments[0]!;
    if (arg.type === 'SpreadElement' || arg.type === 'Literal' || (arg.type === 'Identifier' && arg.name === 'undefined')) return false;
    const callee = node.callee;
    return callee.type === 'MemberExpression' && SORTS.has(memberName(callee) ?? '');
  },
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    if (isMethodCall(node, SORTS)) return callThroughRuntime(node, 'callComparator', ctx);
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    ctx.ed.wrap(node.arguments[0] as Node, either(`${runtime('comparator')}(`), either(')'));
  },
};

/**
 * `xs.filter(f)`, `find`, `findIndex`, `findLast`, `findLastIndex`, `some`, `every` test
 * f's result for truth natively: a traced 0 or NaN is an object there, and passes
 * (`data.filter((d) => d.w)` would keep a zero weight). Each argument of a call of a method
 * of these names (and of lodash's and ramda's `reject`, `partition`, `takeWhile`,
 * `dropWhile`, which take the predicate second or first; also imported by those names,
 * `import { filter } from 'lodash-es'`; and called through `call`, `[].filter.call(arrayLike, f)`,
 * also of a name bound to one, `const { filter } = Array.prototype`; through `apply` and
 * `Reflect.apply`, the runtime wraps the built-ins' callbacks: lib/coercion.ts `predicateArguments`)
 * goes through `__zy.predicate`,
 * which hands back f with a traced result turned into its truth, `Boolean` as the
 * runtime's `Boolean`, and anything else unchanged (lib/coercion.ts). A plain copy
 * (two-bodies.ts) keeps the call as written: no traced number reaches it.
 *
 *   xs.filter(f)  →  xs.filter((0, __zy.predicate)(f))
 */
const PREDICATE_METHODS: ReadonlySet<string> = new Set([
  'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every',
  'reject', 'partition', 'takeWhile', 'dropWhile',
]);

/** Arguments that cannot be functions (written as data) are left alone. */
const NOT_A_FUNCTION: ReadonlySet<string> = new Set(['SpreadElement', 'Literal', 'TemplateLiteral', 'ObjectExpression', 'ArrayExpression', 'UnaryExpression', 'BinaryExpression', 'UpdateExpression']);

/** (also by a literal key: `xs['filter'](f)` is the same method) */
const isPredicateMethod = (node: Node): boolean => node.type === 'MemberExpression' && PREDICATE_METHODS.has(memberName(node) ?? '');

/**
 * A predicate method as a value: `E.filter`, or a name bound once to one (`const { filter } =
 * Array.prototype`, `const some = Array.prototype.some`), as `filter.call(xs, f)` calls it.
 */
export function isPredicateMethodValue(node: Node, ctx: RewriteContext): boolean {
  if (isPredicateMethod(node)) return true;
  const bound = constBinding(node, ctx);
  return bound !== null && (bound.key !== null ? PREDICATE_METHODS.has(bound.key) : isPredicateMethod(bound.init));
}

function predicateArguments(node: Node, ctx: RewriteContext): Node[] {
  if (node.type !== 'CallExpression') return [];
  const callee = node.callee as Node;
  // (`[].filter.call(arrayLike, f)`: the receiver comes first)
  const throughCall = callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && callee.property.name === 'call' && isPredicateMethodValue(callee.object as Node, ctx);
  // (`import { filter } from 'lodash-es'`: a function imported under a predicate method's name)
  const imported = callee.type === 'Identifier' && ctx.ancestors.length > 0 && PREDICATE_METHODS.has(importsOf(ctx.ancestors[0]!).get(callee.name)?.imported ?? '') && ctx.scope.isProgramLevel(callee);
  if (!isPredicateMethod(callee) && !throughCall && !imported) return [];
  // (through `.call`, the callback is the argument after the receiver: what follows is its `this`)
  const candidates = throughCall ? (node.arguments as Node[]).slice(1, 2) : (node.arguments as Node[]);
  return candidates.filter((arg) => !NOT_A_FUNCTION.has(arg.type) && !(arg.type === 'Identifier' && arg.name === 'undefined'));
}

/** Whether a call passes callbacks to a predicate (`filter`, `find` …): also for a package's function, rewrite-imports.ts. */
export const hasPredicateArguments = (node: Node, ctx: RewriteContext): boolean => predicateArguments(node, ctx).length > 0;

/** Wraps the arguments of a predicate call. */
function wrapPredicates(node: Node, ctx: RewriteContext): void {
  const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
  for (const arg of predicateArguments(node, ctx)) ctx.ed.wrap(arg, either(`${runtime('predicate')}(`), either(')'));
}

/**
 * A predicate method's call `r.filter(f)` (or of a function imported under such a name) goes through `__zy.callPredicates`, which wraps
 * the arguments only when the method tests truth natively (a built-in, or code that was
 * not rewritten): a method of rewritten code of such a name may use the callback's number.
 */
export const rewritePredicate: Rewriter = {
  name: 'predicate',
  types: ['CallExpression'],
  test: hasPredicateArguments,
  rewrite(node, ctx) {
    // (an import of the program's own, `import { find } from './solver.js'`, is a name; a package's is rewrite-imports.ts's)
    if (node.type === 'CallExpression' && (isMethodCall(node, PREDICATE_METHODS) || node.callee.type === 'Identifier')) callThroughRuntime(node, 'callPredicates', ctx);
    else wrapPredicates(node, ctx);
  },
};

/**
 * An iterator result made by a literal, `{ value: v, done: d }` (`{ value, done }`): `for … of`,
 * spread, destructuring, `Array.from`, `yield*` read `done` for its truth natively, where a
 * traced number is an object, truthy even when it is 0: `done: k > 3 ? x - x + 1 : x - x` ended
 * the iteration at once, silently (an empty sum, no gradient). While differentiating, `done` goes
 * through `__zy.iteratorDone`, which hands a traced number back as its truth, anything else as
 * it is. Taken: a literal of these two keys alone, and any literal with a `done` key that a
 * `next` method returns (`{ value, done, index }`, `{ done }`): elsewhere a record's `done`
 * count (`{ done: k, total: n }`, `{ value, done, total }`) keeps its number. A `done` getter
 * of such a literal (`{ value, get done() { return … } }`) has what it returns taken so.
 *
 *   { value: v, done: d }  →  { value: v, done: (0, __zy.iteratorDone)(d) }
 *   { value: v, get done() { return d } }  →  { value: v, get done() { return (0, __zy.iteratorDone)(d) } }
 */
export const rewriteIteratorResult: Rewriter = {
  name: 'iterator-result',
  types: ['ObjectExpression', 'ReturnStatement'],
  test(node, ctx) {
    if (node.type === 'ObjectExpression') return iteratorResultDone(node, ctx) !== undefined;
    return node.type === 'ReturnStatement' && node.argument != null && (isInDoneGetter(ctx.ancestors) || isResultKeptElsewhere(node.argument, ctx.ancestors));
  },
  rewrite(node, ctx) {
    const either = (traced: string) => eitherCopy(traced, '', ctx.options.twoBodies);
    if (node.type === 'ReturnStatement') {
      // (a next's result made elsewhere — a class's instance, a variable — is only looked at: it is the program's)
      const helper = isInDoneGetter(ctx.ancestors) ? 'iteratorDone' : 'iteratorResult';
      ctx.ed.wrap(node.argument as Node, either(`${runtime(helper)}(`), either(')'));
      return;
    }
    if (node.type !== 'ObjectExpression') return;
    const done = iteratorResultDone(node, ctx)!;
    ctx.ed.wrap(done.value as Node, either(`${done.shorthand ? 'done: ' : ''}${runtime('iteratorDone')}(`), either(')'));
  },
};

type PropertyNode = Extract<Node, { type: 'Property' }>;

/** A property's plain key (`done`, `'done'`), if it has one. */
function plainKey(prop: Node): unknown {
  if (prop.type !== 'Property' || prop.computed) return undefined;
  return prop.key.type === 'Identifier' ? prop.key.name : prop.key.type === 'Literal' ? prop.key.value : undefined;
}

/**
 * The `done` property (a value, not a getter) of an iterator result's literal: one whose keys
 * are `value` and `done` alone (plain keys), or any literal with a `done` key that a `next`
 * method returns.
 */
function iteratorResultDone(node: Extract<Node, { type: 'ObjectExpression' }>, ctx: { readonly ancestors: readonly Node[] }): PropertyNode | undefined {
  const done = node.properties.find((prop) => plainKey(prop) === 'done') as PropertyNode | undefined;
  if (done === undefined || done.kind !== 'init' || done.method) return undefined;
  if (isPairLiteral(node) || isReturnedByNext(ctx.ancestors)) return done;
  return undefined;
}

/** A literal of the keys `value` and `done` alone (plain keys, no spread). */
function isPairLiteral(node: Extract<Node, { type: 'ObjectExpression' }>): boolean {
  if (node.properties.length !== 2) return false;
  const keys = node.properties.map((prop) => (prop.type === 'Property' && !prop.method && (prop.kind === 'init' || plainKey(prop) === 'done') ? plainKey(prop) : undefined));
  return keys.includes('value') && keys.includes('done');
}

/** Whether the expression whose ancestors these are is what a `next` method returns (through `?:`). */
function isReturnedByNext(ancestors: readonly Node[]): boolean {
  let k = ancestors.length - 1;
  while (k >= 0 && ancestors[k]!.type === 'ConditionalExpression') k--;
  const holder = ancestors[k];
  if (holder === undefined) return false;
  let fn: Node | undefined;
  if (holder.type === 'ArrowFunctionExpression') fn = holder; // (an expression body)
  else if (holder.type === 'ReturnStatement') {
    const found = enclosingFunction(ancestors.slice(0, k));
    fn = found?.fn;
  }
  return fn !== undefined && isNextMethod(fn, ancestors);
}

/** The innermost function around a place (by its ancestors), and its ancestors' count. */
function enclosingFunction(ancestors: readonly Node[]): { fn: Node; at: number } | undefined {
  for (let k = ancestors.length - 1; k >= 0; k--) {
    const n = ancestors[k]!;
    if (n.type === 'FunctionExpression' || n.type === 'FunctionDeclaration' || n.type === 'ArrowFunctionExpression') return { fn: n, at: k };
  }
  return undefined;
}

/**
 * Whether a `next` method returns what is not a literal (`return result`, `return new Step(v, d)`):
 * its done, if traced, cannot be turned into its truth without changing the program's object.
 */
function isResultKeptElsewhere(argument: Node, ancestors: readonly Node[]): boolean {
  if (argument.type === 'ObjectExpression' || argument.type === 'ConditionalExpression' || argument.type === 'Literal' || argument.type === 'ArrowFunctionExpression' || argument.type === 'FunctionExpression') return false;
  const found = enclosingFunction(ancestors);
  return found !== undefined && isNextMethod(found.fn, ancestors);
}

/** Whether function `fn` (one of `ancestors`) is a `next` method: of a literal (method, function or arrow) or a class. */
function isNextMethod(fn: Node, ancestors: readonly Node[]): boolean {
  const owner = ancestors[ancestors.indexOf(fn) - 1];
  if (owner === undefined || (owner.type !== 'Property' && owner.type !== 'MethodDefinition')) return false;
  return !owner.computed && owner.key.type === 'Identifier' && owner.key.name === 'next' && owner.kind !== 'get' && owner.kind !== 'set';
}

/** Whether a return (by its ancestors) is in the `done` getter of an iterator result's literal. */
function isInDoneGetter(ancestors: readonly Node[]): boolean {
  const found = enclosingFunction(ancestors);
  if (found === undefined || found.fn.type !== 'FunctionExpression') return false;
  const prop = ancestors[found.at - 1];
  const literal = ancestors[found.at - 2];
  if (prop === undefined || prop.type !== 'Property' || prop.kind !== 'get' || plainKey(prop) !== 'done') return false;
  if (literal === undefined || literal.type !== 'ObjectExpression') return false;
  return isPairLiteral(literal) || isReturnedByNext(ancestors.slice(0, found.at - 2));
}
