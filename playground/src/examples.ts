// The examples menu: every example of the seed (Zygote's documentation), in TypeScript.
// The sources are the files in playground/examples/, bundled into the page at build time.

export interface Example {
  id: string;
  file: string;
  title: string;
  group: string;
}

export const EXAMPLES: readonly Example[] = [
  { id: 'polynomial', file: '01-polynomial.ts', title: 'Polynomial 3x² + 2x + 1', group: 'Numbers' },
  { id: 'product', file: '02-product.ts', title: 'a · b, and its pullback', group: 'Numbers' },
  { id: 'product3', file: '03-product-of-three.ts', title: 'a · b · c', group: 'Numbers' },
  { id: 'pow-loop', file: '04-pow-loop.ts', title: 'pow by a loop', group: 'Control flow' },
  { id: 'pow-recursion', file: '05-pow-recursion.ts', title: 'pow by recursion', group: 'Control flow' },
  { id: 'dictionary', file: '06-dictionary.ts', title: 'A dictionary (Map) in the closure', group: 'Structures' },
  { id: 'point', file: '07-point.ts', title: 'Point and dist, with a user +', group: 'Structures' },
  { id: 'culori', file: '08-culori.ts', title: 'Colour distance with culori', group: 'Structures' },
  { id: 'matmul', file: '09-matmul.ts', title: 'sum(matmul(W, x))', group: 'Arrays and parameters' },
  { id: 'explicit', file: '10-explicit-params.ts', title: 'Explicit θ: a record and a Map', group: 'Arrays and parameters' },
  { id: 'linear', file: '11-linear-class.ts', title: 'A Linear layer class', group: 'Arrays and parameters' },
  { id: 'params', file: '12-implicit-params.ts', title: 'Implicit Params', group: 'Arrays and parameters' },
  { id: 'size-null', file: '13-size-null.ts', title: 'size(x, d): a null gradient', group: 'Arrays and parameters' },
  { id: 'rationals', file: '14-rationals.ts', title: 'Exact rationals (fraction.js)', group: 'Other numbers' },
  { id: 'compiled', file: '15-compiled.ts', title: 'compileGradient: generated code, guarded paths', group: 'Speed' },
  { id: 'optimise', file: '16-optimise.ts', title: 'minimize (L-BFGS) and an Adam loop', group: 'Optimisation' },
];
