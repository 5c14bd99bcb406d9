// Linear algebra: matmul, transpose, dot, outer. Plain arrays go to the kernels
// (lib/kernels/); the pullbacks are written with these same operations, so they are
// differentiable again.

import { castData, liveArray, NDArray, promote } from '../../lib/ndarray.js';
import { kernels } from '../../lib/kernels/index.js';
import { asArray, recordStep, tapeOf } from './record.js';
import { mulArrays, plus, sum } from './elementwise.js';
import { reshape } from './shape.js';

/**
 * Matrix product: matrix·matrix, matrix·vector (a vector result), vector·matrix, and
 * vector·vector (their dot product, a number).
 */
export function matmul(a: unknown, b: unknown): any {
  const A = asArray(a, 'matmul: left operand');
  const B = asArray(b, 'matmul: right operand');
  if (A.ndim === 1 && B.ndim === 1) return dot(A, B);
  // Checked here too, so that the message names the shapes as given (not a vector's reshape).
  if (A.ndim <= 2 && B.ndim <= 2 && A.ndim > 0 && B.ndim > 0 && A.shape[A.ndim - 1] !== B.shape[0]) {
    throw new RangeError(
      `zygote-ts: matmul: shapes [${A.shape.join(', ')}] and [${B.shape.join(', ')}] do not match ` +
        `(${A.shape[A.ndim - 1]} columns against ${B.shape[0]} rows).`,
    );
  }
  // Vectors take part as a row (on the left) or a column (on the right), then lose that axis.
  const A2 = A.ndim === 1 ? reshape(A, [1, A.size]) : A;
  const B2 = B.ndim === 1 ? reshape(B, [B.size, 1]) : B;
  const C = matmul2(A2, B2, false, false);
  if (A.ndim === 1) return reshape(C, [C.shape[1]!]);
  if (B.ndim === 1) return reshape(C, [C.shape[0]!]);
  return C;
}

// C = op(A)·op(B) for matrices; the transposed forms serve the pullbacks without copies.
function matmul2(A: NDArray, B: NDArray, transA: boolean, transB: boolean): NDArray {
  // (the pullbacks call this with the operands a node kept: one traced on a tape that has
  // closed since is a constant layer over a value an open tape may trace, as matmul's
  // asArray strips it; read as its data, the enclosing derivative was lost)
  A = liveArray(A);
  B = liveArray(B);
  if (A.ndim !== 2 || B.ndim !== 2) {
    throw new RangeError(`zygote-ts: matmul takes vectors and matrices, got shapes [${A.shape.join(', ')}] and [${B.shape.join(', ')}].`);
  }
  const [m, k] = transA ? [A.shape[1]!, A.shape[0]!] : [A.shape[0]!, A.shape[1]!];
  const [k2, n] = transB ? [B.shape[1]!, B.shape[0]!] : [B.shape[0]!, B.shape[1]!];
  if (k !== k2) {
    throw new RangeError(
      `zygote-ts: matmul: shapes [${A.shape.join(', ')}]${transA ? 'ᵀ' : ''} and [${B.shape.join(', ')}]${transB ? 'ᵀ' : ''} ` +
        `do not match (${k} columns against ${k2} rows).`,
    );
  }
  const t = tapeOf([A, B]);
  if (t === null) {
    // Float32 only when both are (the kernels take operands of one storage type).
    const dtype = promote(A.dtype, B.dtype);
    return new NDArray([m, n], kernels().matmul(castData(A.data, dtype), castData(B.data, dtype), m, k, n, transA, transB));
  }
  // (decided now: a parameter's tape fields are restored before the sweep runs)
  const needA = A.tracedTape === t;
  const needB = B.tracedTape === t;
  return recordStep(t, [A, B], {
    name: 'matmul',
    forward: ([x, y]) => matmul2(x, y, transA, transB),
    // C = A·B: Ā = G·Bᵀ, B̄ = Aᵀ·G (with the transposes folded in)
    backward: (g: NDArray, [x, y]) => [
      !needA ? null : transA ? matmul2(y, g, transB, true) : matmul2(g, y, false, !transB),
      !needB ? null : transB ? matmul2(g, x, true, transA) : matmul2(x, g, !transA, false),
    ],
    reads: { operands: [needB, needA], result: false },
    // the product rule: Ċ = op(Ȧ)·op(B) + op(A)·op(Ḃ)
    jvp: ([dA, dB], [x, y]) => plus(dA === null ? null : matmul2(dA as NDArray, y, transA, transB), dB === null ? null : matmul2(x, dB as NDArray, transA, transB)),
  });
}

/** The transpose of a matrix (a vector is returned as it is). */
export function transpose(a: unknown): NDArray {
  const A = asArray(a, 'transpose');
  if (A.ndim < 2) return A;
  if (A.ndim !== 2) throw new RangeError(`zygote-ts: transpose takes a matrix, got shape [${A.shape.join(', ')}].`);
  const t = tapeOf([A]);
  if (t === null) {
    const [m, n] = A.shape as [number, number];
    return new NDArray([n, m], kernels().transpose(A.data, m, n));
  }
  return recordStep(t, [A], {
    name: 'transpose',
    forward: ([x]) => transpose(x),
    backward: (g) => [transpose(g)],
    reads: { operands: [false], result: false },
    jvp: ([d]) => transpose(d),
  });
}

/** The dot product of two vectors of equal length: a number. */
export function dot(a: unknown, b: unknown): any {
  const A = asArray(a, 'dot: left operand');
  const B = asArray(b, 'dot: right operand');
  if (A.ndim !== 1 || B.ndim !== 1 || A.size !== B.size) {
    throw new RangeError(`zygote-ts: dot takes two vectors of equal length, got shapes [${A.shape.join(', ')}] and [${B.shape.join(', ')}].`);
  }
  return sum(mulArrays(A, B));
}

/** The outer product of two vectors: a matrix, out[i][j] = a[i]·b[j]. */
export function outer(a: unknown, b: unknown): NDArray {
  const A = asArray(a, 'outer: left operand');
  const B = asArray(b, 'outer: right operand');
  if (A.ndim !== 1 || B.ndim !== 1) {
    throw new RangeError(`zygote-ts: outer takes two vectors, got shapes [${A.shape.join(', ')}] and [${B.shape.join(', ')}].`);
  }
  return mulArrays(reshape(A, [A.size, 1]), reshape(B, [1, B.size]));
}
