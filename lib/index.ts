// zygote-ts: reverse-mode automatic differentiation of ordinary TypeScript.
export { pullback, gradient, withgradient, densegradient, jacobian, withjacobian, derivative, hessian, isderiving } from './api.js';
export { jvp, pushforward, jacfwd, withjacfwd, hvp } from './forward/index.js';
export { configure, type ZygoteOptions } from './escapes.js';
export type { Grad, Gradients, DenseGrad, DenseGradients, Back, Jacobians, Tangent, Tangents } from './types.js';
export { Params, Grads, type Param } from './params.js';
export { __zy } from './runtime.js';
export { operators } from '../rules/overloads.js';
// Arrays: the type, constructors, and operations (also reached through the operators).
export { NDArray, type ArrayLike, type Nested, type Dtype, type DtypeOption } from './ndarray.js';
export { array, zeros, ones, rand, type RandOptions } from './arrays.js';
export { astype } from '../rules/arrays/dtype.js';
export { matmul, transpose, dot, outer } from '../rules/arrays/linalg.js';
export { broadcastTo } from '../rules/arrays/elementwise.js';
export { get, shape, size, reshape } from '../rules/arrays/shape.js';
export { add, sub, mul, div, pow, neg, exp, log, sqrt, abs, tanh, sigmoid, relu, abs2, type Elementwise1, type Elementwise2 } from '../rules/arrays/exported.js';
export { maximum, minimum } from '../rules/arrays/pointwise.js';
export { sum, mean, prod, max, min, sumsq, logsumexp, softmax } from '../rules/arrays/reductions.js';
export { cumsum } from '../rules/arrays/scan.js';
export { concat, stack, slice, row } from '../rules/arrays/join.js';
export { map } from '../rules/arrays/map.js';
export type { ArrayInput, NestedNumbers } from '../rules/arrays/axes.js';
// Generic numbers, custom rules and gradient control.
export { numberField, type FieldMethods } from '../rules/fields.js';
export { rule, type Rrule, type Frule } from '../rules/custom.js';
export { dropgrad, ignore, nograd, hook } from '../rules/control.js';
export { checkpointed } from './checkpoint.js';
// The numeric kernels (WebAssembly SIMD where available, else JavaScript), swappable.
export { kernels, useKernels, type Kernels, type FloatArray } from './kernels/index.js';
// Compiled gradients.
export { compileGradient, type CompiledGradient, type CompileOptions } from './compile/index.js';
// Optimisers (optax-style gradient transformations over any parameter structure).
export { GradientTransformation, chain, type OptState } from './optimise/transformation.js';
export { sgd, adam, adamw, rmsprop, type SgdOptions, type AdamWOptions, type RmspropOptions } from './optimise/optimisers.js';
export { scale, scaleByLearningRate, trace, scaleByAdam, scaleByRms, addDecayedWeights, clipByGlobalNorm, type TraceOptions, type AdamOptions, type RmsOptions } from './optimise/transforms.js';
export { linearSchedule, exponentialDecay, cosineDecay, warmupCosineDecay, type Schedule, type LearningRate, type ExponentialDecayOptions } from './optimise/schedules.js';
export { applyUpdates, applyUpdatesInPlace } from './optimise/apply.js';
export { minimize, type MinimizeOptions, type MinimizeResult, type MinimizeStep, type MinimizeMethod, type StopReason } from './optimise/minimize.js';
export { leastSquares, type LeastSquaresOptions, type LeastSquaresResult, type LeastSquaresStep } from './optimise/least-squares.js';
// Checking custom rules (after ChainRulesTestUtils' test_rrule and Mooncake's test_rule).
export { testRule, ruleReport, type TestRuleOptions, type RuleReport, type RuleCheck } from './testing/test-rule.js';

// The package's own functions are rules: `gradient(sum, x)` differentiates `sum` by its
// rule, never by recompiling its source (lib/rewritten.ts).
import { markOwnDerivative } from './core/own-derivative.js';
import * as library from './index.js';
for (const f of Object.values(library)) if (typeof f === 'function') markOwnDerivative(f);
