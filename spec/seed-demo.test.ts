// `npm start` (examples/seed.ts) prints the seed's examples: each line it prints for an example
// with a number in Zygote's docs shows that number.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { node, registerUrl, root } from './packages/run.js';

describe('npm start, the seed demo', () => {
  it("prints the seed's numbers", () => {
    const r = node(['--import', registerUrl, join(root, 'examples/seed.ts')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const shown = new Map(
      r.stdout
        .split('\n')
        .filter((line) => line.length > 58)
        .map((line) => [line.slice(0, 58).trim(), line.slice(58).trim()]),
    );
    const seed: [string, string][] = [
      ['gradient(x => 3*x**2 + 2*x + 1, 5)', '[32]'],
      ['gradient((a, b) => a*b, 2, 3)', '[3, 2]'],
      ['gradient((a, b, c) => a*b*c, 2, 3, 5)', '[15, 10, 6]'],
      ['gradient(x => pow(x, 3), 5)          // a loop', '[75]'],
      ['gradient(x => pow2(x, 3), 5)         // recursion', '[75]'],
      ["gradient(x => { d.set('x', x); … }, 5)", '[10]'],
      ["d.get('x')                             // a number again", '5'],
      ['dist(a + b)', '7.211102550927978'],
      ['gradient(a => dist(a + b), a)', '[{"x":0.5547001962252291,"y":0.8320502943378437}]'],
      ['gradient(x => sum(abs2, x), [7, 11, 13])', '[[14, 22, 26]]'],
      ['gradient(() => sum(x .* y .* z), Params([x, y])): g[x]', '[[7, 70, 700], [8, 80, 800]]'],
      ['g has z?', 'false'],
    ];
    for (const [code, value] of seed) expect([code, shown.get(code)]).toEqual([code, value]);
    // Colors.jl's colordiff: the seed's 86.60823557376344 and gradients, to the 10 digits examples/colors-jl.ts reaches
    const numbers = (text: string | undefined) => (text ?? '').match(/-?\d+\.\d+(e-?\d+)?/g)!.map(Number);
    expect(numbers(shown.get('colordiff(RGB(1, 0, 0), RGB(0, 1, 0))'))[0]).toBeCloseTo(86.60823557376344, 9);
    const gradients = numbers(shown.get('gradient(colordiff, RGB(1, 0, 0), RGB(0, 1, 0))'));
    const seedGradients = [0.4590887719632896, -9.598786801605689, 14.181383399012862, -1.7697549557037275, 28.88472330558805, -0.044793892637761346];
    expect(gradients).toHaveLength(6);
    gradients.forEach((g, i) => expect(g).toBeCloseTo(seedGradients[i]!, 9));
  });
});
