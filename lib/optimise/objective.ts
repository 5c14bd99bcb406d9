// f over a structure, seen by a solver as a function of one vector: the iterate is the
// structure x0 with its numbers replaced (lib/tree/rebuild.ts: same classes, same shape),
// and the gradient is flattened in the same order. The gradient comes from compileGradient
// while f compiles (f itself gives the value), else from withgradient.

import { withgradient } from '../api.js';
import { compileGradient, type CompiledGradient } from '../compile/index.js';
import { Layout } from '../tree/layout.js';
import { rebuild } from '../tree/rebuild.js';
import { refuseSharedMemory } from '../tree/leaves.js';

export interface Evaluation {
  readonly value: number;
  readonly gradient: Float64Array;
  /** Whether the gradient is the compiled one (the recording's: see `Objective.evaluateEagerly`). */
  readonly compiled: boolean;
}

export class Objective<T> {
  readonly layout: Layout;
  /** x0's numbers, flattened. */
  readonly start: Float64Array;
  /** Evaluations of f with its gradient so far. */
  evaluations = 0;
  private readonly compiled: CompiledGradient<[T]> | null;
  private compiling: boolean;

  constructor(
    private readonly f: (x: T) => number,
    private readonly x0: T,
    private readonly caller: string,
    compile: boolean,
  ) {
    if (typeof f !== 'function') throw new TypeError(`zygote-ts: ${caller}(f, x0) needs a function f, got ${f === null ? 'null' : typeof f}.`);
    this.layout = Layout.of(x0, caller);
    if (this.layout.size === 0) throw new TypeError(`zygote-ts: ${caller}: x0 holds no numbers to optimise.`);
    const leaves = this.layout.gather(x0, caller);
    refuseSharedMemory(leaves, caller);
    this.start = this.layout.flatten(leaves);
    this.compiled = compile ? compileGradient(f) : null;
    this.compiling = compile;
  }

  /** The structure holding the numbers of `v` (frozen throughout with `freeze`: a snapshot). */
  structure(v: Float64Array, freeze = false): T {
    return rebuild(this.x0, this.layout, this.layout.unflatten(v), { caller: this.caller, freeze });
  }

  /** Flattens a gradient of the structure (null: zeros). */
  flatten(gradient: unknown): Float64Array {
    return this.layout.flatten(this.layout.gather(gradient, this.caller));
  }

  /**
   * Whether the gradient is compiled: until f takes a second path through its comparisons
   * (each new path is recorded and generated again, ~0.6 s for CIEDE2000 — a minimisation
   * moving x would keep paying it), or compileGradient falls back, or compiling was not asked.
   */
  get isCompiled(): boolean {
    return this.compiling && this.compiled !== null && this.compiled.fallback === null && this.compiled.recordings <= 1;
  }

  evaluate(v: Float64Array): Evaluation {
    this.evaluations++;
    let x = this.structure(v);
    if (this.isCompiled) {
      // The gradient first: f run for its value may write to x (compiled code never does).
      const recordings = this.compiled!.recordings;
      const [g] = this.compiled!(x);
      // (a call that recorded f gave the eager gradient, of f as it is now)
      if (this.isCompiled) return { value: this.f(x), gradient: this.flatten(g), compiled: this.compiled!.recordings === recordings };
      // (this call recorded f on a new path or fell back: where f wrote to its argument, its
      // writes were made on x; value and gradient come together from x as it was)
      x = this.structure(v);
    }
    const { val, grad } = withgradient(this.f, x);
    return { value: val, gradient: this.flatten(grad[0]), compiled: false };
  }

  /**
   * f and its gradient at v, uncompiled. The compiled gradient holds what f read from outside
   * its argument when it was recorded — a closure variable, `Math.random()`, a minibatch
   * counter — while the value comes from f as it is now: a solver stopping on it may stop
   * where f's own gradient is not small. This one is f's own.
   */
  evaluateEagerly(v: Float64Array): Evaluation {
    this.evaluations++;
    const { val, grad } = withgradient(this.f, this.structure(v));
    return { value: val, gradient: this.flatten(grad[0]), compiled: false };
  }

  /** The gradient is eager from now on (the compiled one was found to be another function's). */
  stopCompiling(): void {
    this.compiling = false;
  }
}
