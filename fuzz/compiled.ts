// compileGradient against the eager gradient, on random programs (issue 15's section 1: a
// compiled gradient must never be worse than the eager one, and above all never different).
//
// A program is the body of `f(x, y, p, v, pts)`: two numbers, a record `{ a, b }`, an array
// of numbers and an array of points `{ x, y }`, with branches on comparisons, loops over the array, Math functions with kinks
// (max, abs, floor), array methods, and text and `Object.is` reads of numbers. Each program's
// compiled gradient is called on a sequence of arguments that repeat (its recorded path is
// reused), move a little (guards hold), move across branches and kinks (guards miss), change
// the arrays' lengths (40 numbers and 30 points at the end, twice, then other numbers of those lengths) and hit -0; every answer must equal the eager gradient's, and a call
// that throws eagerly must throw compiled too.
//
// The source is made into a function by `new Function`, which rewritten code rewrites (lib/
// dynamic-function.ts): this file must run rewritten (the loader, or the vitest plugin).
import { compileGradient, gradient } from 'zygote-ts';
import { Rng } from './grammar.js';

type Point = { x: number; y: number };
type Args = [number, number, { a: number; b: number }, number[], Point[]];

class ProgramWriter {
  private temps = 0;
  private readonly lines: string[] = [];

  constructor(private readonly rng: Rng) {}

  program(): string {
    const n = 2 + this.rng.int(5);
    for (let k = 0; k < n; k++) this.statement(0);
    const terms = Array.from({ length: this.temps }, (_, k) => `t${k}`);
    this.lines.push(`return ${terms.length > 0 ? terms.join(' + ') : 'x'};`);
    return this.lines.join('\n');
  }

  private statement(depth: number): void {
    const rng = this.rng;
    const t = `t${this.temps++}`;
    rng.weighted<void>([
      [4, () => void this.lines.push(`let ${t} = ${this.expr(depth)};`)],
      [2, () => void this.lines.push(`let ${t} = ${this.cond()} ? ${this.expr(depth)} : ${this.expr(depth)};`)],
      [2, () => {
        this.lines.push(`let ${t} = 0;`, `for (let i = 0; i < v.length; i++) {`);
        this.lines.push(rng.chance(0.5) ? `  if (${this.cond('v[i]')}) ${t} += ${this.expr(depth + 1, 'v[i]')}; else ${t} -= ${this.atom('v[i]')};` : `  ${t} += ${this.expr(depth + 1, 'v[i]')};`);
        this.lines.push('}');
      }],
      [1, () => void this.lines.push(`let ${t} = v.reduce((s, w) => s + ${this.expr(depth + 1, 'w')}, 0);`)],
      [1, () => void this.lines.push(`let ${t} = Math.max(...v.map((w) => ${this.expr(depth + 1, 'w')}));`)],
      [1, () => void this.lines.push(`let ${t} = 0;`, `switch (Math.floor(${this.atom()})) { case 0: ${t} = ${this.expr(depth)}; break; case 1: ${t} = ${this.expr(depth)}; break; default: ${t} = ${this.atom()}; }`)],
      [1, () => void this.lines.push(`let ${t} = ${this.atom()};`, `while (${t} > 1 && ${t} < 50) ${t} = ${t} * ${t} + 0.5;`)],
      [1, () => void this.lines.push(`let ${t} = [...v].sort((a, b) => a - b).reduce((s, w, i) => s + w * (i + ${this.atom()}), 0);`)],
      [1, () => void this.lines.push(`let ${t} = v.filter((w) => ${this.cond('w')}).map((w) => ${this.expr(depth + 1, 'w')}).reduce((s, w) => s + w, 0);`)],
      [1, () => void this.lines.push(`let ${t} = 0;`, `for (let i = 0; i < Math.min(6, Math.floor(Math.abs(${this.atom()}))) + 1; i++) { if (${this.cond()}) break; ${t} += ${this.expr(depth + 1)} * i; }`)],
      [1, () => void this.lines.push(`let ${t} = Object.values(p).reduce((s, w) => s * (1 + ${this.expr(depth + 1, 'w')}), 1);`)],
      [1, () => void this.lines.push(`const m${t} = new Map(v.map((w, i) => [i, w]));`, `let ${t} = (m${t}.get(${this.rng.int(3)}) ?? 0) * ${this.expr(depth)};`)],
      [1, () => void this.lines.push(`const r${t} = (n, w) => (n <= 0 ? w : r${t}(n - 1, ${this.expr(depth + 1, 'w')}));`, `let ${t} = r${t}(${1 + this.rng.int(3)}, ${this.atom()});`)],
      [1, () => void this.lines.push(`let ${t} = Math.${this.rng.pick(['hypot', 'atan2'])}(${this.expr(depth)}, ${this.expr(depth)});`)],
      [1, () => void this.lines.push(`let ${t} = v.indexOf(${this.atom()}) * ${this.expr(depth)} + v.slice(1).length;`)],
      [1, () => void this.lines.push(`if (${this.cond()}) return ${this.expr(depth)};`, `let ${t} = 0;`)],
      [2, () => {
        this.lines.push(`let ${t} = 0;`, `for (const q of pts) {`);
        this.lines.push(rng.chance(0.4) ? `  ${t} += q.x > q.y ? ${this.expr(depth + 1, 'q.x')} : ${this.expr(depth + 1, 'q.y')};` : `  ${t} += Math.sqrt(q.x * q.x + q.y * q.y + ${this.atom()} * ${this.atom()});`);
        this.lines.push('}');
      }],
      [1, () => void this.lines.push(`let ${t} = pts.reduce((s, q, i) => s + (i % 2 === 0 ? q.x : q.y) * ${this.expr(depth + 1, 'q.x')}, 0);`)],
      [2, () => this.loopStatement(depth, t)],
    ]);
  }

