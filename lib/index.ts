// zygote-ts: reverse-mode automatic differentiation of ordinary TypeScript.
export { pullback, gradient, withgradient, jacobian, withjacobian, derivative, hessian, isderiving, configure } from './api.js';
export type { ZygoteOptions } from './api.js';
export type { Grad, Gradients, Back, Jacobians } from './types.js';
export { __zy } from './runtime.js';
export { operators } from '../rules/overloads.js';
