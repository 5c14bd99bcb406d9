// zygote-ts: reverse-mode automatic differentiation of ordinary TypeScript.
export { pullback, gradient, withgradient, derivative, hessian, isderiving, configure } from './api.js';
export type { Gradient, Gradients, Back, ZygoteOptions } from './api.js';
export { __zy } from './runtime.js';
