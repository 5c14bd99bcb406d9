// Exact rationals: fraction.js instances are traced values once
// numberField knows the class. The seed's
// gradient(x -> 3x^2 + 2x + 1, 1//4) is exactly 7//2.
import Fraction from 'fraction.js';
import { gradient, numberField } from 'zygote-ts';

numberField(Fraction);

const f = (x: any) => 3 * x ** 2 + 2 * x + 1;
gradient(f, new Fraction(1, 4)); // [7/2]

const ratio = (a: any, b: any) => a / b;
gradient(ratio, new Fraction(2), new Fraction(3)); // [1/3, -2/9]
