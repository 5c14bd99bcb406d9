// Implicit parameters (Zygote's `Params`/`Grads`): differentiate a function of no
// arguments with respect to arrays it reaches by itself, keyed by identity.

import { beforeStorageWrite, NDArray, isNDArray } from './ndarray.js';
import { isTraced } from './core/traced.js';
import { operators } from '../rules/overloads.js';
import { add, div, mul } from '../rules/arithmetic.js';
import { noteStore } from '../proxies/cleanup.js';
import { refuseUnmarkable } from '../proxies/params.js';
import { gradsProxies } from '../proxies/kinds.js';
import { noteRuntimeVersion } from './imported.js';

/** What may be a parameter: one of our arrays, or a (nested) JavaScript array of numbers. */
export type Param = NDArray | number[] | number[][];

/**
 * The arrays to differentiate with respect to, by identity.
 *
 * @example
 * const W = rand(2, 3), b = zeros(2);
 * const gs = gradient(() => sum(tanh(matmul(W, x) + b)), new Params([W, b]));
 * gs.get(W); // an NDArray like W
 */
export class Params implements Iterable<Param> {
  private readonly items: Param[] = [];

  /** The brand the stand-ins know a Params by (proxies/kinds.ts refuses one inside an argument). */
  static {
    Object.defineProperty(this.prototype, Symbol.for('zygote-ts.params'), { value: true });
  }

  constructor(params: Iterable<Param> = []) {
    for (const p of params) this.push(p);
  }

  /** Adds a parameter (once: it is keyed by identity). */
  push(p: Param): this {
    checkParam(p, this.items.length);
    if (!this.items.includes(p)) this.items.push(p);
    return this;
  }

  has(p: unknown): boolean {
    return this.items.includes(p as Param);
  }

  get size(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<Param> {
    return this.items[Symbol.iterator]();
  }

  toArray(): Param[] {
    return [...this.items];
  }
}

function checkParam(p: unknown, at: number): void {
  if (isNDArray(p)) return refuseUnmarkable(p, `${at}`);
  if (!Array.isArray(p)) {
    const what = p instanceof Float64Array || p instanceof Float32Array ? 'a typed array (it cannot hold traced numbers; use array(…))' : p === null ? 'null' : typeof p === 'object' ? 'an object (pass its arrays: Params([m.W, m.b]))' : `a ${typeof p} (a value has no identity; put it in an array)`;
    throw new TypeError(`zygote-ts: Params: parameter ${at} is ${what}. Parameters are NDArrays or arrays of numbers.`);
  }
  refuseUnmarkable(p, `${at}`);
  const walk = (a: unknown[], path: string): void => {
    a.forEach((v, i) => {
      if (Array.isArray(v)) {
        refuseUnmarkable(v, `${at}${path}[${i}]`);
        walk(v, `${path}[${i}]`);
      } else if (typeof v !== 'number' && !isTraced(v)) { // (traced: Params of arrays an enclosing differentiation traces, for second order)
        throw new TypeError(`zygote-ts: Params: parameter ${at}${path}[${i}] is ${typeof v}, not a number.`);
      }
    });
  };
  walk(p, '');
}

/** The gradients of `Params`: `get(p)` in the form of `p`, keyed by identity (Zygote's `Grads`). */
export class Grads implements Iterable<[Param, NDArray | number[] | number[][] | null]> {
  constructor(
    private readonly params: readonly Param[],
    private readonly grads: readonly unknown[],
  ) {
    // (Zygote's `gs[W]` read the property named by W's text, "1,2": undefined, and a step
    // `w - lr * gs[W][i]` threw or made NaN; a Proxy sees such a key and says to use get)
    const proxy = new Proxy(this, INDEXED_BY_PARAMETER);
    gradsProxies.add(proxy); // (refused among the arguments by what it is, not as a user's Proxy)
    return proxy;
  }

  /** The gradient of parameter `p` (null where the output does not depend on it). */
  get<P extends Param>(p: P): (P extends NDArray ? NDArray : P) | null {
    const at = this.params.indexOf(p);
    if (at < 0) throw new RangeError('zygote-ts: Grads.get: that array is not one of the Params (they are keyed by identity, not by value), or was added to them after this gradient was taken.');
    return this.grads[at] as (P extends NDArray ? NDArray : P) | null;
  }

