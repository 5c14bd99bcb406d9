// Math.sumPrecise (Firefox, Safari; not yet Node 24) with traced numbers. The built-in refuses
// anything not a number, so given a traced one (an object to it) it threw "Iterator value 1.7 is
// not a number": the runtime has its own version, whose value is the built-in's exact sum and whose
// partials are 1. No Node here has the built-in, so a child Node is given one before the library
// loads (exact enough for these sums), as an engine would have it, and runs a program through the
// loader. Where Node has it natively, the child uses the native one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
const tmp = mkdtempSync(join(tmpdir(), 'zygote-sum-precise-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// (Neumaier's compensated sum: exact for the sums below; refuses what the built-in refuses)
const engineSumPrecise = `
if (typeof Math.sumPrecise !== 'function') Object.defineProperty(Math, 'sumPrecise', { writable: true, configurable: true, value: function sumPrecise(items) {
  let s = -0, c = 0;
  for (const v of items) {
    if (typeof v !== 'number') throw new TypeError('Iterator value ' + String(v) + ' is not a number');
    const t = s + v; c += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s; s = t;
  }
  return s + c;
} });`;

const program = `
import { gradient, withgradient, hessian, jvp, compileGradient } from ${JSON.stringify(pathToFileURL(join(root, 'dist/lib/index.js')).href)};
const out = {};
const f = (x) => Math.sumPrecise([x, x * x, 1e20, 3, -1e20]);
out.plain = f(1.7);
out.eager = withgradient(f, 1.7);
out.ofArgument = gradient((xs) => Math.sumPrecise(xs) * xs[0], [1, 2]);
out.ofSet = gradient((x) => Math.sumPrecise(new Set([x, 2 * x])), 1);
out.empty = Object.is(withgradient((x) => Math.sumPrecise([]) + x, 1).val, 1);
out.hessian = hessian((v) => Math.sumPrecise([v[0] * v[0] * v[0], v[0] * v[1], 1e20, -1e20]), [2, 3]);
out.jvp = jvp((x) => Math.sumPrecise([x * 3, 1]), [2], [1]);
const compiled = compileGradient((xs) => Math.sumPrecise([xs[0] * xs[1], xs[1], 1e20, -1e20, xs[0]]));
out.compiled = [compiled([2, 3]), compiled([4, 5])];
try { gradient((x) => Math.sumPrecise([x, 'a']), 1); } catch (e) { out.refused = e instanceof TypeError; }
console.log(JSON.stringify(out));
`;

describe('Math.sumPrecise of traced numbers', () => {
  it('has the built-in exact value and partials 1 (eager, nested, forward, compiled); refuses what the built-in refuses', () => {
    const engine = join(tmp, 'engine.mjs');
    const script = join(tmp, 'program.mjs');
    writeFileSync(engine, engineSumPrecise);
    writeFileSync(script, program);
    const text = execFileSync(process.execPath, ['--import', pathToFileURL(engine).href, '--import', registerUrl, script], { encoding: 'utf8' });
    const out = JSON.parse(text) as Record<string, unknown>;
    expect(out.plain).toBe(1.7 + 1.7 * 1.7 + 3);
    expect(out.eager).toEqual({ val: 1.7 + 1.7 * 1.7 + 3, grad: [1 + 2 * 1.7] });
    expect(out.ofArgument).toEqual([[4, 1]]);
    expect(out.ofSet).toEqual([3]);
    expect(out.empty).toBe(true);
    expect(out.hessian).toEqual([[12, 1], [1, 0]]);
    expect(out.jvp).toEqual([7, 3]);
    expect(out.compiled).toEqual([[[4, 3]], [[6, 5]]]);
    expect(out.refused).toBe(true);
  });
});
