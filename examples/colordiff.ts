// Colour difference, as in Zygote's documentation (`gradient(colordiff, RGB(1, 0, 0),
// RGB(0, 1, 0))` with Colors.jl), through two npm packages that know nothing of zygote-ts:
// culori's CIEDE2000 and chroma-js's deltaE (also CIEDE2000, with Colors.jl's constants
// kL = kC = kH = 1). The packages are rewritten when they are loaded because they are
// listed in ZYGOTE_INCLUDE; each gradient is checked against central finite differences.
//
// Run: ZYGOTE_INCLUDE=culori,chroma-js node --import zygote-ts/register examples/colordiff.ts
//  or: ZYGOTE_INCLUDE=culori,chroma-js npx zygote examples/colordiff.ts
import chroma from 'chroma-js';
import { differenceCiede2000 } from 'culori';
import { configure, gradient } from 'zygote-ts';

// Stop at the spot if any derivative were lost (e.g. the packages were not rewritten).
configure({ strict: true });

/** Central finite differences of f at x, one coordinate at a time. */
function finiteDifferences(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((xi, i) => {
    const plus = x.slice();
    const minus = x.slice();
    plus[i] = xi + h;
    minus[i] = xi - h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

const digits = (xs: number[]) => `[${xs.map((v) => v.toFixed(5)).join(', ')}]`;

// ---- culori: colours as { mode: 'rgb', r, g, b } records in [0, 1] ----------------------
interface Rgb { mode: 'rgb'; r: number; g: number; b: number }
const colordiff = differenceCiede2000();
const red: Rgb = { mode: 'rgb', r: 1, g: 0, b: 0 };
const green: Rgb = { mode: 'rgb', r: 0, g: 1, b: 0 };

console.log('culori: differenceCiede2000()(red, green) =', colordiff(red, green)); // 86.60781444907963
const [dRed, dGreen] = gradient((a: Rgb, b: Rgb) => colordiff(a, b), red, green);
console.log('  gradient, first colour :', dRed);  // { mode: null, r: 0.45663…, g: -9.60052…, b: 14.18508… }
console.log('  gradient, second colour:', dGreen);
const asRgb = (v: number[]): Rgb => ({ mode: 'rgb', r: v[0]!, g: v[1]!, b: v[2]! });
console.log('  finite differences     :', digits(finiteDifferences((v) => colordiff(asRgb(v), green), [1, 0, 0])));

// ---- chroma-js: colours as [r, g, b] arrays in [0, 255] ---------------------------------
// A pair away from chroma's clamps to 0 and 255 (there the derivative is one-sided).
type Triple = [number, number, number];
const orange: Triple = [200, 100, 50];
const blue: Triple = [60, 120, 210];
const deltaE = (a: Triple, b: Triple) => chroma.deltaE(chroma.rgb(...a), chroma.rgb(...b));

console.log('\nchroma-js: deltaE(orange, blue) =', deltaE(orange, blue));
const [dOrange, dBlue] = gradient(deltaE, orange, blue);
console.log('  gradient, first colour :', digits(dOrange ?? []));
console.log('  gradient, second colour:', digits(dBlue ?? []));
console.log('  finite differences     :', digits(finiteDifferences((v) => deltaE(v as Triple, blue), orange)));
