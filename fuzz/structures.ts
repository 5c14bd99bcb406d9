// The eager gradient of functions of one structured argument (structures-grammar.ts) against
// plain JavaScript and central finite differences. The gradient fuzzer (gradient.ts) takes
// numbers; this one takes a record holding an array, a Map, a nested record and a class
// instance, which f reads and writes in place. At each point it checks that:
// - withgradient's value is the plain value, bit for bit, and it throws where plain does;
// - what the caller's argument holds afterwards (`view`) is what plain JavaScript leaves in
//   it, also after a throw, and holds no traced number;
// - each number's partial derivative is its central difference (where f is smooth there).
//
// This file must run rewritten (the loader, or the vitest plugin): its `new Function` rewrites.
import { compileGradient, configure, gradient, jvp, withgradient } from 'zygote-ts';
import { Rng } from './grammar.js';
import { judge, numberPaths, read, write, type Path, type Tally } from './gradient.js';
import { loaderProgram, plainProgram, structureProgram, type StructureProgram } from './structures-grammar.js';
import { shrink } from './shrink.js';
import { passThrough, plainFromScript, ToolchainRefused, type Through } from './through.js';
import { print } from './tree.js';

const STEP = 1e-4;
const TRACED = Symbol.for('zygote-ts.traced');

/** Two numbers per point, away from the grammar's kinks at integers and halves. */
export function structurePointsFor(seed: number, index: number): [number, number][] {
  const rng = new Rng(seed ^ 0x51ed270b, index);
  const r = (): number => {
    const v = rng.next() * 3 - 1.5;
    return Math.abs(v * 2 - Math.round(v * 2)) < 0.02 ? v + 0.037 : v;
  };
  return [[r(), r()], [r(), r()]];
}

const pathText = (path: Path): string => path.map((k) => (typeof k === 'string' ? `.${k}` : `.get(${JSON.stringify(k.entry)})`)).join('');

/** A view as text that tells every double apart (-0, NaN), or the path of a traced number in it. */
function viewText(v: unknown, where = 's'): string {
  if ((v as { [TRACED]?: unknown } | null | undefined)?.[TRACED] === true) throw new Error(`a traced number is left at ${where}`);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (Array.isArray(v)) return `[${v.map((w, k) => viewText(w, `${where}/${k}`)).join(', ')}]`;
  return JSON.stringify(v) ?? String(v);
}

/**
 * The view of `s` as text, or that the view throws (TypeScript's ES5 `super.w` reads the
 * #private of the prototype: plain too); a traced number left in it throws.
 */
function viewOrThrow(program: StructureProgram, s: unknown): string {
  try {
    return viewText(program.view(s));
  } catch (e) {
    if ((e as Error).message.startsWith('a traced number')) throw e;
    return `its view throws ${errorName(e)}`;
  }
}

const errorName = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : `thrown ${String(e)}`);

/** How program `text` (plain) ends at a point, and what its argument holds after. */
function plainOutcome(program: StructureProgram, x: number, y: number): string {
  const s = program.make(x, y);
  let end: string;
  try {
    const v = program.f(s);
    end = typeof v === 'number' ? viewText(v) : `a return of ${typeof v}`;
  } catch (e) {
    end = `throws ${e instanceof Error ? e.name : typeof e}`;
  }
  try {
    return `${end} ${viewText(program.view(s))}`;
  } catch (e) {
    return `${end}, its view throws ${e instanceof Error ? e.name : typeof e}`;
  }
}

interface Made {
  /** The program rewritten (as `new Function` in rewritten code rewrites). */
  rewritten: StructureProgram;
  /** The reference: the original program plain, or the toolchain's output plain where that behaves otherwise (see below). */
  plain: StructureProgram;
  /** The toolchain's output (null: --through none). */
  script: string | null;
}

/**
 * Program `text` as `through` writes it (through.ts), rewritten; null where the toolchain
 * refused it. Where the toolchain's output behaves otherwise than the original at `points`
 * (TypeScript's ES5 `super.w` of an accessor reads it with the prototype as `this`), the
 * rewrite is held to the output's plain run instead, and `tally.toolchain` counts it.
 */
