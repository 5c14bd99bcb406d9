// The transform itself, in plain JavaScript (acorn + magic-string): no Node built-ins, so
// it also runs in a browser. TypeScript stripping, which needs esbuild, is in typescript.ts.
import { children, isFunction, readsOwn, type Node } from './ast.js';
import { parse, type Parsed } from './parse.js';
import { hasIgnorePragma } from './pragma.js';
import {
  EPILOGUE,
  REWRITTEN_MARKER,
  prologue,
  type RuntimeBinding,
} from './prologue.js';
import { rewriteProgram } from './rewrite.js';
import { analyzeScopes, looksCommonJs } from './scope.js';
import type { SourceMapV3 } from './sourcemap.js';
import { canMarkTwoBodies, expandTwoBodies } from './two-bodies.js';

/** Options of {@link transform}. */
export interface TransformOptions {
  /** File name recorded in the source map (and used in error messages). */
  filename?: string;
  /**
   * How the rewritten file binds `__zy`. Default: `import { __zy } from
   * "zygote-ts/runtime"`. Code that only parses as a script (CommonJS, sloppy
   * code) always uses `{ kind: 'global' }`, as it cannot `import`.
   */
  runtime?: RuntimeBinding;
  /**
   * Binding for code that is CommonJS: it parses only as a script, or it has
   * no import/export and uses `require`, `module` or `exports` freely.
   * Default `{ kind: 'global' }`.
   */
  commonjsRuntime?: RuntimeBinding;
  /** Produce a source map (default `true`). */
  sourceMap?: boolean;
  /** Parse goal; `'auto'` (default) tries module, then script. */
  sourceType?: 'module' | 'script' | 'auto';
  /**
   * Emit the plain-number fast path inline at each site:
   * `(typeof a === "number" && typeof b === "number" ? a * b : __zy.mul(a, b))`,
   * for `+ - * / % **`, `< <= > >=`, `== != === !==`, unary `-`/`+`,
   * `typeof`, calls of the global `Math`'s functions, and `++`/`--` and
   * arithmetic compound assignments on local variables. Each site then has
   * its own V8 type feedback instead of sharing the runtime function's.
   * Default {@link DEFAULT_INLINE_FAST_PATHS}.
   */
  inlineFastPaths?: boolean;
  /**
   * The code is run by a direct `eval` (a script): a name it does not declare may be a
   * local of the code calling `eval`, not a global, and a `var` it declares may land in
   * the caller's scope (sloppy mode), so it declares no temporaries of its own at its top.
   */
  directEval?: boolean;
  /**
   * Write each rewritten function's body twice, one copy run while a differentiation is
   * under way and one otherwise, so that plain numbers keep fast code after a gradient
   * (see two-bodies.ts). The copies move the lines after them, so the default is to
   * write them where a source map carries positions back (`sourceMap` on); without one,
   * every line stays where it was, and stack traces name the right lines.
   */
  twoBodies?: boolean;
  /**
   * Mark where the file's code ends as well as where it starts (`__zy.rewritten(0)` …
   * `__zy.rewritten(1)`), for a bundler: a bundle puts files that were rewritten and files
   * that were not (a package left out of `include`) into one file, and a stack frame names
   * only that file and a place in it. Without the marks, a package's `x * 3` on a traced
   * number was taken for rewritten code's, and its derivative was lost without a word
   * (lib/escapes.ts). Default false: a file loaded on its own is rewritten as a whole.
   */
  marksEnd?: boolean;
  /**
   * Relative specifiers the file imports (`'./helper.js'`) whose files are not rewritten (they
   * start with `// @zygote-ignore`): calls of their functions are checked as calls into a package
   * left out of `include` are (rewrite-imports.ts). The loader finds them (node-source.ts).
   */
  ignoredImports?: ReadonlySet<string>;
}

/** Default of {@link TransformOptions.inlineFastPaths}. */
export const DEFAULT_INLINE_FAST_PATHS = true;

