// Live progress (issue 17): while an optimisation runs in the worker, the status says how far
// it has got and the plot draws its iterate path as it grows; the full picture follows the
// run, and Stop still stops it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itLoadedOnlyItsOwnFiles, linkTo, newPage, open, root, screenshot, useBrowser } from './browser.js';

const s = useBrowser();

/** What the page showed, frame by frame, from its first paint: status, live path length, finished run. */
type Frame = { status: string; live: number | null; points: number; done: boolean };
declare global {
  interface Window {
    frames$: Frame[];
  }
}

const recordFrames = () => {
  window.frames$ = [];
  const record = () => {
    const plot = document.getElementById('plot');
    window.frames$.push({
      status: document.getElementById('status')?.textContent ?? '',
      live: plot?.dataset['live'] === undefined ? null : Number(plot.dataset['live']),
      points: plot?.querySelectorAll('.iterate-dot').length ?? 0,
      done: document.body.dataset['done'] !== undefined && document.body.dataset['done'] === document.body.dataset['run'],
    });
    requestAnimationFrame(record);
  };
  requestAnimationFrame(record);
};

describe('live progress of an optimisation', () => {
  it('example 16: progress and a partial path before the run ends, both whole paths after', async () => {
    const page = await newPage(s, 1366, 900);
    await page.addInitScript(recordFrames);
    await open(s, page, '#example=optimise');
    expect(await page.getAttribute('body', 'data-state')).toBe('done');
    const frames = await page.evaluate(() => window.frames$);
    const live = frames.filter((f) => !f.done && f.live !== null && /iteration \d+, loss \d/.test(f.status));
    expect(live.length, 'at least one progress report drawn before the end').toBeGreaterThan(0);
    const partial = live[live.length - 1]!;
    expect(partial.live).toBeGreaterThan(1);
    expect(partial.live).toBeLessThanOrEqual(100);
    expect(partial.points).toBe(partial.live);
    expect(Number(/iteration (\d+)/.exec(partial.status)![1])).toBe(partial.live);
    // After: the Adam loop's 100 calls (the call selected), and minimize's path dashed beside
    // it, once the full picture has replaced the live one.
    await page.waitForFunction(() => document.querySelectorAll('#plot .iterate-dot').length === 100);
    await page.waitForSelector('#plot svg.plane .contour');
    expect(await page.getAttribute('#plot', 'data-live')).toBeNull();
    expect(await page.textContent('#status')).toMatch(/^Ran in/);
    expect(await page.$$eval('#plot polyline.iterate:not(.other)', (p) => p.map((l) => l.getAttribute('points')!.split(' ').length))).toEqual([100]);
    const lbfgs = await page.$$eval('#plot polyline.iterate.other', (p) => p.map((l) => l.getAttribute('points')!.split(' ').length));
    expect(lbfgs).toHaveLength(1);
    expect(lbfgs[0]).toBeGreaterThan(20); // x0 and each iteration of L-BFGS
    expect(await page.textContent('#plot-note')).toMatch(/joins the 100 calls of this f from this place.*Dashed/s);
    await screenshot(page, 'optimise-path');
    await page.close();
  }, 60_000);

  it('a longer run: the path grows on the picture while it runs, and Stop ends it', async () => {
    const page = await newPage(s, 1366, 900);
    const example = readFileSync(join(root, 'playground/examples/16-optimise.ts'), 'utf8');
    // Each Adam step waits 40 ms: a run of four seconds or more, under a longer limit.
    const slow = example.replace('  p = applyUpdates(p, updates);', '  p = applyUpdates(p, updates);\n  const t = performance.now();\n  while (performance.now() - t < 40);');
    expect(slow).not.toBe(example);
    await open(s, page);
    await page.selectOption('#limit', '30000');
    await page.evaluate((hash) => (location.hash = hash), linkTo(slow));
    // (minimize's path is drawn once its first iterations are in: waited for too, as on a busy machine it can come after the 20th Adam step)
    await page.waitForFunction(() => Number(document.getElementById('plot')?.dataset['live']) >= 20 && document.querySelectorAll('#plot polyline.iterate.other').length > 0, undefined, { timeout: 20_000 });
    expect(await page.getAttribute('body', 'data-state')).toBe('running');
    expect(await page.textContent('#status')).toMatch(/^Running… .* · iteration \d+, loss \d/);
    expect(await page.textContent('#plot-note')).toMatch(/^Running: iteration \d+, loss .*The path so far \(\d+ points\)/);
    expect(await page.$$eval('#plot polyline.iterate.other', (p) => p.length), "minimize's path, dashed").toBe(1);
    await screenshot(page, 'optimise-live');
    await page.click('#run'); // Stop
    await page.waitForFunction(() => document.body.dataset['state'] !== 'running');
    expect(await page.getAttribute('body', 'data-state')).toBe('stopped');
    expect(await page.textContent('#output')).toMatch(/Stopped after .* as you asked/);
    expect(await page.getAttribute('#plot', 'data-live')).toBeNull();
    await page.close();
  }, 60_000);

  it('calls no code of the user’s while the run goes on: f’s side effects happen as in Node', async () => {
    const page = await newPage(s, 1366, 900);
    // Gradient steps of a function of two numbers for 700 ms (several progress posts), f
    // counting its calls: in Node, one per step. (The live picture sampled f mid-run.)
    const code = [
      "import { gradient } from 'zygote-ts';",
      'let evals = 0;',
      'const f = (x: number, y: number) => { evals++; return (x - 1) ** 2 + 3 * (y + 2) ** 2; };',
      'let x = 4, y = 3, steps = 0;',
      'const t0 = Date.now();',
      'while (Date.now() - t0 < 700) {',
      '  const [gx, gy] = gradient(f, x, y);',
      '  x -= 0.01 * gx; y -= 0.01 * gy; steps++;',
      '}',
      'evals - steps;',
    ].join('\n');
    await page.addInitScript(recordFrames);
    await open(s, page, linkTo(code));
    expect(await page.getAttribute('body', 'data-state')).toBe('done');
    const frames = await page.evaluate(() => window.frames$);
    expect(frames.some((f) => !f.done && f.live !== null && f.live > 1), 'the path was drawn while the run went on').toBe(true);
    expect(await page.textContent('#output .row.show[data-line="10"] .val')).toBe('0');
    // The full picture (f sampled once the run has ended) still comes.
    await page.waitForSelector('#plot svg.plane .contour');
    await page.close();
  }, 60_000);

  itLoadedOnlyItsOwnFiles(s);
});
