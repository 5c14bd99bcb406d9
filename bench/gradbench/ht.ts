// ht: hand tracking — the skinned hand model posed by 26 parameters θ (global rotation and
// translation, finger angles), and the 3-D distance of each data point from its vertex
// (simple) or from a point of its triangle at barycentric weights u (complicated); with
// the Jacobian in θ (and in u). Scalar code over plain arrays, as the model is written.
// The Jacobian has few columns and many rows, so it is forward mode: jacfwd in θ, and for
// u — where row i depends on u_i alone — one jvp along every u_i's first coordinate at
// once and one along every second (each row's two derivatives in u).

import { jacfwd, jvp } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

type Matrix = number[][];

interface Model {
  bone_count: number;
  bone_names: string[];
  parents: number[];
  base_relatives: Matrix[];
  inverse_base_absolutes: Matrix[];
  base_positions: Matrix; // per vertex: x, y, z, 1
  weights: Matrix; // per vertex: one weight per bone
  triangles: number[][];
  is_mirrored: boolean;
}

interface Input extends Runs {
  theta: number[];
  data: { model: Model; correspondences: number[]; points: Matrix };
  us: Matrix; // empty in the simple variant
}

function matmul(A: Matrix, B: Matrix): Matrix {
  return A.map((row) => B[0]!.map((_, j) => row.reduce((s, a, k) => s + a * B[k]![j]!, 0)));
}

const identity = (n: number): Matrix => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

/** Rotation by Euler angles, applied x first, then y, then z (the angles come as x, z, y). */
function eulerRotation([tx, tz, ty]: number[]): Matrix {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(tx!), Math.sin(tx!), Math.cos(ty!), Math.sin(ty!), Math.cos(tz!), Math.sin(tz!)];
  const Rx = [[1, 0, 0], [0, cx, -sx], [0, sx, cx]];
  const Ry = [[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]];
  const Rz = [[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]];
  return matmul(matmul(Rz, Ry), Rx);
}

/** Rotation by an angle-axis vector (the identity below 1e-4 rad). */
function angleAxisRotation(r: number[]): Matrix {
  const angle = Math.sqrt(r[0]! ** 2 + r[1]! ** 2 + r[2]! ** 2);
  if (angle < 0.0001) return identity(3);
  const [x, y, z] = r.map((v) => v / angle) as [number, number, number];
  const [s, c] = [Math.sin(angle), Math.cos(angle)];
  return [
    [x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s],
    [x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s],
    [x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c],
  ];
}

/**
 * θ as pose parameters, one 3-vector per column: global rotation, scale (1), global
 * translation, then one per bone — each finger's bones get θ's angles in turn (the first
 * bone two, the others one), the wrist and the fingertips none.
 */
function poseParameters(theta: number[], bones: number): number[][] {
  const pose = Array.from({ length: bones + 3 }, () => [0, 0, 0]);
  pose[0] = theta.slice(0, 3);
  pose[1] = [1, 1, 1];
  pose[2] = theta.slice(3, 6);
  let t = 6;
  let column = 5;
  for (let finger = 0; finger < 5; finger++, column++) {
    for (let joint = 2; joint <= 4; joint++, column++) {
      pose[column]![0] = theta[t++]!;
      if (joint === 2) pose[column]![1] = theta[t++]!;
    }
  }
  return pose;
}

/** The model's vertices (as 3 rows of coordinates) in the pose θ. */
function skinnedVertices(model: Model, theta: number[]): Matrix {
  const pose = poseParameters(theta, model.bone_names.length);
  const absolutes: Matrix[] = [];
  const transforms = model.base_relatives.map((base, bone) => {
    const rotation = eulerRotation(pose[bone + 3]!);
    const turn = identity(4);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) turn[i]![j] = rotation[i]![j]!;
    const relative = matmul(base, turn);
    const parent = model.parents[bone]!;
    absolutes[bone] = parent === -1 ? relative : matmul(absolutes[parent]!, relative);
    return matmul(absolutes[bone]!, model.inverse_base_absolutes[bone]!);
  });
  const vertices = model.base_positions.length;
  const positions: Matrix = [new Array<number>(vertices).fill(0), new Array<number>(vertices).fill(0), new Array<number>(vertices).fill(0)];
  transforms.forEach((T, bone) => {
    for (let v = 0; v < vertices; v++) {
      const base = model.base_positions[v]!;
      const weight = model.weights[v]![bone]!;
      for (let i = 0; i < 3; i++) {
        const Ti = T[i]!;
        positions[i]![v] += (Ti[0]! * base[0]! + Ti[1]! * base[1]! + Ti[2]! * base[2]! + Ti[3]! * base[3]!) * weight;
      }
    }
  });
  if (model.is_mirrored) positions[0] = positions[0]!.map((x) => -x);
  // the global transform: rotation (its columns scaled by pose[1]), then translation
  const R = angleAxisRotation(pose[0]!).map((row) => row.map((r, j) => r * pose[1]![j]!));
  return [0, 1, 2].map((i) => positions[0]!.map((_, v) => R[i]![0]! * positions[0]![v]! + R[i]![1]! * positions[1]![v]! + R[i]![2]! * positions[2]![v]! + pose[2]![i]!));
}

/** The residuals, 3 per data point. */
export function residuals(theta: number[], us: Matrix, { model, correspondences, points }: Input['data']): number[] {
  const V = skinnedVertices(model, theta);
  const out: number[] = [];
  correspondences.forEach((c, i) => {
    for (let j = 0; j < 3; j++) {
      if (us.length === 0) {
        out.push(points[i]![j]! - V[j]![c]!);
      } else {
        const [a, b, d] = model.triangles[c]!;
        const [u0, u1] = us[i]!;
        out.push(points[i]![j]! - (u0! * V[j]![a!]! + u1! * V[j]![b!]! + (1 - u0! - u1!) * V[j]![d!]!));
      }
    }
  });
  return out;
}

export const objective = multipleRuns(({ theta, us, data }: Input) => () => residuals(theta, us, data));

/** Rows are residuals; columns ∂/∂u₀ and ∂/∂u₁ of the row's own point (complicated only), then θ. */
export const jacobian = multipleRuns(({ theta, us, data }: Input) => () => {
  const byTheta = jacfwd((theta: number[]) => residuals(theta, us, data), theta)[0];
  if (us.length === 0) return byTheta;
  const along = (k: number) => us.map(() => (k === 0 ? [1, 0] : [0, 1]));
  const [, du0] = jvp((us: Matrix) => residuals(theta, us, data), [us], [along(0)]);
  const [, du1] = jvp((us: Matrix) => residuals(theta, us, data), [us], [along(1)]);
  return byTheta.map((row, r) => [du0[r]!, du1[r]!, ...row]);
});
