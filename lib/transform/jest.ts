/**
 * zygote-ts/jest: a Jest transformer that strips TypeScript (esbuild, under the file's
 * nearest tsconfig.json, as the Node loader strips it) and rewrites user files for
 * differentiation, for Jest's default CommonJS mode and for its ES modules
 * (`node --experimental-vm-modules`, with `extensionsToTreatAsEsm`).
 *
 * Files under node_modules are rewritten only for the packages the `include` option names
 * (else `ZYGOTE_INCLUDE`, as for the loader), and Jest hands them to a transformer only where
 * `transformIgnorePatterns` lets it. In CommonJS mode Jest cannot `require` an ES module
 * before Node 24.9, so zygote-ts's own modules (ES modules) go through the transformer too,
 * converted to CommonJS and not rewritten: `transformIgnorePatterns` must let them through.
 *
 * @example
 * ```js
 * // jest.config.js
 * export default {
 *   transform: { '\\.[cm]?[jt]sx?$': 'zygote-ts/jest' },
 *   transformIgnorePatterns: ['/node_modules/(?!zygote-ts/)'],
 * };
 * ```
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rewriteWithRuntime } from './bundler.js';
import { transformVersion } from './cache.js';
import { includeFromEnv, isOwnFile, isTypeScriptFile, nodeModulesPackage, PACKAGE_ROOT, RUNTIME_PATH, shouldRewrite, type FileFilter } from './filter.js';
import type * as acorn from 'acorn';
import MagicString from 'magic-string';
import { loadFailure } from './load-errors.js';
import { parse } from './parse.js';
import { compiledTypeScript, tsconfigKey } from './node-source.js';
import { ignoredImportsOf, ignoredKey } from './ignored-imports.js';
import type { RuntimeBinding } from './prologue.js';
import { composeMaps, type SourceMapV3 } from './sourcemap.js';
import { transform, type TransformResult } from './transform.js';
import { hasModuleSyntax, nearestTsconfig } from './tsconfig.js';
import { esModuleAsCommonJs, transformStripped } from './typescript.js';

export interface ZygoteJestOptions {
  /** Packages under node_modules to rewrite too (`'*'` for all). Default: `ZYGOTE_INCLUDE`'s, else none. */
  include?: string[];
  /** Files to leave alone, as path substrings (Jest's config carries no RegExp to its workers). */
  exclude?: string[];
}

/** The part of Jest's transform options this transformer reads (no dependency on Jest's types). */
export interface JestTransformOptions {
  /** Whether Jest loads this file as an ES module (`--experimental-vm-modules`, and an `.mjs` file or one of `extensionsToTreatAsEsm`). */
  supportsStaticESM?: boolean;
  /** Whether Jest instruments the output for coverage (it does so itself: this transformer does not). */
  instrument?: boolean;
}

/** A Jest transformer (`SyncTransformer` in Jest's types). */
export interface ZygoteJestTransformer {
  canInstrument: false;
  process(code: string, path: string, options: JestTransformOptions): { code: string; map: SourceMapV3 | null };
  processAsync(code: string, path: string, options: JestTransformOptions): Promise<{ code: string; map: SourceMapV3 | null }>;
  getCacheKey(code: string, path: string, options: JestTransformOptions): string;
}

