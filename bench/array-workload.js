// One array workload for one contender in a fresh process (spawned by bench/run.js);
// prints its timings and its gradient's error against the float64 reference as JSON.
//   node bench/array-workload.js <w3|w4|rosenbrock> <zygote-ts[-compiled][-f32]|hand|tfjs-cpu|tfjs-wasm|jax-eager|jax-jit[-f32]>
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { measure } from './measure.js';
import * as data from './array-data.js';

const [id, who] = process.argv.slice(2);

/** Each contender: { gradient(): list of flat arrays, forward(): number }, built for workload `id`. */
async function contender() {
  if (who.startsWith('zygote-ts')) return zygote(who.endsWith('-f32') ? 'float32' : 'float64', who.includes('-compiled'));
  if (who === 'hand') return hand();
  const peers = await import('./array-peers.js');
  if (who === 'tfjs-cpu' || who === 'tfjs-wasm') return peers.tfjs(id, who.slice(5));
  if (who === 'jax-eager' || who === 'jax-jit') return peers.jax(id, who.slice(4));
  if (who === 'jax-jit-f32') return peers.jax(id, 'jit', 'float32');
  throw new Error(`unknown contender ${who}`);
}

// zygote-ts: bench/arrays.js rewritten by the transform (as `node --import zygote-ts/register`
// would), arrays passed as NDArray arguments of `dtype` (the data rounded to float32 for
// 'float32': parameters, inputs and targets alike). `compiled`: through compileGradient.
async function zygote(dtype, compiled) {
  const { transform } = await import('zygote-ts/transform');
  const zy = await import('zygote-ts');
  const { NDArray, astype } = zy;
  const compiledOf = new Map();
  const gradient = (f, ...args) => {
    if (!compiled) return zy.gradient(f, ...args);
    if (!compiledOf.has(f)) compiledOf.set(f, zy.compileGradient(f));
    return compiledOf.get(f)(...args);
  };
  const arrayOf = (shape, data) => astype(new NDArray(shape, data), dtype);
  const here = fileURLToPath(new URL('.', import.meta.url));
  const url = (specifier) => JSON.stringify(pathToFileURL(fileURLToPath(import.meta.resolve(specifier))).href);
  const source = readFileSync(join(here, 'arrays.js'), 'utf8').replace("from 'zygote-ts'", `from ${url('zygote-ts')}`);
  const dir = mkdtempSync(join(tmpdir(), 'zygote-bench-'));
  const file = join(dir, 'arrays.rewritten.js');
  const runtime = JSON.parse(url('zygote-ts/runtime'));
  writeFileSync(file, transform(source, { runtime: { kind: 'import', specifier: runtime } }).code);
  const w = await import(pathToFileURL(file).href);
  rmSync(dir, { recursive: true });
  const flat = (grads) => grads.map((g) => g.data);
  if (id === 'w3') {
    const { batch, nin, nh, nout } = data.W3;
    const d = data.w3Data();
    const loss = w.mlpLoss(arrayOf([batch, nin], d.X), arrayOf([batch, nout], d.Y));
    const P = [arrayOf([nin, nh], d.W1), arrayOf([nh], d.b1), arrayOf([nh, nout], d.W2), arrayOf([nout], d.b2)];
    return { gradient: () => flat(gradient(loss, ...P)), forward: () => loss(...P) };
  }
  if (id === 'w4') {
    const { A, B } = data.w4Data();
    const a = arrayOf([data.W4_N, data.W4_N], A), b = arrayOf([data.W4_N, data.W4_N], B);
    return { gradient: () => flat(gradient(w.sumOfProduct, a, b)), forward: () => w.sumOfProduct(a, b) };
  }
  const x = arrayOf([data.ROSENBROCK_N], data.rosenbrockData());
  return { gradient: () => flat(gradient(w.rosenbrock, x)), forward: () => w.rosenbrock(x) };
}

// Plain JavaScript by hand (loops over Float64Arrays, preallocated buffers).
function hand() {
  if (id === 'w3') {
    const d = data.w3Data();
    const ws = data.w3Workspace();
    return { gradient: () => data.w3GradHand(d, ws).grads, forward: () => data.w3Forward(d, ws.H, ws.O) };
  }
  if (id === 'w4') return null; // no hand-written row: the closed form skips the product
  const x = data.rosenbrockData();
  const g = new Float64Array(x.length);
  return { gradient: () => [data.rosenbrockGradHand(x, g)], forward: () => data.rosenbrockHand(x) };
}

// The gradient must match the float64 reference: to 1e-6 (relative to the largest entry)
// for the float64 contenders, to 1e-4 for those computing in float32 (tfjs, zygote-ts-f32).
const tolerance = who.startsWith('tfjs') || who.endsWith('-f32') ? 1e-4 : 1e-6;

const c = await contender();
if (c === null) {
  console.log('null');
} else {
  const t0 = performance.now();
  const first = c.gradient();
  const cold = performance.now() - t0;
  const error = data.relativeError(first, data.referenceGradient(id));
  if (!(error <= tolerance)) {
    console.error(`${who}'s gradient on ${id} differs from the float64 reference by ${error} (relative; tolerance ${tolerance})`);
    process.exit(1);
  }
  let sink = 0;
  console.log(
    JSON.stringify({
      gradient: measure(() => { sink += c.gradient().length; }),
      forward: measure(() => { sink += c.forward(); }),
      cold,
      error,
    }),
  );
  if (!Number.isFinite(sink)) console.error('(sink is not finite)');
}
