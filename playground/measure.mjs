// @ts-check
// How fast the playground opens: builds it, serves it, and opens it in Chromium a few times,
// reporting the median time to "ready" (the worker that runs code loaded) and to the
// end of the first run (the default example's output shown), and the size of what it loads.
//
//   node playground/measure.mjs            (after npm run build; CHROMIUM=… for another browser)
//   RUNS=9 node playground/measure.mjs
import { chromium } from 'playwright-core';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPlayground } from './build.mjs';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const runs = Number(process.env['RUNS'] ?? 5);

/** @param {string} dir @returns {Promise<[string, number][]>} */
async function sizes(dir, prefix = '') {
  /** @type {[string, number][]} */
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sizes(path, `${prefix}${e.name}/`)));
    else if (!e.name.endsWith('.map') && !e.name.endsWith('.LEGAL.txt')) out.push([`${prefix}${e.name}`, (await stat(path)).size]);
  }
  return out;
}

/** @param {number[]} xs */
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

await buildPlayground();
const server = await serve(dist, 0);
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM'] ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});
/** @type {number[]} */ const ready = [];
/** @type {number[]} */ const firstRun = [];
/** @type {number[]} */ const loaded = [];
try {
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    /** @type {Set<string>} */
    const urls = new Set();
    page.on('request', (r) => void urls.add(new URL(r.url()).pathname));
    const started = Date.now();
    await page.goto(server.url);
    await page.waitForSelector('body[data-ready]', { timeout: 60_000 });
    ready.push(Date.now() - started);
    await page.waitForFunction(() => document.body.dataset['done'] !== undefined && document.body.dataset['done'] === document.body.dataset['run'], undefined, { timeout: 60_000 });
    firstRun.push(Date.now() - started);
    const all = new Map(await sizes(dist));
    loaded.push([...urls].reduce((s, u) => s + (all.get(u.replace(/^\//, '')) ?? 0), 0));
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const files = await sizes(dist);
const kb = (/** @type {number} */ n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(`ready (the first worker loaded):   median ${median(ready)} ms of ${ready.join(', ')}`);
console.log(`first run shown:                 median ${median(firstRun)} ms of ${firstRun.join(', ')}`);
console.log(`loaded before the first run:     ${kb(median(loaded))}`);
console.log(`dist/ in all:                    ${kb(files.reduce((s, [, n]) => s + n, 0))}`);
for (const [name, n] of files.filter(([, n]) => n > 50_000).sort((a, b) => b[1] - a[1])) console.log(`  ${name.padEnd(40)} ${kb(n)}`);
