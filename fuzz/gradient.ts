// The eager gradient against central finite differences, on random programs of rare syntax
// (gradient-grammar.ts): a rule or a rewrite that keeps a program's value but loses or
// miscounts a derivative passes the differential fuzzer (values and behaviour) and the
// compiled one (compiled against eager); it does not pass this.
//
// Each program is the body of f(x, y), made twice: plain (gradient-grammar.ts is not
// rewritten) and rewritten (this file is: its `new Function` rewrites, lib/dynamic-function.ts).
// At a few points it checks that `withgradient`'s value is the plain value bit for bit, that
// the rewritten function on plain numbers is too, that the gradient throws where the plain
// program throws and only there, and that each partial derivative is the central
// difference (f(x + h) - f(x - h)) / 2h. Finite differences are honest only where f is
// smooth around the point: a point where the differences with h and h/10 disagree (a
// kink, a step, a branch, rounding) or where f is not finite says nothing, and is skipped.
//
// This file must run rewritten (the loader, or the vitest plugin).
import { configure, withgradient } from 'zygote-ts';
import { Rng } from './grammar.js';
import { gradientProgram, loaderFunction, plainFunction } from './gradient-grammar.js';
import { shrink } from './shrink.js';
import { passThrough, plainFromScript, ToolchainRefused, type Through } from './through.js';
import { type Tree, print } from './tree.js';

type F = (x: number, y: number) => number;

/** The relative step of the finite differences (times max(1, |x|)). */
const STEP = 1e-4;
/** Differences with h and h/10 within this (relative) of each other: f is smooth here. */
const SMOOTH = 1e-5;
/** A gradient this far (relative) from the finite difference is wrong. */
const WRONG = 1e-3;

export interface Point {
  x: number;
  y: number;
}

/** The points program `index` of `seed` is checked at: away from integers and halves, where the grammar's kinks and steps sit. */
export function pointsFor(seed: number, index: number, count = 3): Point[] {
  const rng = new Rng(seed ^ 0x2545f491, index);
  const r = (): number => {
    const v = rng.next() * 4 - 2;
    return Math.abs(v * 2 - Math.round(v * 2)) < 0.02 ? v + 0.037 : v;
  };
  return Array.from({ length: count }, () => ({ x: r(), y: r() }));
}

export interface Tally {
  programs: number;
  /** Partial derivatives compared with finite differences. */
  checked: number;
  /** Skipped: not smooth there (h and h/10 disagree) or not finite. */
  skipped: number;
  /** Points where the plain program throws (the gradient must throw too). */
  throwing: number;
  /** Differences nobody is told of: the bugs this hunts. */
  differences: string[];
  /**
   * Differences where a derivative was lost with a warning (off here): strict mode stops
   * there. A documented limit, not a silent wrong answer (kept apart to be looked at).
   */
  warned: string[];
  /** Programs a toolchain (`--through`) refused or changed the plain behaviour of: they say nothing about the rewrite. */
  toolchain?: number;
}

const errorName = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : `thrown ${String(e)}`);

function attempt<T>(run: () => T): { ok: T } | { threw: unknown } {
  try {
    return { ok: run() };
  } catch (e) {
    return { threw: e };
  }
}

/**
 * Whether the derivative `g` of a function at a point is its finite difference: `move(d)` is
 * the function's plain value with one input moved by d, `f0` its value there, `h` the step.
 * 'skipped' where the differences cannot judge, a description where `g` is wrong.
 */
