// Code made from strings in rewritten code is code too, so it is rewritten before it runs:
// `Function(…)` / `new Function(…)` bodies (through `__zy.builtin(Function)`; numeric.js
// generates its loops this way; unrewritten, a traced number there has typeof 'object' and
// a loop bound never matches), and the source of a direct `eval(…)`, which runs in the
// caller's scope.

import { isRewritten } from './transform/recognize.js';
import { sourceRewriter } from './source-rewriter.js';

const RUNTIME_KEY = Symbol.for('zygote-ts.runtime');

/**
 * What `Function(...args)` makes, with its body rewritten. Each argument is converted to
 * a string once, in order, and compiled by `Function` first, so that what it accepts,
 * rejects and throws is `Function`'s own. The function made is named `anonymous`, as
 * `Function`'s are, without a binding of that name inside (its source text is the
 * rewritten one: `toString()` differs).
 */
export function rewritingFunction(...args: unknown[]): Function {
  const texts = args.map((a) => `${a as string}`);
  const plain = compiledAsWritten(texts);
  const body = texts.length > 0 ? texts[texts.length - 1]! : '';
  const params = texts.slice(0, -1).join(',');
  // Code that is rewritten already (a bundle, a test harness) is compiled as it is.
  // So is code in a page without the source rewriter (lib/source-rewriter.ts): a traced
  // number reaching it is then reported as lost, as in any code that was not rewritten.
  const rewriter = sourceRewriter();
  if (rewriter === undefined || isRewritten(body) || /\b__zy\b/.test(params)) return plain;
  let rewritten: string;
  try {
    rewritten = rewriter.transformFunctionSource(`(function (${params}\n) {\n${body}\n})`, { checkFreeCalls: true });
  } catch {
    return plain; // a syntax the transform's parser does not know: left as it is
  }
  const runtime = (globalThis as Record<symbol, unknown>)[RUNTIME_KEY];
  const made = new Function('__zy', `return ${rewritten}`)(runtime) as Function;
  return Object.defineProperty(made, 'name', { value: 'anonymous' });
}

/**
 * `Function(...texts)`, compiled here and not in rewritingFunction: the frames of code made by
 * rewritingFunction are taken for rewritten code (lib/escapes.ts), and this text was not rewritten.
 */
function compiledAsWritten(texts: string[]): Function {
  return Function(...texts);
}

/**
 * The source a direct `eval(code)` in rewritten code runs: `code` rewritten (as a script;
 * it reads the runtime from its global, which works in any scope), or `code` itself when
 * it is not a string (eval returns it) or cannot be parsed (eval reports the SyntaxError).
 */
export function evalSource(code: unknown): unknown {
  const rewriter = sourceRewriter();
  if (typeof code !== 'string' || rewriter === undefined || isRewritten(code)) return code;
  try {
    return rewriter.transformScript(code, { directEval: true });
  } catch {
    return code;
  }
}
