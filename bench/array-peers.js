// TensorFlow.js and jax-js on the array workloads: the same math as bench/arrays.js, called
// as ../shared/peers does on Node 20 (see the notes there):
// - tfjs: the union package @tensorflow/tfjs, whose import registers the gradient functions
//   (tfjs-core alone has none in Node); never @tensorflow/tfjs-node (its install downloads a
//   binary). tfjs has no float64: its rows are float32.
// - jax-js: init('wasm', 'cpu') (a bare init() probes WebGPU through `navigator` and throws
//   on Node 20), and a stand-in global Float16Array class, because np.array tests
//   `data instanceof Float16Array`, which Node 20 lacks. float64 on the wasm device.
// Each returns { gradient(): list of flat arrays, forward(): number }. The peers live in
// bench/peers (installed by bench/run.js on first use), and load from there.
import * as data from './array-data.js';
import { importJax, requirePeer as require } from './peers/index.js';

export async function tfjs(id, backend) {
  const tf = require('@tensorflow/tfjs');
  require('@tensorflow/tfjs-backend-cpu');
  if (backend === 'wasm') require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(backend);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`tfjs backend ${backend} is not active (got ${tf.getBackend()})`);
  const f32 = (a) => Float32Array.from(a);
  // Run fn inside tf.tidy (which frees the intermediate tensors) and hand its result out
  // through a closure: tf.tidy walks whatever its callback returns, looking for tensors.
  const tidy = (fn) => {
    let out;
    tf.tidy(() => {
      out = fn();
    });
    return out;
  };
  if (id === 'w3') {
    const { batch, nin, nh, nout } = data.W3;
    const d = data.w3Data();
    const X = tf.keep(tf.tensor2d(f32(d.X), [batch, nin]));
    const Y = tf.keep(tf.tensor2d(f32(d.Y), [batch, nout]));
    const P = [
      tf.keep(tf.tensor2d(f32(d.W1), [nin, nh])), tf.keep(tf.tensor1d(f32(d.b1))),
      tf.keep(tf.tensor2d(f32(d.W2), [nh, nout])), tf.keep(tf.tensor1d(f32(d.b2))),
    ];
    const loss = (W1, b1, W2, b2) => {
      const h = tf.tanh(tf.add(tf.matMul(X, W1), b1));
      const out = tf.add(tf.matMul(h, W2), b2);
      return tf.mean(tf.square(tf.sub(out, Y)));
    };
    const grads = tf.grads(loss);
    return { gradient: () => tidy(() => grads(P).map((t) => t.dataSync())), forward: () => tidy(() => loss(...P).dataSync()[0]) };
  }
  if (id === 'w4') {
    const { A, B } = data.w4Data();
    const a = tf.keep(tf.tensor2d(f32(A), [data.W4_N, data.W4_N]));
    const b = tf.keep(tf.tensor2d(f32(B), [data.W4_N, data.W4_N]));
    const f = (a, b) => tf.sum(tf.matMul(a, b));
    const grads = tf.grads(f);
    return { gradient: () => tidy(() => grads([a, b]).map((t) => t.dataSync())), forward: () => tidy(() => f(a, b).dataSync()[0]) };
  }
  const n = data.ROSENBROCK_N;
  const x = tf.keep(tf.tensor1d(f32(data.rosenbrockData())));
  const c100 = tf.keep(tf.scalar(100));
  const one = tf.keep(tf.scalar(1));
  const f = (x) => {
    const a = tf.slice(x, 0, n - 1);
    const b = tf.slice(x, 1, n - 1);
    return tf.sum(tf.add(tf.mul(c100, tf.square(tf.sub(b, tf.square(a)))), tf.square(tf.sub(one, a))));
  };
  const g = tf.grad(f);
  return { gradient: () => tidy(() => [g(x).dataSync()]), forward: () => tidy(() => f(x).dataSync()[0]) };
}

/** jax-js on its wasm device; `mode` 'jit' or 'eager', `dtype` 'float64' (the default) or 'float32'. */
export async function jax(id, mode, dtype = 'float64') {
  if (typeof globalThis.Float16Array === 'undefined') globalThis.Float16Array = class Float16Array {};
  const { numpy: np, grad, jit, tree, init, defaultDevice } = await importJax();
  await init('wasm', 'cpu');
  defaultDevice('wasm');
  const wrap = (f) => (mode === 'jit' ? jit(f) : f);
  const arr = (values, shape) =>
    dtype === 'float32' ? np.array(Float32Array.from(values), { shape, dtype: np.float32 }) : np.array(Float64Array.from(values), { shape, dtype: np.float64 });
  // jax-js arrays are reference counted: each call passes `.ref` copies of the inputs, and
  // dataSync() realises a result and releases it.
  if (id === 'w3') {
    const { batch, nin, nh, nout } = data.W3;
    const d = data.w3Data();
    const X = arr(d.X, [batch, nin]);
    const Y = arr(d.Y, [batch, nout]);
    const params = { W1: arr(d.W1, [nin, nh]), b1: arr(d.b1, [nh]), W2: arr(d.W2, [nh, nout]), b2: arr(d.b2, [nout]) };
    const loss = (p, X, Y) => {
      const h = np.tanh(np.matmul(X, p.W1).add(p.b1));
      const out = np.matmul(h, p.W2).add(p.b2);
      return np.mean(np.square(out.sub(Y)));
    };
    const g = wrap(grad(loss));
    const fwd = wrap(loss);
    return {
      gradient: () => {
        const r = g(tree.ref(params), X.ref, Y.ref);
        return [r.W1.dataSync(), r.b1.dataSync(), r.W2.dataSync(), r.b2.dataSync()];
      },
      forward: () => fwd(tree.ref(params), X.ref, Y.ref).dataSync()[0],
    };
  }
  if (id === 'w4') {
    const { A, B } = data.w4Data();
    const a = arr(A, [data.W4_N, data.W4_N]);
    const b = arr(B, [data.W4_N, data.W4_N]);
    const f = (a, b) => np.sum(np.matmul(a, b));
    const g = wrap(grad(f, { argnums: [0, 1] }));
    const fwd = wrap(f);
    return { gradient: () => g(a.ref, b.ref).map((t) => t.dataSync()), forward: () => fwd(a.ref, b.ref).dataSync()[0] };
  }
  const n = data.ROSENBROCK_N;
  const x = arr(data.rosenbrockData(), [n]);
  const f = (x) => {
    const a = x.ref.slice([0, n - 1]);
    const b = x.slice([1, n]);
    const t = b.sub(np.square(a.ref));
    const u = np.subtract(1, a);
    return np.sum(np.square(t).mul(100).add(np.square(u)));
  };
  const g = wrap(grad(f));
  const fwd = wrap(f);
  return { gradient: () => [g(x.ref).dataSync()], forward: () => fwd(x.ref).dataSync()[0] };
}
