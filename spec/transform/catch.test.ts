// A catch clause of rewritten code hands its error to the runtime (lib/caught.ts): where f
// caught one of the library's own errors (a value it cannot follow) and went on, the
// differentiation throws that error when f returns, instead of the gradient of a path plain
// JavaScript would not take. Catch clauses keep their meaning otherwise.
import { describe, expect, it } from 'vitest';
import { runInThisContext } from 'node:vm';
import { gradient, withgradient } from 'zygote-ts';
import { transform } from '../../lib/transform/index.js';
import { isRewritten } from '../../lib/transform/recognize.js';

const asLoaded = (src: string): ((x: number) => number) =>
  runInThisContext(transform(`(${src})`, { runtime: { kind: 'global' }, sourceType: 'script', twoBodies: true, sourceMap: false }).code) as (x: number) => number;

describe('a library error that f catches stops the differentiation', () => {
  // (each gave the catch's gradient with no word: v.setFloat64 in a try whose catch returns 3x
  // gave 9 and [3], where JavaScript computes 6 and the derivative is 2)
  const storesIntoDataView = (x: number) => {
    try {
      const v = new DataView(new ArrayBuffer(8));
      v.setFloat64(0, x);
      return v.getFloat64(0) * 2;
    } catch {
      return 3 * x;
    }
  };
  const bufferWithBinding = (x: number) => {
    try {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(x);
      return b.readDoubleLE(0) + x;
    } catch (e) {
      return 3 * x + (e instanceof Error ? 0 : 1);
    }
  };
  const takenApart = (x: number) => {
    try {
      new DataView(new ArrayBuffer(8)).setFloat32(0, x);
      return x;
    } catch ({ message }: any) {
      return String(message).length > 0 ? 3 * x : x;
    }
  };

  it.each([
    ['catch { }', storesIntoDataView, 'setFloat64'],
    ['catch (e) { }', bufferWithBinding, 'writeDoubleLE'],
    ['catch ({ message }) { }', takenApart, 'setFloat32'],
  ])('%s', (_, f, what) => {
    expect(f(3)).not.toBe(3 * 3); // (plain JavaScript does not throw there)
    let thrown: unknown;
    try {
      gradient(f, 3);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toContain(what);
    expect((thrown as Error).message).toContain('f caught this error and went on');
    expect(((thrown as Error).cause as Error).message.startsWith('zygote-ts')).toBe(true);
  });

  it('also one an inner differentiation threw, caught by the outer f', () => {
    const outer = (y: number) => {
      try {
        return gradient((x: number) => storesIntoDataView(x) * y, 2)[0]!;
      } catch {
        return y;
      }
    };
    let thrown: unknown;
    try {
      gradient(outer, 3);
    } catch (e) {
      thrown = e;
    }
    // (said once: the inner differentiation's error, which the outer f caught, is thrown as it was made)
    expect((thrown as Error).message).toMatch(/setFloat64.*f caught this error/);
    expect((thrown as Error).message.split('f caught this error').length).toBe(2);
  });

  it('a library error f lets through, or throws again, reaches the caller as it was', () => {
    const rethrows = (x: number) => {
      try {
        new DataView(new ArrayBuffer(8)).setFloat64(0, x);
        return x;
      } catch (e) {
        throw e;
      }
    };
    expect(() => gradient(rethrows, 3)).toThrow(/^zygote-ts: a traced number was given to DataView(\.prototype)?\.setFloat64/);
    expect(() => gradient(rethrows, 3)).not.toThrow(/f caught/);
  });

  it("f's own errors, caught, keep their meaning", () => {
    const f = (x: number) => {
      let s = 0;
      try {
        if (x > 1) throw new RangeError('too far');
        s = x;
      } catch (e) {
        s = (e as Error).message.length * x;
      } finally {
        s += x * x;
      }
      try {
        JSON.parse('{');
      } catch ({ name }: any) {
        s += name === 'SyntaxError' ? x : 0;
      }
      return s;
    };
    const { val, grad } = withgradient(f, 3);
    expect(val).toBe(f(3));
    expect(grad[0]).toBeCloseTo(7 + 6 + 1, 10);
  });

  it('also one a `finally` drops by leaving its block (return, break), with no catch clause', () => {
    // (both gave the gradient of the finally's path with no word: 3x and [3], where JavaScript computes 2x·… )
    const returns = (x: number) => {
      try {
        new DataView(new ArrayBuffer(8)).setFloat64(0, x);
        return x * x;
      } finally {
        // eslint-disable-next-line no-unsafe-finally
        if (x > 0) return 3 * x;
      }
    };
    const breaks = (x: number) => {
      let out = 0;
      out: try {
        new DataView(new ArrayBuffer(8)).setFloat64(0, x);
        out = x * x;
      } finally {
        out = out === 0 ? 3 * x : out + 1;
        // eslint-disable-next-line no-unsafe-finally
        break out;
      }
      return out;
    };
    expect(returns(3)).toBe(9); // (plain JavaScript takes no error: the finally's return gives 3x)
    expect(breaks(3)).toBe(10);
    for (const f of [returns, breaks]) {
      expect(() => gradient(f, 3)).toThrow(/setFloat64.*f caught this error and went on/);
    }
  });

  it('a `finally` that leaves its block keeps its meaning for errors of f, and for none', () => {
    const f = (x: number) => {
      for (let i = 0; ; i++) {
        try {
          if (i === 0) throw new Error('mine');
          return x * x;
        } finally {
          // eslint-disable-next-line no-unsafe-finally
          if (i === 0) continue;
        }
      }
    };
    expect(withgradient(f, 3)).toEqual({ val: 9, grad: [6] });
  });

  it('after the error, the next differentiation runs as usual', () => {
    expect(() => gradient(storesIntoDataView, 3)).toThrow();
    expect(gradient((x: number) => x * x, 3)).toEqual([6]);
  });
});

describe('the rewrite of catch clauses', () => {
  it('binds what each form binds, a pattern with its defaults rewritten', () => {
    const src = `(x) => { let s = 0; try { throw { code: 2 } } catch ({ code, extra = x * 3 }) { s += code * extra } try { throw 5 } catch (e) { s += e * x } try { null.f() } catch { s += x } return s }`;
    const plain = runInThisContext(`(${src})`) as (x: number) => number;
    const rewritten = asLoaded(src);
    expect(rewritten(1.5)).toBe(plain(1.5));
    const { val, grad } = withgradient(rewritten, 1.5);
    expect(val).toBe(plain(1.5));
    expect(grad[0]).toBeCloseTo(6 + 5 + 1, 10);
  });

  // (the pattern's `let` shared the block's scope: the closure read the block's x, 'inside')
  it("keeps a pattern's scope apart from the block's: a closure in its default sees the name outside", () => {
    const src = `() => { let x = 'outside'; let probe; try { throw [] } catch ([_ = probe = () => x]) { let x = 'inside'; } return probe() }`;
    expect(runInThisContext(`(${src})`)()).toBe('outside');
    expect((asLoaded(src) as unknown as () => string)()).toBe('outside');
  });

  it('gives a `try`/`finally` a catch clause only where the finally can leave its block, and no second body', () => {
    const opts = { runtime: { kind: 'global' as const }, sourceType: 'script' as const, twoBodies: true, sourceMap: false };
    const leaves = transform('function a(g) { try { return g() } finally { return 0 } }', opts).code;
    expect(leaves).toContain('catch (__zy$caught) { (0, __zy.caught)(__zy$caught); throw __zy$caught } finally');
    expect(leaves).not.toContain('openTapes');
    const stays = transform('function b(g) { try { return g() } finally { (() => { return 1 })(); for (;;) break; k: { break k } } }', opts).code;
    expect(stays).not.toContain('caught');
  });

  it('is no rewrite of its own: a function whose only change is a catch clause keeps one body and needs no rewrite', () => {
    const src = 'function only(a) { try { return a() } catch { return null } }';
    const out = transform(src, { runtime: { kind: 'global' }, sourceType: 'script', twoBodies: true, sourceMap: false }).code;
    expect(out).toContain('__zy.caught');
    expect(out).not.toContain('openTapes');
    expect(isRewritten(out.slice(out.indexOf('function only')))).toBe(false);
  });
});
