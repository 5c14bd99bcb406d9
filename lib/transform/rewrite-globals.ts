/**
 * The globals whose answer differs for a traced number: `Math`'s functions, `Number(x)`,
 * the number predicates and `Function(…)` (whose body is code to rewrite). The objects
 * `Math`, `Number` and `Function` are never replaced as values, so code that compares,
 * subclasses, constructs, extends or freezes them meets the real ones
 * (`(1).constructor === Number`, `class F extends Function {}`, strict-mode
 * `Number.MAX_VALUE = 1` throwing, `Math.random = seeded`). What is rewritten:
 *
 * - `Math.sin(x)`, for each of Math's differentiable functions → `(0, __zy.Math.sin)(x)`,
 *   which calls what Math.sin is at that moment (the runtime's version of the built-in, or a
 *   program's replacement); `Math.sin` read as a value (`xs.map(Math.sqrt)`) →
 *   `(0, __zy.builtin)(Math.sin)`, and `Math` destructured (`const { sqrt, pow } = Math`) →
 *   `(0, __zy.builtin)(Math)`: what Math has when it is read, in the runtime's version where
 *   that is the built-in (`Number` destructured → `__zy.Number`); by a literal key too
 *   (`Math['sin']`). `Math.PI`, `Math.random()`, `Math[k]` and stores into `Math` stay as
 *   written.
 * - `isNaN`, `isFinite`, `Number.isNaN`, `Number.isFinite`, `Number.isInteger`,
 *   `Number.isSafeInteger`, read → `__zy.isNaN`, `__zy.Number.isNaN`, …: a traced
 *   number is a number to them. And `parseFloat`, `parseInt`, `Number.parseFloat`,
 *   `Number.parseInt`, read (called or not: `texts.map(parseFloat)`) → `__zy.parseFloat`, …:
 *   text a traced number wrote reads back as that number (rules/text.ts).
 * - `Number(…)` → `__zy.builtin(Number)(…)`, `Function(…)` → `__zy.builtin(Function)(…)`,
 *   `new Function(…)` → `new (__zy.builtin(Function))(…)`, `Boolean(…)` and `new Boolean(…)`
 *   likewise (a traced 0 or NaN is false), and `Object(…)`, `new Object(…)` (a traced number
 *   gives a Number object, as the number does), `Function.apply(…)` →
 *   `__zy.builtin(Function).apply(…)` (numeric.js compiles its loops so; `.call` too):
 *   the callee stays the value the code names; the runtime gives its own version only
 *   for the built-in itself (a traced argument of `Number` is already a number; a
 *   `Function` body is rewritten before it is compiled).
 *
 * - The same through `globalThis.Number` or a `const` bound to `Number` (`const N = Number;
 *   N.isFinite(x)`, `N(text)`, `const { isFinite } = N`), and `Number` given to a method that
 *   calls it (`texts.map(Number)` → `texts.map((0, __zy.builtin)(Number))`). An alias the
 *   source does not fix (a parameter, a property) keeps the built-in's meaning, except that
 *   any `r.isFinite(x)` (`isNaN`, `isInteger`, `isSafeInteger`) goes through `__zy.callGlobal`,
 *   which calls the runtime's version where the function is the built-in.
 *
 * The functions put in place are the runtime's: the same results on every value that is
 * not traced, but another identity than the built-in's (`Math.sin === globalThis.Math.sin`
 * is false in rewritten code) and their own `toString()`. Only names that resolve to no
 * declaration in the file, outside `with`, and are never assigned in the file.
 */
import type * as acorn from 'acorn';
import { memberName, type Node } from './ast.js';
import { patternNames } from './scope.js';
import type { RewriteContext, Rewriter } from './context.js';
import { isWriteTarget, parentOf, replaceGlobalRead, runtime } from './context.js';
import { callThroughRuntime, isMethodCall } from './rewrite-builtins.js';
import { isGivenToCallingMethod } from './rewrite-imports.js';
import { eitherCopy } from './two-bodies.js';

/**
 * Math's functions with a runtime version (all but `random`; `f16round` where the platform has
 * it, Node 24 and later; `sumPrecise` where it has that, Firefox and Safari: elsewhere the runtime's
 * `Math` gives what `Math` holds then, a polyfill's or undefined).
 */
