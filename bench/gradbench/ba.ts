// ba: bundle adjustment — the reprojection error of p observations (camera, point, weight)
// and its sparse Jacobian. Over NDArrays with one column per observation: each observation
// reads its own copy of its camera's 11 parameters and its point's 3 coordinates, so the
// derivative of error row r in those copies is exactly the observation's block of the
// Jacobian, and two pullbacks (one per row) give every block at once.

import { add, div, gradient, mul, NDArray, pullback, row, sqrt, stack, sub, sum } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  n: number;
  m: number;
  p: number;
  cam: number[];
  x: number[];
  w: number;
  feat: number[];
}

const CAMERA = 11; // rotation (3), centre (3), focal length, principal point (2), radial distortion (2)

// In rewritten code Math's functions map over an NDArray; TypeScript only types them on numbers.
const cos = (x: NDArray) => Math.cos(x as never) as unknown as NDArray;
const sin = (x: NDArray) => Math.sin(x as never) as unknown as NDArray;

type Vec3 = [NDArray, NDArray, NDArray];
const dot3 = (a: Vec3, b: Vec3) => add(add(mul(a[0], b[0]), mul(a[1], b[1])), mul(a[2], b[2]));
const cross = (a: Vec3, b: Vec3): Vec3 => [
  sub(mul(a[1], b[2]), mul(a[2], b[1])),
  sub(mul(a[2], b[0]), mul(a[0], b[2])),
  sub(mul(a[0], b[1]), mul(a[1], b[0])),
];

/**
 * The point rotated by the angle-axis vector r (Rodrigues' formula); where r is zero
 * (`turning` 0 there), by its first-order form x + r × x instead.
 */
function rotate(r: Vec3, x: Vec3, turning: NDArray | null): Vec3 {
  const sq = dot3(r, r);
  // (1 − turning) keeps θ away from 0 where the first-order form is taken, so that no
  // 0/0 reaches the derivative
  const theta = sqrt(turning === null ? sq : add(sq, sub(1, turning)));
  const [c, s] = [cos(theta), sin(theta)];
  const axis = r.map((ri) => div(ri, theta)) as Vec3;
  const axx = cross(axis, x);
  const along = mul(dot3(axis, x), sub(1, c));
  const rotated = x.map((xi, i) => add(add(mul(xi, c), mul(axx[i]!, s)), mul(axis[i]!, along))) as Vec3;
  if (turning === null) return rotated;
  const rxx = cross(r, x);
  return rotated.map((v, i) => add(mul(v, turning), mul(add(x[i]!, rxx[i]!), sub(1, turning)))) as Vec3;
}

/** The weighted reprojection errors (2 × p) of the observations' cameras (11 × p) and points (3 × p). */
function reprojection(C: NDArray, X: NDArray, w: NDArray, feature: NDArray, turning: NDArray | null): NDArray {
  const at = (A: NDArray, i: number) => row(A, i);
  const centred = [0, 1, 2].map((i) => sub(at(X, i), at(C, 3 + i))) as Vec3;
  const cam = rotate([at(C, 0), at(C, 1), at(C, 2)], centred, turning);
  const [u, v] = [div(cam[0], cam[2]), div(cam[1], cam[2])];
  const rsq = add(mul(u, u), mul(v, v));
  const distortion = add(add(1, mul(at(C, 9), rsq)), mul(at(C, 10), mul(rsq, rsq)));
  const f = at(C, 6);
  const projected = [add(mul(mul(u, distortion), f), at(C, 7)), add(mul(mul(v, distortion), f), at(C, 8))];
  return stack(projected.map((x, i) => mul(w, sub(x, at(feature, i)))));
}

const weightError = (w: NDArray) => sub(1, mul(w, w));

