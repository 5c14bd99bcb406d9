// How a traced number passes for a number where JavaScript asks: comparisons, equality,
// truthiness, `typeof`, `switch`, `isNaN`/`isFinite`, `Number.isNaN` and its kin. None of
// these has a derivative; each answers from the primal value. `Number(x)` returns a traced
// number itself. The transform routes them here.

import { live, primal, reportEscape, Traced, isTraced } from './core/traced.js';
import { compareSymbolic, type Comparison, isSymbolic } from './core/symbolic.js';
import { convertsToPrimitive, runtimeAsksPrimitive, toNumber, toPrimitive } from '../rules/operands.js';
import { readBack } from '../rules/text.js';
import { callerLine, conversionCaller, doubt } from './escapes.js';
import { refuseForeignTraced } from './core/foreign.js';
import { fieldInside } from './core/scalars.js';
import { isDeriving } from './core/scope.js';
import { callImported, wasRewritten } from './imported.js';
import { callMethod, searchesOrStores } from '../rules/builtins.js';
import { isIdentityObject as isIdentity, originalOf, sameObject } from '../proxies/standins.js';
import { sameAsProduced } from '../proxies/drafts.js';
import { builtinBehind, sameBuiltin, versionOf } from '../rules/like-builtin.js';
import { noteEqualityHeld, noteIdentityHeld } from '../rules/equalities.js';

const unwrap = (x: unknown): unknown => (isTraced(x) ? primal(x) : x);

// The innermost value of a traced one, a symbolic number kept as it is (compileGradient
// records the comparison as a guard instead of pinning the number).
function inner(x: unknown): unknown {
  while (isTraced(x)) x = x.tracedValue;
  return refuseForeignTraced(x);
}

function compare(op: Comparison, a: unknown, b: unknown): boolean {
  // A traced value holding a number field's instance is that object, as plain code sees it:
  // `x == other` of two equal Fractions was true (converted to a number), where it is false.
  a = fieldInside(a) ?? a;
  b = fieldInside(b) ?? b;
  // Two objects are equal when they are one object of the plain program (a stand-in is its original).
  if ((op === '===' || op === '!==' || op === '==' || op === '!=') && isIdentity(a) && isIdentity(b)) {
    return (sameObject(a, b) || sameBuiltin(a, b) || sameAsProduced(a, b, sameObject)) === (op === '===' || op === '==');
  }
  // An object operand converts as JavaScript converts it, but here its `valueOf` may give a
  // traced number (rules/operands.ts): relational comparisons convert both sides, left
  // first; loose equality converts an object compared with a primitive.
  if (convertsToPrimitive(a) || convertsToPrimitive(b)) {
    if (op !== '===' && op !== '!==' && op !== '==' && op !== '!=') {
      a = toPrimitive(a, 'number');
      b = toPrimitive(b, 'number');
    } else if (op === '==' || op === '!=') {
      if (convertsToPrimitive(a) && !convertsToPrimitive(b) && b != null) a = toPrimitive(a);
      else if (convertsToPrimitive(b) && !convertsToPrimitive(a) && a != null) b = toPrimitive(b);
    }
  }
  return compareSymbolic(op, inner(a), inner(b));
}

function truthOf(x: Traced): boolean {
  const v = inner(x);
  return isSymbolic(v) ? v.recorder.truth(v) : !!v;
}

/**
 * The number `x` is, when it is one or a number traced once (the eager gradient's common
 * comparison, `m > 0`), else `undefined`: everything else (nesting, a symbolic
 * number compileGradient records, an object converting itself) goes through `compare`.
 */
const plainNumber = (x: unknown): number | undefined => {
  if (typeof x === 'number') return x;
  if (!isTraced(x)) return undefined;
  const v = x.tracedValue;
  return typeof v === 'number' ? v : undefined;
};

