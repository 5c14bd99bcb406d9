// The playground's compiler: the user's TypeScript → one JavaScript function body that the
// worker evaluates. Three steps, each with a source map, composed so that any position in
// the final code traces back to the user's line and column:
//   1. strip TypeScript (esbuild-wasm in the browser, esbuild in Node: same API);
//   2. playground edits: imports become `__import(…)` lookups (the worker hands out
//      pre-bundled modules), `export` is dropped, and each top-level expression statement
//      is wrapped in `__show(site, …)` so its value is displayed, notebook-style;
//   3. zygote-ts's own transform, exactly as the loader and plugins run it.
// Plain JavaScript with no Node built-ins, so the page runs it as it is.
import * as acorn from 'acorn';
import MagicString from 'magic-string';
import { transform } from '../../lib/transform/transform.js';
import { composeMaps, decodeMappings, type SourceMapV3 } from '../../lib/transform/sourcemap.js';

/** esbuild's `transform(code, { ...STRIP_OPTIONS, sourcefile: filename })`, browser or Node. */
export type Strip = (source: string, filename: string) => Promise<{ code: string; map: string }>;

/** How esbuild strips TypeScript, on the page (esbuild-wasm) and when the build precompiles the examples (esbuild). */
export const STRIP_OPTIONS = { loader: 'ts', sourcemap: 'external', charset: 'utf8', target: 'es2022' } as const;

/** A top-level expression whose value the page shows (lines are 1-based, in the user's file). */
export interface ShowSite {
  line: number;
  endLine: number;
  /** The statement's source text. */
  text: string;
}

export interface Compiled {
  /** A function body; evaluate it with {@link wrapForEval}. */
  code: string;
  /** Maps `code` to the user's TypeScript. */
  map: SourceMapV3;
  sites: ShowSite[];
  /** Module specifiers the code imports, in order. */
  imports: string[];
  /** Names esbuild changed (it renames a local that shadows a top-level one: `a` → `a2`). */
  renames: Record<string, string>;
  /** The user's loops (statements, and callbacks of map/reduce/forEach…), by line: the trace graph folds their operations. */
  loops: Loop[];
}

export interface Loop {
  line: number;
  endLine: number;
  /** `for`, `while`, `.map(…)`… */
  kind: string;
}

/** A compile error at a place in the user's file (1-based line and column). */
export class CompileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'CompileError';
  }
}

export const USER_FILE = 'playground.ts';
/** The name user code runs under in stack traces (the `//# sourceURL` of the evaluated code). */
export const EVAL_URL = 'zygote-playground-user.js';
// Async, so that top-level `await` works as in a module (differentiation itself is synchronous).
const WRAP_PREFIX = '(async function (__import, __show, console) {\n';
/** Lines the wrapper puts before the body: stack line L is body line L - 1 - this (0-based). */
export const WRAP_LINES = 1;

/** The source to pass to an indirect `eval`: an async function of `(__import, __show, console)`. */
export function wrapForEval(body: string): string {
  return `${WRAP_PREFIX}${body}\n})\n//# sourceURL=${EVAL_URL}`;
}

