// `*` of three numbers: each partial is the product of the other two.
import { gradient } from 'zygote-ts';

gradient((a: number, b: number, c: number) => a * b * c, 2, 3, 5); // [15, 10, 6]
