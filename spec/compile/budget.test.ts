// compileGradient is never worse than the eager gradient (issue 15): the recorded program
// has a budget, measured as it is recorded; past it the call finishes eagerly — the same
// gradient, f's side effects once — and `fallback` says why. The two programs that used to
// crash with a RangeError (a Monte Carlo loop with % and Math.max, a spring–mass simulation
// over small class instances) are run here with a small budget, so the spec stays fast.
import { describe, expect, it } from 'vitest';
import { compileGradient, gradient, mul, NDArray, sum } from 'zygote-ts';
import { Program } from '../../lib/compile/program.js';
import { Op } from '../../lib/compile/instructions.js';
import { TABLE_WEIGHT } from '../../lib/compile/reroll.js';
import { plainTypeOf } from '../proxies/plain-data.js';

const close = (a: unknown, b: unknown, tol = 1e-12): void => {
  if (typeof b === 'number') {
    expect(plainTypeOf(a)).toBe('number');
    expect(Math.abs((a as number) - b)).toBeLessThanOrEqual(tol * (1 + Math.abs(b)));
    return;
  }
  if (b === null) return void expect(a).toBeNull();
  expect(Object.keys(a as object)).toEqual(Object.keys(b as object));
  for (const k of Object.keys(b as object)) close((a as any)[k], (b as any)[k], tol);
};

/** Central differences of f along each (number) argument. */
const centralDifferences = (f: (...xs: number[]) => number, xs: number[], h = 1e-6): number[] =>
  xs.map((_, k) => (f(...xs.map((x, j) => (j === k ? x + h : x))) - f(...xs.map((x, j) => (j === k ? x - h : x)))) / (2 * h));
const agreesWithDifferences = (got: unknown, f: (...xs: number[]) => number, xs: number[]): void => {
  centralDifferences(f, xs).forEach((d, k) => expect(Math.abs((got as number[])[k]! - d)).toBeLessThan(1e-6 * (1 + Math.abs(d))));
};

// The first program: a % inside the body, a Math.max kink.
const monteCarlo = (n: number) => (s0: number) => {
  let p = 0;
  for (let i = 0; i < n; i++) {
    const S = s0 * (0.5 + ((i * 0.618) % 1));
    p += Math.max(S - 1, 0);
  }
  return p;
};

class Vec {
  x: number;
  y: number;
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }
  add(o: Vec) { return new Vec(this.x + o.x, this.y + o.y); }
  sub(o: Vec) { return new Vec(this.x - o.x, this.y - o.y); }
  scale(s: number) { return new Vec(this.x * s, this.y * s); }
  dot(o: Vec) { return this.x * o.x + this.y * o.y; }
}
class Particle {
  constructor(public pos: Vec, public vel: Vec, public mass: number) {}
}
// The second: a spring–mass simulation stepping small class instances, driven by a
// force that changes with time (data that differs from step to step).
const springMass = (steps: number) => (k: number, damping: number) => {
  const dt = 0.01;
  const ps = [new Particle(new Vec(1, 0), new Vec(0, 0.5), 1), new Particle(new Vec(-1, 0.2), new Vec(0.1, 0), 2)];
  for (let step = 0; step < steps; step++) {
    const drive = new Vec(Math.cos(step * dt * 3), 0);
    for (const p of ps) {
      const f = p.pos.scale(-k).sub(p.vel.scale(damping)).add(drive);
      p.vel = p.vel.add(f.scale(dt / p.mass));
      p.pos = p.pos.add(p.vel.scale(dt));
    }
  }
  let e = 0;
  for (const p of ps) e += p.pos.dot(p.pos) + 0.5 * p.mass * p.vel.dot(p.vel);
  return e;
};

