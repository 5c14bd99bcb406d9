// `Function(…)` / `new Function(…)` in rewritten code (through `__zy.builtin(Function)`):
// the body is code too, so it is rewritten before it is compiled (numeric.js generates its
// loops this way; unrewritten, a traced number there has typeof 'object' and a loop bound
// never matches).

import { isRewritten, transformFunctionSource } from './transform/transform.js';

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
  const plain = Function(...texts);
  const body = texts.length > 0 ? texts[texts.length - 1]! : '';
  const params = texts.slice(0, -1).join(',');
  // Code that is rewritten already (a bundle, a test harness) is compiled as it is.
  if (isRewritten(body) || /\b__zy\b/.test(params)) return plain;
  let rewritten: string;
  try {
    rewritten = transformFunctionSource(`(function (${params}\n) {\n${body}\n})`);
  } catch {
    return plain; // a syntax the transform's parser does not know: left as it is
  }
  const runtime = (globalThis as Record<symbol, unknown>)[RUNTIME_KEY];
  const made = new Function('__zy', `return ${rewritten}`)(runtime) as Function;
  return Object.defineProperty(made, 'name', { value: 'anonymous' });
}
