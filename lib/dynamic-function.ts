// `Function(…)` / `new Function(…)` in rewritten code: the body is code too, so it is
// rewritten before it is compiled (numeric.js generates its loops this way; unrewritten,
// a traced number there has typeof 'object' and a loop bound never matches).

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
