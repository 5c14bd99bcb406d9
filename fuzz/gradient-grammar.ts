// @zygote-ignore: the harness is not code under test; it makes programs and runs them plain itself.
/**
 * Random numeric programs for the gradient fuzzer (gradient.ts): the body of `f(x, y)`,
 * which keeps two numbers `a` and `b` and returns a smooth mix of them, and whose
 * statements pass them through the rare syntax a rule or a rewrite could keep the value
 * of and lose the derivative of: generators (and values sent into them), destructuring
 * defaults and rest, spread, getters and setters, labeled loops, `switch`, closures,
 * `arguments` (aliased in sloppy code), compound and logical assignment to members and
 * `#private` fields, optional chains, template literals read back by `Number`, sort
 * comparators, `reduce`, `Array.from`, `Map`/`Set`, class fields and `super`,
 * `call`/`apply`/`bind`, tagged templates, `valueOf`, thrown numbers, `with`.
 *
 * Programs are trees (tree.ts), so a failing one shrinks (shrink.ts) like the
 * differential fuzzer's.
 */
import { Rng } from './grammar.js';
// (the package's transform, as the specs' zygote-ts is the package's: realm.ts imports lib/'s
// runtime, a second copy, which would take the global runtime's place)
import { transform } from 'zygote-ts/transform';
import { Prec, type Slot, type Tree, leaf, node, slot, statements } from './tree.js';

type Part = string | Slot;

/** An expression (or statement) tree from a template whose holes are subtrees. */
const ex = (prec: number, ...parts: Part[]): Tree => node('expression', prec, ...parts);
const st = (...parts: Part[]): Tree => node('statement', Prec.statement, ...parts);
const at = (tree: Tree, min: number): Slot => slot(tree, min);

const CONSTANTS = ['0.5', '2', '1.5', '3', '0.25', '1.25'];

export class GradientProgramWriter {
  private fresh = 0;
  /** Whether the program is sloppy (may say `with`, and its `arguments` alias parameters). */
  readonly sloppy: boolean;

  constructor(private readonly rng: Rng) {
    this.sloppy = rng.chance(0.4);
  }

  /** The body of f(x, y): statements on `a` and `b`, then a return. */
  program(): Tree {
    const rng = this.rng;
    // (the declarations are outside the list the shrinker drops statements from: without them
    // a sloppy program's `b = …` writes a global, which the next run reads)
    const header = `${this.sloppy ? '' : '"use strict";\n'}${rng.pick(['let a = x, b = y;', 'let a = y, b = x;', 'let a = x * y, b = x - y;', 'let a = x, b = 1;'])}\n`;
    const body: Tree[] = [];
    const names = ['x', 'y', 'a', 'b'];
    const count = 2 + rng.int(5);
    for (let i = 0; i < count; i++) body.push(this.statement(names, 2));
    body.push(st('return ', at(this.smooth(names, 2), Prec.comma), ';'));
    return node('other', Prec.statement, header, at(statements(body), Prec.statement));
  }

  // ---- expressions: mostly smooth, some kinks ---------------------------------------

  private atom(names: readonly string[]): Tree {
    const rng = this.rng;
    return rng.chance(0.8) ? leaf('expression', Prec.primary, rng.pick(names)) : leaf('expression', Prec.primary, rng.pick(CONSTANTS));
  }

