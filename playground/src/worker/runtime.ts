// @zygote-ignore
// The runtime table that rewritten code in the worker calls: zygote-ts's own, instrumented so
// the trace graph sees each operation. culori is rewritten at build time to import `__zy`
// from here (the esbuild plugin's `runtime` option), and user code reads it from the global
// that the worker sets to the same object.
import { __zy as real } from 'zygote-ts';
import { instrumentRuntime } from './trace.js';

export const __zy = instrumentRuntime(real);
