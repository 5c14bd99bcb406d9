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

/** A relative specifier in a file's text: `from './x.js'`, `import './x.js'`, `import('./x.js')`, `require('./x.js')`. */
const RELATIVE_SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*(['"])(\.\.?\/[^'"\n]*)\1/g;

/** Whether each file asked about starts with `// @zygote-ignore`, by its time of change (a dev server runs on while files change). */
const ignoredFiles = new Map<string, { changed: number; ignored: boolean }>();

/** Whether the file at `file` (a file, changed at `changed`) starts with `// @zygote-ignore`. */
function isIgnoredFile(file: string, changed: number): boolean {
  const known = ignoredFiles.get(file);
  if (known !== undefined && known.changed === changed) return known.ignored;
  let ignored = false;
  try {
    ignored = hasIgnorePragma(readFileSync(file, 'utf8'));
  } catch {
    // unreadable: nothing says it is left alone
  }
  ignoredFiles.set(file, { changed, ignored });
  return ignored;
}

/** The time of change of the file at `path`, or null where there is no file. */
function fileChanged(path: string): number | null {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat !== undefined && stat.isFile() ? stat.mtimeMs : null;
}

/**
 * The relative specifiers the user file at `path` imports whose files start with `// @zygote-ignore`
 * (found as the loader resolves them: the file named, else the TypeScript it means). Their
 * functions are not rewritten: `typeof x === 'number'` there is false for a traced x, and
 * `helper(x) + x` with such a `helper = (x) => typeof x === 'number' ? x * x : 0` gave the
 * gradient 1 where it is 5, with no word, while the same helper in a package left out of
 * include is checked. Calls of them are now checked alike (rewrite-imports.ts). Read from the
 * text (a specifier in a comment or a string only adds a check), and part of the cache's key.
 * (A package's files are not looked at: a cost at every start, for a pragma written for users.)
 */
export function ignoredImportsOf(path: string, code: string): ReadonlySet<string> {
  const found = new Set<string>();
  if (nodeModulesPackage(path) !== null) return found;
  for (const match of code.matchAll(RELATIVE_SPECIFIER)) {
    const specifier = match[2]!;
    if (found.has(specifier)) continue;
    for (const candidate of [specifier, ...typeScriptCandidates(specifier)]) {
      const file = resolve(dirname(path), candidate);
      const changed = fileChanged(file);
      if (changed === null) continue;
      if (isIgnoredFile(file, changed)) found.add(specifier);
      break;
    }
  }
  return found;
}

/** The part of a cache key that says which imports are of ignored files (none: nothing, as before). */
export function ignoredKey(ignoredImports: ReadonlySet<string>): string {
  return ignoredImports.size === 0 ? '' : `\0ignored\0${[...ignoredImports].join('\0')}`;
}