// ---- comparisons and equality (fast path: the operator itself) --------------------------
export function lt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  const x = plainNumber(a), y = plainNumber(b);
  return x !== undefined && y !== undefined ? x < y : compare('<', a, b);
}
export function le(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a <= b;
  const x = plainNumber(a), y = plainNumber(b);
  return x !== undefined && y !== undefined ? x <= y : compare('<=', a, b);
}
export function gt(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a > b;
  const x = plainNumber(a), y = plainNumber(b);
  return x !== undefined && y !== undefined ? x > y : compare('>', a, b);
}
export function ge(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a >= b;
  const x = plainNumber(a), y = plainNumber(b);
  return x !== undefined && y !== undefined ? x >= y : compare('>=', a, b);
}
/** An object or a function: what may be a traced number, a stand-in or convert itself. */
const isObjectLike = (x: unknown): boolean => (typeof x === 'object' && x !== null) || typeof x === 'function';

/**
 * Whether `===` needs more than the operator: two objects (a stand-in is its original) or
 * an object and a number (a traced number equals its value). An object is never strictly
 * equal to any other primitive, traced or not (`v !== undefined` is the common case).
 */
const strictNeedsRuntime = (a: unknown, b: unknown): boolean =>
  isObjectLike(a) ? isObjectLike(b) || typeof b === 'number' : typeof a === 'number' && isObjectLike(b);

/** `===`: traced numbers compare by value (so a traced NaN is not equal to itself). */
export function seq(a: unknown, b: unknown): boolean {
  return strictNeedsRuntime(a, b) ? compare('===', a, b) : a === b;
}
export function sne(a: unknown, b: unknown): boolean {
  return strictNeedsRuntime(a, b) ? compare('!==', a, b) : a !== b;
}
// (loose equality converts an object operand: the runtime answers whenever there is one)
export function eq(a: unknown, b: unknown): boolean {
  return isObjectLike(a) || isObjectLike(b) ? compare('==', a, b) : a == b;
}
export function ne(a: unknown, b: unknown): boolean {
  return isObjectLike(a) || isObjectLike(b) ? compare('!=', a, b) : a != b;
}

// ---- equality with a stored number (a cache keyed by value) -------------------------------
// `if (theta !== cachedTheta) { cachedValue = expensive(theta); cachedTheta = theta }` filled by a
// plain call hits while differentiating: f returns the plain cachedValue, and the gradient was
// null with no word. Where neither side is a number written in the source the transform calls
// these forms (rewrite-operators.ts: `x === 0` in sinc is a branch, not a cache); an equality
// that held between a traced number and a plain one is noted, and the API says so when f's
// result turns out not to depend on that traced number (rules/equalities.ts).

const noteHeld = (a: unknown, b: unknown): void => (isIdentity(a) && isIdentity(b) ? noteIdentityHeld(a, b) : noteEqualityHeld(a, b));

/** `===` where neither side is a number written in the source. */
export function seqStored(a: unknown, b: unknown): boolean {
  if (!strictNeedsRuntime(a, b)) return a === b;
  const same = compare('===', a, b);
  if (same) noteHeld(a, b);
  return same;
}
export function sneStored(a: unknown, b: unknown): boolean {
  return !seqStored(a, b);
}
/** `==` where neither side is a number written in the source. */
export function eqStored(a: unknown, b: unknown): boolean {
  if (!isObjectLike(a) && !isObjectLike(b)) return a == b;
  const same = compare('==', a, b);
  if (same) noteHeld(a, b);
  return same;
}
export function neStored(a: unknown, b: unknown): boolean {
  return !eqStored(a, b);
}

// ---- truthiness -------------------------------------------------------------------------
/** A traced 0 or NaN is falsy, like the number. */
export function truthy(x: unknown): boolean {
  if (typeof x === 'boolean') return x; // (most tests: a comparison's or a predicate's result)
  return isTraced(x) ? truthOf(x) : !!refuseForeignTraced(x);
}

// `a && b` must return `a` itself when it is falsy: the transform writes
// `(test(a) ? b : took())`. No user code runs between `test` and `took`, so one slot is safe.
let slot: unknown;
export function test(x: unknown): boolean {
  slot = x;
  return isTraced(x) ? truthOf(x) : !!refuseForeignTraced(x);
}
export function took(): unknown {
  const x = slot;
  slot = undefined;
  return x;
}