  /** A numeric expression over `names` that stays of moderate size (bounded functions, damped products). */
  smooth(names: readonly string[], depth: number): Tree {
    const rng = this.rng;
    if (depth <= 0 || rng.chance(0.25)) return this.atom(names);
    const d = depth - 1;
    const s = (min: number): Slot => at(this.smooth(names, d), min);
    return rng.weighted<Tree>([
      [4, () => ex(Prec.additive, s(Prec.additive), rng.pick([' + ', ' - ']), s(Prec.multiplicative))],
      [3, () => ex(Prec.multiplicative, s(Prec.multiplicative), ' * ', s(Prec.exponent))],
      [1, () => ex(Prec.multiplicative, s(Prec.multiplicative), ' / (1 + ', s(Prec.multiplicative), ' ** 2)')],
      [3, () => ex(Prec.call, `Math.${rng.pick(['sin', 'cos', 'tanh', 'atan'])}(`, s(Prec.assign), ')')],
      [1, () => ex(Prec.call, `Math.${rng.pick(['exp', 'expm1'])}(`, s(Prec.assign), ' / 4)')],
      [1, () => ex(Prec.call, `Math.${rng.pick(['log', 'sqrt', 'log1p', 'cbrt'])}(1 + `, s(Prec.multiplicative), ' ** 2)')],
      [1, () => ex(Prec.call, `Math.${rng.pick(['hypot', 'atan2'])}(`, s(Prec.assign), ', ', s(Prec.assign), ')')],
      // kinks: the finite differences skip the points next to them
      [1, () => ex(Prec.call, `Math.${rng.pick(['max', 'min'])}(`, s(Prec.assign), ', ', s(Prec.assign), ')')],
      [1, () => ex(Prec.call, 'Math.abs(', s(Prec.assign), ')')],
      [1, () => ex(Prec.conditional, s(Prec.relational), rng.pick([' < ', ' > ', ' >= ']), s(Prec.shift), ' ? ', s(Prec.assign), ' : ', s(Prec.assign))],
      [1, () => ex(Prec.multiplicative, s(Prec.multiplicative), ' * ', s(Prec.exponent))],
      [1, () => ex(Prec.exponent, s(Prec.update), rng.pick([' ** 2', ' ** 3']))],
    ]);
  }

  // ---- statements: each passes `a` and `b` through one construct ---------------------

