// `*` of three numbers: each partial is the product of the others.
import { gradient } from 'zygote-ts';

const f = (a: number, b: number, c: number) => a * b * c;

gradient(f, 2, 3, 5); // [15, 10, 6]
