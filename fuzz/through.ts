// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * `--through minify|es2015|es2017|es5`: what a user's toolchain does to a program before the
 * loader sees it. The fuzzers make a program, pass it through this, rewrite and differentiate
 * the output, and compare with the plain run of the ORIGINAL program (and its finite
 * differences): the rewrite must keep what esbuild's minifier writes (renamed identifiers,
 * `!0`, comma chains, `void 0`, folded conditionals) and what downlevelling writes (`??` and
 * `?.` as `!= null` tests, `**` as Math.pow, class fields by defineProperty, `#private` as
 * WeakMaps, object spread by helpers, TypeScript's ES5 classes as functions, __spreadArray,
 * generators as __generator state machines, for-of as indexed loops).
 */
import { transformSync } from 'esbuild';
import ts from 'typescript';

export const THROUGH = ['none', 'minify', 'es2015', 'es2017', 'es5'] as const;
export type Through = (typeof THROUGH)[number];

/** The mode after `--through` on a fuzzer's command line, or 'none'. */
export function throughOption(args: readonly string[] = process.argv): Through {
  const at = args.indexOf('--through');
  if (at < 0) return 'none';
  const mode = args[at + 1] as Through;
  if (!THROUGH.includes(mode)) throw new Error(`--through needs one of ${THROUGH.join(', ')}`);
  return mode;
}

/** A toolchain refused the program (esbuild cannot lower some syntax to an old target). */
export class ToolchainRefused extends Error {}

/**
 * `script` (a script: its top-level names stay, as esbuild keeps a script's globals) as
 * `through` writes it. Throws ToolchainRefused where the toolchain does not take it.
 */
export function passThrough(script: string, through: Through): string {
  const out = write(script, through);
  try {
    new Function(out); // (compiled, not run: esbuild's minifier can write a name twice, `let a=b,b=t` beside a `with`)
  } catch (e) {
    throw new ToolchainRefused(`${through} wrote what V8 does not compile: ${(e as Error).message}`);
  }
  return out;
}

function write(script: string, through: Through): string {
  switch (through) {
    case 'none':
      return script;
    case 'minify':
    case 'es2015':
    case 'es2017':
      try {
        return transformSync(script, through === 'minify' ? { minify: true, logLevel: 'silent' } : { target: through, logLevel: 'silent' }).code;
      } catch (e) {
        throw new ToolchainRefused(`esbuild (${through}): ${(e as Error).message.split('\n')[0]}`);
      }
    case 'es5': {
      const out = ts.transpileModule(script, { compilerOptions: { target: ts.ScriptTarget.ES5, downlevelIteration: true, noEmitHelpers: false }, reportDiagnostics: true });
      const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (errors.length > 0) throw new ToolchainRefused(`TypeScript (es5): ${ts.flattenDiagnosticMessageText(errors[0]!.messageText, ' ')}`);
      return out.outputText;
    }
  }
}

/** `script` run plain (this file is not rewritten), and `name`, a function it defines, returned. */
export function plainFromScript<T>(script: string, name: string): T {
  return new Function(`${script}\nreturn ${name};`)() as T;
}
