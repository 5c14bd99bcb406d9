// What the browser tests share: Debian's Chromium driven by playwright-core, pages that can
// reach nothing but the playground's own server (recorded, so a test can check that nothing
// else was asked for), and waiting for runs.
import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const artifacts = join(root, 'spec/artifacts/playground');
const executablePath = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

/** A test file's browser, and what its pages asked for and logged. */
export class Session {
  /** Launched before the file's tests (useBrowser). */
  browser: Browser | null = null;
  url = '';
  /** Every address the pages asked for. */
  readonly requests: string[] = [];
  /** Uncaught errors and console errors of the pages. */
  readonly errors: string[] = [];
}

/** Launches Chromium for this test file (closed after it); the playground is already served (global-setup.ts). */
export function useBrowser(): Session {
  const s = new Session();
  beforeAll(async () => {
    if (!existsSync(executablePath)) throw new Error(`No Chromium at ${executablePath}: apt-get install -y chromium (or set CHROMIUM=…)`);
    mkdirSync(artifacts, { recursive: true });
    s.url = inject('playgroundURL');
    s.browser = await chromium.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
  }, 60_000);
  afterAll(async () => {
    await s.browser?.close();
  });
  return s;
}

/** The last test of a file: its pages asked nothing of any other server (no CDN) and logged no error. */
export function itLoadedOnlyItsOwnFiles(s: Session): void {
  it('loaded everything from its own server, with no errors in the console', () => {
    expect(s.requests.filter((u) => !u.startsWith(s.url) && !u.startsWith('data:') && !u.startsWith('blob:'))).toEqual([]);
    expect(s.errors).toEqual([]);
  });
}

export async function newPage(s: Session, width = 1366, height = 800, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  if (s.browser === null) throw new Error('newPage: the browser is not launched (call useBrowser() in the test file)');
  const page = await s.browser.newPage({ viewport: { width, height }, colorScheme });
  page.on('request', (r) => void s.requests.push(r.url()));
  page.on('pageerror', (e) => void s.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') s.errors.push(m.text());
  });
  // Offline: anything not served by our own server is refused (and recorded above).
  await page.route('**/*', (route) => (route.request().url().startsWith(s.url) ? route.continue() : route.abort()));
  return page;
}

/** Opens the page (at a hash) and waits for its first run to end. */
export async function open(s: Session, page: Page, hash = ''): Promise<void> {
  await page.goto(s.url + hash);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  await page.waitForFunction(() => document.body.dataset['done'] !== undefined && document.body.dataset['done'] === document.body.dataset['run'], undefined, { timeout: 20_000 });
}

/** Does `action` and waits for the run it starts to finish; returns the page's state. */
export async function runs(page: Page, action: () => Promise<unknown>, timeout = 20_000): Promise<string> {
  const before = Number((await page.getAttribute('body', 'data-run')) ?? 0);
  await action();
  await page.waitForFunction(
    (n) => Number(document.body.dataset['run']) > n && document.body.dataset['done'] === document.body.dataset['run'],
    before,
    { timeout },
  );
  return (await page.getAttribute('body', 'data-state')) ?? '';
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage });
}

/** A link to this code (the `#src=` form). */
export const linkTo = (code: string) => `#src=${Buffer.from(code).toString('base64url')}`;

/** What axe-core's script defines on the page. */
interface Axe {
  run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }>;
}
declare global {
  interface Window {
    axe?: Axe;
  }
}

/** The violations axe-core finds on the page, with their impact. */
export async function accessibility(page: Page): Promise<{ id: string; impact: string | null; nodes: string[] }[]> {
  const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: axe });
  return page.evaluate(async () => {
    const r = await window.axe!.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}