// ---- callbacks whose result a built-in tests ----------------------------------------------
/**
 * `Boolean(v)` (and `new Boolean(v)`) in rewritten code, through `__zy.builtin(Boolean)`: a
 * traced 0 or NaN is false, as the number is.
 */
export function booleanOf(value?: unknown): boolean | Boolean {
  const truth = truthy(value);
  // (`new Boolean(v)` makes a wrapper object, as JavaScript does)
  return new.target === undefined ? truth : new Boolean(truth);
}

// (the built-in as the platform made it: a program's own global Boolean is called as it is)
const builtinBoolean = Boolean;

/**
 * What `xs.filter(f)`, `find`, `some`, `every` & co. are given in place of `f`: the built-ins
 * test f's result natively, where a traced 0 or NaN is an object and so passes. The
 * function returned is f, except that a traced result becomes its truth value; `Boolean`
 * itself becomes `booleanOf`. Anything that is not a function is passed on as it is.
 */
export function predicate(f: unknown): unknown {
  if (typeof f !== 'function') return f;
  if (f === builtinBoolean) return booleanOf;
  return function (this: unknown, ...args: unknown[]): unknown {
    const result: unknown = Reflect.apply(f, this, args);
    return isTraced(result) ? truthOf(result) : result;
  };
}

/** An iterator result's `done` (rewrite-callbacks.ts): a traced number as its truth, which the protocol reads natively. */
export function iteratorDone(done: unknown): unknown {
  return isTraced(done) ? truthOf(done) : done;
}

/**
 * What a `next` method returns other than a literal (a class's instance, an object kept in a
 * variable: rewrite-callbacks.ts), while differentiating: a traced `done` of its own is read
 * natively as true, and ends `for … of`, spread and destructuring at once (a sum of 0, its
 * gradient null, without a word). The object is the program's: it is said, not changed.
 */
export function iteratorResult(result: unknown): unknown {
  if (typeof result !== 'object' || result === null || !Object.prototype.hasOwnProperty.call(result, 'done')) return result;
  const done = Object.getOwnPropertyDescriptor(result, 'done');
  if (done !== undefined && 'value' in done && isTraced(done.value)) {
    const where = callerLine(new Error().stack);
    doubt(
      `iterator result ${where}`,
      `an iterator result's done is a traced number${where ? ` (returned by next at ${where})` : ''}: for … of, spread and destructuring read it natively, as true even where it is 0, and end there.`,
      'Return a literal { value, done } from next (its done is read for its truth), or make done a boolean (done: k > n).',
    );
  }
  return result;
}

/**
 * A comparator whose traced result becomes -1, 0 or 1 by comparison, for a built-in sort,
 * which would convert a traced difference itself and lose it (the order is piecewise
 * constant: nothing is lost); any other result, and anything not a function, as it is.
 */
export function comparator(f: unknown): unknown {
  if (typeof f !== 'function') return f;
  return (a: unknown, b: unknown): unknown => {
    const c: unknown = f(a, b);
    return isTraced(c) ? (lt(c, 0) ? -1 : gt(c, 0) ? 1 : 0) : c;
  };
}

/** `receiver.sort(cmp)` (`toSorted`) in rewritten code: as `callPredicates`, with `comparator`. */
export function callComparator(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn !== 'function') throw new TypeError(`${typeof fn} is not a function`); // (as the call itself would throw)
  if (!wasRewritten(fn)) args[0] = comparator(args[0]);
  return Reflect.apply(fn, receiver, args);
}

/**
 * `receiver[k](...args)` in rewritten code, for a key that is not a literal, with `fn` =
 * `receiver[k]` read already: the method is known only now, and goes as the call by its name
 * would. A built-in search or store through `callMethod` (`list[atStart ? 'unshift' : 'push'](x)`
 * is a store the clean-up must see; `xs[k](x)` for `includes` searches by value), a built-in
 * predicate method with its callback's answer turned into its truth (`xs[k]((v) => v)` for
 * `filter`), a built-in sort with its comparator's; anything else as it is.
 */
