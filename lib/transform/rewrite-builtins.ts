/**
 * Calls of built-ins whose meaning on traced numbers the runtime supplies (the runtime's
 * versions behave as the built-ins do on numbers, and keep derivatives; `parseFloat` and
 * its kin, read as values too, are rewrite-globals.ts's):
 * - `JSON.stringify(v, …)`, `JSON.parse(t, …)` → `__zy.jsonStringify(…)`, `__zy.jsonParse(…)`
 *   (a JSON round trip keeps derivatives);
 * - `Object.is(a, b)` → `__zy.objectIs(a, b)`, `structuredClone(v)` → `__zy.structuredClone(v)`,
 *   `Object.getPrototypeOf(v)` → `__zy.objectGetPrototypeOf(v)` (and `isFrozen`, `isSealed`,
 *   `isExtensible`) (a traced number is its value: rules/builtins.ts);
 * - `Array.from(…)` → `__zy.arrayFrom(…)` (a traced length is a count, not a lost derivative);
 * - `Float64Array.from(…)`, `Float32Array.of(…)` & co. → `__zy.float64ArrayFrom(…)` & co. (while
 *   a differentiation runs, a typed array holding traced numbers: proxies/typed-arrays.ts);
 * - `r.indexOf(x)`, `r.lastIndexOf`, `r.includes`, `r.get`, `r.set`, `r.has`, `r.delete`,
 *   `r.add`, `r.groupBy` (`Map.groupBy`'s keys), Set's `r.union(s)` and its kin, Map's `r.getOrInsert(k, v)`, also by a literal key (`r['has'](k)`) → `(0, __zy.callMethod)(r, r.indexOf, x)` (`r` read once: a temporary unless it
 *   is `this` or a declared name, or the runtime's slot where no temporary can be declared;
 *   the method read before the arguments, as JavaScript does; also `super.get(k)`, and in
 *   an optional chain that the call ends, `r?.has(k)`, `r.has?.(k)` and `a?.b.has(k)`,
 *   written as the skip and the call): while a differentiation
 *   runs, the runtime searches arrays and keys Maps and Sets by a traced number's value
 *   (rules/builtins.ts); otherwise it calls the method (so a function's plain copy,
 *   two-bodies.ts, keeps the call as written);
 * - `new Map(…)`, `new Set(…)`, `new Float64Array(…)`, `new Float32Array(…)`, `new Number(…)`,
 *   and `new a.B(…)` → `(0, __zy.construct)(Map, …)`: equal values are one key; a typed array
 *   made in f holds traced numbers; a Number object is not made of a traced number;
 * - the sizes given to `Array(n)`, `new Array(n)`, other typed arrays and buffers (also by a
 *   name bound to them or through the global object) →
 *   `new Int32Array((0, __zy.sizeOf)(n))`: a traced number's value; with a spread, and in the
 *   `super(…)` of their subclasses, through `__zy.sizedArguments`;
 * - `Reflect.construct(C, args)` → `__zy.reflectConstruct(…)`: sizes among args as `new C(...args)` reads them;
 * - `Reflect.apply(f, r, args)` → `__zy.reflectApply(…)`, and `E.m.apply(r, args)` (below): a search
 *   method applied so searches by value, as `r.m(…)` does;
 * - `Reflect.set`, `Reflect.defineProperty`, `Object.defineProperty`, `Object.defineProperties`,
 *   `Object.setPrototypeOf`, `Reflect.setPrototypeOf` →
 *   `__zy.reflectSet(…)` and kin: stores, noted as the barrier notes `o[k] = v` (rules/builtins.ts);
 * - `ArrayBuffer.isView(v)` → `__zy.arrayBufferIsView(v)` (a typed array f received or made,
 *   a Proxy, is a view: proxies/typed-arrays.ts);
 * - `WebAssembly.instantiate(…)`, `WebAssembly.instantiateStreaming(…)` (and `new WebAssembly.Instance`,
 *   through `construct` below) → instances whose exported functions refuse a traced number
 *   while a differentiation runs (rules/wasm.ts);
 * - `E.data`, read → `(0, __zy.readData)(E)` where a differentiation may run (a plain copy
 *   reads it as written, two-bodies.ts): an NDArray's raw storage read from a traced array
 *   has left differentiation, which is reported (lib/ndarray.ts);
 * - a direct `eval(code)` → `eval((0, __zy.evalSource)(code))`: still a direct eval (its callee is
 *   the name `eval`), running the rewritten code in the caller's scope.
 * (Each runtime function is spelled `(0, __zy.f)`, as everywhere: lib/transform/context.ts.)
 * Only the callee is replaced, so arguments keep their place and order; only calls of the
 * globals themselves are (names declared in the file, `with` bodies, optional calls and
 * other references such as `const { parse } = JSON` keep JavaScript's meaning).
 */
import type * as acorn from 'acorn';
import { isFunction, memberName, type Node } from './ast.js';
import { patternNames } from './scope.js';
import { parentOf, replaceGlobalRead, runtime, stableObject, type RewriteContext, type Rewriter } from './context.js';
import { classBinding, constBinding, isGlobalAlias, isGlobalReference } from './rewrite-globals.js';
import { eitherCopy } from './two-bodies.js';
import { isRead, passesPrivateLink } from './rewrite-private.js';
import { findToken, tokenAtOrAfter } from './parse.js';
import { tempsAvailable } from './rewrite-inline.js';
import { hasOptionalLink, isObjectAssign, MUTATING_METHODS } from './rewrite-stores.js';
import { isPredicateMethodValue } from './rewrite-callbacks.js';
import { isGivenToCallingMethod } from './rewrite-imports.js';
import { instanceThis } from './rewrite-this.js';
import { isWrittenConstant } from './rewrite-operators.js';

/** `name(…)` → `__zy.entry(…)`. */
const GLOBAL_CALLS: Readonly<Record<string, string>> = {
  structuredClone: 'structuredClone',
};

/** `object.name(…)` → `__zy.entry(…)`. */
const MEMBER_CALLS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  JSON: { parse: 'jsonParse', stringify: 'jsonStringify' },
  Object: {
    is: 'objectIs', getPrototypeOf: 'objectGetPrototypeOf', isFrozen: 'objectIsFrozen', isSealed: 'objectIsSealed', isExtensible: 'objectIsExtensible',
    defineProperty: 'objectDefineProperty', defineProperties: 'objectDefineProperties', setPrototypeOf: 'objectSetPrototypeOf',
  },
  Array: { from: 'arrayFrom' },
  Float64Array: { from: 'float64ArrayFrom', of: 'float64ArrayOf' },
  Float32Array: { from: 'float32ArrayFrom', of: 'float32ArrayOf' },
  WebAssembly: { instantiate: 'wasmInstantiate', instantiateStreaming: 'wasmInstantiateStreaming' },
  ArrayBuffer: { isView: 'arrayBufferIsView' },
  Reflect: { apply: 'reflectApply', construct: 'reflectConstruct', set: 'reflectSet', defineProperty: 'reflectDefineProperty', setPrototypeOf: 'reflectSetPrototypeOf' },
};

const own = (table: object, key: string) => Object.prototype.hasOwnProperty.call(table, key);

/** The runtime entry replacing this call's callee, or null. */
function entryOf(node: Node, ctx: RewriteContext): string | null {
  if (node.type !== 'CallExpression' || node.optional) return null;
  const callee = node.callee;
  if (callee.type === 'Identifier' && own(GLOBAL_CALLS, callee.name) && isGlobalReference(callee, callee.name, ctx)) return GLOBAL_CALLS[callee.name]!;
  if (callee.type !== 'MemberExpression' || callee.optional) return null;
  const object = callee.object as Node;
  const name = memberName(callee); // (`JSON['parse'](t)` is `JSON.parse(t)`)
  if (name === null) return null;
  const global = object.type === 'Identifier' && own(MEMBER_CALLS, object.name) && isGlobalReference(object, object.name, ctx) ? object.name : aliasedGlobal(object, ctx);
  if (global === null) return null;
  const table = MEMBER_CALLS[global]!;
  if (!own(table, name)) return null;
  // (`Object.is(t, cachedT)`: a cache's test, noted at 0 too, as `t === cachedT` is; not `Object.is(x, -0)`: rewrite-operators.ts)
  if (table[name] === 'objectIs' && comparesStored(node, ctx)) return 'objectIsStored';
  return table[name]!;
}

