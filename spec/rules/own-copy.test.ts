// Each Math rule, and the call that checks Math for a replacement, runs its own copy of the
// shared code (rules/own-copy.ts), so that its type feedback is its own. A copy is compiled
// from the factory's source text outside its module: a factory that read anything but its
// parameters would throw there, or where code from strings is refused, the factory itself
// must do the same work. Run in fresh processes, on the built package, as users load it.
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { node, root } from '../packages/run.js';

const ownCopyUrl = pathToFileURL(join(root, 'dist/rules/own-copy.js')).href;

// Every Math function with a rule, on one traced number, against its derivative written out.
const script = `
import { gradient } from 'zygote-ts';
import { __zy } from 'zygote-ts/runtime';
import { freeVariables } from 'zygote-ts/transform';
import { ownCopies } from '${ownCopyUrl}';
const M = __zy.Math;
const f = (x) => [M.sin(x), M.cos(x), M.exp(x), M.log(x), M.sqrt(x), M.tanh(x), M.atan2(x, 2), M.hypot(x, 3), M.pow(x, 3), M.cbrt(x), M.floor(x)]
  .reduce((s, v) => __zy.add(s, v), 0);
const d = (x) => Math.cos(x) - Math.sin(x) + Math.exp(x) + 1 / x + 0.5 / Math.sqrt(x) + 1 - Math.tanh(x) ** 2 + 2 / (x * x + 4)
  + x / Math.hypot(x, 3) + 3 * x * x + 1 / (3 * Math.cbrt(x) ** 2);
const x = 0.7;
const [g] = gradient(f, x);
const { made, refused, factories } = ownCopies();
console.log(JSON.stringify({ g, expected: d(x), made, refused, free: factories.map((k) => [k.name, freeVariables('(' + k.toString() + ')')]) }));
`;

function run(flags: string[]): { g: number; expected: number; made: number; refused: number; free: [string, string[]][] } {
  const r = node([...flags, '--input-type=module', '-e', script]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('own copies of the rules’ shared code', () => {
  it('are made for every rule and call, and give the derivatives', () => {
    const out = run([]);
    expect(out.refused).toBe(0);
    expect(out.made).toBeGreaterThan(50);
    expect(out.g).toBeCloseTo(out.expected, 12);
  });

  it('come from factories that read nothing but their parameters and the globals', () => {
    const globals = new Set(['Object', 'Symbol', 'Math', 'Number', 'undefined']);
    const out = run([]);
    expect(out.free.map(([name]) => name).sort()).toEqual(['binaryEntry', 'installedCall', 'unaryEntry']);
    for (const [name, free] of out.free) expect({ name, free: free.filter((v) => !globals.has(v)) }).toEqual({ name, free: [] });
  });

  it('where code from strings is refused, the shared code gives the same derivatives', () => {
    const out = run(['--disallow-code-generation-from-strings']);
    expect(out.made).toBe(0);
    expect(out.refused).toBeGreaterThan(50);
    expect(out.g).toBeCloseTo(out.expected, 12);
  });

  it('are made in a bundle that keeps names, minified or not (the playground’s esbuild options)', async () => {
    // (esbuild's keepNames wraps a function bound to a name in a helper of the bundle's own,
    // which a copy compiled outside it cannot reach: the factories bind none)
    const dir = mkdtempSync(join(tmpdir(), 'zygote-own-copy-'));
    try {
      const entry = join(dir, 'entry.mjs');
      writeFileSync(entry, `import ${JSON.stringify(join(root, 'dist/lib/index.js'))};\nimport { ownCopies } from ${JSON.stringify(join(root, 'dist/rules/own-copy.js'))};\nconst { made, refused } = ownCopies();\nconsole.log(JSON.stringify({ made, refused }));\n`);
      for (const minify of [false, true]) {
        const outfile = join(dir, `out-${minify}.mjs`);
        await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', keepNames: true, minify, outfile, logLevel: 'silent' });
        const r = node([outfile]);
        expect(r.stderr).toBe('');
        const { made, refused } = JSON.parse(r.stdout) as { made: number; refused: number };
        expect({ minify, refused }).toEqual({ minify, refused: 0 });
        expect(made).toBeGreaterThan(50);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