export function callComputed(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  if (searchesOrStores(fn)) return callMethod(receiver, fn, ...args);
  if (typeof fn !== 'function') throw new TypeError(`${typeof fn} is not a function`); // (as the call itself would throw)
  if (BUILTIN_PREDICATES.has(fn)) wrapCallback(args, true);
  else if (BUILTIN_SORTS.has(fn)) args[0] = comparator(args[0]);
  // (`Math[k](x)` calls what `Math.sin(x)` calls: the built-in kept only a traced number's value)
  return Reflect.apply(versionOf(fn) ?? fn, receiver, args);
}

/**
 * `receiver.m(...args)` in rewritten code for a method named as a predicate method
 * (`xs.filter(f)`, `_.filter(xs, f)`): when `m` is a built-in or code that was not
 * rewritten, it tests a callback's result for truth natively, and the callback (its first function argument)
 * goes through `predicate`; a method of rewritten code (a solver's `find(f)`, a signal's
 * `filter(kernel)`) tests truth rewritten already, and may use the number: it gets the
 * callbacks as they are.
 */
export function callPredicates(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn !== 'function') throw new TypeError(`${typeof fn} is not a function`); // (as the call itself would throw)
  if (!wasRewritten(fn)) wrapCallback(args, BUILTIN_PREDICATES.has(fn));
  return Reflect.apply(fn, receiver, args);
}

/**
 * Wraps the callback among a predicate's arguments: the first function (`xs.every(f, thisArg)`,
 * or a library's `filter(xs, f)`). What follows it is left as it is: a function given as
 * `thisArg` is the callback's `this` (wrapped, `this.res` was undefined in f). A built-in
 * only calls it; a library's method of such a name may look at it first (typed-function's
 * `typed.find(add, ['number', 'number'])`, which mathjs's `multiply` calls, reads the
 * signatures `add` carries), so a library's gets {@link transparentPredicate}.
 */
function wrapCallback(args: unknown[], builtin: boolean): void {
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] === 'function') {
      args[i] = builtin ? predicate(args[i]) : transparentPredicate(args[i] as Function);
      return;
    }
  }
}

const transparentPredicates = new WeakMap<Function, Function>();

/**
 * {@link predicate} as a Proxy of `f`: called, a traced result becomes its truth value; its
 * properties, `in`, keys, `new` and `instanceof` are f's. One Proxy per function, so two
 * calls pass the same value.
 */
function transparentPredicate(f: Function): unknown {
  if (f === builtinBoolean) return booleanOf;
  let wrapped = transparentPredicates.get(f);
  if (wrapped === undefined) {
    wrapped = new Proxy(f, {
      apply(target, receiver, args: unknown[]): unknown {
        const result: unknown = Reflect.apply(target, receiver, args);
        return isTraced(result) ? truthOf(result) : result;
      },
    });
    transparentPredicates.set(f, wrapped);
  }
  return wrapped;
}

/**
 * The built-in methods that test a callback's result for truth: Array's, every typed array's,
 * and the iterator helpers' (Node 22 and later: `it[k]((v) => v)` or `Iterator.prototype.filter.apply`
 * kept a traced 0 without them).
 */
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype) as Record<string, unknown>;
const IteratorProto = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as Record<string, unknown>;
const BUILTIN_PREDICATES: ReadonlySet<unknown> = new Set(
  ['filter', 'find', 'findIndex', 'findLast', 'findLastIndex', 'some', 'every'].flatMap((m) => [(Array.prototype as unknown as Record<string, unknown>)[m], TypedArrayProto[m], IteratorProto[m]]).filter((f) => typeof f === 'function'),
);

/** The built-in sorts, whose comparator's result is converted natively. */
const BUILTIN_SORTS: ReadonlySet<unknown> = new Set(
  ['sort', 'toSorted'].flatMap((m) => [(Array.prototype as unknown as Record<string, unknown>)[m], TypedArrayProto[m]]).filter((f) => typeof f === 'function'),
);

/**
 * The arguments `apply` gives `fn` (`[].filter.apply(xs, [f])`, `Reflect.apply(Array.prototype.some,
 * xs, [f])`: lib/transform/rewrite-builtins.ts): for a built-in predicate method while a
 * differentiation runs, a copy whose callback answers with its truth, as `xs.filter(f)`'s does
 * (`callPredicates`); otherwise `args` as they are.
 */
