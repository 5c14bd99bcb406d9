// Learning-rate schedules (optax's): a schedule maps the step count (0 at the first update)
// to a learning rate. Wherever a learning rate is taken, a number or a schedule will do.

import { checkOptionNames } from './options.js';
import { isTraced } from '../core/traced.js';

/** The learning rate at each step, counted from 0. */
export type Schedule = (step: number) => number;

/** A fixed learning rate, or one that changes with the step. */
export type LearningRate = number | Schedule;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/**
 * From `init` to `end` in a straight line over `steps` steps (starting at step `begin`),
 * then `end`.
 *
 * @example
 * const lr = linearSchedule(0.1, 0.01, 100);
 * lr(0); // 0.1
 * lr(50); // 0.055
 * lr(500); // 0.01
 */
export function linearSchedule(init: number, end: number, steps: number, begin = 0): Schedule {
  checkSteps(steps, 'linearSchedule');
  return (step) => init + (end - init) * clamp01((step - begin) / steps);
}

/** Options of `exponentialDecay`. */
export interface ExponentialDecayOptions {
  /** Decay in whole periods (a staircase) rather than continuously. Default false. */
  staircase?: boolean;
  /** The step at which decay begins (before it: `init`). Default 0. */
  begin?: number;
  /** A bound the rate does not pass (a floor when decaying, a ceiling when growing). */
  end?: number;
}

/**
 * `init · rate^((step − begin) / steps)`: multiplied by `rate` every `steps` steps. The
 * arguments are in optax's order (`exponential_decay(init_value, transition_steps,
 * decay_rate)`, as Keras's `ExponentialDecay`), so a schedule ported from either means the same.
 *
 * @example
 * const lr = exponentialDecay(0.1, 100, 0.5);
 * lr(100); // 0.05
 * lr(200); // 0.025
 */
export function exponentialDecay(init: number, steps: number, rate: number, options: ExponentialDecayOptions = {}): Schedule {
  checkSteps(steps, 'exponentialDecay');
  checkOptionNames('exponentialDecay', options, ['staircase', 'begin', 'end']);
  // (the order was (init, rate, steps) before: exponentialDecay(0.1, 0.96, 1000) written so, or
  // optax's read as that, gave a rate of 1000 per 0.96 steps, which overflows with no word)
  if (!(steps >= 1)) {
    throw new RangeError(`zygote-ts: exponentialDecay(init, steps, rate): steps is ${steps}, less than one step${rate > 1 ? ` (and rate ${rate}: swapped?)` : ''}. The order is optax's: exponentialDecay(0.1, 1000, 0.96) multiplies by 0.96 every 1000 steps.`);
  }
  if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`zygote-ts: exponentialDecay(init, steps, rate): the rate must be a positive number, got ${rate}.`);
  const { staircase = false, begin = 0, end } = options;
  return (step) => {
    const periods = Math.max(step - begin, 0) / steps;
    const value = init * rate ** (staircase ? Math.floor(periods) : periods);
    if (end === undefined) return value;
    return rate < 1 ? Math.max(value, end) : Math.min(value, end);
  };
}

/**
 * Half a cosine from `init` down to `alpha · init` over `steps` steps, then `alpha · init`
 * (Loshchilov & Hutter's SGDR without restarts).
 *
 * @example
 * const lr = cosineDecay(0.1, 1000);
 * lr(0); // 0.1
 * lr(500); // 0.05
 * lr(1000); // 0
 */
export function cosineDecay(init: number, steps: number, alpha = 0): Schedule {
  checkSteps(steps, 'cosineDecay');
  return (step) => {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * Math.min(Math.max(step, 0), steps)) / steps));
    return init * ((1 - alpha) * cosine + alpha);
  };
}

/**
 * A linear warm-up from `init` to `peak` over `warmup` steps, then a cosine decay from
 * `peak` to `end` until step `steps` (which counts the warm-up), then `end`.
 *
 * @example
 * const lr = warmupCosineDecay(1e-3, 100, 1000);
 * lr(0); // 0
 * lr(100); // 0.001
 * lr(1000); // 0
 */
export function warmupCosineDecay(peak: number, warmup: number, steps: number, options: { init?: number; end?: number } = {}): Schedule {
  checkOptionNames('warmupCosineDecay', options, ['init', 'end']);
  const { init = 0, end = 0 } = options;
  checkSteps(warmup, 'warmupCosineDecay');
  if (!(steps > warmup)) throw new RangeError(`zygote-ts: warmupCosineDecay: steps (${steps}) must be more than the warm-up (${warmup}): they count it.`);
  const warm = linearSchedule(init, peak, warmup);
  const decay = cosineDecay(peak - end, steps - warmup);
  return (step) => (step < warmup ? warm(step) : end + decay(step - warmup));
}

/** A learning rate given as a number or a schedule, as a schedule. */
export function scheduleOf(lr: LearningRate): Schedule {
  if (typeof lr === 'number') return () => lr;
  if (typeof lr === 'function') return lr;
  // (a number an enclosing differentiation traces, derivative((lr) => … sgd(lr) …), was called "an object")
  if (isTraced(lr)) {
    throw new TypeError('zygote-ts: the learning rate is being differentiated (a traced number). Optimisers compute on plain numbers and are not differentiated: to differentiate through a step, write it in f (p - lr * g).');
  }
  // (an options object, sgd({ learningRate: 0.1 }) from JavaScript, failed at the first update with "rate is not a function")
  const got = lr === null ? 'null' : typeof lr === 'object' ? 'an object' : typeof lr;
  throw new TypeError(`zygote-ts: a learning rate is a number or a schedule (a function of the step count), got ${got}: write sgd(0.1), adam(1e-3), or adam(cosineDecay(…)).`);
}

function checkSteps(steps: number, caller: string): void {
  if (!(steps > 0)) throw new RangeError(`zygote-ts: ${caller}: the number of steps must be positive, got ${steps}.`);
}