export function judge(g: number, move: (d: number) => number, f0: number, h: number): 'checked' | 'skipped' | string {
  const central = (step: number): number => (move(step) - move(-step)) / (2 * step);
  const wide = central(h * 10);
  const coarse = central(h);
  const fine = central(h / 10);
  const scale = Math.max(1, Math.abs(coarse), Math.abs(fine));
  // Not smooth here: the differences with h and h/10 disagree (a kink or step nearby,
  // rounding); or with 10h, looser by its truncation error, 100 times h's (a function that
  // oscillates faster than h, cos(1e9 x), can agree at two steps by chance, not at three).
  if (!Number.isFinite(coarse) || !Number.isFinite(fine) || Math.abs(coarse - fine) > SMOOTH * scale || !(Math.abs(wide - coarse) <= 100 * SMOOTH * scale)) return 'skipped';
  // A kink right at the point (Math.max(x - 0.7, 0) at 0.7) has central differences that
  // agree at every step (the mean of its two slopes): its one-sided differences do not.
  const jump = Math.abs(move(h / 10) - f0 - (f0 - move(-h / 10))) / (h / 10);
  // f's own rounding, ulp(f) / h, is the finest slope the differences see: a term of 1e-4
  // added to 1e13 changes nothing at this step, yet its derivative is 1.
  const resolution = (Math.abs(f0) * Number.EPSILON) / (h / 10);
  if (jump > WRONG * scale || resolution > (WRONG / 10) * scale) return 'skipped';
  // Nor a NaN derivative of a part that is constant here (atan2(0, x - x): 0/0 times 0, as
  // the chain rule gives in Zygote too), nor slopes so steep that a term like cos(1e7 x)
  // hides at any step.
  if ((Number.isNaN(g) && coarse === 0 && fine === 0) || scale > 1e5 || Math.abs(g) > 1e5) return 'skipped';
  return Math.abs(g - fine) <= WRONG * scale ? 'checked' : `${g}, finite differences ${fine} (h ${h}: ${coarse})`;
}

/**
 * The first difference between the gradient and the plain program of `body` at `points`
 * (null: none); `tally`, if given, counts what was checked.
 */
export function checkBody(body: string, points: readonly Point[], tally?: Tally, viaLoaderToo = true, through: Through = 'none'): string | null {
  let plain = plainFunction(body);
  const strict = body.trimStart().startsWith('"use strict"');
  let rewritten = new Function('x', 'y', body) as F;
  let loaded = viaLoaderToo ? loaderFunction(body, strict) : null;
  if (through !== 'none') {
    // (the toolchain's output, rewritten; where its plain run is not the original's, the
    // toolchain changed the program, and the rewrite is held to the output's plain run)
    let script: string;
    try {
      script = passThrough(`function f(x, y) {\n${body}\n}`, through);
    } catch (e) {
      if (!(e instanceof ToolchainRefused)) throw e;
      if (tally) tally.toolchain = (tally.toolchain ?? 0) + 1;
      return null;
    }
    const plainThrough = plainFromScript<F>(script, 'f');
    const outcome = (g: F, p: Point): unknown => {
      const r = attempt(() => g(p.x, p.y));
      return 'ok' in r ? r.ok : 'threw';
    };
    if (!points.every((p) => Object.is(outcome(plain, p), outcome(plainThrough, p)))) {
      if (tally) tally.toolchain = (tally.toolchain ?? 0) + 1;
      plain = plainThrough;
    }
    rewritten = new Function(`${script}\nreturn f;`)() as F;
    loaded = viaLoaderToo ? loaderFunction(script, strict, true) : null;
  }
  for (const p of points) {
    const at = `at x = ${p.x}, y = ${p.y}`;
    const value = attempt(() => plain(p.x, p.y));
    const eager = attempt(() => withgradient(rewritten, p.x, p.y));
    if ('threw' in value) {
      if (tally) tally.throwing++;
      if (!('threw' in eager)) return `${at}: plain throws ${errorName(value.threw)}, the gradient does not`;
      continue;
    }
    if ('threw' in eager) return `${at}: the gradient throws ${errorName(eager.threw)}, plain returns ${value.ok}`;
    const { val, grad } = eager.ok;
    if (!Object.is(val, value.ok)) return `${at}: withgradient's value is ${val}, plain ${value.ok}`;
    const again = attempt(() => rewritten(p.x, p.y));
    if (!('ok' in again) || !Object.is(again.ok, value.ok)) return `${at}: rewritten on plain numbers ${'ok' in again ? again.ok : errorName(again.threw)}, plain ${value.ok}`;
    // The loader's form (two bodies, module twins) must give the very same numbers.
    const viaLoader = loaded === null ? eager : attempt(() => withgradient(loaded, p.x, p.y));
    if (!('ok' in viaLoader)) return `${at}: the gradient of the loader's form throws ${errorName(viaLoader.threw)}, plain returns ${value.ok}`;
    const same = (a: unknown, b: unknown): boolean => Object.is(a ?? 0, b ?? 0);
    if (!same(viaLoader.ok.val, val) || !same(viaLoader.ok.grad[0], grad[0]) || !same(viaLoader.ok.grad[1], grad[1])) {
      return `${at}: the loader's form gives ${viaLoader.ok.val} and [${String(viaLoader.ok.grad)}], new Function's ${val} and [${String(grad)}]`;
    }
    if (!Number.isFinite(value.ok)) {
      if (tally) tally.skipped += 2;
      continue;
    }
    for (const which of [0, 1] as const) {
      const h = STEP * Math.max(1, Math.abs(which === 0 ? p.x : p.y));
      const move = (d: number): number => (which === 0 ? plain(p.x + d, p.y) : plain(p.x, p.y + d));
      const verdict = judge(grad[which] ?? 0, move, value.ok, h);
      if (verdict === 'checked' || verdict === 'skipped') {
        if (tally) tally[verdict]++;
        continue;
      }
      return `${at}: d/d${which === 0 ? 'x' : 'y'} is ${verdict.replace(/^0,/, `${grad[which]},`)}`;
    }
  }
  return null;
}

