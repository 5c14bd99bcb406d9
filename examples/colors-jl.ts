// Colors.jl's colordiff (CIEDE2000, the seed's `gradient(colordiff, RGB(1, 0, 0), RGB(0, 1, 0))`)
// written in TypeScript with Colors.jl's constants: its sRGB → XYZ matrix, its D65 white
// (0.95047, 1, 1.08883), ε = 216/24389, κ = 24389/27, hues in degrees. Used by `npm start`
// (examples/seed.ts) and checked against the seed's numbers in spec/seed-colordiff.test.ts.

export class RGB {
  constructor(
    readonly r: number,
    readonly g: number,
    readonly b: number,
  ) {}
}

const sind = (degrees: number) => Math.sin((degrees * Math.PI) / 180);
const cosd = (degrees: number) => Math.cos((degrees * Math.PI) / 180);
const invertCompand = (v: number) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
const labOfXyz = (v: number) => (v > 216 / 24389 ? Math.cbrt(v) : ((24389 / 27) * v + 16) / 116);

/**
 * Colors.jl's colordiff (DE_2000, kL = kC = kH = 1); `round` is applied where Colors.jl stores
 * XYZ and Lab: `Math.fround` for Julia's `RGB(1, 0, 0)` (8-bit channels, converted in Float32),
 * the identity for Float64 colours.
 */
export function colordiffOf(round: (v: number) => number) {
  function lab(c: RGB): [number, number, number] {
    const r = invertCompand(c.r);
    const g = invertCompand(c.g);
    const b = invertCompand(c.b);
    const x = round(0.4124564 * r + 0.3575761 * g + 0.1804375 * b);
    const y = round(0.2126729 * r + 0.7151522 * g + 0.072175 * b);
    const z = round(0.0193339 * r + 0.119192 * g + 0.9503041 * b);
    const fx = labOfXyz(x / 0.95047);
    const fy = labOfXyz(y / 1.0);
    const fz = labOfXyz(z / 1.08883);
    return [round(116 * fy - 16), round(500 * (fx - fy)), round(200 * (fy - fz))];
  }
  function lch(l: number, a: number, b: number): [number, number, number] {
    let h = (Math.atan2(b, a) * 180) / Math.PI;
    while (h > 360) h -= 360;
    while (h < 0) h += 360;
    return [l, Math.sqrt(a ** 2 + b ** 2), h];
  }
  return (p: RGB, q: RGB): number => {
    const [pl, pa, pb] = lab(p);
    const [ql, qa, qb] = lab(q);
    const meanChroma = (Math.sqrt(pa ** 2 + pb ** 2) + Math.sqrt(qa ** 2 + qb ** 2)) / 2;
    const g = (1 - Math.sqrt(meanChroma ** 7 / (meanChroma ** 7 + 25 ** 7))) / 2;
    const [l1, c1, h1] = lch(pl, pa * (1 + g), pb);
    const [l2, c2, h2] = lch(ql, qa * (1 + g), qb);
    const dl = l2 - l1;
    const dc = c2 - c1;
    let dh = h2 - h1;
    if (c1 * c2 === 0) dh = 0;
    else if (dh > 180) dh -= 360;
    else if (dh < -180) dh += 360;
    const dH = 2 * Math.sqrt(c1 * c2) * sind(dh / 2);
    const ml = (l1 + l2) / 2;
    const mc = (c1 + c2) / 2;
    let mh: number;
    if (c1 * c2 === 0) mh = h1 + h2;
    else if (Math.abs(h2 - h1) > 180) mh = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
    else mh = (h1 + h2) / 2;
    const mls = (ml - 50) ** 2;
    const sl = 1 + (0.015 * mls) / Math.sqrt(20 + mls);
    const sc = 1 + 0.045 * mc;
    const t = 1 - 0.17 * cosd(mh - 30) + 0.24 * cosd(2 * mh) + 0.32 * cosd(3 * mh + 6) - 0.2 * cosd(4 * mh - 63);
    const sh = 1 + 0.015 * mc * t;
    const dtheta = 30 * Math.exp(-(((mh - 275) / 25) ** 2));
    const cr = 2 * Math.sqrt(mc ** 7 / (mc ** 7 + 25 ** 7));
    const tr = -sind(2 * dtheta) * cr;
    return Math.sqrt((dl / sl) ** 2 + (dc / sc) ** 2 + (dH / sh) ** 2 + tr * (dc / sc) * (dH / sh));
  };
}