/** zygote-ts's version, from its package.json. */
function ownVersion(): string {
  try {
    return String((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    return '?';
  }
}

/**
 * How a file Jest loads takes the runtime: by import of its path in an ES module; by `require`
 * in CommonJS, so that the runtime is the instance Jest's registry gives the test's own
 * `require('zygote-ts')` (a global set by the loader's Node does not reach Jest's sandbox).
 */
function bindings(module: string, esm: boolean, ignoredImports: ReadonlySet<string>): { runtime: RuntimeBinding; commonjsRuntime: RuntimeBinding; ignoredImports: ReadonlySet<string> } {
  const required = { kind: 'require', specifier: module } as const;
  return { runtime: esm ? { kind: 'import', specifier: module } : required, commonjsRuntime: required, ignoredImports };
}

/** The `jest` calls babel-jest and ts-jest move above a file's imports. */
const HOISTED = new Set(['mock', 'unmock', 'deepUnmock', 'enableAutomock', 'disableAutomock']);

/** A `require("@jest/globals")` (esbuild's `__toESM(require(…))` too): where `import { jest } from '@jest/globals'` went. */
const JEST_GLOBALS = /^(?:__toESM\()?require\(["']@jest\/globals["']\)/;

/**
 * The name of the `@jest/globals` binding a hoisted call reads `jest` from (`import_globals`
 * in `import_globals.jest.mock(…)`), '' for the global `jest`, or null: not such a call.
 * Chains (`jest.mock(a).mock(b)`) count.
 */
function hoistedCall(node: acorn.Node, globals: ReadonlyMap<string, acorn.Node>): string | null {
  if (node.type !== 'CallExpression') return null;
  const callee = (node as acorn.CallExpression).callee;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.type !== 'Identifier' || !HOISTED.has(callee.property.name)) return null;
  const object = callee.object;
  if (object.type === 'Identifier' && object.name === 'jest') return '';
  if (object.type === 'MemberExpression' && !object.computed && object.property.type === 'Identifier' && object.property.name === 'jest' && object.object.type === 'Identifier' && globals.has(object.object.name)) return object.object.name;
  return hoistedCall(object, globals);
}

/**
 * CommonJS output with its `jest.mock(…)` calls (and `unmock`, `enableAutomock`, …) moved above
 * its first `require`, as babel-jest and ts-jest move them: an import compiled to `require` ran
 * before a `jest.mock` written under it, and the test silently got the real module. A
 * `@jest/globals` import the calls read `jest` from moves with them. Every line stays where it
 * was (a moved call joins the line it is moved to); the map follows.
 */
function withJestCallsHoisted(out: { code: string; map: SourceMapV3 | null }, path: string): { code: string; map: SourceMapV3 | null } {
  if (!/\bjest\s*\.\s*(?:mock|unmock|deepUnmock|enableAutomock|disableAutomock)\b/.test(out.code)) return out;
  const { ast } = parse(out.code, 'script');
  const text = (node: acorn.Node) => out.code.slice(node.start, node.end);
  const globals = new Map<string, acorn.Node>();
  const calls: { statement: acorn.Node; from: string }[] = [];
  let firstRequire: acorn.Node | undefined;
  for (const statement of ast.body) {
    if (statement.type === 'VariableDeclaration' && statement.declarations.length === 1) {
      const [declarator] = statement.declarations;
      if (declarator!.id.type === 'Identifier' && declarator!.init && JEST_GLOBALS.test(text(declarator!.init))) {
        globals.set(declarator!.id.name, statement);
        continue;
      }
    }
    const from = statement.type === 'ExpressionStatement' ? hoistedCall(statement.expression, globals) : null;
    if (from !== null) calls.push({ statement, from });
    // (not the prologue's require of the runtime: it must stay first)
    else if (firstRequire === undefined && /\brequire\s*\(/.test(text(statement)) && !text(statement).startsWith('var __zy = ')) firstRequire = statement;
  }
  const to = firstRequire?.start;
  // (`@jest/globals` above it stays there; one under it moves with the calls that read it)
  if (to === undefined || calls.every(({ statement }) => statement.start < to)) return out;
  const s = new MagicString(out.code);
  const moved = new Set<acorn.Node>();
  for (const { statement, from } of calls) {
    const binding = from === '' ? undefined : globals.get(from);
    for (const node of [binding, statement]) {
      if (node === undefined || node.start < to || moved.has(node)) continue;
      moved.add(node);
      s.move(node.start, node.end, to);
    }
  }
  const code = s.toString();
  const hoisting = JSON.parse(s.generateMap({ hires: 'boundary', source: path, includeContent: false }).toString()) as SourceMapV3;
  return { code, map: out.map === null ? { ...hoisting, sources: [path], sourcesContent: [out.code] } : composeMaps(hoisting, out.map) };
}

/**
 * Create the transformer (Jest calls this with the options given beside it:
 * `transform: { '\\.[cm]?[jt]sx?$': ['zygote-ts/jest', { include: ['simple-statistics'] }] }`).
 */
export function createTransformer(options: ZygoteJestOptions = {}): ZygoteJestTransformer {
  const filter: FileFilter = { include: options.include ?? includeFromEnv(), exclude: options.exclude ?? [] };
  const version = `${ownVersion()}\0${transformVersion()}\0${RUNTIME_PATH}\0${JSON.stringify(filter)}`;

  function compile(code: string, path: string, esm: boolean): TransformResult {
    const rewrite = shouldRewrite(path, filter);
    const ignoredImports = rewrite ? ignoredImportsOf(path, code) : new Set<string>();
    if (isTypeScriptFile(path)) {
      const tsconfig = nearestTsconfig(path);
      return rewriteWithRuntime(RUNTIME_PATH, (module) => compiledTypeScript(path, code, tsconfig, rewrite ? bindings(module, esm, ignoredImports) : null, esm ? undefined : 'cjs'));
    }
    // Jest's CommonJS runs no import or export: a file not rewritten (zygote-ts's own, one that
    // starts with @zygote-ignore, an excluded one) is still made CommonJS, as babel-jest makes it.
    const asCommonJs = (out: TransformResult): TransformResult =>
      esm || out.changed || !(isOwnFile(path) || hasModuleSyntax(code)) ? out : esModuleAsCommonJs(code, path);
    if (!rewrite) return asCommonJs({ code, map: null, changed: false });
    try {
      return rewriteWithRuntime(RUNTIME_PATH, (module) => {
        const binding = bindings(module, esm, ignoredImports);
        if (esm) return transform(code, { filename: path, ...binding, sourceType: 'module' });
        try {
          return asCommonJs(transform(code, { filename: path, ...binding, sourceType: 'script' }));
        } catch (error) {
          // An ES module in CommonJS Jest: made CommonJS first, as babel-jest would.
          if (!(error instanceof SyntaxError)) throw error;
          return transformStripped(code, esModuleAsCommonJs(code, path), path, { ...binding, format: 'cjs' });
        }
      });
    } catch (error) {
      throw loadFailure(path, code, false, error);
    }
  }

  const process = (code: string, path: string, jest: JestTransformOptions) => {
    const esm = jest.supportsStaticESM === true;
    const out = compile(code, path, esm);
    // (a package's own order is its own: babel-jest leaves node_modules alone too)
    return esm || nodeModulesPackage(path) !== null ? { code: out.code, map: out.map } : withJestCallsHoisted(out, path);
  };
  return {
    canInstrument: false,
    process,
    processAsync: async (code, path, jest) => process(code, path, jest),
    getCacheKey(code, path, jest) {
      // (the output depends on the tsconfig's text, and what it extends, as much as on the file's)
      const tsconfig = isTypeScriptFile(path) ? tsconfigKey(nearestTsconfig(path)) : '';
      // (and on which of its relative imports are files marked @zygote-ignore)
      const ignored = shouldRewrite(path, filter) ? ignoredKey(ignoredImportsOf(path, code)) : '';
      return createHash('sha256')
        .update(`${version}\0${jest.supportsStaticESM === true}\0${jest.instrument === true}\0${tsconfig}${ignored}\0${path}\0`)
        .update(code)
        .digest('hex');
    },
  };
}

/** The transformer with its default options (`transform: { '\\.[cm]?[jt]sx?$': 'zygote-ts/jest' }`). */
export default { createTransformer };