  /** Whether `p` is one of the parameters. */
  has(p: unknown): boolean {
    return this.params.includes(p as Param);
  }

  *[Symbol.iterator](): Iterator<[Param, NDArray | number[] | number[][] | null]> {
    for (let k = 0; k < this.params.length; k++) yield [this.params[k]!, this.grads[k] as NDArray | number[] | number[][] | null];
  }

  /** Sum of two gradients of the same Params (also `g1 + g2` in rewritten code). */
  plus(other: Grads): Grads {
    // (a parameter of one only was dropped, or read as zero: g1.plus(g2) lost b's gradient where
    // g2 alone had one. Zygote refuses Grads of different Params too)
    const unmatched = other.params.findIndex((p) => !this.params.includes(p));
    if (unmatched >= 0 || this.params.some((p) => !other.params.includes(p))) {
      throw new RangeError(
        `zygote-ts: Grads.plus: the two Grads are of different Params (${unmatched >= 0 ? `parameter ${unmatched} of the second is not one of the first's` : `a parameter of the first is not one of the second's`}), ` +
          'so one has no gradient for a parameter the other has. Take both gradients with the same Params.',
      );
    }
    return new Grads(
      this.params,
      this.params.map((p, k) => {
        const a = this.grads[k];
        const b = other.get(p);
        // (a parameter resized between the two calls: its places do not correspond)
        if (a != null && b != null && !sameForm(a, b)) {
          throw new RangeError(
            `zygote-ts: Grads.plus: parameter ${k}'s two gradients have different forms: its length or structure changed ` +
              `between the two gradient calls (a gradient has the form the parameter had when it was taken), so their places do not correspond.`,
          );
        }
        return combine(a, b, add);
      }),
    );
  }

  /** Every gradient times `k` (also `g * k` and `k * g` in rewritten code). */
  times(k: number): Grads {
    return new Grads(this.params, this.grads.map((g) => combine(g, null, (a) => mul(a, k))));
  }

  /** Difference of two gradients of the same Params (also `g1 - g2` in rewritten code). */
  minus(other: Grads): Grads {
    return this.plus(other.times(-1));
  }

  /** Every gradient divided by `k` (also `g / k` in rewritten code). */
  dividedBy(k: number): Grads {
    return new Grads(this.params, this.grads.map((g) => combine(g, null, (a) => div(a, k))));
  }

  /**
   * The optimiser step: each parameter += `scale` · its gradient, in place (parameters with
   * no gradient are left alone). `gs.update(-0.1)` is gradient descent with rate 0.1.
   * A number array's gradient has the form the parameter had when the gradient was taken;
   * if it has another form now, nothing is stepped and the error says where.
   */
  update(scale: number): void {
    // Checked in full before any number is written, so a refusal leaves every parameter as it was.
    // Each array is stepped once, also where it is reached twice (`M = [row, row]`, `Params([M, row])`).
    const steps = new Map<unknown[], unknown[]>();
    this.params.forEach((p, k) => {
      const g = this.grads[k];
      if (g === null || g === undefined) return;
      if (isNDArray(p)) {
        if (isTracedHere(scale) || (g as NDArray).tracedTape?.active === true) throw tracedStepOfArray(k);
        return;
      }
      const visit = (a: unknown[], b: unknown, path: string): void => {
        if (!Array.isArray(b) || b.length !== a.length) throw changedForm(k, path, a, b);
        // (frozen since the gradient was taken, as immer freezes its state: refused here, before
        // any number is written, where the step threw midway, the parameters before it stepped)
        if (Object.isFrozen(a)) throw new TypeError(`zygote-ts: Grads.update: parameter ${k}${path} is a frozen array; it cannot be stepped in place. Step a copy (get(p) is its gradient).`);
        const before = steps.get(a);
        if (before !== undefined) {
          if (!sameNumbers(before, b)) throw changedForm(k, path, a, b, true);
          return;
        }
        steps.set(a, b);
        a.forEach((v, i) => {
          if (Array.isArray(v)) visit(v, b[i], `${path}[${i}]`);
          else if (!isNumber(v) || !isNumber(b[i])) throw changedForm(k, `${path}[${i}]`, v, b[i]);
        });
      };
      visit(p, g, '');
    });
    this.params.forEach((p, k) => {
      const g = this.grads[k];
      if (g === null || g === undefined || !isNDArray(p)) return;
      beforeStorageWrite(p); // (inside a differentiation that used p, its sweep must not read the new numbers)
      const data = p.data;
      const gd = (g as NDArray).data;
      for (let i = 0; i < data.length; i++) data[i]! += scale * gd[i]!;
    });
    // Inside an enclosing differentiation (a step size it traces, gradients taken inside it,
    // parameters it marks) the step is the runtime's arithmetic, which keeps the derivative
    // (plain arithmetic threw on the traced number, or wrote its number alone), and the
    // arrays are noted for the clean-up, as a rewritten store would be.
    for (const [a, b] of steps) {
      let traced = false;
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        const g = b[i];
        if (typeof v === 'number' && typeof g === 'number' && typeof scale === 'number') a[i] = v + scale * g;
        else if (isNumber(v)) (a[i] = add(v, mul(scale, g))), (traced = true);
      }
      if (traced) noteStore(a);
    }
  }

