// A line search for the strong Wolfe conditions (Nocedal & Wright, Numerical Optimization,
// 2nd ed., Algorithms 3.5 and 3.6): along a descent direction d from x, find a step α with
//   sufficient decrease  φ(α) ≤ φ(0) + c1·α·φ′(0)
//   curvature            |φ′(α)| ≤ c2·|φ′(0)|
// where φ(α) = f(x + α·d). The bracketing phase grows α until it brackets such a step;
// `zoom` then narrows the bracket by safeguarded cubic interpolation. A trial where f or
// its slope is not finite counts as too long a step.

/** One evaluation of φ: the step, f there, the slope φ′ = ∇f·d, and what the caller keeps (the point). */
export interface Trial<P> {
  readonly alpha: number;
  readonly value: number;
  readonly slope: number;
  readonly point: P;
}

export interface LineSearchOptions {
  /** Sufficient decrease (Armijo). Default 1e-4. */
  c1?: number;
  /** Curvature: 0.9 suits quasi-Newton methods (Nocedal & Wright). */
  c2?: number;
  /** Trials at most. Default 30. */
  maxTrials?: number;
}

/** The step found (its trial), or null when none satisfied the conditions within the trials. */
export function strongWolfe<P>(phi: (alpha: number) => Trial<P>, at0: { value: number; slope: number }, firstStep: number, options: LineSearchOptions = {}): Trial<P> | null {
  const { c1 = 1e-4, c2 = 0.9, maxTrials = 30 } = options;
  const { value: f0, slope: g0 } = at0;
  if (!(g0 < 0)) throw new RangeError('zygote-ts: internal error: a line search along a direction that does not descend');
  let trials = 0;
  const tryStep = (alpha: number) => {
    trials++;
    return phi(alpha);
  };
  const sufficient = (t: Trial<P>) => Number.isFinite(t.value) && t.value <= f0 + c1 * t.alpha * g0;
  const curved = (t: Trial<P>) => Math.abs(t.slope) <= -c2 * g0;
  const finite = (t: Trial<P>) => Number.isFinite(t.value) && Number.isFinite(t.slope);

  // Algorithm 3.6: `lo` satisfies sufficient decrease and is the best such so far; the
  // minimiser sought lies between lo and hi.
  const zoom = (lo: Trial<P> | Start, hi: Trial<P> | Start): Trial<P> | null => {
    while (trials < maxTrials) {
      const t = tryStep(interpolate(lo, hi));
      if (!finite(t) || !sufficient(t) || t.value >= lo.value) {
        hi = t;
      } else {
        if (curved(t)) return t;
        if (t.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = t;
      }
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-12 * Math.max(lo.alpha, hi.alpha)) break;
    }
    // No step with both conditions: one with sufficient decrease still moves downhill.
    return 'point' in lo && lo.alpha > 0 ? lo : null;
  };

  // Algorithm 3.5: grow the step until it brackets one.
  let prev: Trial<P> | Start = { alpha: 0, value: f0, slope: g0 };
  let alpha = firstStep;
  while (trials < maxTrials) {
    const t = tryStep(alpha);
    if (!finite(t) || !sufficient(t) || (prev.alpha > 0 && t.value >= prev.value)) return zoom(prev, t);
    if (curved(t)) return t;
    if (t.slope >= 0) return zoom(t, prev);
    prev = t;
    alpha *= 2;
  }
  return null;
}

/** The start of the line (α = 0), which holds no point of the caller's. */
interface Start {
  readonly alpha: number;
  readonly value: number;
  readonly slope: number;
}

/**
 * The minimiser of the cubic through two trials' values and slopes, kept inside the middle
 * 80 % of the bracket; the midpoint when the cubic has none (or a trial is not finite).
 */
function interpolate(a: Start, b: Start): number {
  const lo = Math.min(a.alpha, b.alpha);
  const hi = Math.max(a.alpha, b.alpha);
  const margin = 0.1 * (hi - lo);
  const mid = (lo + hi) / 2;
  if (![a.value, a.slope, b.value, b.slope].every(Number.isFinite)) return mid;
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.alpha - b.alpha);
  const squared = d1 * d1 - a.slope * b.slope;
  if (!(squared >= 0)) return mid;
  const d2 = Math.sign(b.alpha - a.alpha) * Math.sqrt(squared);
  const alpha = b.alpha - ((b.alpha - a.alpha) * (b.slope + d2 - d1)) / (b.slope - a.slope + 2 * d2);
  if (!Number.isFinite(alpha)) return mid;
  return Math.min(hi - margin, Math.max(lo + margin, alpha));
}