describe('past its budget, a call finishes eagerly and f runs uncompiled', () => {
  it('the Monte Carlo loop', () => {
    const f = monteCarlo(300);
    const g = compileGradient(f, { budget: 40 });
    close(g(1.3), gradient(f, 1.3));
    expect(g.fallback).toMatch(/budget of 40 instructions/);
    close(g(0.9), gradient(f, 0.9));
    agreesWithDifferences(g(1.3), f, [1.3]);
  });

  it('the spring–mass simulation', () => {
    const f = springMass(60);
    const g = compileGradient(f, { budget: 100 });
    close(g(2, 0.1), gradient(f, 2, 0.1));
    expect(g.fallback).toMatch(/budget of 100 instructions/);
    close(g(2.5, 0.2), gradient(f, 2.5, 0.2));
    agreesWithDifferences(g(2.5, 0.2), f, [2.5, 0.2]);
  });

  it('a loop whose body changes with the data (it cannot reroll), stopped part way: side effects happen once', () => {
    const log: number[] = [];
    const f = (v: number[]) => {
      let s = 0;
      for (const x of v) s += x > 0 ? Math.sin(x) * x : Math.exp(x) - x * 3;
      log.push(s);
      return s;
    };
    const v = Array.from({ length: 400 }, (_, i) => Math.sin(i * i * 0.37));
    const g = compileGradient(f, { budget: 500 });
    const expected = gradient(f, v);
    log.length = 0;
    close(g(v), expected);
    expect(log).toHaveLength(1);
    expect(plainTypeOf(log[0])).toBe('number');
    expect(g.fallback).toMatch(/budget/);
  });

  it('what compiled code does not follow (reading single elements of an NDArray) stops the recording, not f', () => {
    const f = (x: NDArray) => {
      let s = sum(mul(x, x));
      try {
        for (let i = 0; i < 3; i++) s = s + x.get(i) * 2;
      } catch {
        s = NaN; // (f's own catch must see nothing of the recording)
      }
      return s;
    };
    const x = new NDArray([4], Float64Array.of(1, -2, 3, 0.5));
    const g = compileGradient(f);
    const [got] = g(x) as [NDArray];
    const [want] = gradient(f, x) as [NDArray];
    expect(Array.from(got.data)).toEqual(Array.from(want.data));
    expect(g.fallback).toMatch(/reads single elements/);
  });
});

