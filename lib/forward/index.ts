// Forward mode: pushforwards (Jacobian-vector products), Jacobians by columns, and
// Hessian-vector products by forward over reverse.
//
// A call runs f once on a forward-mode tape (lib/core/tangents.ts), which carries each
// value's tangents beside it through the same rules as reverse mode; nothing is kept for a
// backward pass. Choose forward mode when f has few inputs and many outputs (`jacfwd`), for
// directional derivatives (`jvp`), and for second order (`hvp`, `hessian`: forward over
// reverse); reverse mode when f has many inputs and one output (`gradient`).

import { live, isTraced, primal } from '../core/traced.js';
import type { Tape } from '../core/tape.js';
import { isNDArray, isFloatArray, NDArray, allocate, type Dtype } from '../ndarray.js';
import { array } from '../arrays.js';
import { reshape } from '../../rules/arrays/shape.js';
import { elementsOf } from '../../rules/arrays/record.js';
import { checkedFunction, describeValue, trace, type CutSuspect } from '../call.js';
import { WrappedArguments } from '../../proxies/arguments.js';
import { StructuredSeeds, BasisSeeds } from '../../proxies/tangents.js';
import { splitOutput } from './outputs.js';
import { denseGradientFor, emptyOutputPlace, refuseMoreArguments, reportCut } from '../api.js';
import type { DenseGrad, Jacobians, Tangent, Tangents } from '../types.js';

/**
 * f's value and its directional derivative along `tangents` (a Jacobian-vector product),
 * in one evaluation of f. Tangents have the arguments' shapes; the output's tangent has the
 * output's shape.
 *
 * @example
 * jvp((x, y) => x * y, [2, 3], [1, 0]); // [6, 3]
 * jvp((p: { x: number; y: number }) => [p.x * p.y, p.x], [{ x: 2, y: 3 }], [{ x: 1, y: 1 }]); // [[6, 2], [5, 1]]
 */
export function jvp<A extends unknown[], Y>(f: (...args: A) => Y, args: A, tangents: Tangents<A>): [Y, DenseGrad<Y>] {
  const g = checkedFunction(f, 'jvp');
  if (!Array.isArray(args) || !Array.isArray(tangents)) {
    throw new TypeError(`zygote-ts: jvp(f, args, tangents) takes the arguments and their tangents as two arrays.`);
  }
  if (tangents.length !== args.length) {
    throw new TypeError(`zygote-ts: jvp got ${tangents.length} tangents for ${args.length} arguments; give one per argument (null where not perturbed).`);
  }
  const { tape, result, suspects } = trace(g, args, (output, tape) => splitOutput(output, tape, 0), {
    forward: { width: 1, seeder: new StructuredSeeds(tangents) },
  });
  if (suspects.length > 0 && holdsStillNumber(result[1])) reportCutsOfMoving(f, suspects, tape);
  tape.release();
  return result as [Y, DenseGrad<Y>];
}

/**
 * Zygote's `pushforward`: `pushforward(f, ...args)(...tangents)` is `jvp(f, args, tangents)`,
 * f's value and its derivative along the tangents. Each call of the returned function runs f.
 *
 * @example
 * pushforward(Math.sin, 0)(2); // [0, 2]
 */
export function pushforward<A extends unknown[], Y>(f: (...args: A) => Y, ...args: A): (...tangents: Tangents<A>) => [Y, DenseGrad<Y>] {
  checkedFunction(f, 'pushforward');
  return (...tangents) => jvp(f, args, tangents as Tangents<A>);
}

/**
 * The Jacobian by forward mode: one column per number of the arguments, all carried
 * through one evaluation of f. The same result as `jacobian` (rows are outputs; for each
 * argument a number's derivatives, an NDArray's m×n NDArray, or a gradient-shaped row per
 * output for a structure); cheaper when f has fewer inputs than outputs.
 *
 * @example
 * jacfwd((x, y) => [x * y, x + y, 2 * x], 3, 5); // [[5, 1, 2], [3, 1, 0]]
 */
