// The page as people use it (issue 18): every width from a phone to a large screen with the
// output visible, keyboard only, axe-core's accessibility rules, dark mode, Stop and the
// elapsed time, stale output, a broken link, big arrays. Screenshots in spec/artifacts/playground/.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../playground/serve.mjs';
import { accessibility, itLoadedOnlyItsOwnFiles, root, linkTo, newPage, open, runs, screenshot, useBrowser } from './browser.js';

const s = useBrowser();

/** The box of an element, and whether its centre is inside the viewport once scrolled to. */
async function seen(page: Page, selector: string): Promise<{ height: number; width: number; visible: boolean }> {
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded();
  return el.evaluate((e) => {
    const r = e.getBoundingClientRect();
    const x = r.left + r.width / 2;
    const y = r.top + Math.min(r.height / 2, 20);
    const top = document.elementFromPoint(x, y);
    return { height: r.height, width: r.width, visible: top !== null && (e === top || e.contains(top)) };
  });
}

/** The element with the keyboard focus, described for a failure message. */
const focused = (page: Page) => page.evaluate(() => {
  const a = document.activeElement;
  return a ? `${a.tagName.toLowerCase()}${a.id ? `#${a.id}` : ''}${a.className && typeof a.className === 'string' ? `.${a.className.split(' ').join('.')}` : ''}` : 'none';
});

const inEditor = (page: Page) => page.evaluate(() => document.activeElement?.closest('.cm-editor') != null);

/** Presses Tab (Shift+Tab backwards) until `test` holds; in the editor, Escape first, as a keyboard user would. */
async function tabUntil(page: Page, test: () => Promise<boolean>, backwards = false, max = 40): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await test()) return;
    if (await inEditor(page)) await page.keyboard.press('Escape');
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`Tab never reached it (focus is on ${await focused(page)})`);
}