/** The problem laid out in full from the one camera, point, weight and feature it repeats. */
function expand({ n, m, p, cam, x, w, feat }: Input) {
  const cams = Array.from({ length: n }, () => cam.slice());
  const points = Array.from({ length: m }, () => x.slice());
  const cameraOf = Int32Array.from({ length: p }, (_, i) => i % n);
  const pointOf = Int32Array.from({ length: p }, (_, i) => i % m);
  // one column per observation: its camera's parameters, its point, its feature
  const C = new Float64Array(CAMERA * p);
  const X = new Float64Array(3 * p);
  const F = new Float64Array(2 * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < CAMERA; j++) C[j * p + i] = cams[cameraOf[i]!]![j]!;
    for (let j = 0; j < 3; j++) X[j * p + i] = points[pointOf[i]!]![j]!;
    for (let j = 0; j < 2; j++) F[j * p + i] = feat[j]!;
  }
  // where a camera does not rotate, Rodrigues' formula is replaced by its first-order form
  const turning = new Float64Array(p);
  let still = false;
  for (let i = 0; i < p; i++) {
    const sq = C[i]! ** 2 + C[p + i]! ** 2 + C[2 * p + i]! ** 2;
    turning[i] = sq !== 0 ? 1 : 0;
    still ||= sq === 0;
  }
  return {
    n, m, p, cameraOf, pointOf,
    C: new NDArray([CAMERA, p], C),
    X: new NDArray([3, p], X),
    W: new NDArray([p], new Float64Array(p).fill(w)),
    F: new NDArray([2, p], F),
    turning: still ? new NDArray([p], turning) : null,
  };
}

export const objective = multipleRuns((input: Input) => {
  const { p, C, X, W, F, turning } = expand(input);
  return () => {
    const err = reprojection(C, X, W, F, turning);
    const werr = weightError(W);
    return {
      reproj_error: { elements: [err.data[0], err.data[p]], repeated: p },
      w_err: { element: werr.data[0], repeated: p },
    };
  };
});

/** The Jacobian in compressed sparse rows: 2 rows of 15 per observation, then 1 per weight. */
export const jacobian = multipleRuns((input: Input) => {
  const { n, m, p, cameraOf, pointOf, C, X, W, F, turning } = expand(input);
  return () => {
    const [, back] = pullback((C: NDArray, X: NDArray, W: NDArray) => reprojection(C, X, W, F, turning), C, X, W);
    const blocks = [0, 1].map((r) => {
      const seed = new Float64Array(2 * p);
      seed.fill(1, r * p, (r + 1) * p);
      return back(new NDArray([2, p], seed));
    });
    const dw = gradient((W: NDArray) => sum(weightError(W)), W)[0]!.data;
    const nnz = 31 * p;
    const rows = new Int32Array(3 * p + 1);
    const cols = new Int32Array(nnz);
    const vals = new Float64Array(nnz);
    let k = 0;
    for (let i = 0; i < p; i++) {
      for (let r = 0; r < 2; r++) {
        const [dC, dX, dW] = blocks[r]! as [NDArray, NDArray, NDArray];
        for (let j = 0; j < CAMERA; j++, k++) (cols[k] = CAMERA * cameraOf[i]! + j), (vals[k] = dC.data[j * p + i]!);
        for (let j = 0; j < 3; j++, k++) (cols[k] = CAMERA * n + 3 * pointOf[i]! + j), (vals[k] = dX.data[j * p + i]!);
        (cols[k] = CAMERA * n + 3 * m + i), (vals[k] = dW.data[i]!), k++;
        rows[2 * i + r + 1] = k;
      }
    }
    for (let i = 0; i < p; i++, k++) {
      cols[k] = CAMERA * n + 3 * m + i;
      vals[k] = dw[i]!;
      rows[2 * p + i + 1] = k + 1;
    }
    // GradBench takes the first 30 entries of each list and the last
    const shown = <T extends Int32Array | Float64Array>(a: T) => [...Array.from(a.subarray(0, 30)), a[a.length - 1]!];
    return { rows: shown(rows), cols: shown(cols), vals: shown(vals) };
  };
});
