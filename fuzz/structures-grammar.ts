// @zygote-ignore: the harness is not code under test; it makes programs and runs them plain itself.
/**
 * Random programs for the structures fuzzer (structures.ts): `f(s)`, where `s` is one
 * argument holding numbers in a record, an array, a Map, a nested record and a class
 * instance with a #private field behind an accessor (sometimes one of them reached twice).
 * f reads and writes all of them the ways programs do (in-place array methods, Map sets and
 * deletes, setters, replaced and deleted members, destructuring, aliases, JSON and
 * structuredClone round trips, a throw half-way), then returns a smooth mix.
 *
 * A program's text makes `{ make, f, view }`: `make(x, y)` builds the argument from two
 * numbers, `view(s)` lists what the argument holds afterwards (what the caller sees).
 */
import { Rng } from './grammar.js';
// (the package's transform, as the specs' zygote-ts is the package's: see gradient-grammar.ts)
import { transform } from 'zygote-ts/transform';
import { Prec, type Slot, type Tree, leaf, node, print, slot, statements } from './tree.js';

type Part = string | Slot;
const ex = (prec: number, ...parts: Part[]): Tree => node('expression', prec, ...parts);
const st = (...parts: Part[]): Tree => node('statement', Prec.statement, ...parts);
const at = (tree: Tree, min: number): Slot => slot(tree, min);