function makeProgram(text: string, points: readonly [number, number][], through: Through, tally?: Tally): Made | null {
  const original = plainProgram(text);
  if (through === 'none') return { rewritten: new Function(text)() as StructureProgram, plain: original, script: null };
  let script: string;
  try {
    script = passThrough(`function program() {\n${text}\n}`, through);
  } catch (e) {
    if (!(e instanceof ToolchainRefused)) throw e;
    if (tally) tally.toolchain = (tally.toolchain ?? 0) + 1;
    return null;
  }
  const output = plainFromScript<() => StructureProgram>(script, 'program')();
  const changed = !points.every(([x, y]) => plainOutcome(original, x, y) === plainOutcome(output, x, y));
  if (changed && tally) tally.toolchain = (tally.toolchain ?? 0) + 1;
  return { rewritten: new Function(`${script}\nreturn program();`)() as StructureProgram, plain: changed ? output : original, script };
}

/** The first difference of program `text` at `points` (null: none); `tally` counts what was checked. */
export function checkStructureText(text: string, points: readonly [number, number][], tally?: Tally, viaLoaderToo = false, through: Through = 'none'): string | null {
  const made = makeProgram(text, points, through, tally);
  if (made === null) return null;
  const { plain, rewritten } = made;
  const loaded = viaLoaderToo ? loaderProgram(made.script ?? text, made.script !== null) : null;
  for (const [x, y] of points) {
    const where = `at x = ${x}, y = ${y}`;
    const sP = plain.make(x, y);
    let value: number | undefined;
    let plainThrew: unknown = null;
    try {
      value = plain.f(sP);
    } catch (e) {
      plainThrew = e ?? 'undefined';
    }
    const sR = rewritten.make(x, y);
    let result: { val: number; grad: unknown[] } | undefined;
    let threw: unknown = null;
    try {
      result = withgradient(rewritten.f, sR) as { val: number; grad: unknown[] };
    } catch (e) {
      threw = e ?? 'undefined';
    }
    // (f returning what is not a number, undefined after `delete s.p; return a`, is refused: a throw too)
    if (plainThrew === null && typeof value !== 'number') plainThrew = `a return of ${String(value)}`;
    if ((plainThrew === null) !== (threw === null)) {
      return `${where}: ${plainThrew === null ? `plain returns ${value}, the gradient throws ${errorName(threw)}` : `plain throws ${errorName(plainThrew)}, the gradient does not`}`;
    }
    let after: string;
    try {
      after = viewOrThrow(rewritten, sR);
    } catch (e) {
      return `${where}: ${(e as Error).message} after the gradient`;
    }
    const plainAfter = viewOrThrow(plain, sP);
    if (after !== plainAfter) return `${where}: the argument holds ${after} after the gradient, ${plainAfter} after plain`;
    if (result === undefined) {
      if (tally) tally.throwing++;
      continue;
    }
    if (!Object.is(result.val, value)) return `${where}: withgradient's value is ${result.val}, plain ${value}`;
    if (loaded !== null) {
      // (the loader's form: two bodies per function; the same value, gradient and argument after)
      const sL = loaded.make(x, y);
      let viaLoader: string;
      try {
        const { val, grad } = withgradient(loaded.f, sL) as { val: number; grad: unknown[] };
        viaLoader = `${gradientText(val)} ${gradientText(grad[0])} ${viewOrThrow(loaded, sL)}`;
      } catch (e) {
        viaLoader = errorName(e);
      }
      const direct = `${gradientText(result.val)} ${gradientText(result.grad[0])} ${after}`;
      if (viaLoader !== direct) return `${where}: the loader's form gives ${viaLoader}, new Function's ${direct}`;
    }
    if (!Number.isFinite(value)) continue;
    for (const path of numberPaths(plain.make(x, y))) {
      const x0 = read(plain.make(x, y), path) as number;
      const move = (d: number): number => {
        const s = plain.make(x, y);
        write(s, path, x0 + d);
        try {
          return plain.f(s);
        } catch {
          return NaN; // (a throw nearby: not smooth, skipped)
        }
      };
      const g = read(result.grad[0], path);
      const verdict = judge(typeof g === 'number' ? g : 0, move, value!, STEP * Math.max(1, Math.abs(x0)));
      if (verdict === 'checked' || verdict === 'skipped') {
        if (tally) tally[verdict]++;
        continue;
      }
      return `${where}: d/d(s${pathText(path)}) is ${String(g)}, ${verdict.replace(/^[^,]*, /, '')}`;
    }
  }
  return null;
}

