/**
 * Minimal AST helpers over acorn's ESTree types: a typed child iterator and the
 * small syntactic predicates the rewriters share. Hand-written instead of
 * acorn-walk so that we control exactly which positions are visited (property
 * keys, labels and the like are names, not expressions, and must never be
 * rewritten).
 */
import type * as acorn from 'acorn';

export type Node = acorn.AnyNode;
export type NodeOf<T extends Node['type']> = Extract<Node, { type: T }>;

/** A function declaration, expression or arrow (each has its own scope, `this` aside). */
export function isFunction(node: Node): node is acorn.Function & Node {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/**
 * Whether `node` has a part that `test` picks in its function's own scope of `this` and
 * `arguments`: arrows and classes inside count, other functions do not.
 */
export function readsOwn(node: Node, test: (n: Node) => boolean): boolean {
  if (test(node)) return true;
  if (isFunction(node) && node.type !== 'ArrowFunctionExpression') return false;
  return children(node).some((child) => readsOwn(child, test));
}

/** Narrowing helper: `is(n, 'Identifier')`. */
export function is<T extends Node['type']>(node: Node | null | undefined, type: T): node is NodeOf<T> {
  return node != null && node.type === type;
}

function isNodeLike(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/**
 * The child nodes of `node` that are code positions, in source order.
 * Name-only positions (non-computed member properties and object/class keys,
 * labels, `import.meta`'s parts, import/export specifier names) are omitted,
 * so every Identifier reached through this function is either a reference or a
 * binding, never a property name.
 */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  const push = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const item of v) if (isNodeLike(item)) out.push(item);
    } else if (isNodeLike(v)) out.push(v);
  };
  switch (node.type) {
    case 'MemberExpression':
      push(node.object);
      if (node.computed) push(node.property);
      return out;
    case 'Property':
      // A shorthand `{ x }` has distinct key and value nodes over the same range;
      // only the value is code.
      if (node.computed) push(node.key);
      push(node.value);
      return out;
    case 'MethodDefinition':
    case 'PropertyDefinition':
      if (node.computed) push(node.key);
      push(node.value);
      return out;
    case 'LabeledStatement':
      push(node.body);
      return out;
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
    case 'PrivateIdentifier':
    case 'Identifier':
    case 'Literal':
    case 'ThisExpression':
    case 'Super':
    case 'TemplateElement':
    case 'EmptyStatement':
    case 'DebuggerStatement':
      return out;
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
      push(node.local);
      return out;
    case 'ExportSpecifier':
      // `export { a as b }`: `a` is a reference to a local; `b` is a name.
      push(node.local);
      return out;
    default:
      break;
  }
  // Generic: every own property holding a node or node array, in key order.
  // acorn creates properties in source order for all remaining node kinds.
  const record = node as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
    push(record[key]);
  }
  // TaggedTemplate/Template: keep source order (quasis and expressions interleave).
  if (node.type === 'TemplateLiteral') out.sort((a, b) => a.start - b.start);
  return out;
}

/** A number literal (including `-0`-style constants handled by callers). */
export function isNumericLiteral(node: Node): boolean {
  return node.type === 'Literal' && (typeof node.value === 'number' || typeof node.bigint === 'string');
}

/** Numeric literal possibly under unary minus/plus: `1`, `-1`, `+2n`. */
export function isConstantNumber(node: Node): boolean {
  if (isNumericLiteral(node)) return true;
  return node.type === 'UnaryExpression' && (node.operator === '-' || node.operator === '+') && isNumericLiteral(node.argument);
}

const booleanBinary = new Set(['==', '!=', '===', '!==', '<', '<=', '>', '>=', 'in', 'instanceof']);

/**
 * True when `node` always evaluates to a primitive boolean, whatever its operands
 * are: such tests need no `__zy.truthy` because native truthiness is exact.
 */
export function isSyntacticBoolean(node: Node): boolean {
  switch (node.type) {
    case 'Literal':
      return typeof node.value === 'boolean';
    case 'BinaryExpression':
      return booleanBinary.has(node.operator);
    case 'UnaryExpression':
      return node.operator === '!' || node.operator === 'delete';
    case 'LogicalExpression':
      return node.operator !== '??' && isSyntacticBoolean(node.left) && isSyntacticBoolean(node.right);
    case 'SequenceExpression':
      return isSyntacticBoolean(node.expressions[node.expressions.length - 1]!);
    case 'AssignmentExpression':
      return node.operator === '=' && isSyntacticBoolean(node.right);
    case 'ConditionalExpression':
      return isSyntacticBoolean(node.consequent) && isSyntacticBoolean(node.alternate);
    default:
      return false;
  }
}

/**
 * Literals that can never equal a number (traced or not) under `===`, and that
 * make `==` against `null`/`undefined` exact natively: comparisons against them
 * stay native. Strings are excluded for `==` (`x == "5"` coerces).
 */
export function isNonNumericConstant(node: Node, loose: boolean): boolean {
  if (node.type === 'Literal') {
    if (node.value === null && !('regex' in node && node.regex)) return true;
    if (loose) return false;
    return typeof node.value === 'string' || typeof node.value === 'boolean';
  }
  if (!loose && node.type === 'TemplateLiteral') return node.expressions.length === 0;
  if (node.type === 'UnaryExpression' && node.operator === 'void') return true;
  if (!loose && node.type === 'UnaryExpression' && node.operator === 'typeof') return true;
  return false;
}

/** A name a module imports: what it is called where it comes from (null: a default or namespace import), and from where. */
export interface ImportedName {
  readonly imported: string | null;
  readonly source: string;
}