/** What every program declares before f: the classes, how the argument is made, what the caller sees. (New parts of the argument take other numbers than x and y themselves: a tie, max(s.c.u, s.pts[0].x) with both x, is a kink no step of the finite differences shows.) */
const CLASS = `class C { #w; constructor(u, w) { this.u = u; this.#w = w; } get w() { return this.#w; } set w(t) { this.#w = t; } grow(k) { this.u *= k; this.#w += k; return this; } }
class D extends C { constructor(u, w, z) { super(u, w); this.z = z; } get w() { return super.w * 2; } set w(t) { super.w = t / 2; } grow(k) { super.grow(k); this.z *= k; return this; } }
class P { constructor(x, y) { this.x = x; this.y = y; } norm() { return Math.hypot(this.x, this.y); } scale(k) { return new P(this.x * k, this.y * k); } translate(d) { this.x += d; return this; } }
`;
/** The class for compileGradient, which reads an object's enumerable fields only: `w` behind an accessor still, over a public field. */
const CLASS_FOR_COMPILED = CLASS.replace(/#w; /, '').replaceAll('#w', '_w');
// (a function f left in the argument is called: a closure over f's parameter must see the caller's object afterwards;
// hidden fields are listed too; numbers under a Symbol key are refused up front, with a message)
const PRELUDE = `const view = (v, seen = new Set()) => typeof v === "function" ? ["function", view(v(), seen)] : typeof v !== "object" || v === null ? v : seen.has(v) ? "(seen)" : (seen.add(v),
  v instanceof Map ? ["Map", ...[...v].map(([k, w]) => [k, view(w, seen)])]
  : v instanceof C ? ["C", v.w, ...Object.keys(v).map((k) => [k, view(v[k], seen)])]
  : v instanceof Set ? ["Set", ...[...v].map((w) => view(w, seen))]
  : ArrayBuffer.isView(v) ? [v.constructor.name, ...v]
  : Array.isArray(v) ? ["Array", v.length, ...Object.keys(v).map((k) => [k, view(v[k], seen)])]
  : ["Object", ...Reflect.ownKeys(v).map((k) => [String(k), Object.getOwnPropertyDescriptor(v, k).enumerable, view(v[k], seen)])]);
`;

/** How the argument may share a part with itself (the gradient and the write-back must see one object). */
/** Sometimes more points: past 8 records of one class, compileGradient reads them as columns (lib/compile/arguments.ts). */
const MORE_POINTS = ['', '', ', ...Array.from({ length: 9 }, (_, i) => new P(0.3 * x + 0.1 * i, 0.2 * i - 0.4 * y))'];
const ALIASES = ['', '', '', 's.r = s.q;', 's.e = s.c;', 's.o = s.n;', 's.pts.push(s.pts[0]);'];

const CONSTANTS = ['0.5', '2', '1.5', '0.25', '1.25'];
/** What writes into the argument (or may: a method of a part, an alias of one). */
const WRITES_TO_S = /\bs\.[\w.[\]"]+\s*(?:[-+*]|\*\*|\?\?)?=(?!=)|delete s|\(s[,)]|Object\.freeze\(|\.(?:push|unshift|sort|reverse|copyWithin|pop|shift|splice|fill|forEach|grow|translate)\(|\[s\.|const t = s\./;
const READS = ['a', 'b', '(s.p ?? 1)', '(s.q[0] ?? 1)', '(s.q[1] ?? 1)', 's.c.u', 's.c.w', '(s.m.get("k") ?? 1)', '(s.n?.t ?? 1)', 's.v[0]', 's.d.w', '(s.pts[0]?.x ?? 1)', '(s.hidden ?? 1)'];
/** What compileGradient's programs do not have (it refuses Maps, Sets and typed arrays up front, and reads enumerable fields only). */
const NOT_FOR_COMPILED = /s\.m\.|s\.v\b|s\.v\[|s\.st\b|s\.hidden/;

export class StructureProgramWriter {
  /** 1 where the argument holds a Map, a Set and a Float64Array; 0 for compileGradient, which takes numbers in arrays and objects only. */
  private readonly collections: number;
  private readonly reads: readonly string[];

  constructor(private readonly rng: Rng, forCompiled = false) {
    this.collections = forCompiled ? 0 : 1;
    this.reads = forCompiled ? READS.filter((r) => !NOT_FOR_COMPILED.test(r)) : READS;
  }

  /** The program's text (a function body returning { make, f, view }) as a tree: f's body is what shrinks. */
  program(): Tree {
    const rng = this.rng;
    const collections = this.collections === 1 ? ', m: new Map([["k", y], ["j", 1.5]]), v: new Float64Array([x * y, 0.5]), st: new Set([y, 2])' : '';
    const hidden = this.collections === 1 ? 'Object.defineProperty(s, "hidden", { value: y * 3, writable: true, configurable: true });' : '';
    const make = `const make = (x, y) => { const s = { p: x, q: [y, x * 0.5 + 1, 2 - y]${collections}, c: new C(x, y + 1), n: { t: x - y }, d: new D(0.6 * y - 0.2, 0.8 * x + 0.3, 0.5), pts: [new P(0.7 * x + 0.1, 0.9 * y - 0.1), new P(1.1 * y, 1.5)${rng.pick(MORE_POINTS)}] }; ${hidden} ${rng.pick(ALIASES)} return s; };\n`;
    const body: Tree[] = [];
    const count = 2 + rng.int(6);
    for (let i = 0; i < count; i++) body.push(this.collections === 1 || rng.chance(0.03) ? this.statement(1) : this.readingStatement());
    body.push(st('return ', at(this.smooth(2), Prec.comma), ';'));
    return node('other', Prec.statement, this.collections === 1 ? CLASS : CLASS_FOR_COMPILED, PRELUDE, make, '"use strict";\nconst f = (s) => {\nlet a = s.p, b = s.q[0];\n', at(statements(body), Prec.statement), '};\nreturn { make, f, view };\n');
  }

  /** A statement that writes nothing into s, as far as a few tries find one (compileGradient runs f uncompiled once f writes to its argument). */
  private readingStatement(): Tree {
    let t = this.statement(1);
    for (let tries = 0; tries < 20 && WRITES_TO_S.test(print(t)); tries++) t = this.statement(1);
    return t;
  }

  /** A numeric expression of moderate size over the locals and what s holds. */
  smooth(depth: number): Tree {
    const rng = this.rng;
    if (depth <= 0 || rng.chance(0.3)) return leaf('expression', Prec.primary, rng.chance(0.85) ? rng.pick(this.reads) : rng.pick(CONSTANTS));
    const s = (min: number): Slot => at(this.smooth(depth - 1), min);
    return rng.weighted<Tree>([
      [4, () => ex(Prec.additive, s(Prec.additive), rng.pick([' + ', ' - ']), s(Prec.multiplicative))],
      [3, () => ex(Prec.multiplicative, s(Prec.multiplicative), ' * ', s(Prec.exponent))],
      [1, () => ex(Prec.multiplicative, s(Prec.multiplicative), ' / (1 + ', s(Prec.multiplicative), ' ** 2)')],
      [2, () => ex(Prec.call, `Math.${rng.pick(['sin', 'cos', 'tanh', 'atan'])}(`, s(Prec.assign), ')')],
      [1, () => ex(Prec.call, 'Math.sqrt(1 + ', s(Prec.multiplicative), ' ** 2)')],
      [1, () => ex(Prec.call, `Math.${rng.pick(['max', 'min'])}(`, s(Prec.assign), ', ', s(Prec.assign), ')')],
    ]);
  }

  private statement(depth: number): Tree {
    const rng = this.rng;
    const E = (): Slot => at(this.smooth(2), Prec.assign);
    const i = (): string => rng.pick(['0', '1', '2']);
    const nested = (): Slot => at(depth > 0 ? this.statement(depth - 1) : st('a += ', E(), ';'), Prec.statement);
    return rng.weighted<Tree>([
      // locals
      [2, () => st(rng.pick(['a', 'b']), rng.pick([' = ', ' += ', ' *= ']), E(), ';')],
      // the record
      [3, () => st('s.p', rng.pick([' = ', ' += ', ' *= ', ' ??= ']), E(), ';')],
      [1, () => st('Object.assign(s, { p: ', E(), ' });')],
      [1, () => st('delete s.p;')],
      [1, () => st('[s.p, s.q[0]] = [s.q[0], s.p];')],
      [1, () => st('({ p: a, q: [b] } = s);')],
      [1, () => st('{ const { p = 1, ...rest } = s; b += p * (rest.n?.t ?? 1); }')],
      // the array
      [3, () => st(`s.q[${i()}]`, rng.pick([' = ', ' += ', ' *= ']), E(), ';')],
      [2, () => st('s.q.', rng.pick(['push(', 'unshift(']), E(), ');')],
      [1, () => st('s.q.fill(', E(), ', 2);')],
      [2, () => st('s.q.', rng.pick(['sort((u, v) => u - v)', 'reverse()', 'copyWithin(0, 1)', 'pop()', 'shift()']), ';')],
      [1, () => st('s.q.splice(1, 1, ', E(), ');')],
      [1, () => st('s.q = s.q.map((v) => v * ', E(), ');')],
      [1, () => st('for (let k = 0; k < s.q.length; k++) s.q[k] = s.q[k] * ', E(), ';')],
      [1, () => st('s.q.forEach((v, k, arr) => { arr[k] = v + ', E(), '; });')],
      [1, () => st('{ const t = s.q; t[0] *= ', E(), '; }')],
      [1, () => st('b += Math.', rng.pick(['max', 'min', 'hypot']), '(...s.q);')],
      // the Map
      [2 * this.collections, () => st('s.m.set(', rng.pick(['"k"', '"j"', '"z"']), ', ', E(), ');')],
      [1 * this.collections, () => st('s.m.delete("j");')],
      [1 * this.collections, () => st('for (const [k, v] of s.m) s.m.set(k, v * ', E(), ');')],
      [1 * this.collections, () => st('b += [...s.m.values()].reduce((t, v) => t + v, 0);')],
      // the class instance
      [2, () => st('s.c.', rng.pick(['u', 'w']), rng.pick([' = ', ' += ', ' *= ']), E(), ';')],
      [1, () => st('s.c.grow(', E(), ');')],
      [1, () => st('s.c = new C(', E(), ', ', E(), ');')],
      // the nested record
      [1, () => st('s.n = { t: ', E(), ' };')],
      [1, () => st('s.n.t **= 2;')],
      [1, () => st('s.n.extra = ', E(), ';')],
      // the typed array and the Set
      [2 * this.collections, () => st('s.v[', rng.pick(['0', '1']), ']', rng.pick([' = ', ' += ', ' *= ']), E(), ';')],
      [1 * this.collections, () => st('s.v.', rng.pick(['sort()', 'reverse()', 'fill(0.25, 1)', 'copyWithin(0, 1)']), ';')],
      [1 * this.collections, () => st('b += s.v.reduce((t, v) => t + v * ', E(), ', 0);')],
      [1 * this.collections, () => st('s.v.set([', E(), '], 1);')],
      [1 * this.collections, () => st('s.st.', rng.pick(['add(', 'delete(']), E(), ');')],
      [1 * this.collections, () => st('for (const v of s.st) a += v * ', E(), ';')],
      // holes, lengths, getters, frozen parts
      [1, () => st('s.q.length = ', rng.pick(['1', '2', '5']), ';')],
      [1, () => st('s.q[4] = ', E(), ';')],
      [1, () => st('{ Object.defineProperty(s, "g", { get() { return this.q.length * 2; }, enumerable: true, configurable: true }); b += s.g; }')],
      [1, () => st('Object.freeze(s.', rng.pick(['n', 'q']), ');')],
      // a subclass with super accessors, an array of class instances, a symbol key, a hidden field, a closure
      [2, () => st('s.d.', rng.pick(['w', 'z', 'u']), rng.pick([' = ', ' += ', ' *= ']), E(), ';')],
      [1, () => st('s.d.grow(', E(), ');')],
      [1, () => st('a += s.pts.reduce((t, p) => t + p.norm() * ', E(), ', 0);')],
      [1, () => st('s.pts[', rng.pick(['0', '1']), '].translate(', E(), ');')],
      [1, () => st('s.pts.push(new P(', E(), ', ', E(), '));')],
      [1, () => st('s.pts.sort((u, v) => u.norm() - v.norm());')],
      [1, () => st('s.pts = s.pts.map((p) => p.scale(', E(), '));')],
      [1, () => st('s.pts[1] = s.pts[0];')],
      [1 * this.collections, () => st('s.hidden', rng.pick([' = ', ' += ', ' *= ']), E(), ';')],
      [1, () => st('{ s.fn = () => (s.p ?? 1) * 2; b += s.fn() * ', E(), '; }')],
      // copies
      [1, () => st('b += JSON.parse(JSON.stringify(s.q))[0] ?? 0;')],
      [1, () => st('{ const copy = structuredClone(s.n); a += copy.t * ', E(), '; }')],
      [1, () => st('{ const copy = { ...s, q: [...s.q] }; copy.q[0] = ', E(), '; a += copy.q[0] + copy.p; }')],
      // control
      [1, () => st('if (', E(), rng.pick([' > ', ' < ']), E(), ') ', nested(), ' else ', nested())],
      [1, () => st('if (', E(), ' > 1.2) throw new RangeError("stop");')],
    ]);
  }
}

/** Program `index` of `seed`: its tree, for printing and shrinking. */
export function structureProgram(seed: number, index: number, forCompiled = false): Tree {
  return new StructureProgramWriter(new Rng(seed, index), forCompiled).program();
}

export interface StructureProgram {
  make(x: number, y: number): Record<string, unknown>;
  f(s: Record<string, unknown>): number;
  view(s: unknown): unknown;
}

/** The program run plain (this file is not rewritten, so `Function` here makes what plain code makes). */
export function plainProgram(text: string): StructureProgram {
  return new Function(text)() as StructureProgram;
}

/**
 * The program as the loader rewrites a file: its text as the body of a function at the top of
 * a script, each function with its two bodies (`new Function` in rewritten code rewrites with
 * one body: another form of the same rewrite, which must give the very same numbers).
 */
export function loaderProgram(text: string, isScript = false): StructureProgram {
  // (`isScript`: `text` is already a script that defines program(), as a toolchain wrote it: fuzz/through.ts)
  const source = isScript ? text : `function program() {\n${text}\n}`;
  const rewritten = transform(source, { runtime: { kind: 'global' }, sourceType: 'script', sourceMap: false, twoBodies: true }).code;
  return new Function(`${rewritten}\nreturn program();`)() as StructureProgram;
}
