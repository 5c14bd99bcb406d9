// The optimisers users pick by name, each a chain of building blocks (transforms.ts), as
// optax defines them. Learning rates are numbers or schedules (schedules.ts).

import { checkOptionNames } from './options.js';
import type { LearningRate } from './schedules.js';
import { chain, GradientTransformation } from './transformation.js';
import { ADAM_OPTIONS, addDecayedWeights, RMS_OPTIONS, scaleByAdam, scaleByLearningRate, scaleByRms, trace, type AdamOptions, type RmsOptions } from './transforms.js';

const rateName = (lr: LearningRate) => (typeof lr === 'number' ? String(lr) : 'schedule');

/** Options of `sgd`. */
export interface SgdOptions {
  /** Momentum (the decay of the trace of gradients); none by default. */
  momentum?: number;
  /** Nesterov's momentum instead of the heavy ball. Default false. */
  nesterov?: boolean;
}

/**
 * Stochastic gradient descent: `params − lr · g`, with momentum if asked.
 *
 * @example
 * const opt = sgd(0.1, { momentum: 0.9, nesterov: true });
 * let state = opt.init(params);
 * const [updates, next] = opt.update(grads, state);
 * params = applyUpdates(params, updates);
 */
export function sgd(lr: LearningRate, options: SgdOptions = {}): GradientTransformation {
  checkOptionNames('sgd', options, ['momentum', 'nesterov']);
  const { momentum, nesterov = false } = options;
  if (nesterov && momentum === undefined) throw new TypeError('zygote-ts: sgd: nesterov needs a momentum.');
  const steps = momentum === undefined ? [scaleByLearningRate(lr)] : [trace({ decay: momentum, nesterov }), scaleByLearningRate(lr)];
  return named(`sgd(${rateName(lr)}${momentum === undefined ? '' : `, momentum ${momentum}${nesterov ? ', nesterov' : ''}`})`, chain(...steps));
}

/**
 * Adam (Kingma & Ba 2015), with optax's defaults (b1 0.9, b2 0.999, eps 1e-8).
 *
 * @example
 * const opt = adam(0.01);
 * let state = opt.init(model);
 * for (const batch of batches) {
 *   const [g] = gradient(loss, model, batch);
 *   const [updates, next] = opt.update(g, state);
 *   state = next;
 *   model = applyUpdates(model, updates);
 * }
 */
export function adam(lr: LearningRate, options: AdamOptions = {}): GradientTransformation {
  checkOptionNames('adam', options, ADAM_OPTIONS);
  return named(`adam(${rateName(lr)})`, chain(scaleByAdam(options), scaleByLearningRate(lr)));
}

/** Options of `adamw`. */
export interface AdamWOptions extends AdamOptions {
  /** The decoupled weight decay. Default 1e-4 (optax's). */
  weightDecay?: number;
}

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter 2019): `update` needs the
 * parameters, `opt.update(g, state, params)`.
 *
 * @example
 * const opt = adamw(0.001, { weightDecay: 0.01 });
 * const [updates, next] = opt.update(g, state, model);
 */
export function adamw(lr: LearningRate, adamwOptions: AdamWOptions = {}): GradientTransformation {
  checkOptionNames('adamw', adamwOptions, [...ADAM_OPTIONS, 'weightDecay']);
  const { weightDecay = 1e-4, ...options } = adamwOptions;
  return named(`adamw(${rateName(lr)})`, chain(scaleByAdam(options), addDecayedWeights(weightDecay), scaleByLearningRate(lr)));
}

/** Options of `rmsprop`. */
export interface RmspropOptions extends RmsOptions {
  /** Momentum on the scaled gradients; none by default. */
  momentum?: number;
  /** Nesterov's momentum. Default false. */
  nesterov?: boolean;
}

/**
 * RMSprop (Tieleman & Hinton 2012) as optax's: `params − lr · g / √(v + eps)`, v the running
 * mean square of the gradient (decay 0.9); with momentum, the trace is of these scaled steps
 * (optax scales by the learning rate before the trace, which matters with a schedule).
 *
 * @example
 * const opt = rmsprop(0.001, { decay: 0.99 });
 */
export function rmsprop(lr: LearningRate, rmspropOptions: RmspropOptions = {}): GradientTransformation {
  checkOptionNames('rmsprop', rmspropOptions, [...RMS_OPTIONS, 'momentum', 'nesterov']);
  const { momentum, nesterov = false, ...options } = rmspropOptions;
  const steps = [scaleByRms(options), scaleByLearningRate(lr), ...(momentum === undefined ? [] : [trace({ decay: momentum, nesterov })])];
  return named(`rmsprop(${rateName(lr)})`, chain(...steps));
}

/** `t` under the name users wrote (for messages). */
const named = (name: string, t: GradientTransformation): GradientTransformation => new GradientTransformation(name, t.rule, t.kind);
