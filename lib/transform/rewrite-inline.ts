/**
 * Inline fast paths. The runtime's entries (`__zy.mul`, …) test for two plain
 * numbers first, but one shared function serves every site of the program, so
 * V8's type feedback for it is merged across the whole program. Emitting the
 * test at the site instead gives each site its own feedback, and a site that
 * only ever sees numbers compiles to the plain operator:
 *
 * - both operands are names or number literals:
 *   `a * b` → `(typeof a === "number" && typeof b === "number" ? a * b : __zy.mul(a, b))`,
 *   `i + 1` → `(typeof i === "number" ? i + 1 : __zy.add(i, 1))`
 *   (the original `a * b` stays in place, so the source map is exact);
 * - otherwise each operand is evaluated once, left to right, into a
 *   temporary before anything is tested (a right operand that is a name is read
 *   where it stands: nothing runs between):
 *   `f() * g()` → `(__zy$1 = f() , __zy$2 = g(), typeof __zy$1 === "number" && typeof __zy$2 === "number" ? __zy$1 * __zy$2 : __zy.mul(__zy$1, __zy$2))`,
 *   `f() * b` → `(__zy$1 = f(), typeof __zy$1 === "number" && typeof b === "number" ? __zy$1 * b : __zy.mul(__zy$1, b))`;
 * - `x++` → `x = typeof x === "number" ? x + 1 : __zy.inc(x)`; a postfix whose
 *   value is used keeps the native `x++` on numbers;
 * - `x += y` → `x = typeof x === "number" && typeof y === "number" ? x + y : __zy.add(x, y)`;
 * - `-x` → `(typeof x === "number" ? -x : __zy.neg(x))`, and `+x` likewise;
 * - `typeof x` → `(typeof x === "object" ? __zy.typeOf(x) : typeof x)`;
 * - `Math.sin(x)` → `(typeof x === "number" ? Math.sin(x) : __zy.Math.sin(x))`
 *   (calls of the global `Math`'s functions).
 *
 * Inlined: `+ - * / % **`, the bitwise `| & ^ << >> >>>` and `~`, `< <= > >=`,
 * `== != === !==`, unary `-`/`+`, `typeof`, calls of `Math` functions, and
 * `++`/`--` and arithmetic and bitwise compound assignments on declared names.
 * On anything but numbers (strings, BigInt, Dates, `valueOf` objects, traced
 * numbers) the runtime call runs, exactly as without inlining. (Bitwise operators
 * kept their runtime calls until stop 47: a xorshift generator ran 3.2× slower
 * rewritten, on plain numbers.) Truthiness, `switch` and other uses of the
 * globals keep their runtime calls.
 *
 * "Names" are identifiers declared in the file and not inside `with`: reading
 * them has no side effect, so the test may read them again. A free identifier
 * (a global, possibly undeclared or an accessor) is read once into a
 * temporary, so it throws its `ReferenceError` or runs its getter exactly once.
 *
 * Temporaries are only taken where a function, arrow, static block or
 * program declares them: a class field initializer or parameter default that
 * would need one keeps the plain runtime call rather than being wrapped in a
 * closure.
 */
import type * as acorn from 'acorn';
import { isConstantNumber, type Node } from './ast.js';
import type { RewriteContext, Rewriter } from './context.js';
import { fixedName, isStatementExpression, runtime, valueUnused } from './context.js';
import { findToken } from './parse.js';
import { isGlobalMathFunction, isGlobalReference, mathCallee } from './rewrite-globals.js';
import { BINARY_METHODS, binaryMethod, typeofObservesNumbers } from './rewrite-operators.js';

/**
 * Binary operators whose number fast path is inlined. (Equality against a
 * constant that is never a number, `x === "a"`, `x == null`, stays native:
 * such a constant makes the operand `never` below, and `rewriteBinary` leaves
 * the site alone.)
 */
export const INLINE_BINARY: ReadonlySet<string> = new Set([
  '+', '-', '*', '/', '%', '**', '<', '<=', '>', '>=', '==', '!=', '===', '!==',
  '|', '&', '^', '<<', '>>', '>>>',
]);

/** Unary operators whose number fast path is inlined (`-x`, `+x`). */
const INLINE_UNARY: Readonly<Record<string, string>> = { '-': 'neg', '+': 'pos', '~': 'bnot' };

