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

// kdbush's layout: one ArrayBuffer with its header and ids in integer views and its coordinates
// in `new ArrayType(data, offset, n)`, a constructor parameter. Made natively (a `new` of a
// parameter or a const was left as written), the coordinates kept only the numbers and the first
// store stopped the run ("stored into a typed array"); routed, the integer views over other bytes
// of the buffer were taken to read the coordinates (a lost derivative said, an error in strict mode).
describe('typed arrays made by a constructor held in a variable (ZYGOTE_INCLUDE=zy-point-index, strict)', () => {
  type Cases = Record<string, { plain?: number; val?: number; grad?: number[]; fd?: number[]; error?: string }>;
  const out = runJson<Cases>('typed-index.mjs', { ZYGOTE_INCLUDE: 'zy-point-index', ZYGOTE_STRICT: '1' });
  const agrees = (name: string, expected?: number[]) => {
    const c = out[name]!;
    expect(c.error).toBeUndefined();
    expect(c.val).toBe(c.plain);
    (expected ?? c.fd!).forEach((d, i) => expect(c.grad![i]).toBeCloseTo(d, 6));
  };
  it('a Float64Array of coordinates after integer views of the same buffer, made by `new ArrayType(data, offset, n)`', () => {
    agrees('index over one buffer with integer views');
  });
  it('the same with Float32Array given for the parameter (the nearest point (1, 1.5) to (0.9, 1.1))', () => {
    agrees('Float32Array through the parameter', [0, 0, 2 * (1 - 0.9), 2 * (1.5 - 1.1), 0, 0, 0, 0]);
  });
  it("a constructor computed where it is made (vectorious's `new (get_type(dtype))(data)`)", () => {
    agrees('a constructor computed where it is made');
  });
  it('`const T = Float64Array`: new T(list) and new T(n)', () => {
    agrees('a const bound to Float64Array');
  });
});
