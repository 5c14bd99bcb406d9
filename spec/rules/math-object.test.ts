// The object rewritten code reads for `Math` has every function the platform's Math has:
// one zygote-ts has no rule for (a function an engine added later, such as Math.f16round)
// is the built-in itself, where it had been undefined.
import { expect, it } from 'vitest';

it("a function of the platform's Math without a rule is the built-in", async () => {
  const future = (x: number) => x + 1;
  Object.defineProperty(Math, 'zyFuture', { value: future, configurable: true, writable: true });
  try {
    // (imported after the platform's Math has it, as the runtime is when the engine does)
    const { differentiableMath } = await import('../../rules/math.js');
    const names = (m: object) => Object.getOwnPropertyNames(m).sort();
    expect(names(differentiableMath)).toEqual(names(Math));
    expect((differentiableMath as unknown as Record<string, unknown>).zyFuture).toBe(future);
    expect(differentiableMath.sin).not.toBe(Math.sin);
  } finally {
    delete (Math as unknown as Record<string, unknown>).zyFuture;
  }
});
