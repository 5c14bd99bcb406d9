// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * Random programs from a grammar of the constructs the rewrite touches: every operator,
 * compound and logical assignment, updates of names, members, `super` and `#private`
 * members, comma expressions in every position, `typeof` of undeclared names and of
 * getters, `switch`, loops with `break`/`continue`/labels, optional chains,
 * destructuring targets, getters and setters, `valueOf`/`Symbol.toPrimitive` operands,
 * BigInt, strings, `null`/`undefined`, Proxies that log their traps, the globals the
 * rewrite knows (`Math`, `Number`, `isNaN`, `Function`), class fields, parameter
 * defaults, arrow bodies and static blocks (where temporaries need a closure),
 * generators, `with` — sloppy and strict.
 *
 * Every effect a program has is written to `log` (provided by the runner), so two runs
 * that log the same lines behaved the same. Loops draw on one `fuel` budget, so every
 * program ends; nearly every top-level statement is in a `try` that logs what it
 * caught, so one error does not hide the rest of the program.
 */
import { Prec, type Slot, type Tree, expressionStatement, leaf, node, slot, statements } from './tree.js';

/** A small, fast, seedable generator (mulberry32): program `k` of seed `s` is always the same program. */
export class Rng {
  private state: number;
  constructor(seed: number, stream = 0) {
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 0x632be5ab, 0xc2b2ae35)) >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** One of the choices, by weight; a choice of weight 0 is never taken. */
  weighted<T>(choices: readonly (readonly [number, () => T])[]): T {
    let total = 0;
    for (const [w] of choices) total += w;
    let r = this.next() * total;
    for (const [w, make] of choices) {
      if (r < w) return make();
      r -= w;
    }
    return choices[choices.length - 1]![1]();
  }
}

/** Where the code being generated is, which decides what it may say. */
interface Scope {
  readonly strict: boolean;
  /** Names that may be read and assigned. */
  readonly names: readonly string[];
  /** Inside class K's code: `this.#x`, `super.ba`, … (and whether `this` is bound yet: a derived constructor before `super()`). */
  readonly inClass: boolean;
  /** In a derived constructor, where `super(…)` may be called. */
  readonly superCall: boolean;
  readonly inGenerator: boolean;
  readonly inFunction: boolean;
  /** Inside a `with (w)` body: `p` and `w` resolve through the object. */
  readonly inWith: boolean;
  /** Enclosing loop / switch / labels, for `break` and `continue`. */
  readonly inLoop: boolean;
  readonly inSwitch: boolean;
  readonly labels: readonly { name: string; loop: boolean }[];
}

const NUMBERS = ['0', '1', '2', '3', '10', '1.5', '0.1', '2 ** 53', '-0', '-1', '-2.5', 'NaN', 'Infinity', '-Infinity', '0x10', '1e3', '.5', '255'];
const OTHERS = ["''", "'1'", "'a'", "' 2 '", "'p'", "'0x1f'", '0n', '1n', '-3n', '2n ** 64n', 'true', 'false', 'null', 'undefined', 'void 0', '[]', '[1]', '[1, 2]', '{}', "`t`", 'Symbol.iterator', '/r/g'];
const OBJECTS = ['o', 'arr', 'vo', 'tp', 'ts', 'bad', 'px', 'pa', 'pfn', 'rv', 'big', 'ns', 'dt', 'fz'];
const ARITHMETIC = ['+', '-', '*', '/', '%', '**'];
const BITWISE = ['|', '&', '^', '<<', '>>', '>>>'];
const RELATIONAL = ['<', '<=', '>', '>='];
const EQUALITY = ['==', '!=', '===', '!=='];
const COMPOUND = ['+=', '-=', '*=', '/=', '%=', '**=', '|=', '&=', '^=', '<<=', '>>=', '>>>=', '&&=', '||=', '??='];
const BINARY_PREC: Readonly<Record<string, number>> = {
  '+': Prec.additive, '-': Prec.additive, '*': Prec.multiplicative, '/': Prec.multiplicative, '%': Prec.multiplicative,
  '**': Prec.exponent, '|': Prec.bitOr, '&': Prec.bitAnd, '^': Prec.bitXor, '<<': Prec.shift, '>>': Prec.shift, '>>>': Prec.shift,
  '<': Prec.relational, '<=': Prec.relational, '>': Prec.relational, '>=': Prec.relational, in: Prec.relational, instanceof: Prec.relational,
  '==': Prec.equality, '!=': Prec.equality, '===': Prec.equality, '!==': Prec.equality,
};
const MATH_CALLS = ['sin', 'abs', 'floor', 'sqrt', 'max', 'min', 'pow', 'hypot', 'atan2', 'round', 'sign', 'exp', 'log', 'trunc', 'imul', 'clz32', 'fround'];

/** A literal (or constant expression) binding as tightly as its text does; an integer like a postfix expression, so that `(1).p` keeps its parentheses. */
function literal(text: string): Tree {
  if (text.includes('**')) return leaf('expression', Prec.exponent, text);
  if (/^[-+]|^void /.test(text)) return leaf('expression', Prec.unary, text);
  return leaf('expression', /^\d+n?$/.test(text) ? Prec.update : Prec.primary, text);
}

