// zygote-ts: reverse-mode automatic differentiation of ordinary TypeScript.
export { pullback, gradient, withgradient, jacobian, withjacobian, derivative, hessian, isderiving, configure } from './api.js';
export type { Gradient, Gradients, Back, Jacobians, ZygoteOptions } from './api.js';
export { __zy } from './runtime.js';
