// Text of traced numbers read back: the value must be the one plain code reads, in every API
// (gradient's f, jvp, compileGradient's recording and generated code), and the derivative
// the one central differences give.
import { describe, expect, it, vi } from 'vitest';
import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect, format } from 'node:util';
import { compileGradient, configure, gradient, jacobian, jvp, withgradient } from 'zygote-ts';

/** f's value at x plain, and through withgradient, jvp and compileGradient (recording and generated code). */
function valuesAt(f: (x: number) => number, x: number): void {
  const plain = f(x);
  expect(withgradient(f, x).val).toBe(plain);
  expect((jvp(f, [x], [1]) as [number, number])[0]).toBe(plain);
  let recorded: number | undefined;
  const compiled = compileGradient((v: number) => (recorded = f(v)));
  compiled(x); // (records)
  expect(recorded).toBe(plain);
  compiled(x); // (generated code: the value is f's again, through the recording's path)
}

/** The derivative at x, eagerly, forwards and compiled, against central differences. */
function derivativeAt(f: (x: number) => number, x: number): void {
  const h = 1e-6;
  const fd = (f(x + h) - f(x - h)) / (2 * h);
  expect(withgradient(f, x).grad[0]).toBeCloseTo(fd, 5);
  expect((jvp(f, [x], [1]) as [number, number])[1]).toBeCloseTo(fd, 5);
  const compiled = compileGradient(f);
  expect((compiled(x) as [number])[0]).toBeCloseTo(fd, 5);
  expect((compiled(x) as [number])[0]).toBeCloseTo(fd, 5);
}

describe('-0 read back from its text is +0, as in plain code', () => {
  // (the traced -0 itself came back: 1 / v was -Infinity where plain code gives Infinity)
  const cases: [string, (x: number) => number][] = [
    ['JSON round trip', (x) => 1 / JSON.parse(JSON.stringify([x * 0, x]))[0] + x],
    ['JSON round trip of a record', (x) => 1 / JSON.parse(JSON.stringify({ a: x * 0 })).a],
    ['parseFloat of the number', (x) => 1 / parseFloat((x * 0) as unknown as string)],
    ['Number.parseFloat of the number', (x) => 1 / Number.parseFloat((x * 0) as unknown as string)],
    ['toPrecision(17) read back', (x) => 1 / Number((x * 0).toPrecision(17))],
    ['toExponential() read back', (x) => 1 / Number((x * 0).toExponential())],
  ];
  for (const [name, f] of cases) it(name, () => valuesAt(f, -2.5));
  it('the derivative through the round trip is still 1', () => {
    derivativeAt((x) => JSON.parse(JSON.stringify([x]))[0] * 3 + parseFloat(x as unknown as string), 0);
  });
});

describe('JSON.stringify writes Number objects as numbers: the traced numbers after them read back in their places', () => {
  // (a Number object was not counted: `[Object(4), x]` read back as [x, 4], 27.5 where plain code gives 42.5)
  const cases: [string, (x: number) => number][] = [
    ['in an array', (x) => { const o = JSON.parse(JSON.stringify([Object(4), x])); return o[0] * 10 + o[1]; }],
    ['in a record', (x) => { const o = JSON.parse(JSON.stringify({ a: new Number(3), b: x })); return o.a * 10 + o.b; }],
    ['made by the replacer', (x) => { const o = JSON.parse(JSON.stringify({ a: 3, b: x }, (k, v) => (k === 'a' ? Object(v) : v))); return o.a * 10 + o.b; }],
    ['made by toJSON', (x) => { const o = JSON.parse(JSON.stringify({ a: { toJSON: () => new Number(3) }, b: x })); return o.a * 10 + o.b; }],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      valuesAt(f, 2.5);
      derivativeAt(f, 2.5);
    });
  }
  it('a Number object that is not finite is written as null, as a number is', () => {
    const f = (x: number) => { const o = JSON.parse(JSON.stringify([new Number(Infinity), x, 2])); return (o[0] === null ? 100 : 0) + o[1] * 10 + o[2]; };
    valuesAt(f, 2.5);
    derivativeAt(f, 2.5);
  });
});