export function predicateArguments(fn: unknown, args: unknown): unknown {
  if (!BUILTIN_PREDICATES.has(fn) || !isDeriving() || typeof args !== 'object' || args === null) return args;
  const list = Array.prototype.slice.call(args) as unknown[];
  wrapCallback(list, true);
  return list;
}

/**
 * `E.filter.bind(r, …)` in rewritten code (`const keep = xs.filter.bind(xs)`): how a call of a
 * built-in predicate method bound so goes while a differentiation runs (rules/builtins.ts's
 * `bindOn`): its callback answering with its truth, as `xs.filter(f)`'s does (a traced 0
 * passed the built-in's test: `keep((v) => v)` kept a zero); undefined for another method.
 */
export function boundPredicate(fn: unknown): ((receiver: unknown, args: unknown[]) => unknown) | undefined {
  if (!BUILTIN_PREDICATES.has(fn)) return undefined;
  return (receiver, args) => Reflect.apply(fn as Function, receiver, predicateArguments(fn, args) as unknown[]);
}

/**
 * `f(xs, cb)` of a function imported from a package under a predicate method's name
 * (`filter`, `find`, `some` …: rewrite-imports.ts), as `callPredicates` decides: the
 * callbacks answer with their truth only for a package that was not rewritten; a package
 * rewritten too (ZYGOTE_INCLUDE) may use their numbers (a bisection's `find(x => x * x - a)`).
 */
export function callImportedPredicates(receiver: unknown, fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn === 'function' && !wasRewritten(fn)) wrapCallback(args, false);
  return callImported(receiver, fn, ...args);
}

// ---- typeof, switch ---------------------------------------------------------------------
export function typeOf(x: unknown): string {
  if (!isTraced(x)) return typeof refuseForeignTraced(x);
  // (one holding a number field's instance is that object: plain code took the other branch)
  return typeof x.tracedValue === 'number' || fieldInside(x) === undefined ? 'number' : 'object';
}

/**
 * What `return value` in a function called with `new` gives (lib/transform/rewrite-this.ts):
 * the instance `self` where the value is a number (a traced one is an object to `new`), else the value.
 */
export function constructed(value: unknown, self: unknown): unknown {
  return isTraced(value) && typeOf(value) === 'number' ? self : value;
}

/**
 * What `return value` in an object's `valueOf` or `Symbol.toPrimitive` gives (lib/transform/
 * rewrite-conversions.ts). A traced number is an object to JavaScript, which then tries
 * `toString` (`'abcd'.charAt(o)` read "[object Object]" as 0: 'a' where plain JavaScript gives
 * 'c'), or throws: a built-in or code that was not rewritten converting the object gets the
 * number (reported where that loses a derivative); the runtime's conversion and rewritten code
 * calling the method by name get the traced number.
 */
export function conversionResult(value: unknown, exotic?: true): unknown {
  if ((!isTraced(value) && !isSymbolic(value)) || runtimeAsksPrimitive()) return value;
  if (isTraced(value) && typeOf(value) !== 'number') return value;
  const caller = conversionCaller(conversionResult);
  if (isSymbolic(value)) return caller.kind === 'rewritten' ? value : value.pin(); // (compileGradient: the path depends on the number)
  const traced = value as Traced;
  if (caller.kind === 'rewritten') {
    // Rewritten code's own operators ask through the runtime: a `Symbol.toPrimitive` called from
    // its code without it is a template's `${o}` or a key's `a[o]` (natively, hint 'string'),
    // which takes the number's text (noted as a traced number's text is). A `valueOf` is called
    // so by name, `o.valueOf()`: the program's choice, which keeps the traced number.
    return exotic === true ? traced[Symbol.toPrimitive]('string') : value;
  }
  if (caller.kind === 'lost' && traced.tracedTape.active) reportEscape(traced, `an object's valueOf or Symbol.toPrimitive returning it to ${caller.where || 'code that converts it natively'}`);
  return primal(traced);
}

