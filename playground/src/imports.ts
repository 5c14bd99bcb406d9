// What `import … from 'm'` becomes in the playground: the compiler (compile.ts) writes
// `const { a, b } = __import("m", ["a", "b"])`, and the worker hands out its modules through
// `checkedImport`, which refuses a name the module does not export, as Node's linker does.

/**
 * `module`, after checking that it exports each of `names` (`default` for a default import).
 * A missing one was `undefined`, read without a word: `{ method: lbfgs }` with a name the
 * module does not have chose the default method, where Node stops before the program runs.
 */
export function checkedImport(module: unknown, specifier: string, names: readonly string[] = []): unknown {
  for (const name of names) {
    if ((typeof module !== 'object' && typeof module !== 'function') || module === null || !(name in module)) {
      throw new SyntaxError(`The requested module '${specifier}' does not provide an export named '${name}'`);
    }
  }
  return module;
}
