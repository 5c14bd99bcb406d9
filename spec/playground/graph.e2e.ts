// The trace graph on real traces (issue 18): culori's CIEDE2000 (about 200 operations)
// folded into one node, opened, fitted whole in view and legible when zoomed; the minimap,
// search, a node's source lines and a line's nodes; the graph by keyboard.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { itLoadedOnlyItsOwnFiles, newPage, open, screenshot, useBrowser } from './browser.js';

const s = useBrowser();

/** How many of the graph's nodes lie wholly inside its panel, of how many. */
const inView = (page: Page) =>
  page.evaluate(() => {
    const box = document.getElementById('graph')!.getBoundingClientRect();
    const nodes = Array.from(document.querySelectorAll('#graph .node'), (n) => n.getBoundingClientRect());
    const inside = nodes.filter((r) => r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1);
    return { inside: inside.length, all: nodes.length };
  });

describe('the trace graph', () => {
  it('folds CIEDE2000 into one node, opens it, and fits all its nodes in view, legible when zoomed in', async () => {
    const page = await newPage(s, 1366, 900);
    await open(s, page, '#example=culori');
    await page.click('#tab-graph');
    await page.waitForSelector('#graph .node.group');
    // Folded: the six channels and one node for deltaE's insides.
    expect(await page.textContent('#graph .node.group')).toMatch(/deltaE\(…\)\s*20\d operations/);
    expect(await page.$$eval('#graph .node', (n) => n.length)).toBe(7);
    expect(await inView(page)).toEqual({ inside: 7, all: 7 });
    await screenshot(page, 'graph-culori-folded');
    // Open: every operation, all of them in view after Fit.
    await page.click('#graph .node.group');
    await page.click('#graph-fit');
    const opened = await inView(page);
    expect(opened.all).toBeGreaterThan(200);
    expect(opened.inside).toBe(opened.all);
    await screenshot(page, 'graph-culori-fit');
    // Zoomed in around a node, its text is as large as the page's own.
    for (let i = 0; i < 20; i++) await page.click('#graph-in');
    await page.focus('#graph .node[tabindex="0"]');
    const text = await page.$eval('#graph .node[tabindex="0"] .node-head', (t) => t.getBoundingClientRect().height);
    expect(text).toBeGreaterThanOrEqual(12);
    expect(await page.isVisible('#graph .minimap')).toBe(true);
    const labels = await page.$$eval('#graph .edge-label text', (ts) => ts.length);
    expect(labels, 'every edge that carried a gradient keeps its label').toBeGreaterThan(150);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('#graph .edge-labels')!).display)).not.toBe('none');
    await screenshot(page, 'graph-culori-zoomed');
    // The minimap moves the view: a click on an input's mark there brings that input into view.
    const input = await page.getAttribute('#graph .node.input', 'data-id');
    const mark = (await page.locator(`#graph .minimap .mm-node[data-id="${input}"]`).boundingBox())!;
    await page.mouse.click(mark.x + mark.width / 2, mark.y + mark.height / 2);
    // (Within the precision of a click on a mark a pixel or two wide.)
    const shown = await page.$eval(`#graph .node[data-id="${input}"]`, (n) => {
      const box = document.getElementById('graph')!.getBoundingClientRect();
      const r = n.getBoundingClientRect();
      const [x, y] = [r.left + r.width / 2, r.top + r.height / 2];
      return x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
    });
    expect(shown).toBe(true);
    await page.close();
  }, 90_000);

  it('finds nodes by name, and links nodes and source lines both ways', async () => {
    const page = await newPage(s, 1366, 900);
    await open(s, page, '#example=point');
    await page.click('#tab-graph');
    await page.waitForSelector('#graph svg.graph');
    await page.fill('#graph-search', 'sqrt');
    expect(await page.textContent('#graph-found')).toBe('1 match');
    expect(await page.textContent('#graph .node.hit')).toMatch(/sqrt/);
    await page.fill('#graph-search', 'zzz');
    expect(await page.textContent('#graph-found')).toBe('no match');
    await page.fill('#graph-search', '');
    await page.click('#graph-fit'); // (a search pans to its first match)
    // A node → the lines that made it: sqrt on line 12 (dist), + on line 7 (Point's operator).
    await page.click('#graph .node.output');
    expect(await page.$$eval('.cm-traced-line', (ls) => ls.map((l) => l.textContent))).toEqual(['const dist = (p: Point) => Math.sqrt(p.x ** 2 + p.y ** 2);']);
    await page.click('#graph .node:has-text("· + 3")');
    const lines = await page.$$eval('.cm-traced-line', (ls) => ls.map((l) => l.textContent!.trim()));
    expect(lines.some((l) => l.startsWith('return new Point(this.x + other.x'))).toBe(true);
    // A line → its nodes: the cursor on dist's line marks the four operations made there.
    await page.click('.cm-line:has-text("const dist")');
    const linked = await page.$$eval('#graph .node.linked', (ns) => ns.map((n) => n.querySelector('.node-head')!.textContent));
    expect(linked.sort()).toEqual(['sqrt(·)', '· + ·', '· ^ 2', '· ^ 2']);
    await screenshot(page, 'graph-linked-lines');
    await page.close();
  }, 60_000);

  it('is usable by keyboard: one tab stop, arrows along the edges, Enter selects or opens', async () => {
    const page = await newPage(s, 1366, 900);
    await open(s, page, '#example=culori');
    await page.click('#tab-graph');
    await page.waitForSelector('#graph .node.group');
    await page.focus('#graph-fit');
    await page.keyboard.press('Tab'); // past the last zoom button…
    await page.keyboard.press('Tab'); // …to the graph's one tab stop: the output
    expect(await page.evaluate(() => document.activeElement?.classList.contains('output'))).toBe(true);
    expect(await page.isVisible('#tooltip')).toBe(true); // its numbers, as hovering shows them
    await page.keyboard.press('ArrowLeft'); // back to an input
    expect(await page.evaluate(() => document.activeElement?.classList.contains('input'))).toBe(true);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Enter'); // the group opens; the focus goes into it
    await page.waitForFunction(() => document.querySelectorAll('#graph .node').length > 100);
    expect(await page.evaluate(() => document.activeElement?.closest('#graph .node') !== null)).toBe(true);
    await page.keyboard.press('Enter'); // selects that operation: its line lights up
    expect(await page.$$eval('.cm-traced-line', (ls) => ls.length)).toBeGreaterThan(0);
    await page.keyboard.press('Escape'); // folds the group again
    await page.waitForFunction(() => document.querySelectorAll('#graph .node').length === 7);
    await page.keyboard.press('+');
    await page.keyboard.press('0');
    expect(await inView(page)).toEqual({ inside: 7, all: 7 });
    await screenshot(page, 'graph-keyboard');
    await page.close();
  }, 60_000);

  itLoadedOnlyItsOwnFiles(s);
});
