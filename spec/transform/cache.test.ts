// The cache of rewritten files (lib/transform/cache.ts): keys, entries, atomic writes, the
// environment's settings, and the Node loader reading from it on a second start.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDirFromEnv, defaultCacheDir, openCache, throughCache, transformVersion } from '../../lib/transform/cache.js';
import { fixtures, node, registerUrl, root } from '../packages/run.js';

const tmp = mkdtempSync(join(tmpdir(), 'zygote-cache-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('openCache', () => {
  it('keys change with the kind, the file name, the content and the version', () => {
    const cache = openCache(join(tmp, 'keys'), 'v1');
    const k = cache.key('esm', '/a.js', 'x * y');
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(cache.key('esm', '/a.js', 'x * y')).toBe(k);
    expect(new Set([k, cache.key('cjs', '/a.js', 'x * y'), cache.key('esm', '/b.js', 'x * y'), cache.key('esm', '/a.js', 'x * z'), openCache(join(tmp, 'keys'), 'v2').key('esm', '/a.js', 'x * y')]).size).toBe(5);
  });

  it('stores outputs and "unchanged", and misses what it never stored', () => {
    const cache = openCache(join(tmp, 'entries'), 'v1');
    expect(cache.get(cache.key('esm', '/a.js', 'a'))).toBeUndefined();
    cache.set(cache.key('esm', '/a.js', 'a'), 'rewritten a');
    cache.set(cache.key('esm', '/b.js', 'b'), null);
    expect(cache.get(cache.key('esm', '/a.js', 'a'))).toBe('rewritten a');
    expect(cache.get(cache.key('esm', '/b.js', 'b'))).toBeNull();
    // Only whole entries, no temporary files left behind.
    expect(readdirSync(cache.dir).every((f) => /^[0-9a-f]{64}$/.test(f))).toBe(true);
  });

  it('throughCache produces once, then reads', () => {
    const cache = openCache(join(tmp, 'through'), 'v1');
    let calls = 0;
    const produce = () => { calls++; return 'out'; };
    expect(throughCache(cache, 'k', '/f.js', 'src', produce)).toBe('out');
    expect(throughCache(cache, 'k', '/f.js', 'src', produce)).toBe('out');
    expect(calls).toBe(1);
    expect(throughCache(null, 'k', '/f.js', 'src', produce)).toBe('out');
    expect(calls).toBe(2);
  });

  it('an unwritable folder only means no caching', () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, '');
    const cache = openCache(join(file, 'sub'), 'v1');
    expect(() => cache.set(cache.key('esm', '/a.js', 'a'), 'x')).not.toThrow();
    expect(cache.get(cache.key('esm', '/a.js', 'a'))).toBeUndefined();
  });

  it('the version is a hash of the transform and its parser, printer and stripper', () => {
    expect(transformVersion()).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('settings', () => {
  it('ZYGOTE_CACHE_DIR sets the folder, ZYGOTE_CACHE=0 turns the cache off', () => {
    expect(cacheDirFromEnv({ ZYGOTE_CACHE_DIR: '/x/y' })).toBe('/x/y');
    expect(cacheDirFromEnv({ ZYGOTE_CACHE: '0', ZYGOTE_CACHE_DIR: '/x/y' })).toBeNull();
    expect(cacheDirFromEnv({ ZYGOTE_CACHE: 'off' })).toBeNull();
    expect(cacheDirFromEnv({})).toBe(defaultCacheDir());
  });

  it('defaults to node_modules/.cache/zygote-ts of the nearest node_modules', () => {
    expect(defaultCacheDir(join(root, 'spec/transform'))).toBe(join(root, 'node_modules/.cache/zygote-ts'));
  });
});

describe('the Node loader with a cache', () => {
  const script = join(fixtures, 'colors.mjs');
  const env = (dir: string) => ({ ZYGOTE_CACHE: '', ZYGOTE_CACHE_DIR: dir, ZYGOTE_INCLUDE: 'culori,chroma-js' });

  it('fills the cache on the first start and reads it on the second', () => {
    const dir = join(tmp, 'loader');
    const first = node(['--import', registerUrl, script], env(dir));
    expect(first.status).toBe(0);
    const entries = readdirSync(dir);
    // culori's and chroma-js's modules, the fixture, each once
    expect(entries.length).toBeGreaterThan(150);
    const second = node(['--import', registerUrl, script], env(dir));
    expect(second.stdout).toBe(first.stdout);
    expect(readdirSync(dir).sort()).toEqual(entries.sort());
  });

  it('a second start runs what the cache holds', () => {
    const dir = join(tmp, 'small');
    const small = join(root, 'spec/fixtures/transform/cached.mjs');
    expect(node(['--import', registerUrl, small], env(dir)).stdout.trim()).toBe('42');
    const [entry, ...others] = readdirSync(dir);
    expect(others).toEqual([]);
    expect(readFileSync(join(dir, entry!), 'utf8')).toMatch(/^R.*__zy/s);
    writeFileSync(join(dir, entry!), 'Rconsole.log("from the cache");');
    expect(node(['--import', registerUrl, small], env(dir)).stdout.trim()).toBe('from the cache');
    // Something that is not an entry of ours is recomputed.
    writeFileSync(join(dir, entry!), 'not an entry');
    expect(node(['--import', registerUrl, small], env(dir)).stdout.trim()).toBe('42');
  });

  it('writes nothing with ZYGOTE_CACHE=0', () => {
    const dir = join(tmp, 'off');
    expect(node(['--import', registerUrl, script], { ...env(dir), ZYGOTE_CACHE: '0' }).status).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('processes starting at once share the folder safely', async () => {
    const dir = join(tmp, 'concurrent');
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', registerUrl, script], { cwd: root, env: { ...process.env, NODE_OPTIONS: '', ZYGOTE_STRICT: '', ...env(dir) } });
          let out = '';
          child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
          child.on('close', (code) => resolve({ code, out }));
        }),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0]);
    expect(new Set(runs.map((r) => r.out)).size).toBe(1);
    expect(readdirSync(dir).every((f) => /^[0-9a-f]{64}$/.test(f))).toBe(true);
    const again = node(['--import', registerUrl, script], env(dir));
    expect(again.stdout).toBe(runs[0]!.out);
  });
});