/** Whether `Object.is(a, b)` is two arguments, neither a number written in the source (a cache's test, not a test for -0). */
function comparesStored(node: acorn.CallExpression, ctx: RewriteContext): boolean {
  return node.arguments.length === 2 && node.arguments.every((a) => a.type !== 'SpreadElement' && !isWrittenConstant(a as Node, ctx));
}

/** Globals whose calls are rewritten also through a name bound once to them, or the global object (`const O = Object; O.is(x, 2)`, `globalThis.JSON.parse(t)`). */
const ALIASED_MEMBER_CALLS: readonly string[] = ['Object', 'JSON'];

/**
 * The global of {@link ALIASED_MEMBER_CALLS} that `node` is other than by its name, or null. Their
 * calls kept the built-ins: `O.is(x, 2)` compared a traced 2 by identity (false: the gradient 1
 * where it is 10), `JS.parse(JS.stringify(o))` lost o's derivatives, with no word.
 */
function aliasedGlobal(node: Node, ctx: RewriteContext): string | null {
  if (node.type !== 'Identifier' && node.type !== 'MemberExpression') return null;
  return ALIASED_MEMBER_CALLS.find((name) => isGlobalAlias(node, name, ctx)) ?? null;
}

/**
 * `is(a, b)` with `is` bound once to Object.is (`const is = Object.is`, `const { is } = Object`),
 * neither argument a number written in the source: a cache's test as `Object.is(t, cachedT)` is.
 * The runtime's Object.is read as a value noted no equality at 0: a cache filled at t = 0 and
 * hit while differentiating there gave [null] with no word, where it is 2t + 3.
 */
function isObjectIsAliasCall(node: Node, ctx: RewriteContext): node is acorn.CallExpression {
  if (node.type !== 'CallExpression' || node.optional || node.callee.type !== 'Identifier' || !comparesStored(node, ctx)) return false;
  const member = memberValue(node.callee as Node, ctx);
  return member !== null && member.key === 'is' && (isGlobalReference(member.object, 'Object', ctx) || isGlobalAlias(member.object, 'Object', ctx));
}

/** `is(t, cachedT)` → `(0, __zy.objectIsStoredVia)(void 0, is, t, cachedT)` (see {@link isObjectIsAliasCall}); a plain copy as written. */
export const rewriteObjectIsAliasCall: Rewriter = {
  name: 'object-is-alias-call',
  types: ['CallExpression'],
  test: isObjectIsAliasCall,
  rewrite(node, ctx) {
    if (node.type === 'CallExpression') callThroughRuntime(node, 'objectIsStoredVia', ctx);
  },
};

export const rewriteBuiltinCall: Rewriter = {
  name: 'builtin-call',
  types: ['CallExpression'],
  test: (node, ctx) => entryOf(node, ctx) !== null,
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    ctx.ed.replace(node.callee, runtime(entryOf(node, ctx)!));
  },
};

/**
 * `Object.is` and `structuredClone` read as values, not called (`const is = Object.is`,
 * ramda's `identical`; `const clone = structuredClone`) → the runtime's, as `Math.sin` read is
 * (rewrite-globals.ts): the built-in itself would compare a traced number by identity, or
 * copy its fields. In rewritten code they are then not the built-ins' identities.
 */
function builtinRead(node: Node, ctx: RewriteContext): string | null {
  const parent = parentOf(ctx);
  if (!isRead(node, ctx) || (parent?.type === 'UnaryExpression' && (parent.operator === 'typeof' || parent.operator === 'delete'))) return null;
  if (node.type === 'Identifier') return node.name === 'structuredClone' && isGlobalReference(node, node.name, ctx) ? 'structuredClone' : null;
  const member = node.type === 'MemberExpression' && memberName(node) === 'is';
  return member && isGlobalReference((node as acorn.MemberExpression).object as Node, 'Object', ctx) ? 'objectIs' : null;
}

export const rewriteBuiltinRead: Rewriter = {
  name: 'builtin-read',
  types: ['Identifier', 'MemberExpression'],
  test: (node, ctx) => builtinRead(node, ctx) !== null,
  rewrite(node, ctx) {
    const entry = builtinRead(node, ctx);
    if (entry === null) return;
    // (what the global holds when it is read, in the runtime's version where that is the
    // built-in: a program's replacement is what plain code reads; and where there is none,
    // reading it throws a ReferenceError)
    replaceGlobalRead(node, node.type === 'Identifier' ? node.name : 'is', `(${runtime('builtin')}(${ctx.ed.original(node)}))`, ctx);
  },
};

/** A direct `eval(code, …)`: its code is rewritten before it runs (not a spread: `eval(...a)`). */
export const rewriteDirectEval: Rewriter = {
  name: 'direct-eval',
  types: ['CallExpression'],
  test: (node, ctx) =>
    node.type === 'CallExpression' && !node.optional && isGlobalReference(node.callee, 'eval', ctx) &&
    node.arguments.length > 0 && node.arguments[0]!.type !== 'SpreadElement',
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    const code = node.arguments[0]!;
    // (a comma expression is one argument: it keeps its parentheses inside the call)
    const sequence = code.type === 'SequenceExpression';
    ctx.ed.wrap(code, `${runtime('evalSource')}(${sequence ? '(' : ''}`, sequence ? '))' : ')');
  },
};

/** Text to insert as `traced` where a differentiation may run and as `plain` in a plain copy (two-bodies.ts). */
const copies = (ctx: RewriteContext) => (traced: string, plain: string) => eitherCopy(traced, plain, ctx.options.twoBodies);

/** Methods that compare their argument with what the receiver holds: by value, for a traced number. */
// (and `groupBy`: `Map.groupBy` keys its groups as a Map does: rules/builtins/calls.ts `groupedByValue`)
const SEARCHES: ReadonlySet<string> = new Set([
  'indexOf', 'lastIndexOf', 'includes', 'get', 'set', 'has', 'delete', 'add', 'groupBy',
  // Set's methods of ES2025 (Node 22) and Map's getOrInsert (Node 26), which test members by identity too
  'union', 'intersection', 'difference', 'symmetricDifference', 'isSubsetOf', 'isSupersetOf', 'isDisjointFrom',
  'getOrInsert', 'getOrInsertComputed',
]);

/**
 * How the receiver of a search call is spelled twice: in place (`this`, a declared name),
 * through a temporary, or where no temporary can be declared (code a direct `eval` runs),
 * through the runtime's one-value slot: `hold(r)` keeps it for the `held()` read right after.
 * `first` goes before the receiver, `close` after it.
 */
export function receiverOf(object: Node, ctx: RewriteContext): { first: string; close: string; again: string } {
  const stable = stableObject(object, ctx);
  if (stable !== null) return { first: '', close: '', again: stable };
  if (!tempsAvailable(ctx)) return { first: `${runtime('hold')}(`, close: ')', again: `${runtime('held')}()` };
  const temporary = ctx.temps.fresh(object.end);
  return { first: `${temporary} = `, close: '', again: temporary };
}

/** The token that opens a member's key after its object: `.`, or `[` for a computed one (after `?.` when optional). */
export const keyOpener = (node: acorn.MemberExpression): string => (node.computed ? '[' : '.');

/** Whether `node` is `E.m` or `E['m']` (no optional link, no `super`) with `m` one of `names`. */
export function isMemberNamed(node: Node, names: ReadonlySet<string>): node is acorn.MemberExpression {
  const member = plainMember(node);
  return member !== null && names.has(member.key);
}


/** `E.m(…)` with `m` one of `names`, outside optional chains and `super`. */
export function isMethodCall(node: Node, names: ReadonlySet<string>): node is acorn.CallExpression & { callee: acorn.MemberExpression } {
  return node.type === 'CallExpression' && !node.optional && isMemberNamed(node.callee as Node, names);
}

const isSearchCall = (node: Node) => isMethodCall(node, SEARCHES);

/**
 * `E[k](…)` with a key that is not a literal, outside optional chains and `super`: the name is
 * known only when it runs (`list[atStart ? 'unshift' : 'push'](x)`), so the runtime's
 * `callComputed` looks at the method it reaches (a search or store of a built-in goes through
 * `callMethod`, as the call by its name does).
 */