/** Compound assignments inlined on identifiers (the operator without `=`). */
const INLINE_COMPOUND: ReadonlySet<string> = new Set(['+=', '-=', '*=', '/=', '%=', '**=', '|=', '&=', '^=', '<<=', '>>=', '>>>=']);

/**
 * How an operand takes part in the inline test:
 * - `number`: a number literal (possibly under `-`/`+`), the global `NaN` or
 *   `Infinity`, or a constant of the global `Math` (`Math.PI`): never tested;
 * - `name`: a declared identifier, tested and re-read in place;
 * - `value`: anything else, evaluated once into a temporary;
 * - `never`: syntactically never a number (string, BigInt, template, `typeof`,
 *   object…): the fast path could never be taken, so the site is not inlined.
 */
type OperandKind = 'number' | 'name' | 'value' | 'never';

function isBigIntConstant(node: Node): boolean {
  const lit = node.type === 'UnaryExpression' ? node.argument : node;
  return lit.type === 'Literal' && typeof lit.bigint === 'string';
}

const MATH_CONSTANTS: ReadonlySet<string> = new Set(['E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2']);

/** `Math.PI` and the like on the global `Math`: read-only numbers. */
function isMathConstant(node: Node, ctx: RewriteContext): boolean {
  return (
    node.type === 'MemberExpression' && !node.computed && !node.optional &&
    isGlobalReference(node.object, 'Math', ctx) &&
    node.property.type === 'Identifier' && MATH_CONSTANTS.has(node.property.name)
  );
}

function operandKind(node: Node, ctx: RewriteContext): OperandKind {
  if (isConstantNumber(node)) return isBigIntConstant(node) ? 'never' : 'number';
  switch (node.type) {
    case 'Identifier':
      if (ctx.scope.withRefs.has(node)) return 'value';
      if (ctx.scope.isDeclared(node)) return 'name';
      // The global value properties cannot be assigned, redefined or read with side effects.
      if (node.name === 'NaN' || node.name === 'Infinity') return 'number';
      return node.name === 'undefined' ? 'never' : 'value';
    case 'Literal':
    case 'TemplateLiteral':
    case 'ArrayExpression':
    case 'ObjectExpression':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassExpression':
      return 'never';
    case 'UnaryExpression':
      return node.operator === 'typeof' || node.operator === 'void' || node.operator === '!' || node.operator === 'delete' ? 'never' : 'value';
    case 'MemberExpression':
      return isMathConstant(node, ctx) ? 'number' : 'value';
    default:
      return 'value';
  }
}

/** Whether the innermost hoist target can declare a temporary without wrapping code in a closure. */
export function tempsAvailable(ctx: RewriteContext): boolean {
  switch (ctx.temps.kind) {
    case 'function':
    case 'arrow-expression':
    case 'static-block':
      return true;
    case 'program':
      return ctx.options.programTemps;
    default:
      return false;
  }
}

/** Parentheses around a replacement of `node`, unless it is a statement's whole expression. */
function bracket(node: Node, ctx: RewriteContext): [string, string] {
  return isStatementExpression(node, ctx) ? ['', ''] : ['(', ')'];
}

/** Spelling of a number-literal operand; `(-1) ** x` needs its parentheses where it is the left of `**`. */
function numberText(node: Node, ctx: RewriteContext, leftOfPow = false): string {
  const text = ctx.ed.original(node);
  return leftOfPow && node.type === 'UnaryExpression' ? `(${text})` : text;
}

/** A space after an operator being re-spelled, unless the source already has one there. */
function gapAfter(pos: number, ctx: RewriteContext): string {
  return /\s/.test(ctx.ed.code[pos] ?? '') ? '' : ' ';
}

function typeTest(names: readonly (string | null)[]): string {
  const unique = [...new Set(names.filter((n): n is string => n !== null))];
  return unique.map((n) => `typeof ${n} === "number"`).join(' && ');
}

interface BinaryPlan {
  left: OperandKind;
  right: OperandKind;
  temps: boolean;
  /** `"a" + x`: the literal side is taken as a constant, and the fast path is any primitive x (text). */
  text: boolean;
}