export const MATH_FUNCTIONS: ReadonlySet<string> = new Set([
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'cbrt', 'ceil', 'clz32', 'cos', 'cosh',
  'exp', 'expm1', 'f16round', 'floor', 'fround', 'hypot', 'imul', 'log', 'log10', 'log1p', 'log2', 'max', 'min', 'pow',
  'round', 'sign', 'sin', 'sinh', 'sqrt', 'sumPrecise', 'tan', 'tanh', 'trunc',
]);

const NUMBER_PREDICATES: ReadonlySet<string> = new Set(['isNaN', 'isFinite', 'isInteger', 'isSafeInteger', 'parseFloat', 'parseInt']);
const GLOBAL_PREDICATES: ReadonlySet<string> = new Set(['isNaN', 'isFinite', 'parseFloat', 'parseInt']);
const CONSTRUCTORS_CALLED: ReadonlySet<string> = new Set(['Number', 'Boolean', 'Object', 'Function']);
const CONSTRUCTORS_MADE: ReadonlySet<string> = new Set(['Boolean', 'Object', 'Function']);

/** `node` is the identifier `name` and means the global of that name here. */
export function isGlobalReference(node: Node, name: string, ctx: RewriteContext): node is acorn.Identifier {
  return (
    node.type === 'Identifier' && node.name === name &&
    !ctx.scope.writes.has(node) && !ctx.scope.withRefs.has(node) && !ctx.scope.assignedNames.has(name) &&
    (ctx.scope.freeRefs.has(node) || isGlobalParameter(node, ctx))
  );
}

/**
 * A parameter that an immediately called function is given the global of its own name, and
 * that nothing else in the code declares: jstat writes its modules as
 * `(function (jStat, Math) { … Math.pow(x, a) … }(jStat, Math))`, whose `Math.pow` was
 * refused as Math reached another way. (Never assigned: isGlobalReference asks.)
 */
function isGlobalParameter(node: acorn.Identifier, ctx: RewriteContext): boolean {
  if (ctx.scope.nonParameterNames.has(node.name)) return false;
  const owner = ctx.scope.bindingOwner(node);
  if (owner === null || (owner.type !== 'FunctionExpression' && owner.type !== 'ArrowFunctionExpression')) return false;
  const at = ctx.ancestors.lastIndexOf(owner);
  const call = at > 0 ? ctx.ancestors[at - 1]! : null;
  if (call?.type !== 'CallExpression' || call.callee !== owner || call.optional) return false;
  const k = owner.params.findIndex((p) => p.type === 'Identifier' && p.name === node.name);
  if (k < 0 || owner.params.some((p, i) => i !== k && patternNames(p as Node).some((id) => id.name === node.name))) return false;
  const given = call.arguments.slice(0, k + 1);
  return given.length === k + 1 && given.every((a) => a.type !== 'SpreadElement') && isGlobalReference(given[k] as Node, node.name, ctx);
}

/** The statements a binding owner (scope.ts `bindingOwner`) holds its declarations in. */
function statementsOf(owner: Node): readonly Node[] {
  if (owner.type === 'Program' || owner.type === 'BlockStatement' || owner.type === 'StaticBlock') return owner.body as Node[];
  if ((owner.type === 'FunctionDeclaration' || owner.type === 'FunctionExpression' || owner.type === 'ArrowFunctionExpression') && owner.body.type === 'BlockStatement') return owner.body.body as Node[];
  return [];
}

/**
 * The class the name `id` is declared as (`class R extends Array {}`, also exported) or bound
 * once to (`const R = class extends Array {}`), in the scope that binds it; null otherwise.
 */
export function classBinding(id: Node, ctx: RewriteContext): Node | null {
  if (id.type !== 'Identifier' || ctx.scope.assignedNames.has(id.name) || !ctx.scope.isDeclared(id) || ctx.scope.withRefs.has(id)) return null;
  const owner = ctx.scope.bindingOwner(id);
  if (owner === null) return null;
  const declared = classDeclarationsOf(owner).get(id.name);
  if (declared !== undefined) return declared;
  const bound = constBinding(id, ctx);
  return bound !== null && bound.key === null && bound.init.type === 'ClassExpression' ? bound.init : null;
}

/** Each binding owner's class declarations by name, listed once (as its `const` bindings are). */
const classDeclarations = new WeakMap<Node, Map<string, Node>>();

