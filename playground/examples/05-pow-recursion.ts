// Recursion too: pow2(x, n) = x · pow2(x, n − 1).
import { gradient } from 'zygote-ts';

const pow2 = (x: number, n: number): number => (n <= 0 ? 1 : x * pow2(x, n - 1));

gradient((x: number) => pow2(x, 3), 5); // [75]
