/**
 * Writes to variables of enclosing scopes, noted for the clean-up.
 *
 * `let kept; gradient((x) => { kept = x * 7; return x; }, 3)` left `kept` holding a traced
 * number after the call: it acted as its number in arithmetic, but not in code that was not
 * rewritten (`typeof kept` was 'object', `kept === 21` false) nor as a key or in a search.
 * The clean-up (proxies/cleanup.ts) replaces traced values in the containers f wrote to, but
 * a variable is no container: only code that can name it can rewrite it. So where a
 * function assigns a name declared outside it (a closure's or a module's variable), the
 * copy that runs while tracing (two-bodies.ts) follows the write with
 *
 *     typeof kept === "object" && kept !== null && __zy.variableStored(kept) && __zy.noteVariable(U)
 *
 * with U = `(s) => { kept = s(kept); }`, made only when the runtime asks for it (the value is
 * a traced number or array, or a stand-in; another object is noted as a container). A
 * variable of an ES module's top level has one binding, so its U is made once and kept in
 * a temporary of the module: a loop that writes it is noted once. A closure's variable may
 * have a binding per call of its function, so its U is made at each write that needs one.
 * The assignment stays the expression's value: `(kept = v, <note>, kept)` (reading a
 * declared name cannot run code); a postfix update whose value is used (`f(kept++)`), whose
 * value is the old one, is left alone, as are destructuring targets, `for…of` heads, names
 * inside `with`, and undeclared (global) names.
 */
import type * as acorn from 'acorn';
import { isFunction, type Node } from './ast.js';
import { runtime, valueUnused, type RewriteContext } from './context.js';
import { eitherCopy } from './two-bodies.js';

/** Adds the note after `node` if it assigns a variable of an enclosing scope. Not a `Rewriter`: it wraps whatever rewrote the assignment. */
export function noteOuterWrite(node: Node, ctx: RewriteContext): void {
  let target: acorn.Identifier;
  if (node.type === 'AssignmentExpression' && node.left.type === 'Identifier') target = node.left;
  else if (node.type === 'UpdateExpression' && node.argument.type === 'Identifier' && (node.prefix || valueUnused(node, ctx))) target = node.argument;
  else return;
  const { scope } = ctx;
  if (scope.withRefs.has(target)) return;
  const owner = scope.bindingOwner(target);
  if (owner === null || !declaredOutsideItsFunction(owner, ctx)) return;
  const name = target.name;
  const programLevel = ctx.options.programTemps && ctx.moduleCode && scope.isProgramLevel(target);
  const settle = ctx.temps.parameterName();
  const update = `(${settle}) => { ${name} = ${settle}(${name}); }`;
  const kept = programLevel ? ctx.temps.kept(`update of ${name}`) : null;
  const made = kept === null ? update : `${kept} || (${kept} = ${update})`;
  const note = `typeof ${name} === "object" && ${name} !== null && ${runtime('variableStored')}(${name}) && ${runtime('noteVariable')}(${made})`;
  ctx.ed.wrap(node, eitherCopy('(', '', ctx.options.twoBodies), eitherCopy(`, ${note}, ${name})`, '', ctx.options.twoBodies));
}

/** Whether the binding's scope (`owner`) lies outside the function the write is in (and there is such a function: top-level code runs once, at load). */
function declaredOutsideItsFunction(owner: Node, ctx: RewriteContext): boolean {
  const a = ctx.ancestors;
  let f = a.length - 1;
  // (a class's static block or field initializer runs on its own, as a function would)
  while (f >= 0 && !isFunction(a[f]!) && a[f]!.type !== 'StaticBlock' && a[f]!.type !== 'PropertyDefinition') f--;
  if (f < 0) return false;
  for (let k = f; k < a.length; k++) if (a[k] === owner) return false;
  return true;
}
