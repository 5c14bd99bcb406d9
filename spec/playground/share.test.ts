// Share links: a link cut short (a chat client's limit, a copy that missed its end) is
// reported as broken, never opened as shorter code.
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHash, encodeHash } from '../../playground/src/share.js';

const code = 'const f = (x: number) => 3 * x ** 2 + 2 * x + 1;\nconsole.log(gradient(f, 5)); // ∂ é\n'.repeat(3);

/** What each cut of `hash` opens: the same code, other code (silently), or a broken link. */
async function cuts(hash: string): Promise<{ same: number; other: number; broken: number }> {
  const seen = { same: 0, other: 0, broken: 0 };
  for (let end = 1; end < hash.length; end++) {
    const opened = await decodeHash(hash.slice(0, end));
    if (opened !== null && 'code' in opened) seen[opened.code === code ? 'same' : 'other']++;
    else if (opened !== null && 'broken' in opened) seen.broken++;
  }
  return seen;
}

describe('share links', () => {
  const compression = globalThis.CompressionStream;
  afterEach(() => {
    globalThis.CompressionStream = compression;
  });

  it('a deflated link opens its code whole, and every cut of it is broken', async () => {
    const hash = await encodeHash(code);
    expect(hash.startsWith('#code=')).toBe(true);
    expect(await decodeHash(hash)).toEqual({ code });
    expect((await cuts(hash)).other).toBe(0);
  });

  // (plain text cut at a multiple of three bytes decoded to shorter, valid code: the first
  // lines of the program ran as if they were all of it)
  it('a plain-text link (no CompressionStream) opens its code whole, and every cut of its code is broken', async () => {
    // @ts-expect-error: a browser without CompressionStream
    delete globalThis.CompressionStream;
    const hash = await encodeHash(code);
    expect(hash.startsWith('#code=')).toBe(false);
    expect(await decodeHash(hash)).toEqual({ code });
    const seen = await cuts(hash);
    expect(seen.other).toBe(0);
    expect(seen.broken).toBeGreaterThan(0);
  });
});