describe('JSON not read back whole reads its numbers back by their texts', () => {
  // (JSON.stringify noted its traced numbers only for JSON.parse of that very text: written
  // with a key list, or changed before it was parsed, the JSON read back plain numbers, and
  // the derivative through them was lost without a word: 2.5 where it is 5)
  const cases: [string, (x: number) => number][] = [
    ['written with a key list', (x) => JSON.parse(JSON.stringify({ v: x, w: 1 }, ['v'])).v * x],
    ['written with a key list and an indent', (x) => JSON.parse(JSON.stringify({ v: x, w: 1 }, ['v'], 2)).v * x],
    ['more put into the text', (x) => { const s = JSON.stringify([x, 1]); return JSON.parse(s.slice(0, -1) + ',7]')[0] * x; }],
    ['texts joined into an array', (x) => JSON.parse(`[${JSON.stringify({ v: x })}, 2]`)[0].v * x],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      valuesAt(f, 2.5);
      derivativeAt(f, 2.5);
    });
  }
  it('JSON read back whole has had its texts read: a field the result does not use is not reported', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient((x: number, y: number) => JSON.parse(JSON.stringify({ x, y })).x * 2, 1.5, 2.5)).toEqual([2, null]);
      expect(jacobian((x: number) => [JSON.parse(JSON.stringify({ v: x })).v * 2, 3], 1.5)).toEqual([[2, 0]]);
      expect(jvp((x: number) => [JSON.parse(JSON.stringify([x]))[0] * 2, 3], [1.5], [1])).toEqual([[3, 3], [2, 0]]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });
});

describe('util.inspect and util.format hand f the text of a traced number', () => {
  // (they showed the number without noting its text: compiled code reused the recorded
  // text's length at other points, 3 for 2.75 where it is 4, and its number read back was a
  // constant there, 2.5 at every x; eagerly the number read back lost its derivative silently)
  const cases: [string, (x: number) => number][] = [
    ['its length', (x) => inspect(x).length * x],
    ['a record shown', (x) => inspect({ a: x }).length * x],
    ["util.format's %s", (x) => format('%s', x).length * x],
    ['its number read back', (x) => Number(inspect(x)) * x],
    ['its number read back from util.format', (x) => parseFloat(format('v', x).slice(2)) * x],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      for (const x of [2.5, 2.75, 12.125]) valuesAt(f, x);
      const compiled = compileGradient(f);
      // (a text's length is a step: the derivative holds it, as eager differentiation does)
      for (const x of [2.5, 2.75, 12.125]) expect(compiled(x)).toEqual(gradient(f, x));
    });
  }
  it('the number read back keeps its derivative', () => {
    derivativeAt((x) => Number(inspect(x)) * x, 2.5);
    derivativeAt((x) => parseFloat(format('v', x).slice(2)) * x, 2.5);
  });
  it('printed by the console, it is only shown: a compiled path does not depend on it', () => {
    const quiet = new Console({ stdout: new Writable({ write: (_chunk, _encoding, done) => done() }) });
    let calls = 0;
    const compiled = compileGradient((x: number) => {
      calls++;
      quiet.log('x is', x, { x });
      return x * x;
    });
    expect([1.5, 2.5, 3.5].map((x) => (compiled(x) as [number])[0])).toEqual([3, 5, 7]);
    expect(calls).toBe(1);
  });
});

describe('the same JSON text written from different traced numbers of equal values', () => {
  type Layer = { w: number[] };
  const layers = (): [Layer, Layer] => [{ w: [0.5, 0.25] }, { w: [0.5, 0.25] }];
  it('read back right after each writing, each gets its own numbers', () => {
    const copy = (v: Layer): Layer => JSON.parse(JSON.stringify(v));
    expect(gradient((a: Layer, b: Layer) => { const ca = copy(a), cb = copy(b); return ca.w[0]! * 2 + cb.w[0]! * 3 + ca.w[1]!; }, ...layers())).toEqual([{ w: [2, 1] }, { w: [3, 0] }]);
  });
  it('both written before either is read back: reported, not guessed', () => {
    // (the later writing's numbers came back for both texts: a's derivative went to b, [null, { w: [5, 0] }], without a word)
    const f = (a: Layer, b: Layer) => { const sa = JSON.stringify(a), sb = JSON.stringify(b); return JSON.parse(sa).w[0] * 2 + JSON.parse(sb).w[0] * 3; };
    const previous = configure({ strict: true });
    try {
      expect(() => gradient(f, ...layers())).toThrow(/JSON text that JSON.stringify wrote from different traced numbers of equal values, none of them read back yet at .*text-values\.test\.ts/);
    } finally {
      configure(previous);
    }
  });
});

