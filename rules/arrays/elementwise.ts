// Elementwise array operations with broadcasting: the arithmetic operators and every
// `Math` function, lifted from their scalar rules. A pullback is written with the
// runtime's own (array-aware) operations, so it is differentiable again (hessians).

import { allocate, isNumericArrayLike, NDArray, isNDArray } from '../../lib/ndarray.js';
import { kernels } from '../../lib/kernels/index.js';
import { live, primal, Traced, isTraced } from '../../lib/core/traced.js';
import { isDeriving } from '../../lib/core/scope.js';
import { isSymbolic } from '../../lib/core/symbolic.js';
import { add, div, mul, neg, pow, sub, mod } from '../arithmetic.js';
import { log } from '../math.js';
import { trunc } from '../nondiff.js';
import { broadcastShapes, map1, map2, sameShape, stretchTo, sumToShape } from './broadcast.js';
import { asArray, liveArray, recordStep, tapeOf, type Element, type Elements, type ElementwiseForm } from './record.js';
import { astype } from './dtype.js';

/** A scalar operand (a number, or a traced number), or an array. */
type Operand = number | Traced | NDArray;

/**
 * Whether `a op b` is an array operation: one side is our array, or a JavaScript array
 * holding traced numbers (an argument's stand-in), and the other side is numeric.
 * Two plain JavaScript arrays, or an array and a string, keep JavaScript's meaning.
 */
export function isArrayOperation(a: unknown, b: unknown): boolean {
  const arrayA = isNDArray(a) || holdsTraced(a);
  const arrayB = isNDArray(b) || holdsTraced(b);
  if (!arrayA && !arrayB) return false;
  return isNumeric(a, arrayA) && isNumeric(b, arrayB);
}

function isNumeric(x: unknown, array: boolean): boolean {
  return array || typeof x === 'number' || isTraced(x) || isSymbolic(x) || isNumericArrayLike(x);
}

// Only while a differentiation runs (no traced number is live otherwise): looking into an
// array reads its elements (a getter, a Proxy's trap) and asks whether they are arrays
// (a revoked Proxy throws), which plain `[1] + 1` never does. The numbers are read in order
// up to the first traced one: element 0 for an argument's stand-in; past numbers f set to
// constants (`a[0] = 0; a * a` was plain JavaScript's NaN, its gradient null, where `a[1] = 0`
// kept the array). Anything else before it (text, an object, a hole) keeps JavaScript's meaning.
function holdsTraced(x: unknown): boolean {
  return isDeriving() && Array.isArray(x) && firstTraced(x) === TRACED;
}

const TRACED = 1;
const NUMBERS = 0;
const OTHER = -1;

/** Whether the first leaf of nested arrays that is not a plain number is an active traced number (TRACED), something else (OTHER), or there is none (NUMBERS). */
function firstTraced(x: unknown[]): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v === 'number') continue;
    if (Array.isArray(v)) {
      const inner = firstTraced(v);
      if (inner !== NUMBERS) return inner;
      continue;
    }
    return isTraced(v) && v.tracedTape.active ? TRACED : OTHER;
  }
  return NUMBERS;
}

function operand(x: unknown, what: string): Operand {
  if (isNDArray(x)) return liveArray(x);
  if (typeof x === 'number') return x;
  if (isTraced(x)) {
    const v = live(x);
    return typeof v === 'number' || isTraced(v) ? v : +(v as number);
  }
  // A symbolic number (compileGradient's recording, as a checkpointed function or a rule's
  // own function receives it) is its number, pinned: the recording holds no array form of it.
  if (isSymbolic(x)) return x.pin();
  return asArray(x, what);
}

const toArray = (x: Operand): NDArray => (isNDArray(x) ? x : asArray(x, 'operand'));
const shapeOf = (x: Operand): readonly number[] => (isNDArray(x) ? x.shape : []);

/** A gradient part reduced to an operand's shape (a scalar operand gets a scalar). */
function reduceTo(part: unknown, x: Operand): unknown {
  if (!isNDArray(x)) return isNDArray(part) ? sum(part) : part;
  return isNDArray(part) ? sumTo(part, x.shape) : broadcastTo(part, x.shape);
}

type BinaryGrads = (g: any, x: any, y: any, z: any, need: readonly [boolean, boolean]) => [unknown, unknown];

