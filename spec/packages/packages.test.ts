// Real numeric packages, unmodified, rewritten by the transform: every result must be
// identical to the published package's (Object.is per number, deep equality otherwise).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundlePair } from './bundle.js';

// The packages are driven dynamically (namespaces, a callable chroma); their typings are not the point here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

/** Deterministic data (an LCG), so both libraries see the same inputs. */
function lcg(seed: number, n: number, scale = 100): number[] {
  const out: number[] = [];
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(((s / 2 ** 32) * scale) - scale / 4);
  }
  return out;
}

const xs = lcg(1, 200);
const ys = xs.map((x, i) => 2 * x + lcg(7, 200, 10)[i]!);
const ints = lcg(3, 50, 20).map((v) => Math.round(v));
const small = [1, 2, 2, 3, 3, 3, 4, 10];

async function loadPair(name: string, entry: string): Promise<{ plain: Lib; rewritten: Lib }> {
  const urls = await bundlePair(name, entry);
  // The rewritten bundle must really be rewritten: it calls into the runtime, behind the
  // inline plain-number fast paths (the transform's default).
  const rewritten = readFileSync(new URL(urls.rewritten), 'utf8');
  expect(rewritten).toContain('.mul(');
  expect(rewritten).toMatch(/typeof __zy\$\d+ === "number" \?/);
  return { plain: (await import(urls.plain)) as Lib, rewritten: (await import(urls.rewritten)) as Lib };
}

function compareAll(get: () => { plain: Lib; rewritten: Lib }, cases: Record<string, (lib: Lib) => unknown>): void {
  for (const [name, f] of Object.entries(cases)) {
    it(name, () => {
      const { plain, rewritten } = get();
      let expected: unknown;
      let actual: unknown;
      try { expected = f(plain); } catch (e) { expected = { threw: String(e) }; }
      try { actual = f(rewritten); } catch (e) { actual = { threw: String(e) }; }
      // A case that throws in the published package is a broken case, not a comparison.
      expect(expected).not.toHaveProperty('threw');
      expect(actual).toEqual(expected);
    });
  }
}