const expr = (prec: number, ...parts: (string | Slot)[]): Tree => node('expression', prec, ...parts);
const e = (tree: Tree, min: number): Slot => slot(tree, min);

export class ProgramGenerator {
  private fresh = 0;
  constructor(private readonly rng: Rng) {}

  /** A whole program: its tree (for the shrinker) and whether it is strict. */
  program(): { tree: Tree; strict: boolean } {
    const rng = this.rng;
    const strict = rng.chance(0.5);
    const scope: Scope = {
      strict, names: ['a', 'b', 'c', 'v'], inClass: false, superCall: false, inGenerator: false, inFunction: false,
      inWith: false, inLoop: false, inSwitch: false, labels: [],
    };
    const body: Tree[] = [];
    if (strict) body.push(leaf('other', Prec.statement, '"use strict";'));
    for (const line of PRELUDE.split('\n')) body.push(leaf('statement', Prec.statement, line));
    const inits = ['a', 'b', 'c'].map((n) => `${n} = ${rng.pick([...NUMBERS, ...OTHERS, ...OBJECTS])}`);
    body.push(leaf('statement', Prec.statement, `let ${inits.join(', ')}; var v = ${rng.pick(NUMBERS)};`));
    if (rng.chance(0.3)) body.push(this.guarded(this.classDeclaration(scope)));
    const count = 4 + rng.int(10);
    for (let i = 0; i < count; i++) body.push(this.topLevel(scope));
    return { tree: statements(body), strict };
  }

  private topLevel(scope: Scope): Tree {
    const s = this.statement(scope, 2);
    return this.rng.chance(0.85) ? this.guarded(s) : s;
  }

  /** `try { s } catch (e) { logError(e) }`: one error does not end the program. */
  private guarded(s: Tree): Tree {
    return node('statement', Prec.statement, 'try { ', e(s, Prec.statement), ' } catch (error) { logError(error) }');
  }

  // ---- expressions -------------------------------------------------------------------

  expression(scope: Scope, depth: number): Tree {
    const rng = this.rng;
    if (depth <= 0) return this.atom(scope);
    const d = depth - 1;
    return rng.weighted<Tree>([
      [6, () => this.atom(scope)],
      [10, () => this.binary(scope, d, rng.pick([...ARITHMETIC, ...ARITHMETIC, ...BITWISE, ...RELATIONAL, ...EQUALITY]))],
      [2, () => this.binary(scope, d, rng.pick(['in', 'instanceof']))],
      [4, () => this.logical(scope, d)],
      [4, () => this.unary(scope, d)],
      [3, () => expr(Prec.conditional, e(this.expression(scope, d), Prec.coalesce), ' ? ', e(this.expression(scope, d), Prec.assign), ' : ', e(this.expression(scope, d), Prec.assign))],
      [4, () => this.assignment(scope, d)],
      [3, () => this.update(scope, d)],
      [3, () => expr(Prec.comma, e(this.expression(scope, d), Prec.assign), ', ', e(this.expression(scope, d), Prec.assign))],
      [3, () => this.call(scope, d)],
      [2, () => this.optionalChain(scope, d)],
      [3, () => this.typeofExpression(scope, d)],
      [2, () => this.globals(scope, d)],
      [1, () => expr(Prec.primary, '`', rng.pick(['', 'x', '$']), '${', e(this.expression(scope, d), Prec.comma), '}', rng.pick(['', '-']), '${', e(this.expression(scope, d), Prec.comma), '}`')],
      [1, () => expr(Prec.unary, 'delete ', e(this.deletable(scope, d), Prec.unary))],
      [2, () => this.closure(scope, d)],
      [1, () => this.destructuringAssignment(scope, d)],
      [1, () => this.objectLiteral(scope, d)],
      [scope.inClass ? 3 : 0, () => this.classExpression(scope, d)],
      [scope.superCall ? 1 : 0, () => expr(Prec.call, 'super(', e(this.expression(scope, d), Prec.assign), ')')],
      [scope.inGenerator ? 2 : 0, () => expr(Prec.assign, 'yield ', e(this.expression(scope, d), Prec.assign))],
    ]);
  }

  private atom(scope: Scope): Tree {
    const rng = this.rng;
    return rng.weighted<Tree>([
      [5, () => this.number()],
      [3, () => literal(rng.pick(OTHERS))],
      [8, () => leaf('expression', Prec.primary, rng.pick(scope.names))],
      [3, () => leaf('expression', Prec.primary, rng.pick(OBJECTS))],
      [4, () => leaf('expression', Prec.call, rng.pick(['o.p', 'o.q', 'o.g', 'o[0]', 'arr[0]', 'arr.length', 'px.p', 'pa[1]', 'pa.length', 'o.n', 'big.n', 'wo.data', 'o.data', 'px.data', '(0, wo).data'])),],
      [2, () => leaf('expression', Prec.primary, 'gg')],
      [1, () => leaf('expression', Prec.primary, rng.pick(['zz', 'undeclared']))],
      [2, () => leaf('expression', Prec.call, `f(${this.fresh++}, ${rng.pick([...NUMBERS.filter((n) => !n.startsWith('-')), "'s'", 'null', 'o'])})`)],
      [1, () => leaf('expression', Prec.call, rng.pick(['Math.PI', 'Number.MAX_VALUE', 'Number.EPSILON', 'Math.E']))],
      [scope.inWith ? 3 : 0, () => leaf('expression', Prec.primary, rng.pick(['p', 'w']))],
      // (Not `this` itself: in static code it is the class, whose source text would show.)
      [scope.inClass ? 4 : 0, () => leaf('expression', Prec.call, rng.pick(['this.#x', 'this.#acc', 'K.#s', 'super.ba', 'this.bp']))],
    ]);
  }

