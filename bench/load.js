// node bench/load.js (part of npm run bench): how long a large package takes to load
// rewritten, against plain Node — culori (150 ES modules), every module rewritten
// (ZYGOTE_INCLUDE=culori). Each figure is the median of ROUNDS fresh processes:
// - import: the `import('culori')` itself, timed inside the process;
// - process: the whole `node` process, start to exit (the loader's own start included).
// Rewritten runs are measured with a cold on-disk cache (a new folder each time: every
// module transformed) and a warm one (the folder filled by an earlier process), which is
// what every run after the first sees.
// A last row loads culori plain under hooks that only pass every call on (the same API the
// loader uses: `module.register` on Node 20, `module.registerHooks` on 22.15+): the floor
// of any loader on that Node, whatever its hooks do.
// LOAD_NODE=/path/to/node measures another Node binary (the hooks API differs by version).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 7;
const PACKAGE = 'culori';
const root = fileURLToPath(new URL('..', import.meta.url));
const register = join(root, 'dist/lib/transform/register.js');
const node = process.env.LOAD_NODE || process.execPath;
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
// Hooks that pass every resolve and load on, installed as register.ts installs ours.
const passThrough = `data:text/javascript,${encodeURIComponent(`
import Module from 'node:module';
if (typeof Module.registerHooks === 'function') Module.registerHooks({ resolve: (s, c, n) => n(s, c), load: (u, c, n) => n(u, c) });
else Module.register('data:text/javascript,' + encodeURIComponent('export const resolve = (s, c, n) => n(s, c); export const load = (u, c, n) => n(u, c);'));
`)}`;
const child = `const t = performance.now(); await import(${JSON.stringify(PACKAGE)}); process.stdout.write(String(performance.now() - t));`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One fresh process: `hooks` is 'zygote' (the loader), 'pass' (hooks that pass on) or null. */
function run(hooks, cacheDir) {
  const env = { ...process.env, ZYGOTE_INCLUDE: PACKAGE };
  for (const k of Object.keys(env)) if (k === 'NODE_OPTIONS' || (k.startsWith('ZYGOTE_') && k !== 'ZYGOTE_INCLUDE')) delete env[k];
  if (cacheDir === null) env.ZYGOTE_CACHE = '0';
  else env.ZYGOTE_CACHE_DIR = cacheDir;
  const imports = hooks === 'zygote' ? ['--import', register] : hooks === 'pass' ? ['--import', passThrough] : [];
  const args = [...imports, '--input-type=module', '-e', child];
  const started = process.hrtime.bigint();
  const r = spawnSync(node, args, { cwd: root, env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`loading ${PACKAGE} failed:\n${r.stderr}`);
  return { imported: Number(r.stdout), wall };
}

function measure(kind) {
  const rounds = [];
  const warm = mkdtempSync(join(tmpdir(), 'zygote-load-'));
  if (kind === 'warm') run('zygote', warm);
  for (let i = 0; i < ROUNDS; i++) {
    if (kind === 'plain') rounds.push(run(null, null));
    else if (kind === 'floor') rounds.push(run('pass', null));
    else if (kind === 'warm') rounds.push(run('zygote', warm));
    else {
      const cold = mkdtempSync(join(tmpdir(), 'zygote-load-'));
      rounds.push(run('zygote', cold));
      rmSync(cold, { recursive: true, force: true });
    }
  }
  rmSync(warm, { recursive: true, force: true });
  return { imported: median(rounds.map((r) => r.imported)), wall: median(rounds.map((r) => r.wall)) };
}

const plain = measure('plain');
const cold = measure('cold');
const warm = measure('warm');
const floor = measure('floor');
const ratio = (x, y) => `${(x / y).toFixed(2)}×`;
console.log(`\nLoading ${PACKAGE} (150 ES modules), rewritten with the loader against plain Node ${nodeVersion}; median of ${ROUNDS} fresh processes:\n`);
console.log('| | import | whole process |');
console.log('|---|---|---|');
console.log(`| plain | ${plain.imported.toFixed(1)} ms | ${plain.wall.toFixed(0)} ms |`);
console.log(`| rewritten, cold cache | ${cold.imported.toFixed(1)} ms (${ratio(cold.imported, plain.imported)}) | ${cold.wall.toFixed(0)} ms (${ratio(cold.wall, plain.wall)}) |`);
console.log(`| rewritten, warm cache | ${warm.imported.toFixed(1)} ms (${ratio(warm.imported, plain.imported)}) | ${warm.wall.toFixed(0)} ms (${ratio(warm.wall, plain.wall)}) |`);
console.log(`| plain, under hooks that only pass on (the floor) | ${floor.imported.toFixed(1)} ms (${ratio(floor.imported, plain.imported)}) | ${floor.wall.toFixed(0)} ms (${ratio(floor.wall, plain.wall)}) |`);
console.log(`Target (issue 13): warm within 1.5× of plain (whole process) — ${warm.wall <= 1.5 * plain.wall ? 'met' : 'NOT MET'}.`);
console.log('Before Node 22.15 hooks run in a thread of their own (module.register), a round trip per module;');
console.log('22.15+ runs them in the loading thread (module.registerHooks) and keeps compiled code on disk (compile cache).');
