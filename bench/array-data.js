// Data and plain-JavaScript references for the array workloads (W3, W4, Rosenbrock over
// 10⁵), shared by zygote-ts and the peers in bench/array-*.js. The data and the
// hand-written gradients are those of ../shared/peers/common.mjs, so the numbers here can
// be set beside that report: the same deterministic inputs, float64 references.
//
//   W3: MLP 784 → 128 (tanh) → 10, batch 64, loss = mean((out − Y)²) over the 64·10
//       outputs; gradient w.r.t. W1 [784, 128], b1 [128], W2 [128, 10], b2 [10]
//   W4: L = sum(A·B) for 256×256 A and B; gradient w.r.t. A and B
//   Rosenbrock: Σ_{i<n−1} 100·(x[i+1] − x[i]²)² + (1 − x[i])² over n = 10⁵, gradient w.r.t. x

export const W3 = { batch: 64, nin: 784, nh: 128, nout: 10 };
export const W4_N = 256;
export const ROSENBROCK_N = 100_000;

/** Deterministic uniform numbers in [lo, hi) (32-bit LCG, Numerical Recipes constants). */
export function randArray(n, seed, lo = -1, hi = 1) {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

export function w3Data() {
  const { batch, nin, nh, nout } = W3;
  const X = randArray(batch * nin, 31, 0, 1);
  const Y = new Float64Array(batch * nout);
  for (let b = 0; b < batch; b++) Y[b * nout + (b % nout)] = 1; // one-hot targets
  return { X, Y, W1: randArray(nin * nh, 32, -0.05, 0.05), b1: randArray(nh, 33, -0.1, 0.1), W2: randArray(nh * nout, 34, -0.2, 0.2), b2: randArray(nout, 35, -0.1, 0.1) };
}

export function w4Data() {
  return { A: randArray(W4_N * W4_N, 41, -1, 1), B: randArray(W4_N * W4_N, 42, -1, 1) };
}

export function rosenbrockData() {
  return randArray(ROSENBROCK_N, 2, -1.5, 1.5);
}

// ---- hand-written gradients (float64, preallocated buffers): references and baselines ----

export function w3Workspace() {
  const { batch, nin, nh, nout } = W3;
  return {
    H: new Float64Array(batch * nh), O: new Float64Array(batch * nout), dO: new Float64Array(batch * nout),
    dZ: new Float64Array(batch * nh), W1: new Float64Array(nin * nh), b1: new Float64Array(nh),
    W2: new Float64Array(nh * nout), b2: new Float64Array(nout),
  };
}

/** The MLP's loss; fills H (hidden activations) and O (outputs). Naive loops, as a person writes them. */
export function w3Forward(d, H, O) {
  const { batch, nin, nh, nout } = W3;
  const { X, Y, W1, b1, W2, b2 } = d;
  for (let b = 0; b < batch; b++) {
    const hrow = b * nh;
    for (let j = 0; j < nh; j++) H[hrow + j] = b1[j];
    for (let k = 0; k < nin; k++) {
      const xv = X[b * nin + k];
      const wrow = k * nh;
      for (let j = 0; j < nh; j++) H[hrow + j] += xv * W1[wrow + j];
    }
    for (let j = 0; j < nh; j++) H[hrow + j] = Math.tanh(H[hrow + j]);
  }
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < nout; o++) {
      let s = b2[o];
      for (let j = 0; j < nh; j++) s += H[b * nh + j] * W2[j * nout + o];
      O[b * nout + o] = s;
      const diff = s - Y[b * nout + o];
      loss += diff * diff;
    }
  }
  return loss / (batch * nout);
}

/** The MLP's gradient by hand (the "plain JS" baseline of the peers' report). */
export function w3GradHand(d, ws = w3Workspace()) {
  const { batch, nin, nh, nout } = W3;
  const { X, Y, W2 } = d;
  const { H, O, dO, dZ } = ws;
  const gW1 = ws.W1, gb1 = ws.b1, gW2 = ws.W2, gb2 = ws.b2;
  const loss = w3Forward(d, H, O);
  const scale = 2 / (batch * nout);
  for (let i = 0; i < batch * nout; i++) dO[i] = scale * (O[i] - Y[i]);
  gW2.fill(0); gb2.fill(0); gW1.fill(0); gb1.fill(0);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < nout; o++) {
      const g = dO[b * nout + o];
      gb2[o] += g;
      for (let j = 0; j < nh; j++) gW2[j * nout + o] += H[b * nh + j] * g;
    }
    for (let j = 0; j < nh; j++) {
      let s = 0;
      for (let o = 0; o < nout; o++) s += dO[b * nout + o] * W2[j * nout + o];
      const h = H[b * nh + j];
      dZ[b * nh + j] = s * (1 - h * h);
      gb1[j] += dZ[b * nh + j];
    }
    for (let k = 0; k < nin; k++) {
      const xv = X[b * nin + k];
      const row = k * nh;
      for (let j = 0; j < nh; j++) gW1[row + j] += xv * dZ[b * nh + j];
    }
  }
  return { loss, grads: [gW1, gb1, gW2, gb2] };
}

/** sum(A·B)'s gradient in closed form: Ā[i, k] = Σ_j B[k, j], B̄[k, j] = Σ_i A[i, k]. */
export function w4GradExact(A, B, n = W4_N) {
  const dA = new Float64Array(n * n), dB = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    let rs = 0, cs = 0;
    for (let j = 0; j < n; j++) rs += B[k * n + j];
    for (let i = 0; i < n; i++) cs += A[i * n + k];
    for (let i = 0; i < n; i++) dA[i * n + k] = rs;
    for (let j = 0; j < n; j++) dB[k * n + j] = cs;
  }
  return [dA, dB];
}

export function rosenbrockHand(x) {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const t = x[i + 1] - x[i] * x[i];
    const u = 1 - x[i];
    s += 100 * t * t + u * u;
  }
  return s;
}

export function rosenbrockGradHand(x, g = new Float64Array(x.length)) {
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const t = x[i + 1] - x[i] * x[i];
    g[i] += -400 * t * x[i] - 2 * (1 - x[i]);
    g[i + 1] += 200 * t;
  }
  return g;
}

/** The float64 reference gradient of each workload: a list of flat arrays. */
export function referenceGradient(id) {
  if (id === 'w3') return w3GradHand(w3Data()).grads.map((g) => Float64Array.from(g));
  if (id === 'w4') {
    const { A, B } = w4Data();
    return w4GradExact(A, B);
  }
  return [rosenbrockGradHand(rosenbrockData())];
}

/** max |got − ref| / max(1, max |ref|) over all parts (a scale-aware relative error). */
export function relativeError(got, ref) {
  if (got.length !== ref.length) return Infinity;
  let worst = 0;
  for (let p = 0; p < ref.length; p++) {
    const g = got[p], r = ref[p];
    if (!g || g.length !== r.length) return Infinity;
    let scale = 1, m = 0;
    for (let i = 0; i < r.length; i++) scale = Math.max(scale, Math.abs(r[i]));
    for (let i = 0; i < r.length; i++) m = Math.max(m, Math.abs(g[i] - r[i]));
    if (Number.isNaN(m)) return Infinity;
    worst = Math.max(worst, m / scale);
  }
  return worst;
}
