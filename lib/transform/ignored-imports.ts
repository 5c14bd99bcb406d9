/**
 * Which relative imports of a user file are files marked `// @zygote-ignore`, for the loader
 * (node-source.ts), the Vite and esbuild plugins and the Jest transformer: calls of their
 * functions are checked as calls into a package left out of `include` are (rewrite-imports.ts).
 */
import { dirname, resolve } from 'node:path';
import { nodeModulesPackage, typeScriptCandidates } from './filter.js';
import { hasIgnorePragma } from './pragma.js';

// (not `import … from 'node:fs'`: see cache.ts)
const { readFileSync, statSync } = process.getBuiltinModule('node:fs');

/**
 * A relative specifier in a file's text: `from './x.js'`, `import './x.js'`, `import('./x.js')`,
 * `require('./x.js')`, `createRequire(import.meta.url)('./x.js')`.
 */
const RELATIVE_SPECIFIER = /(?:\bfrom|\bimport|\brequire|\bcreateRequire\s*\((?:[^()]|\([^()]*\))*\)\s*\()\s*\(?\s*(['"])(\.\.?\/[^'"\n]*)\1/g;

/** A name bound to a require made for the file: `const req = createRequire(import.meta.url)` (`require` itself is in RELATIVE_SPECIFIER). */
const CREATE_REQUIRE_NAME = /\b([A-Za-z_$][\w$]*)\s*=\s*(?:[\w$]+\s*\.\s*)?createRequire\s*\(/g;

/** The relative specifiers `code` loads, by any of the forms above, a require made by createRequire under its own name too. */
function relativeSpecifiers(code: string): string[] {
  const found = [...code.matchAll(RELATIVE_SPECIFIER)].map((m) => m[2]!);
  for (const [, name] of code.matchAll(CREATE_REQUIRE_NAME)) {
    if (name === 'require') continue;
    const calls = new RegExp(`(?<![\\w$.])${name!.replace(/\$/g, '\\$')}\\s*\\(\\s*(['"])(\\.\\.?\\/[^'"\\n]*)\\1`, 'g');
    for (const m of code.matchAll(calls)) found.push(m[2]!);
  }
  return found;
}

/**
 * A specifier a module re-exports: `export * from './x'`, `export * as ns from './x'`,
 * `export { sq } from './x'`, and in CommonJS `module.exports = require('./x')`,
 * `exports.sq = require('./x').sq`, `{ ...require('./x') }`, TypeScript's `__exportStar(require('./x'), exports)`,
 * esbuild's `__reExport(m, require('./x'))`, `Object.assign(module.exports, require('./x'))`.
 */
const RE_EXPORT =
  /(?:\bexport\s*(?:\*\s*(?:as\s+[\w$]+\s*)?|(?:type\s+)?\{[^}]*\}\s*)from\s*|(?:\bexports(?:\s*\.\s*[\w$]+)?\s*=\s*|\.\.\.\s*|\b__exportStar\s*\(\s*|\b__reExport\s*\(\s*[^,()]*,\s*|\bObject\.assign\s*\(\s*[^,()]*,\s*)require\s*\(\s*)(['"])(\.\.?\/[^'"\n]*)\1/g;

/**
 * A module that exports names it may have imported: `export { sq }`, `export default sq;`,
 * `module.exports = { sq }`, `exports.sq = sq;`. Any file it loads may be passed on.
 */
const EXPORTS_NAMES = /\bexport\s*\{[^}]*\}(?!\s*from)|\bexport\s+default\s+[A-Za-z_$][\w$]*\s*(?:;|$)|\bmodule\.exports\s*=\s*\{|\bexports\s*\.\s*[\w$]+\s*=\s*[A-Za-z_$][\w$]*\s*(?:;|$)/m;

interface FileFacts {
  changed: number;
  ignored: boolean;
  /** The relative specifiers whose exports the file may pass on (read where it is not ignored). */
  passedOn: readonly string[];
}

/** What each file asked about says, by its time of change (a dev server runs on while files change). */
const files = new Map<string, FileFacts>();

/** What the file at `file` (a file, changed at `changed`) says: whether it starts with `// @zygote-ignore`, and which files it passes on. */
function factsOf(file: string, changed: number): FileFacts {
  const known = files.get(file);
  if (known !== undefined && known.changed === changed) return known;
  let facts: FileFacts = { changed, ignored: false, passedOn: [] };
  try {
    const code = readFileSync(file, 'utf8');
    const ignored = hasIgnorePragma(code);
    const passedOn = ignored ? [] : EXPORTS_NAMES.test(code) ? relativeSpecifiers(code) : [...code.matchAll(RE_EXPORT)].map((m) => m[2]!);
    facts = { changed, ignored, passedOn: [...new Set(passedOn)] };
  } catch {
    // unreadable: nothing says it is left alone
  }
  files.set(file, facts);
  return facts;
}

/** The time of change of the file at `path`, or null where there is no file. */
function fileChanged(path: string): number | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat !== undefined && stat.isFile() ? stat.mtimeMs : null;
}

/** The file `specifier` names from the directory `dir` (the file named, else the TypeScript it means), and when it changed; or null. */
function resolvedFile(dir: string, specifier: string): { file: string; changed: number } | null {
  for (const candidate of [specifier, ...typeScriptCandidates(specifier)]) {
    const file = resolve(dir, candidate);
    const changed = fileChanged(file);
    if (changed !== null) return { file, changed };
  }
  return null;
}

/** How many re-exporting modules deep an ignored file is looked for (`index.ts` → `math/index.ts` → `helper.js`). */
const PASSED_ON_DEPTH = 4;

/**
 * Whether the file is marked `// @zygote-ignore`, or passes on (re-exports, or exports names of)
 * a file that is, at most {@link PASSED_ON_DEPTH} modules deep. A barrel's own functions are
 * rewritten: their calls checked too only cost the runtime's call.
 */
function reachesIgnored(file: string, changed: number, depth: number, seen: Set<string>): boolean {
  const facts = factsOf(file, changed);
  if (facts.ignored) return true;
  if (depth >= PASSED_ON_DEPTH || seen.has(file)) return false;
  seen.add(file);
  return facts.passedOn.some((specifier) => {
    const next = resolvedFile(dirname(file), specifier);
    return next !== null && nodeModulesPackage(next.file) === null && reachesIgnored(next.file, next.changed, depth + 1, seen);
  });
}

/**
 * The relative specifiers the user file at `path` imports whose files start with `// @zygote-ignore`
 * (found as the loader resolves them: the file named, else the TypeScript it means), or pass on
 * such a file's exports (a barrel: `export * from './helper'`). Their functions are not rewritten:
 * `typeof x === 'number'` there is false for a traced x, and
 * `helper(x) + x` with such a `helper = (x) => typeof x === 'number' ? x * x : 0` gave the
 * gradient 1 where it is 5, with no word, while the same helper in a package left out of
 * include is checked. Calls of them are now checked alike (rewrite-imports.ts), also where they
 * are loaded by `await import('./helper.js')` or a require made by `createRequire`. Read from the
 * text (a specifier in a comment or a string only adds a check), and part of the cache's key.
 * (A package's files are not looked at: a cost at every start, for a pragma written for users.)
 */
export function ignoredImportsOf(path: string, code: string): ReadonlySet<string> {
  const found = new Set<string>();
  if (nodeModulesPackage(path) !== null) return found;
  const asked = new Set<string>();
  for (const specifier of relativeSpecifiers(code)) {
    if (asked.has(specifier)) continue;
    asked.add(specifier);
    const target = resolvedFile(dirname(path), specifier);
    if (target !== null && reachesIgnored(target.file, target.changed, 0, new Set())) found.add(specifier);
  }
  return found;
}

/** The part of a cache key that says which imports are of ignored files (none: nothing, as before). */
export function ignoredKey(ignoredImports: ReadonlySet<string>): string {
  return ignoredImports.size === 0 ? '' : `\0ignored\0${[...ignoredImports].join('\0')}`;
}
