// The playground's trace graph (playground/src/worker/trace.ts), recorded in Node from
// code compiled as the page compiles it, with the instrumented runtime the worker uses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transform } from 'esbuild';
import * as zygote from 'zygote-ts';
import { compile, wrapForEval } from '../../playground/src/compile.js';
import { instrumentLibrary, instrumentRuntime, recordedCalls, sample, type CallInfo } from '../../playground/src/worker/trace.js';

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

async function calls(source: string): Promise<CallInfo[]> {
  const before = recordedCalls().length;
  const strip = async (code: string, sourcefile: string) => {
    const r = await transform(code, { loader: 'ts', sourcemap: 'external', sourcefile });
    return { code: r.code, map: r.map };
  };
  const c = await compile(source, strip);
  await ((0, eval)(wrapForEval(c.code)) as Function)(() => lib, (_: number, v: unknown) => v, console);
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

  it('samples f and f′ for the plot', async () => {
    const [call] = await calls("import { gradient } from 'zygote-ts';\ngradient((x: number) => x ** 3, 2);");
    const s = sample(call!.index, -1, 1, 3)!;
    expect(s).toEqual({ xs: [-1, 0, 1], ys: [-1, 0, 1], ds: [3, 0, 3], y0: 8, d0: 12 });
  });
});
