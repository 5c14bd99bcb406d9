// Sample points for each Math function's rule, away from kinks and edges: shared by the
// reverse-mode checks (math.test.ts) and the forward-mode ones (spec/forward/rules.test.ts).

export const specs: Record<string, number[][]> = {
  sin: [[0.3], [-2.1], [4]],
  cos: [[0.3], [-2.1], [4]],
  tan: [[0.3], [-1.1], [2]],
  asin: [[0.3], [-0.7]],
  acos: [[0.3], [-0.7]],
  atan: [[0.3], [-3], [10]],
  atan2: [[0.3, 0.8], [-1, 2], [2, -1.5]],
  sinh: [[0.3], [-2]],
  cosh: [[0.3], [-2]],
  tanh: [[0.3], [-2], [1.5]],
  asinh: [[0.3], [-2]],
  acosh: [[1.3], [4]],
  atanh: [[0.3], [-0.6]],
  exp: [[0.3], [-2], [3]],
  expm1: [[0.3], [-2], [1e-3]],
  log: [[0.3], [7]],
  log1p: [[0.3], [-0.5], [7]],
  log2: [[0.3], [7]],
  log10: [[0.3], [7]],
  sqrt: [[0.3], [7]],
  cbrt: [[0.3], [-7]],
  pow: [[1.7, 2.3], [0.5, -1.5], [3, 0.5]],
  abs: [[0.3], [-2]],
  hypot: [[3, 4], [-1, 2, 0.5], [2]],
  max: [[0.3, 2], [-1, -3, 2]],
  min: [[0.3, 2], [-1, -3, 2]],
};

// Functions whose derivative is zero wherever it exists; checked apart.
export const zeroDerivative = ['floor', 'ceil', 'round', 'trunc', 'sign', 'clz32', 'imul'];
export const notDifferentiable = ['random'];
// fround rounds to float32, f16round (Node 24 and later) to float16: the derivative is taken as 1 and checked with a wide step.
export const widerStep = ['fround', ...('f16round' in Math ? ['f16round'] : [])];