describe('a loop whose data differs from copy to copy counts its tables against the budget', () => {
  it('while the loop runs: the recording stops there, not when the loop ends', () => {
    // s = s + x·c_i, c_i = i·0.618 mod 1: one loop, its constants a table that grows with it
    const program = new Program(100);
    const x = program.input(1.5);
    let s: ReturnType<Program['binary']> = x;
    let stoppedAt = -1;
    for (let i = 0; i < 100_000 && stoppedAt < 0; i++) {
      s = program.binary(Op.add, s, program.binary(Op.mul, x, (i * 0.618) % 1));
      if (program.abandoned !== null) stoppedAt = i;
    }
    expect(program.abandoned).toMatch(/budget of 100 instructions that do not fold into loops \(with \d+ entries of loops' tables of data, 16 counting as one\)/);
    // (a table of 100·TABLE_WEIGHT entries is past it; it doubles as it grows)
    expect(stoppedAt).toBeGreaterThan(0);
    expect(stoppedAt).toBeLessThanOrEqual(2 * 100 * TABLE_WEIGHT);
  });

  it('the Monte Carlo loop, its program small but its table long: the gradient is the eager one', () => {
    const f = monteCarlo(5000);
    const g = compileGradient(f, { budget: 200 });
    close(g(1.3), gradient(f, 1.3));
    expect(g.fallback).toMatch(/budget of 200 instructions that do not fold into loops \(with \d+ entries of loops' tables/);
    close(g(0.9), gradient(f, 0.9));
    agreesWithDifferences(g(0.9), f, [0.9]);
  });
});

describe('code the engine cannot compile is no error: f runs uncompiled, saying why', () => {
  // (V8 refuses a function too deep or too long with a RangeError, when it is made or when it
  // first runs; a stand-in Function that refuses the same way stands for the 28 MB function)
  const refusing = <T>(when: 'made' | 'run', body: () => T): T => {
    const original = globalThis.Function;
    const overflow = (): never => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    // (a function, not an arrow: the library calls it with `new`; the factory it makes returns the path's function)
    globalThis.Function = (when === 'made'
      ? function () {
          return overflow();
        }
      : function (...source: string[]) {
          const factory = original(...source) as (...a: unknown[]) => unknown;
          return (...a: unknown[]) => {
            factory(...a);
            return () => overflow();
          };
        }) as unknown as FunctionConstructor;
    try {
      return body();
    } finally {
      globalThis.Function = original;
    }
  };

  // (interpreted, the second call makes only the arguments' reader: the engine may refuse that too)
  for (const [when, interpret] of [['made', false], ['run', false], ['made', true], ['run', true]] as const) {
    it(`when the generated function is ${when}${interpret ? ' (the reader of a path swept from its tape)' : ''}`, () => {
      const f = monteCarlo(50);
      const g = compileGradient(f, { interpret });
      close(g(1.3), gradient(f, 1.3)); // (recorded: this call's gradient is the recording's)
      expect(g.fallback).toBeNull();
      const got = refusing(when, () => g(0.9)); // (the code is generated now)
      close(got, gradient(f, 0.9));
      expect(g.fallback).toMatch(/more than this engine can compile \(Maximum call stack size exceeded\): f runs uncompiled/);
      close(g(1.1), gradient(f, 1.1));
      agreesWithDifferences(g(1.1), f, [1.1]);
    });
  }
});

describe('within the budget they compile, and loops reroll', () => {
  it('the Monte Carlo loop: one loop each way, whatever the data', () => {
    const f = monteCarlo(2000);
    const g = compileGradient(f);
    for (const s0 of [1, 1.7, 0.4]) close(g(s0), gradient(f, s0));
    agreesWithDifferences(g(1.7), f, [1.7]);
    expect(g.fallback).toBeNull();
    expect(g.recordings).toBe(1); // (the kink is not a guard)
    expect(g.source.match(/for \(let t = 0;/g)?.length).toBeLessThanOrEqual(4);
    expect(g.source.length).toBeLessThan(5000);
  });

  it('the spring–mass simulation', () => {
    const f = springMass(300);
    const g = compileGradient(f);
    for (const [k, c] of [[2, 0.1], [3, 0.05], [2, 0.1]]) close(g(k!, c!), gradient(f, k!, c!), 1e-10);
    agreesWithDifferences(g(3, 0.05), f, [3, 0.05]);
    expect(g.fallback).toBeNull();
    expect(g.source.length).toBeLessThan(60_000);
  });
});

// Without array operations the first call sweeps the recording's tape, and the reverse pass is
// written as code by the second call: a pass that passes the budget then stops compilation there.
describe('a reverse pass written by the second call', () => {
  // (a chain of operations chosen by a fixed pseudo-random sequence: no period, so nothing rerolls)
  const kinds: number[] = [];
  for (let s = 12345, i = 0; i < 120; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    kinds.push(s % 3);
  }
  const chain = (x: number) => {
    let y = x;
    for (const k of kinds) y = k === 0 ? Math.sin(y) + y : k === 1 ? y * 1.01 : Math.cos(y) * 0.5 + y;
    return y;
  };

  it('gives the eager gradient on both calls, and says why it stopped compiling at the second', () => {
    const eager = gradient(chain, 0.3);
    agreesWithDifferences(eager, chain, [0.3]);
    const g = compileGradient(chain, { budget: 600, interpret: false });
    expect(g(0.3)).toEqual(eager);
    expect(g.fallback).toBeNull(); // (the forward pass fits)
    expect(g(0.3)).toEqual(eager);
    expect(g.fallback).toMatch(/passed its budget of 600 instructions/);
    expect(g(0.7)).toEqual(gradient(chain, 0.7));
  });

  it('swept from its tape first (straight code), it says so at the call that writes the pass, every call the eager gradient', () => {
    const g = compileGradient(chain, { budget: 600 });
    let calls = 0;
    for (; g.fallback === null && calls < 5000; calls++) {
      const x = 0.3 + 1e-3 * (calls % 10);
      expect(g(x)).toEqual(gradient(chain, x));
    }
    expect(calls).toBeGreaterThan(2); // (the second call and some after it were swept)
    expect(g.fallback).toMatch(/passed its budget of 600 instructions/);
    expect(g(0.7)).toEqual(gradient(chain, 0.7));
  });

  it('says so where the source is asked for first', () => {
    const g = compileGradient(chain, { budget: 600 });
    g(0.3);
    expect(g.source).toBe('');
    expect(g.fallback).toMatch(/passed its budget of 600 instructions/);
    expect(g(0.3)).toEqual(gradient(chain, 0.3));
  });

  it('within the budget, the code written then gives the first call\'s numbers', () => {
    const g = compileGradient(chain);
    const first = g(0.3);
    expect(g(0.3)).toEqual(first);
    expect(g.fallback).toBeNull();
    expect(g.source).toMatch(/instructions recorded/);
  });
});