/** A gradient as text that tells every double apart (Maps and typed arrays by their entries; null and undefined alike). */
function gradientText(g: unknown): string {
  if (typeof g === 'number') return Object.is(g, -0) ? '-0' : String(g);
  if (g === null || g === undefined) return 'null';
  if (g instanceof Map) return `Map{${[...g].map(([k, v]) => `${String(k)}: ${gradientText(v)}`).join(', ')}}`;
  if (ArrayBuffer.isView(g)) return `[${Array.from(g as unknown as ArrayLike<number>, gradientText).join(', ')}]`;
  if (typeof g === 'object') return `{${Object.keys(g).map((k) => `${k}: ${gradientText((g as Record<string, unknown>)[k])}`).join(', ')}}`;
  return String(g);
}

/**
 * Whether two gradients are the same, numbers to a few units in the last place: compiled code
 * may sum in another order, and takes Math.hypot of three or more numbers two at a time.
 */
function sameGradient(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || Math.abs(a - b) <= 1e-13 * Math.max(1, Math.abs(a), Math.abs(b));
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' || typeof b !== 'object') return Object.is(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameGradient((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * compileGradient of program `text` against the eager gradient, called at `points` and at the
 * first again (its recorded path reused): the same gradient bit for bit, the same throws, and
 * the argument left as plain JavaScript leaves it (f that writes to its argument runs uncompiled).
 * (A throw's gradient is its text, `throws TypeError`: the same on both sides.)
 */
export function checkCompiledStructureText(text: string, points: readonly [number, number][], through: Through = 'none'): { difference: string | null; fallback: string | null } {
  const made = makeProgram(text, points, through);
  if (made === null) return { difference: null, fallback: `refused by ${through}` };
  const { plain, rewritten } = made;
  const compiled = compileGradient(rewritten.f);
  for (const [x, y] of [...points, points[0]!]) {
    const where = `at x = ${x}, y = ${y}`;
    const run = (differentiate: (s: Record<string, unknown>) => unknown, make: (x: number, y: number) => Record<string, unknown>, view: (s: unknown) => unknown) => {
      const s = make(x, y);
      let out: unknown;
      try {
        out = differentiate(s);
      } catch (e) {
        out = `throws ${e instanceof Error ? e.constructor.name : typeof e}`;
      }
      let after: string;
      try {
        after = viewText(view(s));
      } catch (e) {
        after = (e as Error).message;
      }
      return { out, after };
    };
    const eager = run((s) => gradient(rewritten.f, s), rewritten.make, rewritten.view);
    const fast = run((s) => compiled(s), rewritten.make, rewritten.view);
    const plainAfter = run((s) => plain.f(s), plain.make, plain.view).after;
    const fallback = compiled.fallback;
    if (!sameGradient(fast.out, eager.out)) return { difference: `${where}: compiled ${gradientText(fast.out)}, eager ${gradientText(eager.out)}${fallback ? ` (fell back: ${fallback})` : ''}`, fallback };
    if (fast.after !== plainAfter) return { difference: `${where}: the argument holds ${fast.after} after the compiled gradient, ${plainAfter} after plain`, fallback };
  }
  return { difference: null, fallback: compiled.fallback };
}

/**
 * Second derivatives through a structure: q(x, y) = Σ of f's partials over every number of
 * `make(x, y)`, weighted (a gradient inside a gradient whose argument the outer one traces),
 * differentiated in x and y against finite differences of q, which the first-order check vouches for.
 */
export function checkSecondOrderStructureText(text: string, points: readonly [number, number][], tally?: Tally, through: Through = 'none'): string | null {
  const made = makeProgram(text, points, through);
  if (made === null) return null;
  const rewritten = made.rewritten;
  const paths = numberPaths(rewritten.make(0.3, 0.7));
  const q = (x: number, y: number): number => {
    const grad = (withgradient(rewritten.f, rewritten.make(x, y)) as { grad: unknown[] }).grad[0];
    let sum = 0;
    paths.forEach((path, k) => {
      const g = read(grad, path);
      if (typeof g === 'number') sum = sum + g * (1 + k / 8);
    });
    return sum;
  };
  for (const [x, y] of points) {
    const where = `at x = ${x}, y = ${y}`;
    let first: number;
    try {
      first = q(x, y);
    } catch {
      continue; // (f throws here: the first-order check covers that)
    }
    if (!Number.isFinite(first)) continue;
    let second: { val: number; grad: unknown[] };
    try {
      second = withgradient(q, x, y) as { val: number; grad: unknown[] };
    } catch (e) {
      return `${where}: the gradient of the partials' sum throws ${errorName(e)}`;
    }
    if (!(Math.abs(second.val - first) <= 1e-12 * Math.max(1, Math.abs(first)))) return `${where}: the partials' sum is ${first}, inside a gradient ${second.val}`;
    for (const by of [0, 1] as const) {
      const h = STEP * Math.max(1, Math.abs(by === 0 ? x : y));
      const move = (d: number): number => {
        try {
          return by === 0 ? q(x + d, y) : q(x, y + d);
        } catch {
          return NaN;
        }
      };
      const g = second.grad[by];
      const verdict = judge(typeof g === 'number' ? g : 0, move, first, h);
      if (verdict === 'checked' || verdict === 'skipped') {
        if (tally) tally[verdict]++;
        continue;
      }
      return `${where}: d/d${by === 0 ? 'x' : 'y'} of the partials' sum is ${String(g)}, ${verdict.replace(/^[^,]*, /, '')}`;
    }
  }
  return null;
}

/**
 * A tangent of `v`'s shape: each number the next direction value (1, 1.125, 1.25, …), null for
 * what has no path (a Set, a typed array, a hidden field); one tangent for an object reached twice.
 */
function tangentOf(v: unknown, next: () => number, hidden: Hidden = GRAMMAR_HIDDEN, made = new Map<object, unknown>()): unknown {
  if (typeof v === 'number') return next();
  if (typeof v !== 'object' || v === null || v instanceof Set || ArrayBuffer.isView(v)) return null;
  if (made.has(v)) return made.get(v);
  if (v instanceof Map) {
    const t = new Map();
    made.set(v, t);
    for (const [k, w] of v) t.set(k, tangentOf(w, next, hidden, made));
    return t;
  }
  const t: Record<string, unknown> = Array.isArray(v) ? ([] as unknown as Record<string, unknown>) : {};
  made.set(v, t);
  for (const k of Object.getOwnPropertyNames(v)) {
    if (Array.isArray(v) && k === 'length') continue;
    t[k] = Object.getOwnPropertyDescriptor(v, k)!.enumerable ? tangentOf((v as Record<string, unknown>)[k], next, hidden, made) : null;
  }
  if (hidden.name !== null && hidden.holds(v)) t[hidden.name] = next();
  return t;
}

/** The #private field the grammar's C and D hold, as tangents and gradients name it, and which objects hold it. */
interface Hidden {
  name: string | null;
  holds(v: object): boolean;
}

const GRAMMAR_HIDDEN: Hidden = { name: '#w', holds: (v) => /^[CD]$/.test(v.constructor?.name ?? '') };

/**
 * The hidden field of a program a toolchain wrote (`script`): the minifier renames #w and the
 * classes (C's instances are what its view calls "C"); a lowered #w is a WeakMap's, no field.
 */
function hiddenOf(script: string | null, program: StructureProgram): Hidden {
  if (script === null) return GRAMMAR_HIDDEN;
  const name = /#[\w$]+/.exec(script)?.[0] ?? null;
  return { name, holds: (v) => name !== null && (program.view(v) as unknown[])[0] === 'C' };
}

/** The gradient's dot product with a tangent: each tangent object counted once (an object reached twice has one gradient). */
function dotWith(grad: unknown, tangent: unknown, seen = new Set<object>()): number {
  if (typeof tangent === 'number') return typeof grad === 'number' ? grad * tangent : 0;
  if (typeof tangent !== 'object' || tangent === null || grad === null || grad === undefined || seen.has(tangent)) return 0;
  seen.add(tangent);
  let sum = 0;
  if (tangent instanceof Map) for (const [k, t] of tangent) sum += dotWith(grad instanceof Map ? grad.get(k) : undefined, t, seen);
  else for (const k of Object.keys(tangent)) sum += dotWith((grad as Record<string, unknown>)[k], (tangent as Record<string, unknown>)[k], seen);
  return sum;
}

/**
 * Forward mode on program `text`: jvp along a direction in every number the argument's
 * enumerable paths hold must be the eager gradient's dot product with it (1e-9 relative), its
 * value f's, and the argument left as plain JavaScript leaves it.
 */
export function checkForwardStructureText(text: string, points: readonly [number, number][], through: Through = 'none'): string | null {
  const made = makeProgram(text, points, through);
  if (made === null) return null;
  const { plain, rewritten } = made;
  for (const [x, y] of points) {
    const where = `at x = ${x}, y = ${y}`;
    const sP = plain.make(x, y);
    let value: unknown;
    try {
      value = plain.f(sP);
    } catch {
      value = undefined;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) continue; // (the first-order check covers throws)
    let k = 0;
    const tangent = tangentOf(rewritten.make(x, y), () => 1 + k++ / 8, hiddenOf(made.script, rewritten));
    const sF = rewritten.make(x, y);
    let out: [number, number];
    try {
      out = jvp(rewritten.f, [sF], [tangent] as never) as [number, number];
    } catch (e) {
      return `${where}: jvp throws ${errorName(e)}`;
    }
    if (!Object.is(out[0], value)) return `${where}: jvp's value is ${out[0]}, plain ${value}`;
    const after = viewOrThrow(rewritten, sF);
    const plainAfter = viewOrThrow(plain, sP);
    if (after !== plainAfter) return `${where}: the argument holds ${after} after jvp, ${plainAfter} after plain`;
    const grad = (gradient(rewritten.f, rewritten.make(x, y)) as unknown[])[0];
    const dot = dotWith(grad, tangent);
    if (!(Math.abs(out[1] - dot) <= 1e-9 * Math.max(1, Math.abs(dot)))) return `${where}: jvp's tangent is ${out[1]}, the gradient's dot product ${dot}`;
  }
  return null;
}

export function checkStructureProgram(seed: number, index: number, tally?: Tally, through: Through = 'none'): string | null {
  return checkStructureText(print(structureProgram(seed, index)), structurePointsFor(seed, index), tally, index % 4 === 0, through);
}

/** Programs `from` … `to - 1` of `seed` compiled against eager; the differences, unshrunk. */
export function runCompiledStructureCampaign(seed: number, from: number, to: number, through: Through = 'none'): { programs: number; fellBack: number; differences: string[] } {
  const out = { programs: 0, fellBack: 0, differences: [] as string[] };
  const previous = configure({ warnings: false });
  try {
    for (let index = from; index < to; index++) {
      out.programs++;
      const text = print(structureProgram(seed, index, true));
      const { difference: d, fallback } = checkCompiledStructureText(text, structurePointsFor(seed, index), through);
      if (fallback !== null) out.fellBack++;
      if (d !== null) out.differences.push(`program ${index} of seed ${seed}: ${d}\n${text.replace(/^[\s\S]*const f = /, 'const f = ').replace(/return \{ make[\s\S]*$/, '').trim()}`);
    }
  } finally {
    configure(previous);
  }
  return out;
}

/** Programs `from` … `to - 1` of `seed`, each differing one shrunk; warnings about lost derivatives off (they are what this counts). */
export function runStructureCampaign(seed: number, from: number, to: number, through: Through = 'none'): Tally {
  const tally: Tally = { programs: 0, checked: 0, skipped: 0, throwing: 0, differences: [], warned: [] };
  const previous = configure({ warnings: false });
  try {
    for (let index = from; index < to; index++) {
      tally.programs++;
      const d = checkStructureProgram(seed, index, tally, through);
      if (d === null) continue;
      const points = structurePointsFor(seed, index);
      const kind = (difference: string | null): string | null => difference?.replace(/^at [^:]*: /, '').replace(/ is .*| holds .*|[-\d.e]+/gs, '').slice(0, 80) ?? null;
      const wanted = kind(d);
      const fails = (t: Parameters<typeof print>[0]): boolean => {
        try {
          return kind(checkStructureText(print(t), points, undefined, index % 4 === 0, through)) === wanted;
        } catch {
          return false;
        }
      };
      const small = print(shrink(structureProgram(seed, index), fails, 1_000));
      tally.differences.push(`program ${index} of seed ${seed}: ${checkStructureText(small, points, undefined, index % 4 === 0, through) ?? d}\n${small.replace(/^[\s\S]*const f = /, 'const f = ').replace(/return \{ make[\s\S]*$/, '').trim()}\n(made by: ${/const make = .*/.exec(small)?.[0]})`);
    }
  } finally {
    configure(previous);
  }
  return tally;
}