/**
 * `typeof g` for a global name `g`: the type of the global object's property `g` (found
 * along its prototype chain by descriptor, and read once: a getter runs once, as `typeof g`
 * runs it), or undefined when it has none — then `g` is undeclared or a global `let`, and
 * the rewritten code's own `typeof g` answers.
 */
export function typeOfGlobal(global: object, name: string): string | undefined {
  for (let o: object | null = global; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (d !== undefined) return typeOf('value' in d ? d.value : d.get?.call(global));
  }
  return undefined;
}

/**
 * `typeof p` for a name inside `with` that the file does not declare (the object's property,
 * a global, or nothing): `read` reads the name once, as `typeof p` does (a getter runs once);
 * where that throws (no such name, a name in its temporal dead zone, a getter that throws:
 * the error may be another realm's), the native `typeof p` answers, or throws as it does.
 */
export function typeOfRead(read: () => unknown, typeofNative: () => string): string {
  let value: unknown;
  try {
    value = read();
  } catch {
    return typeofNative();
  }
  return typeOf(value);
}

/** `switch` compares with `===`: a traced discriminant or case compares by its number, a stand-in as its original. */
export function key(x: unknown): unknown {
  // (`case Math.sin:` matches the built-in reached by reflection: rules/like-builtin.ts)
  return isIdentity(x) ? originalOf(builtinBehind(x)) : unwrap(x);
}

/**
 * A `case` test that is not a constant written in the source (`case cachedT:`), given the
 * discriminant as it was before {@link key}: a match between a traced number and a stored plain
 * one is noted as `t === cachedT` notes it (a cache keyed by value, hit while differentiating).
 */
export function caseKeyStored(discriminant: unknown, test: unknown): unknown {
  seqStored(discriminant, test);
  return key(test);
}

// ---- Number and the number predicates -----------------------------------------------------
const isNumberLike = (x: unknown): x is number | Traced => typeof x === 'number' || isTraced(x);

// (the built-ins as the platform made them: a program may replace the globals, and rewritten
// code then calls the replacement, rules/as-installed.ts; these must not)
const builtinIsNaN = isNaN;
const builtinIsFinite = isFinite;
const { isNaN: builtinNumberIsNaN, isFinite: builtinNumberIsFinite, isInteger: builtinIsInteger, isSafeInteger: builtinIsSafeInteger } = Number;

/** `isNaN`, `isFinite` in rewritten code: a traced number answers as its value (an object converting to one, too). */
export const differentiableIsNaN = { isNaN: (x: unknown): boolean => builtinIsNaN(unwrap(toNumber(x)) as number) }.isNaN;
export const differentiableIsFinite = { isFinite: (x: unknown): boolean => builtinIsFinite(unwrap(toNumber(x)) as number) }.isFinite;

/** `Number.isNaN`, `Number.isFinite`, … in rewritten code: a traced number is a number to them. */
export const numberPredicates = Object.freeze({
  isNaN: (x: unknown): boolean => isNumberLike(x) && builtinNumberIsNaN(unwrap(x)),
  isFinite: (x: unknown): boolean => isNumberLike(x) && builtinNumberIsFinite(unwrap(x)),
  isInteger: (x: unknown): boolean => isNumberLike(x) && builtinIsInteger(unwrap(x)),
  isSafeInteger: (x: unknown): boolean => isNumberLike(x) && builtinIsSafeInteger(unwrap(x)),
});

/**
 * `Number(x)` in rewritten code (the global `Number` itself is never replaced, only its
 * calls): a traced number is a number already and stays itself, its derivative with it;
 * anything else is `Number`'s.
 */
export const tracedNumber = {
  Number(...args: unknown[]): unknown {
    if (args.length === 0) return 0;
    const p = toPrimitive(args[0], 'number'); // (an object may convert to a traced number)
    // (one of a finished differentiation, which a closure or a callback f scheduled kept, is
    // a constant: Number makes it the number, as it makes any value one)
    if (isTraced(p)) return toNumber(live(p)); // (a field's instance as its number)
    const n = Number(p);
    return typeof p === 'string' ? readBack(p, n, true) : n; // (text a traced number wrote)
  },
}.Number;