  private statement(names: readonly string[], depth: number): Tree {
    const rng = this.rng;
    const E = (): Slot => at(this.smooth(names, 2), Prec.assign);
    const v = (): string => rng.pick(['a', 'b']);
    const id = (stem: string): string => `${stem}${this.fresh++}`;
    const nested = (): Slot => at(depth > 0 ? this.statement(names, depth - 1) : st(v(), ' = ', E(), ';'), Prec.statement);
    return rng.weighted<Tree>([
      // assignment, compound and logical
      [3, () => st(v(), rng.pick([' = ', ' += ', ' -= ', ' *= ']), E(), ';')],
      [1, () => st(v(), ' /= 1 + ', at(this.smooth(names, 1), Prec.multiplicative), ' ** 2;')],
      [1, () => st(v(), ' **= ', rng.pick(['2', '3']), ';')],
      [1, () => st('{ let t = ', rng.pick(['0', 'a', 'null', 'undefined', 'b']), '; t ', rng.pick(['||=', '&&=', '??=']), ' ', E(), '; ', v(), ' += t; }')],
      [1, () => st('[a, b] = [b, ', E(), '];')],
      [1, () => st('a = (b += ', E(), ', ', E(), ');')],
      // members and private fields
      [2, () => st('{ const o = { p: ', E(), ', q: { r: ', E(), ' } }; o.p ', rng.pick(['*= o.q.r', '+= o.q.r', '-= o.q.r', '**= 2']), '; o["q"].r ', rng.pick(['*=', '+=']), ' ', E(), '; o.p++; ', v(), ' = o.p + o.q.r; }')],
      [2, () => {
        const c = id('C');
        return st(`{ class ${c} { #v = `, E(), '; f = ', E(), '; static s = ', E(), '; get v() { return this.#v } set v(t) { this.#v = t * ', E(), ' } bump(t) { this.#v ', rng.pick(['**=', '*=', '+=', '-=']), ' ', rng.pick(['2', '1.5']), '; this.#v++; return this } }',
          ` const c = new ${c}(); c.v `, rng.pick(['=', '+=', '*=']), ' ', E(), '; c.bump(', E(), `); ${v()} = c.v + c.f * ${c}.s; }`);
      }],
      [1, () => st('{ const o = { _v: ', E(), ', get v() { return this._v * 2 }, set v(t) { this._v = t + ', E(), ' } }; o.v ', rng.pick(['=', '+=', '*=', '-=']), ' ', E(), '; ', v(), ' = o.v; }')],
      [1, () => st('{ const o = {}; Object.defineProperty(o, "v", { get() { return ', E(), ' * 2 }, enumerable: true }); ', v(), ' = o.v + Object.values(o)[0]; }')],
      // destructuring (defaults, rest, parameters)
      [2, () => st('{ const { p = ', E(), ', q: [r = ', E(), ', s] = [undefined, ', E(), '] } = { ', rng.pick(['p: undefined', 'p: a', 'q: [b, a]', '']), ' }; ', v(), ' = p * r + s; }')],
      [1, () => st('{ const [u = ', E(), ', ...rest] = [', rng.pick(['undefined', 'a']), ', ', E(), ', ', E(), ']; ', v(), ' = u + rest[1] * rest.length; }')],
      [1, () => st('{ const { p, ...others } = { p: ', E(), ', q: ', E(), ', r: ', E(), ' }; ', v(), ' = p + others.q * others.r; }')],
      [1, () => st(v(), ' = (({ p, q = ', E(), ' }, [r] = [', E(), ']) => p * q + r)({ p: ', E(), ' });')],
      // spread
      [1, () => st(v(), ' = Math.', rng.pick(['max', 'min', 'hypot']), '(...[', E(), ', ', E(), '], ', E(), ');')],
      [1, () => st('{ const arr = [', E(), ', ...[', E(), ', ', E(), ']]; const o = { ...{ p: arr[1] }, q: arr[2] }; ', v(), ' = o.p * o.q + arr[0]; }')],
      [1, () => st('{ const h = (p, q, r) => p * q - r; ', v(), ' = h(...[', E(), ', ', E(), '], ', E(), '); }')],
      // generators
      [2, () => {
        const g = id('g');
        return st(`{ function* ${g}(t) { yield t; yield t * `, E(), '; return ', E(), ` } let s = 0; for (const w of ${g}(`, E(), `)) s += w; ${v()} = s + [...${g}(`, E(), ')][1]; }');
      }],
      [1, () => {
        const g = id('g');
        return st(`{ function* ${g}() { const u = yield `, E(), '; const w = yield u * ', E(), `; return w + u } const it = ${g}(); it.next(); const r = it.next(`, E(), '); ', v(), ' = r.value + it.next(', E(), ').value; }');
      }],
      [1, () => {
        const g = id('g');
        return st(`{ function* ${g}(t) { yield* [t, t * 2]; yield* (function* () { yield `, E(), ` })() } const [p, q, r] = ${g}(`, E(), '); ', v(), ' = p + q * r; }');
      }],
      // loops, labels, switch
      [2, () => st('{ let s = 0; outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 3; j++) { if (j > i) continue outer; if (i + j > ', rng.pick(['2', '3']), ') break outer; s += ', E(), ' * (i + 1) - j; } } ', v(), ' += s; }')],
      [1, () => st('{ let i = 0; do { ', v(), ' = ', E(), ' * 0.5; i++; } while (i < ', rng.pick(['1', '2', '3']), '); }')],
      [1, () => st('{ const L = () => { blk: { if (', E(), ' > ', rng.pick(['0', '1']), ') break blk; return ', E(), ' } return ', E(), ' }; ', v(), ' = L(); }')],
      [2, () => st('switch (', rng.pick(['Math.floor(', 'Math.round(', 'Math.trunc(']), E(), ')) { case 0: a += ', E(), '; break; case 1: a *= ', E(), '; case -1: b -= ', E(), '; break; default: b = ', E(), '; }')],
      [1, () => st('switch (', E(), ' > ', rng.pick(['0', '1']), ' ? "p" : "n") { case "p": ', nested(), ' break; case "n": ', nested(), ' }')],
      // closures and `arguments`
      [2, () => st('{ const mk = (k) => (t) => t * k + ', E(), '; const f1 = mk(', E(), '); ', v(), ' = f1(', E(), ') + f1(b); }')],
      [1, () => st('{ let acc = ', E(), '; const add = (t) => { acc += t; return acc }; add(', E(), '); add(a); ', v(), ' = acc; }')],
      [1, () => st('{ const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i * ', E(), '); ', v(), ' = fs.reduce((s, g) => s + g(), 0); }')],
      [2, () => st('{ function h() { let s = 0; for (let i = 0; i < arguments.length; i++) s += arguments[i] * (i + 1); return s } ', v(), ' = h(', E(), ', ', E(), ', ', E(), '); }')],
      [this.sloppy ? 2 : 1, () => st('{ function h(p, q) { arguments[0] = p * ', E(), '; arguments[1] ', rng.pick(['+=', '*=']), ' 2; return p + q } ', v(), ' = h(', E(), ', ', E(), '); }')],
      [1, () => st('{ function h(t) { return this.k * t } ', v(), ' = h.call({ k: ', E(), ' }, ', E(), ') + h.apply({ k: ', E(), ' }, [', E(), ']) + h.bind({ k: ', E(), ' })(', E(), '); }')],
      [1, () => st('{ const r = (n, t) => n > 0 ? r(n - 1, ', at(this.smooth([...names, 't'], 1), Prec.assign), ') : t; ', v(), ' = r(', rng.pick(['1', '2', '3']), ', ', E(), '); }')],
      [1, () => st('{ function h(p, q = p * ', E(), ') { return p + q } ', v(), ' = h(', E(), ') + h(', E(), ', ', E(), '); }')],
      // optional chains
      [2, () => st('{ const o = { p: { q: ', E(), ' }, m(t) { return t * ', E(), ' }, n: null }; ', v(), ' = (o?.p?.q ?? 0) + (o.m?.(', E(), ') ?? 0) + (o.n?.q ?? ', E(), ') + (o.z?.(1) ?? 0) + (o?.["p"].q ?? 1); }')],
      // numbers as text and back
      [2, () => {
        const [open, close] = rng.pick([['Number(`${', '}`)'], ['+`${', '}`'], ['parseFloat(`${', '}`)'], ['Number(String(', '))'], ['Number("" + (', '))']]);
        return st(v(), ' = ', open, E(), close, ' * ', E(), ';');
      }],
      [1, () => st(v(), ' = Number((', E(), ').', rng.pick(['toFixed(20)', 'toPrecision(17)', 'toExponential(16)']), ') + parseFloat(`${', E(), '}px`);')],
      [1, () => st('{ function tag(strs, ...vals) { return vals[0] * vals[1] + strs.length } ', v(), ' = tag`<${', E(), '}|${', E(), '}>`; }')],
      // arrays: sort, reduce, Array.from, methods
      [2, () => st('{ const arr = [', E(), ', ', E(), ', ', E(), '].', rng.pick(['sort((p, q) => p - q)', 'sort((p, q) => q - p)', 'toSorted((p, q) => p - q)', 'sort()']), '; ', v(), ' = arr[0] * 3 + arr[2] - arr[1]; }')],
      [2, () => st(v(), ' = [', E(), ', ', E(), ', ', E(), '].', rng.pick(['reduce', 'reduceRight']), '((s, w, i) => s + w * (i + ', E(), ')', rng.pick(['', ', 0', ', a']), ');')],
      [2, () => st(v(), ' = Array.from(', rng.pick(['{ length: 3 }', '[a, b, 1]', 'new Set([a, b])']), ', (w, i) => ', rng.pick(['i', '(w ?? 1)']), ' * ', E(), ').reduce((s, w) => s + w, 0);')],
      [1, () => st('{ const arr = [', E(), ', ', E(), ', ', E(), ']; ', v(), ' = arr.', rng.pick(['map((w) => w * 2).filter((w) => w > 0).concat([1])', 'flatMap((w) => [w, w * w])', 'slice(1).reverse()', 'with(1, a)', 'fill(b, 1)', 'filter((w, i) => i !== 1)']), '.reduce((s, w) => s + w, 0) + (arr.at(-1) ?? 0) + (arr.find((w) => w > 0) ?? 0); }')],
      [1, () => st('{ const arr = [', E(), ', ', E(), ']; arr.push(', E(), '); arr[1] ', rng.pick(['*=', '+=', '**=']), ' 2; arr.splice(0, 1, ', E(), '); ', v(), ' = arr[0] + arr[1] * arr[2] + arr.indexOf(arr[1]); }')],
      [1, () => st(v(), ' = Math.max.apply(null, [', E(), ', ', E(), ']) + Math.min.call(Math, ', E(), ', ', E(), ');')],
      // Map and Set
      [2, () => st('{ const m = new Map([["p", ', E(), '], ["q", ', E(), ']]); m.set("p", m.get("p") * ', E(), '); let s = 0; for (const [k, w] of m) s += w; ', v(), ' = s + m.get("q") + m.size; }')],
      [1, () => st('{ const st2 = new Set([', E(), ', ', E(), ', a, a]); let s = st2.size; for (const w of st2) s += w; ', v(), ' = s + (st2.has(a) ? 1 : 0); }')],
      [1, () => st('{ const m = new Map(); m.set(a, ', E(), '); m.set(b, ', E(), '); ', v(), ' = (m.get(a) ?? 0) + m.size; }')],
      // classes: fields, accessors, super
      [1, () => {
        const [p, q] = [id('P'), id('Q')];
        return st(`{ class ${p} { constructor(t) { this.t = t } get d() { return this.t * 2 } m(u) { return u * this.t } } class ${q} extends ${p} { k = `, E(), '; constructor(t) { super(t * ', E(), ') } get d() { return super.d + this.k } m(u) { return super.m(u) + 1 } } const q = new ', q, '(', E(), '); ', v(), ' = q.d * q.m(', E(), '); }');
      }],
      [1, () => {
        const c = id('C');
        return st(`{ class ${c} { static #n = 0; static add(t) { ${c}.#n += t; return ${c}.#n } static { this.z = 1 } } ${c}.add(`, E(), `); ${v()} = ${c}.add(`, E(), `) * ${c}.z; }`);
      }],
      // valueOf, thrown numbers, iteration of objects
      [1, () => st('{ const vo = { valueOf: () => ', E(), ' }; ', v(), ' = vo * ', E(), ' + (+vo) - Number(vo) / 2; }')],
      [1, () => st('{ const tp = { [Symbol.toPrimitive]: (hint) => hint === "number" ? ', E(), ' : 0 }; ', v(), ' = +tp * 2 + Math.sin(tp); }')],
      [1, () => st('try { if (', E(), ' > ', rng.pick(['0', '1']), ') throw ', E(), '; ', v(), ' += ', E(), '; } catch (err) { ', v(), ' = err * ', E(), '; } finally { b += ', E(), '; }')],
      [1, () => st('{ const o = { p: ', E(), ', q: ', E(), ' }; let s = 0; for (const k in o) s += o[k] * (k === "p" ? 2 : 1); for (const [k, w] of Object.entries(o)) s += w; ', v(), ' = s + Object.keys(o).length; }')],
      [1, () => st('{ const o = Object.assign({}, { p: ', E(), ' }, { q: ', E(), ' }); ', v(), ' = Object.values(o).reduce((s, w) => s + w * w, 0); }')],
      [this.sloppy ? 1 : 0, () => st('{ const wo = { p: ', E(), ' }; with (wo) { p *= ', E(), '; ', v(), ' = p + a; } }')],
      // destructuring into members, computed indices, super in object literals, lexical `arguments`
      [1, () => st('{ const o = { p: 0, q: [0, 0] }; [o.p, o.q[1]] = [', E(), ', ', E(), ']; ({ r: o.q[0] = ', E(), ' } = {}); ', v(), ' = o.p * o.q[1] + o.q[0]; }')],
      [1, () => st('{ const arr = [', E(), ', ', E(), ', ', E(), ']; const i = ', rng.pick(['Math.floor(Math.abs(a)) % 3', '(b > 0 ? 1 : 2)', 'arr.length - 1']), '; arr[i] ', rng.pick(['+=', '*=', '-=']), ' ', E(), '; arr[0]++; ', v(), ' = arr[0] + arr[1] * arr[2]; }')],
      [1, () => st('{ const base = { v: ', E(), ', m(t) { return this.v * t } }; const o = { __proto__: base, m(t) { super.v ', rng.pick(['*=', '+=']), ' 2; return super.m(t) + this.v } }; ', v(), ' = o.m(', E(), '); }')],
      [1, () => st('{ function h() { const inner = () => arguments[0] * arguments[1]; return inner() + arguments.length } ', v(), ' = h(', E(), ', ', E(), '); }')],
      [1, () => {
        const g = id('g');
        return st(`{ function* ${g}() { yield undefined; yield `, E(), ` } const [p = `, E(), ', q = ', E(), ', r = ', E(), `] = ${g}(); `, v(), ' = p * q + r; }');
      }],
      [1, () => st('{ const m = new Map([[1, ', E(), '], [2, ', E(), ']]); ', v(), ' = Math.max(...m.values()) + [...m.entries()].reduce((s, [k, w]) => s + k * w, 0); }')],
      [1, () => {
        const c = id('C');
        return st(`{ class ${c} { #v; constructor(t) { this.#v = t } #scaled(k) { return this.#v * k } get #double() { return this.#scaled(2) } static of(t) { return new ${c}(t) } total() { return this.#double + this.#scaled(`, E(), `) } } ${v()} = ${c}.of(`, E(), ').total(); }');
      }],
      [1, () => st('{ let i = 0, s = 0; lp: do { i++; if (i === 2) continue lp; s += ', E(), ' * i; } while (i < 3); ', v(), ' = s; }')],
      [1, () => st('{ function tag(strs, ...vals) { return strs.raw.length * vals.reduce((s, w) => s + w, 0) } ', v(), ' = tag`\\n${', E(), '}\\t${', E(), '}`; }')],
      // control flow
      [1, () => st('if (', E(), rng.pick([' > ', ' < ']), E(), ') ', nested(), ' else ', nested())],
      [1, () => st('{ let i = 0; while (true) { ', v(), ' = ', E(), ' * 0.7; if (++i >= ', rng.pick(['1', '2']), ') break; } }')],
    ]);
  }
}

