// npm run bench: zygote-ts against plain JavaScript on the reference workloads.
// A report, not a test. Each workload runs as plain JavaScript (the same source, not
// rewritten), rewritten but not traced, and differentiated. Every workload is measured in
// its own fresh process (V8's type feedback from one workload would otherwise shape the
// next), three rounds, and the median round is reported.
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { formatMs } from './measure.js';

const worker = fileURLToPath(new URL('./workload.js', import.meta.url));
const ROUNDS = 3;
const workloads = [
  { id: 'w1', name: 'W1 scalar chain (250 iterations)', target: 8 },
  { id: 'w2', name: 'W2 Rosenbrock n = 1000 (scalar loop)', target: 100 },
  { id: 'points', name: 'dist over 10⁵ Points (array of class instances)', target: 15 },
];

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`zygote-ts benchmark — ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
console.log(`Median ms per call (median of ${ROUNDS} fresh processes); ratios against the plain JavaScript primal of the same source.\n`);
console.log('| workload | plain JS | rewritten, never traced | rewritten, after tracing | gradient | ideal eager tape | first gradient call | targets |');
console.log('|---|---|---|---|---|---|---|---|');
for (const w of workloads) {
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(JSON.parse(execFileSync(process.execPath, [worker, w.id], { encoding: 'utf8' })));
  const m = Object.fromEntries(Object.keys(rounds[0]).map((k) => [k, rounds[0][k] === null ? null : median(rounds.map((x) => x[k]))]));
  const ratio = (x) => (x / m.plain).toFixed(x / m.plain < 10 ? 2 : 0);
  console.log(
    `| ${w.name} | ${formatMs(m.plain)} | ${formatMs(m.rewritten)} (${ratio(m.rewritten)}×) | ` +
      `${formatMs(m.afterTracing)} (${ratio(m.afterTracing)}×) | ${formatMs(m.gradient)} (${ratio(m.gradient)}×) | ` +
      `${m.ideal === null ? '—' : `${formatMs(m.ideal)} (${ratio(m.ideal)}×)`} | ` +
      `${formatMs(m.cold)} ms | rewritten ≤ 1.3×, gradient ≤ ${w.target}×, first call ≤ 10 ms |`,
  );
}
console.log('\nideal eager tape: bench/ideal-tape.js, the same tape hand-inlined with no generality — a floor for eager taping.');
console.log('For scale (../shared/peers, same machine): tf.grad on W1 takes 17–20 ms (~7000× plain); jax-js jit(grad) 4.7× after a 1.4 s first call.');