/**
 * Second derivatives of `body` at `points`: the gradient of each first partial (a gradient
 * inside a gradient) against finite differences of that partial, which the first-order
 * check vouches for. A rule whose partials are computed outside the tape (plain Math on
 * the values) keeps first derivatives right and makes second ones wrong.
 */
export function checkSecondOrder(body: string, points: readonly Point[], tally?: Tally, through: Through = 'none'): string | null {
  let rewritten = new Function('x', 'y', body) as F;
  if (through !== 'none') {
    try {
      rewritten = new Function(`${passThrough(`function f(x, y) {\n${body}\n}`, through)}\nreturn f;`)() as F;
    } catch (e) {
      if (!(e instanceof ToolchainRefused)) throw e;
      return null;
    }
  }
  for (const p of points) {
    for (const which of [0, 1] as const) {
      const partial = (x: number, y: number): number => (withgradient(rewritten, x, y).grad[which] as number | null) ?? 0;
      const first = attempt(() => partial(p.x, p.y));
      if (!('ok' in first) || !Number.isFinite(first.ok)) continue;
      const second = attempt(() => withgradient(partial, p.x, p.y));
      if (!('ok' in second)) return `at x = ${p.x}, y = ${p.y}: the gradient of d/d${which === 0 ? 'x' : 'y'} throws ${errorName(second.threw)}`;
      // (the sweep inside a gradient runs on traced numbers: the same partial up to rounding,
      // and a NaN where a zero cotangent meets an overflowed partial, 0 · ∞, which the plain
      // sweep skips: such a point says nothing)
      const inside = second.ok.val;
      if (Number.isNaN(inside)) continue;
      if (!(Math.abs(inside - first.ok) <= 1e-12 * Math.max(1, Math.abs(first.ok)))) return `at x = ${p.x}, y = ${p.y}: d/d${which === 0 ? 'x' : 'y'} is ${first.ok}, inside a gradient ${inside}`;
      for (const by of [0, 1] as const) {
        const h = STEP * Math.max(1, Math.abs(by === 0 ? p.x : p.y));
        const move = (d: number): number => (by === 0 ? partial(p.x + d, p.y) : partial(p.x, p.y + d));
        const g = second.ok.grad[by] ?? 0;
        const verdict = judge(g, move, first.ok, h);
        if (verdict === 'checked' || verdict === 'skipped') {
          if (tally) tally[verdict]++;
          continue;
        }
        const names = ['x', 'y'];
        return `at x = ${p.x}, y = ${p.y}: d²/d${names[by]}d${names[which]} is ${verdict.replace(/^[^,]*,/, `${String(second.ok.grad[by])},`)}`;
      }
    }
  }
  return null;
}

/** Where the numbers of a structure are: a path of keys (Map entries by their key). */
export type Path = readonly (string | { entry: unknown })[];

export function numberPaths(v: unknown, path: Path = [], out: Path[] = []): Path[] {
  if (typeof v === 'number') out.push(path);
  else if (v instanceof Map) for (const [k, w] of v) numberPaths(w, [...path, { entry: k }], out);
  else if (typeof v === 'object' && v !== null) for (const k of Object.keys(v)) numberPaths((v as Record<string, unknown>)[k], [...path, k], out);
  return out;
}

export function read(v: unknown, path: Path): unknown {
  for (const k of path) {
    if (v === null || v === undefined) return v;
    v = typeof k === 'string' ? (v as Record<string, unknown>)[k] : (v as Map<unknown, unknown>).get(k.entry);
  }
  return v;
}

