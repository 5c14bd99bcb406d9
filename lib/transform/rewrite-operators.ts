/**
 * Arithmetic, bitwise, comparison and unary operators become runtime calls:
 * `a * b` → `__zy.mul(a, b)`, `-x` → `__zy.neg(x)`, `typeof x` →
 * `__zy.typeOf(x)`. Constant folding is left alone: a binary operation on two
 * numeric literals, and `-`/`+` on a numeric literal, stay native. Strict
 * (in)equality against a literal that can never be a number (`x === "a"`,
 * `typeof x === "number"`, `x === null`), loose equality against
 * `null`/`void 0`, and `typeof x == "number"` stay native too: they are exact on
 * traced values and keep type-test code fast. `typeof x` compared with a string
 * other than "number" and "object" stays native as well.
 */
import type * as acorn from 'acorn';
import type { RewriteContext, Rewriter } from './context.js';
import { group, parentOf, runtime } from './context.js';
import { isConstantNumber, isNonNumericConstant, isNumericLiteral, type Node } from './ast.js';
import { isBooleanTest } from './rewrite-truthiness.js';
import { eitherCopy } from './two-bodies.js';

export const BINARY_METHODS: Readonly<Record<string, string>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '**': 'pow',
  '|': 'bor', '&': 'band', '^': 'bxor', '<<': 'shl', '>>': 'shr', '>>>': 'ushr',
  '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge',
  '==': 'eq', '!=': 'ne', '===': 'seq', '!==': 'sne',
};

/**
 * The runtime's method for `node`'s operator. An equality where neither side is a number
 * written in the source (`theta !== cachedTheta`, not `x === 0`) calls the `Stored` form,
 * which notes an equality that held between a traced number and a plain one: a cache keyed by
 * value cuts the result off from x, and the API says so when it did (lib/coercion.ts).
 */
export function binaryMethod(node: acorn.BinaryExpression, ctx: RewriteContext): string {
  const method = BINARY_METHODS[node.operator]!;
  if (!EQUALITY.has(node.operator) || isWrittenConstant(node.left, ctx) || isWrittenConstant(node.right, ctx)) return method;
  return `${method}Stored`;
}

/** A constant written in the source: `2`, `-0`, `"2"`, the global `NaN` or `Infinity`. */
export function isWrittenConstant(node: acorn.AnyNode, ctx: RewriteContext): boolean {
  if (isConstantNumber(node as Node) || node.type === 'Literal' || isStringLiteral(node)) return true;
  return node.type === 'Identifier' && (node.name === 'NaN' || node.name === 'Infinity') && isGlobalName(node, ctx) && !ctx.scope.withRefs.has(node);
}

function isStringLiteral(node: acorn.AnyNode): boolean {
  return (node.type === 'Literal' && typeof node.value === 'string') || (node.type === 'TemplateLiteral' && node.expressions.length === 0);
}

/** `typeof x == "string"`: two strings, compared exactly natively (loose or strict). */
function isTypeofTest(a: acorn.AnyNode, b: acorn.AnyNode): boolean {
  return a.type === 'UnaryExpression' && a.operator === 'typeof' && isStringLiteral(b);
}

export const rewriteBinary: Rewriter = {
  name: 'binary',
  types: ['BinaryExpression'],
  test(node, ctx) {
    if (node.type !== 'BinaryExpression' || !(node.operator in BINARY_METHODS)) return false;
    const { left, right, operator } = node;
    if (left.type === 'PrivateIdentifier') return false;
    if (isConstantNumber(left) && isConstantNumber(right)) return false;
    if (isStringLiteral(left) && isStringLiteral(right)) return false;
    // (`x === undefined`: no traced number or stand-in equals undefined, loosely or strictly)
    if (EQUALITY.has(operator) && (isGlobalUndefined(left, ctx) || isGlobalUndefined(right, ctx))) return false;
    if (operator === '===' || operator === '!==') return !isNonNumericConstant(left, false) && !isNonNumericConstant(right, false);
    if (isTypeofTest(left, right) || isTypeofTest(right, left)) return false;
    if (operator === '==' || operator === '!=') return !isNonNumericConstant(left, true) && !isNonNumericConstant(right, true);
    return true;
  },
  rewrite(node, ctx) {
    if (node.type !== 'BinaryExpression') return;
    const method = binaryMethod(node, ctx);
    ctx.ed.prefix(node.start, `${runtime(method)}(`);
    ctx.ed.replaceToken(node.left.end, node.right.start, node.operator, ',');
    ctx.ed.suffix(node.end, ')');
  },
};

/**
 * `a instanceof C` → `(0, __zy.instanceOf)(a, C)`: a traced number is an object natively, so
 * `x instanceof Object` would be true where the number's is false. A plain copy
 * (two-bodies.ts) keeps the operator: no traced number reaches it.
 */
export const rewriteInstanceof: Rewriter = {
  name: 'instanceof',
  types: ['BinaryExpression'],
  test: (node) => node.type === 'BinaryExpression' && node.operator === 'instanceof',
  rewrite(node, ctx) {
    if (node.type !== 'BinaryExpression') return;
    const either = (traced: string, plain: string) => eitherCopy(traced, plain, ctx.options.twoBodies);
    ctx.ed.prefix(node.start, either(`${runtime('instanceOf')}(`, ''));
    ctx.ed.replaceToken(node.left.end, node.right.start, 'instanceof', either(',', 'instanceof'));
    ctx.ed.suffix(node.end, either(')', ''));
  },
};