/** A binary operation's element formulas: `parts` are its grads' on one element (before nothing-from-zeros). */
export interface BinaryForm {
  forward(e: Elements, x: Element, y: Element): Element;
  parts(e: Elements, g: Element, x: Element, y: Element, z: Element, need: readonly boolean[]): readonly [Element | null, Element | null];
}

/**
 * An elementwise binary operation on arrays with broadcasting. `reads(need)` says which of
 * x, y, z its grads use when the operands that need a gradient are `need` (for compiled code);
 * `form`, its formulas on one element (for compiled code that fuses).
 */
export function lift2(
  name: string,
  f: (x: number, y: number) => number,
  grads: BinaryGrads,
  reads: (need: readonly [boolean, boolean]) => readonly [boolean, boolean, boolean] = () => [true, true, true],
  form?: BinaryForm,
): (a: unknown, b: unknown) => any {
  const elementwise: ElementwiseForm | undefined = form && {
    forward: (e, [x, y]) => form.forward(e, x!, y!),
    backward: (e, g, [x, y], z, need) => form.parts(e, g, x!, y!, z, need).map((part) => (part === null ? null : e.nothingFromZeros(part, g))),
  };
  const op = (a: unknown, b: unknown): unknown => {
    const A = operand(a, `${name}: left operand`);
    const B = operand(b, `${name}: right operand`);
    const t = tapeOf([A, B]);
    // (with no tape active, a scalar operand is a number: it takes the array's dtype)
    if (t === null) return map2(A as NDArray | number, B as NDArray | number, f, name);
    const need = [isNDArray(A) || isTraced(A) ? A.tracedTape === t : false, isNDArray(B) || isTraced(B) ? B.tracedTape === t : false] as const;
    const [readX, readY, readZ] = reads(need);
    return recordStep(t, [A, B], {
      name,
      forward: ([x, y]) => op(x, y),
      backward: (g, [x, y], z) => {
        const [ga, gb] = grads(g, x, y, z, need);
        return [need[0] ? reduceTo(nothingFromZeros(ga, g), A) : null, need[1] ? reduceTo(nothingFromZeros(gb, g), B) : null];
      },
      reads: { operands: [readX, readY], result: readZ },
      elementwise,
      // ż = ∂z/∂x ⊙ ẋ + ∂z/∂y ⊙ ẏ: each grad is the cotangent times the partial (the
      // Jacobian is diagonal), so a tangent stretched to z's shape takes the cotangent's place
      jvp: ([dx, dy], [x, y], z: NDArray) => {
        const along = (d: unknown, k: 0 | 1) => {
          const g = stretched(d, z);
          return nothingFromZeros(grads(g, x, y, z, k === 0 ? [true, false] : [false, true])[k], g);
        };
        return plus(dx === null ? null : along(dx, 0), dy === null ? null : along(dy, 1));
      },
    });
  };
  return op;
}

/** A tangent in the shape of the result `z` it is a part of (a number stays a number). */
function stretched(d: unknown, z: NDArray): unknown {
  return isNDArray(d) && !sameShape(d.shape, z.shape) ? broadcastTo(d, z.shape) : d;
}

/** The sum of two tangents, either of which may be null (zero). */
export function plus(a: unknown, b: unknown): unknown {
  if (a === null) return b;
  return b === null ? a : add(a, b);
}

/**
 * The partial of a unary function on one element, written as its rule's `partial` computes it
 * on arrays (for compiled code that fuses).
 */
export type UnaryPartialForm = (e: Elements, x: Element, y: Element) => Element;

/** An elementwise unary function on arrays from its scalar rule (`partial(x, y)` = ∂y/∂x; `form`, the same on one element). */
export function lift1(op: (x: unknown) => any, f: (x: number) => number, partial: (x: unknown, y: unknown) => unknown, form?: UnaryPartialForm) {
  // (a zero cotangent, or a zero partial, contributes nothing: see nothingFromZeros)
  const elementwise: ElementwiseForm | undefined = form && {
    forward: (e, [x]) => e.map(f, x!),
    backward: (e, g, [x], y) => {
      const d = form(e, x!, y);
      return [e.nothingFromZeros(e.nothingFromZeros(e.mul(g, d), g), d)];
    },
  };
  const times = (g: unknown, d: unknown) => nothingFromZeros(nothingFromZeros(mul(g, d), g), d);
  return function onArray(X: NDArray): unknown {
    X = liveArray(X);
    const t = tapeOf([X]);
    if (t === null) return map1(X, f);
    return recordStep(t, [X], {
      name: op.name,
      forward: ([x]) => op(x),
      backward: (g, [x], y) => [times(g, partial(x, y))],
      elementwise,
      jvp: ([dx], [x], y) => times(dx, partial(x, y)),
    });
  };
}

