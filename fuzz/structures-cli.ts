/**
 * `node --import ./dist/lib/transform/register.js fuzz/structures-cli.ts --seed S --count N [--from I] [--compiled | --second | --forward] [--through T]`:
 * the structures fuzzer (structures.ts) for long runs. Each differing program is shrunk and
 * printed; exits 1 on any difference. `--compiled` checks compileGradient against the eager
 * gradient instead (unshrunk); `--second` second derivatives through the structure,
 * `--forward` jvp against the gradient (both unshrunk). Program I of seed S is always the same program.
 * `--through minify|es2015|es2017|es5` passes each program through a toolchain first (through.ts).
 */
import { configure } from 'zygote-ts';
import { checkForwardStructureText, checkSecondOrderStructureText, runCompiledStructureCampaign, runStructureCampaign, structurePointsFor } from './structures.js';
import { structureProgram } from './structures-grammar.js';
import { print } from './tree.js';
import { numberOption } from './options.js';
import { throughOption } from './through.js';

const seed = numberOption('--seed', 1);
const from = numberOption('--from', 0);
const count = numberOption('--count', 1_000);
const through = throughOption();
const started = Date.now();
if (process.argv.includes('--second')) {
  configure({ warnings: false });
  const tally = { programs: 0, checked: 0, skipped: 0, throwing: 0, differences: [] as string[], warned: [] as string[] };
  for (let index = from; index < from + count; index++) {
    const text = print(structureProgram(seed, index));
    const d = checkSecondOrderStructureText(text, structurePointsFor(seed, index), tally, through);
    if (d !== null) tally.differences.push(d);
    if (d !== null) console.log(`\nprogram ${index} of seed ${seed}: ${d}\n${text.replace(/^[\s\S]*const f = /, 'const f = ').replace(/return \{ make[\s\S]*$/, '').trim()}`);
  }
  console.log(`seed ${seed}, second derivatives of programs ${from}…${from + count - 1}: ${tally.checked} checked, ${tally.skipped} skipped; ${tally.differences.length} differing, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(tally.differences.length > 0 ? 1 : 0);
}
if (process.argv.includes('--forward')) {
  configure({ warnings: false });
  let differing = 0;
  for (let index = from; index < from + count; index++) {
    const text = print(structureProgram(seed, index));
    const d = checkForwardStructureText(text, structurePointsFor(seed, index), through);
    if (d === null) continue;
    differing++;
    console.log(`\nprogram ${index} of seed ${seed}: ${d}\n${text.replace(/^[\s\S]*const f = /, 'const f = ').replace(/return \{ make[\s\S]*$/, '').trim()}`);
  }
  console.log(`seed ${seed}, forward mode on programs ${from}…${from + count - 1}: ${differing} differing, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(differing > 0 ? 1 : 0);
}
if (process.argv.includes('--compiled')) {
  const run = runCompiledStructureCampaign(seed, from, from + count, through);
  for (const d of run.differences) console.log(`\n${d}\n`);
  console.log(`seed ${seed}, programs ${from}…${from + count - 1} compiled against eager (${run.fellBack} ran uncompiled): ${run.differences.length} differing, in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  process.exit(run.differences.length > 0 ? 1 : 0);
}
const tally = runStructureCampaign(seed, from, from + count, through);
for (const d of tally.differences) console.log(`\n${d}\n`);
console.log(
  `seed ${seed}, programs ${from}…${from + count - 1}: ${tally.checked} partial derivatives checked, ${tally.skipped} skipped, ` +
    `${tally.throwing} points throwing plain; ${through === 'none' ? '' : `${tally.toolchain ?? 0} refused or changed by ${through}; `}${tally.differences.length} differing, in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
process.exitCode = tally.differences.length > 0 ? 1 : 0;
