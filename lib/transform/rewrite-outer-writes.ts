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
 * a traced number or array, or a stand-in; another object is noted as a container). U is
 * made once per binding and kept in a temporary beside it: of the function that declares the
 * variable (one binding per call), or of an ES module's top level. So a loop that writes the
 * variable notes it once. A block's `let` has a binding per turn of a loop: its U is made at
 * each write that needs one.
 * The assignment stays the expression's value: `(kept = v, <note>, kept)` (reading a
 * declared name cannot run code); a destructuring assignment's value (its right-hand side)
 * goes through a temporary, `(__zy$1 = ([kept, b] = v), <notes>, __zy$1)`, or none when it is
 * unused; a `for (kept of …)` or `for (kept in …)` head is noted at the start of each turn,
 * in a block around the body. A postfix update whose value is used (`f(kept++)`, the old
 * value) is left alone: its name held a traced number only after a write that was noted. A
 * name declared nowhere in the file (a global, possibly made by this very write in sloppy
 * code) is noted too where it is assigned alone (`g = v`, `g += v`, `++g`), its update made
 * at each write; names inside `with` are left alone.
 *
 * A closure f makes may outlive the call (a callback kept in a list, a listener, a timer, a
 * generator's frame), and the variables it reaches held f's traced numbers afterwards. So
 * a variable a nested function reaches (`scope.isCaptured`: not through the callbacks of an
 * array's iteration methods alone, which keep none), and every variable of a generator or
 * an async function, is noted at its own function's writes too: after its declaration
 * (a `const` becomes a `let` in the copy that runs while tracing, where none of its names
 * is assigned), at the body's start for a parameter, at each assignment. Those notes ask
 * `capturedStored`, which notes a value replaced whole only (not a container: the data
 * arrays such closures read would be walked at the end of every gradient).
 */
import type * as acorn from 'acorn';
import { isFunction, type Node } from './ast.js';
import { runtime, valueUnused, type RewriteContext } from './context.js';
import { patternNames } from './scope.js';
import { eitherCopy } from './two-bodies.js';

/** Adds the notes for `node` if it writes variables of an enclosing scope. Not a `Rewriter`: it wraps whatever rewrote the write. */
export function noteOuterWrite(node: Node, ctx: RewriteContext): void {
  // (text around `around`, in the copy that runs while tracing alone)
  const wrap = (around: Node, before: string, after: string) => ctx.ed.wrap(around, eitherCopy(before, '', ctx.options.twoBodies), eitherCopy(after, '', ctx.options.twoBodies));
  if (node.type === 'ForOfStatement' || node.type === 'ForInStatement') {
    const left = node.left as Node;
    const targets = left.type === 'VariableDeclaration' ? capturedNames(left, ctx) : outerNames(patternNames(left), ctx);
    const notes = targets.map((target) => note(target, ctx));
    if (notes.length > 0) wrap(node.body as Node, `{ ${notes.join('; ')}; `, ' }');
    return;
  }
  if (node.type === 'VariableDeclaration') {
    // (a declaration's own statement: one in a loop's head or an `if` without braces has no place after it)
    const parent = ctx.ancestors[ctx.ancestors.length - 1];
    if (parent === undefined || !['BlockStatement', 'StaticBlock', 'SwitchCase', 'Program'].includes(parent.type)) return;
    const notes = capturedNames(node, ctx).map((target) => note(target, ctx));
    if (notes.length > 0) ctx.ed.suffix(node.end, eitherCopy(`; ${notes.join('; ')};`, '', ctx.options.twoBodies));
    return;
  }
  if (isFunction(node)) {
    // parameters a closure reaches: noted as the body starts (after its directives)
    const targets = node.params.flatMap((p) => patternNames(p as Node)).filter((id) => ctx.scope.isCaptured(id) && !ctx.scope.withRefs.has(id));
    if (targets.length === 0) return;
    const notes = targets.map((target) => note(target, ctx));
    const body = node.body as Node;
    if (body.type !== 'BlockStatement') {
      wrap(body, `(${notes.join(', ')}, `, ')');
      return;
    }
    let at = body.start + 1;
    for (const stmt of body.body) {
      if (stmt.type === 'ExpressionStatement' && typeof (stmt as acorn.ExpressionStatement & { directive?: string }).directive === 'string') at = stmt.end;
      else break;
    }
    // (inside the copy that runs while tracing, which starts there too: two-bodies.ts)
    ctx.ed.s.prependRight(at, eitherCopy(`; ${notes.join('; ')};`, '', ctx.options.twoBodies));
    ctx.ed.edits++;
    return;
  }
  // `kept = v`, `kept += v`, `++kept`, an unused `kept++`: the value is the name's after the write
  const single = node.type === 'UpdateExpression' ? (node.prefix || valueUnused(node, ctx) ? node.argument : null) : node.type === 'AssignmentExpression' ? node.left : null;
  if (single === null) return;
  if (single.type === 'Identifier') {
    const [target] = outerNames([single], ctx, true);
    if (target === undefined) return;
    if (ctx.scope.bindingOwner(target) !== null) {
      wrap(node, '(', `, ${note(target, ctx)}, ${target.name})`);
      return;
    }
    // (a global may be an accessor, whose reading runs code: the write's own value is tested and kept)
    ctx.temps.enterSite(node, ctx.ancestors.length);
    const value = ctx.temps.fresh();
    wrap(node, `(${value} = `, `, ${note(target, ctx, value)}, ${value})`);
    return;
  }
  if (node.type !== 'AssignmentExpression') return;
  // a destructuring: its value is the right-hand side's
  const notes = outerNames(patternNames(single as Node), ctx).map((target) => note(target, ctx));
  if (notes.length === 0) return;
  if (valueUnused(node, ctx)) {
    wrap(node, '(', `, ${notes.join(', ')})`);
    return;
  }
  ctx.temps.enterSite(node, ctx.ancestors.length);
  const value = ctx.temps.fresh();
  wrap(node, `(${value} = `, `, ${notes.join(', ')}, ${value})`);
}

/**
 * The targets whose bindings lie outside the function writing them (and outside `with`), one
 * per name; with `globals`, also names declared nowhere in the file. (A global may be an
 * accessor: it is noted only where the write's own value can be tested, not the name read.)
 */
function outerNames(targets: readonly acorn.Identifier[], ctx: RewriteContext, globals = false): acorn.Identifier[] {
  const outer: acorn.Identifier[] = [];
  for (const target of targets) {
    if (ctx.scope.withRefs.has(target) || outer.some((o) => o.name === target.name)) continue;
    const owner = ctx.scope.bindingOwner(target);
    // (also a variable of this very function that a closure reaches: the closure outlives the call)
    if ((owner !== null || globals) && (declaredOutsideItsFunction(owner, ctx) || ctx.scope.isCaptured(target))) outer.push(target);
  }
  return outer;
}

/**
 * The names a declaration binds that a closure reaches (`const y = x * 2; fns.push(() => y)`):
 * the closure outlives the call, and its variable held the traced number afterwards. A
 * `const` among them becomes a `let` in the copy that runs while tracing, so that the
 * clean-up can write it (none of its names is assigned anywhere: nothing else changes).
 */
function capturedNames(declaration: acorn.VariableDeclaration, ctx: RewriteContext): acorn.Identifier[] {
  if (declaration.kind !== 'var' && declaration.kind !== 'let' && declaration.kind !== 'const') return [];
  const names = declaration.declarations.flatMap((d) => patternNames(d.id as Node));
  const captured = names.filter((id) => ctx.scope.isCaptured(id));
  if (captured.length === 0) return [];
  if (declaration.kind === 'const') {
    if (names.some((id) => ctx.scope.assignedNames.has(id.name))) return [];
    ctx.ed.replaceToken(declaration.start, declaration.start + 5, 'const', eitherCopy('let', 'const', ctx.options.twoBodies));
  }
  return captured;
}

/** The note after a write of `target`: an update is handed to the clean-up when the value written (`written`, the name's by default) is one it replaces. */
function note(target: acorn.Identifier, ctx: RewriteContext, written = target.name, outer = isOuter(target, ctx)): string {
  const name = target.name;
  const settle = ctx.temps.parameterName();
  // (a global may be gone when the clean-up runs, or an accessor: the runtime reads it once, in a `try`)
  const update = ctx.scope.isDeclared(target)
    ? `(${settle}) => { ${name} = ${settle}(${name}); }`
    : `(${settle}) => ${runtime('settleGlobal')}(${settle}, () => ${name}, (${settle}) => { ${name} = ${settle}; })`;
  const kept = keptUpdate(target, ctx);
  const made = kept === null ? update : `${kept} || (${kept} = ${update})`;
  return `typeof ${written} === "object" && ${written} !== null && ${runtime(outer ? 'variableStored' : 'capturedStored')}(${written}) && ${runtime('noteVariable')}(${made})`;
}

/** Whether the write is of a variable of an enclosing scope (or a global), not of a closure's variable by its own function. */
function isOuter(target: acorn.Identifier, ctx: RewriteContext): boolean {
  const owner = ctx.scope.bindingOwner(target);
  return (owner !== null || !ctx.scope.isDeclared(target)) && declaredOutsideItsFunction(owner, ctx);
}

/**
 * Where the update of `target`'s variable is kept, made once per binding: a temporary of the
 * function that declares it (or of an ES module's top level), or null where the binding is a
 * block's (one per turn of a loop: the update is made at each write). A script's top-level
 * names may be another script's, as may its temporaries; a function source's program is a wrapper.
 */
function keptUpdate(target: acorn.Identifier, ctx: RewriteContext): string | null {
  const owner = ctx.scope.bindingOwner(target);
  // (a global: no function or module of the file holds its binding)
  if (owner === null) return null;
  if (owner.type === 'Program' && !(ctx.options.programTemps && ctx.moduleCode)) return null;
  return ctx.temps.keptIn(owner, `update of ${target.name}`);
}

/** Whether the binding's scope (`owner`; null: a global) lies outside the function the write is in (and there is such a function: top-level code runs once, at load). */
function declaredOutsideItsFunction(owner: Node | null, ctx: RewriteContext): boolean {
  const a = ctx.ancestors;
  let f = a.length - 1;
  // (a class's static block or field initializer runs on its own, as a function would)
  while (f >= 0 && !isFunction(a[f]!) && a[f]!.type !== 'StaticBlock' && a[f]!.type !== 'PropertyDefinition') f--;
  if (f < 0) return false;
  for (let k = f; k < a.length; k++) if (a[k] === owner) return false;
  return true;
}