/**
 * An elementwise contribution `part` (computed from the cotangent `g`, of `g`'s shape) with
 * nothing where `g` is zero: a zero cotangent contributes nothing, even through an infinite
 * or undefined partial (0·∞, 0/0), as in the scalar sweep (lib/core/tape.ts); the same for a
 * tangent in forward mode (lib/core/tangents.ts). Given the partial as `g`, the same for a
 * zero partial meeting an infinite cotangent (sqrt(relu(x)) below 0). A cotangent or
 * tangent traced on an outer tape (nesting) keeps its derivative and is left as it is.
 */
export function nothingFromZeros(part: unknown, g: unknown): unknown {
  if (!isNDArray(part) || part.tracedTape !== null) return part;
  const p = part.data;
  let fixed: typeof p | null = null;
  if (g === 0) {
    for (let k = 0; k < p.length; k++) if (p[k] !== p[k]) (fixed ??= p.slice())[k] = 0;
  } else {
    if (!isNDArray(g) || g.tracedTape !== null || part.size !== g.size) return part;
    const z = g.data;
    for (let k = 0; k < p.length; k++) if (p[k] !== p[k] && z[k] === 0) (fixed ??= p.slice())[k] = 0;
  }
  return fixed === null ? part : new NDArray(part.shape, fixed);
}

// ---- the arithmetic operators on arrays ------------------------------------------------
// (each with its formulas on one element: `neg` of an array is `x · −1`, as negArray computes it)
const readsNothing = () => [false, false, false] as const;
/** −x on one element, as negArray computes it. */
export const negElement = (e: Elements, x: Element): Element => e.mul(x, e.constant(-1));
export const addArrays = lift2('add', (x, y) => x + y, (g) => [g, g], readsNothing, {
  forward: (e, x, y) => e.add(x, y),
  parts: (_e, g) => [g, g],
});
export const subArrays = lift2('sub', (x, y) => x - y, (g) => [g, neg(g)], readsNothing, {
  forward: (e, x, y) => e.sub(x, y),
  parts: (e, g) => [g, negElement(e, g)],
});
export const mulArrays = lift2('mul', (x, y) => x * y, (g, x, y, _z, need) => [need[0] ? mul(g, y) : null, need[1] ? mul(g, x) : null], (need) => [need[1], need[0], false], {
  forward: (e, x, y) => e.mul(x, y),
  parts: (e, g, x, y, _z, need) => [need[0] ? e.mul(g, y) : null, need[1] ? e.mul(g, x) : null],
});
export const divArrays = lift2('div', (x, y) => x / y, (g, _x, y, z, need) => [need[0] ? div(g, y) : null, need[1] ? neg(mul(g, div(z, y))) : null], (need) => [false, true, need[1]], {
  forward: (e, x, y) => e.div(x, y),
  parts: (e, g, _x, y, z, need) => [need[0] ? e.div(g, y) : null, need[1] ? negElement(e, e.mul(g, e.div(z, y))) : null],
});
export const modArrays = lift2('mod', (x, y) => x % y, (g, x, y, _z, need) => [g, need[1] ? neg(mul(g, trunc(div(x, y)))) : null], (need) => [need[1], need[1], false]);
// As for numbers: the exponent's partial (with its log) only when the exponent is traced;
// and the scalar rule's edges element by element: ∂(x**0)/∂x = 0 at x = 0 (not 0·0**−1),
// ∂(0**y)/∂y = 0 for y > 0 (not 0·log 0).
export const powArrays = lift2('pow', (x, y) => x ** y, (g, x, y, z, need) => {
  const shape = (z as NDArray).shape;
  const X = plainElements(x, shape);
  const Y = plainElements(y, shape);
  return [
    need[0] ? zeroWhere(mul(g, mul(y, pow(x, sub(y, 1)))), Y && ((k) => Y(k) === 0)) : null,
    need[1] ? zeroWhere(mul(g, mul(z, log(x))), X && Y && ((k) => X(k) === 0 && Y(k) > 0)) : null,
  ];
});