function classDeclarationsOf(owner: Node): Map<string, Node> {
  let classes = classDeclarations.get(owner);
  if (classes !== undefined) return classes;
  classDeclarations.set(owner, (classes = new Map()));
  for (const statement of statementsOf(owner)) {
    const declaration = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? (statement.declaration as Node | null | undefined) : statement;
    if (declaration?.type === 'ClassDeclaration' && declaration.id !== null && declaration.id !== undefined) classes.set(declaration.id.name, declaration);
  }
  return classes;
}

/**
 * What the name `id` was bound to where the source says so once: `init` of `const id = init`,
 * or `init` and `key` of `const { key: id } = init` (`const { includes } = Array.prototype`);
 * also of a `let` or `var` never assigned after (scope.ts `assignedNames`). Null for any other
 * binding (a parameter, a name that is assigned somewhere, or in `with`).
 */
export function constBinding(id: Node, ctx: RewriteContext): ConstBinding | null {
  if (id.type !== 'Identifier' || ctx.scope.assignedNames.has(id.name) || !ctx.scope.isDeclared(id) || ctx.scope.withRefs.has(id)) return null;
  const owner = ctx.scope.bindingOwner(id);
  return owner === null ? null : (constBindingsOf(owner).get(id.name) ?? null);
}

interface ConstBinding {
  init: Node;
  key: string | null;
}

/** Each binding owner's `const` bindings by name, listed once (a lookup per call would be quadratic in a large module). */
const constBindings = new WeakMap<Node, Map<string, ConstBinding | null>>();

function constBindingsOf(owner: Node): Map<string, ConstBinding | null> {
  let bindings = constBindings.get(owner);
  if (bindings !== undefined) return bindings;
  constBindings.set(owner, (bindings = new Map()));
  for (const statement of statementsOf(owner)) {
    const declaration = statement.type === 'ExportNamedDeclaration' ? (statement.declaration as Node | null | undefined) : statement;
    // (a `let` or `var` too: constBinding asks that the name is never assigned)
    if (declaration?.type !== 'VariableDeclaration') continue;
    for (const d of declaration.declarations) {
      if (d.init === null || d.init === undefined) continue;
      const init = d.init as Node;
      if (d.id.type === 'Identifier') bindings.set(d.id.name, { init, key: null });
      if (d.id.type !== 'ObjectPattern') continue;
      for (const p of d.id.properties) {
        if (p.type !== 'Property' || p.value.type !== 'Identifier') continue;
        const key = p.computed ? null : p.key.type === 'Identifier' ? p.key.name : p.key.type === 'Literal' && typeof p.key.value === 'string' ? p.key.value : null;
        bindings.set(p.value.name, key === null ? null : { init, key });
      }
    }
  }
  return bindings;
}

/** Names of the global object itself. */
const GLOBAL_OBJECTS: readonly string[] = ['globalThis', 'window', 'self', 'global'];

/**
 * Whether `node` is the global `name` reached other than by its name, in the forms the source
 * fixes: through the global object (`globalThis.Number`), or a `const` bound to either
 * (`const N = Number`).
 */
export function isGlobalAlias(node: Node, name: string, ctx: RewriteContext): boolean {
  if (node.type === 'MemberExpression') {
    return !node.optional && memberName(node) === name && GLOBAL_OBJECTS.some((g) => isGlobalReference(node.object as Node, g, ctx));
  }
  const bound = constBinding(node, ctx);
  return bound !== null && bound.key === null && (isGlobalReference(bound.init, name, ctx) || (bound.init.type === 'MemberExpression' && isGlobalAlias(bound.init, name, ctx)));
}

/** `Object.name` (or `Object['name']`) on the global `Object`, with `name` in `names`. */
function isGlobalMember(node: Node, object: string, names: ReadonlySet<string>, ctx: RewriteContext): node is acorn.MemberExpression {
  return (
    node.type === 'MemberExpression' && names.has(memberName(node) ?? '') && isGlobalReference(node.object as Node, object, ctx)
  );
}

/**
 * `Math.sin` and the like, on the global `Math` or on a name the source binds once to it
 * (`const M = Math; M.sin(x)`, which minified and hand-tuned code write) or `globalThis.Math`.
 * Those two kept the built-in, and a traced number given to it stopped the gradient.
 */