describe('simple-statistics, rewritten', () => {
  let libs: { plain: Lib; rewritten: Lib };
  beforeAll(async () => { libs = await loadPair('simple-statistics', "export * from 'simple-statistics';"); });
  compareAll(() => libs, {
    'mean, median, mode, sums': (ss) => [ss.mean(xs), ss.median(xs), ss.mode(small), ss.modeFast(small), ss.sum(xs), ss.sumSimple(xs), ss.product(small), ss.min(xs), ss.max(xs), ss.extent(xs)],
    'means of all kinds': (ss) => [ss.harmonicMean(small), ss.geometricMean(small), ss.rootMeanSquare(xs), ss.logAverage(small), ss.addToMean(3, 4, 10), ss.combineMeans(2, 3, 4, 5), ss.subtractFromMean(3, 4, 1)],
    'variances and deviations': (ss) => [ss.variance(xs), ss.sampleVariance(xs), ss.standardDeviation(xs), ss.sampleStandardDeviation(xs), ss.medianAbsoluteDeviation(xs), ss.interquartileRange(xs), ss.coefficientOfVariation(small), ss.combineVariances(1, 2, 3, 4, 5, 6), ss.sumNthPowerDeviations(xs, 3)],
    'quantiles and ranks': (ss) => [ss.quantile(xs, [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]), ss.quantile(small, 0.33), ss.quantileRank(xs, 10), ss.quantileSorted([...small].sort((a, b) => a - b), 0.5), ss.numericSort([...ints]), ss.uniqueCountSorted([...ints].sort((a, b) => a - b))],
    'regressions and correlation': (ss) => {
      const pts = xs.map((x, i) => [x, ys[i]]);
      const lr = ss.linearRegression(pts);
      return [lr, ss.linearRegressionLine(lr)(3.5), ss.rSquared(pts, ss.linearRegressionLine(lr)), ss.sampleCorrelation(xs, ys), ss.sampleCovariance(xs, ys), ss.sampleRankCorrelation(xs.slice(0, 40), ys.slice(0, 40))];
    },
    'shape statistics': (ss) => [ss.sampleSkewness(xs), ss.sampleKurtosis(xs), ss.zScore(5, 3, 2), ss.relativeError(1.01, 1), ss.approxEqual(1, 1.00001, 0.001)],
    'distributions and special functions': (ss) => [
      ss.cumulativeStdNormalProbability(0.7), ss.cumulativeStdLogisticProbability(0.3), ss.errorFunction(0.5), ss.inverseErrorFunction(0.3), ss.probit(0.9), ss.logit(0.2),
      ss.gamma(4.5), ss.gammaln(10.2), ss.factorial(10), ss.bernoulliDistribution(0.3), ss.binomialDistribution(10, 0.4), ss.poissonDistribution(3),
      ss.chiSquaredGoodnessOfFit(ints.map((v) => Math.abs(v) % 6), ss.poissonDistribution, 0.05),
    ],
    'tests of hypotheses': (ss) => [ss.tTest(xs, 10), ss.tTestTwoSample(xs.slice(0, 50), ys.slice(0, 50), 0), ss.wilcoxonRankSum(xs.slice(0, 30), ys.slice(0, 30))],
    'clustering and breaks': (ss) => [ss.ckmeans(xs.slice(0, 60), 4), ss.jenks(xs.slice(0, 60), 3), ss.equalIntervalBreaks(xs, 5), ss.chunk(small, 3)],
    'combinatorics': (ss) => [ss.combinations([1, 2, 3, 4], 2), ss.combinationsReplacement([1, 2, 3], 2), ss.permutationsHeap([1, 2, 3])],
    'weighted statistics and kernels': (ss) => [ss.weightedMean(small, small), ss.weightedVariance(small, small), ss.weightedStandardDeviation(small, small), ss.kernelDensityEstimation(xs.slice(0, 50))(3), ss.silhouette(xs.slice(0, 20).map((x) => [x]), xs.slice(0, 20).map((x) => (x > 20 ? 1 : 0)))],
    'stateful models': (ss) => {
      const p = new ss.PerceptronModel();
      for (let epoch = 0; epoch < 5; epoch++) for (let i = 0; i < 30; i++) p.train([xs[i], ys[i]], xs[i]! > 20 ? 1 : 0);
      const b = new ss.BayesianClassifier();
      b.train({ species: 'cat', size: 'small' }, 'animal');
      b.train({ species: 'oak', size: 'big' }, 'plant');
      return [p.weights, p.bias, p.predict([10, 20]), b.score({ species: 'cat' })];
    },
    'errors are the same': (ss) => [(() => { try { return ss.mean([]); } catch (e) { return String(e); } })(), (() => { try { return ss.sampleVariance([1]); } catch (e) { return String(e); } })()],
  });
});

