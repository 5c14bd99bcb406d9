// End-to-end tests of the playground in a real browser: Debian's Chromium, driven by
// playwright-core (browser.ts). Run by .ci/run (or `npm run test:e2e`), not by `npm test`:
// they need /usr/bin/chromium (CHROMIUM=… to use another). Screenshots are saved in
// spec/artifacts/playground/. This file: every example's values against the library's own
// in Node, errors, the time limit, links, plots; page.e2e.ts: widths, keyboard,
// accessibility, dark mode, Stop; graph.e2e.ts: the trace graph; editor.e2e.ts: TypeScript
// intelligence and the JavaScript tab.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import zygote from 'zygote-ts/esbuild';
import { examplesOf } from '../../playground/src/examples.js';
import type { Described } from '../../playground/src/describe.js';
import type { Reference } from './reference.js';
import { artifacts, itLoadedOnlyItsOwnFiles, linkTo, newPage as blankPage, open as openAt, root, runs, screenshot, useBrowser } from './browser.js';

const examplesDir = join(root, 'playground/examples');
const EXAMPLES = examplesOf(Object.fromEntries(readdirSync(examplesDir).filter((f) => f.endsWith('.ts')).map((f) => [f, readFileSync(join(examplesDir, f), 'utf8')])));

const session = useBrowser();
let references: Reference[];
const newPage = (width?: number, height?: number) => blankPage(session, width, height);
const open = (page: Page, hash = '') => openAt(session, page, hash);