export function isGlobalMathFunction(node: Node, ctx: RewriteContext): node is acorn.MemberExpression {
  return isGlobalMember(node, 'Math', MATH_FUNCTIONS, ctx) || isMathFunctionOfAlias(node, ctx);
}

/** `M.sin` with `M` bound once to the global `Math` (or `globalThis.Math.sin`). */
function isMathFunctionOfAlias(node: Node, ctx: RewriteContext): node is acorn.MemberExpression {
  return node.type === 'MemberExpression' && !node.optional && MATH_FUNCTIONS.has(memberName(node) ?? '') && isGlobalAlias(node.object as Node, 'Math', ctx);
}

/**
 * How a call of one of Math's functions (`isGlobalMathFunction`) spells its callee: `plain`,
 * the function as the program reads it (the inline fast path's), and `traced`, the runtime's
 * version, with no receiver. An alias's member is still read first (a `const` before its
 * declaration, a `var` not yet assigned, throw as they did).
 */
export function mathCallee(callee: acorn.MemberExpression, ctx: RewriteContext): { plain: string; traced: string } {
  const name = memberName(callee)!;
  if (isGlobalReference(callee.object as Node, 'Math', ctx)) return { plain: `Math.${name}`, traced: runtime(`Math.${name}`) };
  const object = ctx.ed.original(callee.object as Node);
  return { plain: `${object}.${name}`, traced: `(${object}.${name}, __zy.Math.${name})` };
}

/** Whether a member is read here (not stored into, updated, deleted or destructured into). */
function isRead(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  return !isWriteTarget(node, ctx) && !(parent?.type === 'UnaryExpression' && parent.operator === 'delete');
}

/** Whether `node` is called here (`f(x)`, `f?.(x)`): then the runtime's function is called without a receiver. */
function isCallee(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  return parent?.type === 'CallExpression' && parent.callee === node;
}

/**
 * `Number.isFinite` and its kin reached through `globalThis.Number` or a `const N = Number`:
 * the built-in answered false for a traced number (`N.isFinite(x)`), silently.
 */
function isNumberPredicateOfAlias(node: Node, ctx: RewriteContext): node is acorn.MemberExpression {
  return node.type === 'MemberExpression' && !node.optional && NUMBER_PREDICATES.has(memberName(node) ?? '') && isGlobalAlias(node.object as Node, 'Number', ctx);
}

/** `Math.sin` → `__zy.Math.sin`, `Math.sin(x)` → `(0, __zy.Math.sin)(x)`; `Number.isNaN` likewise, also through an alias of `Number` (read, not written). */
export const rewriteGlobalFunctions: Rewriter = {
  name: 'global-functions',
  types: ['MemberExpression'],
  test: (node, ctx) =>
    (isGlobalMathFunction(node, ctx) || isGlobalMember(node, 'Number', NUMBER_PREDICATES, ctx) || isNumberPredicateOfAlias(node, ctx)) && isRead(node, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'MemberExpression') return;
    const object = isGlobalMathFunction(node, ctx) ? 'Math' : 'Number';
    // (`Math['sin']` is `Math.sin`: a literal key is the same function)
    const name = `${object}.${memberName(node)!}`;
    if (isCallee(node, ctx)) ctx.ed.replace(node, object === 'Math' ? mathCallee(node, ctx).traced : runtime(name));
    // (read as a value: the function the global has now, in the runtime's version if it is the
    // built-in; a wrapper the program puts in its place that calls it then calls it, not itself)
    else ctx.ed.replace(node, `(${runtime('builtin')}(${ctx.ed.original(node)}))`);
  },
};

/**
 * `Math[k]` (or `M[k]`, `M` bound once to Math) read as a value → `__zy.builtin(Math[k])`: the
 * runtime's version where it is one of Math's built-ins, as `Math.sin` read is. Left as it was, it
 * was another function than `Math.sin` read by name (`Math[name] === Math.abs` false, a table
 * keyed by `Math.sin` missed it), and a traced number given to it stopped the derivative. (Called,
 * `Math[k](x)` keeps Math as its receiver: the call is the runtime's, rewrite-builtins.ts.)
 */
