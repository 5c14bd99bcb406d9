// Every table of array cases, by domain (the finite-difference specs, reverse and forward
// mode, and the float32 specs walk the same rows).
import type { Case } from './check.js';
import { elementwiseCases } from './table-elementwise.js';
import { reductionCases } from './table-reductions.js';
import { dtypeCases, linalgCases, shapeCases } from './table-shape.js';
import { mapCases } from './table-map.js';

export const tables: Record<string, Record<string, Case[]>> = {
  elementwise: elementwiseCases,
  reductions: reductionCases,
  'linear algebra': linalgCases,
  shapes: shapeCases,
  dtypes: dtypeCases,
  map: mapCases,
};

// Exports that are not array operations with a derivative to check (spec/rules/arrays/all.test.ts
// and forward.test.ts require a row for every other exported function).
export const notArrayOps = [
  // the API and its companions
  'pullback', 'gradient', 'withgradient', 'densegradient', 'jacobian', 'withjacobian', 'derivative', 'hessian', 'isderiving',
  'jvp', 'pushforward', 'jacfwd', 'withjacfwd', 'hvp',
  'configure', 'operators', '__zy', 'Params', 'Grads',
  // the type and its constructors (no derivative: they take plain numbers)
  'NDArray', 'array', 'zeros', 'ones', 'rand',
  // shapes are integers
  'shape', 'size',
  // generic numbers, custom rules and gradient control (spec/generic, spec/control)
  'numberField', 'rule', 'dropgrad', 'ignore', 'nograd', 'hook', 'checkpointed',
  // compiled gradients (spec/compile) and the kernels behind array operations (spec/kernels)
  'compileGradient', 'kernels', 'useKernels',
  // optimisers, schedules and solvers use gradients (spec/optimise); testRule checks rules (spec/testing)
  'GradientTransformation', 'chain', 'sgd', 'adam', 'adamw', 'rmsprop', 'scale', 'scaleByLearningRate', 'trace', 'scaleByAdam', 'scaleByRms',
  'addDecayedWeights', 'clipByGlobalNorm', 'linearSchedule', 'exponentialDecay', 'cosineDecay', 'warmupCosineDecay',
  'applyUpdates', 'applyUpdatesInPlace', 'minimize', 'leastSquares', 'testRule', 'ruleReport',
];
