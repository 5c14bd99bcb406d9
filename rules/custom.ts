// Custom rules: the user gives a function's value and pullback (Zygote's `@adjoint`,
// ChainRules' `rrule`), and the function is then differentiated with them — one tape node,
// whose pullback runs once per backward pass. For numerically better gradients
// (logsumexp, softplus), and for code zygote-ts cannot follow (a native addon, WebAssembly).

import { isNDArray, NDArray } from '../lib/ndarray.js';
import { isTraced } from '../lib/core/traced.js';
import { on, record, tapeOf } from './arrays/record.js';
import { markOwnDerivative } from '../lib/core/own-derivative.js';

/** A rule: the value of `fn` at `args`, and the pullback from the output's cotangent to one per argument. */
export type Rrule<A extends unknown[], Y> = (...args: A) => [Y, (dy: any) => readonly unknown[]];

/**
 * `fn` with a derivative rule: call the returned function wherever you would call `fn`.
 * Arguments and result are numbers or NDArrays; the pullback returns one cotangent per
 * argument (`null` for none). The rule computes with zygote-ts's operations (or plain
 * numbers), so a rule written with differentiable code also gives second derivatives.
 *
 * @example
 * const mul = rule((a: number, b: number) => a * b, (a, b) => [a * b, (c) => [c * b, c * a]]);
 * gradient(mul, 2, 3); // [3, 2]
 */
export function rule<A extends unknown[], Y>(fn: (...args: A) => Y, rrule: Rrule<A, Y>): (...args: A) => Y {
  const name = fn.name || 'rule';
  const withRule = {
    [name](...args: A): Y {
      const t = tapeOf(args);
      if (t === null) return fn(...args);
      const outer = args.map((x) => on(x, t)) as A;
      const [value, pullback] = rrule(...outer);
      checkValue(value, name);
      return record(t, value, args, function rulePullback(dy: unknown) {
        // (the rule gets its own copy: a cotangent buffer may be shared with another
        // operand's, as `a + b` gives both the same, and a pullback that writes into it
        // would change that gradient too)
        const parts = pullback(isNDArray(dy) && dy.tape === null ? new NDArray(dy.shape, dy.data.slice()) : dy);
        if (!Array.isArray(parts) || parts.length !== args.length) {
          throw new TypeError(`zygote-ts: the rule for ${name} returned ${Array.isArray(parts) ? parts.length : 'no'} cotangents for ${args.length} arguments; return one per argument (null for none).`);
        }
        return parts;
      }) as Y;
    },
  }[name]!;
  return markOwnDerivative(withRule);
}

function checkValue(value: unknown, name: string): void {
  if (typeof value === 'number' || isTraced(value) || isNDArray(value)) return;
  throw new TypeError(`zygote-ts: the rule for ${name} must return [value, pullback] with a number or an NDArray value, got ${typeof value}.`);
}