export const rewriteMathComputedRead: Rewriter = {
  name: 'math-computed-read',
  types: ['MemberExpression'],
  test: (node, ctx) => {
    if (node.type !== 'MemberExpression' || !node.computed || node.optional || memberName(node) !== null) return false;
    const object = node.object as Node;
    if (!isGlobalReference(object, 'Math', ctx) && !isGlobalAlias(object, 'Math', ctx)) return false;
    const parent = parentOf(ctx);
    return isRead(node, ctx) && !isCallee(node, ctx) && !(parent?.type === 'UnaryExpression' && parent.operator === 'typeof');
  },
  rewrite(node, ctx) {
    ctx.ed.wrap(node, `(${runtime('builtin')}(`, '))');
  },
};

/** `isNaN`, `isFinite`, `parseFloat`, `parseInt` (read) → `__zy.isNaN`, `(0, __zy.isNaN)(x)`; `{ isNaN }` → `{ isNaN: __zy.isNaN }`. */
export const rewriteGlobalPredicates: Rewriter = {
  name: 'global-predicates',
  types: ['Identifier'],
  test: (node, ctx) => node.type === 'Identifier' && GLOBAL_PREDICATES.has(node.name) && isGlobalReference(node, node.name, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'Identifier') return;
    // (read as a value: what the global holds now, as `Math.sin` read: rewriteGlobalFunctions)
    replaceGlobalRead(node, node.name, isCallee(node, ctx) ? runtime(node.name) : `(${runtime('builtin')}(${node.name}))`, ctx);
  },
};

/**
 * The globals a program takes apart whose functions the runtime has versions of, and what the
 * runtime hands instead. `const { is } = Object; is(x, 2)` and `const { parse, stringify } = JSON`
 * took the built-ins: `is` compared a traced 2 by identity (false: the gradient 1 where it is 10),
 * and a text round trip lost the derivative, with no word.
 */
const TAKEN_APART: Readonly<Record<string, string>> = { Math: 'builtin', Number: 'numberNow', Object: 'objectNow', JSON: 'jsonNow' };

/** `const { sqrt } = Math`, `({ sqrt } = Math)`, `({ sqrt } = Math) => …` → `… = __zy.Math`; `const { isFinite } = Number` (and Object's, JSON's) likewise (also of `globalThis.Number`, `const N = Number`). */
export const rewriteMathDestructured: Rewriter = {
  name: 'math-destructured',
  types: ['Identifier', 'MemberExpression'],
  test: (node, ctx) => takenApartGlobal(node, ctx) !== null,
  rewrite(node, ctx) {
    const name = takenApartGlobal(node, ctx);
    if (name === null) return;
    // (Number, Object, JSON taken apart: their functions as they are now, in the runtime's versions where they are the built-ins)
    ctx.ed.replace(node, name === 'Math' ? `${runtime('builtin')}(${ctx.ed.original(node)})` : `${runtime(TAKEN_APART[name]!)}()`);
  },
};

/** The global of {@link TAKEN_APART} that `node` is, where a pattern takes it apart, or null. */
function takenApartGlobal(node: Node, ctx: RewriteContext): string | null {
  const parent = parentOf(ctx);
  // (also a pattern's default: `(x, { sin } = Math) => sin(x)`, `const { m: { cos } = Math } = o`)
  const destructured =
    parent?.type === 'VariableDeclarator'
      ? parent.init === node && parent.id.type === 'ObjectPattern'
      : (parent?.type === 'AssignmentExpression' || parent?.type === 'AssignmentPattern') && parent.right === node && parent.left.type === 'ObjectPattern';
  if (!destructured) return null;
  return Object.keys(TAKEN_APART).find((name) => isGlobalReference(node, name, ctx) || isGlobalAlias(node, name, ctx)) ?? null;
}

/** The global `Number`, `Boolean`, `Object` or `Function` called (`Number(x)`, `Function.apply(null, a)`), or one of the last three constructed: that name's node. */
function calledBuiltin(node: Node, ctx: RewriteContext): Node | null {
  if (node.type === 'NewExpression') {
    const callee = node.callee;
    return callee.type === 'Identifier' && CONSTRUCTORS_MADE.has(callee.name) && isGlobalReference(callee, callee.name, ctx) ? callee : null;
  }
  if (node.type !== 'CallExpression' || node.optional) return null;
  const callee = node.callee;
  if (callee.type === 'Identifier') {
    if (CONSTRUCTORS_CALLED.has(callee.name) && isGlobalReference(callee, callee.name, ctx)) return callee;
    // (`const N = Number; N(text)`: the runtime looks at the value the name holds)
    return isGlobalAlias(callee, 'Number', ctx) ? callee : null;
  }
  const viaMethod = isGlobalMember(callee, 'Function', FUNCTION_METHODS, ctx) && !callee.optional;
  return viaMethod ? (callee as acorn.MemberExpression).object : null;
}

