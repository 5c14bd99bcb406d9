// The playground's trace graph (playground/src/worker/trace.ts), recorded in Node from
// code compiled as the page compiles it, with the instrumented runtime the worker uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transform } from 'esbuild';
import * as zygote from 'zygote-ts';
import { compile, wrapForEval } from '../../playground/src/compile.js';
import { compiledSources, instrumentLibrary, instrumentRuntime, onRecorded, recordedCalls, sample, sampleGrid, type CallInfo } from '../../playground/src/worker/trace.js';
import { errorPosition } from '../../playground/src/compile.js';

const KEY = Symbol.for('zygote-ts.runtime');
const globals = globalThis as unknown as Record<symbol, unknown>;
const saved = globals[KEY];
const lib = instrumentLibrary(zygote);

beforeAll(() => {
  globals[KEY] = instrumentRuntime(zygote.__zy);
});
afterAll(() => {
  globals[KEY] = saved;
});

/** A library's function, as a rewritten package calls the runtime (culori does): its operations are made outside the user's code. */
const library = {
  square: (x: number) => (globals[KEY] as typeof zygote.__zy).mul(x, x),
};

let lastMap: Parameters<typeof errorPosition>[1] | null = null;
/** The user's line of a place in the evaluated code. */
const userLine = (at: { line: number; column: number }) => errorPosition(`zygote-playground-user.js:${at.line}:${at.column}`, lastMap!)?.line;

async function calls(source: string): Promise<CallInfo[]> {
  const before = recordedCalls().length;
  const strip = async (code: string, sourcefile: string) => {
    const r = await transform(code, { loader: 'ts', sourcemap: 'external', sourcefile });
    return { code: r.code, map: r.map };
  };
  const c = await compile(source, strip);
  lastMap = c.map;
  await ((0, eval)(wrapForEval(c.code)) as Function)((m: string) => (m === 'library' ? library : lib), (_: number, v: unknown) => v, console);
  return recordedCalls().slice(before);
}

