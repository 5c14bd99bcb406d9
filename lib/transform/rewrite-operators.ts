/**
 * Arithmetic, bitwise, comparison and unary operators become runtime calls:
 * `a * b` → `__zy.mul(a, b)`, `-x` → `__zy.neg(x)`, `typeof x` →
 * `__zy.typeOf(x)`. Constant folding is left alone: a binary operation on two
 * numeric literals, and `-`/`+` on a numeric literal, stay native. Strict
 * (in)equality against a literal that can never be a number (`x === "a"`,
 * `typeof x === "number"`, `x === null`) and loose equality against
 * `null`/`void 0` stay native too: they are exact on traced values and keep
 * type-test code fast.
 */
import type * as acorn from 'acorn';
import type { Rewriter } from './context.js';
import { group } from './context.js';
import { isConstantNumber, isNonNumericConstant, isNumericLiteral } from './ast.js';
import { isBooleanTest } from './rewrite-truthiness.js';

export const BINARY_METHODS: Readonly<Record<string, string>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'mod', '**': 'pow',
  '|': 'bor', '&': 'band', '^': 'bxor', '<<': 'shl', '>>': 'shr', '>>>': 'ushr',
  '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge',
  '==': 'eq', '!=': 'ne', '===': 'seq', '!==': 'sne',
};

function isStringLiteral(node: acorn.AnyNode): boolean {
  return (node.type === 'Literal' && typeof node.value === 'string') || (node.type === 'TemplateLiteral' && node.expressions.length === 0);
}

export const rewriteBinary: Rewriter = {
  name: 'binary',
  test(node) {
    if (node.type !== 'BinaryExpression' || !(node.operator in BINARY_METHODS)) return false;
    const { left, right, operator } = node;
    if (left.type === 'PrivateIdentifier') return false;
    if (isConstantNumber(left) && isConstantNumber(right)) return false;
    if (isStringLiteral(left) && isStringLiteral(right)) return false;
    if (operator === '===' || operator === '!==') return !isNonNumericConstant(left, false) && !isNonNumericConstant(right, false);
    if (operator === '==' || operator === '!=') return !isNonNumericConstant(left, true) && !isNonNumericConstant(right, true);
    return true;
  },
  rewrite(node, ctx) {
    if (node.type !== 'BinaryExpression') return;
    const method = BINARY_METHODS[node.operator]!;
    ctx.ed.prefix(node.start, `__zy.${method}(`);
    ctx.ed.replaceToken(node.left.end, node.right.start, node.operator, ',');
    ctx.ed.suffix(node.end, ')');
  },
};

const UNARY_METHODS: Readonly<Record<string, string>> = { '-': 'neg', '+': 'pos', '~': 'bnot' };

export const rewriteUnaryNumeric: Rewriter = {
  name: 'unary-numeric',
  test: (node) => node.type === 'UnaryExpression' && node.operator in UNARY_METHODS && !isNumericLiteral(node.argument),
  rewrite(node, ctx) {
    if (node.type !== 'UnaryExpression') return;
    ctx.ed.replaceToken(node.start, node.argument.start, node.operator, `__zy.${UNARY_METHODS[node.operator]!}(`);
    ctx.ed.suffix(node.end, ')');
  },
};

/** `!x` → `!__zy.truthy(x)` (a traced number is an object, always truthy natively). */
export const rewriteNot: Rewriter = {
  name: 'not',
  test: (node) => node.type === 'UnaryExpression' && node.operator === '!' && !isBooleanTest(node.argument),
  rewrite(node, ctx) {
    if (node.type !== 'UnaryExpression') return;
    ctx.ed.replaceToken(node.start, node.argument.start, '!', '!__zy.truthy(');
    ctx.ed.suffix(node.end, ')');
  },
};

/**
 * `typeof x` → `__zy.typeOf(x)`. A bare identifier that is not declared in the
 * file may be an undeclared global, where `typeof` must not throw: it becomes
 * `(typeof x === "object" ? __zy.typeOf(x) : typeof x)`.
 */
export const rewriteTypeof: Rewriter = {
  name: 'typeof',
  test: (node) => node.type === 'UnaryExpression' && node.operator === 'typeof',
  rewrite(node, ctx) {
    if (node.type !== 'UnaryExpression') return;
    const arg = node.argument;
    const argText = ctx.ed.text(arg);
    if (arg.type === 'Identifier' && !ctx.scope.isDeclared(arg) && argText === arg.name) {
      ctx.ed.replace(node, group(node, ctx, `typeof ${arg.name} === "object" ? __zy.typeOf(${arg.name}) : typeof ${arg.name}`));
      return;
    }
    ctx.ed.replaceToken(node.start, arg.start, 'typeof', '__zy.typeOf(');
    ctx.ed.suffix(node.end, ')');
  },
};
