// The building blocks of optimisers (optax's names, camel-cased): each is a gradient
// transformation, and `chain` (transformation.ts) composes them. The optimisers users pick
// by name — sgd, adam, adamw, rmsprop — are chains of these (optimisers.ts).
//
// A slot whose gradient is null (no path from the loss to that parameter) gets a null
// update and keeps its state as it was: the parameter is left untouched, its moments are
// not decayed. Step counts are one per transformation, as in optax, except Adam's bias
// correction, which counts the gradients each slot's moments took (Optimisers.jl's state per leaf).

import { leafwise, dotLeaves, maxAbsLeaf, zerosOfSpec, specOf, type Leaf } from '../tree/leaves.js';
import { suspect } from '../escapes.js';
import { checkOptionNames } from './options.js';
import { scheduleOf, type LearningRate } from './schedules.js';
import { GradientTransformation, type SlotRule, type Slots } from './transformation.js';

/** Each non-null slot of `grads` mapped by `fn` (null stays null). */
const eachSlot = (grads: Slots, fn: (g: Leaf, k: number) => Leaf): (Leaf | null)[] => grads.map((g, k) => (g === null ? null : fn(g, k)));

/** Zeros in the form of each parameter: a moment's initial state. */
const zerosLike = (params: readonly Leaf[]): Leaf[] => params.map((p) => zerosOfSpec(specOf(p)));

/** A state slot that moves where the gradient has a path and stays where it does not. */
const advance = (state: readonly Leaf[], grads: Slots, fn: (s: Leaf, g: Leaf) => Leaf): Leaf[] => state.map((s, k) => (grads[k] === null || grads[k] === undefined ? s : fn(s, grads[k]!)));

/**
 * Multiplies the updates by `factor`.
 *
 * @example
 * const [u] = scale(-0.1).update({ w: 2 }, scale(-0.1).init({ w: 1 })); // { w: -0.2 }
 */
export function scale(factor: number): GradientTransformation {
  const rule: SlotRule<null> = {
    init: () => null,
    update: (grads) => [eachSlot(grads, (g) => leafwise(g, (x) => factor * x, g)), null],
  };
  return new GradientTransformation(`scale(${factor})`, rule);
}

/**
 * Multiplies the updates by minus the learning rate (a number or a schedule of the step
 * count): the last link of a descent.
 *
 * @example
 * const opt = chain(scaleByAdam(), scaleByLearningRate(cosineDecay(0.01, 1000))); // adam with a cosine schedule
 */
export function scaleByLearningRate(lr: LearningRate): GradientTransformation {
  const rate = scheduleOf(lr);
  const rule: SlotRule<number> = {
    init: () => 0,
    update(grads, count) {
      const factor = -rate(count);
      return [eachSlot(grads, (g) => leafwise(g, (x) => factor * x, g)), count + 1];
    },
  };
  return new GradientTransformation(`scaleByLearningRate(${typeof lr === 'number' ? lr : 'schedule'})`, rule);
}

/** Options of `trace` (momentum). */
export interface TraceOptions {
  /** How much of the previous trace is kept (the momentum). Default 0.9. */
  decay?: number;
  /** Nesterov's momentum: the update looks ahead along the trace. Default false. */
  nesterov?: boolean;
}

/**
 * Momentum: the update is a trace of past gradients, `t ← g + decay · t` (with Nesterov,
 * `g + decay · t` of the new trace).
 *
 * @example
 * const heavyBall = chain(trace({ decay: 0.9 }), scaleByLearningRate(0.01)); // = sgd(0.01, { momentum: 0.9 })
 */
export function trace(options: TraceOptions = {}): GradientTransformation {
  checkOptionNames('trace', options, ['decay', 'nesterov']);
  const { decay = 0.9, nesterov = false } = options;
  const rule: SlotRule<Leaf[]> = {
    init: zerosLike,
    update(grads, traces) {
      const next = advance(traces, grads, (t, g) => leafwise(g, (gi, ti) => gi + decay * ti, g, t));
      const updates = eachSlot(grads, (g, k) => (nesterov ? leafwise(g, (gi, ti) => gi + decay * ti, g, next[k]!) : next[k]!));
      return [updates, next];
    },
  };
  return new GradientTransformation(`trace(${decay}${nesterov ? ', nesterov' : ''})`, rule);
}

