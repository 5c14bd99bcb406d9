// The scalar examples of Zygote's documentation, in TypeScript.
// Run: npm start   (node --import zygote-ts/register examples/seed.ts)
import { derivative, gradient, hessian, pullback, withgradient } from 'zygote-ts';

const show = (code: string, value: unknown) => console.log(`${code.padEnd(58)} ${format(value)}`);
const format = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(format).join(', ')}]` : v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);

console.log('zygote-ts — the seed examples (Zygote’s docs) in TypeScript\n');

show('gradient(x => 3*x**2 + 2*x + 1, 5)', gradient((x: number) => 3 * x ** 2 + 2 * x + 1, 5));
show('gradient((a, b) => a*b, 2, 3)', gradient((a: number, b: number) => a * b, 2, 3));
show('gradient((a, b, c) => a*b*c, 2, 3, 5)', gradient((a: number, b: number, c: number) => a * b * c, 2, 3, 5));

// Control flow is fully supported, including recursion.
function pow(x: number, n: number): number {
  let r = 1;
  for (let i = 1; i <= n; i++) r *= x;
  return r;
}
const pow2 = (x: number, n: number): number => (n <= 0 ? 1 : x * pow2(x, n - 1));
show('gradient(x => pow(x, 3), 5)          // a loop', gradient((x: number) => pow(x, 3), 5));
show('gradient(x => pow2(x, 3), 5)         // recursion', gradient((x: number) => pow2(x, 3), 5));

// Closures, branches, Math, and an argument that is never used (null, Zygote's `nothing`).
const k = 10;
show('gradient(x => k * Math.sin(x), 0)    // k = 10', gradient((x: number) => k * Math.sin(x), 0));
show('gradient(x => x > 0 ? x : 0, 3)      // relu', gradient((x: number) => (x > 0 ? x : 0), 3));
show('gradient((a, b) => a * 2, 1, 2)', gradient((a: number, _b: number) => a * 2, 1, 2));

// Conveniences on the one core function, pullback.
show('withgradient(x => x**2, 3)', withgradient((x: number) => x ** 2, 3));
const [y, back] = pullback((a: number, b: number) => a * b, 2, 3);
show('pullback((a, b) => a*b, 2, 3): y, back(1), back(10)', [y, back(1), back(10)]);
show('derivative(Math.tanh, 0.5)', derivative(Math.tanh, 0.5));
show('hessian(x => x**3, 2)', hessian((x: number) => x ** 3, 2));