/** Result of {@link transform}. */
export interface TransformResult {
  code: string;
  /** Maps the output to the input; `null` when unchanged or not requested. */
  map: SourceMapV3 | null;
  /** False when the input was returned as is (nothing to rewrite, already rewritten, or `@zygote-ignore`). */
  changed: boolean;
}

export const DEFAULT_RUNTIME: RuntimeBinding = { kind: 'import', specifier: 'zygote-ts/runtime' };

/**
 * The `return` statements of a CommonJS file's own code, outside every function. A file that
 * returns early (`if (loaded) return;`) never reached its end mark: the start mark stayed open,
 * every file after it in the bundle was taken for rewritten code, and a package's `x * 3`
 * there lost its derivative without a word (gradient 1 where it is 4). Each such return marks
 * the end first. (Its functions declared below the return then count as code that was not
 * rewritten: an error where a traced number is converted there, never a silent loss.)
 */
function topLevelReturns(node: Node, out: Node[] = []): Node[] {
  if (node.type === 'ReturnStatement') out.push(node);
  for (const child of children(node)) if (!isFunction(child)) topLevelReturns(child, out);
  return out;
}

/** The prologue's marker comment is present (a real comment, not text inside a string). */
function isAlreadyRewritten(code: string, parsed: Parsed): boolean {
  return code.includes(REWRITTEN_MARKER) && parsed.comments.some((c) => c.value === REWRITTEN_MARKER);
}

/**
 * Rewrite JavaScript source for differentiation.
 *
 * @example
 * ```ts
 * import { transform } from 'zygote-ts/transform';
 * const out = transform('if (x) y = -x * 2;', { runtime: { kind: 'global' }, inlineFastPaths: false });
 * out.code;    // 'var __zy = globalThis[…]; … if (__zy.truthy(x)) y = __zy.mul(__zy.neg(x) , 2);'
 * out.changed; // true
 * ```
 */
export function transform(code: string, options: TransformOptions = {}): TransformResult {
  const unchanged: TransformResult = { code, map: null, changed: false };
  if (hasIgnorePragma(code)) return unchanged;
  const parsed = parse(code, options.sourceType ?? 'auto');
  if (isAlreadyRewritten(code, parsed)) return unchanged;
  const directEval = options.directEval === true;
  const result = rewriteProgram(code, parsed, {
    inlineFastPaths: options.inlineFastPaths ?? DEFAULT_INLINE_FAST_PATHS,
    programTemps: !directEval,
    freeNamesMayBeLocal: directEval,
    twoBodies: (options.twoBodies ?? options.sourceMap !== false) && canMarkTwoBodies(code),
    // (a global the file calls may be code that was not rewritten: a script, an ignored file)
    checkFreeCalls: 'given',
    ignoredImports: options.ignoredImports,
  });
  const { ed } = result;
  if (!ed.s.hasChanged()) return unchanged;
  const binding: RuntimeBinding = looksCommonJs(parsed.ast, parsed.sourceType, result.scope)
    ? options.commonjsRuntime ?? { kind: 'global' }
    : options.runtime ?? DEFAULT_RUNTIME;
  const marksEnd = options.marksEnd === true && !directEval;
  // (only a script can return; before the prologue: a return that starts the file must not take the prologue into its block)
  if (marksEnd && parsed.sourceType === 'script') for (const ret of topLevelReturns(parsed.ast)) ed.wrap(ret, '{ (0, __zy.rewritten)(1); ', ' }');
  const text = prologue(binding, result.programTemps, marksEnd, result.scope.boundNames);
  if (result.afterDirective) ed.suffix(result.prologueAt, ` ${text}`);
  else ed.prefix(result.prologueAt, text);
  // (on a line of its own: the file may end in a line comment)
  if (marksEnd) ed.s.append(EPILOGUE);
  // A byte order mark before a hashbang: Node drops it from a module's bytes, not from the
  // text a loader hands back, where the hashbang would no longer come first.
  if (code.startsWith('\uFEFF#!')) ed.s.remove(0, 1);
  const filename = options.filename ?? 'input.js';
  let map: SourceMapV3 | null = null;
  if (options.sourceMap !== false) {
    map = JSON.parse(ed.s.generateMap({ hires: 'boundary', includeContent: true }).toString()) as SourceMapV3;
    // The source is the file itself, named as the caller names it (absolute for the plugins).
    map.sources = [filename];
    map.file = filename;
  }
  return { ...expandTwoBodies(ed.s.toString(), map), changed: true };
}