/** Options of Adam's scaling. */
export interface AdamOptions {
  /** Decay of the first moment (the mean of gradients). Default 0.9. */
  b1?: number;
  /** Decay of the second moment (the mean of squared gradients). Default 0.999. */
  b2?: number;
  /** Added to the root of the second moment (keeps the step finite). Default 1e-8. */
  eps?: number;
  /** Added to the second moment inside the root (for differentiating through the step). Default 0. */
  epsRoot?: number;
}

/** The names of Adam's options. */
export const ADAM_OPTIONS: readonly (keyof AdamOptions)[] = ['b1', 'b2', 'eps', 'epsRoot'];

interface AdamState {
  /** Per slot: how many gradients its moments have taken (their bias correction). */
  counts: number[];
  mu: Leaf[];
  nu: Leaf[];
}

/**
 * Adam's scaling (Kingma & Ba 2015): the bias-corrected mean of the gradients over the root
 * of their bias-corrected mean square, `m̂ / (√(v̂ + epsRoot) + eps)`.
 *
 * @example
 * const opt = chain(scaleByAdam({ b1: 0.8 }), scaleByLearningRate(0.01));
 */
export function scaleByAdam(options: AdamOptions = {}): GradientTransformation {
  checkOptionNames('scaleByAdam', options, ADAM_OPTIONS);
  const { b1 = 0.9, b2 = 0.999, eps = 1e-8, epsRoot = 0 } = options;
  const rule: SlotRule<AdamState> = {
    init: (params) => ({ counts: params.map(() => 0), mu: zerosLike(params), nu: zerosLike(params) }),
    update(grads, { counts, mu, nu }) {
      // The bias correction divides by 1 − b^t for the t gradients a slot's moments took: a
      // slot whose gradient was null did not take one (a count shared by all slots made a
      // parameter first reached at step 10 move 0.48·lr, not Adam's first step of lr).
      const counts1 = counts.map((t, k) => (grads[k] === null || grads[k] === undefined ? t : t + 1));
      const mu1 = advance(mu, grads, (m, g) => leafwise(g, (mi, gi) => b1 * mi + (1 - b1) * gi, m, g));
      const nu1 = advance(nu, grads, (v, g) => leafwise(g, (vi, gi) => b2 * vi + (1 - b2) * gi * gi, v, g));
      let overflowed = false;
      const updates = eachSlot(grads, (g, k) => {
        const c1 = 1 - b1 ** counts1[k]!;
        const c2 = 1 - b2 ** counts1[k]!;
        return leafwise(g, (m, v) => ((overflowed ||= v === Infinity), m / c1 / (Math.sqrt(v / c2 + epsRoot) + eps)), mu1[k]!, nu1[k]!);
      });
      if (overflowed) warnSecondMomentOverflow('scaleByAdam');
      return [updates, { counts: counts1, mu: mu1, nu: nu1 }];
    },
  };
  return new GradientTransformation('scaleByAdam', rule);
}

/** Options of RMSprop's scaling. */
export interface RmsOptions {
  /** Decay of the mean square of gradients. Default 0.9. */
  decay?: number;
  /** Added to the mean square inside its root (keeps the step finite). Default 1e-8. */
  eps?: number;
  /**
   * Whether `eps` goes inside the root, `g / √(v + eps)`, as optax's `eps_in_sqrt` (default
   * true), or outside, `g / (√v + eps)`, as PyTorch's RMSprop.
   */
  epsInSqrt?: boolean;
}

/** The names of RMSprop's options. */
export const RMS_OPTIONS: readonly (keyof RmsOptions)[] = ['decay', 'eps', 'epsInSqrt'];

/**
 * RMSprop's scaling (Tieleman & Hinton 2012) as optax's `scale_by_rms`: the gradient over
 * the root of its running mean square, `g / √(v + eps)` (or `g / (√v + eps)` with
 * `epsInSqrt: false`).
 *
 * @example
 * const opt = chain(scaleByRms({ decay: 0.99 }), scaleByLearningRate(0.001));
 */