  // Loops whose copies differ only in data or in which element they read (they reroll on the
  // long arrays: lib/compile/reroll.ts), and ones whose copies differ in code.
  private loopStatement(depth: number, t: string): void {
    const rng = this.rng;
    rng.weighted<void>([
      [2, () => {
        const factor = rng.pick(['((i * 0.618) % 1)', '(i & 1)', '(i % 3 === 0 ? 2 : -1)', 'Math.cos(i)', '(i + 1)', '(i % 4 === 1 ? 0 : 1)']);
        const element = rng.pick(['v[i]', 'v[v.length - 1 - i]', 'v[(i * 7) % v.length]', 'v[i % 3]', 'v[Math.max(0, i - 1)]']);
        this.lines.push(`let ${t} = 0;`, `for (let i = 0; i < v.length; i++) ${t} += ${this.expr(depth + 1, element)} * ${factor};`);
      }],
      [1, () => {
        this.lines.push(`let ${t} = 0;`, `for (let i = 0; i < v.length; i++) {`, `  if (i % 3 === 0) ${t} += ${this.expr(depth + 1, 'v[i]')};`, `  else ${t} -= ${this.expr(depth + 1, 'v[i]')} * 0.5;`, '}');
      }],
      [1, () => {
        // a recurrence through a local copy: each step reads the one before
        const w = `w${t}`;
        this.lines.push(`const ${w} = v.slice();`, `for (let i = 1; i < ${w}.length; i++) ${w}[i] = ${w}[i] * 0.5 + Math.${rng.pick(['tanh', 'sin', 'atan'])}(${w}[i - 1] * ${this.atom('v[i]')});`);
        this.lines.push(`let ${t} = ${w}.reduce((s, u, i) => s + u * ${rng.pick(['u', '(i % 2)', 'v[i]'])}, 0);`);
      }],
      [1, () => {
        this.lines.push(`let ${t} = 0;`, `for (let i = 0; i < v.length; i++) for (let j = 0; j < ${1 + rng.int(3)}; j++) ${t} += ${this.expr(depth + 1, 'v[i]')} * (j + 1) * ${this.atom()};`);
      }],
      [1, () => {
        this.lines.push(`let ${t} = 0;`, `for (let i = 0; i < v.length; i++) {`, `  if (${t} > ${rng.pick(['5', '20', 'x * x + 3'])}) break;`, `  ${t} += (${this.expr(depth + 1, 'v[i]')}) ** 2;`, '}');
      }],
      [1, () => {
        // two accumulators, one reading the other
        const b = `b${t}`;
        this.lines.push(`let ${t} = 0, ${b} = 1;`, `for (let i = 0; i < v.length; i++) { ${t} += ${this.expr(depth + 1, 'v[i]')}; ${b} = ${b} * 0.9 + ${t} * 0.01 * v[i]; }`, `${t} += ${b};`);
      }],
      [1, () => {
        // a few time steps over class instances, as a simulation would
        const c = `P${t}`, qs = `qs${t}`;
        this.lines.push(
          `class ${c} { constructor(x, y) { this.x = x; this.y = y; } add(o) { return new ${c}(this.x + o.x, this.y + o.y); } scale(s) { return new ${c}(this.x * s, this.y * s); } }`,
          `const ${qs} = pts.map((q) => ({ p: new ${c}(q.x, q.y), u: new ${c}(q.y, -q.x) }));`,
          `for (let step = 0; step < ${2 + rng.int(2)}; step++) for (const q of ${qs}) { q.u = q.u.add(q.p.scale(-(${this.atom()}) * 0.1)); q.p = q.p.add(q.u.scale(0.1)); }`,
          `let ${t} = ${qs}.reduce((s, q) => s + q.p.x * q.p.x + q.u.y * ${rng.pick(['q.u.y', 'q.p.y', 'Math.abs(q.u.x)'])}, 0);`,
        );
      }],
      [1, () => void this.lines.push(`let ${t} = 0;`, `for (const k in p) ${t} += p[k] * ${this.expr(depth + 1, 'p[k]')};`)],
    ]);
  }

