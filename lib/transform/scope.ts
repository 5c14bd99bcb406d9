/**
 * Scope analysis: which identifier references resolve to a binding declared in
 * the analysed code, and which are free (globals, or outer variables of a
 * function source). Two passes: declare everything (hoisting included), then
 * resolve every reference against the chain of scopes.
 */
import type * as acorn from 'acorn';
import { children, isFunction, type Node } from './ast.js';

class Scope {
  readonly names = new Set<string>();
  /** The names bound here that are initialized before the scope's code runs (var, function, parameter, catch parameter). */
  readonly hoisted = new Set<string>();
  constructor(
    readonly parent: Scope | null,
    /** Function-like scopes receive `var` and sloppy function declarations. */
    readonly isVarScope: boolean,
  ) {}
  varScope(): Scope {
    let s: Scope = this;
    while (!s.isVarScope && s.parent) s = s.parent;
    return s;
  }
  has(name: string): boolean {
    return this.binder(name) !== null;
  }
  /** The scope whose binding of `name` a reference here resolves to. */
  binder(name: string): Scope | null {
    for (let s: Scope | null = this; s; s = s.parent) if (s.names.has(name)) return s;
    return null;
  }
  /** Binds `name` here; `hoisted`: initialized before any code of the scope runs (no temporal dead zone). */
  bind(name: string, hoisted: boolean): void {
    this.names.add(name);
    if (hoisted) this.hoisted.add(name);
  }
}

export interface ScopeInfo {
  /** References (Identifier nodes in expression position) that resolve to no declaration in the code. */
  readonly freeRefs: ReadonlySet<acorn.Identifier>;
  /** References inside a `with` body (their resolution is dynamic). */
  readonly withRefs: ReadonlySet<acorn.Identifier>;
  /** Identifiers that are assignment/update targets or bindings. */
  readonly writes: ReadonlySet<acorn.Identifier>;
  /** Every identifier name spelled anywhere (for collision-free temporaries). */
  readonly allNames: ReadonlySet<string>;
  /** Every name declared anywhere in the code (variables, functions, classes, parameters, imports, catch bindings). */
  readonly boundNames: ReadonlySet<string>;
  /**
   * Names that may change after their declaration: assigned somewhere in the code
   * (assignment, update, `for…in/of` head), imported (live bindings the exporter may
   * assign), or declared at the top level of a script (other scripts share them). By
   * name, whatever the binding: a declared name outside this set keeps the value it
   * was initialized with.
   */
  readonly assignedNames: ReadonlySet<string>;
  /** Names bound in the code otherwise than as a function's parameter (var, let, const, function, class, import, catch). */
  readonly nonParameterNames: ReadonlySet<string>;
  /** Whether a given reference is declared in the code (scope-resolved). */
  isDeclared(id: acorn.Identifier): boolean;
  /**
   * Whether a reference resolves to a parameter, `var`, function or catch parameter of the
   * code: initialized before any code of its scope runs, so reading it never throws
   * (a `let`, `const`, class or import may be read in its temporal dead zone).
   */
  isHoisted(id: acorn.Identifier): boolean;
  /** Whether a reference resolves to a binding of the program's own top-level scope. */
  isProgramLevel(id: acorn.Identifier): boolean;
  /**
   * The node whose scope holds the binding a reference resolves to (a function for its
   * parameters, `var`s and body-level declarations; a block, loop head, catch clause, class
   * or the program otherwise), or null for a free reference.
   */
  bindingOwner(id: acorn.Identifier): Node | null;
  /**
   * Whether a binding (given by its declaration or a reference) of a function may outlive the
   * function's call: it is read or written by a function nested in it (a closure), or it is a
   * generator's or an async function's (whose frame waits). Never a binding of the top level.
   */
  isCaptured(id: acorn.Identifier): boolean;
}

