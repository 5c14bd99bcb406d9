// The GradBench tool (bench/gradbench/, issue 16) as GradBench runs it: a child process
// under the loader, spoken to in JSON lines. Small inputs of every eval; each output is
// checked against a closed form or central differences computed here (no Python in CI).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const register = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;

let tool: ChildProcessWithoutNullStreams;
let lines: AsyncIterator<string>;
let id = 0;

beforeAll(() => {
  tool = spawn(process.execPath, ['--import', register, 'bench/gradbench/run.ts'], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
  lines = createInterface({ input: tool.stdout })[Symbol.asyncIterator]();
});
afterAll(() => {
  tool.stdin.end();
  tool.kill();
});

async function send(message: object): Promise<any> {
  const sent = id++;
  tool.stdin.write(JSON.stringify({ id: sent, ...message }) + '\n');
  // (a response to an earlier message whose test timed out is passed over)
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error('the tool closed its output');
    const response = JSON.parse(value);
    if (response.id < sent) continue;
    expect(response.id).toBe(sent);
    return response;
  }
}

const once = { min_runs: 1, min_seconds: 0 };

async function evaluate(module: string, fn: string, input: object): Promise<any> {
  const r = await send({ kind: 'evaluate', module, function: fn, input: { ...input, ...once } });
  if (!r.success) throw new Error(r.error);
  expect(r.timings.length).toBeGreaterThanOrEqual(1);
  expect(r.timings.every((t: any) => t.name === 'evaluate' && Number.isInteger(t.nanoseconds))).toBe(true);
  return r.output;
}

/** A seeded generator, so that a failure reproduces. */
function random(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Central differences of f: R^n → R (or R^m: one column per input) at x. */
function differences(f: (x: number[]) => number[], x: number[], h = 1e-6): number[][] {
  return x.map((_, j) => {
    const [a, b] = [x.slice(), x.slice()];
    a[j]! += h;
    b[j]! -= h;
    const [fa, fb] = [f(a), f(b)];
    return fa.map((v, i) => (v - fb[i]!) / (2 * h));
  });
}

function expectClose(actual: number[], expected: number[], tolerance = 1e-6) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(expected[i]!))));
}

describe('the protocol', () => {
  it('answers start, define, analysis, and refuses an eval it lacks', async () => {
    expect(await send({ kind: 'start', eval: 'hello' })).toMatchObject({ tool: 'zygote-ts' });
    expect(await send({ kind: 'define', module: 'hello' })).toMatchObject({ success: true });
    expect(await send({ kind: 'analysis', of: 1, valid: true })).toEqual({ id: 2 });
    const r = await send({ kind: 'define', module: 'nonesuch' });
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/nonesuch/);
  });

  it('repeats an evaluation min_runs times', async () => {
    const r = await send({ kind: 'evaluate', module: 'lse', function: 'primal', input: { x: [1, 2], min_runs: 5, min_seconds: 0 } });
    expect(r.timings).toHaveLength(5);
  });

  it('hello: x² and 2x', async () => {
    expect((await send({ kind: 'evaluate', module: 'hello', function: 'square', input: 3 })).output).toBe(9);
    expect((await send({ kind: 'evaluate', module: 'hello', function: 'double', input: 3 })).output).toBe(6);
  });
});