/** A string written in the source: `"a"`, or a template without substitutions. */
function isStringConstant(node: Node): boolean {
  return (node.type === 'Literal' && typeof node.value === 'string') || (node.type === 'TemplateLiteral' && node.expressions.length === 0);
}

/**
 * The fast path's test of the tested operands: numbers, or for text (`"a" + x`) any
 * primitive, which `+` joins natively as the runtime would (a traced number, an NDArray
 * or an object with operators is an object).
 */
function fastTest(plan: BinaryPlan, names: readonly (string | null)[]): string {
  if (!plan.text) return typeTest(names);
  const [x] = names.filter((n): n is string => n !== null);
  return `typeof ${x} !== "object" && typeof ${x} !== "function"`;
}

function planBinary(node: Node, ctx: RewriteContext): BinaryPlan | null {
  if (!ctx.options.inlineFastPaths || node.type !== 'BinaryExpression' || !INLINE_BINARY.has(node.operator)) return null;
  if (node.left.type === 'PrivateIdentifier') return null;
  let left = operandKind(node.left, ctx);
  let right = operandKind(node.right, ctx);
  const textSide = node.operator !== '+' ? null : isStringConstant(node.left) ? 'left' : isStringConstant(node.right) ? 'right' : null;
  if (textSide !== null) {
    // (`"a" + "b"` is left native by `rewriteBinary`, `"a" + 5` and `"a" + [x]` to it too)
    const other = textSide === 'left' ? right : left;
    if (other === 'never' || other === 'number') return null;
    if (textSide === 'left') left = 'number';
    else right = 'number';
  }
  if (left === 'never' || right === 'never') return null;
  if (left === 'number' && right === 'number') {
    // Two literals: constant folding, left native by `rewriteBinary`. Two numbers
    // otherwise (`2 * Math.PI`): claimed here and left native too.
    return isConstantNumber(node.left) && isConstantNumber(node.right) ? null : { left, right, temps: false, text: false };
  }
  const temps = left === 'value' || right === 'value';
  if (temps && !tempsAvailable(ctx)) return null;
  return { left, right, temps, text: textSide !== null };
}

export const rewriteBinaryInline: Rewriter = {
  name: 'binary-inline',
  types: ['BinaryExpression'],
  test: (node, ctx) => planBinary(node, ctx) !== null,
  rewrite(node, ctx) {
    const plan = planBinary(node, ctx);
    if (!plan || node.type !== 'BinaryExpression') return;
    const { ed } = ctx;
    const { left, right, operator } = node as acorn.BinaryExpression & { left: Node };
    const method = binaryMethod(node as acorn.BinaryExpression, ctx);
    const [open, close] = bracket(node, ctx);
    if (plan.left === 'number' && plan.right === 'number') return; // never traced: native
    if (!plan.temps) {
      // Names and literals only: the original `a * b` stays in place as the fast path.
      const l = ed.original(left);
      const r = ed.original(right);
      ed.prefix(node.start, `${open}${fastTest(plan, [plan.left === 'name' ? l : null, plan.right === 'name' ? r : null])} ? `);
      ed.suffix(node.end, ` : ${runtime(method)}(${l}, ${r})${close}`);
      return;
    }
    // The left operand goes into a temporary unless it is a literal or a name that has
    // the same value and cannot throw whenever it is read (a parameter or `var` never
    // assigned: the right operand cannot change it); the right one unless it is a literal
    // or a name (read right after it would have been: nothing runs in between). The
    // operands' (already rewritten) text stays in place; a temporary is held from its
    // operand on.
    const tok = findToken(ed.tokens, left.end, right.start, operator, ed.code);
    const leftInPlace = plan.left === 'number' || (plan.left === 'name' && isSettledName(left, ctx));
    const rightInPlace = plan.right !== 'value';
    const l = plan.left === 'number' ? numberText(left, ctx) : leftInPlace ? ed.original(left) : ctx.temps.fresh(left.end);
    const r = plan.right === 'number' ? numberText(right, ctx) : rightInPlace ? ed.original(right) : ctx.temps.fresh(right.end);
    const fast = `${plan.left === 'number' ? numberText(left, ctx, operator === '**') : l} ${operator} ${r}`;
    const tail = `${fastTest(plan, [plan.left === 'number' ? null : l, plan.right === 'number' ? null : r])} ? ${fast} : ${runtime(method)}(${l}, ${r})${close}`;
    if (leftInPlace) {
      ed.overwrite(node.start, tok.end, `${open}${r} =${gapAfter(tok.end, ctx)}`);
      ed.suffix(node.end, `, ${tail}`);
    } else if (rightInPlace) {
      ed.prefix(node.start, `${open}${l} = `);
      ed.overwrite(tok.start, node.end, `, ${tail}`);
    } else {
      ed.prefix(node.start, `${open}${l} = `);
      ed.replaceToken(tok.start, tok.end, operator, `, ${r} =${gapAfter(tok.end, ctx)}`);
      ed.suffix(node.end, `, ${tail}`);
    }
  },
};