  private number(): Tree {
    return literal(this.rng.pick(NUMBERS));
  }

  private binary(scope: Scope, d: number, op: string): Tree {
    const prec = BINARY_PREC[op]!;
    // `**` is right-associative and its left operand may not be a unary expression.
    const [left, right] = op === '**' ? [Prec.update, Prec.exponent] : [prec, prec + 1];
    const rhs = op === 'in' ? this.rng.pick([leaf('expression', Prec.primary, 'o'), leaf('expression', Prec.primary, 'px'), leaf('expression', Prec.primary, 'arr'), this.expression(scope, d)])
      : op === 'instanceof' ? leaf('expression', Prec.primary, this.rng.pick(['Object', 'Array', 'Number', 'Function', 'pfn', 'px', 'o']))
        : this.expression(scope, d);
    return expr(prec, e(this.expression(scope, d), left), ` ${op} `, e(rhs, right));
  }

  private logical(scope: Scope, d: number): Tree {
    const op = this.rng.pick(['&&', '||', '??']);
    const a = this.expression(scope, d);
    const b = this.expression(scope, d);
    // `??` may not be mixed with `&&`/`||` without parentheses: its operands bind tighter.
    if (op === '??') return expr(Prec.coalesce, e(a, Prec.bitOr), ' ?? ', e(b, Prec.bitOr));
    const prec = op === '&&' ? Prec.and : Prec.or;
    return expr(prec, e(a, prec), ` ${op} `, e(b, prec + 1));
  }

  private unary(scope: Scope, d: number): Tree {
    const op = this.rng.pick(['-', '+', '~', '!', '!', 'void ', '- ', '!!']);
    return expr(Prec.unary, op, e(this.expression(scope, d), Prec.unary));
  }

  private typeofExpression(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const operand = rng.weighted<Tree>([
      [3, () => this.expression(scope, d)],
      [2, () => leaf('expression', Prec.primary, rng.pick(['zz', 'undeclared', 'gg', 'Math', 'Number', 'isNaN', 'Function', 'globalThis']))],
      [1, () => leaf('expression', Prec.call, rng.pick(['o.g', 'px.p', 'globalThis.gg']))],
    ]);
    const t = expr(Prec.unary, 'typeof ', e(operand, Prec.unary));
    return rng.weighted<Tree>([
      [2, () => t],
      [2, () => expr(Prec.equality, e(t, Prec.equality), rng.pick([' === ', ' !== ', ' == ']), rng.pick(["'number'", "'object'", "'undefined'", "'string'", "'function'", "'bigint'"]))],
    ]);
  }

  /** Something assignable: a name, a member (plain, computed, accessor, Proxy), `super` or `#private`. */
  target(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const t = (text: string, prec: number = Prec.call): Tree => leaf('target', prec, text);
    return rng.weighted<Tree>([
      [6, () => t(rng.pick(scope.names), Prec.primary)],
      [1, () => t(rng.pick(['gg', 'cst']), Prec.primary)],
      // (Not in strict code: there V8 stops throwing the ReferenceError of a store to an
      // undeclared name in a vm context once the loop around it is optimized — plain code
      // too, after a number of iterations that depends on timing: seed 8 program 443882.)
      [scope.strict ? 0 : 1, () => t('zz', Prec.primary)],
      [5, () => t(rng.pick(['o.p', 'o.q', 'o.g', 'px.p', 'pa[0]', 'arr[1]', 'o.n', 'fz.p', 'big.n']))],
      [4, () => node('target', Prec.call, rng.pick(['o', 'arr', 'px', 'pa', 'ns']), '[', e(this.expression(scope, d), Prec.comma), ']')],
      [2, () => node('target', Prec.call, e(this.call(scope, d), Prec.call), rng.pick(['.p', '.q', '[0]']))],
      // In parentheses unless primary: an optional chain may not be assigned through.
      [1, () => node('target', Prec.call, e(this.expression(scope, d), Prec.primary), '.p')],
      [scope.inWith ? 3 : 0, () => t(rng.pick(['p', 'w']), Prec.primary)],
      [scope.inClass ? 6 : 0, () => t(rng.pick(['this.#x', 'this.#acc', 'K.#s', 'super.ba', 'this.bp', 'super.q']))],
      [scope.inClass ? 2 : 0, () => node('target', Prec.call, 'super[', e(this.expression(scope, d), Prec.comma), ']')],
      [scope.inClass ? 1 : 0, () => node('target', Prec.call, '(', e(this.expression(scope, d), Prec.comma), ').#x')],
      [scope.inFunction ? 1 : 0, () => t('arguments[0]')],
    ]);
  }