function isComputedMethodCall(node: Node): node is acorn.CallExpression & { callee: acorn.MemberExpression } {
  if (node.type !== 'CallExpression' || node.optional) return false;
  const callee = node.callee as Node;
  return (
    callee.type === 'MemberExpression' && callee.computed && !callee.optional && memberName(callee) === null &&
    callee.object.type !== 'Super' && !hasOptionalLink(callee.object as Node)
  );
}

/**
 * Drops the parentheses around a call's callee: `(r.m)(a)` is the call `r.m(a)` (the same
 * `this`), but the edits that split `r.m` into a receiver and a method, `(t = r, t.m, a)`,
 * would leave them grouping the two into one comma expression, a function where the
 * receiver belongs. `either` gives the text for each copy (a plain copy that keeps the call
 * as written keeps them: `(function () {}.m)(a)` may start a statement). Call before the
 * edits that prefix the call.
 */
export function dropCalleeParentheses(node: acorn.CallExpression, ctx: RewriteContext, either: (traced: string, plain: string) => string = (traced) => traced): void {
  const { ed } = ctx;
  const drop = (i: number) => ed.overwrite(ed.tokens[i]!.start, ed.tokens[i]!.end, either('', ed.code.slice(ed.tokens[i]!.start, ed.tokens[i]!.end)));
  let opened = 0;
  for (let i = tokenAtOrAfter(ed.tokens, node.start); ed.tokens[i]!.start < node.callee.start; i++, opened++) drop(i);
  for (let i = tokenAtOrAfter(ed.tokens, node.callee.end); opened > 0; i++, opened--) drop(i);
}

const CALL_APPLY_BIND: ReadonlySet<string> = new Set(['call', 'apply', 'bind']);
/** The runtime's entry for each way of calling a search method through Function's methods. */
const THROUGH: Readonly<Record<string, string>> = { call: 'callOn', apply: 'applyOn', bind: 'bindOn' };

/**
 * A search method as a value: `E.m` for a search method m, or a name bound once to one
 * (`const { includes } = Array.prototype`, `const has = Set.prototype.has`).
 */
function isSearchMethod(node: Node, ctx: RewriteContext): boolean {
  return isMethodValue(node, SEARCHES, ctx);
}

/** A method of one of `names` as a value: `E.m`, or a name bound once to one (`const { push } = Array.prototype`, `const push = [].push`). */
function isMethodValue(node: Node, names: ReadonlySet<string>, ctx: RewriteContext): boolean {
  const member = memberValue(node, ctx);
  return member !== null && names.has(member.key);
}

/**
 * The object and key of a member read as a value: `E.key`, or a name bound once to one
 * (`const { key } = E`, `const k = E.key`); null for anything else.
 */
function memberValue(node: Node, ctx: RewriteContext): { object: Node; key: string } | null {
  const direct = plainMember(node);
  if (direct !== null) return direct;
  const bound = constBinding(node, ctx);
  if (bound === null) return null;
  return bound.key !== null ? { object: bound.init, key: bound.key } : plainMember(bound.init);
}

/** `E.key` (not optional, not of `super`) as its object and key, or null. */
function plainMember(node: Node): { object: Node; key: string } | null {
  if (node.type !== 'MemberExpression' || node.optional || node.object.type === 'Super' || hasOptionalLink(node.object as Node)) return null;
  const key = memberName(node);
  return key === null ? null : { object: node.object as Node, key };
}

/**
 * A search method given to a method that calls what it is given (`a.filter(Set.prototype.has,
 * setB)`, `xs.some(ys.includes, ys)`, `keys.map(m.get, m)`): the built-in called it with no
 * rewrite between, comparing a traced number by identity. The runtime hands on a function that
 * searches by value (rules/builtins/calls.ts `searchCallback`; only to such a method, as an imported
 * function is: given elsewhere it may be kept and compared). A plain copy keeps it as written.
 *
 *   a.filter(Set.prototype.has, s)  →  a.filter((0, __zy.searchCallback)(Set.prototype.has), s)
 */
export const rewriteSearchCallback: Rewriter = {
  name: 'search-callback',
  types: ['MemberExpression', 'Identifier'],
  test(node, ctx) {
    return isGivenToCallingMethod(node, ctx) && isSearchMethod(node, ctx);
  },
  rewrite(node, ctx) {
    const either = copies(ctx);
    ctx.ed.wrap(node, either(`${runtime('searchCallback')}(`, ''), either(')', ''));
  },
};

/**
 * `E.m.call(r, …)`, `E.m.apply(r, args)` or `E.m.bind(r, …)` for a search method (`[].indexOf.call(xs, x)`, ES5
 * libraries' idiom for array-likes; `includes.call(xs, x)` for a `const { includes } = Array.prototype`).
 */
function isSearchCallThroughCall(node: Node, ctx: RewriteContext): node is acorn.CallExpression & { callee: acorn.MemberExpression & { property: acorn.Identifier } } {
  // (`.call` spelled with a dot: its name is dropped from the text)
  if (node.type !== 'CallExpression' || node.optional || !isMemberNamed(node.callee as Node, CALL_APPLY_BIND) || (node.callee as acorn.MemberExpression).computed) return false;
  const method = (node.callee as acorn.MemberExpression).object as Node;
  const through = memberName(node.callee as acorn.MemberExpression);
  // (`this.get.bind(this)` in a constructor is rewrite-this.ts's: the instance keeps it)
  // (and a predicate method bound, `const keep = xs.filter.bind(xs)`: the runtime wraps its calls' callback)
  // (and a mutating one, `const add = log.push.bind(log)`: the runtime notes its calls' stores)
  if (through === 'bind') return node.arguments[0]?.type !== 'ThisExpression' && (isSearchMethod(method, ctx) || isPredicateMethodValue(method, ctx) || isMethodValue(method, MUTATING_METHODS, ctx));
  // (a predicate method through `apply`, `[].filter.apply(xs, [f])`: the runtime wraps its callback;
  // a mutating one, `Array.prototype.push.call(log, x)` or `push.call(log, x)` for a `const push = [].push`:
  // a store into the receiver, noted as `log.push(x)` is; `Object.assign.call(null, o, src)`: into o)
  // (an iterator's `next`, `ArrayIteratorPrototype.next.call(it)`: an iterator argument follows its stand-in by its own `next`, proxies/iterators.ts)
  // (a typed array's method, `Float64Array.prototype.map.call(v, f)`: the built-in refuses a typed-array stand-in as `this`)
  return isSearchMethod(method, ctx) || (through === 'apply' && isPredicateMethodValue(method, ctx)) || isNumberMethod(method, ctx) || isMethodValue(method, MUTATING_METHODS, ctx) || isObjectAssign(method, ctx) || isMethodValue(method, ITERATOR_NEXT, ctx) || isTypedArrayMethod(method, ctx);
}

