// The editor's TypeScript intelligence (the language service in its own worker, loaded
// after the first run) and the JavaScript tab: the code as zygote-ts rewrote it, and the
// generated code of a compiled gradient.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { itLoadedOnlyItsOwnFiles, newPage, open, runs, screenshot, useBrowser } from './browser.js';

const s = useBrowser();

/** Types text at the end of the editor. */
async function append(page: Page, text: string): Promise<void> {
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.type(text);
}

/** Hovers the first occurrence of `word` on the editor line holding `line`; returns the tooltip's text. */
async function hover(page: Page, line: string, word: string): Promise<string> {
  const at = await page.locator('.cm-line', { hasText: line }).first().evaluate((el, w) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const i = n.textContent!.indexOf(w);
      if (i < 0) continue;
      const r = document.createRange();
      r.setStart(n, i + 1);
      r.setEnd(n, i + 2);
      const b = r.getBoundingClientRect();
      return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
    }
    return null;
  }, word);
  await page.mouse.move(at!.x, at!.y);
  const tip = page.locator('.cm-tooltip-hover');
  await tip.waitFor({ timeout: 10_000 });
  const text = (await tip.textContent()) ?? '';
  await page.mouse.move(0, 0);
  await tip.waitFor({ state: 'detached' });
  return text;
}

/** Points at the editor (which loads the language service) and waits until it answers. */
async function languageReady(page: Page): Promise<void> {
  await page.hover('.cm-content');
  await page.waitForSelector('body[data-types=ready]', { timeout: 30_000 });
}

describe('the editor', () => {
  it('loads the TypeScript language service when the editor is first used, after the first run', async () => {
    const page = await newPage(s);
    const asked: string[] = [];
    page.on('request', (r) => void asked.push(new URL(r.url()).pathname));
    await page.goto(s.url + '#example=polynomial');
    await page.waitForFunction(() => document.body.dataset['done'] === '1', undefined, { timeout: 30_000 });
    await page.waitForTimeout(500);
    expect(asked.some((p) => p.includes('typescript-worker')), 'not for the first run, nor for reading').toBe(false);
    await languageReady(page);
    expect(asked.some((p) => p.includes('typescript-worker'))).toBe(true);
    await page.close();
  }, 60_000);

  it('underlines type errors, completes from the types, and shows the types of a gradient on hover', async () => {
    const page = await newPage(s, 1366, 900);
    await open(s, page, '#example=culori');
    await languageReady(page);
    // zygote-ts's own types: gradient's result, with a Grad of each argument.
    const tip = await hover(page, 'gradient((a', 'gradient');
    expect(tip).toMatch(/gradient<\[Rgb, Rgb\]>/);
    expect(tip).toMatch(/r: number \| null/);
    // A type error in the user's code, underlined, with TypeScript's message on hover.
    await append(page, '\nconst wrong: string = deltaE(red, green);\n');
    await page.waitForSelector('.cm-lintRange-error', { timeout: 10_000 });
    expect(await page.textContent('.cm-lintRange-error')).toBe('wrong');
    await page.hover('.cm-lintRange-error');
    await page.waitForSelector('.cm-tooltip-lint');
    expect(await page.textContent('.cm-tooltip-lint')).toMatch(/Type 'number' is not assignable to type 'string'/);
    // Completion from culori's types.
    await page.keyboard.press('Control+End');
    await page.keyboard.type('red.');
    await page.waitForSelector('.cm-tooltip-autocomplete', { timeout: 10_000 });
    const offered = await page.$$eval('.cm-tooltip-autocomplete li', (ls) => ls.map((l) => l.textContent));
    expect(offered).toEqual(expect.arrayContaining(['mode', 'r', 'g', 'b']));
    await screenshot(page, 'typescript-completion');
    await page.close();
  }, 60_000);

  it('does not flag the operators zygote-ts rewrites (a class’s +, arithmetic on arrays)', async () => {
    const page = await newPage(s, 1366, 900);
    await open(s, page, '#example=point');
    await languageReady(page);
    await append(page, '\nconst n: number = 1;\n');
    await page.waitForTimeout(1500); // the linter's delay, and the worker's answer
    expect(await page.$$eval('.cm-lintRange-error', (es) => es.map((e) => e.textContent))).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows the rewritten JavaScript, and the generated code of compileGradient', async () => {
    const page = await newPage(s, 1366, 900);
    await open(s, page, '#example=polynomial');
    await page.click('#tab-code');
    await page.waitForSelector('#code .cm-content');
    const code = await page.textContent('#code .cm-content');
    // The user's 3 * x ** 2 + 2 * x + 1, with the operators routed through the runtime.
    expect(code).toMatch(/__zy\.(add|mul|pow)/);
    expect(code).toContain('__import("zygote-ts", ["derivative","gradient","hessian","withgradient"])'); // (the names it imports, checked as Node checks them)
    await screenshot(page, 'javascript-tab');
    expect(await runs(page, () => page.selectOption('#examples', 'compiled'))).toBe('done');
    expect(await page.isVisible('#code-pane')).toBe(true); // the tab stays chosen
    const options = await page.$$eval('#code-which option', (os) => os.map((o) => o.textContent));
    expect(options).toEqual(['Your code, rewritten by zygote-ts', 'compileGradient at line 6: g.source']);
    expect(await page.inputValue('#code-which')).toBe('1');
    const generated = await page.textContent('#code .cm-content');
    expect(generated).toMatch(/Math\.sin|sin\(/);
    expect(generated).not.toBe(code);
    await screenshot(page, 'javascript-tab-compiled');
    await page.close();
  }, 60_000);

  itLoadedOnlyItsOwnFiles(s);
});
