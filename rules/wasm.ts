// WebAssembly made by rewritten code. A WebAssembly function converts what it is given to
// numbers on the way in, without a JavaScript frame of its own: from rewritten code the
// conversion looks like formatting (`Intl.NumberFormat#format`), which must not be
// reported, and the derivative would be lost without a word. So the instances rewritten
// code makes (`new WebAssembly.Instance`, `WebAssembly.instantiate`, `…Streaming`) hand
// out exports whose functions refuse a traced number while a differentiation runs, naming
// the function. Outside a differentiation they only call through.

import { isDeriving } from '../lib/core/scope.js';
import { isTraced } from '../lib/core/traced.js';
import { callerLine } from '../lib/escapes.js';

const watched = new WeakMap<WebAssembly.Instance, WebAssembly.Instance>();

/** Where a traced number of a running differentiation is among `args`, or -1. */
function tracedArgument(args: unknown[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isTraced(a) && a.tracedTape.active) return i;
  }
  return -1;
}

/** `fn` (an exported WebAssembly function), refusing a traced number while a differentiation runs. */
function guarded(fn: Function, name: string): Function {
  const g = {
    [fn.name](this: unknown, ...args: unknown[]): unknown {
      if (isDeriving()) {
        const at = tracedArgument(args);
        if (at >= 0) {
          throw new TypeError(
            `zygote-ts: a traced number was given to the WebAssembly function exports.${name} (argument ${at}) ` +
              `at ${callerLine(new Error().stack)}, which keeps only its number, so its derivative would be lost. Differentiate code written in ` +
              'JavaScript or TypeScript, give that function a custom rule (rule(f, pullback)), or pass dropgrad(x).',
          );
        }
      }
      return Reflect.apply(fn, this, args);
    },
  }[fn.name]!;
  Object.defineProperty(g, 'length', { value: fn.length });
  return g;
}

/** `instance`, seen through a Proxy whose `exports` refuse traced numbers (the same object each time). */
export function watchInstance(instance: WebAssembly.Instance): WebAssembly.Instance {
  let seen = watched.get(instance);
  if (seen !== undefined) return seen;
  const real = instance.exports;
  const exports = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(real)) exports[name] = typeof value === 'function' ? guarded(value, name) : value;
  Object.freeze(exports);
  seen = new Proxy(instance, {
    get: (target, key) => (key === 'exports' ? exports : Reflect.get(target, key, target)),
  });
  watched.set(instance, seen);
  return seen;
}

type Instantiated = WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource;

function watchResult(result: Instantiated): Instantiated {
  if (result instanceof WebAssembly.Instance) return watchInstance(result);
  return { module: result.module, instance: watchInstance(result.instance) };
}

/** What an instantiation gives, watched once it is done (a program's own `instantiate` may give anything: as it is). */
function watchedWhenDone(made: unknown): Promise<Instantiated> {
  const then = typeof made === 'object' && made !== null ? (made as { then?: unknown }).then : undefined;
  return typeof then === 'function' ? (made as Promise<Instantiated>).then(watchResult) : (made as Promise<Instantiated>);
}

/** `WebAssembly.instantiate(…)` in rewritten code. */
export function wasmInstantiate(...args: unknown[]): Promise<Instantiated> {
  return watchedWhenDone(Reflect.apply(WebAssembly.instantiate, WebAssembly, args));
}

/** `WebAssembly.instantiateStreaming(…)` in rewritten code. */
export function wasmInstantiateStreaming(...args: unknown[]): Promise<Instantiated> {
  return watchedWhenDone(Reflect.apply(WebAssembly.instantiateStreaming, WebAssembly, args));
}