const TYPED_ARRAYS: readonly string[] = [
  'Float64Array', 'Float32Array', 'Float16Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array',
  'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

/** The typed arrays' own methods (%TypedArray%.prototype's). */
const TYPED_ARRAY_METHODS: ReadonlySet<string> = new Set([
  'at', 'copyWithin', 'entries', 'every', 'fill', 'filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'forEach', 'includes',
  'indexOf', 'join', 'keys', 'lastIndexOf', 'map', 'reduce', 'reduceRight', 'reverse', 'set', 'slice', 'some', 'sort', 'subarray',
  'toLocaleString', 'toReversed', 'toSorted', 'toString', 'values', 'with',
]);

/** `T.prototype` for a global typed-array constructor T. */
function isTypedArrayPrototype(node: Node, ctx: RewriteContext): boolean {
  return node.type === 'MemberExpression' && !node.optional && memberName(node) === 'prototype' && TYPED_ARRAYS.some((name) => isGlobalReference(node.object as Node, name, ctx));
}

/**
 * A typed array's method as a value: `Float64Array.prototype.m`, or a name bound once to one
 * (`const { map } = Float32Array.prototype`, `const at = Float64Array.prototype.at`).
 */
function isTypedArrayMethod(node: Node, ctx: RewriteContext): boolean {
  const member = memberValue(node, ctx);
  return member !== null && TYPED_ARRAY_METHODS.has(member.key) && isTypedArrayPrototype(member.object, ctx);
}

const ITERATOR_NEXT: ReadonlySet<string> = new Set(['next']);

/** Number's formatting methods, by a name only they have. */
const NUMBER_FORMATS: ReadonlySet<string> = new Set(['toFixed', 'toPrecision', 'toExponential']);
const NUMBER_TO_TEXT: ReadonlySet<string> = new Set(['toString', 'toLocaleString', 'valueOf']);

/**
 * A method of Number's called through `call` or `apply` (`Number.prototype.toFixed.call(x, 2)`,
 * `(0).toPrecision.apply(x, [4])`): the built-in refuses a traced number as `this` ("requires
 * that 'this' be a Number"), so the runtime calls the traced number's own (rules/builtins.ts
 * `callOn`). `toString`, `toLocaleString` and `valueOf` only as `Number.prototype`'s, by name.
 */
function isNumberMethod(node: Node, ctx: RewriteContext): boolean {
  if (isMemberNamed(node, NUMBER_FORMATS)) return true;
  const member = node as Node;
  if (!isMemberNamed(member, NUMBER_TO_TEXT)) return false;
  const owner = member.object as Node;
  return owner.type === 'MemberExpression' && !owner.computed && memberName(owner) === 'prototype' && isGlobalReference(owner.object as Node, 'Number', ctx);
}

/** `super.m(…)` for a search method m (a subclass of Map or Array asking its base class). */
function isSuperSearch(node: Node): node is acorn.CallExpression & { callee: acorn.MemberExpression } {
  if (node.type !== 'CallExpression' || node.optional) return false;
  const callee = node.callee;
  return callee.type === 'MemberExpression' && callee.object.type === 'Super' && SEARCHES.has(memberName(callee) ?? '');
}

/**
 * `super.m(…)` for any m in a class extending Float64Array or Float32Array: an instance f
 * received or made is a Proxy there, which the built-in refused as `this` ("called on
 * incompatible receiver", where `at(i) { return super.at(i) * 2; }` runs in plain JavaScript).
 * Called through the runtime's `typedSuperCall`, which runs the stand-in's own version.
 */
function isTypedArraySuperCall(node: Node, ctx: RewriteContext): node is acorn.CallExpression & { callee: acorn.MemberExpression } {
  if (node.type !== 'CallExpression' || node.optional) return false;
  const callee = node.callee;
  return callee.type === 'MemberExpression' && callee.object.type === 'Super' && extendsFloatArray(classOfSuper(ctx), ctx);
}

/** The class whose `super` a `super.m` at this place reads (undefined in an object literal's method). */
function classOfSuper(ctx: RewriteContext): Node | undefined {
  const ancestors = ctx.ancestors;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === 'ArrowFunctionExpression') continue;
    // (a method's function, or a field's initializer or a static block: in the class body)
    if (a.type === 'PropertyDefinition' || a.type === 'StaticBlock') return ancestors[i - 2];
    if (isFunction(a)) return ancestors[i - 1]?.type === 'MethodDefinition' ? ancestors[i - 3] : undefined;
  }
  return undefined;
}

/** Whether `node` is a class that extends the global `Float64Array` or `Float32Array` (by its name, or another the source fixes). */
function extendsFloatArray(node: Node | undefined, ctx: RewriteContext): boolean {
  if (node === undefined || (node.type !== 'ClassDeclaration' && node.type !== 'ClassExpression') || node.superClass === null || node.superClass === undefined) return false;
  const base = node.superClass as Node;
  return ['Float64Array', 'Float32Array'].some((name) => isGlobalReference(base, name, ctx) || isGlobalAlias(base, name, ctx));
}

/**
 * The runtime entry a method call `r.m(…)` goes through where its chain is written out: `callMethod`
 * for a search or a store (`r.includes(x)`, `r.push(x)`), `callComputed` for a key that is not a
 * literal (`r[k](x)`); null for another method, called as written.
 */
export function methodEntry(callee: acorn.MemberExpression): 'callMethod' | 'callComputed' | null {
  const name = memberName(callee);
  if (name === null) return callee.computed ? 'callComputed' : null;
  return SEARCHES.has(name) || MUTATING_METHODS.has(name) ? 'callMethod' : null;
}

/**
 * Which link of a search or store call (`r?.push(x)`) in an optional chain is optional — `r?.m(…)` ('member'),
 * `r.m?.(…)` ('call') or both (`r?.m?.(…)`, 'member-call') — when the call is the whole chain
 * and its only optional links; or, with
 * temporaries, where the chain is cut at the last link that skips inside `r`: a member's
 * (`a?.b.m(…)`, 'inner'; `a?.b.m?.(…)`, 'inner-call') or a call's (`o.f?.().m(…)`,
 * 'after-call'); else null (what the cuts do not take).
 */
function optionalMethodCall(node: Node, ctx: RewriteContext): 'member' | 'call' | 'member-call' | 'inner' | 'inner-call' | 'after-call' | null {
  if (node.type !== 'CallExpression' || parentOf(ctx)?.type !== 'ChainExpression') return null;
  const callee = node.callee;
  if (callee.type !== 'MemberExpression' || callee.object.type === 'Super') return null;
  // (a store into the receiver too, `log?.push(x)`: callMethod notes it, as the barrier notes `log.push(x)`;
  // and a method by a key that is not a literal, `xs?.[k](v)`, which callComputed looks at when it runs)
  if (methodEntry(callee) === null) return null;
  // (a private member after a skip, `o?.#items.push(v)`: the chain is written out by rewritePrivateChain)
  if (passesPrivateLink(callee)) return null;
  if (callee.optional && node.optional) return tempsAvailable(ctx) && !hasOptionalLink(callee.object as Node) ? 'member-call' : null;
  if (!callee.optional && hasOptionalLink(callee.object as Node)) {
    if (!tempsAvailable(ctx)) return null;
    if (lastOptionalLink(callee.object as Node) !== null) return node.optional ? 'inner-call' : 'inner';
    return !node.optional && skippingCall(callee.object as Node) !== null ? 'after-call' : null;
  }
  if (!callee.optional && !node.optional) return null;
  // (`r?.m(a)` skips where r skips, a chain of its own that gives undefined)
  if (node.optional && hasOptionalLink(callee.object as Node)) return null;
  // (the skip is written with temporaries: the receiver's, unless it is `this` or a name, and the method's)
  if (!tempsAvailable(ctx) && (node.optional || stableObject(callee.object as Node, ctx) === null)) return null;
  return callee.optional ? 'member' : 'call';
}

/**
 * The last link that skips in the chain `node` (`o?.p` in `o?.p.q`), when it is a member's:
 * the chain can be cut there (what comes before it is a chain of its own, skipping as the
 * whole would). Null when there is none, or it is a call's (`o.f?.()`, whose `this` a cut loses).
 */
function lastOptionalLink(node: Node): acorn.MemberExpression | null {
  for (let n: Node = node; ; ) {
    if (n.type === 'MemberExpression') {
      if (n.optional) return n.object.type === 'Super' ? null : n;
      n = n.object as Node;
    } else if (n.type === 'CallExpression') {
      if (n.optional) return null;
      n = n.callee as Node;
    } else return null;
  }
}

/**
 * The call that is the last link to skip in the chain `node` (`o.f?.()` in `o.f?.().xs`), when
 * the chain can be cut there: what it calls has no link that skips, and is written without
 * parentheses (a name, or a member whose object is one: `f?.()`, `o.f?.()`, `o[k]?.()`).
 */
function skippingCall(node: Node): acorn.CallExpression | null {
  for (let n: Node = node; ; ) {
    if (n.type === 'MemberExpression') {
      if (n.optional) return null;
      n = n.object as Node;
    } else if (n.type === 'CallExpression') {
      if (!n.optional) {
        n = n.callee as Node;
        continue;
      }
      const fn = n.callee as Node;
      if (fn.start !== n.start || hasOptionalLink(fn)) return null;
      if (fn.type === 'MemberExpression' && (fn.object.type === 'Super' || fn.object.start !== fn.start)) return null;
      return fn.type === 'Super' ? null : n;
    } else return null;
  }
}