export function write(v: unknown, path: Path, x: number): void {
  const parent = read(v, path.slice(0, -1));
  const last = path[path.length - 1]!;
  if (typeof last === 'string') (parent as Record<string, unknown>)[last] = x;
  else (parent as Map<unknown, unknown>).set(last.entry, x);
}

/**
 * The gradient of `f` at the arguments `make()` makes against finite differences in each
 * number they hold (arrays, objects, class instances' own fields, Map values): null where
 * every partial that can be judged agrees. `make` makes fresh arguments for each run (f may
 * write to them). The value is compared with f's on plain numbers.
 */
export function checkFunction(f: (...args: any[]) => number, make: () => unknown[]): string | null {
  const plain = f(...make());
  const { val, grad } = withgradient(f, ...make());
  if (!Object.is(val, plain)) return `withgradient's value is ${val}, f's ${plain}`;
  const gradients = grad as unknown[];
  for (const [i, a] of make().entries()) {
    for (const path of numberPaths(a)) {
      const x0 = read(a, path) as number;
      const move = (d: number): number => {
        const args = make();
        if (path.length === 0) args[i] = x0 + d;
        else write(args[i], path, x0 + d);
        return f(...args);
      };
      const g = read(gradients[i], path);
      const verdict = judge(typeof g === 'number' ? g : 0, move, plain, STEP * Math.max(1, Math.abs(x0)));
      if (verdict !== 'checked' && verdict !== 'skipped') return `argument ${i}${path.map((k) => (typeof k === 'string' ? `.${k}` : `[${String(k.entry)}]`)).join('')}: the gradient is ${String(g)}, ${verdict.replace(/^[^,]*, /, '')}`;
    }
  }
  return null;
}

/**
 * Program `index` of `seed`, checked (null: no difference). One program in four is also
 * rewritten as the loader rewrites a file (two bodies, twins), which costs four times the
 * rest of the check.
 */
export function checkProgram(seed: number, index: number, tally?: Tally, through: Through = 'none'): string | null {
  return checkBody(print(gradientProgram(seed, index)), pointsFor(seed, index), tally, index % 4 === 0, through);
}

/** The smallest variant of a failing program found that still fails at its points. */
export function shrinkProgram(seed: number, index: number, through: Through = 'none'): { body: string; difference: string } {
  const points = pointsFor(seed, index);
  const kind = (difference: string | null): string | null => difference?.replace(/^at [^:]*: /, '').replace(/ is .*|[-\d.e]+/gs, '').slice(0, 100) ?? null;
  const wanted = kind(checkProgram(seed, index, undefined, through));
  // (A candidate fails the same way, or it would shrink to a program that returns nothing.)
  const fails = (t: Tree): boolean => {
    try {
      return kind(checkBody(print(t), points, undefined, index % 4 === 0, through)) === wanted;
    } catch {
      return false; // (a candidate that does not compile)
    }
  };
  const body = print(shrink(gradientProgram(seed, index), fails, 2_000));
  return { body, difference: checkBody(body, points, undefined, index % 4 === 0, through) ?? '(no longer fails)' };
}

/** Whether the program's difference is one strict mode stops at (a derivative lost with a warning). */
function warnsInStrictMode(seed: number, index: number, through: Through): boolean {
  const previous = configure({ strict: true });
  try {
    return /zygote-ts \(strict\)/.test(checkProgram(seed, index, undefined, through) ?? '');
  } finally {
    configure(previous);
  }
}

/** Programs `from` … `to - 1` of `seed`, with warnings about lost derivatives off (they are the differences this counts). */
export function runGradientCampaign(seed: number, from: number, to: number, shrinkFailures = true, through: Through = 'none'): Tally {
  const tally: Tally = { programs: 0, checked: 0, skipped: 0, throwing: 0, differences: [], warned: [] };
  const previous = configure({ warnings: false });
  try {
    for (let index = from; index < to; index++) {
      tally.programs++;
      const d = checkProgram(seed, index, tally, through);
      if (d === null) continue;
      const list = warnsInStrictMode(seed, index, through) ? tally.warned : tally.differences;
      if (!shrinkFailures) {
        list.push(`program ${index} of seed ${seed}: ${d}\n${print(gradientProgram(seed, index))}`);
        continue;
      }
      const small = shrinkProgram(seed, index, through);
      list.push(`program ${index} of seed ${seed}: ${small.difference}\n${small.body.trim()}`);
    }
  } finally {
    configure(previous);
  }
  return tally;
}