  [operators.add](other: unknown): Grads {
    if (!(other instanceof Grads)) throw new TypeError('zygote-ts: Grads can be added to Grads only.');
    return this.plus(other);
  }

  [operators.mul](k: unknown): Grads {
    if (typeof k !== 'number' && !isTraced(k)) throw new TypeError('zygote-ts: Grads can be multiplied by a number only.');
    return this.times(k as number); // (a traced number is a number: Grads times a number of an enclosing differentiation)
  }

  // (without these, JavaScript's meaning stayed: `g1 - g2`, `g / 2` and `-g` were NaN, with no error)
  [operators.sub](other: unknown): Grads {
    if (!(other instanceof Grads)) throw new TypeError('zygote-ts: Grads can be subtracted from Grads only.');
    return this.minus(other);
  }

  [operators.div](k: unknown, receiverOnRight: boolean): Grads {
    if (receiverOnRight || (typeof k !== 'number' && !isTraced(k))) throw new TypeError('zygote-ts: Grads can be divided by a number only.');
    return this.dividedBy(k as number);
  }

  [operators.neg](): Grads {
    return this.times(-1);
  }

  [operators.pow](): never {
    throw new TypeError('zygote-ts: Grads have no power: map over them (for (const [p, g] of gs)) to square their numbers.');
  }
}

// Their methods are the library's, which knows traced numbers: called by a searching or
// mutating name (`gs.get(W)`, `ps.has(W)`, `ps.push(W)`) on an array holding numbers an
// enclosing differentiation traces (Params made inside `derivative`, second order), they were
// taken for a package's code that was not rewritten: a warning, and in strict mode an error.
for (const method of [Grads.prototype.get, Grads.prototype.has, Params.prototype.has, Params.prototype.push]) noteRuntimeVersion(method);

/**
 * Refuses `gs[p]` for a parameter `p`: JavaScript turns the key into text (an array's "1,2"),
 * which names no property. Only a key Grads does not have and that is a parameter's text is
 * refused (inspection, `then`, `toJSON` read as on any object).
 */
const INDEXED_BY_PARAMETER: ProxyHandler<Grads> = {
  get(target, key, receiver) {
    refuseParameterKey(target, key, 'gs[p] reads the property', 'Use gs.get(p).');
    return Reflect.get(target, key, receiver) as unknown;
  },
  has(target, key) {
    refuseParameterKey(target, key, 'p in gs asks for the property', 'Use gs.has(p).');
    return Reflect.has(target, key);
  },
};

function refuseParameterKey(target: Grads, key: string | symbol, what: string, instead: string): void {
  if (typeof key !== 'string' || key in target) return;
  const at = (target as unknown as { params: readonly Param[] }).params.findIndex((p) => isTextOf(p, key));
  if (at < 0) return;
  throw new TypeError(
    `zygote-ts: ${what} named by parameter ${at}'s text ("${key.length > 40 ? `${key.slice(0, 40)}…` : key}"), not the parameter: ` +
      `JavaScript turns an object used as a key into text (Zygote indexes by the array itself). ${instead}`,
  );
}

