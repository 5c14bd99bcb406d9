// What a package may do that cannot carry a derivative: in strict mode each ends in an
// error, never in a silently wrong gradient; the error names the package's file and line
// (spec/fixtures/packages/node_modules/zy-escapes, and culori left out of ZYGOTE_INCLUDE).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fixtures, node, registerUrl, runJson } from './run.js';

type Output = Record<string, { grad?: (number | null)[]; error?: string }>;

const PACKAGE_LINE = {
  'typed-array write': /node_modules\/zy-escapes\/index\.js:9:\d+/,
  'WebAssembly call': /node_modules\/zy-escapes\/index\.js:23:\d+/,
  'Float32Array.from': /node_modules\/zy-escapes\/index\.js:14:\d+/,
  'JSON round trip': /node_modules\/zy-escapes\/index\.js:18:\d+/,
  'package not in ZYGOTE_INCLUDE': /node_modules\/culori\/src\/[\w/]+\.js:\d+:\d+/,
};

// Where the value is converted inside a built-in (Float32Array.from, JSON.stringify,
// Math.abs of code that was not rewritten), callerLine() skips the built-in's
// `(<anonymous>)` frame, so the message names the package's line that called it.
describe('strict mode: what cannot be followed is refused at its place', () => {
  const strict = runJson<Output>('escapes.mjs', { ZYGOTE_INCLUDE: 'zy-escapes', ZYGOTE_STRICT: '1' });

  for (const [name, line] of Object.entries(PACKAGE_LINE)) {
    it(`${name}: throws`, () => {
      expect(strict[name]?.grad).toBeUndefined();
      expect(strict[name]?.error).toMatch(/^zygote-ts \(strict\): a traced number was turned into a plain number/);
      expect(strict[name]?.error).not.toMatch(/\/(?:dist|lib|rules|proxies)\/[\w/.-]+:\d+/);
    });
    it(`${name}: names the package's file and line`, () => {
      expect(strict[name]?.error).toMatch(line);
    });
  }

  it('without strict mode: a null gradient and one warning per place', () => {
    const r = node(['--import', registerUrl, join(fixtures, 'escapes.mjs')], { ZYGOTE_INCLUDE: 'zy-escapes' });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Output;
    for (const name of Object.keys(PACKAGE_LINE)) expect(out[name]).toEqual({ grad: [null] });
    expect(r.stderr.match(/zygote-ts: \d+ traced number\(s\) were turned into plain numbers/g)).toHaveLength(5);
    expect(r.stderr).toMatch(PACKAGE_LINE['typed-array write']);
  });
});