describe("toFixed and its kin take their arguments as the number's methods do", () => {
  // (a traced precision threw "given to Number … keeps only its number" where plain code runs)
  it('a traced precision or digit count', () => {
    const f = (x: number, p: number) => Number(x.toPrecision(p)) * 2 + Number(x.toExponential(p)) + p;
    expect(withgradient(f, 2.5, 3)).toEqual({ val: f(2.5, 3), grad: [0, 1] });
  });
  // (a traced radix 10 wrote text read back with derivative 0, as another base's: 0 where it is 2)
  it('a traced radix 10, or one given as text, writes the number itself', () => {
    expect(withgradient((x: number, r: number) => parseFloat(x.toString(r)) * 2 + r, 2.5, 10).grad).toEqual([2, 1]);
    expect(gradient((x: number) => parseFloat(x.toString('10' as unknown as number)) * 2, 2.5)).toEqual([2]);
  });
  // (each ran three times: the text and the doubles on either side were formatted with it)
  it("an argument's valueOf runs once, and options are read once, as in plain code", () => {
    const f = (x: number) => {
      let conversions = 0;
      const digits = { valueOf: () => (conversions++, 2) } as unknown as number;
      const options = { get maximumFractionDigits() { return (conversions++, 2); } };
      x.toFixed(digits);
      x.toPrecision(digits);
      x.toExponential(digits);
      x.toLocaleString('en', options);
      return conversions * x;
    };
    valuesAt(f, 2.5);
  });
});

describe("Node's Buffer float writers keep only a traced number's bytes", () => {
  // (`b.writeDoubleLE(x); b.readDoubleLE(0) * 2` had the gradient null where it is 2, without a word:
  // Node's own code stores the bytes, and its conversions were taken for printing)
  it('writeDoubleLE, writeDoubleBE, writeFloatLE, writeFloatBE stop with the place', () => {
    for (const write of ['writeDoubleLE', 'writeDoubleBE', 'writeFloatLE', 'writeFloatBE'] as const) {
      const f = (x: number) => { const b = Buffer.alloc(8); b[write](x, 0); return x; };
      expect(() => gradient(f, 2.5), write).toThrow(new RegExp(`given to Buffer's ${write} at .*text-values\\.test\\.ts.*which keeps only its bytes`));
    }
  });
  it('an integer writer stores a step of the number (derivative 0): not reported', () => {
    const f = (x: number) => { const b = Buffer.alloc(4); b.writeInt32LE(x); return b.readInt32LE(0) * 2 + x; };
    expect(withgradient(f, 2.5)).toEqual({ val: 6.5, grad: [1] });
  });
});

describe("a power of ten written after a traced number's text scales it", () => {
  // (`Number(x + 'e3') + x` had the derivative 1 where it is 1001: the text "2.5e3" was no
  // traced number's, and read as a plain number without a word)
  const cases: [string, (x: number) => number][] = [
    ["x + 'e3'", (x) => Number(x + 'e3') + x],
    ['`${x}e-2`', (x) => Number(`${x}e-2`) * 3],
    ['a sign before it', (x) => Number('-' + x + 'e2') + x],
    ['parseFloat of more text', (x) => parseFloat(`${x}e2px`) + x],
    ['the product rounded otherwise than the text', (x) => Number(x + 'e-2') + x],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      valuesAt(f, 1.1);
      derivativeAt(f, 1.1);
      if (!name.startsWith('a sign')) derivativeAt(f, -2.5); // (plain code reads '--2.5e2' as NaN)
    });
  }
  it("MDN's rounding (`Math.round(x + 'e2') + 'e-2'`) is a step, read back plain with no report", () => {
    const previous = configure({ strict: true });
    try {
      expect(gradient((x: number) => Number(Math.round(Number(x + 'e2')) + 'e-2') + x, 2.5551)).toEqual([1]);
    } finally {
      configure(previous);
    }
  });
});

describe("zeros put before a traced number's text or after its fraction, or its exponent's E in capitals, leave it that number", () => {
  // (`Number('0' + x) * x` had the derivative x where it is 2x: the text "01.5" was no traced
  // number's, read as a plain number, and x reaching the result by the product hid the report;
  // so was "1.1E-9", which toUpperCase made of x * 1e-9's text)
  const cases: [string, (x: number) => number][] = [
    ["'0' + x", (x) => Number('0' + x) * x],
    ['padStart', (x) => Number(String(x).padStart(8, '0')) * x],
    ['padEnd after the fraction', (x) => parseFloat(`${x}`.padEnd(9, '0') + 'px') * x],
    ['a sign before the zeros', (x) => Number(String(x).replace('-', '-00')) * x],
    ["'+0' + x", (x) => Number('+0' + x) * x],
    ["an exponent's E in capitals", (x) => Number(String(x * 1e-9).toUpperCase()) * 1e9 * x],
  ];
  for (const [name, f] of cases) {
    it(name, () => {
      valuesAt(f, 1.1);
      derivativeAt(f, 1.1);
      // (zeros before a sign: plain code reads "0-2.5" as NaN)
      if (name.startsWith('padEnd') || name.startsWith('a sign') || name.startsWith('an exponent')) derivativeAt(f, -2.5);
    });
  }
});