export function jacfwd<A extends unknown[]>(f: (...args: A) => readonly number[] | NDArray, ...args: A): Jacobians<A> {
  return withjacfwd(f, ...args).grad;
}

/** `jacfwd`'s value and Jacobian together: `{ val, grad }` (as `withjacobian`). */
export function withjacfwd<A extends unknown[]>(f: (...args: A) => readonly number[] | NDArray, ...args: A): { val: number[] | NDArray; grad: Jacobians<A> } {
  const g = checkedFunction(f, 'jacfwd');
  const seeds = new BasisSeeds();
  const { tape, wrapped, result, suspects } = trace(g, args, (output, tape) => columnsOf(output, tape), {
    forward: {
      width: 1,
      seeder: seeds,
      wrapped: (tape) => {
        tape.tangents!.resize(seeds.width);
        seeds.seedAll(tape);
      },
    },
  });
  if (suspects.length > 0 && result.rows.some((row) => row.every((t) => t === null || primal(t) === 0))) reportCutsOfMoving(f, suspects, tape);
  tape.release();
  const { value, rows } = result;
  const inputs = seeds.inputs;
  const w = wrapped as WrappedArguments;
  const starts: number[] = [];
  inputs.reduce((column, x) => (starts.push(column), column + (isNDArray(x) ? x.size : 1)), 0);
  // An argument that is a number or an NDArray reads its columns directly; a structure gets
  // one gradient-shaped row per output (as jacobian gives), built from that row's columns.
  const structured = args.some((_, k) => typeof w.rootInput(k) !== 'number' && w.differentiable(k));
  const perRow = structured ? rows.map((row) => w.gradients(inputs.map((x, s) => columnsAsInput(x, row, starts[s]!)), true)) : null;
  const grad = args.map((_, k) => {
    if (!w.differentiable(k)) return null;
    const s = w.rootInput(k);
    if (typeof s !== 'number') return perRow!.map((g) => g[k]);
    const x = inputs[s]!;
    const start = starts[s]!;
    if (!isNDArray(x)) return rows.map((row) => row[start]!);
    const n = x.size;
    return arrayOf(rows.flatMap((row) => row.slice(start, start + n)), [rows.length, n], x.dtype);
  });
  return { val: value, grad: grad as Jacobians<A> };
}

/**
 * Forward mode's suspicion of text not read back (reverse mode's: lib/api.ts), said once per
 * f: a traced number that moves was written as text never read back as a number (or found
 * equal to a stored plain number: a cache keyed by value), and some number of f's result does
 * not move. Without it, jvp and jacfwd gave 0 for a result computed from x's digits
 * (decimal.js's way), with no word. Forward mode has no sweep to tell whether the number
 * reaches the result, so a still number anywhere in it is enough.
 */
function reportCutsOfMoving(f: Function, suspects: readonly CutSuspect[], tape: Tape): void {
  const width = tape.tangents!.width;
  const moving = suspects.find(({ by }) => {
    if (by === null) return true; // (an object cache: its argument moves)
    for (let j = 0; j < width; j++) {
      const t = tape.tangents!.at(by.tracedIndex, j);
      if (t !== null && t !== undefined && primal(t) !== 0) return true;
    }
    return false;
  });
  if (moving !== undefined) reportCut(f, moving, "part of f's result does not move with the inputs");
}

/** Whether a tangent jvp returns holds a number that is 0 (a value that does not move). */
function holdsStillNumber(t: unknown, seen = new Set<object>()): boolean {
  if (typeof t === 'number' || isTraced(t)) return primal(t) === 0;
  if (typeof t !== 'object' || t === null || seen.has(t)) return false;
  seen.add(t);
  if (isNDArray(t)) return elementsOf(t).some((e) => holdsStillNumber(e, seen));
  if (isFloatArray(t)) return t.some((e) => e === 0);
  if (t instanceof Map) return [...t.values()].some((e) => holdsStillNumber(e, seen));
  return Object.values(t).some((e) => holdsStillNumber(e, seen));
}

