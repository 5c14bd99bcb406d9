// The numeric kernels alone: `npm run build && node bench/kernels.js`.
//
// Prints, for JavaScript and WebAssembly SIMD (one thread and two), float64 and float32:
// matmul's ms, GFLOP/s and share of the machine's arithmetic peak for the shapes of the
// array workloads (W4's 256³ products, the MLP's batch 64, 784 → 128); what the copies
// in and out of the wasm memory cost; and the crossovers behind CUTOFFS in
// lib/kernels/wasm/kernels.ts. Times are the fastest of many batches (the machine is
// shared; the fastest is the least disturbed).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { kernels } from '../dist/lib/kernels/index.js';
import { jsKernels } from '../dist/lib/kernels/js.js';
import { CUTOFFS, loadWasmKernels } from '../dist/lib/kernels/wasm/kernels.js';
import { FunctionBuilder, I32, doWhile, encodeModule, get, i32, set } from '../dist/lib/kernels/wasm/encoder.js';

/** ms per call: the fastest of `batches` batches of calls lasting ~`batchMs` each. */
function fastest(f, batches = 30, batchMs = 20) {
  const start = performance.now();
  f();
  const once = Math.max(performance.now() - start, 1e-3);
  for (let i = 0; i < Math.min(20, 200 / once); i++) f();
  const per = Math.max(1, Math.round(batchMs / once));
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const s = performance.now();
    for (let i = 0; i < per; i++) f();
    best = Math.min(best, (performance.now() - s) / per);
  }
  return best;
}

function randomArray(Type, length) {
  const x = new Type(length);
  for (let i = 0; i < length; i++) x[i] = Math.random() - 0.5;
  return x;
}

// ---- the machine ------------------------------------------------------------------------

/** The clock while busy, from a chain of dependent i32 adds in wasm (one cycle each). */
function measuredGHz() {
  const f = new FunctionBuilder();
  const [passes, step] = f.params(I32, I32);
  const x = f.local(I32);
  const adds = Array.from({ length: 16 }, () => set(x, i32.add(get(x), get(step)))).flat();
  const body = [...doWhile([...adds, ...set(passes, i32.sub(get(passes), i32.const(1)))], get(passes)), ...get(x)];
  const module = new WebAssembly.Module(encodeModule({ functions: [f.define(body, [I32], 'chain')] }));
  const { chain } = new WebAssembly.Instance(module).exports;
  const count = 2e6;
  return (16 * count) / fastest(() => chain(count, 3), 20, 5) / 1e6;
}

const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? 'unknown CPU';
const nominalGHz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(cpuinfo)?.[1] ?? NaN) / 1000;
const busyGHz = measuredGHz();
// Assumption: two 128-bit multiplies and two 128-bit adds per cycle per core (AMD Zen 2–4:
// two FMUL/FMA pipes, two FADD pipes). wasm SIMD has no FMA in Node 20 (relaxed SIMD is
// behind a flag), so a multiply–add is a mul and an add: 2 ports × lanes × 2 flops.
const flopsPerCycle = { f64: 2 * 2 * 2, f32: 2 * 4 * 2 };
const peak = (precision, ghz, threads) => flopsPerCycle[precision] * ghz * threads;

console.log(`${model}, ${availableParallelism()} cores; Node ${process.version}; default kernels: ${kernels().name}`);
console.log(`clock: ${nominalGHz.toFixed(2)} GHz in /proc/cpuinfo, ${busyGHz.toFixed(2)} GHz measured busy (boost)`);
console.log(
  `peak per core (2 mul + 2 add of 128 bits a cycle, no FMA): f64 ${peak('f64', nominalGHz, 1).toFixed(1)} GFLOP/s at the /proc/cpuinfo clock, ` +
    `${peak('f64', busyGHz, 1).toFixed(1)} at the measured one; f32 twice that. Shares below are of the measured clock's peak × threads.`,
);

// ---- matmul ---------------------------------------------------------------------------------

const oneThread = loadWasmKernels({ ...CUTOFFS, matmulThreads: Infinity }, false);
const twoThreads = loadWasmKernels({ ...CUTOFFS, matmulThreads: 0 });
const helperReady = await twoThreads.whenHelperReady();
const contenders = [
  ['js', jsKernels, 1],
  ['wasm, 1 thread', oneThread, 1],
  ...(helperReady ? [['wasm, 2 threads', twoThreads, 2]] : []),
];
if (!helperReady) console.log('(no helper thread here: one core, or no worker_threads)');
// V8 compiles wasm with Liftoff first and TurboFan once a function is hot: warm every contender up
for (const Type of [Float64Array, Float32Array]) {
  const a = randomArray(Type, 256 * 256);
  for (const [, implementation] of contenders) fastest(() => implementation.matmul(a, a, 256, 256, 256, false, false), 5);
}