/**
 * Whether `key` is parameter `p`'s text (`String(p)`). The text is made only where the key
 * could be it: a missing key read of any name (`then`, `toJSON`, a test library's probes)
 * made the text of every parameter, megabytes for a large one.
 */
function isTextOf(p: Param, key: string): boolean {
  if (isNDArray(p)) {
    if (!key.startsWith('NDArray(')) return false;
  } else {
    // (an array's text is its elements joined by commas, a nested array's rows too)
    let commas = 0;
    for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 44) commas++;
    let expected = Math.max(p.length - 1, 0);
    for (const row of p) if (Array.isArray(row) && row.length > 1) expected += row.length - 1;
    if (commas !== expected) return false;
  }
  try {
    return String(p) === key;
  } catch {
    return false;
  }
}

// Elementwise on gradients of one parameter (NDArray or nested arrays); null is zero. `f` is
// the runtime's operation, on whole NDArrays: inside an enclosing differentiation (second
// order) the gradients hold numbers traced there, whose derivatives copying them lost.
function combine(a: unknown, b: unknown, f: (x: unknown, y: unknown) => unknown): unknown {
  if (a === null || a === undefined) return b === null || b === undefined ? null : combine(b, null, (x) => f(0, x));
  if (isNDArray(a)) return f(a, isNDArray(b) ? b : 0);
  return (a as unknown[]).map((v, i) => (Array.isArray(v) ? combine(v, b ? (b as unknown[])[i] : null, f) : f(v, b ? (b as unknown[])[i] : 0)));
}

// Why `update` cannot step parameter `k` at `path`: its form is not its gradient's.
function changedForm(k: number, path: string, now: unknown, grad: unknown, twice = false): RangeError {
  const form = (x: unknown) => (Array.isArray(x) ? `an array of length ${x.length}` : x === undefined ? 'nothing' : `a ${typeof x}`);
  const what = twice
    ? `is an array reached at two places whose gradients differ (the arrays in it were moved)`
    : `is ${form(now)} but its gradient there is ${form(grad)}`;
  return new RangeError(
    `zygote-ts: Grads.update: parameter ${k}${path} ${what}. A gradient has the form the parameter had when it was ` +
      `taken, so f (or code since) changed the parameter's length or structure (push/pop/shift/unshift/splice/length, ` +
      `or replacing a row), and its places no longer match. Params gradients are by position: do not resize a parameter ` +
      `inside the loss (or pass the array as an argument instead), or step it yourself from get(p).`,
  );
}

// A number an open differentiation traces.
const isTracedHere = (x: unknown): boolean => isTraced(x) && x.tracedTape.active;

// Why `update` cannot step NDArray parameter `k`: its step carries a derivative its storage cannot hold.
function tracedStepOfArray(k: number): TypeError {
  return new TypeError(
    `zygote-ts: Grads.update: parameter ${k} is an NDArray, and its step holds numbers an enclosing differentiation traces ` +
      '(the scale, or a gradient taken inside it): an NDArray\'s storage holds plain numbers, so their derivative would be lost. ' +
      'Take the step with the operations, as a new array: add(W, mul(gs.get(W), scale)), and differentiate through that.',
  );
}

// Whether two gradients of one array hold the same numbers (it was reached twice).
function sameNumbers(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  return a.length === b.length && a.every((v, i) => sameNumbers(v, b[i]));
}

// Whether two gradients of one parameter have the same form (shape, lengths, numbers where numbers are).
function sameForm(a: unknown, b: unknown): boolean {
  if (isNDArray(a) || isNDArray(b)) return isNDArray(a) && isNDArray(b) && a.shape.length === b.shape.length && a.shape.every((n, i) => n === b.shape[i]);
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameForm(v, b[i]));
  return isNumber(a) && isNumber(b);
}

const isNumber = (x: unknown): boolean => typeof x === 'number' || isTraced(x);
