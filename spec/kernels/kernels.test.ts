// @zygote-ignore — plain arithmetic: the reference loops below need not be rewritten.
// The kernels against plain reference loops: the JavaScript kernels, the WebAssembly SIMD
// kernels as loaded (small work goes to JavaScript), and the WebAssembly kernels forced
// to run everything (no size cutoffs), for float64 and float32.
import { execFile } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { jsKernels } from '../../lib/kernels/js.js';
import { kernels, type ElementwiseOp, type FloatArray, type Kernels } from '../../lib/kernels/index.js';
import { loadWasmKernels } from '../../lib/kernels/wasm/kernels.js';
import { kernelsModule } from '../../lib/kernels/wasm/module.js';

const noCutoffs = { matmul: 0, elementwise: 0, sum: 0, transpose: 0 };
const everythingInWasm = loadWasmKernels({ ...noCutoffs, matmulThreads: Infinity }, false)!;
/** Every matmul split between this thread and the helper (once it is ready: see beforeAll). */
const twoThreads = loadWasmKernels({ ...noCutoffs, matmulThreads: 0 })!;
const implementations: [string, Kernels][] = [
  ['js', jsKernels],
  ['wasm (as loaded)', loadWasmKernels()!],
  ['wasm (no cutoffs)', everythingInWasm],
  ['wasm (no cutoffs, two threads)', twoThreads],
];

beforeAll(async () => {
  // on a machine of one core there is no helper, and the two-thread kernels run on one
  expect(await twoThreads.whenHelperReady()).toBe(availableParallelism() >= 2);
});
const types = [Float64Array, Float32Array] as const;
type FloatArrayType = (typeof types)[number];

/** A reproducible pseudo-random array in [-1, 1) (a linear congruential generator). */
function randomArray(Type: FloatArrayType, length: number, seed: number): FloatArray {
  const x = new Type(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    x[i] = state / 2 ** 31 - 1;
  }
  return x;
}

/** op(A)·op(B) by the definition, in float64, with the sums of |products| to scale the rounding error. */
function referenceMatmul(a: FloatArray, b: FloatArray, m: number, k: number, n: number, transA: boolean, transB: boolean) {
  const c = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let size = 0;
      for (let p = 0; p < k; p++) {
        const product = (transA ? a[p * m + i]! : a[i * k + p]!) * (transB ? b[j * k + p]! : b[p * n + j]!);
        s += product;
        size += Math.abs(product);
      }
      c[i * n + j] = s;
      scale[i * n + j] = size;
    }
  }
  return { c, scale };
}

/** Relative tolerances: float64 sums in another order, float32 arithmetic (or float64 rounded once). */
const tolerance = (Type: FloatArrayType) => (Type === Float64Array ? 1e-12 : 1e-5);

/** The largest |got − expected| as a fraction of scale (at least the smallest normal float). */
function worstError(got: FloatArray, expected: Float64Array, scale: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - expected[i]!) / Math.max(scale[i]!, 1e-300));
  }
  return worst;
}

const shapes: [number, number, number][] = [
  [1, 1, 1], [1, 7, 5], [6, 9, 1], [2, 3, 4], [7, 13, 5], [5, 1, 11], [64, 64, 64], [129, 129, 129], [300, 300, 300],
  // past one block of p (KC = 256), of rows (MC = 128) and of columns (NC = 1024)
  [3, 600, 1100], [130, 257, 9],
  // the MLP's: batch 64, 784 → 128
  [64, 784, 128], [784, 64, 128],
];

describe('matmul against the definition', () => {
  for (const [label, k] of implementations) {
    for (const Type of types) {
      it(`${label}, ${Type.name}: every shape, all four transA/transB`, () => {
        for (const [m, depth, n] of shapes) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              const a = randomArray(Type, m * depth, m * 31 + depth);
              const b = randomArray(Type, depth * n, n * 17 + depth);
              const got = k.matmul(a, b, m, depth, n, transA, transB);
              const { c, scale } = referenceMatmul(a, b, m, depth, n, transA, transB);
              expect(got).toBeInstanceOf(Type);
              expect(got.length).toBe(m * n);
              const error = worstError(got, c, scale);
              if (error > tolerance(Type)) expect.fail(`${m}×${depth}·${depth}×${n} transA=${transA} transB=${transB}: relative error ${error}`);
            }
          }
        }
      });
    }
  }

  it('the kernels agree with each other to rounding, and an empty product is zeros', () => {
    const a = randomArray(Float64Array, 50 * 70, 1);
    const b = randomArray(Float64Array, 70 * 30, 2);
    const js = jsKernels.matmul(a, b, 50, 70, 30, false, false);
    const wasm = everythingInWasm.matmul(a, b, 50, 70, 30, false, false);
    for (let i = 0; i < js.length; i++) expect(wasm[i]).toBeCloseTo(js[i]!, 12);
    expect(Array.from(everythingInWasm.matmul(new Float64Array(0), new Float64Array(0), 3, 0, 2, false, false))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('a matmul larger than the memory so far grows it, and smaller ones after it still work', () => {
    const big = randomArray(Float32Array, 700 * 700, 3);
    const got = everythingInWasm.matmul(big, big, 700, 700, 700, false, true);
    const row = 123;
    const { c } = referenceMatmul(big.subarray(row * 700, row * 700 + 700), big, 1, 700, 700, false, true);
    for (let j = 0; j < 700; j += 37) expect(got[row * 700 + j]).toBeCloseTo(c[j]!, 3);
    const small = randomArray(Float64Array, 9, 4);
    const { c: expected, scale } = referenceMatmul(small, small, 3, 3, 3, false, false);
    expect(worstError(everythingInWasm.matmul(small, small, 3, 3, 3, false, false), expected, scale)).toBeLessThan(1e-12);
  });
});

const ops: Record<ElementwiseOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};

