// Every exported array operation against finite differences (first and second order),
// and a check that every exported operation has a row in the tables.
import { describe, expect, it } from 'vitest';
import * as zygote from 'zygote-ts';
import { checkArrayRule } from './check.js';
import { tables } from './tables.js';

for (const [domain, table] of Object.entries(tables)) {
  describe(`array rules against finite differences: ${domain}`, () => {
    for (const [name, cases] of Object.entries(table)) {
      it(name, () => {
        for (const c of cases) checkArrayRule(`${name} (${c.label ?? 'basic'})`, c.f, c.inputs, { second: c.second ?? true });
      });
    }
  });
}

// Exports that are not array operations with a gradient to check.
const notArrayOps = [
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

describe('the array tables', () => {
  it('have a row for every exported array operation', () => {
    const exported = Object.keys(zygote).filter((k) => typeof (zygote as Record<string, unknown>)[k] === 'function');
    const covered = Object.values(tables).flatMap((t) => Object.keys(t));
    expect(exported.filter((k) => !covered.includes(k) && !notArrayOps.includes(k))).toEqual([]);
    // and no row names an operation that is not exported
    expect(covered.filter((k) => !exported.includes(k))).toEqual([]);
  });
});