/** The library's results in Node, from reference.ts bundled and run in a child process. */
async function nodeReferences(): Promise<Reference[]> {
  const outfile = join(artifacts, 'reference.mjs'); // inside the package: `zygote-ts` resolves to dist/
  await build({
    entryPoints: [join(root, 'spec/playground/reference.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    absWorkingDir: root,
    external: ['zygote-ts', 'zygote-ts/*', 'esbuild'],
    // culori rewritten as ZYGOTE_INCLUDE=culori would, bound to the runtime in dist/.
    plugins: [zygote({ include: ['culori'], runtime: 'zygote-ts/runtime', exclude: ['/spec/playground/', '/playground/src/'] })],
    logLevel: 'error',
  });
  return JSON.parse(execFileSync(process.execPath, [outfile, examplesDir], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Reference[];
}

async function shownRows(page: Page): Promise<{ line: number; value: Described; text: string }[]> {
  return page.$$eval('#output .row.show', (rows) =>
    rows.map((r) => ({ line: Number((r as HTMLElement).dataset['line']), value: JSON.parse((r as HTMLElement).dataset['value']!) as Described, text: (r.querySelector('.val') as HTMLElement).innerText })),
  );
}

/** Equal trees, numbers within 1e-12 (relative): V8 in Chromium and in Node may differ in a last bit of Math. */
function same(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b)) ? null : `${path}: ${a} ≠ ${b}`;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = same(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka} ≠ ${kb}`;
    for (const k of ka) {
      const d = same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
}

/** A described value as plain JSON, for the seed's numbers (nd → nested rows, Map → entries). */
function plain(d: Described): unknown {
  switch (d.t) {
    case 'num':
      return typeof d.v === 'number' ? d.v : Number(d.v.replace('−', '-'));
    case 'arr':
    case 'set':
      return d.items.map(plain);
    case 'nd': {
      if (d.shape.length !== 2) return d.data;
      const [m, n] = d.shape as [number, number];
      return Array.from({ length: m }, (_, i) => d.data.slice(i * n, (i + 1) * n));
    }
    case 'obj':
      return Object.fromEntries(d.fields.map(([k, v]) => [k, plain(v)]));
    case 'map':
    case 'grads':
      return d.entries.map(([k, v]) => [plain(k), plain(v)]);
    case 'scalar':
      return d.text;
    case 'str':
    case 'bool':
    case 'bigint':
      return d.v;
    case 'null':
      return null;
    default:
      return d.t;
  }
}

const x3 = [0.5, -1, 2];
/** The seed's numbers (examples/seed.ts, spec/seed*.test.ts, spec/arrays/seed.test.ts, spec/generic/fields.test.ts): rows in order. */
const SEED: Record<string, unknown[]> = {
  polynomial: [{ val: 86, grad: [32] }, 6, 32, [32]],
  product: [6, [3, 2], [30, 20], [3, 2]],
  product3: [[15, 10, 6]],
  'pow-loop': [125, [75]],
  'pow-recursion': [[75]],
  dictionary: [[10], [['x', 5]]],
  point: [7.211102550927978, [{ x: 0.5547001962252291, y: 0.8320502943378437 }]],
  // Node's V8 gives 86.60781444907963; Chromium's, one bit less (plain culori too): within 1e-12.
  culori: [86.60781444907963],
  explicit: [[{ W: [x3, x3], b: [1, 1] }], [[['W', [x3, x3]], ['b', [1, 1]]]]],
  linear: [[0.49, 1.43], [{ W: [x3, x3], b: [1, 1] }]],
  params: [[[7, 70, 700], [8, 80, 800]], [321, 654], false],
  'size-null': [[[14, 22], 2, null]],
  rationals: [['7/2'], ['1/3', '-2/9']],
};

beforeAll(async () => {
  references = await nodeReferences();
}, 120_000);

describe('the playground in Chromium', () => {
  it('offers every example of the seed in its menu', async () => {
    const page = await newPage();
    await open(page);
    const ids = await page.$$eval('#examples option', (os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
    expect(ids).toEqual(EXAMPLES.map((e) => e.id));
    expect(Object.keys(SEED).every((id) => ids.includes(id))).toBe(true);
    await page.close();
  });

  it('runs every example from the menu and shows the library’s own results', async () => {
    const page = await newPage();
    await open(page);
    for (const ex of EXAMPLES) {
      const state = await runs(page, () => page.selectOption('#examples', ex.id));
      const ref = references.find((r) => r.file === ex.file)!;
      expect(ref.error, `${ex.id} in Node`).toBe(null);
      expect(state, `${ex.id}: ${await page.textContent('#output')}`).toBe('done');
      const rows = await shownRows(page);
      expect(rows.map((r) => r.line), ex.id).toEqual(ref.rows.map((r) => r.line));
      rows.forEach((r, i) => expect(same(r.value, ref.rows[i]!.value), `${ex.id}, line ${r.line}`).toBe(null));
      const seed = SEED[ex.id];
      if (seed) seed.forEach((want, i) => expect(same(plain(rows[i]!.value), want), `${ex.id}, row ${i}`).toBe(null));
      // Numbers are shown, not "[object Object]".
      for (const r of rows) expect(r.text).not.toMatch(/\[object /);
      // Every example differentiates something: its calls are listed for the pictures.
      expect(await page.$$eval('#calls option', (os) => os.length), ex.id).toBeGreaterThan(0);
      if (ex.id === 'polynomial' || ex.id === 'culori' || ex.id === 'params') await screenshot(page, `example-${ex.id}`);
    }
    await page.close();
  }, 120_000);

  it('plots f and f′ of a function of one number, with the call’s point marked, over an adjustable range', async () => {
    const page = await newPage();
    await open(page, '#example=polynomial');
    await page.waitForSelector('#plot svg.plot');
    expect(await page.$$eval('#plot .curve', (ps) => ps.length)).toBe(2);
    expect(await page.$$eval('#plot circle.mark', (cs) => cs.length)).toBe(2);
    expect(await page.inputValue('#plot-from')).toBe('0');
    expect(await page.inputValue('#plot-to')).toBe('10');
    // The marked point is f(5) = 86 and f′(5) = 32.
    const titles = await page.$$eval('#plot circle.mark title', (ts) => ts.map((t) => t.textContent));
    expect(titles).toEqual(['f(5) = 86', 'f′(5) = 32']);
    const before = await page.getAttribute('#plot .f .curve', 'd');
    await page.fill('#plot-from', '-20');
    await page.press('#plot-from', 'Enter');
    await page.waitForFunction((d) => {
      const curve = document.querySelector('#plot .f .curve');
      return curve !== null && curve.getAttribute('d') !== d;
    }, before);
    const ticks = await page.$$eval('#plot .tick.x', (ts) => ts.map((t) => t.textContent));
    expect(ticks[0]).toBe('−20');
    await page.hover('#plot .hit');
    expect(await page.$eval('#plot .readout', (r) => r.getAttribute('visibility'))).toBe('visible');
    // By keyboard: the plot takes the focus, and the arrow keys move along x.
    await page.mouse.move(0, 0);
    await page.focus('#plot svg.plot');
    expect(await page.$eval('#plot .readout', (r) => r.getAttribute('visibility'))).toBe('visible');
    await page.keyboard.press('End');
    expect(await page.textContent('#plot .readout')).toMatch(/x = 10f = 321f′ = 62/);
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent('#plot .readout')).toMatch(/x = 9\.875/);
    await screenshot(page, 'plot-range');
    await page.close();
  }, 60_000);

  it('says so when f gives other numbers after the run than the call computed (the plot samples f when the run has ended)', async () => {
    const page = await newPage();
    // f reads `a`, which changes after the call: the output says [6], f′(3) is 60 at the end.
    await open(page, linkTo("import { gradient } from 'zygote-ts';\nlet a = 1;\nconst f = (x: number) => a * x * x;\ngradient(f, 3);\na = 10;\n"));
    await page.waitForSelector('#plot svg.plot');
    expect(plain((await shownRows(page))[0]!.value)).toEqual([6]);
    expect(await page.textContent('#plot-note')).toMatch(/the call computed f\(3\) = 9 and f′\(3\) = 6; f gives 90 and 60 there now/);
    expect(await page.getAttribute('#plot-note', 'class')).toContain('warning');
    const rings = await page.$$eval('#plot circle.mark.then title', (ts) => ts.map((t) => t.textContent));
    expect(rings).toEqual(['f(3) = 9 when the call ran (f has changed since)', 'f′(3) = 6 when the call ran (f has changed since)']);
    // A function of two numbers: the same, for the selected call's value.
    await page.evaluate((h) => (location.hash = h), linkTo("import { gradient } from 'zygote-ts';\nlet c = 1;\nconst f = (x: number, y: number) => c * (x * x + y * y);\ngradient(f, 1, 2);\nc = 3;\n"));
    await page.waitForFunction(() => /f\(1, 2\) was 5 then, 15 now/.test(document.getElementById('plot-note')?.textContent ?? ''));
    // And an f that does not change gets no warning.
    await page.evaluate((h) => (location.hash = h), '#example=polynomial');
    await page.waitForSelector('#plot svg.plot:not(.plane) circle.mark');
    expect(await page.getAttribute('#plot-note', 'class')).not.toContain('warning');
    expect(await page.$$eval('#plot circle.mark.then', (cs) => cs.length)).toBe(0);
    await page.close();
  }, 60_000);

  it('draws the gradient field of an f of two numbers that depends on one of them (a null component is a zero)', async () => {
    const page = await newPage();
    await open(page, linkTo("import { gradient } from 'zygote-ts';\ngradient((x: number, y: number) => x * x, 1, 2);\n"));
    expect(plain((await shownRows(page))[0]!.value)).toEqual([2, null]);
    await page.waitForSelector('#plot svg.plane .contour');
    const arrows = await page.$$eval('#plot line.arrow', (ls) => ls.map((l) => [Number(l.getAttribute('y1')), Number(l.getAttribute('y2'))]));
    expect(arrows.length).toBeGreaterThan(10);
    // ∇f = (2x, 0): every arrow is horizontal.
    for (const [y1, y2] of arrows) expect(Math.abs(y1! - y2!)).toBeLessThan(1e-6);
    await page.close();
  }, 60_000);

  it('draws the trace graph of the last call, with gradients on the edges and values on hover', async () => {
    const page = await newPage();
    await open(page, '#example=point');
    await page.click('button[data-tab=graph]');
    await page.waitForSelector('#graph svg.graph');
    const nodes = await page.$$eval('#graph .node', (ns) => ns.map((n) => n.textContent));
    expect(nodes.some((t) => t!.includes('a.x'))).toBe(true); // inputs named by their path
    expect(nodes.some((t) => t!.includes('sqrt'))).toBe(true);
    const labels = await page.$$eval('#graph .edge-label text', (ts) => ts.map((t) => t.textContent));
    expect(labels).toContain('← 0.5547'); // ∂dist/∂a.x flowing back into a.x
    await page.hover('#graph .node.output');
    const tip = await page.textContent('#tooltip');
    expect(tip).toContain('7.211102550927978');
    await screenshot(page, 'graph-point');
    await page.close();
  }, 60_000);

  it('shows an error at the user’s line and column, in the output and in the editor', async () => {
    const page = await newPage();
    const code = [
      "import { gradient } from 'zygote-ts';",
      '',
      'const f = (x: number) => {',
      '  const o: any = undefined;',
      '  return o.value * x;',
      '};',
      'gradient(f, 1);',
    ].join('\n');
    await open(page, linkTo(code));
    expect(await page.getAttribute('body', 'data-state')).toBe('error');
    expect(await page.getAttribute('#output .row.error', 'data-line')).toBe('5');
    expect(await page.textContent('#output .row.error')).toMatch(/TypeError: .*value.*at line 5, column 12/s);
    await page.waitForSelector('.cm-lintRange-error');
    await screenshot(page, 'error-runtime');
    // A syntax error is reported by the compiler at its place.
    const broken = "import { gradient } from 'zygote-ts';\nconst y: number = ;\n";
    await page.goto(session.url + linkTo(broken));
    await page.waitForFunction(() => document.body.dataset['state'] === 'error');
    expect(await page.getAttribute('#output .row.error', 'data-line')).toBe('2');
    expect(await page.textContent('#output .row.error')).toMatch(/Does not compile.*line 2, column 19/s);
    await page.close();
  }, 60_000);

  it('shows a thrown value that is not an Error as it is (it was “Error: [object Object]”)', async () => {
    const page = await newPage();
    await open(page);
    for (const [code, text] of [
      ["import { gradient } from 'zygote-ts';\ngradient((x: number) => { if (x > 0) throw { code: 7, x }; return x; }, 2);", 'Uncaught: { code: 7, x: 2 } (an object was thrown, not an Error'],
      ['throw 42;', 'Uncaught: 42 (a number was thrown, not an Error'],
      ["import { gradient } from 'zygote-ts';\ngradient((x: number) => { throw x * 3; }, 2);", 'Uncaught: 6 (a number was thrown, not an Error'],
    ] as const) {
      expect(await runs(page, () => page.evaluate((h) => (location.hash = h), linkTo(code)))).toBe('error');
      expect(await page.textContent('#output .row.error')).toContain(text);
    }
    await page.close();
  }, 60_000);

  // Node 20 has no Float16Array (spec/proxies/typed-arrays.test.ts stands one in): the browser's
  // real one lost the derivative without a word, as an argument (gradient null) and built from
  // traced numbers in f (x's derivative dropped: 3 where plain JavaScript's is 6).
  it('refuses a Float16Array that would lose a derivative, where it was silent', async () => {
    const page = await newPage();
    await open(page);
    for (const [code, text] of [
      ["import { gradient } from 'zygote-ts';\ngradient((a: any) => a[0] * a[1], new Float16Array([2, 3]));", 'arg 0 is a Float16Array'],
      ["import { gradient } from 'zygote-ts';\ngradient((x: number) => new Float16Array([x, 2])[0]! * x, 3);", 'a traced number was given to new Float16Array'],
    ] as const) {
      expect(await runs(page, () => page.evaluate((h) => (location.hash = h), linkTo(code)))).toBe('error');
      expect(await page.textContent('#output .row.error')).toContain(text);
    }
    await page.close();
  }, 60_000);

  // (Node 20 has no Map.groupBy: spec/as-value/builtins.test.ts stands one in; here the browser's own)
  it('groups equal numbers under one key with Map.groupBy, as plain JavaScript does', async () => {
    const page = await newPage();
    await open(page);
    const f = '(x: number) => (Map as any).groupBy([x, -1, 2], (v: number) => v).size * x';
    const code = `import { gradient } from 'zygote-ts';\nconst f = ${f};\n[f(2), gradient(f, 2)[0]];`;
    expect(await runs(page, () => page.evaluate((h) => (location.hash = h), linkTo(code)))).toBe('done');
    // (two groups at x = 2: f(x) = 2x, its derivative 2; with three, 3)
    expect(JSON.parse((await page.getAttribute('#output .row.show', 'data-value'))!)).toEqual({ t: 'arr', items: [{ t: 'num', v: 4 }, { t: 'num', v: 2 }] });
    await page.close();
  }, 60_000);

  it('stops an endless loop at the time limit, and the page stays responsive', async () => {
    const page = await newPage();
    await open(page);
    await page.selectOption('#limit', '1000');
    const loop = "import { gradient } from 'zygote-ts';\nlet n = 0;\nwhile (true) n++;\n";
    const started = Date.now();
    const state = runs(page, () => page.evaluate((c) => (location.hash = `src=${btoa(c)}`), loop));
    // While the worker spins, the page still answers.
    await page.waitForFunction(() => document.body.dataset['state'] === 'running');
    expect(await page.evaluate(() => 1 + 1)).toBe(2);
    expect(await state).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(8000);
    expect(await page.textContent('#output')).toMatch(/Stopped after 1 s/);
    await screenshot(page, 'endless-loop-stopped');
    // And the next run works.
    expect(await runs(page, () => page.selectOption('#examples', 'product'))).toBe('done');
    await page.close();
  }, 60_000);

  it('ends a run as Node ends a program: after its timers, with the error of a timer or of a promise no one handles', async () => {
    const page = await newPage();
    const logs = async () => page.$$eval('#output .row.log', (rs) => rs.map((r) => (r as HTMLElement).innerText.replace(/\s+/g, ' ').replace(/^CONSOLE /, '').trim()));
    // (a log's values are separate elements: compare their texts joined by single spaces)
    // Output printed by timer callbacks after the top-level code has finished (it was dropped).
    const ticks = [
      "import { gradient } from 'zygote-ts';",
      'let n = 0;',
      'const id = setInterval(() => { n++; console.log(`tick ${n}`, gradient((x: number) => x ** n, 2)); if (n === 3) clearInterval(id); }, 10);',
      "setTimeout(() => console.log('later'), 400);",
    ].join('\n');
    await open(page, linkTo(ticks));
    expect(await page.getAttribute('body', 'data-state')).toBe('done');
    expect(await logs()).toEqual(['tick 1 [1]', 'tick 2 [4]', 'tick 3 [12]', 'later']);
    expect(await page.$$eval('#calls option', (os) => os.length)).toBe(3);
    // An error thrown in a timer, and a rejection with no handler, end the run with that error (Node exits with it).
    for (const [code, error, line] of [
      ["setTimeout(() => { throw new RangeError('late'); }, 10);\nconsole.log('start');", /RangeError: late\s*at line 1, column 26/, '1'],
      ["console.log('start');\nPromise.reject(new Error('nobody caught me'));", /Error: nobody caught me\s*at line 2/, '2'],
    ] as const) {
      expect(await runs(page, () => page.evaluate((h) => (location.hash = h), linkTo(code)))).toBe('error');
      expect(await logs()).toEqual(['start']);
      expect(await page.textContent('#output .row.error')).toMatch(error);
      expect(await page.getAttribute('#output .row.error', 'data-line')).toBe(line);
    }
    await page.close();
  }, 60_000);

  it('fills a console.log format string as Node does (it printed "%d steps" and the numbers after it)', async () => {
    const page = await newPage();
    const code = "import { gradient } from 'zygote-ts';\nconst [g] = gradient((x: number) => x ** 3, 2);\nconsole.log('%d steps, slope %f%%', 12, g, 'after');";
    await open(page, linkTo(code));
    const logs = await page.$$eval('#output .row.log', (rs) => rs.map((r) => (r as HTMLElement).innerText.replace(/\s+/g, ' ').replace(/^CONSOLE /, '').trim()));
    expect(logs).toEqual(['12 steps, slope 12% after']);
    await page.close();
  });

  it('runs with Ctrl+Enter, and the URL hash reproduces edited code', async () => {
    const page = await newPage();
    await open(page, '#example=product3');
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\ngradient((a: number) => a * a * a, 2);');
    expect(await runs(page, () => page.keyboard.press('Control+Enter'))).toBe('done');
    const rows = await shownRows(page);
    expect(plain(rows[rows.length - 1]!.value)).toEqual([12]);
    await page.waitForFunction(() => location.hash.startsWith('#code='));
    const link = page.url();
    const other = await newPage();
    await open(other, new URL(link).hash);
    expect(await other.evaluate(() => document.querySelector('.cm-content')!.textContent)).toContain('gradient((a: number) => a * a * a, 2);');
    expect(plain((await shownRows(other)).at(-1)!.value)).toEqual([12]);
    await other.close();
    await page.close();
  }, 60_000);

  it('loads the compiler and the fonts from its own server', () => {
    expect(session.requests.some((u) => u.endsWith('/esbuild.wasm'))).toBe(true);
    expect(session.requests.some((u) => u.endsWith('.woff2'))).toBe(true);
  });

  itLoadedOnlyItsOwnFiles(session);
});