  private cond(local?: string): string {
    const rng = this.rng;
    return rng.weighted<string>([
      [4, () => `${this.atom(local)} ${rng.pick(['<', '<=', '>', '>=', '===', '!=='])} ${this.atom(local)}`],
      [1, () => `Object.is(${this.atom(local)}, -0)`],
      [1, () => `${this.atom(local)} % 1 > 0.5`],
      [1, () => `v.includes(${this.atom(local)})`],
      [1, () => `v.length > ${2 + rng.int(3)}`],
    ]);
  }

  private atom(local?: string): string {
    const rng = this.rng;
    return rng.weighted<string>([
      [3, () => rng.pick(['x', 'y', 'p.a', 'p.b'])],
      [2, () => `v[${rng.int(3)}]`],
      [local === undefined ? 0 : 3, () => local!],
      [2, () => rng.pick(['0', '1', '2', '0.5', '-1', '3'])],
      [1, () => 'v.length'],
      [1, () => `pts[${rng.int(2)}].${rng.pick(['x', 'y'])}`],
      [1, () => `v[v.length - 1]`],
    ]);
  }

  private expr(depth: number, local?: string): string {
    const rng = this.rng;
    if (depth > 2 || rng.chance(0.3)) return this.atom(local);
    const e = () => this.expr(depth + 1, local);
    return rng.weighted<string>([
      [4, () => `(${e()} ${rng.pick(['+', '-', '*'])} ${e()})`],
      [1, () => `(${e()} / (1 + Math.abs(${e()})))`],
      [1, () => `(${e()}) ** 2`],
      [2, () => `Math.${rng.pick(['sin', 'cos', 'tanh', 'atan', 'abs', 'exp'])}(${e()} * 0.3)`],
      [1, () => `Math.sqrt(1 + ${e()} * ${e()})`],
      [2, () => `Math.${rng.pick(['max', 'min'])}(${e()}, ${e()})`],
      [1, () => `Math.${rng.pick(['floor', 'round', 'sign', 'trunc'])}(${e()}) * ${e()}`],
      [1, () => `(${this.cond(local)} ? ${e()} : ${e()})`],
      [1, () => `(${e()} % 2)`],
      [1, () => `Number(String(${e()})) * ${e()}`],
      [1, () => `Number((${e()}).toFixed(1)) + ${e()}`],
      [1, () => `v[Math.min(v.length - 1, Math.max(0, Math.floor(Math.abs(${e()}))))] * ${e()}`],
      [1, () => `Math.abs(${e()}) ** (${e()} * 0.1)`],
      [1, () => `Math.max(...v) * ${e()}`],
      [1, () => `(${e()} > 0 ? Math.log(${e()} * ${e()} + 1) : Math.exp(${e()} * 0.1))`],
    ]);
  }
}

