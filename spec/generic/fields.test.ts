// Generic numbers: exact rationals, decimals and complex numbers as traced values.
import { Complex } from 'complex.js';
import { Decimal } from 'decimal.js';
import Fraction from 'fraction.js';
import { describe, expect, it } from 'vitest';
import { checkpointed, gradient, hvp, jvp, numberField, pullback, pushforward, rule, withgradient } from 'zygote-ts';

numberField(Fraction);
numberField(Decimal, { add: 'plus', sub: 'minus', mul: 'times', div: 'div', neg: 'neg', pow: 'pow' });
numberField(Complex);

type Untyped = any; // TypeScript cannot type operators on objects; the rewrite makes them work
const Fr = (n: number, d = 1): Untyped => new Fraction(n, d);

describe('exact rationals (fraction.js), as the seed does with 1//4', () => {
  it('gradient(x -> 3x^2 + 2x + 1, 1//4) is exactly 7//2', () => {
    const [g] = gradient((x: Untyped) => 3 * x ** 2 + 2 * x + 1, new Fraction(1, 4));
    expect(g).toBeInstanceOf(Fraction);
    expect((g as unknown as Fraction).equals(new Fraction(7, 2))).toBe(true);
  });
  it('a / b gives 1/3 and -2/9', () => {
    const [ga, gb] = gradient((a: Untyped, b: Untyped) => a / b, new Fraction(2), new Fraction(3));
    expect((ga as unknown as Fraction).toFraction()).toBe('1/3');
    expect((gb as unknown as Fraction).toFraction()).toBe('-2/9');
  });
  it('a pullback scaled by a number stays exact; subtraction and negation from either side', () => {
    const [y, back] = pullback((x: Untyped) => 1 - x * x - -x, new Fraction(1, 3));
    expect((y as unknown as Fraction).toFraction()).toBe('11/9');
    expect((back(3)[0] as unknown as Fraction).toFraction()).toBe('1'); // 3 · (1 − 2/3)
  });
});

describe('other fields', () => {
  it('decimal.js: exact decimal arithmetic', () => {
    const [g] = gradient((x: Untyped) => x * x * 3 - 1 / x, new Decimal('0.1'));
    expect(String(g)).toBe('100.6'); // 6x + 1/x²
  });
  it('complex.js: the complex derivative of a holomorphic function', () => {
    const [g] = gradient((z: Untyped) => z * z + 2 * z, new Complex(1, 2));
    expect(String(g)).toBe('4 + 4i'); // 2z + 2
  });
  it('a class without the named method is refused clearly', () => {
    class Odd {
      plus() {}
    }
    expect(() => numberField(Odd)).toThrow(/Odd\.prototype\.add is not a method/);
  });
});

