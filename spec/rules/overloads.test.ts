// User-defined operators (rules/overloads.ts): a class with methods under `operators.*`
// gets + - * / and unary -; everything else keeps JavaScript's meaning.
import { describe, expect, it } from 'vitest';
import { gradient, operators } from 'zygote-ts';
import { expectMatchesFiniteDifferences } from '../proxies/fd.js';

class Vec {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  [operators.add](o: Vec): Vec {
    return new Vec(this.x + o.x, this.y + o.y);
  }
  [operators.sub](o: Vec, receiverOnRight: boolean): Vec {
    return receiverOnRight ? new Vec(o.x - this.x, o.y - this.y) : new Vec(this.x - o.x, this.y - o.y);
  }
  [operators.mul](k: number | Vec): Vec | number {
    return typeof k === 'number' ? new Vec(this.x * k, this.y * k) : this.x * k.x + this.y * k.y; // scale, or dot
  }
  [operators.div](k: number, receiverOnRight: boolean): Vec {
    if (receiverOnRight) throw new TypeError('number / Vec is not defined');
    return new Vec(this.x / k, this.y / k);
  }
  [operators.neg](): Vec {
    return new Vec(-this.x, -this.y);
  }
}

// TypeScript does not know the rewrite gives Vec these operators, hence the casts.
type Untyped = any;

describe('user-defined operators', () => {
  it('+ - * / and unary - dispatch to the operand that defines them, either side', () => {
    const a = new Vec(1, 2);
    const b = new Vec(3, 5);
    const A: Untyped = a;
    const B: Untyped = b;
    expect(A + B).toEqual(new Vec(4, 7));
    expect(A - B).toEqual(new Vec(-2, -3));
    expect(A * 2).toEqual(new Vec(2, 4));
    expect(2 * A).toEqual(new Vec(2, 4)); // the receiver on the right
    expect(A * B).toBe(13);
    expect(B / 2).toEqual(new Vec(1.5, 2.5));
    expect(-A).toEqual(new Vec(-1, -2));
    let c: Untyped = a;
    c += B;
    c -= A;
    expect(c).toEqual(b);
  });
  it('gradients flow through them, checked against finite differences', () => {
    const f = (p: Vec) => {
      const P: Untyped = p;
      const shift: Untyped = new Vec(1, 1);
      const q: Untyped = -((P * 3 - shift) / 2);
      return (q * q) as number; // |q|²
    };
    const [g] = gradient(f, new Vec(0.7, -1.3));
    expectMatchesFiniteDifferences(f, () => new Vec(0.7, -1.3), g);
  });
  it('objects without them keep JavaScript meaning', () => {
    const money: Untyped = { valueOf: () => 5 };
    const label: Untyped = { toString: () => 'p' };
    expect(money + 1).toBe(6);
    expect(money * 2).toBe(10);
    expect(label + '!').toBe('p!');
    const one: Untyped = [1];
    expect(one + 1).toBe('11');
    const empty: Untyped = {};
    expect(empty - 1).toBeNaN();
    expect(-money).toBe(-5);
    const [g] = gradient((x: number) => x * money, 3);
    expect(g).toBe(5);
  });
});
