/**
 * Loop-carried numbers enter a loop of the plain copy as numbers V8 can see.
 *
 * An accumulator that starts from a parameter or a call's result (`let z = b; for (…) z += …`)
 * has no type V8 knows at the loop's entry. Plain code's `z + t` tells V8 to expect numbers,
 * and V8 keeps `z` as an unboxed double around the loop. In rewritten code the operator's
 * guard (`typeof z === "number" ? z + t : …`) reads `z` as a JavaScript value, so `z` stays
 * one, and every turn of the loop allocates a new heap number for it: the logistic loss ran
 * at 1.5× plain before any gradient. So the plain copy (two-bodies.ts) is given, before such
 * a loop, `z = typeof z === "number" ? z - 0 : __zy.asIs(z);` for each of its accumulators:
 * the same value (`z - 0` is `z` for every number, −0 and NaN included; anything else is
 * passed through as it is), but a number V8 holds unboxed from the start. (The other branch
 * is a call V8 has never seen made, so it compiles the number's branch alone; a bare `z`
 * there kept the merged value boxed.) The copy that runs while tracing is left as it was.
 *
 * Only where the read and the write are invisible and cannot throw: a parameter, `var` or
 * function-level name of the loop's own function, or a `let` declared in a block around the
 * loop by a statement before the one holding it (so never in its temporal dead zone);
 * never a `const`, a function expression's own name, or a name inside `with`.
 */
import type * as acorn from 'acorn';
import { children, isFunction, type Node } from './ast.js';
import { runtime, type RewriteContext } from './context.js';
import { patternNames } from './scope.js';
import { eitherCopy } from './two-bodies.js';

type Loop = acorn.ForStatement | acorn.ForInStatement | acorn.ForOfStatement | acorn.WhileStatement | acorn.DoWhileStatement;

const ARITHMETIC_ASSIGNMENT = new Set(['+=', '-=', '*=', '/=', '%=', '**=']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '**']);
const LOOPS = new Set<Node['type']>(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

/**
 * Writes the entry before `node` if it is such a loop. Not a `Rewriter`: a loop's test is
 * rewritten by another (truthiness), and this adds text before the loop, whatever else
 * rewrote it.
 */
export function numbersIntoLoop(node: Node, ctx: RewriteContext): void {
  if (!LOOPS.has(node.type) || !ctx.options.twoBodies) return;
  const place = statementPlace(node, ctx);
  if (place === null) return;
  const names = accumulators(node as Loop, place, ctx);
  if (names.length === 0) return;
  const entry = names.map((n) => `${n} = typeof ${n} === "number" ? ${n} - 0 : ${runtime('asIs')}(${n});`).join(' ');
  ctx.ed.prefix(place.statement.start, eitherCopy('', `;${entry} `, true));
}

interface Place {
  /** The function the loop runs in. */
  readonly fn: acorn.Function & Node;
  /** Where the loop stands in a block: itself, or the outermost label on it. */
  readonly statement: Node;
  /** The loop's ancestors below `fn`, down to its parent. */
  readonly path: readonly Node[];
}

/** The loop's place, when it stands in a block of a function (so text before it is a statement of its own). */
function statementPlace(loop: Node, ctx: RewriteContext): Place | null {
  const a = ctx.ancestors;
  let k = a.length - 1; // (the loop's parent)
  while (k >= 0 && a[k]!.type === 'LabeledStatement') k--;
  if (k < 0 || a[k]!.type !== 'BlockStatement') return null;
  const statement = k === a.length - 1 ? loop : a[k + 1]!;
  let f = k;
  while (f >= 0 && !isFunction(a[f]!)) f--;
  if (f < 0) return null;
  // (a class's static block or field between them runs on its own, not as this function's code)
  for (let j = f + 1; j <= k; j++) if (a[j]!.type === 'StaticBlock' || a[j]!.type === 'PropertyDefinition') return null;
  return { fn: a[f] as acorn.Function & Node, statement, path: a.slice(f + 1) };
}

/** Names the loop accumulates arithmetic into that may be read and written before it (see the header). */
function accumulators(loop: Loop, place: Place, ctx: RewriteContext): string[] {
  const found = new Map<string, acorn.Identifier>();
  const collect = (node: Node): void => {
    if (isFunction(node) || node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return;
    if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') {
      const arithmetic = ARITHMETIC_ASSIGNMENT.has(node.operator) || (node.operator === '=' && node.right.type === 'BinaryExpression' && ARITHMETIC.has(node.right.operator));
      if (arithmetic && !found.has(node.left.name)) found.set(node.left.name, node.left);
    } else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier' && !found.has(node.argument.name)) {
      found.set(node.argument.name, node.argument);
    }
    for (const child of children(node)) collect(child);
  };
  collect(loop);
  const names: string[] = [];
  for (const [name, id] of found) if (safeToTouch(name, id, loop, place, ctx)) names.push(name);
  return names;
}

function safeToTouch(name: string, id: acorn.Identifier, loop: Loop, place: Place, ctx: RewriteContext): boolean {
  if (ctx.scope.withRefs.has(id) || name === 'arguments') return false;
  const owner = ctx.scope.bindingOwner(id);
  const { fn } = place;
  if (owner === fn) {
    // (a function expression's own name is bound there too, and cannot be assigned)
    if (fn.type === 'FunctionExpression' && fn.id?.name === name) return false;
    // a simple parameter, a `var` or a function: no dead zone; else a `let` at the top of the body
    return ctx.scope.isHoisted(id) || (fn.body.type === 'BlockStatement' && letBefore(fn.body, name, loop));
  }
  // a `let` of a block around the loop, inside its function
  return owner !== null && owner.type === 'BlockStatement' && place.path.includes(owner) && letBefore(owner, name, loop);
}

/** Whether `name` is declared by a `let` at the top of `block`, in a statement that ends before the one holding `loop`. */
function letBefore(block: acorn.BlockStatement, name: string, loop: Loop): boolean {
  const holder = block.body.findIndex((s) => s.start <= loop.start && loop.end <= s.end);
  if (holder < 0) return false;
  for (let k = 0; k < holder; k++) {
    const s = block.body[k]!;
    if (s.type !== 'VariableDeclaration') continue;
    const d = s.declarations.find((d) => patternNames(d.id).some((q) => q.name === name));
    // (a number written out is one V8 knows already)
    if (d !== undefined) return s.kind === 'let' && !(d.id.type === 'Identifier' && d.init != null && isNumberLiteral(d.init));
  }
  return false;
}

const isNumberLiteral = (e: Node): boolean =>
  (e.type === 'Literal' && typeof e.value === 'number') || (e.type === 'UnaryExpression' && e.operator === '-' && isNumberLiteral(e.argument));