/** Element k of `x` stretched to `shape`, for a plain number or array (null for one traced on a tape: nesting). */
export function plainElements(x: unknown, shape: readonly number[]): ((k: number) => number) | null {
  if (typeof x === 'number') return () => x;
  if (!isNDArray(x) || x.tracedTape !== null) return null;
  const data = stretchTo(x, shape).data;
  return (k) => data[k]!;
}

/**
 * `part` (an elementwise partial or contribution) with 0 at each element where `zero` holds:
 * a scalar rule's guard at an edge, element by element. A part traced on an outer tape
 * (nesting), or no guard (null), leaves it as it is.
 */
export function zeroWhere(part: unknown, zero: ((k: number) => boolean) | null): unknown {
  if (zero === null || !isNDArray(part) || part.tracedTape !== null) return part;
  const p = part.data;
  let fixed: typeof p | null = null;
  for (let k = 0; k < p.length; k++) if (p[k] !== 0 && zero(k)) (fixed ??= p.slice())[k] = 0;
  return fixed === null ? part : new NDArray(part.shape, fixed);
}
// −x is x·−1: 0 − x gave +0 for x = 0, where JavaScript's −x is −0 (so 1 / −x was +∞, not −∞).
export const negArray = (x: NDArray): unknown => mulArrays(x, -1);


// ---- broadcasting as operations (so that pullbacks of pullbacks work) --------------------

/** Sums over the axes where `x` is broadcast against `shape` (to exactly `shape`). */
export function sumTo(x: NDArray, shape: readonly number[]): NDArray {
  x = liveArray(x);
  const t = tapeOf([x]);
  if (t === null) return sumToShape(x, shape);
  return recordStep(t, [x], {
    name: 'sumTo',
    forward: ([v]) => sumTo(v, shape),
    backward: (g) => [broadcastTo(g, x.shape)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => sumTo(d as NDArray, shape),
  });
}

/** `x` stretched to `shape` by broadcasting. */
export function broadcastTo(x: unknown, shapeArg: readonly number[]): NDArray {
  // (a copy: the result, and a pullback run later, kept the caller's array, which the caller
  // may go on to change — `s[0] = 2` gave the result of broadcastTo(array([1]), s) shape [2]
  // over 3 elements; a traced length is read as its number, as reshape reads one)
  const shape = Array.from(shapeArg, (n) => (typeof n === 'number' ? n : primal(n)));
  const X = isNDArray(x) ? liveArray(x) : toArray(operand(x, 'broadcastTo'));
  // Stretching only: [3] cannot become [1] (broadcasting both ways would give [3]).
  if (!sameShape(broadcastShapes(X.shape, shape, 'broadcastTo'), shape)) {
    throw new RangeError(`zygote-ts: broadcastTo: shape [${X.shape.join(', ')}] cannot be stretched to [${shape.join(', ')}].`);
  }
  const t = tapeOf([X]);
  if (t === null) return stretchTo(X, shape);
  return recordStep(t, [X], {
    name: 'broadcastTo',
    forward: ([v]) => broadcastTo(v, shape),
    backward: (g) => [sumTo(g, X.shape)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => broadcastTo(d, shape),
  });
}

/**
 * The cotangent `g` of a number computed from all of an array's elements (a sum), spread
 * over the array's shape in its dtype.
 */
export function spread(g: unknown, like: NDArray): NDArray {
  if (typeof g === 'number') return new NDArray(like.shape, allocate(like.dtype, like.size).fill(g));
  return astype(broadcastTo(g, like.shape), like.dtype); // traced on an outer tape (nesting)
}

/** The sum of all elements: a number (traced when `x` is). The exported `sum`, which also sums along an axis, is in reductions.ts. */
export function sum(x: unknown): any {
  const X = toArray(operand(x, 'sum'));
  const t = tapeOf([X]);
  if (t === null) return kernels().sum(X.data);
  return recordStep(t, [X], {
    name: 'sum',
    forward: ([v]) => sum(v),
    backward: (g) => [spread(g, X)],
    reads: { operands: [false], result: false },
    elementwise: sumForm,
    jvp: ([d]) => sum(d),
  });
}

// (the sum of every element; its backward gives each element the cotangent, as `spread` stores it)
const sumForm: ElementwiseForm = { reduces: true, forward: (_e, [x]) => x!, backward: (e, g) => [e.stored(g)] };

export { shapeOf, add };