const FUNCTION_METHODS: ReadonlySet<string> = new Set(['apply', 'call']);

/** What is called through the global object with the runtime's version where it is the built-in. */
const CALLED_ON_GLOBAL: ReadonlySet<string> = new Set(['parseFloat', 'parseInt', 'isNaN', 'isFinite', 'Number']);

/** `globalThis.parseFloat(…)` (or through `window`, `self`, `global`) with one of those names. */
function isGlobalObjectCall(node: Node, ctx: RewriteContext): node is acorn.CallExpression & { callee: acorn.MemberExpression } {
  if (node.type !== 'CallExpression' || node.optional) return false;
  const callee = node.callee;
  return (
    callee.type === 'MemberExpression' && !callee.optional && CALLED_ON_GLOBAL.has(memberName(callee) ?? '') && GLOBAL_OBJECTS.some((g) => isGlobalReference(callee.object as Node, g, ctx))
  );
}

/**
 * `globalThis.parseFloat(s)` → `(0, __zy.callGlobal)(globalThis, globalThis.parseFloat, s)` in
 * the copy that runs while tracing: the function read as written, and called as the runtime's
 * version where it is the built-in (`__zy.builtin`), with the same receiver. The built-in
 * itself read text a traced number wrote as a plain number: the derivative was lost, silently.
 */
export const rewriteGlobalObjectCalls: Rewriter = {
  name: 'global-object-calls',
  types: ['CallExpression'],
  test: isGlobalObjectCall,
  rewrite(node, ctx) {
    if (node.type === 'CallExpression') callThroughRuntime(node, 'callGlobal', ctx);
  },
};

/** `Number(…)` → `__zy.builtin(Number)(…)`, `new Function(…)` → `new (__zy.builtin(Function))(…)`, `Boolean` likewise (see the file header). */
export const rewriteBuiltinCalls: Rewriter = {
  name: 'builtin-calls',
  types: ['CallExpression', 'NewExpression'],
  test: (node, ctx) => calledBuiltin(node, ctx) !== null,
  rewrite(node, ctx) {
    const name = calledBuiltin(node, ctx);
    if (name === null) return;
    if (node.type === 'NewExpression') ctx.ed.wrap(name, `(${runtime('builtin')}(`, '))');
    else ctx.ed.wrap(name, `${runtime('builtin')}(`, ')');
  },
};

/** The built-ins {@link rewriteNumberCallback} hands on as the runtime's versions. */
const CALLBACK_BUILTINS: readonly string[] = ['Number', 'Boolean'];

/**
 * `Number` given as a value to a method that calls what it is given (`texts.map(Number)`,
 * also `globalThis.Number` or a `const` bound to it): the built-in read text a traced
 * number wrote as a plain number, losing the derivative with no report, where `Number(t)`
 * called in rewritten code keeps it. `Boolean` likewise (`flags = xs.map(Boolean)`): the
 * built-in took a traced 0 or NaN, an object, for true. The runtime's version goes there instead, as an
 * imported function given so is checked (rewrite-imports.ts; only to such a method: given
 * to another function, `Number` may be kept and compared). A plain copy keeps it as written.
 *
 *   texts.map(Number)  →  texts.map((0, __zy.builtin)(Number))
 */
export const rewriteNumberCallback: Rewriter = {
  name: 'number-callback',
  types: ['Identifier', 'MemberExpression'],
  test(node, ctx) {
    return isGivenToCallingMethod(node, ctx) && CALLBACK_BUILTINS.some((name) => isGlobalReference(node, name, ctx) || isGlobalAlias(node, name, ctx));
  },
  rewrite(node, ctx) {
    ctx.ed.wrap(node, eitherCopy(`${runtime('builtin')}(`, '', ctx.options.twoBodies), eitherCopy(')', '', ctx.options.twoBodies));
  },
};