/** A parameter or `var` (no dead zone) never assigned in the file, outside `with`: any read gives its one value. */
function isSettledName(node: Node, ctx: RewriteContext): boolean {
  return node.type === 'Identifier' && ctx.scope.isHoisted(node) && fixedName(node, ctx) !== null;
}

function planUnary(node: Node, ctx: RewriteContext): OperandKind | null {
  if (!ctx.options.inlineFastPaths || node.type !== 'UnaryExpression' || !(node.operator in INLINE_UNARY)) return null;
  const arg = operandKind(node.argument, ctx);
  if (arg === 'never' || arg === 'number') return null; // `-1` stays a literal
  if (arg === 'value' && !tempsAvailable(ctx)) return null;
  return arg;
}

/**
 * `-x` → `(typeof x === "number" ? -x : __zy.neg(x))`; any other operand is
 * evaluated once into a temporary: `(__zy$1 = f(), typeof __zy$1 === "number" ? -__zy$1 : __zy.neg(__zy$1))`.
 */
export const rewriteUnaryInline: Rewriter = {
  name: 'unary-inline',
  types: ['UnaryExpression'],
  test: (node, ctx) => planUnary(node, ctx) !== null,
  rewrite(node, ctx) {
    const arg = planUnary(node, ctx);
    if (arg === null || node.type !== 'UnaryExpression') return;
    const { ed } = ctx;
    const { operator, argument } = node;
    const method = INLINE_UNARY[operator]!;
    const [open, close] = bracket(node, ctx);
    if (arg === 'name') {
      // The original `-x` stays in place as the fast path.
      const x = ed.original(argument);
      ed.prefix(node.start, `${open}${typeTest([x])} ? `);
      ed.suffix(node.end, ` : ${runtime(method)}(${x})${close}`);
      return;
    }
    const tok = findToken(ed.tokens, node.start, argument.start, operator, ed.code);
    const t = ctx.temps.fresh(argument.end);
    ed.overwrite(tok.start, tok.end, `${open}${t} =${gapAfter(tok.end, ctx)}`);
    ed.suffix(node.end, `, ${typeTest([t])} ? ${operator}${t} : ${runtime(method)}(${t})${close}`);
  },
};

function planTypeof(node: Node, ctx: RewriteContext): OperandKind | null {
  if (!ctx.options.inlineFastPaths || node.type !== 'UnaryExpression' || node.operator !== 'typeof') return null;
  if (!typeofObservesNumbers(node, ctx)) return null;
  // A free identifier may be undeclared (no temporary may read it): `rewriteTypeof` has its own form.
  if (node.argument.type === 'Identifier' && operandKind(node.argument, ctx) !== 'name') return null;
  const arg = operandKind(node.argument, ctx);
  if (arg === 'value' && !tempsAvailable(ctx)) return null;
  return arg;
}

/**
 * `typeof x` → `(typeof x === "object" ? __zy.typeOf(x) : typeof x)` (a traced
 * number is an object); any other operand is evaluated once into a temporary.
 * Literals, and operands that are never numbers, keep the native `typeof`.
 */