/**
 * Rewrite a script's source as code given to a direct `eval` runs it: as a script, reading
 * the runtime from its global (which it reaches from any scope).
 *
 * @example
 * ```ts
 * import { transformScript } from 'zygote-ts/transform';
 * transformScript('a * b'); // 'var __zy = globalThis[…]; … (typeof a === "number" && … ? a * b : __zy.mul(a, b))'
 * ```
 */
export function transformScript(code: string, options: { directEval?: boolean } = {}): string {
  return transform(code, { sourceType: 'script', runtime: { kind: 'global' }, sourceMap: false, directEval: options.directEval ?? false }).code;
}

interface FunctionParse {
  parsed: Parsed;
  /** The wrapped source that was parsed. */
  code: string;
  /** `(src)` parsed as a function expression, or `({src})` as a method. */
  kind: 'expression' | 'method';
}

/** Parse the `toString()` of a function, whatever its form. */
function parseFunctionSource(src: string): FunctionParse {
  const attempts: [FunctionParse['kind'], string, string][] = [
    ['expression', '(', ')'],
    ['method', '({', '})'],
  ];
  let firstError: unknown;
  for (const [kind, open, close] of attempts) {
    try {
      const code = `${open}${src}\n${close};`;
      return { parsed: parse(code, 'auto'), code, kind };
    } catch (e) {
      firstError ??= e;
    }
  }
  throw firstError;
}

/** Options of {@link transformFunctionSource}. */
export interface FunctionSourceOptions {
  /**
   * Check each call of a name the function does not declare (`helper(x)`: a global) as a call
   * into a package that was not rewritten is checked (lib/imported.ts), for code compiled from
   * text, whose helpers may not be rewritten either (a file's are always). Default false: whether
   * a function needs its rewrite is asked so (lib/rewritten.ts), and a call of a global alone
   * does not make one.
   */
  checkFreeCalls?: boolean;
}

/**
 * Rewrite the source of a single function (as given by `f.toString()`: arrow,
 * function expression, async/generator function, or method shorthand
 * `foo(x) {…}`) into an expression that evaluates to the rewritten function.
 * The output refers to a free `__zy` (no prologue); evaluate it with
 * `new Function('__zy', 'return (' + out + ')')(runtime)`.
 *
 * @example
 * ```ts
 * import { transformFunctionSource } from 'zygote-ts/transform';
 * const src = transformFunctionSource(((x: number) => x * x).toString());
 * const f = new Function('__zy', 'return (' + src + ')')(__zy);
 * ```
 */
export function transformFunctionSource(src: string, options: Pick<TransformOptions, 'inlineFastPaths'> & FunctionSourceOptions = {}): string {
  const { parsed, code, kind } = parseFunctionSource(src);
  // One body: a function recompiled from its text is the API's own copy, run only while tracing.
  const result = rewriteProgram(code, parsed, {
    inlineFastPaths: options.inlineFastPaths ?? DEFAULT_INLINE_FAST_PATHS,
    programTemps: false,
    freeNamesMayBeLocal: false,
    twoBodies: false,
    checkFreeCalls: options.checkFreeCalls ?? false,
  });
  const stmt = parsed.ast.body[0];
  if (!stmt || stmt.type !== 'ExpressionStatement') throw new Error('zygote-ts: not a function source');
  if (result.programTemps.length > 0) throw new Error('zygote-ts: unexpected program-level temporaries in a function source');
  const text = result.ed.text(stmt.expression);
  if (kind === 'expression') return text;
  return `((o) => o[Reflect.ownKeys(o)[0]])(${text})`;
}