/** Collect the identifiers bound by a pattern (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
export function patternNames(pattern: Node, out: acorn.Identifier[] = []): acorn.Identifier[] {
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) {
        if (p.type === 'RestElement') patternNames(p.argument, out);
        else patternNames(p.value, out);
      }
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements) if (e) patternNames(e, out);
      break;
    case 'RestElement':
      patternNames(pattern.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left, out);
      break;
    default:
      break; // MemberExpression targets bind nothing
  }
  return out;
}

const COMMONJS_NAMES: ReadonlySet<string> = new Set(['require', 'module', 'exports']);

/** Script goal, or module syntax-free code using CommonJS's free variables (`require`, `module`, `exports`). */
export function looksCommonJs(program: acorn.Program, sourceType: 'module' | 'script', scope: ScopeInfo): boolean {
  if (sourceType === 'script') return true;
  const esm = program.body.some((s) => s.type === 'ImportDeclaration' || s.type.startsWith('Export'));
  if (esm) return false;
  for (const id of scope.freeRefs) if (COMMONJS_NAMES.has(id.name)) return true;
  return false;
}

/**
 * Whether the program runs as strict code: an ES module, or code that says "use strict". A
 * CommonJS file that also parses as a module (most do) runs sloppy in Node and in a bundler's
 * CommonJS wrapper.
 */
export function runsStrict(program: acorn.Program, sourceType: 'module' | 'script', scope: ScopeInfo): boolean {
  const directive = program.body.some((s) => s.type === 'ExpressionStatement' && (s as { directive?: string }).directive === 'use strict');
  return directive || !looksCommonJs(program, sourceType, scope);
}

/** Array methods that call a callback and keep none. */
const ITERATION_METHODS: ReadonlySet<string> = new Set([
  'map', 'forEach', 'reduce', 'reduceRight', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'sort', 'toSorted',
]);

