// L-BFGS's memory and direction (Nocedal & Wright, Algorithm 7.4, the two-loop recursion):
// the last m steps s = x₊ − x and gradient changes y = ∇f₊ − ∇f stand for the inverse
// Hessian, whose product with the gradient is the search direction. The initial matrix is
// γ·I with γ = sᵀy / yᵀy of the newest pair (their (7.20)).

import { axpy, dot } from './vectors.js';

export class LbfgsMemory {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];
  private readonly rho: number[] = [];

  constructor(private readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`zygote-ts: minimize: the L-BFGS memory must be at least 1, got ${size}.`);
  }

  get empty(): boolean {
    return this.s.length === 0;
  }

  clear(): void {
    this.s.length = this.y.length = this.rho.length = 0;
  }

  /**
   * Remembers a step. A pair without positive curvature (sᵀy ≤ 0, which the strong Wolfe
   * conditions exclude but rounding can produce) would make the matrix indefinite: skipped.
   */
  push(s: Float64Array, y: Float64Array): void {
    const sy = dot(s, y);
    if (!(sy > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y)))) return;
    if (this.s.length === this.size) {
      this.s.shift();
      this.y.shift();
      this.rho.shift();
    }
    this.s.push(s);
    this.y.push(y);
    this.rho.push(1 / sy);
  }

  /** The quasi-Newton direction −H·g. */
  direction(g: Float64Array): Float64Array {
    const q = Float64Array.from(g);
    const k = this.s.length;
    const alpha = new Float64Array(k);
    for (let i = k - 1; i >= 0; i--) {
      alpha[i] = this.rho[i]! * dot(this.s[i]!, q);
      axpy(-alpha[i]!, this.y[i]!, q);
    }
    if (k > 0) {
      const gamma = dot(this.s[k - 1]!, this.y[k - 1]!) / dot(this.y[k - 1]!, this.y[k - 1]!);
      for (let j = 0; j < q.length; j++) q[j]! *= gamma;
    }
    for (let i = 0; i < k; i++) {
      const beta = this.rho[i]! * dot(this.y[i]!, q);
      axpy(alpha[i]! - beta, this.s[i]!, q);
    }
    for (let j = 0; j < q.length; j++) q[j] = -q[j]!;
    return q;
  }
}