export const rewriteTypeofInline: Rewriter = {
  name: 'typeof-inline',
  types: ['UnaryExpression'],
  test: (node, ctx) => planTypeof(node, ctx) !== null,
  rewrite(node, ctx) {
    const arg = planTypeof(node, ctx);
    if (arg === null || arg === 'number' || arg === 'never' || node.type !== 'UnaryExpression') return;
    const { ed } = ctx;
    const [open, close] = bracket(node, ctx);
    if (arg === 'name') {
      const x = ed.original(node.argument);
      ed.prefix(node.start, `${open}typeof ${x} === "object" ? ${runtime('typeOf')}(${x}) : `);
      if (close) ed.suffix(node.end, close);
      return;
    }
    const tok = findToken(ed.tokens, node.start, node.argument.start, 'typeof', ed.code);
    const t = ctx.temps.fresh(node.argument.end);
    ed.overwrite(tok.start, tok.end, `${open}${t} =${gapAfter(tok.end, ctx)}`);
    ed.suffix(node.end, `, typeof ${t} === "object" ? ${runtime('typeOf')}(${t}) : typeof ${t}${close}`);
  },
};

interface MathPlan {
  /** The callee's two spellings (rewrite-globals.ts `mathCallee`). */
  callee: { plain: string; traced: string };
  args: OperandKind[];
  temps: boolean;
}

function planMathCall(node: Node, ctx: RewriteContext): MathPlan | null {
  if (!ctx.options.inlineFastPaths || node.type !== 'CallExpression' || node.optional) return null;
  const callee = node.callee;
  if (!isGlobalMathFunction(callee, ctx) || callee.optional || callee.property.type !== 'Identifier') return null;
  if (node.arguments.length === 0) return null;
  const args: OperandKind[] = [];
  for (const a of node.arguments) {
    if (a.type === 'SpreadElement') return null;
    const kind = operandKind(a, ctx);
    if (kind === 'never') return null;
    args.push(kind);
  }
  if (args.every((k) => k === 'number')) return null;
  const temps = args.includes('value');
  if (temps && !tempsAvailable(ctx)) return null;
  return { callee: mathCallee(callee, ctx), args, temps };
}

/**
 * `Math.f(a, b)` on the global `Math` (already `__zy.Math.f(a, b)`) →
 * `(typeof a === "number" && typeof b === "number" ? Math.f(a, b) : __zy.Math.f(a, b))`;
 * when an argument is neither a name nor a number literal, every argument is
 * evaluated once, in order, into a temporary first.
 */
export const rewriteMathCallInline: Rewriter = {
  name: 'math-call-inline',
  types: ['CallExpression'],
  test: (node, ctx) => planMathCall(node, ctx) !== null,
  rewrite(node, ctx) {
    const plan = planMathCall(node, ctx);
    if (!plan || node.type !== 'CallExpression') return;
    const { ed } = ctx;
    const args = node.arguments as Node[];
    const [open, close] = bracket(node, ctx);
    if (!plan.temps) {
      // The runtime call stays in place as the slow path.
      const texts = args.map((a) => ed.original(a));
      const tested = texts.map((t, k) => (plan.args[k] === 'name' ? t : null));
      ed.prefix(node.start, `${open}${typeTest(tested)} ? ${plan.callee.plain}(${texts.join(', ')}) : `);
      if (close) ed.suffix(node.end, close);
      return;
    }
    const names = args.map((a) => ctx.temps.fresh(a.end));
    const paren = findToken(ed.tokens, node.callee.end, args[0]!.start, '(', ed.code);
    ed.overwrite(node.start, paren.end, `${open}${names[0]} =${gapAfter(paren.end, ctx)}`);
    for (let k = 1; k < args.length; k++) {
      const comma = findToken(ed.tokens, args[k - 1]!.end, args[k]!.start, ',', ed.code);
      ed.overwrite(comma.start, comma.end, `, ${names[k]} =${gapAfter(comma.end, ctx)}`);
    }
    // A trailing comma, then the closing parenthesis of the call.
    const last = args[args.length - 1]!;
    const closing = findToken(ed.tokens, node.end - 1, node.end, ')', ed.code);
    const trailing = ed.tokens.find((t) => t.start >= last.end && t.end <= closing.start && ed.code.slice(t.start, t.end) === ',');
    if (trailing) ed.overwrite(trailing.start, trailing.end, '');
    const list = names.join(', ');
    const tested = names.map((t, k) => (plan.args[k] === 'number' ? null : t));
    ed.overwrite(closing.start, closing.end, `, ${typeTest(tested)} ? ${plan.callee.plain}(${list}) : ${plan.callee.traced}(${list})${close}`);
  },
};