/**
 * `groupBy(items, f)` by a name bound once to `Map.groupBy` (`const { groupBy } = Map`, `const gb =
 * Map.groupBy`): a static method, called without its receiver, which keys its groups by identity
 * (two groups of equal traced keys). It goes as `Map.groupBy(…)` does: `(0, __zy.callMethod)(void 0, gb, …)`.
 */
function isGroupByByName(node: Node, ctx: RewriteContext): boolean {
  if (node.type !== 'CallExpression' || node.optional || node.callee.type !== 'Identifier') return false;
  const member = memberValue(node.callee as Node, ctx);
  return member !== null && member.key === 'groupBy' && (isGlobalReference(member.object, 'Map', ctx) || isGlobalAlias(member.object, 'Map', ctx));
}

export const rewriteSearchCall: Rewriter = {
  name: 'search-call',
  types: ['CallExpression'],
  test: (node, ctx) => isSearchCall(node) || isGroupByByName(node, ctx) || isComputedMethodCall(node) || isSuperSearch(node) || isTypedArraySuperCall(node, ctx) || optionalMethodCall(node, ctx) !== null,
  rewrite(node, ctx) {
    if (isSearchCall(node)) return callThroughRuntime(node, 'callMethod', ctx);
    if (node.type === 'CallExpression' && isGroupByByName(node, ctx)) return callThroughRuntime(node, 'callMethod', ctx);
    if (isComputedMethodCall(node)) return callThroughRuntime(node, 'callComputed', ctx);
    if (node.type !== 'CallExpression') return;
    const either = copies(ctx);
    const args = node.arguments;
    const argumentsOpen = (text: string) => ctx.ed.replaceToken(node.callee.end, args.length > 0 ? args[0]!.start : node.end, '(', either(args.length > 0 ? `${text}, ` : text, '('));
    dropCalleeParentheses(node, ctx, either);
    if (isTypedArraySuperCall(node, ctx) || isSuperSearch(node)) {
      // super.m(a) → (0, __zy.callMethod)(this, super.m, a): `super.m` reads `this` as the call does
      // (in a class extending Float64Array or Float32Array, `typedSuperCall`, for any m)
      // (in an arrow a field initializer or constructor made, on the object f sees for the instance: rewrite-this.ts)
      const self = instanceThis(node, ctx, true) ? `${runtime('lexicalThis')}(this)` : 'this';
      ctx.ed.prefix(node.start, either(`${runtime(isTypedArraySuperCall(node, ctx) ? 'typedSuperCall' : 'callMethod')}(${self}, `, ''));
      return argumentsOpen('');
    }
    // r?.m(a) → (t = r, t === null || t === void 0 ? void 0 : (0, __zy.callMethod)(t, t.m, a)),
    // r.m?.(a) → (t = r, f = t.m, f === null || f === void 0 ? void 0 : (0, __zy.callMethod)(t, f, a)):
    // skipped as the chain skips, each part read once and in JavaScript's order (`this` or a
    // name is read in place of t)
    const callee = node.callee as acorn.MemberExpression;
    const { ed } = ctx;
    const form = optionalMethodCall(node, ctx);
    const via = runtime(methodEntry(callee)!);
    const isNull = (v: string) => `${v} === null || ${v} === void 0`;
    if (form === 'inner' || form === 'inner-call') {
      // a?.b.m(x) → (t = a, t === null || t === void 0 ? void 0 : (r = t.b, (0, __zy.callMethod)(r, r.m, x))),
      // a?.b.m?.(x) → (t = a, t === null || t === void 0 ? void 0 : (r = t.b, f = r.m, f === null || f === void 0 ? void 0 : (0, __zy.callMethod)(r, f, x))):
      // cut at the last link that skips (what comes before it skips as its own chain)
      const link = lastOptionalLink(callee.object as Node)!;
      const t = ctx.temps.fresh(link.object.end);
      const r = ctx.temps.fresh(callee.object.end);
      ed.prefix(node.start, either(`(${t} = `, ''));
      ed.replaceToken(link.object.end, link.property.start, '?.', either(`, ${isNull(t)} ? void 0 : (${r} = ${t}${link.computed ? '' : '.'}`, '?.'));
      const opener = keyOpener(callee);
      if (form === 'inner') {
        ed.replaceToken(callee.object.end, callee.property.start, opener, either(`, ${via}(${r}, ${r}${opener}`, opener));
      } else {
        const f = ctx.temps.fresh(callee.end);
        ed.replaceToken(callee.object.end, callee.property.start, opener, either(`, ${f} = ${r}${opener}`, opener));
        ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '?.', either(`, ${isNull(f)} ? void 0 : ${via}(${r}, ${f}`, '?.'));
      }
      argumentsOpen('');
      ed.suffix(node.end, either('))', ''));
      return;
    }
    if (form === 'after-call') {
      // o.f?.(a).xs.m(x) → (t = o, g = t.f, g === null || g === void 0 ? void 0 : (r = (0, __zy.callMethod)(t, g, a).xs, (0, __zy.callMethod)(r, r.m, x))),
      // f?.(a).m(x) → (g = f, g === null || g === void 0 ? void 0 : (r = g(a), (0, __zy.callMethod)(r, r.m, x))):
      // the skipping call made with its own `this` (callMethod: it may be a search itself, `m.get?.(k).includes(x)`)
      const call = skippingCall(callee.object as Node)!;
      const fn = call.callee as Node;
      const g = ctx.temps.fresh(fn.end);
      const r = ctx.temps.fresh(callee.object.end);
      const callArgs = call.arguments;
      const callOpen = (text: string) => ed.replaceToken(fn.end, callArgs.length > 0 ? callArgs[0]!.start : call.end, '(', either(callArgs.length > 0 ? `${text}, ` : text, '('));
      if (fn.type === 'MemberExpression') {
        const stable = stableObject(fn.object as Node, ctx);
        const t = stable ?? ctx.temps.fresh(fn.object.end);
        const opener = keyOpener(fn);
        ed.prefix(node.start, either(stable !== null ? `(${g} = ` : `(${t} = `, ''));
        if (stable === null) ed.replaceToken(fn.object.end, fn.property.start, opener, either(`, ${g} = ${t}${opener}`, opener));
        ed.replaceToken(fn.end, callArgs.length > 0 ? callArgs[0]!.start : call.end, '?.', either(`, ${isNull(g)} ? void 0 : (${r} = ${runtime('callMethod')}(${t}, ${g}`, '?.'));
        callOpen('');
      } else {
        ed.prefix(node.start, either(`(${g} = `, ''));
        ed.replaceToken(fn.end, callArgs.length > 0 ? callArgs[0]!.start : call.end, '?.', either(`, ${isNull(g)} ? void 0 : (${r} = ${g}`, '?.'));
      }
      const opener = keyOpener(callee);
      ed.replaceToken(callee.object.end, callee.property.start, opener, either(`, ${via}(${r}, ${r}${opener}`, opener));
      argumentsOpen('');
      ed.suffix(node.end, either('))', ''));
      return;
    }
    const stable = stableObject(callee.object as Node, ctx);
    const r = stable ?? ctx.temps.fresh(callee.object.end);
    const skip = (v: string) => `${v} === null || ${v} === void 0 ? void 0 : ${via}(${r}, `;
    if (form === 'member-call') {
      // r?.m?.(a) → (t = r, t === null || t === void 0 ? void 0 : (f = t.m, f === null || f === void 0 ? void 0 : (0, __zy.callMethod)(t, f, a)))
      const f = ctx.temps.fresh(callee.end);
      const dot = callee.computed ? '' : '.';
      ed.prefix(node.start, either(stable !== null ? `(${isNull(r)} ? void 0 : (${f} = ` : `(${r} = `, ''));
      ed.replaceToken(callee.object.end, callee.property.start, '?.', either(stable !== null ? dot : `, ${isNull(r)} ? void 0 : (${f} = ${r}${dot}`, '?.'));
      ed.replaceToken(callee.property.end, args.length > 0 ? args[0]!.start : node.end, '?.', either(`, ${skip(f)}${f}`, '?.'));
      argumentsOpen('');
      ed.suffix(node.end, either('))', ''));
      return;
    }
    if (form === 'member') {
      ed.prefix(node.start, either(stable !== null ? `(${skip(r)}` : `(${r} = `, ''));
      // (`r?.['m']` keeps its `[`: only the `?.` goes)
      const dot = callee.computed ? '' : '.';
      ed.replaceToken(callee.object.end, callee.property.start, '?.', either(stable !== null ? dot : `, ${skip(r)}${r}${dot}`, '?.'));
    } else {
      const f = ctx.temps.fresh(callee.end);
      const opener = keyOpener(callee);
      ed.prefix(node.start, either(`(${stable !== null ? f : r} = `, ''));
      if (stable === null) ed.replaceToken(callee.object.end, callee.property.start, opener, either(`, ${f} = ${r}${opener}`, opener));
      ed.replaceToken(callee.property.end, args.length > 0 ? args[0]!.start : node.end, '?.', either(`, ${skip(f)}${f}`, '?.'));
    }
    argumentsOpen('');
    ed.suffix(node.end, either(')', ''));
  },
};

