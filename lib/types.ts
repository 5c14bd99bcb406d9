// The types of gradients: computed from the argument's type, so editors complete them.

import type { IntegerArray, NDArray, Nested } from './ndarray.js';

type AnyFunction = (...args: never[]) => unknown;

/**
 * What a gradient gives `null` for, whatever it holds: no derivative (integer typed arrays
 * hold constants; dates and regular expressions pass to f as they are).
 */
type Constant = bigint | string | boolean | symbol | null | undefined | AnyFunction | IntegerArray | BigInt64Array | BigUint64Array | Date | RegExp;

/**
 * An array argument's gradient: an NDArray for an NDArray (a subclass's too: the gradient
 * is a plain NDArray), a typed array of the kind for a Float64Array or Float32Array (a
 * subclass's too, `class Vec3 extends Float64Array`: the gradient is a Float64Array).
 */
type ArrayGrad<T> = T extends NDArray ? NDArray : T extends Float64Array<infer B> ? Float64Array<B> : T extends Float32Array<infer B> ? Float32Array<B> : never;

/**
 * The gradient of a value of type `T`, in `T`'s shape: a number for a number; for a
 * record or class instance, an object with its (non-method) fields, each `null` where no
 * path leads to it; an array for an array (numbers dense, 0 where no path); a Map with
 * the same keys for a Map; a Map from member to gradient for a Set; an NDArray for an
 * NDArray and a Float64Array (Float32Array) for one, also for a subclass's instance;
 * `null` for what has no derivative (strings, booleans, functions, integer typed arrays,
 * dates); `any` for `any`. (A getter looks like a field to TypeScript: its key is in the
 * type, but not in the gradient, which has data fields only.)
 *
 * @example
 * class Point { constructor(public x: number, public y: number) {} }
 * type G = Grad<Point>; // { x: number | null; y: number | null }
 */
export type Grad<T> = 0 extends 1 & T
  ? any // (an argument typed `any` has a gradient typed `any`)
  : T extends number
  ? number
  : T extends NDArray | Float64Array | Float32Array
    ? ArrayGrad<T>
    : T extends Constant
    ? null
    : T extends ReadonlyMap<infer K, infer V>
      ? Map<K, Grad<V> | null>
      : T extends ReadonlySet<infer E>
        ? Map<E, Grad<E> | null>
        : T extends readonly unknown[]
          ? { -readonly [I in keyof T]: T[I] extends number ? number : Grad<T[I]> | null }
          : T extends object
            ? { -readonly [K in keyof T as GradKey<T, K>]: Grad<T[K]> | null }
            : null;

/**
 * The keys of a record's gradient: its fields by name — not methods, and not symbol-keyed
 * members (gradients are given by field name; immer's `[immerable]` flag is one).
 */
type GradKey<T, K extends keyof T> = K extends symbol ? never : T[K] extends AnyFunction ? never : K;

/**
 * The gradient of a value of type `T` as `densegradient` gives it: `Grad<T>` with zeros,
 * never `null`, for everything that holds numbers (`null` only for what has no derivative).
 *
 * @example
 * type G = DenseGrad<{ w: number[]; b: number; name: string }>; // { w: number[]; b: number; name: null }
 */
export type DenseGrad<T> = 0 extends 1 & T
  ? any
  : T extends number
  ? number
  : T extends NDArray | Float64Array | Float32Array
    ? ArrayGrad<T>
    : T extends Constant
      ? null
      : T extends ReadonlyMap<infer K, infer V>
        ? Map<K, DenseGrad<V>>
        : T extends ReadonlySet<infer E>
          ? Map<E, DenseGrad<E>>
          : T extends readonly unknown[]
            ? { -readonly [I in keyof T]: DenseGrad<T[I]> }
            : T extends object
              ? { -readonly [K in keyof T as GradKey<T, K>]: DenseGrad<T[K]> }
              : null;

/** One dense gradient per argument (`densegradient`). */
export type DenseGradients<A extends readonly unknown[]> = { -readonly [K in keyof A]: DenseGrad<A[K]> };

/** One gradient per argument; `null` where the output does not depend on the argument. */
export type Gradients<A extends readonly unknown[]> = { -readonly [K in keyof A]: Grad<A[K]> | null };

/** The pullback (back-propagator): maps an output cotangent (a number, or an array of the output's shape) to the arguments' gradients. */
export type Back<A extends readonly unknown[]> = (dy?: number | NDArray | Nested | Float64Array | Float32Array) => Gradients<A>;

/**
 * For each argument, one entry per output of f (a Jacobian row): a number for a number
 * argument (0 where the output does not depend on it), a gradient in the argument's shape
 * for a structure (zeros where the output does not depend on it), an m×n NDArray for an
 * NDArray; `null` for an argument with no derivative.
 */
export type Jacobians<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: A[K] extends number ? number[] : A[K] extends NDArray ? NDArray : Grad<A[K]> extends null ? null : Grad<A[K]>[];
};

/**
 * A tangent for a value of type `T` (forward mode's input): `Grad<T>`'s shape, with `null`
 * anywhere for "not perturbed". A record's keys are optional in the type — a getter looks
 * like a field to TypeScript — but every field holding numbers needs one (an error says which).
 */
export type Tangent<T> = 0 extends 1 & T
  ? any
  : T extends number
  ? number
  : T extends NDArray | Float64Array | Float32Array
    ? ArrayGrad<T> | Nested | ArrayLike<number>
    : T extends Constant
      ? null
      : T extends ReadonlyMap<infer K, infer V>
        ? Map<K, Tangent<V> | null>
        : T extends ReadonlySet<infer E>
          ? Map<E, Tangent<E> | null>
          : T extends readonly unknown[]
            ? { -readonly [I in keyof T]: Tangent<T[I]> | null }
            : T extends object
              ? { -readonly [K in keyof T as GradKey<T, K>]?: Tangent<T[K]> | null }
              : null;

/** One tangent per argument (`null`: not perturbed). */
export type Tangents<A extends readonly unknown[]> = { -readonly [K in keyof A]: Tangent<A[K]> | null };
