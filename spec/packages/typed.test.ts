// gl-matrix, whose vectors are Float32Arrays, differentiated as users call it (issue 12):
// f receives typed arrays that behave as typed arrays, and gradients come back as them.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fixtures, node, registerUrl, runJson } from './run.js';

type Output = Record<string, { grad?: number[][]; error?: string }>;

describe('gl-matrix (ZYGOTE_INCLUDE=gl-matrix)', () => {
  const out = runJson<Output>('typed.mjs', { ZYGOTE_INCLUDE: 'gl-matrix' });
  const close = (g: number[][] | undefined, expected: number[][]) =>
    expected.forEach((row, i) => row.forEach((x, j) => expect(g![i]![j]).toBeCloseTo(x, 6)));

  it('vec3.length and vec3.dot of Float32Array arguments', () => {
    close(out['vec3.length']?.grad, [[1 / 3, 2 / 3, 2 / 3]]);
    expect(out['vec3.dot']).toEqual({ grad: [[4, 5, 6], [1, 2, 3]] });
  });
  it('a vector made inside f (vec3.create: new glMatrix.ARRAY_TYPE(3)) holds traced numbers', () => {
    const unit = [1, 2, 3].map((v) => v / Math.sqrt(14));
    close(out['vec3.add into a new vector']?.grad, [unit, unit]);
  });
  it('a function that writes its result into its argument (out = a)', () => {
    expect(out['vec3.scale into its argument']).toEqual({ grad: [[3, 3, 0]] });
  });
  it('without opting in, the first traced number gl-matrix touches stops the run, naming the place', () => {
    const r = node(['--import', registerUrl, join(fixtures, 'typed.mjs')]);
    const plain = JSON.parse(r.stdout) as Output;
    expect(plain['vec3.length']?.error).toMatch(/code that was not rewritten .* at .*gl-matrix\/.*vec3\.js:\d+:\d+/);
  });
});