const shapes = [
  ['W4  A·B      256×256·256×256', 256, 256, 256, false, false],
  ['W4  dA=G·Bᵀ  256×256·(256×256)ᵀ', 256, 256, 256, false, true],
  ['W4  dB=Aᵀ·G  (256×256)ᵀ·256×256', 256, 256, 256, true, false],
  ['MLP X·W1     64×784·784×128', 64, 784, 128, false, false],
  ['MLP dW1=Xᵀ·G (64×784)ᵀ·64×128', 784, 64, 128, true, false],
  ['MLP dX=G·W1ᵀ 64×128·(784×128)ᵀ', 64, 128, 784, false, true],
];

for (const Type of [Float64Array, Float32Array]) {
  const precision = Type === Float64Array ? 'f64' : 'f32';
  console.log(`\nmatmul, ${Type.name}: ms, GFLOP/s, share of peak`);
  console.log(`  ${'shape'.padEnd(34)}${contenders.map(([name]) => name.padStart(26)).join('')}`);
  for (const [label, m, k, n, transA, transB] of shapes) {
    const a = randomArray(Type, m * k);
    const b = randomArray(Type, k * n);
    const cells = contenders.map(([, implementation, threads]) => {
      const ms = fastest(() => implementation.matmul(a, b, m, k, n, transA, transB));
      const gflops = (2 * m * k * n) / ms / 1e6;
      return `${ms.toFixed(3)} ${gflops.toFixed(1).padStart(5)} ${((100 * gflops) / peak(precision, busyGHz, threads)).toFixed(0).padStart(3)}%`.padStart(26);
    });
    console.log(`  ${label.padEnd(34)}${cells.join('')}`);
  }
  // W4's three products in a row, as its gradient runs them
  const A = randomArray(Type, 256 * 256);
  const B = randomArray(Type, 256 * 256);
  const cells = contenders.map(([, implementation]) => {
    const ms = fastest(() => {
      const G = implementation.matmul(A, B, 256, 256, 256, false, false);
      implementation.matmul(G, B, 256, 256, 256, false, true);
      implementation.matmul(A, G, 256, 256, 256, true, false);
    });
    return `${ms.toFixed(3)} ms`.padStart(26);
  });
  console.log(`  ${'W4  all three in a row'.padEnd(34)}${cells.join('')}`);

  // the copies in and out of the wasm memory, as the kernels make them (a shared memory where threads may run)
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: helperReady });
  const n = 256 * 256;
  const copies = fastest(() => {
    const view = new Type(memory.buffer);
    view.set(A, 0);
    view.set(B, n);
    return view.slice(2 * n, 3 * n);
  });
  const wasmMs = fastest(() => oneThread.matmul(A, B, 256, 256, 256, false, false));
  console.log(`  copies for 256³ (A and B in, C out): ${copies.toFixed(3)} ms = ${((100 * copies) / wasmMs).toFixed(1)}% of the 1-thread wasm matmul`);
}

// ---- crossovers ------------------------------------------------------------------------------

const µs = (f) => (fastest(f, 20, 5) * 1000).toFixed(2).padStart(8);
const everythingInWasm = loadWasmKernels({ matmul: 0, elementwise: 0, sum: 0, transpose: 0, matmulThreads: Infinity }, false);
console.log(`\ncrossovers (µs; CUTOFFS = ${JSON.stringify(CUTOFFS)})`);
for (const Type of [Float64Array, Float32Array]) {
  console.log(`  ${Type.name} matmul n³:  n, js, wasm`);
  for (const size of [4, 8, 10, 12, 14, 16, 24, 32]) {
    const a = randomArray(Type, size * size);
    console.log(`    ${String(size).padStart(4)}${µs(() => jsKernels.matmul(a, a, size, size, size, false, false))}${µs(() => everythingInWasm.matmul(a, a, size, size, size, false, false))}`);
  }
  console.log(`  ${Type.name} by length: add js, wasm | add number js, wasm | sum js, wasm | transpose (square) js, wasm`);
  for (const length of [64, 128, 256, 512, 1024, 4096]) {
    const x = randomArray(Type, length);
    const y = randomArray(Type, length);
    const side = Math.round(Math.sqrt(length));
    const square = randomArray(Type, side * side);
    console.log(
      `    ${String(length).padStart(5)}${µs(() => jsKernels.elementwise('add', x, y))}${µs(() => everythingInWasm.elementwise('add', x, y))} |` +
        `${µs(() => jsKernels.elementwise('mul', x, 2))}${µs(() => everythingInWasm.elementwise('mul', x, 2))} |` +
        `${µs(() => jsKernels.sum(x))}${µs(() => everythingInWasm.sum(x))} |` +
        `${µs(() => jsKernels.transpose(square, side, side))}${µs(() => everythingInWasm.transpose(square, side, side))}`,
    );
  }
  if (helperReady) {
    console.log(`  ${Type.name} matmul n³ on one thread and two:  n, 1 thread, 2 threads`);
    for (const size of [48, 64, 96, 128, 192]) {
      const a = randomArray(Type, size * size);
      console.log(`    ${String(size).padStart(4)}${µs(() => oneThread.matmul(a, a, size, size, size, false, false))}${µs(() => twoThreads.matmul(a, a, size, size, size, false, false))}`);
    }
  }
}