const importsByProgram = new WeakMap<Node, ReadonlyMap<string, ImportedName>>();

/**
 * The module `require('m')` names, also as compilers to CommonJS wrap it (esbuild's
 * `__toESM(require('m'))`, TypeScript's `__importStar`/`__importDefault`, Babel's
 * `_interopRequireDefault`/`_interopRequireWildcard`), a require made by `createRequire`
 * (`createRequire(import.meta.url)('m')`, or under a name of `requires`), and `await import('m')`; or null.
 */
export function loadedSource(init: Node | null | undefined, requires: ReadonlySet<string> = NO_NAMES): string | null {
  if (init?.type === 'AwaitExpression') {
    const loaded = init.argument as Node;
    return loaded.type === 'ImportExpression' && loaded.source.type === 'Literal' && typeof loaded.source.value === 'string' ? loaded.source.value : null;
  }
  if (init?.type !== 'CallExpression') return null;
  const [first] = init.arguments;
  const callee = init.callee as Node;
  if ((callee.type === 'Identifier' && (callee.name === 'require' || requires.has(callee.name))) || isCreateRequire(callee)) {
    return init.arguments.length === 1 && first?.type === 'Literal' && typeof first.value === 'string' ? first.value : null;
  }
  if (callee.type !== 'Identifier') return null;
  return /^(?:__toESM|__importStar|__importDefault|_interopRequireDefault|_interopRequireWildcard)$/.test(callee.name) ? loadedSource(first as Node | undefined, requires) : null;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** `createRequire(…)` or `module.createRequire(…)` (node:module's), called. */
export function isCreateRequire(node: Node | null | undefined): boolean {
  if (node?.type !== 'CallExpression') return false;
  const callee = node.callee as Node;
  if (callee.type === 'Identifier') return callee.name === 'createRequire';
  return callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier' && callee.property.name === 'createRequire';
}

/**
 * The names a program imports, by local name (read once per program): `import` declarations,
 * the program-level `const m = require('m')` and `const { f, g: h } = require('m')` (a require
 * made by `createRequire` too, and `await import('m')`)
 * (what code compiled from `import` declarations to CommonJS writes too), and program-level
 * constants taken from an imported namespace (`const { mean } = ss`, `const mean = ss.mean`).
 */
export function importsOf(program: Node): ReadonlyMap<string, ImportedName> {
  let names = importsByProgram.get(program);
  if (names === undefined) {
    const found = new Map<string, ImportedName>();
    if (program.type === 'Program') {
      // (`const req = createRequire(import.meta.url)`: a require of the file's own)
      const requires = new Set<string>();
      for (const statement of program.body) {
        if (statement.type !== 'VariableDeclaration') continue;
        for (const d of statement.declarations) if (d.id.type === 'Identifier' && isCreateRequire(d.init as Node | null | undefined)) requires.add(d.id.name);
      }
      for (const statement of program.body) {
        if (statement.type === 'VariableDeclaration') {
          for (const d of statement.declarations) {
            const source = loadedSource(d.init as Node | null | undefined, requires);
            if (source === null) continue;
            if (d.id.type === 'Identifier') found.set(d.id.name, { imported: null, source });
            else if (d.id.type === 'ObjectPattern') {
              for (const p of d.id.properties) {
                if (p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && p.value.type === 'Identifier') found.set(p.value.name, { imported: p.key.name, source });
              }
            }
          }
        }
        if (statement.type !== 'ImportDeclaration') continue;
        const source = String(statement.source.value);
        for (const s of statement.specifiers) {
          const imported = s.type === 'ImportSpecifier' && s.imported.type === 'Identifier' ? s.imported.name : null;
          found.set(s.local.name, { imported, source });
        }
      }
      // Program-level names taken from an imported namespace: `const { mean } = ss`, `const mean = ss.mean`.
      for (const statement of program.body) {
        if (statement.type !== 'VariableDeclaration' || statement.kind !== 'const') continue;
        for (const d of statement.declarations) {
          const init = d.init as Node | null | undefined;
          if (d.id.type === 'ObjectPattern' && init?.type === 'Identifier') {
            const ns = found.get(init.name);
            if (ns === undefined || ns.imported !== null) continue;
            for (const p of d.id.properties) {
              if (p.type === 'Property' && !p.computed && p.key.type === 'Identifier' && p.value.type === 'Identifier') found.set(p.value.name, { imported: p.key.name, source: ns.source });
            }
          } else if (d.id.type === 'Identifier' && init?.type === 'MemberExpression' && !init.computed && init.object.type === 'Identifier' && init.property.type === 'Identifier') {
            const ns = found.get(init.object.name);
            if (ns !== undefined && ns.imported === null) found.set(d.id.name, { imported: init.property.name, source: ns.source });
          }
        }
      }
    }
    importsByProgram.set(program, (names = found));
  }
  return names;
}

/**
 * The name a member reads where the source fixes it: `m` of `r.m`, `r['m']` and ``r[`m`]``
 * (a literal key is the same method: `m['has'](x)` searches as `m.has(x)` does); else null.
 */
export function memberName(node: acorn.MemberExpression): string | null {
  const key = node.property;
  if (!node.computed) return key.type === 'Identifier' ? key.name : null;
  if (key.type === 'Literal') return typeof key.value === 'string' ? key.value : null;
  return key.type === 'TemplateLiteral' && key.expressions.length === 0 ? (key.quasis[0]!.value.cooked ?? null) : null;
}