  /** A member `delete` may take (a name or `#private` member would be a syntax error in strict code). */
  private deletable(scope: Scope, d: number): Tree {
    const rng = this.rng;
    return rng.weighted<Tree>([
      [3, () => leaf('target', Prec.call, rng.pick(['o.p', 'o.g', 'px.p', 'pa[0]', 'fz.p', 'arr.length', 'ns.p', 'o.n', 'wo.data']))],
      [2, () => node('target', Prec.call, rng.pick(['o', 'px', 'arr']), '[', e(this.expression(scope, d), Prec.comma), ']')],
      [scope.inClass ? 1 : 0, () => leaf('target', Prec.call, 'super.ba')],
    ]);
  }

  private assignment(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const op = rng.chance(0.35) ? '=' : rng.pick(COMPOUND);
    return expr(Prec.assign, e(this.target(scope, d), Prec.call), ` ${op} `, e(this.expression(scope, d), Prec.assign));
  }

  private update(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const op = rng.pick(['++', '--']);
    const target = this.target(scope, d);
    return rng.chance(0.5) ? expr(Prec.update, op, e(target, Prec.call)) : expr(Prec.update, e(target, Prec.call), op);
  }

  private args(scope: Scope, d: number, n: number): (string | Slot)[] {
    const parts: (string | Slot)[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) parts.push(', ');
      if (this.rng.chance(0.05)) parts.push('...');
      parts.push(e(this.expression(scope, d), Prec.assign));
    }
    return parts;
  }

  private call(scope: Scope, d: number): Tree {
    const rng = this.rng;
    return rng.weighted<Tree>([
      [4, () => expr(Prec.call, `f(${this.fresh++}, `, e(this.expression(scope, d), Prec.assign), ')')],
      [2, () => expr(Prec.call, rng.pick(['o.m', 'pfn', 'o.self().m', 'px.m']), '(', ...this.args(scope, d, rng.int(3)), ')')],
      [1, () => expr(Prec.call, rng.pick(['[3, 1, 2]', '[...arr]']), rng.pick(['.sort(', '.toSorted(']), e(this.comparator(scope, d), Prec.assign), ')')],
      [1, () => expr(Prec.call, 'arr.push(', ...this.args(scope, d, 1 + rng.int(2)), ')')],
      // (the methods rewritten code sends through the runtime: a plain copy calls them as written)
      [2, () => expr(Prec.call, rng.pick(['arr', 'mp', 'st', 'us', 'o.self()', 'pa', 'vo', '[...arr]']), '.', rng.pick(['indexOf', 'lastIndexOf', 'includes', 'get', 'set', 'has', 'delete', 'add']), '(', ...this.args(scope, d, rng.int(3)), ')')],
      // (module-level functions: rewritten as a module, a copy calls their twins)
      [2, () => expr(Prec.call, rng.pick(['tw', 'tw2']), '(', ...this.args(scope, d, 1 + rng.int(2)), ')')],
      [scope.inClass ? 2 : 0, () => expr(Prec.call, 'this.#m(', e(this.expression(scope, d), Prec.assign), ')')],
    ]);
  }

  private optionalChain(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const base = rng.weighted<Tree>([
      [2, () => leaf('expression', Prec.primary, rng.pick(['o', 'null', 'undefined', 'px', 'a', 'o.n', 'arr', 'mp', 'us']))],
      [1, () => this.expression(scope, d)],
    ]);
    const tail = rng.weighted<(string | Slot)[]>([
      [3, () => ['?.p']],
      [2, () => ['?.[', e(this.expression(scope, d), Prec.comma), ']']],
      [2, () => ['?.m?.(', e(this.expression(scope, d), Prec.assign), ')']],
      [1, () => ['?.n.p']],
      [1, () => ['.m?.(', e(this.expression(scope, d), Prec.assign), ')']],
      // (a search as the chain's link that skips: the skip is written out around the runtime's call)
      [1, () => [rng.pick(['?.indexOf(', '?.includes(', '?.get(', '.has?.(', '.add?.(', '.includes?.(', '?.self().has(', '?.n.includes(', '?.[0].indexOf(', '?.n?.has(', '?.self()?.includes(']), e(this.expression(scope, d), Prec.assign), ')']],
    ]);
    return expr(Prec.call, e(base, Prec.call), ...tail);
  }

  /** The globals the rewrite knows, referenced every way: called, as values, compared, constructed, subclassed. */
  private globals(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const x = (): Slot => e(this.expression(scope, d), Prec.assign);
    return rng.weighted<Tree>([
      [3, () => expr(Prec.call, `Math.${rng.pick(MATH_CALLS)}(`, x(), ...(rng.chance(0.4) ? [', ', x()] : []), ')')],
      [2, () => expr(Prec.call, rng.pick(['Number(', 'Number.isNaN(', 'Number.isFinite(', 'Number.isInteger(', 'isNaN(', 'isFinite(', 'String(', 'parseFloat(', 'new Number(', 'Boolean(', 'new Boolean(', 'Object(', 'new Object(']), x(), ')')],
      // predicates, whose result the built-in tests itself
      [1, () => expr(Prec.call, '[', x(), ', 0, NaN, 2]', rng.pick(['.filter((v) => v).length', '.filter(Boolean).length', '.some((v) => v)', '.every((v) => v)', '.find((v) => v)', '.findIndex((v) => v)', '.findLast(Boolean)']))],
      [1, () => leaf('expression', Prec.equality, rng.pick([
        // (Not the identity of Math's functions or of the number predicates: rewritten code
        // reads the runtime's, by design; see lib/transform/rewrite-globals.ts.)
        'Math === globalThis.Math', 'Number === globalThis.Number', 'Function === globalThis.Function', 'typeof isNaN',
        '(1).constructor === Number', '(function () {}).constructor === Function', 'Object.getPrototypeOf(() => 1) === Function.prototype',
      ]))],
      [1, () => leaf('expression', Prec.call, rng.pick([
        'Object.getOwnPropertyDescriptor(Number, "MAX_VALUE").writable', 'Object.isFrozen(Math)', 'Object.keys(Math).length',
        'Reflect.ownKeys(Number).length', 'Number.name', 'Function.name', 'Number.length', 'String(Number).length',
        '[1, 2].map(Number).length', 'new (class extends Number {})(3).valueOf()', 'new (class extends Function {})("return 7")()',
        'Function("a", "return typeof a")(1)', 'new Function("return this")() === globalThis', 'Function("return typeof anonymous")()',
        '["1", "x"].map(Number)[0]', '[NaN, 1].filter(Number.isNaN).length', 'Math.max.apply(null, [1, 3])',
        'Object(1) === 1', '(2).constructor === Number', '[1] instanceof Array', '(() => { const { isInteger, EPSILON } = Number; return isInteger(3) && EPSILON > 0; })()',
        '(() => { const is = Object.is; return is(NaN, NaN) && !is(0, -0); })()', 'typeof structuredClone', 'new Object() instanceof Object',
      ]))],
      [1, () => {
        const op = rng.pick(['Number.MAX_VALUE = 1', 'Math.PI = 3', 'Math.zz = 1', 'Number.zz = 2', 'Function.zz = 3']);
        return expr(Prec.comma, op, ', ', x());
      }],
    ]);
  }

  /**
   * A closure called on the spot: arrow expression bodies and parameter defaults need
   * temporaries in closures. (Never a function value: its source text, which the
   * rewrite changes, would show through `String(f)` or a property key.)
   */
  private closure(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const p = `p${this.fresh++}`;
    const outer: Scope = { ...scope, inGenerator: false, superCall: false };
    const inner: Scope = { ...outer, names: [...scope.names, p] };
    const body = (s: Scope): Slot => ({ tree: this.expression(s, d), min: Prec.assign, statementStart: true });
    return rng.weighted<Tree>([
      [3, () => expr(Prec.call, `((${p}) => `, body(inner), ')(', e(this.expression(scope, d), Prec.assign), ')')],
      [2, () => expr(Prec.call, `((${p} = `, e(this.expression(outer, d), Prec.assign), ') => ', body(inner), ')(', e(this.expression(scope, d), Prec.assign), ')')],
      [2, () => expr(Prec.call, `(function (${p}, q = `, e(this.expression({ ...inner, inClass: false }, d), Prec.assign), ') { return ', e(this.expression({ ...inner, names: [...inner.names, 'q'], inFunction: true, inClass: false }, d), Prec.comma), '; })(', e(this.expression(scope, d), Prec.assign), ')')],
    ]);
  }

  /** A comparator for `sort`: a function value no one converts to a string. */
  private comparator(scope: Scope, d: number): Tree {
    const inner: Scope = { ...scope, inGenerator: false, superCall: false, names: [...scope.names, 'x', 'y'] };
    return expr(Prec.assign, '(x, y) => ', { tree: this.expression(inner, d), min: Prec.assign, statementStart: true });
  }

  private destructuringAssignment(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const t = (): Slot => e(this.target(scope, d), Prec.call);
    const withDefault = (): (string | Slot)[] => (rng.chance(0.3) ? [t(), ' = ', e(this.expression(scope, d), Prec.assign)] : [t()]);
    if (rng.chance(0.5)) {
      const rest = rng.chance(0.2) ? [', ...', t()] : [];
      return expr(Prec.assign, '[', ...withDefault(), ', ', ...withDefault(), ...rest, '] = ', e(this.expression(scope, d), Prec.assign));
    }
    return expr(Prec.assign, '{ p: ', ...withDefault(), ', [', e(this.expression(scope, d), Prec.assign), ']: ', ...withDefault(), ' } = ', e(this.expression(scope, d), Prec.assign));
  }

  private objectLiteral(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const inner = { ...scope, inGenerator: false, superCall: false, inFunction: true };
    return rng.weighted<Tree>([
      [2, () => expr(Prec.primary, '{ valueOf() { log("valueOf*"); return ', e(this.expression(inner, d), Prec.comma), ' } }')],
      [1, () => expr(Prec.primary, '{ [Symbol.toPrimitive](hint) { log("toPrimitive*", hint); return ', e(this.expression(inner, d), Prec.comma), ' } }')],
      [1, () => expr(Prec.primary, '{ p: ', e(this.expression(scope, d), Prec.assign), ', [', e(this.expression(scope, d), Prec.assign), ']: 1, get g() { log("get*"); return 2 } }')],
    ]);
  }

  /** In class code: private methods, `#x in o`, private members of another object. */
  private classExpression(scope: Scope, d: number): Tree {
    const rng = this.rng;
    return rng.weighted<Tree>([
      [2, () => expr(Prec.relational, rng.pick(['#x in ', '#acc in ', '#m in ']), e(this.expression(scope, d), Prec.shift))],
      [1, () => expr(Prec.call, '(', e(this.expression(scope, d), Prec.comma), ').#x')],
      [1, () => expr(Prec.call, 'super[', e(this.expression(scope, d), Prec.comma), ']')],
      [1, () => expr(Prec.call, rng.pick(['super.m(', 'this.#m(', 'super.has(']), e(this.expression(scope, d), Prec.assign), ')')],
    ]);
  }

  // ---- statements --------------------------------------------------------------------

  statement(scope: Scope, depth: number): Tree {
    const rng = this.rng;
    const d = depth - 1;
    const x = (): Slot => e(this.expression(scope, 3), Prec.comma);
    const simple: [number, () => Tree][] = [
      [8, () => node('statement', Prec.statement, 'log(', e(this.expression(scope, 3), Prec.assign), ');')],
      [4, () => expressionStatement(this.expression(scope, 3), rng.chance(0.05) ? '' : ';')],
      [scope.inLoop || scope.inSwitch ? 1 : 0, () => node('statement', Prec.statement, 'if (', x(), ') break;')],
      [scope.inLoop ? 1 : 0, () => node('statement', Prec.statement, 'if (', x(), ') continue;')],
      [scope.labels.length > 0 ? 1 : 0, () => {
        const label = rng.pick(scope.labels);
        const verb = label.loop && scope.inLoop && rng.chance(0.5) ? 'continue' : 'break';
        return node('statement', Prec.statement, 'if (', x(), `) ${verb} ${label.name};`);
      }],
      [scope.inFunction ? 1 : 0, () => node('statement', Prec.statement, 'if (', x(), ') return ', x(), ';')],
    ];
    if (depth <= 0) return rng.weighted(simple);
    return rng.weighted<Tree>([
      ...simple,
      [3, () => node('statement', Prec.statement, 'if (', x(), ') ', e(this.block(scope, d), Prec.statement), ...(rng.chance(0.5) ? [' else ', e(this.block(scope, d), Prec.statement)] : []))],
      [3, () => this.loop(scope, d)],
      [2, () => this.switchStatement(scope, d)],
      [1, () => {
        const name = `L${this.fresh++}`;
        const inner = { ...scope, labels: [...scope.labels, { name, loop: false }] };
        return node('statement', Prec.statement, `${name}: `, e(this.block(inner, d), Prec.statement));
      }],
      [1, () => node('statement', Prec.statement, 'try ', e(this.block(scope, d), Prec.statement), ' catch (error) { logError(error) }', rng.chance(0.3) ? ' finally { log("finally") }' : '')],
      [1, () => this.declaration(scope, d)],
      [scope.strict || scope.inClass ? 0 : 1, () => {
        const inner = { ...scope, inWith: true, names: [...scope.names, 'p', 'w'] };
        return node('statement', Prec.statement, 'with (wo) ', e(this.block(inner, d), Prec.statement));
      }],
      [1, () => this.functionDeclaration(scope, d)],
      [1, () => this.generatorDeclaration(scope, d)],
    ]);
  }

  private block(scope: Scope, depth: number): Tree {
    const count = 1 + this.rng.int(3);
    const items: Tree[] = [];
    for (let i = 0; i < count; i++) items.push(this.statement(scope, depth));
    return node('statement', Prec.statement, '{\n', e(statements(items), Prec.statement), '}');
  }

  private loop(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const label = rng.chance(0.3) ? `L${this.fresh++}` : null;
    const inner: Scope = { ...scope, inLoop: true, labels: label ? [...scope.labels, { name: label, loop: true }] : scope.labels };
    const body = (): Slot => e(node('statement', Prec.statement, '{ if (!more()) break; ', e(this.block(inner, d), Prec.statement), ' }'), Prec.statement);
    const test = (): Slot => e(this.expression(scope, 3), Prec.comma);
    const head = label ? `${label}: ` : '';
    return rng.weighted<Tree>([
      [3, () => node('statement', Prec.statement, `${head}while (`, test(), ') ', body())],
      [2, () => node('statement', Prec.statement, `${head}do `, body(), ' while (', test(), ');')],
      [3, () => node('statement', Prec.statement, `${head}for (`, rng.chance(0.5) ? e(this.expression(scope, 2), Prec.primary) : '', '; ', rng.chance(0.8) ? test() : '', '; ', rng.chance(0.7) ? e(this.expression(scope, 2), Prec.comma) : '', ') ', body())],
      [2, () => node('statement', Prec.statement, `${head}for (`, e(this.forTarget(scope), Prec.statement), ' of ', e(this.expression(scope, 2), Prec.assign), ') ', body())],
      [1, () => node('statement', Prec.statement, `${head}for (`, e(this.forTarget(scope), Prec.statement), ' in ', e(this.expression(scope, 2), Prec.comma), ') ', body())],
    ]);
  }

  /** The head of a `for…of`/`for…in`: a declaration, a target, or a destructuring pattern of targets. */
  private forTarget(scope: Scope): Tree {
    const rng = this.rng;
    const t = (): Slot => e(this.target(scope, 1), Prec.call);
    return rng.weighted<Tree>([
      [2, () => leaf('other', Prec.statement, `const k${this.fresh++}`)],
      [3, () => node('other', Prec.statement, t())],
      [2, () => node('other', Prec.statement, '[', t(), ', ', t(), ']')],
    ]);
  }

  private switchStatement(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const inner = { ...scope, inSwitch: true };
    const parts: (string | Slot)[] = ['switch (', e(this.expression(scope, 3), Prec.comma), ') {\n'];
    const cases = 1 + rng.int(4);
    const defaultAt = rng.chance(0.6) ? rng.int(cases + 1) : -1;
    for (let i = 0; i <= cases; i++) {
      if (i === defaultAt) parts.push('default: ');
      else if (i < cases) parts.push('case ', e(rng.chance(0.5) ? this.number() : this.expression(scope, 2), Prec.comma), ': ');
      else continue;
      parts.push(e(statements([this.statement(inner, d), ...(rng.chance(0.5) ? [leaf('statement', Prec.statement, 'break;')] : [])]), Prec.statement));
    }
    parts.push('}');
    return node('statement', Prec.statement, ...parts);
  }

  private declaration(scope: Scope, d: number): Tree {
    const rng = this.rng;
    const name = `t${this.fresh++}`;
    return rng.weighted<Tree>([
      [2, () => node('statement', Prec.statement, `{ let ${name} = `, e(this.expression(scope, 2), Prec.assign), '; ', e(this.statement({ ...scope, names: [...scope.names, name] }, d), Prec.statement), ' }')],
      [1, () => node('statement', Prec.statement, `{ let [${name}, ${name}b = `, e(this.expression(scope, 2), Prec.assign), '] = ', e(this.expression(scope, 2), Prec.assign), '; ', e(this.statement({ ...scope, names: [...scope.names, name, `${name}b`] }, d), Prec.statement), ' }')],
      [1, () => node('statement', Prec.statement, `{ const Math = { sin: (x) => "own sin" }; log(Math.sin(`, e(this.expression(scope, 1), Prec.assign), '), ', e(this.expression(scope, 1), Prec.assign), '); }')],
    ]);
  }

  private functionDeclaration(scope: Scope, d: number): Tree {
    const name = `h${this.fresh++}`;
    const inner: Scope = { ...scope, inFunction: true, inLoop: false, inSwitch: false, labels: [], inGenerator: false, superCall: false, inClass: false, names: [...scope.names, 'x', 'y'] };
    const defaults: Scope = { ...inner, names: [...scope.names, 'x'] };
    return node('statement', Prec.statement,
      `function ${name}(x, y = `, e(this.expression(defaults, 2), Prec.assign), ') {\n', e(this.block(inner, d), Prec.statement), '\nreturn ', e(this.expression(inner, 2), Prec.comma), ';\n}\n',
      `log(${name}(`, e(this.expression(scope, 2), Prec.assign), `), ${name}(`, e(this.expression(scope, 1), Prec.assign), ', ', e(this.expression(scope, 1), Prec.assign), '));');
  }

  private generatorDeclaration(scope: Scope, d: number): Tree {
    const name = `g${this.fresh++}`;
    const inner: Scope = { ...scope, inFunction: true, inLoop: false, inSwitch: false, labels: [], inGenerator: true, superCall: false, inClass: false, names: [...scope.names, 'x'] };
    return node('statement', Prec.statement,
      `function* ${name}(x) {\n`, e(this.block(inner, d), Prec.statement), '\nreturn ', e(this.expression(inner, 2), Prec.comma), ';\n}\n',
      `{ const it = ${name}(`, e(this.expression(scope, 1), Prec.assign), '); for (let i = 0; i < 4 && more(); i++) { const r = it.next(',
      e(this.expression(scope, 1), Prec.assign), '); log("next", r.value, r.done); if (r.done) break; } }');
  }

  /**
   * `class K extends Base` with public and private fields, a private accessor and method,
   * static members and a static block, a derived constructor (code before `super()`
   * too), and methods reaching `super` and `#private` members; then used.
   */
  private classDeclaration(scope: Scope): Tree {
    const rng = this.rng;
    const cls: Scope = { ...scope, strict: true, inClass: true, inWith: false, inFunction: true, inLoop: false, inSwitch: false, labels: [], names: [...scope.names, 'p1'] };
    const body = (s: Scope): Slot => e(this.block(s, 1), Prec.statement);
    const x = (s: Scope): Slot => e(this.expression(s, 2), Prec.assign);
    const ctor: Scope = { ...cls, superCall: true };
    // Field initializers and static blocks may not say `arguments` or `return`.
    const field: Scope = { ...cls, inFunction: false };
    const parts: (string | Slot)[] = [
      'class Base { constructor(x) { log("Base", x); this.bp = x; } get ba() { log("get ba"); return this.bp } set ba(v) { log("set ba", v); this.bp = v } m(x) { log("Base.m", x); return x } has(x) { log("Base.has", x); return x } }\n',
      'class K extends Base {\n',
      '  #x = ', x(field), ';\n  #y = 1;\n  static #s = 2;\n  static sf = ', x({ ...field, names: scope.names }), ';\n',
      '  pf = ', x(field), ';\n',
      '  get #acc() { log("get #acc"); return this.#y } set #acc(v) { log("set #acc", v); this.#y = v }\n',
      '  #m(p) { log("#m", p); return p }\n',
      '  constructor(p1 = ', x({ ...field, inClass: false }), ') {\n',
      rng.chance(0.3) ? e(this.statement(ctor, 1), Prec.statement) : '',
      '\n    super(', x({ ...cls, inClass: false }), ');\n    ', body(ctor), '\n  }\n',
      '  run(p1) ', body(cls), '\n',
      '  static srun(p1) ', body(cls), '\n',
      '  static ', body(field), '\n',
      '}\n',
      'try { const k = new K(', x(scope), '); k.run(', x(scope), '); K.srun(', x(scope), '); log("pf", k.pf); } catch (error) { logError(error) }',
    ];
    return node('statement', Prec.statement, ...parts);
  }
}