describe("Intl.NumberFormat's text read back as the number it was written from is reported", () => {
  // (its format converts the number itself, with no frame of its own, and writes text the
  // runtime does not see: Number(nf.format(x)) * 2 with 20 fraction digits, the identity, gave
  // [null] where it is [2], without a word. Whole or rounded, the options say, which the
  // runtime does not read: the number read stays plain, and that is said)
  const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 20 });
  const rounded = new Intl.NumberFormat('en-US');
  it('a warning naming the place (an error in strict mode)', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(gradient((x: number) => Number(whole.format(x)) * 2, 2.5)).toEqual([null]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]![0])).toMatch(/the number 2\.5 was read back at .*text-values\.test\.ts.*Intl\.NumberFormat's format.*toLocaleString/);
      // (formatToParts has a frame of its own; parseFloat reads back as Number does)
      gradient((x: number) => parseFloat(whole.formatToParts(x).map((p) => p.value).join('')) * 2, 1.25);
      expect(warn).toHaveBeenCalledTimes(2);
    } finally {
      warn.mockRestore();
    }
    const previous = configure({ strict: true });
    try {
      expect(() => gradient((x: number) => +rounded.format(x) * 3, 1.75)).toThrow(/zygote-ts \(strict\): the number 1\.75 was read back/);
    } finally {
      configure(previous);
    }
  });
  it('not where the text is only shown, or reads back rounded (a step: derivative 0)', () => {
    const previous = configure({ strict: true });
    try {
      expect(gradient((x: number) => (rounded.format(x).length > 0 ? x * x : 0), 2.5)).toEqual([5]);
      expect(gradient((x: number) => Number(rounded.format(x)) + x, 2.51234)).toEqual([1]); // ("2.512")
      expect(gradient((x: number) => Number(x.toLocaleString('en-US', { maximumFractionDigits: 20 })) * 2, 2.5)).toEqual([2]); // (followed)
    } finally {
      configure(previous);
    }
  });
});

// JSON.parse gives a reviver a third argument on Node 21 and later, the value's context: a
// primitive's `{ source }` (its text in the JSON), an object's `{}`, and `{}` for a primitive the
// reviver changed. JSON holding traced numbers' text is parsed by the runtime, whose reviver walk
// gave none: `(k, v, c) => c?.source ?? v` read 1.7 where plain JavaScript reads "1.7".
const reviverGetsContext = JSON.parse('0', (_k: string, _v: unknown, ...c: unknown[]) => c[0] !== undefined) === true;
describe.skipIf(!reviverGetsContext)('JSON.parse: a reviver gets the context the built-in gives', () => {
  it('sources of traced numbers, of other values, and {} where the reviver changed one', () => {
    const program = (x: number) => {
      const seen: unknown[] = [];
      const note = (text: string, change = false) => JSON.parse(text, function (this: Record<string, unknown>, k: string, v: unknown, ...c: unknown[]) {
        seen.push([k, JSON.stringify(c[0])]);
        if (change && k === '0') this[1] = 5;
        return v;
      });
      const a = note(JSON.stringify({ a: x, b: [x * 2, 's', null, { c: true }] }));
      const b = note(`[${x}, 1.50, 2]`, true);
      const c = JSON.parse(String(x), (_k: string, v: unknown, ...ctx: unknown[]) => (ctx[0] as { source?: string } | undefined)?.source ?? v);
      return { seen, value: a.a * a.b[0] + b[0] * b[2], c };
    };
    const plain = program(1.7);
    let traced: ReturnType<typeof program> | undefined;
    const [g] = gradient((x: number) => (traced = program(x)).value, 1.7);
    expect(traced!.seen).toEqual(plain.seen);
    expect(traced!.c).toBe('1.7');
    expect(g).toBeCloseTo(4 * 1.7 + 2, 10);
  });
});