describe('culori, rewritten', () => {
  let libs: { plain: Lib; rewritten: Lib };
  beforeAll(async () => { libs = await loadPair('culori', "export * from 'culori';"); });
  const colors = ['#ff8800', 'rebeccapurple', 'hsl(120 50% 40%)', 'rgb(10% 20% 30% / 0.5)', 'lab(50 20 -30)', 'oklch(0.7 0.1 200)', '#0000', 'color(display-p3 1 0 0)'];
  compareAll(() => libs, {
    'parse and convert': (c) => colors.map((s) => { const p = c.parse(s); return [p, c.rgb(p), c.hsl(p), c.hsv(p), c.lab(p), c.lch(p), c.oklab(p), c.oklch(p), c.xyz65(p), c.hwb(p), c.cubehelix(p)]; }),
    'format': (c) => colors.map((s) => [c.formatHex(s), c.formatHex8(s), c.formatRgb(s), c.formatHsl(s), c.formatCss(c.oklch(s))]),
    'color differences': (c) => {
      const fs = [c.differenceCiede2000(), c.differenceCie94(), c.differenceCie76(), c.differenceEuclidean('oklab'), c.differenceCmc(), c.differenceHyab(), c.differenceKotsarenkoRamos()];
      return fs.map((d) => colors.slice(0, 6).map((a) => d(a, '#123456')));
    },
    'interpolation and samples': (c) => [c.interpolate(['red', 'blue', 'lime'], 'lch')(0.3), c.interpolate(['#fff', '#000'], 'oklab')(0.75), c.samples(7).map(c.interpolate(['yellow', 'navy'], 'hsl')), c.interpolate([c.interpolatorSplineBasis && 'red', 'green', 'blue'], 'rgb', { r: c.interpolatorSplineBasis, g: c.interpolatorSplineNatural })(0.4)],
    'gamut, contrast, luminance': (c) => colors.map((s) => [c.displayable(s), c.clampRgb(c.lch(s)), c.clampChroma(c.lch(s), 'lch'), c.toGamut('rgb')(s), c.wcagLuminance(s), c.wcagContrast(s, 'white')]),
    'blend, average, nearest, filters': (c) => [c.blend(['red', 'rgba(0 0 255 / 0.5)']), c.average(colors.slice(0, 4), 'oklab'), c.nearest(['red', 'green', 'blue'])('#f01020'), c.filterBrightness(1.5)('#336699'), c.filterSepia(0.8)('tomato'), c.filterDeficiencyProt(0.5)('teal')],
  });
});

describe('chroma-js, rewritten', () => {
  let libs: { plain: Lib; rewritten: Lib };
  beforeAll(async () => {
    const pair = await loadPair('chroma-js', "export { default } from 'chroma-js';");
    libs = { plain: pair.plain['default'] as Lib, rewritten: pair.rewritten['default'] as Lib };
  });
  const inputs = ['#ff8800', 'hotpink', 'rgb(10,200,30)', 'hsl(200,50%,40%)', '#123'];
  compareAll(() => libs, {
    'conversions': (chroma) => inputs.map((s) => { const c = chroma(s); return [c.hex(), c.rgb(), c.rgba(), c.hsl(), c.hsv(), c.hsi(), c.lab(), c.lch(), c.hcl(), c.oklab(), c.oklch(), c.cmyk(), c.gl(), c.num(), c.css(), c.temperature(), c.luminance()]; }),
    'manipulation': (chroma) => inputs.map((s) => { const c = chroma(s); return [c.darken().hex(), c.brighten(2).hex(), c.saturate().hex(), c.desaturate(2).hex(), c.luminance(0.3).hex(), c.set('hsl.h', '*0.5').hex(), c.alpha(0.3).css(), c.shade(0.2).hex(), c.tint(0.5).hex()]; }),
    'mix, average, blend': (chroma) => [chroma.mix('red', 'blue', 0.3, 'lab').hex(), chroma.mix('red', 'blue', 0.5, 'lch').hex(), chroma.average(inputs, 'lab').hex(), chroma.average(inputs, 'rgb', [1, 2, 3, 4, 5]).hex(), chroma.blend('#4cbbfc', '#eeee22', 'multiply').hex(), chroma.blend('#4cbbfc', '#eeee22', 'overlay').hex()],
    'scales and bezier': (chroma) => [chroma.scale(['yellow', '008ae5']).mode('lch').colors(6), chroma.scale('RdYlBu').domain([0, 100]).classes(5)(37).hex(), chroma.bezier(['white', 'yellow', 'red', 'black']).scale().colors(5), chroma.cubehelix().start(200).rotations(-0.5).gamma(0.8).lightness([0.3, 0.8]).scale().colors(4)],
    'contrast, deltaE, distance, limits': (chroma) => [chroma.contrast('pink', 'hotpink'), chroma.deltaE('#ededee', '#edeeed'), chroma.deltaE('#ececee', '#eceeec', 2, 1), chroma.distance('#fff', '#ff0', 'rgb'), chroma.distance('#fff', '#f0f', 'lab'), chroma.limits(xs, 'q', 5), chroma.limits(xs, 'e', 4), chroma.limits(xs.slice(0, 40), 'k', 3), chroma.temperature(6500).hex(), chroma.valid('nope')],
  });
});
