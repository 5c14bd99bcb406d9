// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * Fresh JavaScript realms (vm contexts) to run one program in, plain or rewritten, so
 * that no run sees another's globals. A rewritten program finds the runtime where the
 * loader's CommonJS binding looks for it (the global `Symbol.for("zygote-ts.runtime")`):
 *
 * - `shared`: this process's runtime, from another realm. Cheap (a context is ~0.5 ms),
 *   and exact as long as the program does not compare its errors' or objects'
 *   constructors with its own realm's (an error the runtime throws is this realm's);
 * - `own`: a copy of the runtime evaluated inside the realm (~15 ms, mostly the
 *   WebAssembly kernels it emits at load), for suites that check constructors
 *   (test262's `assert.throws(TypeError, …)`).
 */
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { __zy } from '../lib/runtime.js';
import { RUNTIME_GLOBAL_KEY, transform } from '../lib/transform/index.js';
import { TRACING } from '../lib/transform/two-bodies.js';

export type RuntimeCopy = 'none' | 'shared' | 'own';

let bundle: vm.Script | undefined;

/** The runtime as one script, compiled once and run in every realm that needs its own copy. */
function runtimeScript(): vm.Script {
  if (bundle === undefined) {
    const entry = fileURLToPath(new URL('../lib/runtime.ts', import.meta.url));
    const out = buildSync({ entryPoints: [entry], bundle: true, format: 'iife', platform: 'neutral', mainFields: ['module', 'main'], write: false, logLevel: 'error' });
    bundle = new vm.Script(out.outputFiles[0]!.text, { filename: 'zygote-ts-runtime.js' });
  }
  return bundle;
}

/** A fresh realm with `globals` defined on its global object and the runtime as asked. */
export function createRealm(runtime: RuntimeCopy, globals: Record<string, unknown> = {}): vm.Context {
  const context = vm.createContext({ ...globals });
  if (runtime === 'shared') (context as Record<symbol, unknown>)[Symbol.for(RUNTIME_GLOBAL_KEY)] = __zy;
  else if (runtime === 'own') runtimeScript().runInContext(context);
  return context;
}

/**
 * Which of a function's two bodies runs (lib/transform/two-bodies.ts): as on plain numbers,
 * or as while tracing; `, module`: a strict program rewritten as a module (whose top-level
 * functions get twins, which the copies call) and run as a script.
 */
export type Bodies = 'plain' | 'traced' | 'plain, module' | 'traced, module';

/**
 * A script or module source rewritten as the loader rewrites CommonJS (the runtime read
 * from its global), each function with its two bodies; `bodies` picks the one that runs.
 */
export function rewrite(code: string, sourceType: 'script' | 'module', inlineFastPaths = true, bodies: Bodies = 'plain'): string {
  const out = transform(code, { runtime: { kind: 'global' }, sourceType, sourceMap: false, inlineFastPaths, twoBodies: true }).code;
  return bodies.startsWith('traced') ? out.replaceAll(TRACING, '1') : out;
}