/** Program `index` of `seed`: the body of f(x, y, p, v, pts). */
export function compiledProgram(seed: number, index: number): string {
  return new ProgramWriter(new Rng(seed, index)).program();
}

/** The arguments each program is called with, in order (repeats, small moves, jumps, other lengths, -0). */
export function argumentSequence(seed: number, index: number): Args[] {
  const rng = new Rng(seed ^ 0x5bd1e995, index);
  const r = () => rng.next() * 4 - 2;
  const points = (n: number) => Array.from({ length: n }, () => ({ x: r(), y: r() }));
  const base = (n = 3 + rng.int(2)): Args => [r(), r(), { a: r(), b: r() }, Array.from({ length: n }, r), points(2 + rng.int(3))];
  const first = base();
  const copy = ([x, y, p, v, pts]: Args): Args => [x, y, { ...p }, [...v], pts.map((q) => ({ ...q }))];
  const nudge = ([x, y, p, v, pts]: Args): Args => [x + 1e-3, y - 1e-3, { a: p.a + 1e-3, b: p.b }, v.map((w) => w + 1e-3), pts.map((q) => ({ x: q.x + 1e-3, y: q.y }))];
  const integers = ([x, y, p, v, pts]: Args): Args => [Math.round(x), Math.round(y), { a: Math.round(p.a), b: p.b }, v.map(Math.round), pts.map((q) => ({ x: Math.round(q.x), y: q.y }))];
  const zeros: Args = [-0, 0, { a: -0, b: 1 }, [0, -0, 1], [{ x: -0, y: 0 }, { x: 0, y: -0 }]];
  const long: Args = [...base(40).slice(0, 4), points(30)] as Args;
  // (long arrays again, with other numbers: the loops rerolled on the first run on other data)
  const other: Args = [...base(40).slice(0, 4), points(30)] as Args;
  return [first, copy(first), copy(first), nudge(first), base(), copy(first), integers(first), zeros, base(), nudge(nudge(first)), long, long, other];
}

type Outcome = { grads: unknown } | { threw: string };

function run(g: (...args: Args) => unknown, args: Args): Outcome {
  try {
    return { grads: g(...args) };
  } catch (e) {
    return { threw: e instanceof Error ? e.constructor.name : typeof e };
  }
}

/** Whether two gradients agree: the same structure, nulls where nulls, the same numbers bit for bit (-0 is not 0). */
function agree(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => agree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (o: Outcome) => ('threw' in o ? `throws ${o.threw}` : JSON.stringify(o.grads));

/**
 * The first call where compileGradient and gradient disagree on program `index` of `seed`
 * (null: none). `tally`, if given, counts programs whose calls ran compiled code, and the
 * reasons of those that ran uncompiled.
 */
export function compareCompiled(seed: number, index: number, tally?: { compiled: number; reasons: Map<string, number> }): string | null {
  const body = compiledProgram(seed, index);
  const f = new Function('x', 'y', 'p', 'v', 'pts', body) as (...args: Args) => number;
  // (a path is interpreted until its calls would have paid for writing it: both tiers are checked)
  const compiled = compileGradient(f, { maxRecordings: 20 });
  const written = compileGradient(f, { maxRecordings: 20, interpret: false });
  const calls = argumentSequence(seed, index);
  for (let k = 0; k < calls.length; k++) {
    const args = calls[k]!;
    const eager = run((...a) => gradient(f, ...a), args);
    for (const [how, g] of [['compiled', compiled], ['compiled, written at once,', written]] as const) {
      const fast = run(g, args);
      const same = 'threw' in eager ? 'threw' in fast : 'grads' in fast && agree(fast.grads, eager.grads);
      if (!same) return `program ${index} of seed ${seed}, call ${k} ${JSON.stringify(args)}: ${how} ${show(fast)}, eager ${show(eager)}\n${body}`;
    }
  }
  if (tally !== undefined) {
    const reason = compiled.fallback?.replace(/\(.*|: f runs.*/s, '') ?? null;
    if (reason === null) tally.compiled++;
    else tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
  }
  return null;
}
