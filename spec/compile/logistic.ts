// A logistic loss over fixed samples: which branch each sample takes depends on the weights,
// so no two neighbouring samples' code need be alike, and nothing rerolls (the shape of
// bench/cliff-workloads.js's logisticLoss).
export type Sample = { readonly x: readonly number[]; readonly y: number };

export const logisticLoss = (samples: readonly Sample[]) =>
  function logistic(w: number[], b: number): number {
    let total = 0;
    for (const { x, y } of samples) {
      let z = b;
      for (let j = 0; j < w.length; j++) z += w[j]! * x[j]!;
      const m = -y * z;
      total += m > 0 ? m + Math.log(1 + Math.exp(-m)) : Math.log(1 + Math.exp(m));
    }
    return total / samples.length;
  };
