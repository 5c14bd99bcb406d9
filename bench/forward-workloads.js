// Forward-mode workloads, as ordinary JavaScript (bench/forward.js loads them rewritten).

/** Three inputs, 1000 outputs: a curve sampled at 1000 points (amplitude, frequency, drift). */
export function curve(a, b, c) {
  const out = new Array(1000);
  for (let i = 0; i < 1000; i++) {
    const t = i / 1000;
    out[i] = a * Math.sin(b * t * 6.28) + c * t * t;
  }
  return out;
}

/** ⟨∇f(x), v⟩ with ∇f(x) given: the inner product reverse over reverse differentiates. */
export function dot(g, v) {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += g[i] * v[i];
  return s;
}