/**
 * Globals whose calls inside `with` go through the runtime (see rewriteGlobalCallInWith): the
 * functions of these objects, and these functions called by their names. Their runtime
 * versions ignore `this`; a built-in that reads it (`Array.from` on a subclass) is not here.
 */
const WITH_GLOBAL_METHODS: Readonly<Record<string, ReadonlySet<string>>> = {
  Math: MATH_FUNCTIONS,
  JSON: new Set(['parse', 'stringify']),
  Object: new Set(['is', 'getPrototypeOf', 'isFrozen', 'isSealed', 'isExtensible']),
  Number: new Set(['parseFloat', 'parseInt']),
};
const WITH_GLOBAL_FUNCTIONS: ReadonlySet<string> = new Set(['parseFloat', 'parseInt', 'isNaN', 'isFinite', 'Number', 'Boolean', 'Object', 'structuredClone']);

/**
 * A call of a global inside `with (o)`, where the name may be a property of `o` and so is not
 * rewritten as the global's: `Math.sin(x)`, `JSON.parse(t)`, `Object.getPrototypeOf(x)`,
 * `parseFloat(t)`, `Boolean(x)`. The call goes through the runtime, which calls its own
 * version where the function read is the built-in (o's own otherwise). The built-ins took a
 * traced number for an object: `Boolean(p)` of a traced 0 was true, a text or JSON round trip
 * (`parseFloat(String(p))`) lost the derivative, with no report; Math's kept only the number,
 * and the gradient stopped with an error that asked for the very call the program makes. A
 * plain copy keeps the call as written. (A function of o's own called by such a name is
 * called without o as its `this`.)
 *
 *   with (o) Math.sin(x)   →  with (o) (0, __zy.callGlobal)(t = Math, t.sin, x)
 *   with (o) parseFloat(s) →  with (o) (0, __zy.callGlobal)(void 0, parseFloat, s)
 */
export const rewriteGlobalCallInWith: Rewriter = {
  name: 'global-call-in-with',
  types: ['CallExpression'],
  test(node, ctx) {
    if (node.type !== 'CallExpression' || node.optional) return false;
    const callee = node.callee;
    if (callee.type === 'Identifier') return WITH_GLOBAL_FUNCTIONS.has(callee.name) && ctx.scope.withRefs.has(callee);
    if (callee.type !== 'MemberExpression' || callee.optional || callee.object.type !== 'Identifier') return false;
    const methods = Object.hasOwn(WITH_GLOBAL_METHODS, callee.object.name) ? WITH_GLOBAL_METHODS[callee.object.name] : undefined;
    return methods !== undefined && methods.has(memberName(callee) ?? '') && ctx.scope.withRefs.has(callee.object);
  },
  rewrite(node, ctx) {
    if (node.type === 'CallExpression') callThroughRuntime(node, 'callGlobal', ctx);
  },
};

/** The number predicates' names, as methods of any object. */
const PREDICATE_NAMES: ReadonlySet<string> = new Set(['isNaN', 'isFinite', 'isInteger', 'isSafeInteger']);

/**
 * `r.isFinite(x)` (and `isNaN`, `isInteger`, `isSafeInteger`) on any other object than the
 * ones above, where it may still be the built-in (`o.N.isFinite(x)` with `o.N = Number`, a
 * parameter bound to `Number`, `Number[k]`): the built-in answered false for a traced number
 * (it asks for a number, and converts nothing, so nothing was reported). Called through the
 * runtime, which calls its own version where the function is the built-in, and the function
 * itself otherwise (a library's `isFinite` as it is). A plain copy keeps the call as written.
 *
 *   o.N.isFinite(x)  →  (0, __zy.callGlobal)(t = o.N, t.isFinite, x)
 */
export const rewriteNumberPredicateCall: Rewriter = {
  name: 'number-predicate-call',
  types: ['CallExpression'],
  test(node, ctx) {
    if (!isMethodCall(node, PREDICATE_NAMES)) return false;
    // (`Number.isFinite(x)` and its aliases' calls have the runtime's function as callee already)
    const callee = node.callee as Node;
    return !isGlobalMember(callee, 'Number', NUMBER_PREDICATES, ctx) && !isNumberPredicateOfAlias(callee, ctx);
  },
  rewrite(node, ctx) {
    if (node.type === 'CallExpression') callThroughRuntime(node, 'callGlobal', ctx);
  },
};