export function scaleByRms(options: RmsOptions = {}): GradientTransformation {
  checkOptionNames('scaleByRms', options, RMS_OPTIONS);
  const { decay = 0.9, eps = 1e-8, epsInSqrt = true } = options;
  const denominator = epsInSqrt ? (v: number) => Math.sqrt(v + eps) : (v: number) => Math.sqrt(v) + eps;
  const rule: SlotRule<Leaf[]> = {
    init: zerosLike,
    update(grads, nu) {
      const nu1 = advance(nu, grads, (v, g) => leafwise(g, (vi, gi) => decay * vi + (1 - decay) * gi * gi, v, g));
      let overflowed = false;
      const updates = eachSlot(grads, (g, k) => leafwise(g, (gi, vi) => ((overflowed ||= vi === Infinity), gi / denominator(vi)), g, nu1[k]!));
      if (overflowed) warnSecondMomentOverflow('scaleByRms');
      return [updates, nu1];
    },
  };
  return new GradientTransformation('scaleByRms', rule);
}

/**
 * Says (once per transformation) that a mean square of gradients is Infinity: the updates of
 * its parameters are 0 (or NaN) from then on, whatever the gradients (optax's and PyTorch's
 * are too). Plainly, one gradient of 1e160 — or of 1e21 for float32 parameters, whose moments
 * are float32 — froze its parameter for the rest of the training, with no word.
 */
function warnSecondMomentOverflow(name: string): void {
  suspect(
    `${name} second moment overflow`,
    `${name}: a parameter's mean square of gradients is Infinity (a gradient beyond ~1e154, ~1e20 for float32 parameters, or not finite), so its updates are 0 (or NaN) from now on.`,
    'Clip the gradients before it, chain(clipByGlobalNorm(1), adam(lr)), and start again from a new state (init).',
  );
}

/**
 * Adds `weightDecay · params` to the updates (decoupled weight decay, as in AdamW; it needs
 * the parameters: `update(grads, state, params)`).
 *
 * @example
 * const opt = chain(scaleByAdam(), addDecayedWeights(1e-4), scaleByLearningRate(0.001)); // = adamw(0.001)
 */
export function addDecayedWeights(weightDecay: number): GradientTransformation {
  const name = `addDecayedWeights(${weightDecay})`;
  const rule: SlotRule<null> = {
    init: () => null,
    update(grads, state, params) {
      if (params === null) throw new TypeError(`zygote-ts: ${name} needs the parameters: pass them as update's third argument.`);
      return [eachSlot(grads, (g, k) => leafwise(g, (gi, pi) => gi + weightDecay * pi, g, params[k]!)), state];
    },
  };
  return new GradientTransformation(name, rule);
}

/**
 * Scales the whole update down so that its norm (over every parameter together) is at most
 * `maxNorm`; an update within it passes unchanged.
 *
 * @example
 * const opt = chain(clipByGlobalNorm(1), adam(0.001));
 */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation {
  if (!(maxNorm > 0)) throw new RangeError(`zygote-ts: clipByGlobalNorm: the norm must be positive, got ${maxNorm}.`);
  const rule: SlotRule<null> = {
    init: () => null,
    update(grads, state) {
      let squares = 0;
      for (const g of grads) if (g !== null) squares += dotLeaves(g, g);
      const norm = Math.sqrt(squares);
      if (norm <= maxNorm) return [[...grads], state];
      const factor = squares === Infinity ? overflowedClip(grads, maxNorm) : maxNorm / norm;
      return [eachSlot(grads, (g) => leafwise(g, (x) => factor * x, g)), state];
    },
  };
  return new GradientTransformation(`clipByGlobalNorm(${maxNorm})`, rule);
}

/**
 * clipByGlobalNorm's factor where the sum of squares overflowed: the norm taken over the
 * gradients divided by their largest |element| (as BLAS's nrm2 scales). Plainly, finite
 * gradients of 1e155 or more gave a norm of Infinity and a factor of 0: the clip meant for
 * exploding gradients made the update zero, the step doing nothing, with no word. A gradient
 * that holds Infinity keeps the factor 0 (optax's: its Infinity becomes NaN).
 */
function overflowedClip(grads: Slots, maxNorm: number): number {
  let largest = 0;
  for (const g of grads) if (g !== null) largest = Math.max(largest, maxAbsLeaf(g));
  if (!Number.isFinite(largest)) return 0;
  let scaled = 0;
  for (const g of grads) {
    if (g === null) continue;
    const unit = leafwise(g, (x) => x / largest, g);
    scaled += dotLeaves(unit, unit);
  }
  return maxNorm / largest / Math.sqrt(scaled);
}