describe('the trace graph', () => {
  it('records the operations of f with their values, and the gradient flowing back on each edge', async () => {
    const [call] = await calls("import { gradient } from 'zygote-ts';\ngradient((x: number) => 3 * x ** 2 + 2 * x + 1, 5);");
    const g = call!.graph;
    expect(call!.kind).toBe('gradient');
    expect(call!.scalar).toBe(true);
    expect(g.nodes.map((n) => n.detail ?? n.label)).toEqual(['x', '· ^ 2', '3 × ·', '2 × ·', '· + ·', '· + 1']);
    expect(g.nodes.map((n) => n.value)).toEqual([75 / 3, 25, 75, 10, 85, 86].map((n, i) => ({ n: i === 0 ? 5 : n })));
    expect(g.output).toBe(5);
    expect(g.outputGrad).toEqual({ n: 1 });
    // Into x: 6x = 30 through x², 2 through 2x: the gradient 32.
    const fromX = g.edges.filter((e) => e.from === 0).map((e) => e.grad);
    expect(fromX).toEqual([{ n: 30 }, { n: 2 }]);
  });

  it('names inputs by their path in the arguments', async () => {
    const [call] = await calls("import { gradient } from 'zygote-ts';\ngradient((p: { x: number; y: number }) => Math.hypot(p.x, p.y), { x: 3, y: 4 });");
    const inputs = call!.graph.nodes.filter((n) => n.kind === 'input').map((n) => n.label);
    expect(inputs).toEqual(['p.x', 'p.y']);
    expect(call!.graph.edges.map((e) => e.grad)).toEqual([{ n: 0.6 }, { n: 0.8 }]);
  });

  it('records an array operation as one node, and a nested differentiation as part of f', async () => {
    const [call] = await calls(
      "import { array, derivative, gradient, matmul, sum, type NDArray } from 'zygote-ts';\nconst x = array([1, 2]);\ngradient((W: NDArray) => sum(matmul(W, x)) * derivative((t: number) => t * t, 1), array([[1, 2], [3, 4]]));",
    );
    const ops = call!.graph.nodes.filter((n) => n.kind === 'op').map((n) => n.label);
    expect(ops).toEqual(['matmul', 'sum', '×']);
    expect(call!.graph.edges[0]!.grad).toEqual({ shape: [2, 2], data: [2, 4, 2, 4] }); // 2 · [x, x]
  });

  it('puts each element’s cotangent at its own place on the edge of an array holding untraced numbers too', async () => {
    const [call] = await calls("import { gradient, sum, mul } from 'zygote-ts';\ngradient((a: number, b: number) => sum(mul([a, 2, b] as any, [5, 6, 7] as any)), 3, 4);");
    const pack = call!.graph.nodes.find((n) => n.label === 'array')!;
    expect(pack.value).toEqual({ shape: [3], data: [3, 2, 4] });
    // ∂/∂[a, 2, b] of sum([a, 2, b] · [5, 6, 7]) = [5, 6, 7]; the 2 is a constant: no cotangent reaches it.
    expect(call!.graph.edges.find((e) => e.from === pack.id)!.grad).toEqual({ shape: [3], data: [5, 0, 7] });
  });

  it('hands the library f with its own arity (an f of one parameter may be given more arguments, as in Node)', async () => {
    const shown: unknown[] = [];
    const c = await compile("import { derivative } from 'zygote-ts';\n[1, 2].map(derivative.bind(null, (x: number) => x * x));", async (code, sourcefile) => {
      const r = await transform(code, { loader: 'ts', sourcemap: 'external', sourcefile });
      return { code: r.code, map: r.map };
    });
    await ((0, eval)(wrapForEval(c.code)) as Function)(() => lib, (_: number, v: unknown) => void shown.push(v), console);
    expect(shown).toEqual([[2, 4]]);
  });

  it('samples f and f′ for the plot', async () => {
    const [call] = await calls("import { gradient } from 'zygote-ts';\ngradient((x: number) => x ** 3, 2);");
    const s = sample(call!.index, -1, 1, 3)!;
    expect(s).toEqual({ xs: [-1, 0, 1], ys: [-1, 0, 1], ds: [3, 0, 3], y0: 8, d0: 12 });
  });
  it('notes the lines of the user’s code that made each operation, and which came from inside a library', async () => {
    const [call] = await calls(
      ["import { gradient } from 'zygote-ts';", "import { square } from 'library';", 'const f = (x: number) => {', '  const y = x * 3;', '  return square(y) + 1;', '};', 'gradient(f, 2);'].join('\n'),
    );
    const ops = call!.graph.nodes.filter((n) => n.kind === 'op');
    expect(ops.map((n) => n.label)).toEqual(['×', '×', '+']);
    expect(ops.map((n) => n.at!.map(userLine))).toEqual([[4], [5], [5]]);
    expect(ops.map((n) => n.inLibrary ?? false)).toEqual([false, true, false]);
  });

  it('sees a function of two numbers, samples it on a grid, and numbers the calls of each f', async () => {
    const list = await calls(
      ["import { gradient } from 'zygote-ts';", 'const f = (x: number, y: number) => x * x + 3 * y;', 'gradient(f, 1, 2);', 'gradient(f, 0, 1);', 'gradient((p: number[]) => p[0]! * p[1]!, [2, 5]);'].join('\n'),
    );
    expect(list.map((c) => c.plane)).toEqual([
      { names: ['x', 'y'], at: [1, 2] },
      { names: ['x', 'y'], at: [0, 1] },
      { names: ['p[0]', 'p[1]'], at: [2, 5] },
    ]);
    expect(list[0]!.fn).toBe(list[1]!.fn);
    expect(list[2]!.fn).not.toBe(list[0]!.fn);
    // f = x² + 3y on [-1, 1]²: rows from the lowest y.
    const grid = sampleGrid(list[0]!.index, -1, 1, -1, 1, 3)!;
    expect(grid.zs).toEqual([-2, -3, -2, 1, 0, 1, 4, 3, 4]);
    expect(grid.gx).toEqual([-2, 0, 2, -2, 0, 2, -2, 0, 2]);
    expect(grid.gy).toEqual(new Array(9).fill(3));
    expect(sampleGrid(list[2]!.index, 0, 1, 0, 1, 2)!.gx).toEqual([0, 0, 1, 1]); // ∂(p0·p1)/∂p0 = p1
  });

  it("records f's value at each call, a class instance of two numbers as a plane (keeping its class), and minimize's steps", async () => {
    const heard: number[] = [];
    onRecorded(() => heard.push(recordedCalls().length));
    const list = await calls(
      [
        "import { gradient, minimize } from 'zygote-ts';",
        'class Point { constructor(public x: number, public y: number) {} norm2() { return this.x ** 2 + this.y ** 2; } }',
        'const f = (p: Point) => p.norm2() + p.x;',
        'gradient(f, new Point(1, 2));',
        'const seen: number[] = [];',
        'const r = minimize(f, new Point(1, 2), { onStep: (s) => void seen.push(s.iteration) });',
        'if (seen.length !== r.iterations) throw new Error("the user\'s onStep missed a step");',
      ].join('\n'),
    );
    onRecorded(null);
    const [first, ...steps] = list;
    expect(first!.kind).toBe('gradient');
    expect(first!.value).toBe(6);
    expect(first!.plane).toEqual({ names: ['p.x', 'p.y'], at: [1, 2] });
    // Sampled with Points: f calls a method of the class.
    expect(sampleGrid(first!.index, 0, 1, 0, 1, 2)!.zs).toEqual([0, 2, 1, 3]);
    expect(steps.length).toBeGreaterThan(1);
    expect(steps.every((c) => c.kind === 'minimize' && c.fn === first!.fn && c.graph.nodes.length === 0)).toBe(true);
    expect(steps.map((c) => c.iteration)).toEqual(steps.map((_, i) => i));
    expect(steps[0]!.value).toBeUndefined(); // x0, before the solver evaluated f
    expect(steps[0]!.plane!.at).toEqual([1, 2]);
    const last = steps[steps.length - 1]!;
    expect(last.plane!.at[0]).toBeCloseTo(-0.5, 6); // the minimum of x² + y² + x
    expect(last.plane!.at[1]).toBeCloseTo(0, 6);
    expect(last.value).toBeCloseTo(-0.25, 10);
    expect(sampleGrid(last.index, 0, 1, 0, 1, 2)!.zs).toEqual([0, 2, 1, 3]);
    // The listener heard each call as it ended.
    expect(heard).toEqual(list.map((c) => c.index + 1));
  });

  it('keeps the generated code of each compiled gradient', async () => {
    const before = compiledSources().length;
    await calls(["import { compileGradient } from 'zygote-ts';", 'const g = compileGradient((x: number) => Math.sin(x) * x);', 'g(1);'].join('\n'));
    const [made] = compiledSources().slice(before);
    expect(userLine(made!.at!)).toBe(2);
    expect(made!.source).toMatch(/Math\.sin|sin/);
  });
});
