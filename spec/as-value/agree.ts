// A traced number behaves as its value: run the same program plain and inside a
// differentiation, and compare everything it observes (issue 12).
import { expect } from 'vitest';
import { gradient, withgradient } from 'zygote-ts';

const TRACED = Symbol.for('zygote-ts.traced');

/** An observation with traced numbers replaced by their values (read without converting them). */
function settled(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && (v as Record<symbol, unknown>)[TRACED] === true) return settled((v as { value: unknown }).value);
  if (Array.isArray(v)) return v.map(settled);
  return v;
}

/**
 * Runs `program(xs, seen)` on plain numbers and on traced ones (as f of withgradient), and
 * expects the same observations (`seen`) and the same result. Returns the gradient.
 */
export function agrees(program: (xs: number[], seen: unknown[]) => number, xs: number[]): unknown {
  const plainSeen: unknown[] = [];
  const plainResult = program([...xs], plainSeen);
  const tracedSeen: unknown[] = [];
  const { val, grad } = withgradient((v: number[]) => program(v, tracedSeen), [...xs]);
  expect(tracedSeen.map(settled)).toEqual(plainSeen);
  expect(val).toEqual(plainResult);
  return grad[0];
}

/**
 * Runs `program(x, seen)` on a plain number and, once, on a traced one (as f of gradient),
 * and expects the same observations (compared as JSON text: Maps and Sets as their shape)
 * and a gradient that central differences confirm.
 */
export function agreesAt(program: (x: number, seen: unknown[]) => number, x: number): void {
  const plain: unknown[] = [];
  program(x, plain);
  const traced: unknown[] = [];
  let calls = 0;
  const [g] = gradient((v: number) => program(v, calls++ === 0 ? traced : []), x) as [number | null];
  expect(JSON.stringify(traced)).toBe(JSON.stringify(plain));
  const h = 1e-6;
  expect(g ?? 0).toBeCloseTo((program(x + h, []) - program(x - h, [])) / (2 * h), 5);
}