describe('elementwise, sum and transpose against plain loops', () => {
  const lengths = [1, 2, 3, 5, 8, 255, 256, 1001];
  for (const [label, k] of implementations) {
    for (const Type of types) {
      it(`${label}, ${Type.name}: elementwise with arrays and numbers on either side, exactly`, () => {
        // float32: an operation rounded from float64 equals the float32 operation (no double-rounding error for + − × ÷)
        const round = Type === Float32Array ? Math.fround : (x: number) => x;
        for (const length of lengths) {
          const x = randomArray(Type, length, length);
          const y = randomArray(Type, length, length + 1000);
          const s = round(0.3);
          for (const op of Object.keys(ops) as ElementwiseOp[]) {
            const f = ops[op];
            const cases: [FloatArray | number, FloatArray | number, (i: number) => number][] = [
              [x, y, (i) => f(x[i]!, y[i]!)],
              [x, s, (i) => f(x[i]!, s)],
              [s, y, (i) => f(s, y[i]!)],
            ];
            for (const [left, right, expected] of cases) {
              const z = k.elementwise(op, left, right);
              expect(z).toBeInstanceOf(Type);
              expect(z.length).toBe(length);
              for (let i = 0; i < length; i++) {
                if (!Object.is(z[i], round(expected(i)))) expect.fail(`${op} length ${length} at ${i}: ${z[i]} ≠ ${round(expected(i))}`);
              }
            }
          }
        }
        expect(() => k.elementwise('add', new Type(3), new Type(4))).toThrow(/lengths 3 and 4/);
      });

      it(`${label}, ${Type.name}: sum in float64, transpose exactly`, () => {
        for (const length of [...lengths, 100_000]) {
          const x = randomArray(Type, length, 7 * length);
          let expected = 0;
          let scale = 0;
          for (let i = 0; i < length; i++) {
            expected += x[i]!;
            scale += Math.abs(x[i]!);
          }
          expect(Math.abs(k.sum(x) - expected)).toBeLessThanOrEqual(1e-14 * scale);
        }
        expect(k.sum(new Type(0))).toBe(0);
        for (const [m, n] of [[1, 1], [1, 9], [9, 1], [7, 13], [17, 33], [300, 129]] as const) {
          const a = randomArray(Type, m * n, m + n);
          const t = k.transpose(a, m, n);
          expect(t).toBeInstanceOf(Type);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) if (t[j * m + i] !== a[i * n + j]) expect.fail(`${m}×${n} at ${i}, ${j}`);
        }
      });
    }
  }
});

describe('the helper thread', () => {
  it('lets a process exit by itself once its matmuls are done', async () => {
    // the kernels' source bundled with a script that uses the helper, run in a fresh Node
    const script = `
      import { loadWasmKernels } from './lib/kernels/wasm/kernels.ts';
      const k = loadWasmKernels({ matmul: 0, elementwise: 0, sum: 0, transpose: 0, matmulThreads: 0 });
      const ready = await k.whenHelperReady();
      const ones = new Float64Array(200 * 200).fill(1);
      console.log(ready, k.matmul(ones, ones, 200, 200, 200, false, false)[0]);`;
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const bundle = await build({ stdin: { contents: script, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', write: false });
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', bundle.outputFiles[0]!.text], { timeout: 20_000 });
    expect(stdout.trim()).toBe(`${availableParallelism() >= 2} 200`);
  });
});

describe('choosing the kernels', () => {
  it('WebAssembly SIMD by default in Node', () => {
    expect(kernels().name).toBe('wasm-simd');
  });

  it('ZYGOTE_KERNELS=js in the environment forces JavaScript', async () => {
    vi.stubEnv('ZYGOTE_KERNELS', 'js');
    vi.resetModules();
    try {
      const fresh = await import('../../lib/kernels/index.js');
      expect(fresh.kernels().name).toBe('js');
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('the module stays under 4 KB, the most a browser page compiles synchronously (Chrome)', () => {
    expect(kernelsModule(false).length).toBeLessThanOrEqual(4096);
    expect(kernelsModule(true).length).toBeLessThanOrEqual(4096);
  });

  it('JavaScript where the engine rejects SIMD, or compiling is refused', () => {
    const validate = WebAssembly.validate;
    try {
      WebAssembly.validate = () => false;
      expect(loadWasmKernels()).toBeUndefined();
    } finally {
      WebAssembly.validate = validate;
    }
    const Module = WebAssembly.Module;
    try {
      WebAssembly.Module = function refused() {
        throw new WebAssembly.CompileError('Wasm code generation disallowed by embedder');
      } as unknown as typeof WebAssembly.Module;
      expect(loadWasmKernels()).toBeUndefined();
    } finally {
      WebAssembly.Module = Module;
    }
  });
});