// A traced value that holds a field's instance must answer as that instance does in plain
// (rewritten) code: each `f` here gives the same value differentiated as when called.
describe('a field instance keeps its meaning while traced (fraction.js)', () => {
  const third = Fr(1, 3);
  const equalButOther = Fr(1, 3);
  const agree = (f: (x: Untyped) => Untyped, x: Untyped, grad: string) => {
    const plainValue = f(x);
    const { val, grad: [g] } = withgradient(f, x);
    expect(String(val)).toBe(String(plainValue));
    expect(typeof val).toBe(typeof plainValue);
    expect(String(g)).toBe(String(new Fraction(grad)));
  };
  it('Math.max and Math.min choose it by its number (chose 0.1 over 1/3, derivative 0)', () => {
    agree((x) => Math.max(x, 0.1), third, '1');
    agree((x) => Math.min(x, 1), third, '1');
    agree((x) => Math.max(0.1, x, Fr(1, 10)), third, '1');
    agree((x) => Math.min(x, 1) * 3, Fr(2), '0');
  });
  it('typeof is "object" and instanceof its class (took the number branch: 1/3 for 2/3)', () => {
    agree((x) => (typeof x === 'object' ? 2 * x : x), third, '2');
    agree((x) => (typeof x === 'number' ? x : 2 * x), third, '2');
    agree((x: Untyped) => (x instanceof Fraction ? 2 * (x as Untyped) : x), third, '2');
  });
  it('== and Object.is compare it as an object: an equal Fraction is another object', () => {
    agree((x) => (x == equalButOther ? x : 2 * x), third, '2');
    agree((x) => (x != equalButOther ? 2 * x : x), third, '2');
    agree((x) => (x == third ? 2 * x : x), third, '2'); // (the argument itself)
    agree((x) => (Object.is(x, third) ? 2 * x : x), third, '2');
    agree((x) => (Object.is(x, equalButOther) ? x : 2 * x), third, '2');
    agree((x) => (x == 1 / 3 ? 2 * x : x), third, '2'); // (with a number: converted)
  });
  it('a constant instance meets a traced one in every operator, exactly (threw "Invalid argument")', () => {
    agree((x) => x * Fr(2, 3), third, '2/3');
    agree((x) => Fr(2) + x, third, '1');
    agree((x) => Fr(2) - x, third, '-1');
    agree((x) => Fr(2) / x, third, '-18');
    agree((x) => x / Fr(2), third, '1/2');
    agree((x) => x ** Fr(2), third, '2/3');
    agree((x) => { let y = Fr(1, 7); y += x; return y * y; }, third, '20/21');
  });
  it('a traced number meets a constant instance', () => {
    const { val, grad } = withgradient((x: Untyped) => x * Fr(1, 3), 2);
    expect(String(val)).toBe('0.(6)');
    expect(String(grad[0])).toBe('0.(3)');
  });
  it('nested gradients of fractions (threw "Invalid argument")', () => {
    const [g] = gradient((x: Untyped) => gradient((y: Untyped) => x * y * y, Fr(1, 3))[0], Fr(1, 2));
    expect(String(g)).toBe('0.(6)'); // d/dx (2xy) at y = 1/3
    const [h] = gradient((x: Untyped) => gradient((y: Untyped) => x * x * y, Fr(1, 3))[0], Fr(1, 2));
    expect(String(h)).toBe('1'); // d/dx x² = 2x
  });
});

describe('ToNumber of a traced field instance is its number, derivative and all', () => {
  const third = Fr(1, 3);
  it('+x, Number(x) and x++ give a number, as plain code does (gave a Fraction: (+x).toFixed threw)', () => {
    for (const f of [(x: Untyped) => +x * 3, (x: Untyped) => Number(x) * 3, (x: Untyped) => { let y = x; y++; return y * 3; }]) {
      const plainValue = f(third);
      const { val, grad } = withgradient(f, third);
      expect(typeof plainValue).toBe('number');
      expect(typeof val).toBe('number');
      expect(val).toBeCloseTo(plainValue, 15);
      expect(Number(grad[0])).toBe(3);
    }
    expect(withgradient((x: Untyped) => (+x).toFixed(2).length * x, third).val.toString()).toBe('1.(3)');
  });
  it('where the primitive is not the instance (complex.js off the real axis: null), a constant', () => {
    const f = (z: Untyped) => Number(z) * 3 + z; // Number(1 + 2i) is 0
    const { val, grad } = withgradient(f, new Complex(1, 2));
    expect(String(val)).toBe(String(f(new Complex(1, 2))));
    expect(String(grad[0])).toBe('1');
    expect(String(gradient(f, new Complex(2, 0))[0])).toBe('4'); // (on it: Number(2) is 2)
  });
  it('in a nested differentiation', () => {
    const [g] = gradient((x: Untyped) => gradient((y: Untyped) => Number(x) * +y * +y, Fr(1, 3))[0], Fr(1, 2));
    expect(Number(g)).toBeCloseTo(2 / 3, 15);
  });
});

