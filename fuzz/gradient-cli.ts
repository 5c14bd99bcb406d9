/**
 * `node --import ./dist/lib/transform/register.js fuzz/gradient-cli.ts --seed S --count N [--from I] [--second] [--through T]`:
 * the gradient fuzzer (gradient.ts) for long runs, in this process. Each differing program is
 * shrunk and printed; exits 1 on any difference. Program I of seed S is always the same
 * program, checked at the same points: `--from I --count 1` reproduces it. `--second` checks
 * second derivatives instead (a gradient inside a gradient against finite differences of
 * the first), unshrunk. A difference where intermediate values are huge (1e14 and more) may
 * be floating point's, not the rules': absorption in the sweep (1 + 1e15 - 1e15), which the
 * finite differences cannot tell from a lost term. `--through minify|es2015|es2017|es5` passes
 * each program through a toolchain first (through.ts) and differentiates its output.
 */
import { configure } from 'zygote-ts';
import { checkSecondOrder, pointsFor, runGradientCampaign } from './gradient.js';
import { gradientProgram } from './gradient-grammar.js';
import { print } from './tree.js';
import { numberOption } from './options.js';
import { throughOption } from './through.js';

const seed = numberOption('--seed', 1);
const from = numberOption('--from', 0);
const count = numberOption('--count', 2_000);
const started = Date.now();
const through = throughOption();
if (process.argv.includes('--second')) {
  configure({ warnings: false });
  const tally = { programs: 0, checked: 0, skipped: 0, throwing: 0, differences: [] as string[], warned: [] as string[] };
  for (let index = from; index < from + count; index++) {
    const body = print(gradientProgram(seed, index));
    const d = checkSecondOrder(body, pointsFor(seed, index), tally, through);
    if (d !== null) console.log(`\nprogram ${index} of seed ${seed}: ${d}\n${body}`);
    if (d !== null) tally.differences.push(d);
  }
  console.log(`seed ${seed}, second derivatives of programs ${from}…${from + count - 1}: ${tally.checked} checked, ${tally.skipped} skipped; ${tally.differences.length} differing`);
  process.exit(tally.differences.length > 0 ? 1 : 0);
}
const tally = runGradientCampaign(seed, from, from + count, true, through);
for (const d of tally.differences) console.log(`\n${d}\n`);
for (const d of tally.warned) console.log(`\n(lost with a warning) ${d}\n`);
console.log(
  `seed ${seed}, programs ${from}…${from + count - 1}: ${tally.checked} partial derivatives checked, ${tally.skipped} skipped (not smooth or not finite), ` +
    `${tally.throwing} points throwing plain; ${through === 'none' ? '' : `${tally.toolchain ?? 0} refused or changed by ${through}; `}${tally.differences.length} differing, ${tally.warned.length} lost with a warning, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
process.exitCode = tally.differences.length > 0 ? 1 : 0;
