// One gradient per argument: ∂(a·b)/∂a = b and ∂(a·b)/∂b = a.
import { gradient, pullback } from 'zygote-ts';

// pullback: the value, and a function mapping a cotangent back.
const [y, back] = pullback((a: number, b: number) => a * b, 2, 3);
y;
back(1);
back(10);

gradient((a: number, b: number) => a * b, 2, 3); // [3, 2]