describe('searches find a traced field instance as the instance it holds', () => {
  const third = Fr(1, 3);
  it('indexOf, includes, Set and Map membership of the argument\'s own instance (found nothing: 2/3 for 1/3)', () => {
    const cases = [
      (x: Untyped) => ([third].indexOf(x) === 0 ? x : 2 * x),
      (x: Untyped) => ([Fr(1, 3), third].includes(x) ? x : 2 * x),
      (x: Untyped) => (new Set([x]).has(third) ? x : 2 * x),
      (x: Untyped) => { const s = new Set(); s.add(x); return s.has(third) ? x : 2 * x; },
      (x: Untyped) => (new Map([[x, 1]]).get(third) === 1 ? x : 2 * x),
      (x: Untyped) => ([Fr(1, 3)].indexOf(x) < 0 ? x : 2 * x), // (an equal instance is another object)
      (x: Untyped) => (new Set([x]).has(Fr(1, 3)) ? 2 * x : x),
    ];
    for (const f of cases) {
      expect(String(f(third))).toBe('0.(3)');
      const { val, grad } = withgradient(f, third);
      expect(String(val)).toBe('0.(3)');
      expect(String(grad[0])).toBe('1');
    }
  });
});

describe('custom rules and checkpointed take field instances as numbers', () => {
  it('a rule of fractions (refused: "must return … a number or an NDArray value, got object")', () => {
    const mul = rule((a: Untyped, b: Untyped) => a * b, (a, b) => [a * b, (c: Untyped) => [c * b, c * a]]);
    const [ga, gb] = gradient(mul, Fr(1, 2), Fr(1, 3));
    expect(String(ga)).toBe('0.(3)');
    expect(String(gb)).toBe('0.5');
  });
  it('checkpointed of a fraction (refused: "f returned an object")', () => {
    const [g] = gradient((x: Untyped) => checkpointed((y: Untyped) => y * y * y, x) * 2, Fr(1, 3));
    expect(String(g)).toBe('0.(6)'); // 6x² exactly
  });
});

describe('an operation the field has no instance for is JavaScript\'s on the numbers', () => {
  it('an irrational power of a fraction (fraction.js gives null, taken as 0: x ** 0.5 + 1 was 1, derivative 0)', () => {
    const third = Fr(1, 3);
    const f = (x: Untyped) => x ** 0.5 + 1;
    expect(f(third)).toBeCloseTo(1 + Math.sqrt(1 / 3), 15);
    const { val, grad } = withgradient(f, third);
    expect(val).toBeCloseTo(1 + Math.sqrt(1 / 3), 15);
    expect(Number(grad[0])).toBeCloseTo(0.5 / Math.sqrt(1 / 3), 12);
    const [g] = gradient((x: Untyped) => 2 ** x * 1, third);
    expect(Number(g)).toBeCloseTo(2 ** (1 / 3) * Math.log(2), 12);
    expect(String(gradient((x: Untyped) => x ** 2, third)[0])).toBe('0.(6)'); // (a rational power stays exact)
  });
});

// (a field instance given as a tangent was refused, "a number's tangent is a number", though a
// rule's cotangent may be one: jvp of fractions could only move along plain numbers, inexactly)
describe('forward mode takes field instances as tangents', () => {
  it('jvp, pushforward and hvp along fractions stay exact', () => {
    const [y, dy] = jvp((a: Untyped, b: Untyped) => a / b, [Fr(2), Fr(3)], [Fr(1), Fr(1)]);
    expect([String(y), String(dy)]).toEqual(['0.(6)', '0.(1)']); // 1/3 − 2/9
    expect(String(pushforward((x: Untyped) => x * x * x, Fr(1, 2))(Fr(1, 3))[1])).toBe('0.25'); // 3x² · 1/3
    expect(String(hvp((v: Untyped[]) => v[0] ** 3, [Fr(1, 2)], [Fr(1)])[0])).toBe('3');
    const [, dz] = jvp((z: Untyped) => z * z, [new Complex(1, 2)], [new Complex(0, 1)]);
    expect(String(dz)).toBe('-4 + 2i'); // 2z · i
  });
});