export async function compile(source: string, strip: Strip): Promise<Compiled> {
  let stripped: { code: string; map: string };
  try {
    stripped = await strip(source, USER_FILE);
  } catch (e) {
    throw esbuildError(e);
  }
  const tsMap = JSON.parse(stripped.map) as SourceMapV3;
  tsMap.sources = [USER_FILE];
  tsMap.sourcesContent = [source];
  const js = stripped.code;

  let ast: acorn.Program;
  try {
    ast = acorn.parse(js, { ecmaVersion: 'latest', sourceType: 'module' });
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    const at = loc ? originalPosition(tsMap, loc.line - 1, loc.column) : null;
    throw new CompileError((e as Error).message.replace(/\s*\(\d+:\d+\)$/, ''), at?.line, at?.column);
  }

  const ms = new MagicString(js);
  const sites: ShowSite[] = [];
  const imports: string[] = [];
  const lines = source.split('\n');
  const site = (node: acorn.Node, first = node.start): number => {
    // `first`: where the shown expression starts. esbuild maps the `(` that opens a statement
    // such as `({ a: 1 });` to the end of the line before, so the expression's own start is
    // used: the value was shown on the previous statement's line.
    const start = originalPosition(tsMap, ...lineCol(js, first));
    const end = originalPosition(tsMap, ...lineCol(js, Math.max(node.start, node.end - 1)));
    const line = start?.line ?? 1;
    const endLine = Math.max(line, end?.line ?? line);
    sites.push({ line, endLine, text: lines.slice(line - 1, endLine).join('\n').trim() });
    return sites.length - 1;
  };
  const show = (expr: acorn.Node, stmt: acorn.Node) => {
    // (on the expression's own chunk, not before it: the imports moved to the start stay before it)
    ms.prependRight(expr.start, `__show(${site(stmt, expr.start)}, (`);
    ms.appendRight(expr.end, '))');
  };

  const helpers = esbuildHelpers(ast, source);
  const firstOther = ast.body.find((stmt) => stmt.type !== 'ImportDeclaration')?.start;
  for (const stmt of ast.body) {
    switch (stmt.type) {
      case 'ImportDeclaration': {
        const from = String(stmt.source.value);
        imports.push(from);
        // (the names it imports are checked by the worker, as Node's linker checks them: imports.ts)
        const lookup = (names: string[] = []) => `__import(${JSON.stringify(from)}${names.length > 0 ? `, ${JSON.stringify(names)}` : ''})`;
        const parts: string[] = [];
        const named: string[] = [];
        const names: string[] = [];
        for (const s of stmt.specifiers) {
          if (s.type === 'ImportNamespaceSpecifier') parts.push(`${s.local.name} = ${lookup()}`);
          else if (s.type === 'ImportDefaultSpecifier') parts.push(`${s.local.name} = ${lookup(['default'])}.default`);
          else {
            const name = s.imported.type === 'Identifier' ? s.imported.name : String(s.imported.value);
            const imported = s.imported.type === 'Identifier' ? s.imported.name : JSON.stringify(s.imported.value);
            names.push(name);
            named.push(imported === s.local.name ? imported : `${imported}: ${s.local.name}`);
          }
        }
        if (named.length > 0) parts.push(`{ ${named.join(', ')} } = ${lookup(names)}`);
        // One line, like the import it replaces, moved above the program's first other
        // statement: imports are hoisted (code above an import may use its names, and a name
        // the module does not export stops the program before any of it runs, as in Node).
        // Moved, it keeps its place in the source map.
        ms.overwrite(stmt.start, stmt.end, parts.length > 0 ? `const ${parts.join(', ')};` : `${lookup()};`);
        if (firstOther !== undefined && stmt.start > firstOther) ms.move(stmt.start, stmt.end, firstOther);
        break;
      }
      case 'ExportNamedDeclaration':
        if (stmt.declaration) ms.remove(stmt.start, stmt.declaration.start);
        else ms.remove(stmt.start, stmt.end); // `export { a }`: nothing to export to
        break;
      case 'ExportAllDeclaration':
        ms.remove(stmt.start, stmt.end);
        break;
      case 'ExportDefaultDeclaration': {
        const d = stmt.declaration;
        if ((d.type === 'FunctionDeclaration' || d.type === 'ClassDeclaration') && d.id) ms.remove(stmt.start, d.start);
        else {
          ms.remove(stmt.start, d.start);
          show(d, stmt);
        }
        break;
      }
      case 'ExpressionStatement':
        if (stmt.directive === undefined && shown(stmt.expression, helpers)) show(stmt.expression, stmt);
        break;
      default:
        break;
    }
  }
  ms.prepend('"use strict"; ');

  const edited = ms.toString();
  const editMap = JSON.parse(ms.generateMap({ hires: 'boundary', source: 'stripped.js' }).toString()) as SourceMapV3;
  const toTs = composeMaps(editMap, tsMap);
  let out;
  try {
    out = transform(edited, { filename: USER_FILE, runtime: { kind: 'global' }, commonjsRuntime: { kind: 'global' }, sourceType: 'module' });
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    const at = loc ? originalPosition(toTs, loc.line - 1, loc.column) : null;
    throw new CompileError((e as Error).message, at?.line, at?.column);
  }
  const map = out.changed && out.map ? composeMaps(out.map, toTs) : toTs;
  return { code: out.code, map, sites, imports, renames: renamed(js, tsMap), loops: loopsOf(ast, js, tsMap) };
}