/**
 * Identifiers a function source reads without binding them itself (free
 * variables), in order of first use, then what it reads of the function or object
 * it was written in: `this` when the function is an arrow that reads its
 * surroundings', and `super` when it is a method that reads its home object's
 * (which its text does not hold; an arrow with `super` or `new.target` does not
 * parse on its own). The gradient API recompiles a function from `f.toString()`
 * only when each of these is a global.
 *
 * @example
 * ```ts
 * import { freeVariables } from 'zygote-ts/transform';
 * freeVariables('(x) => Math.sin(x) * k');   // ['Math', 'k']
 * freeVariables('(x) => this.k * x');        // ['this']
 * freeVariables('m(x) { return super.k * x }'); // ['super']
 * ```
 */
export function freeVariables(src: string): string[] {
  const { parsed, kind } = parseFunctionSource(src);
  const info = analyzeScopes(parsed.ast, parsed.sourceType);
  const seen = new Set<string>();
  const ordered = [...info.freeRefs].sort((a, b) => a.start - b.start);
  for (const id of ordered) seen.add(id.name);
  const fn = parsedFunction(parsed, kind);
  if (fn === undefined) return [...seen];
  const readsItsOwn = (test: (n: Node) => boolean) => children(fn).some((c) => readsOwn(c, test));
  if (fn.type === 'ArrowFunctionExpression' && readsItsOwn((n) => n.type === 'ThisExpression')) seen.add('this');
  // (recompiled, a method's `super` is Object.prototype's: `super.k * x` read undefined, or a default)
  if (readsItsOwn((n) => n.type === 'Super')) seen.add('super');
  return [...seen];
}

/** The function a parsed function source is: the expression, or the method of `({ m() {} })`. */
function parsedFunction(parsed: Parsed, kind: FunctionParse['kind']): Node | undefined {
  const stmt = parsed.ast.body[0];
  if (stmt?.type !== 'ExpressionStatement') return undefined;
  if (kind === 'expression') return stmt.expression;
  const object = stmt.expression;
  const method = object.type === 'ObjectExpression' ? object.properties[0] : undefined;
  return method?.type === 'Property' ? method.value : undefined;
}

/**
 * Whether a function source means something else as strict mode code than as sloppy code,
 * where the function itself cannot say which it is (an arrow or a method; an ordinary
 * function can: see lib/rewritten.ts): a function nested in it, outside any class, that
 * reads its own `this` (a plain call's is undefined only in strict code) or `arguments`
 * (which aliases the parameters only in sloppy code).
 *
 * @example
 * ```ts
 * import { strictnessMatters } from 'zygote-ts/transform';
 * strictnessMatters('(x) => { function g(a) { arguments[0] = 2; return a } return g(x) }'); // true
 * strictnessMatters('function (x) { function g(a) { return this } return g(x) }');        // false: f can say
 * ```
 */
export function strictnessMatters(src: string): boolean {
  const { parsed, kind } = parseFunctionSource(src);
  const stmt = parsed.ast.body[0];
  if (stmt?.type !== 'ExpressionStatement') return false;
  const fn = stmt.expression;
  if (kind === 'expression' && fn.type === 'FunctionExpression' && !fn.generator && !fn.async) return false;
  return children(fn).some(nestedReadsOwnThisOrArguments);
}

function nestedReadsOwnThisOrArguments(node: Node): boolean {
  if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') return false; // class code is strict
  const readsOwnThisOrArguments = (n: Node): boolean =>
    n.type === 'ThisExpression' || (n.type === 'Identifier' && n.name === 'arguments');
  if (isFunction(node) && node.type !== 'ArrowFunctionExpression' && children(node).some((c) => readsOwn(c, readsOwnThisOrArguments))) return true;
  return children(node).some(nestedReadsOwnThisOrArguments);
}

export { isRewritten, mayNeedRewrite } from './recognize.js';
