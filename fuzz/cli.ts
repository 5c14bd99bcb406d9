// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * `npm run fuzz -- --count N --seed S [--jobs J] [--failures K] [--through T]`: the differential fuzzer
 * for long runs. Programs 0 … N-1 of seed S are spread over J worker processes (default:
 * one per core); each program runs plain and rewritten, and the first K programs whose
 * runs differ (default 1) are shrunk and printed, smallest first found. Exits 1 on any
 * difference. The same program number and seed always give the same program, so a
 * failure is reproduced with `--seed S --from I --count 1`. `--through minify|es2015|es2017|es5`
 * passes each program through a toolchain first and rewrites its output (through.ts).
 */
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describeFailure, runCampaign, type Tally } from './campaign.js';
import { numberOption } from './options.js';
import { throughOption, type Through } from './through.js';

/** Programs a worker runs between two reports. */
const BATCH = 250;

interface Batch {
  seed: number;
  from: number;
  to: number;
  failures: number;
  through: Through;
}

/** A worker: runs the batches it is sent, and reports each one's tally. */
function worker(): void {
  process.on('disconnect', () => process.exit(0)); // the campaign ended or was stopped
  process.on('message', (batch: Batch | 'stop') => {
    if (batch === 'stop') process.exit(0);
    process.send!(runCampaign(batch.seed, batch.from, batch.to, batch.failures, batch.through));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--worker')) return worker();
  const count = numberOption('--count', 10_000, args);
  const seed = numberOption('--seed', 1, args);
  const from = numberOption('--from', 0, args);
  const jobs = numberOption('--jobs', availableParallelism(), args);
  const wanted = numberOption('--failures', 1, args);
  const through = throughOption(args);
  const started = Date.now();
  const total: Tally = { programs: 0, invalid: 0, failures: [] };
  let next = from;
  const end = from + count;
  let lastReport = Date.now();
  await Promise.all(
    Array.from({ length: Math.min(jobs, Math.ceil(count / BATCH)) }, () => {
      const child = fork(fileURLToPath(import.meta.url), ['--worker'], { execArgv: process.execArgv });
      return new Promise<void>((done) => {
        const send = (): void => {
          if (next >= end || total.failures.length >= wanted) {
            child.send('stop');
            done();
            return;
          }
          const batch: Batch = { seed, from: next, to: Math.min(end, next + BATCH), failures: wanted, through };
          next = batch.to;
          child.send(batch);
        };
        child.on('message', (tally: Tally) => {
          total.programs += tally.programs;
          total.invalid += tally.invalid;
          for (const f of tally.failures) {
            if (total.failures.length < wanted) {
              total.failures.push(f);
              console.log(`\n${describeFailure(f)}\n`);
            }
          }
          if (Date.now() - lastReport > 30_000) {
            lastReport = Date.now();
            const seconds = (Date.now() - started) / 1000;
            console.log(`${total.programs} programs, ${(total.programs / seconds).toFixed(0)}/s, ${total.failures.length} differing`);
          }
          send();
        });
        send();
      });
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(
    `seed ${seed}, programs ${from}…${from + total.programs - 1}: ${total.programs} run (${total.invalid} invalid plain), ` +
      `${total.failures.length} differing, in ${seconds.toFixed(0)} s (${(total.programs / seconds).toFixed(0)} programs/s)`,
  );
  process.exitCode = total.failures.length > 0 ? 1 : 0;
}

await main();
