// The seed's first example: the derivative of a polynomial.
// f(x) = 3x² + 2x + 1, so f′(x) = 6x + 2 and f′(5) = 32.
import { derivative, gradient, hessian, withgradient } from 'zygote-ts';

const f = (x: number) => 3 * x ** 2 + 2 * x + 1;

withgradient(f, 5);  // the value and the gradient
hessian(f, 5);       // f″(x) = 6
derivative(f, 5);    // the same as gradient, for one number
gradient(f, 5);      // [32]: the plot below marks the point