const UNARY_METHODS: Readonly<Record<string, string>> = { '-': 'neg', '+': 'pos', '~': 'bnot' };

export const rewriteUnaryNumeric: Rewriter = {
  name: 'unary-numeric',
  types: ['UnaryExpression'],
  test: (node) => node.type === 'UnaryExpression' && node.operator in UNARY_METHODS && !isNumericLiteral(node.argument),
  rewrite(node, ctx) {
    if (node.type !== 'UnaryExpression') return;
    ctx.ed.replaceToken(node.start, node.argument.start, node.operator, `${runtime(UNARY_METHODS[node.operator]!)}(`);
    ctx.ed.suffix(node.end, ')');
  },
};

/** `!x` → `!__zy.truthy(x)` (a traced number is an object, always truthy natively). */
export const rewriteNot: Rewriter = {
  name: 'not',
  types: ['UnaryExpression'],
  test: (node) => node.type === 'UnaryExpression' && node.operator === '!' && !isBooleanTest(node.argument),
  rewrite(node, ctx) {
    if (node.type !== 'UnaryExpression') return;
    ctx.ed.replaceToken(node.start, node.argument.start, '!', `!${runtime('truthy')}(`);
    ctx.ed.suffix(node.end, ')');
  },
};

/**
 * Whether the result of `typeof x` can tell a traced number from a plain one: not when
 * it is only compared with a string other than "number" and "object" (`typeof x ===
 * "undefined"`, the common global test), which is true of neither. Anywhere else the
 * runtime answers.
 */
export function typeofObservesNumbers(node: Node, ctx: RewriteContext): boolean {
  const parent = parentOf(ctx);
  if (!parent || parent.type !== 'BinaryExpression' || !EQUALITY.has(parent.operator)) return true;
  const other = parent.left === node ? parent.right : parent.left;
  const text = other.type === 'Literal' ? other.value : other.type === 'TemplateLiteral' && other.expressions.length === 0 ? other.quasis[0]!.value.cooked : null;
  return typeof text !== 'string' || text === 'number' || text === 'object';
}

const EQUALITY: ReadonlySet<string> = new Set(['==', '!=', '===', '!==']);

/** `undefined`, the global's (a read-only property): not a local of that name, nor inside `with`. */
function isGlobalUndefined(node: acorn.AnyNode, ctx: RewriteContext): boolean {
  return node.type === 'Identifier' && node.name === 'undefined' && !ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node);
}

/** A name that resolves to no declaration in the file: a global, possibly undeclared or an accessor. */
function isGlobalName(node: Node, ctx: RewriteContext): node is acorn.Identifier {
  return node.type === 'Identifier' && !ctx.scope.isDeclared(node);
}

/** Whether `globalThis` names the global object throughout the file (never declared or assigned in it). */
function globalObjectReachable(ctx: RewriteContext): boolean {
  return !ctx.scope.boundNames.has('globalThis') && !ctx.scope.assignedNames.has('globalThis');
}

/**
 * `typeof x` → `__zy.typeOf(x)`, where the result may tell a traced number from a plain
 * one (see {@link typeofObservesNumbers}). A global name `g` may be undeclared (where
 * `typeof` must not throw) or an accessor (read once, as `typeof` reads it):
 * `(__zy.typeOfGlobal(globalThis, "g") ?? typeof g)` — the runtime reads the global
 * object's property once if there is one; otherwise (no such name, or a global `let`)
 * the native `typeof` answers. Where `globalThis` is a local name, a global name's `typeof`
 * stays native. In code a direct `eval` runs, a name it does not declare may be the caller's
 * local, and inside `with` a property of the object (`with (o) typeof p`, o.p traced: it
 * stayed native, 'object', and the branch for numbers was not taken, silently), either an
 * accessor, read once: `__zy.typeOfRead(() => x, () => typeof x)` (the native `typeof` answers
 * where reading throws: an undeclared name). (The form in eval code was `typeof x ===
 * "object" ? __zy.typeOf(x) : typeof x`, which ran a global getter two or three times.)
 */
export const rewriteTypeof: Rewriter = {
  name: 'typeof',
  types: ['UnaryExpression'],
  test(node, ctx) {
    if (node.type !== 'UnaryExpression' || node.operator !== 'typeof' || !typeofObservesNumbers(node, ctx)) return false;
    if (!isGlobalName(node.argument, ctx)) return true;
    return ctx.scope.withRefs.has(node.argument) || globalObjectReachable(ctx);
  },
  rewrite(node, ctx) {
    if (node.type !== 'UnaryExpression') return;
    const arg = node.argument;
    if (isGlobalName(arg, ctx) && (ctx.scope.withRefs.has(arg) || ctx.options.freeNamesMayBeLocal)) {
      const x = arg.name;
      ctx.ed.replace(node, `${runtime('typeOfRead')}(() => ${x}, () => typeof ${x})`);
      return;
    }
    if (isGlobalName(arg, ctx)) {
      const x = arg.name;
      ctx.ed.replace(node, group(node, ctx, `${runtime('typeOfGlobal')}(globalThis, ${JSON.stringify(x)}) ?? typeof ${x}`));
      return;
    }
    ctx.ed.replaceToken(node.start, arg.start, 'typeof', `${runtime('typeOf')}(`);
    ctx.ed.suffix(node.end, ')');
  },
};