/** Input `x`'s columns of a Jacobian row, in the input's shape (a number, or an NDArray). */
function columnsAsInput(x: unknown, row: readonly unknown[], start: number): unknown {
  if (!isNDArray(x)) return row[start]!;
  return arrayOf(row.slice(start, start + x.size), x.shape, x.dtype);
}

/**
 * An array of `shape` and `dtype` holding `numbers` (row-major). Traced ones — a Jacobian
 * taken inside another differentiation — are packed by `array`, keeping their derivatives
 * (written into a typed array, they became plain numbers: the outer derivative was lost).
 */
function arrayOf(numbers: readonly unknown[], shape: readonly number[], dtype: Dtype): NDArray {
  if (numbers.some((v) => isTraced(v) && v.tracedTape.active)) return reshape(array(numbers as number[], { dtype }), shape);
  const data = allocate(dtype, numbers.length);
  for (let k = 0; k < numbers.length; k++) data[k] = numbers[k] as number;
  return new NDArray(shape, data);
}

/** f's outputs (an array of numbers, or an NDArray) as values and rows of the Jacobian. */
function columnsOf(output: unknown, tape: Tape): { value: number[] | NDArray; rows: unknown[][] } {
  const width = tape.tangents!.width;
  if (isNDArray(output)) {
    const [value, first] = splitOutput(output, tape, 0);
    const m = (value as NDArray).size;
    const rows = Array.from({ length: m }, () => new Array<unknown>(width).fill(0));
    for (let j = 0; j < width; j++) {
      // (a tangent traced on an outer tape is read element by element, derivatives kept)
      const t = elementsOf((j === 0 ? first : splitOutput(output, tape, j)[1]) as NDArray);
      for (let i = 0; i < m; i++) rows[i]![j] = t[i];
    }
    return { value: value as NDArray, rows };
  }
  if (!Array.isArray(output)) {
    throw new TypeError(
      `zygote-ts: jacfwd needs f to return an array of numbers (or an NDArray), but it returned ${describeValue(output)}. ` +
        `For a function returning one number, use gradient (or jvp for one direction).`,
    );
  }
  const value: number[] = [];
  const rows = Array.from(output, (element: unknown, i: number) => {
    if (!(i in output)) throw emptyOutputPlace('jacfwd', i);
    if (typeof live(element) !== 'number' && !isTraced(element)) {
      throw new TypeError(`zygote-ts: jacfwd: output ${i} is ${describeValue(element)}, not a number.`);
    }
    const [v, first] = splitOutput(element, tape, 0);
    value.push(v as number);
    // (an output traced on this tape has every direction's tangent in its row; others have none)
    const x = isTraced(element) && element.tracedTape === tape ? element : null;
    const row = new Array<unknown>(width).fill(0);
    if (x !== null) for (let j = 0; j < width; j++) row[j] = tape.tangents!.at(x.tracedIndex, j);
    else row[0] = first;
    return row;
  });
  return { value, rows };
}

/**
 * The Hessian of scalar f at x times v (x's shape), by forward over reverse: the derivative
 * of f's gradient along v, at about the cost of a few gradients and without forming H.
 *
 * @example
 * hvp((x: number[]) => x[0] ** 2 * x[1], [1, 2], [1, 0]); // [4, 2]
 */
export function hvp<X>(f: (x: X) => number, x: X, v: Tangent<X>): DenseGrad<X> {
  const g = checkedFunction(f, 'hvp');
  refuseMoreArguments(g, arguments.length, 3, 'hvp(f, x, v) takes one x and one direction v', 'hvp(([x, y]) => f(x, y), [x, y], [vx, vy])');
  const [, Hv] = jvp((y: X) => denseGradientFor('hvp', g, [y])[0], [x] as [X], [v] as never);
  return Hv as unknown as DenseGrad<X>;
}
