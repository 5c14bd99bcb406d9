// Toolchains that run after the rewrite add to a function what the transform would rewrite:
// Vite's SSR transform (so Vitest, which runs this file) spells `new Vec(p)` as
// `new __vite_ssr_import_1__.Vec(p)`, esbuild's CommonJS output as `new import_geom.Vec(p)`
// (the transform routes `new a.B(…)` and `a.data`, not an imported `new Vec(…)` nor `data`),
// and istanbul's coverage adds `cov_…().s[0]++` to every function. A rewritten function holding
// nothing else to rewrite was taken for one that was not rewritten, and refused
// (lib/rewritten.ts, recognize.ts asItsRewriteSawIt).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { temporaryFolder } from './helpers.js';
import { withgradient } from 'zygote-ts';
import zygote from '../../lib/transform/esbuild.js';
import { Vec, data, energy, weighted } from '../fixtures/transform/vec.js';
import { unrewrittenFunction } from '../fixtures/unrewritten.js';

type Point = { x: number; y: number };

/** The gradient of f at p by central finite differences. */
function finiteDifferences(f: (p: Point) => number, p: Point): Point {
  const h = 1e-6;
  return {
    x: (f({ ...p, x: p.x + h }) - f({ ...p, x: p.x - h })) / (2 * h),
    y: (f({ ...p, y: p.y + h }) - f({ ...p, y: p.y - h })) / (2 * h),
  };
}

describe('functions naming imports as a later toolchain spells them', () => {
  it("under Vitest (Vite's SSR transform): an imported class constructed, an imported value read", () => {
    const cases: ((p: Point) => number)[] = [(p) => energy(new Vec(p.x, p.y)), (p) => weighted(p, data)];
    for (const f of cases) {
      expect(f.toString()).toMatch(/__vite_ssr_import_\d+__\.(?:Vec|data)/); // (what this case is about)
      const p = { x: 1.5, y: 0.7 };
      const { val, grad } = withgradient(f, p);
      expect(val).toBe(f(p));
      const fd = finiteDifferences(f, p);
      expect(grad[0]!.x).toBeCloseTo(fd.x, 5);
      expect(grad[0]!.y).toBeCloseTo(fd.y, 5);
    }
  });

  it("under istanbul's coverage (vitest --coverage): the counters it adds to every function", () => {
    // The text `vitest --coverage` with istanbul gives for `(w, k = 2) => weighted(w, [k, 1])` and
    // `function vecEnergy(p) { return energy(new Vec(p.x, p.y)); }` (rewritten, with nothing to
    // change), made functions that read their counters and imports as those did.
    const counters = { f: [0, 0], s: [0, 0], b: [[0]] };
    const make = unrewrittenFunction('cov_ruca84a3o', '__vite_ssr_import_1__', `return [
      (p, k = (cov_ruca84a3o().b[0][0]++, 2)) => {
        cov_ruca84a3o().f[0]++;
        cov_ruca84a3o().s[0]++;
        return (0,__vite_ssr_import_1__.weighted)(p, [k, 1]);
      },
      function vecEnergy(p) {
        cov_ruca84a3o().f[1]++;
        cov_ruca84a3o().s[1]++;
        return (0,__vite_ssr_import_1__.energy)(new __vite_ssr_import_1__.Vec(p.x, p.y));
      },
    ];`) as (counter: () => typeof counters, module: object) => ((p: Point) => number)[];
    const p = { x: 1.5, y: 0.7 };
    for (const f of make(() => counters, { weighted, energy, Vec })) {
      const { val, grad } = withgradient(f, p);
      expect(val).toBe(f(p));
      const fd = finiteDifferences(f, p);
      expect(grad[0]!.x).toBeCloseTo(fd.x, 5);
      expect(grad[0]!.y).toBeCloseTo(fd.y, 5);
    }
  });

  const { dir, write } = temporaryFolder('zygote-respelled-');

  it("in esbuild's CommonJS output, with the package the class comes from left external", async () => {
    write('node_modules/geom/package.json', '{ "name": "geom", "version": "1.0.0", "main": "index.js" }');
    write('node_modules/geom/index.js', 'exports.Vec = class Vec { constructor(x, y) { this.x = x; this.y = y; } };\n');
    const entry = write('main.js', `
import { gradient } from ${JSON.stringify(new URL('../../dist/lib/index.js', import.meta.url).pathname)};
import ${JSON.stringify(new URL('../../dist/lib/recompile.js', import.meta.url).pathname)}; // (as 'zygote-ts/recompile': the runtime can recompile)
import { Vec } from 'geom';
const energy = (v) => v.x * v.x * v.y + Math.sin(v.y);
const f = (p) => energy(new Vec(p.x, p.y));
let grad;
try { grad = gradient(f, { x: 1.5, y: 0.7 })[0]; } catch (e) { grad = String(e.message).slice(0, 90); }
console.log(JSON.stringify({ source: f.toString(), grad }));
`);
    const outfile = join(dir, 'out.cjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', external: ['geom'], outfile, logLevel: 'silent', plugins: [zygote({ cache: false })] });
    const out = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' })) as { source: string; grad: Point | string };
    expect(out.source).toMatch(/new import_geom\.Vec\(/);
    const fd = finiteDifferences((p) => energy(new Vec(p.x, p.y)), { x: 1.5, y: 0.7 });
    expect(typeof out.grad === 'string' ? out.grad : null).toBeNull();
    expect((out.grad as Point).x).toBeCloseTo(fd.x, 5);
    expect((out.grad as Point).y).toBeCloseTo(fd.y, 5);
  });
});
