// Gradient transformations as values (optax's design, Optimisers.jl's reach): `init(params)`
// makes a state, `update(grads, state, params)` turns a gradient into an update and the next
// state; `applyUpdates` (apply.ts) adds the update to the parameters. The parameters are any
// structure zygote-ts differentiates.
//
// Each transformation computes on slots — one leaf (number, NDArray, typed array) per
// parameter, see lib/tree/layout.ts — so a formula is written once, a tied parameter is
// one slot whose gradients add up, and `chain` composes transformations without walking
// the structure again. The state remembers the layout of the parameters it was made for.

import type { Grad } from '../types.js';
import { Layout } from '../tree/layout.js';
import type { Leaf } from '../tree/leaves.js';

/** A slot's gradient or update: null where no path led (its parameter is left untouched). */
export type Slots = readonly (Leaf | null)[];

/** What a transformation does, on slots. */
export interface SlotRule<S> {
  init(params: readonly Leaf[]): S;
  /** `params` is null when the caller gave none (a rule that needs them says so). */
  update(grads: Slots, state: S, params: readonly Leaf[] | null): [(Leaf | null)[], S];
}

declare const parameterType: unique symbol;

/**
 * An optimiser's state for parameters of type `T`: made by `init`, advanced by `update`.
 * Opaque, and never changed in place: each update returns a new one (keep the old one to
 * step back). It remembers the layout of the parameters `init` saw.
 */
export interface OptState<T> {
  /** (type only: ties the state to its parameters' type) */
  readonly [parameterType]?: (params: T) => T;
}

class State<T> implements OptState<T> {
  declare readonly [parameterType]?: (params: T) => T;
  constructor(
    readonly layout: Layout,
    readonly inner: unknown,
    /** The kind of transformation that made it (`GradientTransformation.kind`). */
    readonly kind: string,
  ) {}
}

/**
 * A gradient transformation (optax's): `init(params)` gives the
 * state, `update(grads, state, params)` gives `[updates, nextState]`, updates in the shape
 * of the gradient (`Grad<T>`), null where the gradient is null.
 */
export class GradientTransformation {
  constructor(
    /** What it is, for messages: `adam(0.001)`. */
    readonly name: string,
    /** Its computation on slots (what `chain` composes). */
    readonly rule: SlotRule<unknown>,
    /**
     * What its state holds, for checking that a state is its kind's: the name without its
     * numbers (`adam(0.1)` and `adam(0.05)` are of one kind, and take each other's state).
     */
    readonly kind: string = name.replace(/\(.*$/s, ''),
  ) {}

  /**
   * The state for `params` (any structure of numbers, NDArrays and typed arrays).
   *
   * @example
   * const opt = adam(0.01);
   * let state = opt.init({ w: [1, 2], b: 0 });
   */
  init<T>(params: T): OptState<T> {
    const layout = Layout.of(params, `${this.name}.init`);
    return new State<T>(layout, this.rule.init(paramsOf(layout, params, `${this.name}.init`)), this.kind);
  }

  /**
   * The update for gradient `grads` (as `gradient` gives it, nulls allowed) and the next
   * state. `params` is needed by transformations that look at the parameters (weight decay).
   *
   * @example
   * const [g] = gradient(loss, model);
   * const [updates, next] = opt.update(g, state, model);
   * model = applyUpdates(model, updates);
   */
  update<T>(grads: NoInfer<Grad<T>> | null, state: OptState<T>, params?: NoInfer<T>): [Grad<T> | null, OptState<T>] {
    if (!(state instanceof State)) throw new TypeError(`zygote-ts: ${this.name}.update: the state must come from ${this.name}.init (or a previous update).`);
    // (another kind's state was read as this one's: sgd's update on Adam's state stepped by NaN
    // with a schedule, and a momentum trace took RMSprop's mean squares as its trace)
    if (state.kind !== this.kind) {
      throw new TypeError(`zygote-ts: ${this.name}.update: the state was made by another kind of optimiser (${state.kind}, where this is ${this.kind}), whose state means other things: use ${this.name}.init.`);
    }
    if (grads === null) return [null, state];
    const { layout } = state;
    const g = layout.gather(grads, `${this.name}.update (the gradient)`);
    const p = params === undefined ? null : paramsOf(layout, params, `${this.name}.update (the parameters)`);
    const [updates, inner] = this.rule.update(g, state.inner, p);
    return [layout.scatter(updates) as Grad<T>, new State<T>(layout, inner, this.kind)];
  }
}

/** The parameters' leaves, one per slot; each must be there (the structure is the one init saw). */
function paramsOf(layout: Layout, params: unknown, caller: string): Leaf[] {
  const leaves = layout.gather(params, caller);
  const missing = leaves.indexOf(null);
  if (missing >= 0) throw new TypeError(`zygote-ts: ${caller}: the parameters lack one the state was made for (slot ${missing}): call init again for a new structure.`);
  return leaves as Leaf[];
}

/**
 * Transformations one after the other (optax's `chain`): each one's update is the next
 * one's gradient. Its state holds theirs.
 *
 * @example
 * const opt = chain(clipByGlobalNorm(1), adam(0.001)); // clip, then Adam
 */
export function chain(...transformations: GradientTransformation[]): GradientTransformation {
  const rules = transformations.map((t) => t.rule);
  const chained: SlotRule<unknown[]> = {
    init: (params) => rules.map((r) => r.init(params)),
    update(grads, states, params) {
      let u: Slots = grads;
      const next = rules.map((r, k) => {
        const [out, s] = r.update(u, states[k], params);
        u = out;
        return s;
      });
      return [[...u], next];
    },
  };
  return new GradientTransformation(`chain(${transformations.map((t) => t.name).join(', ')})`, chained, `chain(${transformations.map((t) => t.kind).join(', ')})`);
}