export function analyzeScopes(program: acorn.Program, sourceType: 'module' | 'script'): ScopeInfo {
  const scopeOf = new Map<Node, Scope>();
  // (the first node given a scope owns it: a function, not the body block it shares its scope with)
  const ownerOf = new Map<Scope, Node>();
  const setScope = (node: Node, scope: Scope): void => {
    scopeOf.set(node, scope);
    if (!ownerOf.has(scope)) ownerOf.set(scope, node);
  };
  const bindingIds = new Set<acorn.Identifier>();
  const parameterIds = new Set<acorn.Identifier>();
  const allNames = new Set<string>();
  const strictProgram = sourceType === 'module';

  const root = new Scope(null, true);
  setScope(program, root);

  // Pass 1: create scopes and declare names.
  const declare = (node: Node, scope: Scope): void => {
    switch (node.type) {
      case 'VariableDeclaration': {
        const target = node.kind === 'var' ? scope.varScope() : scope;
        for (const d of node.declarations) for (const id of patternNames(d.id)) { target.bind(id.name, node.kind === 'var'); bindingIds.add(id); }
        break;
      }
      case 'FunctionDeclaration':
        if (node.id) {
          scope.bind(node.id.name, true);
          bindingIds.add(node.id);
          // Annex B: in sloppy code a block-level function is also var-visible (undefined until its block runs).
          if (!strictProgram) scope.varScope().bind(node.id.name, true);
        }
        break;
      case 'ClassDeclaration':
        if (node.id) { scope.bind(node.id.name, false); bindingIds.add(node.id); }
        break;
      case 'ImportDeclaration':
        for (const s of node.specifiers) { scope.bind(s.local.name, false); bindingIds.add(s.local); }
        break;
      default:
        break;
    }
  };

  const visit1 = (node: Node, scope: Scope): void => {
    if (node.type === 'Identifier') allNames.add(node.name);
    let inner = scope;
    if (isFunction(node)) {
      inner = new Scope(scope, true);
      if (node.type === 'FunctionExpression' && node.id) { inner.bind(node.id.name, true); bindingIds.add(node.id); }
      if (node.type !== 'ArrowFunctionExpression') inner.bind('arguments', true);
      // (A parameter read by an earlier parameter's default is in its dead zone: not hoisted.)
      for (const p of node.params) for (const id of patternNames(p)) { inner.bind(id.name, node.params.every((q) => q.type === 'Identifier')); bindingIds.add(id); parameterIds.add(id); }
      setScope(node, inner);
      // The body block shares the function scope (let/const in the body see params).
      if (node.body.type === 'BlockStatement') setScope(node.body, inner);
    } else if (node.type === 'ClassExpression' || node.type === 'ClassDeclaration') {
      inner = new Scope(scope, false);
      if (node.id) { inner.bind(node.id.name, false); bindingIds.add(node.id); }
      setScope(node, inner);
    } else if (node.type === 'StaticBlock' || node.type === 'PropertyDefinition') {
      inner = new Scope(scope, true);
      setScope(node, inner);
    } else if (node.type === 'CatchClause') {
      inner = new Scope(scope, false);
      if (node.param) for (const id of patternNames(node.param)) { inner.bind(id.name, node.param.type === 'Identifier'); bindingIds.add(id); }
      setScope(node, inner);
      setScope(node.body, inner);
    } else if (
      (node.type === 'BlockStatement' && !scopeOf.has(node)) ||
      node.type === 'ForStatement' || node.type === 'ForInStatement' || node.type === 'ForOfStatement' ||
      node.type === 'SwitchStatement'
    ) {
      inner = new Scope(scope, false);
      setScope(node, inner);
    } else if (node.type === 'BlockStatement') {
      inner = scopeOf.get(node)!;
    }
    if (node.type === 'Program' || node.type === 'BlockStatement' || node.type === 'StaticBlock') {
      for (const stmt of node.body) declare(stmt, inner);
      // Exported declarations are nested one level.
      if (node.type === 'Program') {
        for (const stmt of node.body) {
          if ((stmt.type === 'ExportNamedDeclaration' || stmt.type === 'ExportDefaultDeclaration') && stmt.declaration) {
            declare(stmt.declaration, inner);
          }
        }
      }
    } else if (node.type === 'SwitchStatement') {
      for (const c of node.cases) for (const stmt of c.consequent) declare(stmt, inner);
    } else if (node.type === 'ForStatement' && node.init && node.init.type === 'VariableDeclaration') {
      declare(node.init, inner);
    } else if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && node.left.type === 'VariableDeclaration') {
      declare(node.left, inner);
    } else if (node.type === 'VariableDeclaration' && node.kind === 'var') {
      // `var` nested in non-block statement bodies (`if (a) var x;`, labels).
      declare(node, scope);
    }
    for (const child of children(node)) visit1(child, inner);
  };
  visit1(program, root);

  // Functions written as the callback of an array's iteration method (`xs.map((v) => v * k)`):
  // the method calls them and keeps none, so the variables they reach do not outlive the call.
  const callbacks = new Set<Node>();
  const findCallbacks = (node: Node): void => {
    if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && !node.callee.computed && node.callee.property.type === 'Identifier' && ITERATION_METHODS.has(node.callee.property.name)) {
      for (const a of node.arguments) if (a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression') callbacks.add(a as Node);
    }
    for (const child of children(node)) findCallbacks(child);
  };
  findCallbacks(program);

  // Pass 2: resolve references.
  const freeRefs = new Set<acorn.Identifier>();
  const withRefs = new Set<acorn.Identifier>();
  const declaredRefs = new Set<acorn.Identifier>();
  const hoistedRefs = new Set<acorn.Identifier>();
  const programRefs = new Set<acorn.Identifier>();
  const binderOf = new Map<acorn.Identifier, Scope>();
  /** The scope each declared identifier binds in; per scope, the names a nested function reaches. */
  const declaredIn = new Map<acorn.Identifier, Scope>();
  const captured = new Map<Scope, Set<string>>();
  const noteReach = (binder: Scope, from: Scope, name: string): void => {
    const home = binder.varScope();
    if (home === root) return;
    // (reached only through callbacks given to an array's iteration methods, which keep none)
    let s = from.varScope();
    while (s !== home && callbacks.has(ownerOf.get(s)!)) s = s.parent!.varScope();
    if (s === home) return;
    let names = captured.get(binder);
    if (names === undefined) captured.set(binder, (names = new Set()));
    names.add(name);
  };
  const writes = new Set<acorn.Identifier>();
  const assignedNames = new Set<string>();
  if (!strictProgram) for (const name of root.names) assignedNames.add(name);
  for (const stmt of program.body) {
    if (stmt.type === 'ImportDeclaration') for (const spec of stmt.specifiers) assignedNames.add(spec.local.name);
  }
  // A sloppy-mode function's `arguments` is mapped to its parameters (`arguments[0] = 1`
  // assigns the first one), so the parameters of a function that reads its own `arguments`
  // (the nearest function that is not an arrow) do not count as never assigned, wherever
  // that object goes. (Conservative: strict functions' too; by name, as assignedNames is.)
  // Any function's once made jstat's `(function (jStat, Math) { … }(jStat, Math))` a Math
  // the rewrite could not tell from another object, because some other function read its own.
  const visit2 = (node: Node, scope: Scope, inWith: boolean, fn: Node | null): void => {
    const own = scopeOf.get(node) ?? scope;
    if (isFunction(node) && node.type !== 'ArrowFunctionExpression') fn = node;
    if (node.type === 'Identifier') {
      if (bindingIds.has(node)) {
        writes.add(node);
        const binder = own.binder(node.name);
        if (binder !== null) declaredIn.set(node, binder);
        return;
      }
      if (node.name === 'arguments' && fn !== null && isFunction(fn)) for (const p of fn.params) for (const id of patternNames(p)) assignedNames.add(id.name);
      const binder = own.binder(node.name);
      if (binder === null) freeRefs.add(node);
      else {
        binderOf.set(node, binder);
        noteReach(binder, own, node.name);
        declaredRefs.add(node);
        if (binder.hoisted.has(node.name)) hoistedRefs.add(node);
        if (binder === root) programRefs.add(node);
      }
      if (inWith) withRefs.add(node);
      return;
    }
    if (node.type === 'AssignmentExpression' || node.type === 'UpdateExpression') {
      const target = node.type === 'AssignmentExpression' ? node.left : node.argument;
      for (const id of patternNames(target)) { writes.add(id); assignedNames.add(id.name); }
    }
    if ((node.type === 'ForInStatement' || node.type === 'ForOfStatement') && node.left.type !== 'VariableDeclaration') {
      for (const id of patternNames(node.left)) { writes.add(id); assignedNames.add(id.name); }
    }
    if (node.type === 'WithStatement') {
      visit2(node.object, own, inWith, fn);
      visit2(node.body, own, true, fn);
      return;
    }
    for (const child of children(node)) visit2(child, own, inWith, fn);
  };
  visit2(program, root, false, null);

  return {
    freeRefs,
    withRefs,
    writes,
    allNames,
    boundNames: new Set([...bindingIds].map((id) => id.name)),
    nonParameterNames: new Set([...bindingIds].filter((id) => !parameterIds.has(id)).map((id) => id.name)),
    assignedNames,
    isDeclared: (id) => declaredRefs.has(id) || bindingIds.has(id),
    isHoisted: (id) => hoistedRefs.has(id),
    isProgramLevel: (id) => programRefs.has(id),
    bindingOwner: (id) => {
      const binder = binderOf.get(id);
      return binder === undefined ? null : (ownerOf.get(binder) ?? null);
    },
    isCaptured: (id) => {
      const binder = binderOf.get(id) ?? declaredIn.get(id);
      if (binder === undefined) return false;
      if (captured.get(binder)?.has(id.name) === true) return true;
      const home = binder.varScope();
      const fn = home === root ? undefined : ownerOf.get(home);
      return fn !== undefined && isFunction(fn) && (fn.generator || fn.async);
    },
  };
}
