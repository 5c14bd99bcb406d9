// A lower bound for any eager tape in JavaScript: the smallest tape that can record these
// workloads — one handle object per operation, four typed-array stores, a backward loop —
// with every operation hand-inlined and no generality (no nesting, no coercions, no
// closed-tape checks). bench/run.js reports it beside zygote-ts so the distance to the
// floor of eager taping is visible. It is a measuring stick, not part of the library.

class Handle {
  constructor(value, index) {
    this.value = value;
    this.index = index;
  }
}

const CAPACITY = 1 << 14;
const rows = new Float64Array(4 * CAPACITY);
const adjoint = new Float64Array(CAPACITY);
let size = 0;

function push(value, a, da, b, db) {
  const at = size << 2;
  rows[at] = a;
  rows[at + 1] = da;
  rows[at + 2] = b;
  rows[at + 3] = db;
  return new Handle(value, size++);
}

const mulConst = (x, c) => push(x.value * c, x.index, c, -1, 0);
const mul = (x, y) => push(x.value * y.value, x.index, y.value, y.index, x.value);
const add = (x, y) => push(x.value + y.value, x.index, 1, y.index, 1);
const sub = (x, y) => push(x.value - y.value, x.index, 1, y.index, -1);
const constMinus = (c, y) => push(c - y.value, -1, 0, y.index, -1);
const sin = (x) => push(Math.sin(x.value), x.index, Math.cos(x.value), -1, 0);

function sweep(output) {
  adjoint.fill(0, 0, output + 1);
  adjoint[output] = 1;
  for (let i = output; i >= 0; i--) {
    const g = adjoint[i];
    const at = i << 2;
    const a = rows[at];
    if (a !== -1) adjoint[a] += g * rows[at + 1];
    const b = rows[at + 2];
    if (b !== -1) adjoint[b] += g * rows[at + 3];
  }
}

export function idealW1Gradient(x0) {
  size = 0;
  let x = push(x0, -1, 0, -1, 0);
  for (let i = 0; i < 250; i++) x = add(mulConst(sin(x), 1.0001), mulConst(mul(x, x), 0.001));
  sweep(x.index);
  return [adjoint[0]];
}

export function idealW2Gradient(values) {
  size = 0;
  const x = values.map((v) => push(v, -1, 0, -1, 0));
  let s = push(0, -1, 0, -1, 0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = sub(x[i + 1], mul(x[i], x[i]));
    const b = constMinus(1, x[i]);
    s = add(s, add(mul(mulConst(a, 100), a), mul(b, b)));
  }
  sweep(s.index);
  return Array.from(adjoint.subarray(0, values.length));
}
