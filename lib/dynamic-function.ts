// Code made from strings in rewritten code is code too, so it is rewritten before it runs:
// `Function(…)` / `new Function(…)` bodies (numeric.js generates its loops this way;
// unrewritten, a traced number there has typeof 'object' and a loop bound never matches),
// and the source of a direct `eval(…)`, which runs in the caller's scope.

import { isRewritten } from './transform/recognize.js';
import { sourceRewriter } from './source-rewriter.js';

const RUNTIME_KEY = Symbol.for('zygote-ts.runtime');

/** The global `Function`, rewriting the body it is given. */
export function rewritingFunction(...args: unknown[]): Function {
  const body = args.length > 0 ? String(args[args.length - 1]) : '';
  const params = args.slice(0, -1).map(String).join(',');
  // Code that is rewritten already (a bundle, a test harness) is compiled as it is.
  // So is code in a page without the source rewriter (lib/source-rewriter.ts): a traced
  // number reaching it is then reported as lost, as in any code that was not rewritten.
  const rewriter = sourceRewriter();
  if (rewriter === undefined || isRewritten(body) || /\b__zy\b/.test(params)) return Function(...(args as string[]));
  let rewritten: string;
  try {
    rewritten = rewriter.transformFunctionSource(`(function anonymous(${params}\n) {\n${body}\n})`);
  } catch {
    return Function(...(args as string[])); // let JavaScript report its own SyntaxError
  }
  const runtime = (globalThis as Record<symbol, unknown>)[RUNTIME_KEY];
  return new Function('__zy', `return ${rewritten}`)(runtime) as Function;
}
// `x instanceof Function`, `Function.prototype.call` keep their meaning.
rewritingFunction.prototype = Function.prototype;

/**
 * The source a direct `eval(code)` in rewritten code runs: `code` rewritten (as a script;
 * it reads the runtime from its global, which works in any scope), or `code` itself when
 * it is not a string (eval returns it) or cannot be parsed (eval reports the SyntaxError).
 */
export function evalSource(code: unknown): unknown {
  const rewriter = sourceRewriter();
  if (typeof code !== 'string' || rewriter === undefined || isRewritten(code)) return code;
  try {
    return rewriter.transformScript(code);
  } catch {
    return code;
  }
}
