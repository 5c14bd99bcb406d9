// Errors that help: what cannot be traced is refused with the path inside the argument.
import { describe, expect, it } from 'vitest';
import { gradient } from 'zygote-ts';

const f = (x: unknown) => 0 * (x as { n?: number }).n!;

describe('what cannot be traced is refused, naming the place', () => {
  it('a WeakMap or WeakSet', () => {
    expect(() => gradient(f, { cache: new WeakMap() })).toThrow(/arg 0 \.cache is a WeakMap: its entries cannot be listed/);
    expect(() => gradient((_a: number, b: unknown) => 0 * (b as number), 1, new WeakSet())).toThrow(/arg 1 is a WeakSet/);
  });
  it('a Promise argument and an async f', () => {
    expect(() => gradient(f, { data: Promise.resolve(1) })).toThrow(/arg 0 \.data is a Promise: .*Await/);
    expect(() => gradient((async (x: number) => x) as unknown as (x: number) => number, 1)).toThrow(/async function/);
  });
  it('a Proxy the user made', () => {
    const reactive = new Proxy({ n: 1 }, {});
    expect(() => gradient(f, new Map([['store', reactive]]))).toThrow(/arg 0 \.get\("store"\) is a Proxy that zygote-ts did not make/);
  });
  // (the first look at it threw "Cannot perform 'getPrototypeOf' on a proxy that has been revoked", naming no place;
  // and a live Proxy's getPrototypeOf trap ran before it was refused)
  it('a revoked Proxy, and a Proxy before any of its traps runs', () => {
    const { proxy, revoke } = Proxy.revocable({ n: 1 }, {});
    revoke();
    expect(() => gradient(f, { n: 2, session: proxy })).toThrow(/arg 0 \.session is a revoked Proxy/);
    const trapped: string[] = [];
    const watched = new Proxy({ n: 1 }, { getPrototypeOf: (t) => (trapped.push('getPrototypeOf'), Object.getPrototypeOf(t)) });
    expect(() => gradient(f, [watched])).toThrow(/arg 0 \[0\] is a Proxy that zygote-ts did not make/);
    expect(trapped).toEqual([]);
  });
  it('numbers under a Symbol key', () => {
    const key = Symbol('weight');
    expect(() => gradient(f, { inner: { [key]: 2 } })).toThrow(/arg 0 \.inner\[Symbol\(weight\)\] holds numbers under a Symbol key/);
  });
  it('opaque objects (Date, RegExp, Error) pass through with a null gradient', () => {
    const when = new Date(0);
    expect(gradient((o: { t: Date; k: number }) => o.k * (o.t.getTime() + 1), { t: when, k: 2 })).toEqual([{ t: null, k: 1 }]);
  });
  it('a failed wrap leaves no state behind', () => {
    const p = { x: 1, bad: new WeakMap() };
    expect(() => gradient((q: typeof p) => q.x, p)).toThrow(/WeakMap/);
    expect(p.x).toBe(1);
    expect(gradient((x: number) => x * x, 3)).toEqual([6]);
  });
});
