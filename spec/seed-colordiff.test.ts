// The seed's colordiff example (Zygote's docs, with Colors.jl):
//   colordiff(RGB(1, 0, 0), RGB(0, 1, 0))            == 86.60823557376344
//   gradient(colordiff, RGB(1, 0, 0), RGB(0, 1, 0)) == ((r = 0.4590887719632896, g = -9.598786801605689, b = 14.181383399012862),
//                                                       (r = -1.7697549557037275, g = 28.88472330558805, b = -0.044793892637761346))
// CIEDE2000 written in TypeScript with Colors.jl's constants (examples/colors-jl.ts). `RGB(1, 0, 0)`
// in Julia holds 8-bit channels, and Colors.jl converts those to XYZ and Lab in Float32: with
// those two roundings (Math.fround, whose derivative is 1, as Zygote treats the conversion)
// the value and the gradient are the seed's to 10⁻¹⁰; the small remainder is Colors.jl's
// further Float32 steps inside colordiff. In Float64 the gradient is checked against central
// finite differences.
import { describe, expect, it } from 'vitest';
import { gradient, withgradient } from 'zygote-ts';
import { colordiffOf, RGB } from '../examples/colors-jl.js';

const red = new RGB(1, 0, 0);
const green = new RGB(0, 1, 0);

describe('the seed, colordiff(RGB(1, 0, 0), RGB(0, 1, 0)) as Colors.jl computes it', () => {
  it('with Colors.jl’s Float32 XYZ and Lab: the seed’s value and gradient, to 10 digits', () => {
    const colordiff = colordiffOf(Math.fround);
    expect(colordiff(red, green)).toBeCloseTo(86.60823557376344, 9);
    const { val, grad } = withgradient(colordiff, red, green);
    expect(val).toBe(colordiff(red, green));
    const [dRed, dGreen] = grad;
    expect(dRed!.r).toBeCloseTo(0.4590887719632896, 9);
    expect(dRed!.g).toBeCloseTo(-9.598786801605689, 9);
    expect(dRed!.b).toBeCloseTo(14.181383399012862, 9);
    expect(dGreen!.r).toBeCloseTo(-1.7697549557037275, 9);
    expect(dGreen!.g).toBeCloseTo(28.88472330558805, 9);
    expect(dGreen!.b).toBeCloseTo(-0.044793892637761346, 9);
  });
  it('in Float64: the value plain JavaScript computes, the gradient central differences give', () => {
    const colordiff = colordiffOf((v) => v);
    const { val, grad } = withgradient(colordiff, red, green);
    expect(val).toBe(86.60823745353733);
    const h = 1e-6;
    const bump = (c: RGB, key: 'r' | 'g' | 'b', by: number) => new RGB(c.r + (key === 'r' ? by : 0), c.g + (key === 'g' ? by : 0), c.b + (key === 'b' ? by : 0));
    for (const key of ['r', 'g', 'b'] as const) {
      const dRed = (colordiff(bump(red, key, h), green) - colordiff(bump(red, key, -h), green)) / (2 * h);
      const dGreen = (colordiff(red, bump(green, key, h)) - colordiff(red, bump(green, key, -h))) / (2 * h);
      expect(grad[0]![key]).toBeCloseTo(dRed, 6);
      expect(grad[1]![key]).toBeCloseTo(dGreen, 6);
    }
    // the caller's colours are untouched
    expect(red).toEqual(new RGB(1, 0, 0));
    expect(gradient(colordiff, red, green)[0]).toEqual(grad[0]);
  });
});