/**
 * `r.m(a, b)` → `(0, __zy.<name>)(t = r, t.m, a, b)` (`f(a, b)` → `(0, __zy.<name>)(void 0, f, a, b)`):
 * `r` read once, `m` before the arguments, as JavaScript reads them; three token edits keep
 * every line where it was. A plain copy keeps the call as it is: the runtime would only pass it on.
 */
export function callThroughRuntime(node: acorn.CallExpression, name: string, ctx: RewriteContext): void {
  const callee = node.callee;
  if (callee.type !== 'MemberExpression') {
    // f(a, b) → (0, __zy.<name>)(void 0, f, a, b)
    const either = copies(ctx);
    const args = node.arguments;
    ctx.ed.prefix(node.start, either(`${runtime(name)}(void 0, `, ''));
    ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', either(args.length > 0 ? ', ' : '', '('));
    return;
  }
  callMethodThroughRuntime(node as acorn.CallExpression & { callee: acorn.MemberExpression }, name, ctx);
}

function callMethodThroughRuntime(node: acorn.CallExpression & { callee: acorn.MemberExpression }, name: string, ctx: RewriteContext): void {
  const callee = node.callee;
  dropCalleeParentheses(node, ctx, copies(ctx));
  const receiver = receiverOf(callee.object as Node, ctx);
  const args = node.arguments;
  const either = copies(ctx);
  ctx.ed.prefix(node.start, either(`${runtime(name)}(${receiver.first}`, ''));
  const opener = keyOpener(callee);
  ctx.ed.replaceToken(callee.object.end, callee.property.start, opener, either(`${receiver.close}, ${receiver.again}${opener}`, opener));
  ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', either(args.length > 0 ? ', ' : '', '('));
}

const BIND: ReadonlySet<string> = new Set(['bind']);

/**
 * `E.bind(r, …)` that no other rewrite takes (search, predicate and store methods: bindOn; an
 * instance's method: rewrite-this.ts; an import's: rewrite-imports.ts), in both copies (a bound
 * copy is made where no differentiation runs): the runtime notes the function it binds, so a
 * bound copy of rewritten code, called where calls are checked (a global, an import), is known
 * for what it is (lib/imported.ts bindNoted). `E` is read once, then `bind`, then the arguments.
 *
 *   k.bind(null)  →  (0, __zy.bindNoted)(t = k, t.bind, null)
 */
export const rewriteBindNoted: Rewriter = {
  name: 'bind-noted',
  types: ['CallExpression'],
  test: (node) => isMethodCall(node, BIND),
  rewrite(node, ctx) {
    if (!isMethodCall(node, BIND)) return;
    const callee = node.callee;
    const args = node.arguments;
    dropCalleeParentheses(node, ctx);
    const receiver = receiverOf(callee.object as Node, ctx);
    ctx.ed.prefix(node.start, `${runtime('bindNoted')}(${receiver.first}`);
    const opener = keyOpener(callee);
    ctx.ed.replaceToken(callee.object.end, callee.property.start, opener, `${receiver.close}, ${receiver.again}${opener}`);
    ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', args.length > 0 ? ', ' : '');
  },
};

export const rewriteSearchCallThroughCall: Rewriter = {
  name: 'search-call-through-call',
  types: ['CallExpression'],
  test: isSearchCallThroughCall,
  rewrite(node, ctx) {
    if (!isSearchCallThroughCall(node, ctx)) return;
    const callee = node.callee;
    const args = node.arguments;
    const name = callee.property.name;
    dropCalleeParentheses(node, ctx, copies(ctx));
    // E.m.call(r, a) → (0, __zy.callOn)(E.m, r, a), E.m.apply(r, a) → (0, __zy.applyOn)(E.m, r, a):
    // E.m is read before r, as JavaScript reads it; and its `.apply` too, which throws for null
    // and undefined before r and a run (`us.set.apply(us, gg)`: a TypeError, not gg's ReferenceError)
    const either = copies(ctx);
    const before = args.length > 0 ? `${runtime('readableThrough')}(` : '';
    ctx.ed.prefix(node.start, either(`${runtime(THROUGH[name]!)}(${before}`, ''));
    ctx.ed.replaceToken(callee.object.end, callee.property.start, '.', either(args.length > 0 ? `, ${JSON.stringify(name)}), ` : '', '.'));
    ctx.ed.overwrite(callee.property.start, callee.property.end, either('', name));
    ctx.ed.replaceToken(callee.end, args.length > 0 ? args[0]!.start : node.end, '(', either('', '('));
  },
};

/** Whether `node` is a class that extends the global `Map` or `Set`, by its name or another the source fixes (`globalThis.Map`, `const M = Map`). */
function extendsCollection(node: Node | undefined, ctx: RewriteContext): boolean {
  if (node === undefined || (node.type !== 'ClassDeclaration' && node.type !== 'ClassExpression') || node.superClass === null || node.superClass === undefined) return false;
  const base = node.superClass as Node;
  return ['Map', 'Set'].some((name) => isGlobalReference(base, name, ctx) || isGlobalAlias(base, name, ctx));
}

/** The class whose constructor holds `node`, a `super(…)` call (also in an arrow inside it); undefined for anything else. */
function classOfSuperCall(node: Node, ctx: RewriteContext): Node | undefined {
  if (node.type !== 'CallExpression' || node.callee.type !== 'Super') return undefined;
  const ancestors = ctx.ancestors;
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const a = ancestors[i]!;
    if (a.type === 'ArrowFunctionExpression' || !isFunction(a)) continue;
    const method = ancestors[i - 1];
    return a.type === 'FunctionExpression' && method?.type === 'MethodDefinition' && method.kind === 'constructor' ? ancestors[i - 3] : undefined;
  }
  return undefined;
}

/** Whether `node` is `super(…)` in the constructor of such a class (or in an arrow inside it). */
function isCollectionSuperCall(node: Node, ctx: RewriteContext): node is acorn.CallExpression {
  return extendsCollection(classOfSuperCall(node, ctx), ctx);
}

const hasOwnConstructor = (node: Node): boolean => (node as acorn.Class).body.body.some((m) => m.type === 'MethodDefinition' && m.kind === 'constructor');

/**
 * A subclass of Map or Set filled by its constructor (`class Counts extends Map {}`,
 * `new Counts([[x, 1]])`): the built-in constructor keys the entries it is given by identity
 * (a traced key and an equal number were two keys, and `has` of the number missed the traced
 * one). Its `super(…)` gets its entries made one by value first, and notes the traced keys
 * the instance then holds (rules/builtins/stores.ts `collectionArguments`, `collectionMade`); a
 * class with no constructor of its own gets the one JavaScript gives it, written so:
 *
 *   super(entries)  →  (0, __zy.collectionMade)(super(...(0, __zy.collectionArguments)(new.target, [entries])))
 *   class C extends Map {}  →  class C extends Map {constructor() { (0, __zy.collectionMade)(super(...(0, __zy.collectionArguments)(new.target, arguments))) } }
 *
 * (Outside a differentiation both give the arguments and the instance as they are.)
 */
export const rewriteCollectionSubclass: Rewriter = {
  name: 'collection-subclass',
  types: ['CallExpression', 'ClassDeclaration', 'ClassExpression'],
  test(node, ctx) {
    if (node.type === 'CallExpression') return isCollectionSuperCall(node, ctx);
    return extendsCollection(node, ctx) && !hasOwnConstructor(node);
  },
  rewrite(node, ctx) {
    const made = runtime('collectionMade');
    const args = runtime('collectionArguments');
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      // (the constructor JavaScript gives a derived class passes on all its arguments; its length is 0)
      ctx.ed.suffix(node.body.start + 1, `constructor() { ${made}(super(...${args}(new.target, arguments))) } `);
      return;
    }
    if (node.type !== 'CallExpression') return;
    const either = copies(ctx);
    ctx.ed.prefix(node.start, either(`${made}(`, ''));
    if (node.arguments.length > 0) {
      // (the arguments as an array's elements: spreads and a trailing comma keep their meaning)
      ctx.ed.replaceToken(node.callee.end, node.arguments[0]!.start, '(', either(`(...${args}(new.target, [`, '('));
      ctx.ed.suffix(node.end - 1, either('])', ''));
    }
    ctx.ed.suffix(node.end, either(')', ''));
  },
};

