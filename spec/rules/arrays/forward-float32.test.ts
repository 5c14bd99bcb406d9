// Every row of the array tables under forward mode in float32: float32 inputs give float32
// tangents (a JavaScript number where the operation reduces to one), whether the direction
// is float32 or float64 (a tangent takes its value's dtype, as a cotangent takes its
// operand's), equal to float64's on the same rounded inputs within float32's precision; and
// the same for H·v by forward over reverse.
import { describe, expect, it } from 'vitest';
import { astype, densegradient, jvp, NDArray, type Dtype } from 'zygote-ts';
import { expectClose, numbersOf, weigh, type ArrayFn, type Input } from './check.js';
import { direction, expectTangentOf } from './check-forward.js';
import { tables } from './tables.js';

// (as spec/rules/arrays/float32.test.ts: float32 rounds at 6e-8, and cases chain a few operations)
const TOL = 1e-4;

const cast = (x: Input, dtype: Dtype): Input => (typeof x === 'number' ? x : astype(x, dtype));

function checkForwardFloat32(name: string, f: ArrayFn, inputs: Input[], second: boolean): void {
  const in32 = inputs.map((x) => cast(x, 'float32'));
  const in64 = in32.map((x) => cast(x, 'float64'));
  const d64 = inputs.map((x, k) => direction(x, 101 + k));
  const d32 = d64.map((d) => cast(d, 'float32'));
  const reference = jvp(f, in64, d32.map((d) => cast(d, 'float64')))[1] as Input;
  for (const [dirs, kind] of [[d32, 'float32'], [d64, 'float64']] as const) {
    const [y, dy] = jvp(f, in32, [...dirs]);
    // (f returning an argument itself runs no operation: its tangent is the seed as given)
    if (!in32.includes(y as Input)) expectTangentOf(dy, y, `${name}: tangent along a ${kind} direction`);
    if (y instanceof NDArray && inputs.some((x) => x instanceof NDArray)) expect(y.dtype, `${name}: value`).toBe('float32');
    // (a float64 direction is the float32 one's numbers plus what float32 rounds away)
    expectClose(dy as Input, numbersOf(reference), kind === 'float32' ? TOL : 1e-3, `${name}: tangent along a ${kind} direction`);
  }
  if (!second) return;
  const w = weigh(f(...in64), 7);
  const L = (...xs: Input[]) => w(f(...xs));
  const gradientOf = (...xs: Input[]) => densegradient(L, ...xs) as Input[];
  const [, hv32] = jvp(gradientOf, in32, d32) as [unknown, Input[]];
  const [, hv64] = jvp(gradientOf, in64, d32.map((d) => cast(d, 'float64'))) as [unknown, Input[]];
  in32.forEach((x, k) => {
    expectTangentOf(hv32[k], x, `${name}: H·v, argument ${k}`);
    expectClose(hv32[k]!, numbersOf(hv64[k]!), TOL, `${name}: H·v by forward over reverse, argument ${k}`);
  });
}

for (const [domain, table] of Object.entries(tables)) {
  describe(`forward mode through array rules in float32: ${domain}`, () => {
    for (const [name, cases] of Object.entries(table)) {
      it(name, () => {
        for (const c of cases) checkForwardFloat32(`${name} (${c.label ?? 'basic'})`, c.f, c.inputs, c.second ?? true);
      });
    }
  });
}