describe('the evals', () => {
  const rand = random(16);

  it('lse: log Σ exp, and softmax as its gradient', async () => {
    const x = Array.from({ length: 50 }, () => 200 * rand() - 100);
    const m = Math.max(...x);
    const s = x.reduce((s, v) => s + Math.exp(v - m), 0);
    expectClose([await evaluate('lse', 'primal', { x })], [m + Math.log(s)], 1e-12);
    expectClose(await evaluate('lse', 'gradient', { x }), x.map((v) => Math.exp(v - m) / s), 1e-12);
  });

  it('llsq: ½|s − Vx|² and −Vᵀ(s − Vx)', async () => {
    const [x, n] = [[0.3, -1.2, 0.7, 2], 9];
    const t = Array.from({ length: n }, (_, i) => -1 + (2 * i) / (n - 1));
    const r = t.map((ti) => Math.sign(ti) - x.reduce((s, xj, j) => s + xj * ti ** j, 0));
    expectClose([await evaluate('llsq', 'primal', { x, n })], [r.reduce((s, v) => s + v * v, 0) / 2], 1e-12);
    expectClose(await evaluate('llsq', 'gradient', { x, n }), x.map((_, j) => -t.reduce((s, ti, i) => s + ti ** j * r[i]!, 0)), 1e-10);
  });

  // The gradient of det A is det(A)·A⁻ᵀ; both from Gaussian elimination here.
  function detAndInverse(A: number[], n: number): [number, number[]] {
    const M = Array.from({ length: n }, (_, i) => [...A.slice(i * n, (i + 1) * n), ...Array.from({ length: n }, (_, j) => +(i === j))]);
    let det = 1;
    for (let c = 0; c < n; c++) {
      const p = M.slice(c).reduce((best, row, k) => (Math.abs(row[c]!) > Math.abs(M[best]![c]!) ? c + k : best), c);
      if (p !== c) [M[c], M[p], det] = [M[p]!, M[c]!, -det];
      det *= M[c]![c]!;
      const pivot = M[c]!.map((v) => v / M[c]![c]!);
      M[c] = pivot;
      M.forEach((row, i) => {
        const factor = row[c]!;
        if (i !== c) row.forEach((v, j) => (row[j] = v - factor * pivot[j]!));
      });
    }
    return [det, M.flatMap((row) => row.slice(n))];
  }

  for (const ell of [1, 4, 10]) {
    it(`det: ℓ = ${ell}${ell === 10 ? ' (minors of size 9 checkpointed)' : ''}`, async () => {
      const A = Array.from({ length: ell * ell }, () => rand() - 0.5);
      const [det, inverse] = detAndInverse(A, ell);
      expectClose([await evaluate('det', 'primal', { A, ell })], [det], 1e-9);
      const cofactors = A.map((_, k) => det * inverse[(k % ell) * ell + Math.floor(k / ell)]!);
      expectClose(await evaluate('det', 'gradient', { A, ell }), cofactors, 1e-9);
    });
  }

  it('ode: Runge–Kutta, and the gradient of the last component by central differences', async () => {
    const [x, s] = [[0.9, 1.1, 0.7, 1.3, 0.8], 3];
    const solve = (x: number[]) => {
      const h = 2 / s;
      let y = x.map(() => 0);
      const f = (y: number[]) => x.map((xi, i) => (i === 0 ? xi : xi * y[i - 1]!));
      const step = (y: number[], k: number[], c: number) => y.map((v, i) => v + c * k[i]!);
      for (let k = 0; k < s; k++) {
        const k1 = f(y), k2 = f(step(y, k1, h / 2)), k3 = f(step(y, k2, h / 2)), k4 = f(step(y, k3, h));
        y = y.map((v, i) => v + (h * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!)) / 6);
      }
      return y;
    };
    expectClose(await evaluate('ode', 'primal', { x, s }), solve(x), 1e-12);
    const fd = differences((x) => [solve(x).at(-1)!], x).map(([d]) => d!);
    expectClose(await evaluate('ode', 'gradient', { x, s }), fd, 1e-7);
  });

  // The particle's crossing, with the potential's gradient in closed form.
  function miss(w: number): number {
    const charges = [[10, 10 - w], [10, 0]] as const;
    let [x, y, vx, vy] = [0, 8, 0.75, 0];
    for (;;) {
      // −∇ Σ 1/|p − c| = Σ (p − c)/|p − c|³
      const [ax, ay] = charges.reduce(([ax, ay], [cx, cy]) => {
        const r3 = Math.hypot(x - cx, y - cy) ** 3;
        return [ax + (x - cx) / r3, ay + (y - cy) / r3];
      }, [0, 0]);
      if (!(y + 0.1 * vy > 0)) break;
      [x, y, vx, vy] = [x + 0.1 * vx, y + 0.1 * vy, vx + 0.1 * ax, vy + 0.1 * ay];
    }
    return (x - (y / vy) * vx) ** 2;
  }

  for (const variant of ['ff', 'fr', 'rf', 'rr']) {
    it(`particle ${variant}: a w at which the particle crosses at the origin`, async () => {
      // (started near the answer: the descent from 0 takes a second or two per variant)
      const w = await evaluate('particle', variant, { w: 0.15 });
      expect(miss(0.15)).toBeGreaterThan(0.1);
      expect(miss(w)).toBeLessThan(1e-6);
      expect(miss(w)).toBeLessThan(Math.min(miss(w - 1e-3), miss(w + 1e-3)));
    });

    it(`saddle ${variant}: the saddle point of (x₁² + x₂²) − (y₁² + y₂²) is the origin`, async () => {
      const out: number[] = await evaluate('saddle', variant, { start: [1, 1] });
      expect(out).toHaveLength(4);
      for (const v of out) expect(Math.abs(v)).toBeLessThan(1e-4);
    });
  }

  it('kmeans: the cost, and the direction C − (mean of its points)', async () => {
    const points = Array.from({ length: 40 }, () => [rand(), rand(), rand()]);
    const centroids = points.slice(-4);
    const sq = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
    const nearest = points.map((p) => centroids.reduce((best, c, j) => (sq(p, c) < sq(p, centroids[best]!) ? j : best), 0));
    expectClose([await evaluate('kmeans', 'cost', { points, centroids })], [points.reduce((s, p, i) => s + sq(p, centroids[nearest[i]!]!), 0)], 1e-12);
    const dir: number[][] = await evaluate('kmeans', 'dir', { points, centroids });
    centroids.forEach((c, j) => {
      const mine = points.filter((_, i) => nearest[i] === j);
      expectClose(dir[j]!, c.map((v, l) => v - mine.reduce((s, p) => s + p[l]!, 0) / mine.length), 1e-10);
    });
  });

  // The GMM log posterior straight from its definition: densities with Σ⁻¹ = QᵀQ, and the
  // Wishart density with Γ at half-integers in closed form.
  function logPosterior(inp: { d: number; k: number; n: number; x: number[][]; m: number; gamma: number; alpha: number[]; mu: number[][]; q: number[][]; l: number[][] }) {
    const { d, k, x, m, gamma, alpha, mu, q, l } = inp;
    const Q = Array.from({ length: k }, (_, c) => {
      const M = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? Math.exp(q[c]![i]!) : 0)));
      let e = 0;
      for (let j = 0; j < d; j++) for (let i = j + 1; i < d; i++) M[i]![j] = l[c]![e++]!;
      return M;
    });
    const weights = alpha.map(Math.exp);
    const total = weights.reduce((s, v) => s + v, 0);
    const logLikelihood = x.reduce((s, xi) => {
      const p = Q.reduce((acc, M, c) => {
        const z = M.map((row) => row.reduce((t, v, j) => t + v * (xi[j]! - mu[c]![j]!), 0));
        const detQ = M.reduce((t, row, i) => t * row[i]!, 1);
        return acc + (weights[c]! / total) * detQ * Math.exp(-0.5 * z.reduce((t, v) => t + v * v, 0)) / Math.sqrt((2 * Math.PI) ** d);
      }, 0);
      return s + Math.log(p);
    }, 0);
    const gammaHalf = (twice: number): number => (twice === 2 ? 1 : twice === 1 ? Math.sqrt(Math.PI) : (twice / 2 - 1) * gammaHalf(twice - 2));
    const dof = d + m + 1;
    let logMultiGamma = 0.25 * d * (d - 1) * Math.log(Math.PI);
    for (let j = 1; j <= d; j++) logMultiGamma += Math.log(gammaHalf(dof + 1 - j));
    const logPrior = Q.reduce((s, M) => {
      const frobenius = M.flat().reduce((t, v) => t + v * v, 0);
      const logDet = 2 * M.reduce((t, row, i) => t + Math.log(row[i]!), 0);
      return s + ((dof - d - 1) / 2) * logDet - 0.5 * gamma * gamma * frobenius - ((dof * d) / 2) * Math.log(2) + dof * d * Math.log(gamma) - logMultiGamma;
    }, 0);
    return logLikelihood + logPrior;
  }

  it('gmm: the log posterior from its definition, the gradient by central differences', async () => {
    const [d, k, n, m, gamma] = [3, 2, 6, 2, 0.8];
    const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
    const vec = (len: number) => Array.from({ length: len }, normal);
    const input = { d, k, n, m, gamma, x: Array.from({ length: n }, () => vec(d)), alpha: vec(k), mu: Array.from({ length: k }, () => vec(d)), q: Array.from({ length: k }, () => vec(d).map((v) => v / 3)), l: Array.from({ length: k }, () => vec((d * (d - 1)) / 2)) };
    expectClose([await evaluate('gmm', 'objective', input)], [logPosterior(input)], 1e-10);
    const J = await evaluate('gmm', 'jacobian', input);
    const flat = [input.alpha, ...input.mu, ...input.q, ...input.l].flat();
    const unflat = (v: number[]) => {
      let at = 0;
      const take = (len: number) => v.slice(at, (at += len));
      return { ...input, alpha: take(k), mu: input.mu.map(() => take(d)), q: input.q.map(() => take(d)), l: input.l.map(() => take((d * (d - 1)) / 2)) };
    };
    const fd = differences((v) => [logPosterior(unflat(v))], flat).map(([g]) => g!);
    expectClose([J.alpha, ...J.mu, ...J.q, ...J.l].flat(), fd, 1e-6);
  });

  // One observation's reprojection error, written out per coordinate.
  function reprojection(cam: number[], X: number[], w: number, feat: number[]): number[] {
    const [r, C] = [cam.slice(0, 3), cam.slice(3, 6)];
    const p = X.map((v, i) => v - C[i]!);
    const cross = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
    const theta = Math.hypot(...r);
    let rotated: number[];
    if (theta === 0) {
      rotated = p.map((v, i) => v + cross(r, p)[i]!);
    } else {
      const k = r.map((v) => v / theta);
      const kp = cross(k, p);
      const dot = k.reduce((s, v, i) => s + v * p[i]!, 0);
      rotated = p.map((v, i) => v * Math.cos(theta) + kp[i]! * Math.sin(theta) + k[i]! * dot * (1 - Math.cos(theta)));
    }
    const [u, v] = [rotated[0]! / rotated[2]!, rotated[1]! / rotated[2]!];
    const rsq = u * u + v * v;
    const L = 1 + cam[9]! * rsq + cam[10]! * rsq * rsq;
    return [w * (u * L * cam[6]! + cam[7]! - feat[0]!), w * (v * L * cam[6]! + cam[8]! - feat[1]!)];
  }

  for (const still of [false, true]) {
    it(`ba: the errors, and the sparse Jacobian's first block by central differences${still ? ' (a camera that does not rotate)' : ''}`, async () => {
      const cam = [still ? 0 : 0.1, still ? 0 : -0.2, still ? 0 : 0.3, 0.5, -0.4, -9, 900, 0.01, -0.02, 1e-7, -2e-14];
      const input = { n: 3, m: 4, p: 7, cam, x: [1.5, -0.5, 3], w: 0.9, feat: [-100, 250] };
      const expected = reprojection(cam, input.x, input.w, input.feat);
      const out = await evaluate('ba', 'objective', input);
      expect(out.reproj_error.repeated).toBe(7);
      expectClose(out.reproj_error.elements, expected, 1e-12);
      expect(out.w_err).toEqual({ element: 1 - 0.81, repeated: 7 });
      const J = await evaluate('ba', 'jacobian', input);
      // observation 0 (camera 0, point 0): rows 0 and 1, 15 entries each — 11 camera, 3 point, 1 weight
      const fd = differences((v) => reprojection(v.slice(0, 11), v.slice(11, 14), v[14]!, input.feat), [...cam, ...input.x, input.w], 1e-7);
      expectClose(J.vals.slice(0, 30), [0, 1].flatMap((r) => fd.map((column) => column[r]!)), 1e-5);
      expect(J.cols.slice(0, 15)).toEqual([...Array.from({ length: 11 }, (_, j) => j), 33, 34, 35, 45]);
      expect(J.rows.slice(0, 3)).toEqual([0, 15, 30]);
      expect([J.rows.at(-1), J.cols.at(-1), J.vals.at(-1)]).toEqual([31 * 7, 11 * 3 + 3 * 4 + 6, -2 * 0.9]);
    });
  }

  // A hand of 22 bones (the pose layout needs them) and 6 vertices.
  function hand(rigid: boolean) {
    const matrix = () => [[...[rand(), rand(), rand()].map((v) => v - 0.5), rand()], [rand() - 0.5, 1, rand() - 0.5, rand()], [rand() - 0.5, rand() - 0.5, 1, rand()], [0, 0, 0, 1]];
    const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const bones = 22;
    const model = {
      bone_count: bones,
      bone_names: Array.from({ length: bones }, (_, i) => `b${i}`),
      parents: Array.from({ length: bones }, (_, i) => (i === 0 ? -1 : i % 4 === 1 ? 0 : i - 1)),
      base_relatives: Array.from({ length: bones }, () => (rigid ? identity : matrix())),
      inverse_base_absolutes: Array.from({ length: bones }, () => (rigid ? identity : matrix())),
      base_positions: Array.from({ length: 6 }, () => [rand(), rand(), rand(), 1]),
      weights: Array.from({ length: 6 }, () => Array.from({ length: bones }, () => rand() / bones)),
      triangles: [[0, 1, 2], [3, 4, 5], [1, 3, 5], [2, 4, 0], [5, 0, 3], [4, 2, 1]],
      is_mirrored: false,
    };
    const correspondences = [0, 2, 1, 5];
    const points = correspondences.map(() => [rand(), rand(), rand()]);
    return { model, correspondences, points };
  }

  it('ht: the residuals of an unposed hand (a weighted sum of its vertices, translated)', async () => {
    const data = hand(true);
    const theta = [0, 0, 0, 0.3, -0.2, 0.1, ...Array.from({ length: 20 }, () => 0)];
    const residuals = await evaluate('ht', 'objective', { theta, data, us: [] });
    const expected = data.correspondences.flatMap((c, i) => [0, 1, 2].map((j) => {
      const weight = data.model.weights[c]!.reduce((s, v) => s + v, 0);
      return data.points[i]![j]! - (weight * data.model.base_positions[c]![j]! + theta[3 + j]!);
    }));
    expectClose(residuals, expected, 1e-12);
  });

  for (const complicated of [false, true]) {
    it(`ht (${complicated ? 'complicated' : 'simple'}): the Jacobian by central differences of the residuals`, async () => {
      const data = hand(false);
      const theta = Array.from({ length: 26 }, () => rand() - 0.5);
      const us = complicated ? data.correspondences.map(() => [rand() / 2, rand() / 2]) : [];
      const J: number[][] = await evaluate('ht', 'jacobian', { theta, data, us });
      const rows = 3 * data.correspondences.length;
      expect(J).toHaveLength(rows);
      const objective = (theta: number[], us: number[][]) => evaluate('ht', 'objective', { theta, data, us }) as Promise<number[]>;
      for (let j = 0; j < 26; j++) {
        const [a, b] = [theta.slice(), theta.slice()];
        a[j]! += 1e-6;
        b[j]! -= 1e-6;
        const [fa, fb] = [await objective(a, us), await objective(b, us)];
        expectClose(J.map((row) => row[j + (complicated ? 2 : 0)]!), fa.map((v, i) => (v - fb[i]!) / 2e-6), 1e-6);
      }
      if (complicated) {
        for (const k of [0, 1]) {
          const shift = (h: number) => us.map((u) => u.map((v, i) => (i === k ? v + h : v)));
          const [fa, fb] = [await objective(theta, shift(1e-6)), await objective(theta, shift(-1e-6))];
          expectClose(J.map((row) => row[k]!), fa.map((v, i) => (v - fb[i]!) / 2e-6), 1e-6);
        }
      }
    });
  }

  it('lstm: the gradient by central differences of the loss', async () => {
    const [layers, b, c] = [2, 3, 5];
    const matrix = (r: number, n: number) => Array.from({ length: r }, () => Array.from({ length: n }, rand));
    const input = { main_params: matrix(2 * layers, 4 * b), extra_params: matrix(3, b), state: matrix(2 * layers, b), sequence: matrix(c, b).map((r) => r.map((v) => Math.round(v))) };
    const J: number[] = await evaluate('lstm', 'jacobian', input);
    const flat = [...input.main_params.flat(), ...input.extra_params.flat()];
    expect(J).toHaveLength(flat.length);
    const fd: number[] = [];
    for (let j = 0; j < flat.length; j++) {
      const at = async (h: number) => {
        const v = flat.slice();
        v[j]! += h;
        const main_params = input.main_params.map((_, r) => v.slice(r * 4 * b, (r + 1) * 4 * b));
        const extra_params = input.extra_params.map((_, r) => v.slice(8 * layers * b + r * b, 8 * layers * b + (r + 1) * b));
        return (await evaluate('lstm', 'objective', { ...input, main_params, extra_params })) as number;
      };
      fd.push(((await at(1e-6)) - (await at(-1e-6))) / 2e-6);
    }
    expectClose(J, fd, 1e-6);
  });
});