/** A declared identifier outside `with`: its reads and writes have no side effects beyond the variable. */
function isLocalName(node: Node, ctx: RewriteContext): node is acorn.Identifier {
  return node.type === 'Identifier' && ctx.scope.isDeclared(node) && !ctx.scope.withRefs.has(node);
}

/**
 * `++x`/`x++` on a declared identifier:
 * `x = typeof x === "number" ? x + 1 : __zy.inc(x)`; a postfix whose value is
 * used: `(typeof x === "number" ? x++ : (__zy$1 = __zy.numeric(x), x = __zy.inc(__zy$1), __zy$1))`.
 */
export const rewriteUpdateInline: Rewriter = {
  name: 'update-inline',
  types: ['UpdateExpression'],
  test: (node, ctx) => ctx.options.inlineFastPaths && node.type === 'UpdateExpression' && isLocalName(node.argument, ctx),
  rewrite(node, ctx) {
    if (node.type !== 'UpdateExpression' || node.argument.type !== 'Identifier') return;
    const x = node.argument.name;
    const [method, sign] = node.operator === '++' ? ['inc', '+'] : ['dec', '-'];
    const [open, close] = bracket(node, ctx);
    if (node.prefix || valueUnused(node, ctx)) {
      ctx.ed.replace(node, `${open}${x} = typeof ${x} === "number" ? ${x} ${sign} 1 : ${runtime(method)}(${x})${close}`);
      return;
    }
    const old = ctx.temps.fresh();
    ctx.ed.replace(node, `(typeof ${x} === "number" ? ${x}${node.operator} : (${old} = ${runtime('numeric')}(${x}), ${x} = ${runtime(method)}(${old}), ${old}))`);
  },
};

function planCompound(node: Node, ctx: RewriteContext): OperandKind | null {
  if (!ctx.options.inlineFastPaths || node.type !== 'AssignmentExpression' || !INLINE_COMPOUND.has(node.operator)) return null;
  if (!isLocalName(node.left as Node, ctx)) return null;
  const right = operandKind(node.right, ctx);
  if (right === 'never') return null;
  if (right === 'value' && !tempsAvailable(ctx)) return null;
  return right;
}

/**
 * `x += y` on a declared identifier:
 * `x = typeof x === "number" && typeof y === "number" ? x + y : __zy.add(x, y)`;
 * with any other right-hand side the old value and the right-hand side are
 * kept in temporaries first (the right-hand side may assign `x`):
 * `(__zy$1 = x, __zy$2 = f(), x = typeof __zy$1 === "number" && … ? __zy$1 + __zy$2 : __zy.add(__zy$1, __zy$2))`.
 */
export const rewriteCompoundInline: Rewriter = {
  name: 'compound-inline',
  types: ['AssignmentExpression'],
  test: (node, ctx) => planCompound(node, ctx) !== null,
  rewrite(node, ctx) {
    const right = planCompound(node, ctx);
    if (right === null || node.type !== 'AssignmentExpression' || node.left.type !== 'Identifier') return;
    const { ed } = ctx;
    const x = node.left.name;
    const op = node.operator.slice(0, -1);
    const method = BINARY_METHODS[op]!;
    const tok = findToken(ed.tokens, node.left.end, node.right.start, node.operator, ed.code);
    const [open, close] = bracket(node, ctx);
    if (right !== 'value') {
      const r = right === 'name' ? ed.original(node.right) : numberText(node.right, ctx);
      const tested = right === 'name' ? [x, r] : [x];
      // The right-hand side stays in place as the fast path's right operand.
      ed.overwrite(node.start, tok.end, `${open}${x} = ${typeTest(tested)} ? ${x} ${op}${gapAfter(tok.end, ctx)}`);
      ed.suffix(node.end, ` : ${runtime(method)}(${x}, ${r})${close}`);
      return;
    }
    const old = ctx.temps.fresh();
    const rhs = ctx.temps.fresh(node.right.end);
    ed.overwrite(node.start, tok.end, `${open}${old} = ${x}, ${rhs} =${gapAfter(tok.end, ctx)}`);
    ed.suffix(node.end, `, ${x} = ${typeTest([old, rhs])} ? ${old} ${op} ${rhs} : ${runtime(method)}(${old}, ${rhs})${close}`);
  },
};