/** Program `index` of `seed`: its tree, for printing and shrinking. */
export function gradientProgram(seed: number, index: number): Tree {
  return new GradientProgramWriter(new Rng(seed, index)).program();
}

/**
 * The program as plain JavaScript (this file is not rewritten, so `Function` here makes
 * what plain code makes): the reference the rewritten program is compared against.
 */
export function plainFunction(body: string): (x: number, y: number) => number {
  return new Function('x', 'y', body) as (x: number, y: number) => number;
}

/**
 * The program as the loader rewrites a file: `function f(x, y) { body }` at the top level of a
 * module (strict programs: f has twins, one run while tracing) or of a script (sloppy ones),
 * each function with its two bodies. (`new Function` in rewritten code rewrites a function's
 * source with one body and no program temporaries: another form of the same rewrite.)
 */
export function loaderFunction(body: string, module: boolean, isScript = false): (x: number, y: number) => number {
  // (`isScript`: `body` is already a script that defines f, as a toolchain wrote it: fuzz/through.ts)
  const source = isScript ? body : `function f(x, y) {\n${body}\n}`;
  const rewritten = transform(source, { runtime: { kind: 'global' }, sourceType: module ? 'module' : 'script', sourceMap: false, twoBodies: true }).code;
  return new Function(`${rewritten}\nreturn f;`)() as (x: number, y: number) => number;
}
