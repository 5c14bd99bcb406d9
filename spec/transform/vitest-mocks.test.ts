// This file goes through the zygote-ts Vite plugin (vitest.config.ts), and then through Vitest's
// own transform, which finds `vi.mock(…)` and `vi.hoisted(…)` by their text and moves them above
// the imports. Sent through the runtime (`(0, __zy.callImported)(vi, vi.mock, …)`), the mock
// stayed below the imports: use.ts got the real scale.ts, useIt(2) was 16 where the mocked module
// gives 28, silently. And `vi.hoisted`'s callback, rewritten, read the runtime before the imports
// had run (a ReferenceError).
import { describe, expect, it, vi } from 'vitest';
import { gradient } from 'zygote-ts';
import { useIt } from '../fixtures/vitest-mocks/use.js';

const mocked = vi.hoisted(() => {
  const a = 1.5;
  let b = 2;
  b = b * a + 1;
  return { k: b, times: (x: number) => x * a };
});
vi.mock('../fixtures/vitest-mocks/scale.js', () => ({ scale: (x: number) => mocked.times(x) * x, k: mocked.k }));

describe('vi.mock and vi.hoisted in a rewritten test file', () => {
  // useIt = 1.5x² · 4 + x² = 7x², derivative 14x
  it('mocks the module, with the values vi.hoisted made', () => {
    expect(mocked.k).toBe(4);
    expect(useIt(2)).toBe(28);
  });

  it('differentiates through the mocked module', () => {
    expect(gradient(useIt, 2)[0]).toBeCloseTo(28, 12);
  });
});
