// Plain-JavaScript kernels on Float64Array. Loop orders keep the innermost loop running
// along contiguous memory (V8 then keeps values unboxed in registers); blocking over k keeps
// a panel of B in cache for large matrices.

import type { Kernels } from './index.js';

const BLOCK = 64;

function matmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number, transA: boolean, transB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  if (transB) {
    // C[i,j] = Σ_p A[i,p]·B[j,p]: rows of A against rows of B, both contiguous.
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        if (transA) for (let p = 0; p < k; p++) s += a[p * m + i]! * b[j * k + p]!;
        else {
          const ai = i * k;
          const bj = j * k;
          for (let p = 0; p < k; p++) s += a[ai + p]! * b[bj + p]!;
        }
        c[i * n + j] = s;
      }
    }
    return c;
  }
  // C[i,:] += A[i,p]·B[p,:], in blocks of p.
  for (let p0 = 0; p0 < k; p0 += BLOCK) {
    const p1 = Math.min(k, p0 + BLOCK);
    for (let i = 0; i < m; i++) {
      const ci = i * n;
      for (let p = p0; p < p1; p++) {
        const aip = transA ? a[p * m + i]! : a[i * k + p]!;
        const bp = p * n;
        for (let j = 0; j < n; j++) c[ci + j]! += aip * b[bp + j]!;
      }
    }
  }
  return c;
}

export const jsKernels: Kernels = { matmul };
