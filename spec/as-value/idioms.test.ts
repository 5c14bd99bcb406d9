// Everyday JavaScript idioms inside f, each a function of one number: its gradient against
// central differences of the plain function, and compileGradient (its recording call and
// its generated code, at two points) and jvp agreeing with the eager gradient. The cases
// were found by hand while looking for silent wrong answers ('' + x once lost its
// derivative; p === a once took another branch: structures.test.ts).
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient, jvp } from 'zygote-ts';

function* twoOf(x: number) {
  yield x;
  yield x * x;
}
class Base {
  static #count = 0;
  static {
    Base.#count = 1;
  }
  constructor(public k: number) {}
  scaled(v: number) {
    return v * this.k * Base.#count;
  }
}
// (subclasses of Array and of typed arrays: their super(…) reads a size as Array(n) does)
class Row extends Array<number> {}
class Grid extends Array<number> {
  constructor(rows: number, columns: number) {
    super(rows * columns);
  }
}
class Counts extends Int32Array {}
class Vec extends Float64Array {}
const Column = class extends Array<number> {};
class Derived extends Base {
  constructor(k: number) {
    super(k * 2);
  }
  override scaled(v: number) {
    return super.scaled(v) + v;
  }
}

const idioms: [string, (x: number) => number][] = [
  ['sort with a comparator', (x) => { const a = [3, x, 1, x * x]; a.sort((p, q) => p - q); return a[0]! + 2 * a[1]! + 3 * a[2]! + 4 * a[3]!; }],
  ['Math.max of a spread', (x) => Math.max(...[x, 2 * x, x * x])],
  ['Map and Set by value', (x) => { const m = new Map([[1, x]]); const s = new Set([x]); return m.get(1)! * 2 + (s.has(x) ? x * 4 : 0); }],
  ['includes, indexOf', (x) => ([x, 2].includes(x) ? x * x : 0) + [1, x, 3].indexOf(x) * x],
  ["text: parseFloat(String(x)), `${x}`, '' + x, s += x", (x) => { let s = 'w='; s += x; return parseFloat(String(x)) * x + Number(`${x}`) * 2 + Number('' + x) * x + Number(s.slice(2)); }],
  ['reduce, Array.from, map with index', (x) => [1, 2, 3].reduce((s, k) => s + k * x, 0) + Array.from({ length: 3 }, (_, i) => x * i).map((v, i) => v * i).reduce((a, b) => a + b)],
  ['destructuring swap, defaults', (x) => { let a = x, b = 2 * x; [a, b] = [b, a]; const { c = x * 3 } = {} as { c?: number }; return a * 10 + b + c; }],
  ['optional chains, ??=, ||=', (x) => { const o: any = { p: { q: x } }; let y: number | undefined; y ??= x * 2; let z = 0; z ||= x; return (o?.p?.q ?? 0) * 3 + y + z; }],
  ['Math.hypot, atan2, cbrt, expm1, log1p, pow', (x) => Math.hypot(x, 3, x) + Math.atan2(x, 2) + Math.cbrt(x) + Math.expm1(x) + Math.log1p(x) + Math.pow(x, 0.5) + x ** 0.5],
  // (17 significant digits read back as the number itself: not a rounding, so the derivative stays)
  ['text at full precision: toPrecision(17), toExponential()', (x) => Number(x.toPrecision(17)) * 2 + parseFloat(x.toExponential()) * x + Number(x.toPrecision(3))],
  ['**=, %, unary +, Number()', (x) => { let y = x; y **= 3; return y + ((x * 7) % 3) + +x * x + Number(x) * Number(x); }],
  ['closures: a counter, loop variables', (x) => { let s = 0; const add = (v: number) => { s += v; }; for (let i = 0; i < 3; i++) add(x * i); const fs: (() => number)[] = []; for (let i = 0; i < 3; i++) fs.push(() => x * i); return s + fs.reduce((t, f) => t + f(), 0); }],
  ['classes: getters, private members, static blocks, super', (x) => { class K { #v: number; constructor(v: number) { this.#v = v; } get v() { return this.#v * 2; } } return new K(x).v + new Derived(1.5).scaled(x); }],
  ['JSON and structuredClone round trips', (x) => JSON.parse(JSON.stringify({ v: x })).v * x + structuredClone({ v: x }).v * 2],
  // (the replacer got the plain number toJSON handed over: what it returned lost the derivative, silently)
  // (the reviver walked into each traced number as an object, and rewrote its fields: wrong values)
  ['JSON.parse with a reviver', (x) => JSON.parse(JSON.stringify({ v: x, w: [x] }), (_k, v) => (typeof v === 'number' ? v + 1 : v)).w[0] * x],
  // (a sign before x's text read back plain: Number('-' + x) had derivative 0, no word)
  ['a sign before the text: \'-\' + x, `-${x}px`, \'+\' + x', (x) => Number('-' + x) * x + parseFloat(`-${x * 2}px`) + Number('+' + x) * 3],
  // (JSON put together from the numbers' texts read back plain: the gradient was null, no word)
  ['JSON put together from numbers\' texts', (x) => {
    const o = JSON.parse(`{"p": [${x}, {"q": ${x * x}}], "s": "${x}", "k": 1, "k": ${x / 4}, "t": [true, null, "]"]}`);
    return o.p[0] * o.p[1].q + o.k * 3 + Number(o.s);
  }],
  ['JSON with a replacer and a reviver', (x) => JSON.parse(JSON.stringify({ v: x, w: [x, 'a'] }, (_k, v) => (typeof v === 'number' ? v * 2 : v)), (_k, v) => (typeof v === 'number' ? v + 1 : v)).v * x],
  ['generators, try/finally, labels', (x) => { let s = 0; for (const v of twoOf(x)) s += v; try { s *= x; throw new Error('e'); } catch { s += x; } finally { s *= 2; } outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j === 2) continue outer; if (i === 2) break outer; s += x * (i + j); } } return s; }],
  ['call, apply, bind, Reflect.apply', (x) => { const f = function (this: { k: number }, a: number) { return a * this.k; }; return f.call({ k: 3 }, x) + f.apply({ k: 2 }, [x]) + f.bind({ k: 1 })(x) + Reflect.apply(Math.pow, null, [x, 3]); }],
  ['Object.values, entries, assign, spread', (x) => Object.values({ a: x, b: x * x }).reduce((a, b) => a + b, 0) + Object.entries({ a: x }).map(([, v]) => v * 3)[0]! + Object.assign({}, { v: x }).v * 2 + { ...{ v: x } }.v],
  ['fill, flat, flatMap, splice, reverse, at, findLast', (x) => { const a = [1, x, 2 * x, 3]; a.splice(0, 1); a.reverse(); return new Array(3).fill(x).reduce((p: number, q: number) => p + q, 0) + [[x], [x * 2]].flat().flatMap((v) => [v, v]).reduce((p, q) => p + q, 0) + a.at(-1)! * 5 + [x, 2 * x].findLast((v) => v > 0)!; }],
  ['toSorted, with, copyWithin', (x) => [3, x, 2].toSorted((a, b) => a - b)[0]! * 3 + [0, 1].with(0, x)[0]! * 3 + [x, 2, 3].copyWithin(1, 0, 1)[1]! * 3],
  ['a local Float64Array, typed-array methods', (x) => { const t = new Float64Array([x, 2]); const u = Float64Array.from([x, 1], (v) => v * 2); return t[0]! * t[1]! + u[0]! + Math.max(...t); }],
  ['recursion, default parameters', (x) => { const p = (v: number, n: number): number => (n === 0 ? 1 : v * p(v, n - 1)); const f = (a: number, b = a * 2) => a * b; return p(x, 4) + f(x); }],
  // (a size read from x: Array(x) once made [x], new Int32Array(x) an empty array, and
  // Array.from({ length: x }) was refused as if it lost a derivative)
  ['sizes from x: Array(n), new Array(n), Array.from({ length: n }), typed arrays, an ArrayBuffer', (x) => { const n = Math.floor(x * 3); return Array(n).length * x + new Array(n).fill(x).reduce((a: number, b: number) => a + b, 0) + Array.from({ length: n }, (_, i) => i * x).reduce((a, b) => a + b, 0) + new Float64Array(n).length * x + new Int32Array(n).length * x + new Uint8Array(new ArrayBuffer(n)).length * x; }],
  // (Array reached another way, or by a subclass's super(…), still made [n] of a size from x, and a
  // typed array's subclass an empty array, with no word: a value of 1.3 where it is 26.9)
  ['sizes from x through an alias, the global object, a spread, Reflect.construct, subclasses of Array and typed arrays', (x) => { const n = Math.floor(x * 3); const A = Array; return Reflect.construct(Array, [n]).length * x + Reflect.construct(Int32Array, [n], Counts).length * x + new A(n).length * x + A(n).fill(x).reduce((a: number, b: number) => a + b, 0) + new globalThis.Array(n).length * x + globalThis.Array(n).length * x + Array(...[n]).length * x + new Row(n).length * x + new Grid(n, 2).length * x + new Counts(n).length * x + new Vec(n).length * x + new Column(n).length * x; }],
  // (strict equality with undefined, null or a string stays the operator; a local named undefined, a
  // number stored under a key and a traced number compared with its own value go through the runtime)
  ['equality: === undefined, a local undefined, a number held, loose equality with text', (x) => { const o: { v?: number } = { v: x * 2 }; const t = ((undefined: number) => (x === undefined ? 3 * x : x))(x); return (o.v !== undefined ? o.v : 0) + t + (o.v === 2 * x ? x : 0) + (x == (String(x) as unknown as number) ? 4 * x : 0) + (x !== null ? x : 0); }],
  // (a traced number had getters value, index and tape, which a number has not: code reading
  // `a.value` from something that may be a number or a { value } got the plain number)
  ['duck typing: a.value, a.index, a.tape of a number are undefined', (x) => { const read = (a: any) => (a.value !== undefined ? a.value : a); const box = { value: x * 3 }; return read(x) * read(x) + read(box) + ((x as any).index ?? 2) * x + ((x as any).tape === undefined ? x : 0); }],
  ['a branch, a kink and a rounding away from them', (x) => (x > 1 ? (x > 2 ? x : x * x) : -x) + Math.round(x) + Math.sign(x) * x + Math.floor(x) * x],
];