/** The sized built-in a class extends (`class Matrix extends Array`, `class Vec3 extends Float64Array`, also through a name the source fixes), or null. */
function sizedBaseOf(node: Node | undefined, ctx: RewriteContext): string | null {
  if (node === undefined || (node.type !== 'ClassDeclaration' && node.type !== 'ClassExpression') || node.superClass === null || node.superClass === undefined) return null;
  return sizedBuiltinOf(node.superClass as Node, ctx);
}

/**
 * A subclass of Array, of a typed array or of a buffer: its `super(…)` reaches the built-in
 * constructor, which reads a size the way `Array(n)` does (`class Matrix extends Array {
 * constructor(r, c) { super(r * c) } }` made `[r * c]` of traced numbers, a length of 1; a
 * typed array's, an empty array). The arguments go through `__zy.sizedArguments`, as a spread
 * `Array(...dims)` does (a plain copy keeps the call as written):
 *
 *   super(r * c)  →  super(...(0, __zy.sizedArguments)([r * c], true))
 *
 * A class with no constructor of its own is given none (V8 skips JavaScript's default one: an
 * explicit one made `new Vec3(3)` twice as slow in plain code); `new R(n)` of such a class
 * declared in the same file is read as `Array(n)` is (size-arguments above).
 */
export const rewriteSizedSubclass: Rewriter = {
  name: 'sized-subclass',
  types: ['CallExpression'],
  test(node, ctx) {
    return node.type === 'CallExpression' && node.arguments.length > 0 && sizedBaseOf(classOfSuperCall(node, ctx), ctx) !== null;
  },
  rewrite(node, ctx) {
    if (node.type !== 'CallExpression') return;
    const either = copies(ctx);
    const args = node.arguments;
    // (the arguments as an array's elements: spreads and a trailing comma keep their meaning)
    ctx.ed.prefix(args[0]!.start, either(`...${runtime('sizedArguments')}([`, ''));
    ctx.ed.suffix(args[args.length - 1]!.end, either(`], ${sizedBaseOf(classOfSuperCall(node, ctx), ctx) === 'Array'})`, ''));
  },
};

/**
 * `E.data` read (not written, deleted, called as a method or constructed), outside optional
 * chains and `super` (see the file header).
 */
export const rewriteDataRead: Rewriter = {
  name: 'data-read',
  types: ['MemberExpression'],
  test(node, ctx) {
    if (node.type !== 'MemberExpression' || node.computed || node.optional || node.property.type !== 'Identifier' || node.property.name !== 'data') return false;
    if (node.object.type === 'Super' || hasOptionalLink(node.object as Node)) return false;
    const parent = parentOf(ctx);
    if (parent?.type === 'UnaryExpression' && parent.operator === 'delete') return false;
    if (parent?.type === 'NewExpression' && parent.callee === node) return false;
    return isRead(node, ctx);
  },
  rewrite(node, ctx) {
    if (node.type !== 'MemberExpression') return;
    const either = copies(ctx);
    const { ed } = ctx;
    // E.data → (0, __zy.readData)(E): the `.` closes the call, the name goes (E keeps its own parentheses)
    const dot = findToken(ed.tokens, node.object.end, node.property.start, '.', ed.code);
    ed.prefix(node.start, either(`${runtime('readData')}(`, ''));
    ed.replaceToken(dot.start, node.property.start, '.', either(')', '.'));
    ed.overwrite(node.property.start, node.property.end, either('', 'data'));
  },
};

/**
 * Built-ins that read a number argument as a size: each argument of a typed array's or a
 * buffer's constructor (a length, an offset), and the one argument of `Array(n)`, are given
 * to `__zy.sizeOf`, which passes a traced number's value (`new Array(x)` would otherwise be
 * `[x]`, and `new Int32Array(x)` empty). The built-in may be named by a name bound once to
 * it (`const A = Array`) or read from the global object (`globalThis.Array(n)`). Arguments
 * with a spread (`Array(...dims)`) go through `__zy.sizedArguments` as a list, which reads
 * them as the built-in does: `[n]` is a length, `[a, b]` elements. (`new` of a typed array or
 * a buffer by its global name, and `new` of any member (`new globalThis.Array(n)`), goes
 * through `construct` below, which does the same.)
 */
const SIZED: ReadonlySet<string> = new Set([
  'Array', 'ArrayBuffer', 'SharedArrayBuffer', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
  'Float64Array', 'Float32Array',
]);

/** The sized built-in `node` names: its global name, a name bound once to it, or it read from the global object. */
function sizedBuiltinOf(node: Node, ctx: RewriteContext): string | null {
  if (node.type === 'Identifier' && SIZED.has(node.name) && isGlobalReference(node, node.name, ctx)) return node.name;
  if (node.type === 'MemberExpression') {
    const name = memberName(node);
    return name !== null && SIZED.has(name) && isGlobalAlias(node, name, ctx) ? name : null;
  }
  const bound = node.type === 'Identifier' ? constBinding(node, ctx) : null;
  if (bound === null || bound.key !== null) return null;
  const name = bound.init.type === 'Identifier' ? bound.init.name : bound.init.type === 'MemberExpression' ? memberName(bound.init) : null;
  return name !== null && SIZED.has(name) && isGlobalAlias(node, name, ctx) ? name : null;
}

/** A call or `new` of a sized built-in, whose sizes this rewrite reads (not `construct`'s). */
interface SizedCall {
  readonly name: string;
  /** The arguments that are sizes; all of them, as one list, when one is spread. */
  readonly sizes: readonly Node[];
  readonly spread: boolean;
}

function sizedCall(node: Node, ctx: RewriteContext): SizedCall | null {
  if ((node.type !== 'NewExpression' && node.type !== 'CallExpression') || (node.type === 'CallExpression' && node.optional)) return null;
  const callee = node.callee as Node;
  // (`construct` reads the sizes of `new` of a member and of the constructors it takes by name)
  if (node.type === 'NewExpression' && (callee.type === 'MemberExpression' || (callee.type === 'Identifier' && ((CONSTRUCTED.has(callee.name) && isGlobalReference(callee, callee.name, ctx)) || isConstructorVariable(callee, ctx))))) return null;
  // (`new R(n)` of a class R extends Array {} declared here: its constructor is JavaScript's, which
  // hands its arguments to Array as they are; one of its own reads them in its super(…), below)
  const subclass = node.type === 'NewExpression' ? classBinding(callee, ctx) : null;
  // (a Float64Array or Float32Array subclass by its name is `construct`'s, which reads its sizes too)
  if (subclass !== null && extendsFloatArray(subclass, ctx) && !(node.arguments as Node[]).some((a) => a.type === 'SpreadElement')) return null;
  const name = subclass !== null ? (hasOwnConstructor(subclass) ? null : sizedBaseOf(subclass, ctx)) : sizedBuiltinOf(callee, ctx);
  // (Float64Array and Float32Array by their names are `construct`'s; called without `new` they throw)
  if (name === null || (node.type === 'CallExpression' && name !== 'Array')) return null;
  const args = node.arguments as Node[];
  if (args.some((a) => a.type === 'SpreadElement')) return { name, sizes: args, spread: true };
  // Array(a, b) lists elements; Array(n) alone is a length
  const sizes = name === 'Array' ? (args.length === 1 ? args : []) : args;
  return { name, sizes: sizes.filter((a) => !isSyntacticNumber(a)), spread: false };
}

