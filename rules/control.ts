// Gradient control: what Zygote users reach for to stop, reshape or trade off a gradient.
// `dropgrad`, `ignore` and `nograd` stop it; `hook` rewrites it on its way back.
// (`checkpointed` and `isderiving` are in the API: they differentiate themselves.)

import { NDArray, isNDArray } from '../lib/ndarray.js';
import { primal, isTraced } from '../lib/core/traced.js';
import { on, record, tapeOf } from './arrays/record.js';
import { markOwnDerivative } from '../lib/core/own-derivative.js';

/**
 * `x` with no derivative, at every nesting level: numbers, NDArrays, and arrays or
 * plain objects of them (a copy; `x` is not changed).
 *
 * @example
 * gradient((x) => x * dropgrad(x), 1); // [1]
 */
export function dropgrad<T>(x: T): T {
  if (isTraced(x)) return primal(x) as T;
  if (isNDArray(x)) return (x.tape === null ? x : new NDArray(x.shape, x.data)) as T;
  if (Array.isArray(x)) return x.map(dropgrad) as T;
  if (typeof x === 'object' && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, dropgrad(v)])) as T;
  }
  return x;
}

/** Runs `f` and drops the derivative of its result (Zygote's `ignore`). */
export function ignore<T>(f: () => T): T {
  return dropgrad(f());
}

/** `fn` made never differentiated: its arguments and result carry no derivative. */
export function nograd<A extends unknown[], Y>(fn: (...args: A) => Y): (...args: A) => Y {
  return markOwnDerivative((...args: A) => dropgrad(fn(...(args.map(dropgrad) as A))));
}

/**
 * `x` unchanged, but its cotangent passes through `fn` on the way back.
 *
 * @example
 * gradient((a, b) => hook((g) => -g, a) * b, 2, 3); // [-3, 2]
 */
export function hook<T extends number | NDArray>(fn: (cotangent: T) => T, x: T): T {
  const t = tapeOf([x]);
  if (t === null) return x;
  if (t.tangents !== null) {
    // A forward tape has no cotangents to hook: the tangent passes through, and the hook
    // stays on the value one level out (an enclosing reverse differentiation).
    const never = () => [];
    return record(t, hook(fn, on(x, t) as T), [x], never, undefined, ([dx]) => dx) as T;
  }
  return record(t, on(x, t), [x], function hookPullback(g: T) {
    // (fn gets its own copy: the cotangent buffer may be shared with another operand's, as
    // `add(a, b)` gives both the same, and a hook that writes into it would change theirs too)
    return [fn((isNDArray(g) && g.tape === null ? new NDArray(g.shape, g.data.slice()) : g) as T)];
  }) as T;
}