describe('the page', () => {
  it('shows the output at every width, stacked on narrow screens and side by side on wide ones', async () => {
    for (const [w, h] of [[390, 844], [768, 1024], [1280, 800], [1920, 1080]] as const) {
      const page = await newPage(s, w, h);
      await open(s, page, '#example=explicit');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${w}×${h}: sideways scrolling`).toBeLessThanOrEqual(0);
      const out = await seen(page, '.output-card');
      expect(out.height, `${w}×${h}: the Output panel's height`).toBeGreaterThanOrEqual(150);
      const row = await seen(page, '#output .row.show');
      expect(row.visible, `${w}×${h}: a value in the output`).toBe(true);
      expect(row.height).toBeGreaterThan(20);
      const pictures = await seen(page, '.pictures-card');
      expect(pictures.height, `${w}×${h}: the pictures`).toBeGreaterThanOrEqual(300);
      const editor = await seen(page, '.editor-card');
      expect(editor.height).toBeGreaterThanOrEqual(240);
      const [editorBox, outputBox] = await Promise.all(['.editor-card', '.output-card'].map((q) => page.locator(q).boundingBox()));
      if (w <= 768) expect(outputBox!.y, 'stacked: the output below the editor').toBeGreaterThan(editorBox!.y + editorBox!.height - 1);
      else expect(outputBox!.x, 'side by side').toBeGreaterThan(editorBox!.x + editorBox!.width - 1);
      await page.evaluate(() => window.scrollTo(0, 0));
      await screenshot(page, `width-${w}`, w <= 768);
      await page.close();
    }
  }, 90_000);

  it('resizes its panes by dragging or with the arrow keys on a separator', async () => {
    const page = await newPage(s, 1280, 800);
    await open(s, page);
    const before = (await page.locator('.editor-card').boundingBox())!.width;
    const bar = (await page.locator('#split-x').boundingBox())!;
    await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
    await page.mouse.down();
    await page.mouse.move(bar.x - 200, bar.y + bar.height / 2, { steps: 5 });
    await page.mouse.up();
    const dragged = (await page.locator('.editor-card').boundingBox())!.width;
    expect(dragged).toBeLessThan(before - 150);
    await page.focus('#split-x');
    await page.keyboard.press('Shift+ArrowRight');
    expect((await page.locator('.editor-card').boundingBox())!.width).toBeGreaterThan(dragged + 50);
    await page.focus('#split-y');
    const outputBefore = (await page.locator('.output-card').boundingBox())!.height;
    await page.keyboard.press('Shift+ArrowDown');
    expect((await page.locator('.output-card').boundingBox())!.height).toBeGreaterThan(outputBefore + 30);
    expect(await page.getAttribute('#split-y', 'aria-valuenow')).not.toBe('45');
    await page.close();
  }, 60_000);

  it('runs an example by keyboard alone, and Escape then Tab leaves the editor', async () => {
    const page = await newPage(s, 1280, 800);
    await open(s, page, '#example=polynomial');
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    // Tab to the examples menu; the arrow key picks the next example, which runs.
    const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '');
    await tabUntil(page, async () => (await focusedId()) === 'examples');
    expect(await runs(page, () => page.keyboard.press('ArrowDown'))).toBe('done');
    expect(await page.inputValue('#examples')).toBe('product');
    // On to the editor: type a line there, run it with Ctrl+Enter.
    await tabUntil(page, async () => page.evaluate(() => document.activeElement?.classList.contains('cm-content') ?? false));
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n3 * 7;');
    await page.keyboard.press('Escape'); // closes completion, if the language service offered some
    expect(await runs(page, () => page.keyboard.press('Control+Enter'))).toBe('done');
    expect(await page.textContent('#output .row.show:last-child .val')).toBe('21');
    // Tab inside the editor indents; Escape then Tab moves on.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.classList.contains('cm-content'))).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('.cm-editor') === null)).toBe(true);
    // The focus is visible where it lands.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    // Back to the Run button (through the editor, Escape then Shift+Tab), and Enter.
    await tabUntil(page, async () => (await focusedId()) === 'run', true);
    expect(await runs(page, () => page.keyboard.press('Enter'))).toBe('done');
    // The tabs: one tab stop, the arrow keys move between them.
    await page.focus('#tab-plot');
    await page.keyboard.press('ArrowRight');
    expect(await focusedId()).toBe('tab-graph');
    expect(await page.getAttribute('#tab-graph', 'aria-selected')).toBe('true');
    expect(await page.isVisible('#graph-pane')).toBe(true);
    await screenshot(page, 'keyboard');
    await page.close();
  }, 60_000);

  it('has no serious or critical accessibility findings (axe-core), light and dark, wide and narrow', async () => {
    for (const [w, h, scheme, hash] of [
      [1280, 800, 'light', '#example=point'],
      [1280, 800, 'dark', '#example=culori'],
      [390, 844, 'light', '#example=matmul'],
    ] as const) {
      const page = await newPage(s, w, h, scheme);
      await open(s, page, hash);
      await page.click('#tab-graph');
      await page.waitForSelector('#graph svg.graph');
      const found = (await accessibility(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(found, `${w}×${h} ${scheme}: ${JSON.stringify(found, null, 1)}`).toEqual([]);
      await page.click('#tab-code');
      const inCode = (await accessibility(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      expect(inCode, `${w}×${h} ${scheme}, JavaScript tab: ${JSON.stringify(inCode, null, 1)}`).toEqual([]);
      await page.close();
    }
  }, 90_000);

  it('follows the system’s dark mode, and its toggle is remembered', async () => {
    const page = await newPage(s, 1280, 800, 'dark');
    await open(s, page, '#example=point');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const luminance = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
    expect(luminance(await background())).toBeLessThan(60);
    expect(luminance(await page.evaluate(() => getComputedStyle(document.querySelector('.cm-editor')!).backgroundColor))).toBeLessThan(60);
    await page.click('#tab-graph');
    await page.waitForSelector('#graph svg.graph');
    await screenshot(page, 'dark-mode');
    await page.click('#theme');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await page.getAttribute('#theme', 'aria-pressed')).toBe('false');
    expect(luminance(await background())).toBeGreaterThan(200);
    await open(s, page, '#example=product');
    expect(await page.getAttribute('html', 'data-theme'), 'the choice outlives a reload').toBe('light');
    await page.close();
  }, 60_000);

  it('shows the elapsed time of a long run and stops it with Stop; an edit marks the output stale', async () => {
    const page = await newPage(s, 1280, 800);
    await open(s, page);
    await page.selectOption('#limit', '30000');
    const loop = "console.log('started');\nlet n = 0;\nwhile (true) n++;\n";
    const state = runs(page, () => page.evaluate((c) => (location.hash = `src=${btoa(c)}`), loop));
    await page.waitForFunction(() => /Running… \d/.test(document.getElementById('status')!.textContent ?? ''));
    expect(await page.textContent('#run-label')).toBe('Stop');
    await page.waitForSelector('#output .row.log');
    const stoppedAt = Date.now();
    await page.click('#run');
    expect(await state).toBe('stopped');
    expect(Date.now() - stoppedAt).toBeLessThan(2000);
    expect(await page.textContent('#output')).toMatch(/Stopped after .* as you asked/);
    expect(await page.textContent('#run-label')).toBe('Run');
    await screenshot(page, 'stopped');
    // Run again, then edit: the output is marked stale until the next run.
    expect(await runs(page, () => page.selectOption('#examples', 'product'))).toBe('done');
    expect(await page.isVisible('#stale')).toBe(false);
    await page.click('.cm-content');
    await page.keyboard.type(' ');
    await page.waitForSelector('#stale', { state: 'visible' });
    expect(await page.getAttribute('#output', 'class')).toContain('stale-run');
    await screenshot(page, 'stale-output');
    expect(await runs(page, () => page.keyboard.press('Control+Enter'))).toBe('done');
    expect(await page.isVisible('#stale')).toBe(false);
    await page.close();
  }, 60_000);

  it('runs an example without waiting for the compiler (the build compiled it); other code waits for it', async () => {
    const page = await newPage(s);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // esbuild.wasm is held back until the example has run.
    await page.route('**/esbuild.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await open(s, page, '#example=polynomial');
    expect(await page.getAttribute('body', 'data-state')).toBe('done');
    expect(await page.textContent('#output .row.show .val')).toContain('86');
    release();
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n2 ** 10;');
    expect(await runs(page, () => page.keyboard.press('Control+Enter'))).toBe('done');
    expect(await page.textContent('#output .row.show:last-child .val')).toBe('1024');
    await page.close();
  }, 60_000);

  it('keeps edited code one Back away when an example replaces it', async () => {
    const page = await newPage(s);
    await open(s, page, '#example=product');
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n// my own line');
    expect(await runs(page, () => page.selectOption('#examples', 'polynomial'))).toBe('done');
    expect(await page.textContent('.cm-content')).not.toContain('my own line');
    expect(await runs(page, () => page.goBack())).toBe('done');
    expect(await page.textContent('.cm-content')).toContain('// my own line');
    await page.close();
  }, 60_000);

  it('says so when a link’s code cannot be read, instead of silently opening an example', async () => {
    const page = await newPage(s);
    await open(s, page, '#code=AAAA-this-is-not-deflate');
    expect(await page.textContent('#output')).toMatch(/This link’s code could not be read/);
    await open(s, page, '#example=no-such-example');
    expect(await page.textContent('#output')).toMatch(/names an example the playground does not have/);
    await page.close();
  }, 60_000);

  it('prints a big array as a summary that expands to all its numbers, a 2-D NDArray with a heat map', async () => {
    const page = await newPage(s, 1280, 900);
    const code = ["import { rand } from 'zygote-ts';", 'rand(20, 30, { seed: 1 });', 'Array.from({ length: 500 }, (_, i) => i * i);'].join('\n');
    await open(s, page, linkTo(code));
    const rows = page.locator('#output .row.show');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).locator('.v-cls').first().textContent()).toBe('NDArray 20×30');
    expect(await rows.nth(0).locator('canvas.v-heat').count()).toBe(1);
    const list = rows.nth(1);
    expect(await list.textContent()).toMatch(/Array 500.*min\s*0.*max\s*249001.*\[0, 1, 4 … 247009, 248004, 249001\]/s);
    expect(await list.locator('.v-num').count()).toBeLessThan(20);
    await list.locator('.v-expand').click();
    expect(await list.locator('.v-all .v-num').count()).toBe(500);
    await rows.nth(0).locator('.v-expand').click();
    expect(await rows.nth(0).locator('.v-all td .v-num').count()).toBe(600);
    await screenshot(page, 'big-arrays');
    await page.close();
  }, 60_000);

  it('plots a function of two numbers as a heat map with contours, gradient arrows and the iterate path', async () => {
    const page = await newPage(s, 1280, 900);
    const code = [
      "import { gradient } from 'zygote-ts';",
      'const f = (x: number, y: number) => (x - 1) ** 2 + 3 * (y + 0.5) ** 2;',
      'let [x, y] = [2, 2];',
      'for (let i = 0; i < 10; i++) {',
      '  const [gx, gy] = gradient(f, x, y);',
      '  [x, y] = [x - 0.1 * gx!, y - 0.1 * gy!];',
      '}',
      '[x, y];',
    ].join('\n');
    await open(s, page, linkTo(code));
    // (the plane is drawn blank while the run goes on, and with f's heat map and contours once
    // f is sampled: wait for those, as a slow machine showed the blank one at first)
    await page.waitForSelector('#plot svg.plane .contour');
    expect(await page.$$eval('#plot .contour', (p) => p.length)).toBeGreaterThan(3);
    expect(await page.$$eval('#plot .arrow', (p) => p.length)).toBeGreaterThan(30);
    expect(await page.$$eval('#plot .iterate-dot', (p) => p.length)).toBe(10);
    await page.hover('#plot .hit');
    const readout = await page.textContent('#plot .readout');
    expect(readout).toMatch(/x = .*y = .*f = .*∇f = \(/s);
    await screenshot(page, 'plot-two-numbers');
    await page.close();
  }, 60_000);

  it('works from a sub-folder of a static server (every path is relative)', async () => {
    const site = mkdtempSync(join(tmpdir(), 'playground-site-'));
    symlinkSync(join(root, 'playground/dist'), join(site, 'tools'));
    const server = await serve(site, 0);
    try {
      const page = await s.browser!.newPage();
      const failed: string[] = [];
      page.on('response', (r) => void (r.status() >= 400 && failed.push(r.url())));
      await page.goto(`${server.url}tools/#example=matmul`);
      await page.waitForFunction(() => document.body.dataset['done'] !== undefined && document.body.dataset['done'] === document.body.dataset['run'], undefined, { timeout: 30_000 });
      expect(await page.getAttribute('body', 'data-state')).toBe('done');
      await page.hover('.cm-content'); // the language service's worker, from the sub-folder too
      await page.waitForSelector('body[data-types=ready]', { timeout: 30_000 });
      expect(failed).toEqual([]);
      await page.close();
    } finally {
      await server.close();
      rmSync(site, { recursive: true });
    }
  }, 60_000);

  itLoadedOnlyItsOwnFiles(s);
});
