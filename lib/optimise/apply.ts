// Adding updates to parameters: `applyUpdates` returns new parameters (immer's produce:
// what no update touched keeps its identity, class instances keep their class, a frozen
// immer state gives a frozen result); `applyUpdatesInPlace` writes into them, for code
// that mutates its model. A null update leaves its parameter untouched.

import type { Grad } from '../types.js';
import { Layout } from '../tree/layout.js';
import { leafwise, sharingMemoryStepped, type Leaf } from '../tree/leaves.js';
import { rebuild } from '../tree/rebuild.js';

const plus = (p: number, u: number) => p + u;

function updated<T>(params: T, updates: NoInfer<Grad<T>> | null, caller: string, inPlace: boolean): T {
  if (updates === null) return params;
  const layout = Layout.of(params, caller);
  const leaves = layout.gather(params, `${caller} (the parameters)`);
  const u = layout.gather(updates, `${caller} (the updates)`);
  // In place, each update is added to what its parameter holds when it is written, not to a
  // value read before any was: two parameters over one memory (an NDArray and a reshape of
  // it, each given its path's part of the gradient) both step it, where the second write
  // put back the numbers the first had stepped.
  if (inPlace) return rebuild(params, layout, leaves.map((p, k) => (p === null ? null : u[k]!)), { caller, inPlace, increments: true });
  const next = leaves.map((p, k) => (p === null || u[k] === null ? null : leafwise(p, plus, p, u[k] as Leaf)));
  sharingMemoryStepped(leaves, u, next);
  return rebuild(params, layout, next, { caller, inPlace });
}

/**
 * The parameters plus the updates, as a new structure: the parts no update touched are the
 * old objects, class instances keep their class, and a frozen structure (immer state) gives
 * a frozen one. Nothing passed in is changed. Updates have the shape of the gradient.
 *
 * @example
 * const model = { w: [1, 2], b: 0.5, name: 'm' };
 * const next = applyUpdates(model, { w: [0.1, -0.1], b: null, name: null });
 * // next: { w: [1.1, 1.9], b: 0.5, name: 'm' }; model is unchanged
 */
export function applyUpdates<T>(params: T, updates: NoInfer<Grad<T>> | null): T {
  return updated(params, updates, 'applyUpdates', false);
}

/**
 * Adds the updates into the parameters themselves (NDArrays and typed arrays are filled in
 * place) and returns them — the same object, or the new number when they are one number.
 * Frozen parameters (immer state) are refused: use `applyUpdates`.
 *
 * @example
 * const layer = new Linear(W, b);
 * applyUpdatesInPlace(layer, updates); // layer.W and layer.b now hold the new numbers
 */
export function applyUpdatesInPlace<T>(params: T, updates: NoInfer<Grad<T>> | null): T {
  return updated(params, updates, 'applyUpdatesInPlace', true);
}