const LOOP_STATEMENTS: Record<string, string> = { ForStatement: 'for', ForInStatement: 'for…in', ForOfStatement: 'for…of', WhileStatement: 'while', DoWhileStatement: 'do…while' };
const ITERATING = new Set(['map', 'reduce', 'reduceRight', 'forEach', 'filter', 'flatMap', 'some', 'every', 'find', 'findIndex']);

/** Every loop of the program with its lines in the user's file (outer loops before the loops they hold). */
function loopsOf(ast: acorn.Program, js: string, tsMap: SourceMapV3): Loop[] {
  const found: Loop[] = [];
  const add = (node: acorn.Node, kind: string) => {
    const start = originalPosition(tsMap, ...lineCol(js, node.start));
    const end = originalPosition(tsMap, ...lineCol(js, Math.max(node.start, node.end - 1)));
    if (start) found.push({ line: start.line, endLine: Math.max(start.line, end?.line ?? start.line), kind });
  };
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    if (!('type' in node) || typeof node.type !== 'string') return;
    // Every object with a string `type` in acorn's tree is one of its nodes.
    const n = node as acorn.AnyNode;
    const kind = LOOP_STATEMENTS[n.type];
    if (kind) add(n, kind);
    if (n.type === 'CallExpression') {
      const method = n.callee.type === 'MemberExpression' && n.callee.property.type === 'Identifier' ? n.callee.property.name : null;
      const callback = n.arguments.find((a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression');
      if (method !== null && ITERATING.has(method) && callback) add(callback, `.${method}(…)`);
    }
    for (const [k, v] of Object.entries(n)) if (k !== 'loc' && typeof v === 'object') visit(v);
  };
  visit(ast);
  return found;
}

/** Identifiers whose source-map segment names a different original name. */
function renamed(js: string, map: SourceMapV3): Record<string, string> {
  const out: Record<string, string> = {};
  if (map.names.length === 0) return out;
  const lines = js.split('\n');
  decodeMappings(map.mappings).forEach((segs, l) => {
    for (const seg of segs) {
      if (seg.length !== 5) continue;
      const original = map.names[seg[4]];
      const id = /^[\p{L}_$][\p{L}\p{N}_$]*/u.exec(lines[l]?.slice(seg[0]) ?? '')?.[0];
      if (original !== undefined && id !== undefined && id !== original) out[id] = original;
    }
  });
  return out;
}

/**
 * Statements whose value is worth showing: not assignments, updates, `delete` or `void`, nor
 * the statements esbuild writes for a declaration, calls of its helpers and stores into its
 * temporaries (a decorated method's `__decorateElement(…)` showed the method, `{}`, on the
 * class's line, and `_area_dec = [twice]` the decorators).
 */
function shown(e: acorn.Expression, helpers: ReadonlySet<string>): boolean {
  const esbuilds = (x: acorn.Expression): boolean =>
    (x.type === 'CallExpression' && x.callee.type === 'Identifier' && helpers.has(x.callee.name)) ||
    (x.type === 'AssignmentExpression' && x.left.type === 'Identifier' && helpers.has(x.left.name)) ||
    (x.type === 'SequenceExpression' && x.expressions.every(esbuilds));
  if (esbuilds(e)) return false;
  if (e.type === 'AssignmentExpression' || e.type === 'UpdateExpression') return false;
  if (e.type === 'UnaryExpression' && (e.operator === 'delete' || e.operator === 'void')) return false;
  return true;
}

/**
 * The helpers and temporaries esbuild declares in its output (`var __decorateElement = …`,
 * `var _init, _area_dec;`): names declared at the top level that the user's source does not have.
 */
function esbuildHelpers(ast: acorn.Program, source: string): Set<string> {
  const names = new Set<string>();
  for (const stmt of ast.body) {
    if (stmt.type !== 'VariableDeclaration' || stmt.kind !== 'var') continue;
    for (const d of stmt.declarations) if (d.id.type === 'Identifier' && !source.includes(d.id.name)) names.add(d.id.name);
  }
  return names;
}

function lineCol(code: string, offset: number): [number, number] {
  let line = 0;
  let start = 0;
  for (let i = code.indexOf('\n'); i >= 0 && i < offset; i = code.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return [line, offset - start];
}

/** The user's 1-based line and column of a 0-based generated position, or null when unmapped. */
export function originalPosition(map: SourceMapV3, line: number, column: number): { line: number; column: number } | null {
  const decoded = decodeMappings(map.mappings);
  // The last mapped segment at or before the position (earlier lines if this one has none).
  for (let l = line; l >= 0 && l >= line - 2; l--) {
    const segs = decoded[l];
    if (!segs || segs.length === 0) continue;
    let best: readonly number[] | undefined;
    for (const s of segs) {
      if (s.length < 4) continue;
      if (l < line || s[0]! <= column) best = s;
      else break;
    }
    best ??= segs.find((s) => s.length >= 4);
    if (best) return { line: best[2]! + 1, column: best[3]! + 1 };
  }
  return null;
}

/** Where in the user's file an error happened: the first stack frame in the user's code. */
export function errorPosition(stack: string, map: SourceMapV3): { line: number; column: number } | null {
  const re = new RegExp(`${EVAL_URL.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`, 'g');
  for (const m of stack.matchAll(re)) {
    const line = Number(m[1]) - 1 - WRAP_LINES;
    if (line < 0) continue;
    const at = originalPosition(map, line, Number(m[2]) - 1);
    if (at) return at;
  }
  return null;
}

/**
 * `text` (a message: a warning, an error) with each place in the evaluated code
 * (`zygote-playground-user.js:L:C`, as the library's messages name the line that lost a
 * derivative) as the place in the user's file (`playground.ts:L:C`): the evaluated code's
 * lines and columns are not the editor's, and no line of the user's file had that number.
 */
export function userPlaces(text: string, map: SourceMapV3): string {
  return text.replace(new RegExp(`${EVAL_URL.replace(/[.]/g, '\\.')}:(\\d+):(\\d+)`, 'g'), (place, line: string, column: string) => {
    const at = Number(line) - 1 - WRAP_LINES >= 0 ? originalPosition(map, Number(line) - 1 - WRAP_LINES, Number(column) - 1) : null;
    return at ? `${USER_FILE}:${at.line}:${at.column}` : place;
  });
}

/** esbuild's error (`errors[0].location`: 1-based line, 0-based byte column) as a CompileError. */
function esbuildError(e: unknown): CompileError {
  const first = (e as { errors?: { text: string; location?: { line: number; column: number; lineText: string } | null }[] }).errors?.[0];
  if (!first) return new CompileError(e instanceof Error ? e.message : String(e));
  const loc = first.location;
  if (!loc) return new CompileError(first.text);
  // esbuild counts the column in UTF-8 bytes; the editor counts UTF-16 units.
  const bytes = new TextEncoder().encode(loc.lineText).slice(0, loc.column);
  const column = new TextDecoder().decode(bytes).length + 1;
  return new CompileError(first.text, loc.line, column);
}