/**
 * What every program starts with: the objects its expressions use, each of whose
 * effects is logged. `more()` spends the loops' shared fuel. `tw` and `tw2` are
 * module-level functions that get twins when a strict program is rewritten as a module
 * (lib/transform/two-bodies.ts). `mp`, `st` and `us` (whose methods share the names of the
 * search methods) receive the calls that rewritten code sends through the runtime's
 * `callMethod`, except in a plain copy; `wo.data` is read (through `readData`) and written.
 *
 * (pfn's function, whose text shows in a message such as `pfn in 0`'s, gets `log` as a local: a
 * call of a global given a number is checked in rewritten code, and its text would change.)
 * The Proxies' traps log every operation but one: the runtime's look-up of a user-defined
 * operator (`a[Symbol.for("zygote-ts.operator.add")]`, rules/overloads.ts), a documented
 * extension that asks an object operand of `+ - * / **` and unary `-` for such a method.
 */
const PRELUDE = `let fuel = 60;
const more = () => fuel-- > 0;
const f = (n, v) => (log("f", n), v);
function tw(x, ...ys) { log("tw", typeof this, arguments.length, x); return x * 2 + (ys.length > 0 ? ys[0] : 1) }
function tw2(n) { return n > 0 && more() ? tw2(n - 1) + tw(n) : n * 3 }
const logError = (e) => log("caught", e !== null && typeof e === "object" && "name" in e ? e.name + ": " + comparableMessage(e.message) : e);
const o = { p: 1, q: "x", 0: 2, n: undefined, get g() { log("get g"); return this._g }, set g(v) { log("set g", v); this._g = v }, _g: 3, m(x) { log("m", x); return x }, self() { return this } };
const arr = [1, "x", 2, null];
const vo = { valueOf() { log("valueOf"); return 2 } };
const tp = { [Symbol.toPrimitive](hint) { log("toPrimitive", hint); return hint === "string" ? "tp" : 5 } };
const ts = { toString() { log("toString"); return "7" } };
const bad = { valueOf() { log("bad"); throw new RangeError("bad valueOf") } };
const big = { n: 5n, valueOf() { return 3n } };
const ns = { __proto__: null, p: 4 };
const dt = new Date(86400000);
const fz = Object.freeze({ p: 1 });
const cst = 1;
const operatorLookup = (key) => typeof key === "symbol" && String(key.description).startsWith("zygote-ts.operator.");
const trap = (name) => (...args) => { if (!operatorLookup(args[1])) log("trap", name, typeof args[1] === "symbol" ? String(args[1]) : typeof args[1] === "object" ? "-" : args[1], name === "set" ? args[2] : ""); return Reflect[name](...args) };
const handler = {};
for (const name of ["get", "set", "has", "deleteProperty", "getPrototypeOf", "setPrototypeOf", "ownKeys", "getOwnPropertyDescriptor", "defineProperty", "isExtensible", "preventExtensions", "apply", "construct"]) handler[name] = trap(name);
const px = new Proxy({ p: 1, q: "x", m(x) { return x }, valueOf() { return 4 } }, handler);
const pa = new Proxy([1, 2], handler);
const pfn = new Proxy(((log) => function (x) { log("pfn", x); return x })(log), handler);
const rv = (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy })();
let gv = 1;
Object.defineProperty(globalThis, "gg", { get() { log("get gg"); return gv }, set(x) { log("set gg", x); gv = x }, configurable: true });
const mp = new Map([[1, "a"], [2, "b"]]);
const st = new Set([1, "x"]);
const us = { get(k) { log("us.get", k); return k }, add(x, y) { log("us.add", x, y); return this }, has() { log("us.has", this === us); return arguments.length } };
const wo = { p: 1, get w() { log("get w"); return this.p }, set w(x) { log("set w", x); this.p = x }, get data() { log("get data"); return this.p }, set data(x) { log("set data", x); this.p = x } };`;

/** Program number `index` of `seed`. */
export function generate(seed: number, index: number): { tree: Tree; strict: boolean } {
  return new ProgramGenerator(new Rng(seed, index)).program();
}