export const rewriteSizeArguments: Rewriter = {
  name: 'size-arguments',
  types: ['NewExpression', 'CallExpression'],
  test: (node, ctx) => (sizedCall(node, ctx)?.sizes.length ?? 0) > 0,
  rewrite(node, ctx) {
    const call = sizedCall(node, ctx);
    if (call === null) return;
    if (!call.spread) {
      for (const arg of call.sizes) ctx.ed.wrap(arg, `${runtime('sizeOf')}(`, ')');
      return;
    }
    // Array(...dims) → Array(...(0, __zy.sizedArguments)([...dims], true)) (a trailing comma stays after the list)
    const either = copies(ctx);
    ctx.ed.prefix(call.sizes[0]!.start, either(`...${runtime('sizedArguments')}([`, ''));
    ctx.ed.suffix(call.sizes[call.sizes.length - 1]!.end, either(`], ${call.name === 'Array'})`, ''));
  },
};

/** A number literal (or its negation): nothing to convert. */
function isSyntacticNumber(node: Node): boolean {
  if (node.type === 'Literal') return typeof node.value === 'number';
  return node.type === 'UnaryExpression' && node.operator === '-' && node.argument.type === 'Literal' && typeof node.argument.value === 'number';
}

/**
 * Constructors whose instances compare or hold numbers, the views of a buffer (and the
 * buffer) that may alias a float typed array's traced elements, and WeakRef (whose target
 * may be an argument's stand-in): `new` of the global itself goes through the runtime.
 */
const CONSTRUCTED: ReadonlySet<string> = new Set([
  'Map', 'Set', 'Float64Array', 'Float32Array', 'Number', 'DataView', 'ArrayBuffer', 'SharedArrayBuffer',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'BigInt64Array', 'BigUint64Array', 'WeakRef',
]);

/**
 * `new Map(…)` and its kin by their global names, and `new a.B(…)`: a constructor reached
 * through an object may be one of them (gl-matrix makes its vectors with
 * `new glMatrix.ARRAY_TYPE(3)`, a Float32Array). A constructor named by a plain
 * identifier otherwise (`new Point(…)`, hot in loops) is left alone.
 */
function isRoutedConstruct(node: Node, ctx: RewriteContext): node is acorn.NewExpression {
  if (node.type !== 'NewExpression') return false;
  const callee = node.callee;
  if (callee.type === 'Identifier') return (CONSTRUCTED.has(callee.name) && isGlobalReference(callee, callee.name, ctx)) || isFloatSubclassName(callee, ctx) || isConstructorVariable(callee, ctx);
  return (callee.type === 'MemberExpression' && !callee.optional && callee.object.type !== 'Super' && !hasOptionalLink(callee.object as Node)) || isComputedConstructor(callee as Node);
}

/**
 * A constructor computed where it is made (vectorious: `new (get_type(dtype))(flatten(data))`, a
 * Float64Array; `new (big ? Float64Array : Float32Array)(n)`): made natively, its stores were
 * refused, as for a constructor held in a variable. Routed in the copy that runs while tracing.
 */
function isComputedConstructor(callee: Node): boolean {
  return callee.type === 'CallExpression' || callee.type === 'ConditionalExpression' || callee.type === 'LogicalExpression' || callee.type === 'SequenceExpression';
}

/**
 * A constructor held by a parameter or by a variable bound to something other than a class
 * or function written there: kdbush's `new ArrayType(data, offset, n)` (`ArrayType =
 * Float64Array`), `const T = Float64Array; new T(4)`. Made natively, the Float64Array kept only
 * the numbers f stored, and the store was refused ("stored into a typed array") where
 * `new this.ArrayType(…)` made one that keeps them. Routed in the copy that runs while tracing.
 */
function isConstructorVariable(callee: acorn.Identifier, ctx: RewriteContext): boolean {
  if (!ctx.scope.isDeclared(callee) || ctx.scope.withRefs.has(callee)) return false;
  const bound = constBinding(callee, ctx);
  if (bound !== null) return !isFunction(bound.init as Node) && bound.init.type !== 'ClassExpression';
  const owner = ctx.scope.bindingOwner(callee);
  return owner !== null && isFunction(owner) && owner.params.some((p) => patternNames(p as Node).some((id) => id.name === callee.name));
}

/**
 * A class declared in this file extending Float64Array or Float32Array, by its name (`new Vec3(3)`):
 * made natively, its instance kept only the numbers f stored, and the store was refused ("stored
 * into a typed array") where `new lib.Vec3(3)` made a stand-in that keeps them.
 */
function isFloatSubclassName(callee: Node, ctx: RewriteContext): boolean {
  return callee.type === 'Identifier' && extendsFloatArray(classBinding(callee, ctx) ?? undefined, ctx);
}

/** Whether `new C(…)` has its parentheses: `new C` and `new (a.C)` have none (a `(` after the callee opens them). */
function hasArgumentList(node: acorn.NewExpression, ctx: RewriteContext): boolean {
  if (node.arguments.length > 0) return true;
  for (let i = tokenAtOrAfter(ctx.ed.tokens, node.callee.end); i < ctx.ed.tokens.length; i++) {
    const tok = ctx.ed.tokens[i]!;
    if (tok.start >= node.end) return false;
    if (ctx.ed.code.slice(tok.start, tok.end) === '(') return true;
  }
  return false;
}

/** Whether `node` is the callee of an enclosing `new`, or the object of a member chain that is (`new new X().y`). */
function inNewCallee(node: Node, ctx: RewriteContext): boolean {
  let child: Node = node;
  for (let i = ctx.ancestors.length - 1; i >= 0; i--) {
    const parent = ctx.ancestors[i]!;
    if (parent.type === 'NewExpression') return parent.callee === child;
    if (parent.type !== 'MemberExpression' || parent.object !== child) return false;
    child = parent;
  }
  return false;
}

export const rewriteConstruct: Rewriter = {
  name: 'construct',
  types: ['NewExpression'],
  test: isRoutedConstruct,
  rewrite(node, ctx) {
    if (node.type !== 'NewExpression') return;
    // (a comma expression keeps its parentheses: as the first argument, `new (a, B)` constructed a, with B as its argument)
    const name = node.callee.type === 'SequenceExpression' ? `(${ctx.ed.text(node.callee)})` : ctx.ed.text(node.callee);
    const args = node.arguments;
    // (a class of the file's own, `new Vec3(3)`, often made in hot loops: a plain copy keeps `new`;
    // with JavaScript's constructor, its arguments are sizes, as size-arguments reads them for others)
    const subclass = isFloatSubclassName(node.callee as Node, ctx);
    const either = subclass || (node.callee.type === 'Identifier' && isConstructorVariable(node.callee, ctx)) || isComputedConstructor(node.callee as Node) ? copies(ctx) : (traced: string) => traced;
    if (subclass && !hasOwnConstructor(classBinding(node.callee as Node, ctx)!)) {
      for (const arg of args as Node[]) if (!isSyntacticNumber(arg)) ctx.ed.wrap(arg, `${runtime('sizeOf')}(`, ')');
    }
    // (a call in an outer `new`'s callee would take its arguments: `new new Number(1)` must stay `new (…)`)
    const open = inNewCallee(node, ctx) ? '(' : '';
    const close = open === '' ? '' : ')';
    if (!hasArgumentList(node, ctx)) {
      ctx.ed.replace(node, either(`${open}${runtime('construct')}(${name})${close}`, ctx.ed.text(node))); // `new Set`, `new (a.B)`: no argument list
      return;
    }
    // new Set(a) → (0, __zy.construct)(Set, a)
    ctx.ed.replaceToken(node.start, node.callee.start, 'new', either(`${open}${runtime('construct')}(`, 'new'));
    ctx.ed.replaceToken(node.callee.end, args.length > 0 ? args[0]!.start : node.end, '(', either(args.length > 0 ? ', ' : '', '('));
    if (close !== '') ctx.ed.suffix(node.end, either(close, ''));
  },
};
