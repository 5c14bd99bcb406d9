// The examples menu: every file in playground/examples/ (bundled into the page at build
// time), in the order of their file names. The seed's examples have titles and groups here;
// a file dropped into the folder without an entry appears under "More examples", titled by
// its first comment line and named by its file name without the number (16-optimise.ts →
// #example=optimise).

export interface Example {
  id: string;
  file: string;
  title: string;
  group: string;
}

const KNOWN: Record<string, Omit<Example, 'file'>> = {
  '01-polynomial.ts': { id: 'polynomial', title: 'Polynomial 3x² + 2x + 1', group: 'Numbers' },
  '02-product.ts': { id: 'product', title: 'a · b, and its pullback', group: 'Numbers' },
  '03-product-of-three.ts': { id: 'product3', title: 'a · b · c', group: 'Numbers' },
  '04-pow-loop.ts': { id: 'pow-loop', title: 'pow by a loop', group: 'Control flow' },
  '05-pow-recursion.ts': { id: 'pow-recursion', title: 'pow by recursion', group: 'Control flow' },
  '06-dictionary.ts': { id: 'dictionary', title: 'A dictionary (Map) in the closure', group: 'Structures' },
  '07-point.ts': { id: 'point', title: 'Point and dist, with a user +', group: 'Structures' },
  '08-culori.ts': { id: 'culori', title: 'Colour distance with culori', group: 'Structures' },
  '09-matmul.ts': { id: 'matmul', title: 'sum(matmul(W, x))', group: 'Arrays and parameters' },
  '10-explicit-params.ts': { id: 'explicit', title: 'Explicit θ: a record and a Map', group: 'Arrays and parameters' },
  '11-linear-class.ts': { id: 'linear', title: 'A Linear layer class', group: 'Arrays and parameters' },
  '12-implicit-params.ts': { id: 'params', title: 'Implicit Params', group: 'Arrays and parameters' },
  '13-size-null.ts': { id: 'size-null', title: 'size(x, d): a null gradient', group: 'Arrays and parameters' },
  '14-rationals.ts': { id: 'rationals', title: 'Exact rationals (fraction.js)', group: 'Other numbers' },
  '15-compiled.ts': { id: 'compiled', title: 'compileGradient: generated code, guarded paths', group: 'Speed' },
  '16-optimise.ts': { id: 'optimise', title: 'minimize (L-BFGS) and an Adam loop', group: 'Optimisation' },
};

/** The menu's entries for these example files (file name → source). */
export function examplesOf(sources: Record<string, string>): Example[] {
  return Object.keys(sources)
    .sort()
    .map((file) => {
      const known = KNOWN[file];
      if (known) return { file, ...known };
      const id = file.replace(/\.ts$/, '').replace(/^\d+-/, '');
      const firstComment = /^\s*\/\/\s*(.+)/.exec(sources[file]!)?.[1]?.replace(/[.:]\s*$/, '');
      return { file, id, title: firstComment && firstComment.length <= 60 ? firstComment : id, group: 'More examples' };
    });
}
