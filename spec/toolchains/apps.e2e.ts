// End to end: a small real app (spec/fixtures/toolchain-app) built the ways a user builds
// it — Vite's dev server, `vite build` (minified), an esbuild bundle (minified) — against
// zygote-ts as `npm pack` ships it, each page loaded in Debian's Chromium (playwright-core;
// CHROMIUM=… for another). Each page prints four gradients (a class instance, an NDArray
// model, a branchy scalar function, a culori function); each must match the same file run
// in Node through the loader, and central finite differences. Run by .ci/run, or
// `npm run test:toolchains`; not part of `npm test`.
//
// The dev server once loaded two copies of the runtime (null gradients), and minified
// builds threw "not rewritten" (issue 14): either coming back fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../playground/serve.mjs';
import { installPackedLibrary } from './packed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = join(root, 'spec/artifacts/toolchains');
const app = join(work, 'app');
const executablePath = process.env['CHROMIUM'] ?? '/usr/bin/chromium';

interface Case { value: number; gradient: unknown; finiteDifferences: number[] }
type Results = Record<string, Case | { error: string }>;
interface Page { results: Results; warnings: string[]; requests: string[] }

let browser: Browser;
let reference: Results;
let viteBin: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `vite` (the dev server) in the app, until it says where it listens. */
async function devServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [viteBin, '--port', String(port), '--strictPort', '--host', '127.0.0.1'], {
    cwd: app,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vite did not start:\n${log}`)), 60_000);
    const read = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes(`127.0.0.1:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`vite exited (${code}):\n${log}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

/** Loads a page, waits for its results, and keeps what the console said and what it requested. */
async function load(url: string): Promise<Page> {
  const page = await browser.newPage();
  const warnings: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  page.on('pageerror', (e) => void warnings.push(e.message));
  page.on('request', (r) => void requests.push(r.url()));
  try {
    await page.goto(url);
    await page.waitForSelector('body[data-done]', { timeout: 60_000 });
    const results = JSON.parse((await page.textContent('#results')) ?? '{}') as Results;
    return { results, warnings: warnings.filter((w) => !w.includes('favicon') && !w.includes('Failed to load resource')), requests };
  } finally {
    await page.close();
  }
}

/** Every number of a gradient, in order (a colour's `mode: null` has none). */
function numbersOf(x: unknown): number[] {
  if (typeof x === 'number') return [x];
  if (Array.isArray(x)) return x.flatMap(numbersOf);
  if (x !== null && typeof x === 'object') return Object.values(x).flatMap(numbersOf);
  return [];
}

/** The page's results against the Node reference and finite differences. */
function check(name: string, page: Page): void {
  expect(page.warnings, `${name}: console`).toEqual([]);
  expect(Object.keys(page.results).sort(), name).toEqual(['branchy', 'culori', 'model', 'point']);
  for (const [label, result] of Object.entries(page.results)) {
    const where = `${name}, ${label}`;
    expect('error' in result ? result.error : null, where).toBeNull();
    const got = result as Case;
    const expected = reference[label] as Case;
    // The same structure as in Node (a null anywhere would show here), the same numbers.
    expect(JSON.stringify(got.gradient, (_k, v: unknown) => (typeof v === 'number' ? 0 : v)), where).toBe(
      JSON.stringify(expected.gradient, (_k, v: unknown) => (typeof v === 'number' ? 0 : v)),
    );
    const numbers = numbersOf(got.gradient);
    expect(numbers.length, where).toBe(got.finiteDifferences.length);
    numbersOf(expected.gradient).forEach((v, i) => expect(numbers[i], `${where} [${i}] vs Node`).toBeCloseTo(v, 10));
    got.finiteDifferences.forEach((v, i) => expect(numbers[i], `${where} [${i}] vs finite differences`).toBeCloseTo(v, 5));
    expect(got.value, where).toBeCloseTo(expected.value, 10);
  }
}

/** The JavaScript files of a build, as one text. */
function builtCode(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/**
 * A minified build of the app in `dir`: the runtime's binding renamed (no `__zy.mul(` left),
 * no source rewriter in it; served as a static site, its page's gradients as in Node.
 */
async function checkBuild(name: string, dir: string): Promise<void> {
  const code = builtCode(dir);
  expect(code).not.toMatch(/\b__zy\d*\.\w+\)?\(/);
  expect(code).toMatch(/typeof \w+=+["'`]number["'`]\?\w+\*\w+:\(0,\w+\.mul\)\(/); // a fast path, renamed
  expect(code).not.toMatch(/ecmaVersion|MagicString/); // acorn's options, magic-string's class
  const server = await serve(dir, 0);
  try {
    check(name, await load(server.url));
  } finally {
    await server.close();
  }
}

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  cpSync(join(root, 'spec/fixtures/toolchain-app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'zygote-ts-toolchain-app', private: true, type: 'module' }, null, 2));
  installPackedLibrary(work, app);
  const vitePackage = createRequire(join(app, 'package.json')).resolve('vite/package.json');
  viteBin = join(dirname(vitePackage), (JSON.parse(readFileSync(vitePackage, 'utf8')) as { bin: { vite: string } }).bin.vite);
  reference = JSON.parse(
    execFileSync(process.execPath, ['--import', 'zygote-ts/register', 'src/reference.ts'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, ZYGOTE_INCLUDE: 'culori' },
    }),
  ) as Results;
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

describe('a Vite app with the plugin, and an esbuild bundle, in Chromium', () => {
  it('the Node reference itself is complete and agrees with finite differences', () => {
    check('node loader', { results: reference, warnings: [], requests: [] });
  });

  it('Vite dev server: one copy of the runtime, gradients as in Node', async () => {
    const { url, child } = await devServer();
    try {
      const page = await load(url);
      check('vite dev', page);
      // zygote-ts served as its own modules, not pre-bundled beside them (two runtimes).
      const runtimes = new Set(page.requests.filter((r) => /\/zygote-ts\/dist\/lib\/runtime\.js/.test(r)).map((r) => new URL(r).pathname));
      expect([...runtimes]).toHaveLength(1);
      expect(page.requests.filter((r) => r.includes('/.vite/deps/zygote-ts'))).toEqual([]);
    } finally {
      child.kill();
    }
  });

  it('vite build (minified): gradients as in Node', async () => {
    execFileSync(process.execPath, [viteBin, 'build', '--outDir', 'dist-vite', '--logLevel', 'warn'], { cwd: app, env: { ...process.env, NO_COLOR: '1' } });
    await checkBuild('vite build', join(app, 'dist-vite'));
  });

  it('esbuild bundle (minified): gradients as in Node', async () => {
    execFileSync(process.execPath, ['build-esbuild.mjs', 'dist-esbuild'], { cwd: app });
    await checkBuild('esbuild', join(app, 'dist-esbuild'));
  });
});
