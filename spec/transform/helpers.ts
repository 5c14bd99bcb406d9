// Shared helpers for the transform specs: evaluate a function body plain and rewritten
// (through transformFunctionSource, as the gradient API does) and capture the outcome.
import { __zy } from '../../lib/runtime.js';
import { transformFunctionSource } from '../../lib/transform/index.js';

export interface Outcome {
  value?: unknown;
  error?: string;
  log: unknown[];
}

type Body = (log: (...xs: unknown[]) => void) => unknown;

function compile(src: string, rewrite: boolean): Body {
  if (!rewrite) return new Function(`return (${src});`)() as Body;
  return new Function('__zy', `return (${transformFunctionSource(src)});`)(__zy) as Body;
}

/** Source of the rewritten function for `body` (for shape assertions). */
export function rewrittenSource(body: string, isAsync = false): string {
  return transformFunctionSource(`${isAsync ? 'async ' : ''}function (log) {\n${body}\n}`);
}

export async function run(body: string, rewrite: boolean, isAsync = false): Promise<Outcome> {
  const src = `${isAsync ? 'async ' : ''}function (log) {\n${body}\n}`;
  const f = compile(src, rewrite);
  const log: unknown[] = [];
  try {
    const value = await f((...xs) => { log.push(xs.length === 1 ? xs[0] : xs); });
    return { value, log };
  } catch (e) {
    return { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), log };
  }
}