const h = 1e-6;
const difference = (f: (x: number) => number, x: number) => (f(x + h) - f(x - h)) / (2 * h);

describe('idioms inside f', () => {
  for (const [name, f] of idioms) {
    it(name, () => {
      for (const x of [1.3, 1.55]) {
        const [g] = gradient(f, x) as [number];
        expect(g).toBeCloseTo(difference(f, x), 5);
        expect(jvp(f, [x], [1])[1]).toBeCloseTo(g, 12);
      }
      // (compiled code may add a cotangent's contributions in another order: the last bit may differ)
      const c = compileGradient(f);
      for (const x of [1.3, 1.3, 1.55]) expect((c(x) as [number])[0]).toBeCloseTo((gradient(f, x) as [number])[0], 12);
    });
  }
});

// (a traced NaN stored in an array is that same object: indexOf and lastIndexOf found it by
// identity, [t, 2].indexOf(t) 0 where JavaScript's === gives -1, silently)
describe('a search for a traced NaN compares by ===, as for the number', () => {
  it('indexOf and lastIndexOf find no NaN, includes does (SameValueZero)', () => {
    const seen: unknown[] = [];
    const f = (t: number) => {
      seen.push([t, 2].indexOf(t), [t, 2, t].lastIndexOf(t), [1, t, 3].lastIndexOf(t, 1), [t, 2].includes(t), [NaN].indexOf(t));
      return t * 2;
    };
    f(NaN);
    const plain = seen.splice(0);
    gradient(f, NaN);
    expect(seen).toEqual(plain);
    expect(plain).toEqual([-1, -1, -1, true, -1]);
  });
});
