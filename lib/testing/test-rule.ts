// testRule: checks a custom rule (`rule(fn, rrule)`) the way ChainRulesTestUtils'
// test_rrule and Mooncake's test_rule check theirs:
//   value     — the rule's value (what f gives while differentiated) is fn's (what f gives
//               outside a differentiation);
//   pullback  — a dot-product test against central differences: for a random cotangent ȳ
//               and a random direction ẋ in every argument, ⟨pullback(ȳ), ẋ⟩ must equal
//               ⟨ȳ, (f(x + hẋ) − f(x − hẋ)) / 2h⟩ for the best step h of a grid (rounding
//               spoils small steps, curvature large ones);
//   inputs    — neither f nor its pullback changes the arguments (the cotangent the
//               pullback receives is a copy of its own, which `rule` hands it);
//   aliasing  — the rule's value is (a view of) an argument exactly when fn's is, and
//               arguments that are one object are perturbed together, as one;
//   pushforward — where forward mode goes through f (a rule with a forward rule, or no
//               rule), ⟨ȳ, pushforward(ẋ)⟩ from `jvp` against the same central
//               differences (a rule without a forward rule, which jvp refuses, is not checked).
// It works for any function of numbers, NDArrays and structures of them that returns a
// number or an NDArray — a rule or not. The report says what failed, with the numbers.

import { pullback } from '../api.js';
import { jvp } from '../forward/index.js';
import { NoForwardRule } from '../core/tangents.js';
import { ensureRewritten } from '../rewritten.js';
import { rand } from '../arrays.js';
import { isNDArray, NDArray } from '../ndarray.js';
import { Layout, SlotRef, dotSlots, type Skeleton } from '../tree/layout.js';
import { leafwise, maxAbsLeaf, type Leaf } from '../tree/leaves.js';
import { rebuild } from '../tree/rebuild.js';

export interface TestRuleOptions {
  /** Relative tolerance of the dot-product test. Default 1e-6 (1e-3 when float32 arrays are involved). */
  rtol?: number;
  /** Absolute tolerance of the dot-product test. Default 1e-10. */
  atol?: number;
  /** Relative tolerance between the rule's value and fn's. Default 1e-10 (1e-6 with float32). */
  valueTolerance?: number;
  /** Finite-difference steps to try, relative to the largest |number| in the arguments (at least 1). Default 1e-2 … 1e-8. */
  steps?: readonly number[];
  /** Seed of the random cotangent and direction. Default 1. */
  seed?: number;
}

/** One check of `testRule`. */
export interface RuleCheck {
  readonly name: 'value' | 'pullback' | 'inputs' | 'aliasing' | 'pushforward';
  readonly passed: boolean;
  /** What was compared, with the numbers. */
  readonly detail: string;
}

export interface RuleReport {
  readonly passed: boolean;
  readonly checks: readonly RuleCheck[];
  /** The report, one line per check. */
  readonly text: string;
}

/**
 * Checks a rule at `args`: its value, its pullback against finite differences (a
 * dot-product test with a random cotangent), that the arguments are not modified, and that
 * aliasing is kept. Throws an Error whose message is the report when a check fails;
 * returns the report when all pass. (`ruleReport` gives the report without throwing, and
 * takes options.)
 *
 * @example
 * const softplus = rule((x: number) => Math.log(1 + Math.exp(x)), (x) => [Math.log1p(Math.exp(x)), (dy: number) => [dy / (1 + Math.exp(-x))]]);
 * testRule(softplus, 0.3); // passes
 * const wrong = rule((x: number) => x * x, (x) => [x * x, (dy: number) => [dy * x]]);
 * testRule(wrong, 2); // throws: pullback ✗ ⟨x̄, ẋ⟩ = … but finite differences give …
 */
export function testRule<A extends unknown[]>(f: (...args: A) => number | NDArray, ...args: A): RuleReport {
  const report = ruleReport(f, args);
  if (!report.passed) throw new Error(report.text);
  return report;
}

/**
 * The checks of `testRule`, as a report (`passed`, each check, the text), with options.
 *
 * @example
 * const report = ruleReport(myRule, [array([1, 2]), 3], { rtol: 1e-5, seed: 7 });
 * if (!report.passed) console.log(report.text);
 */
export function ruleReport<A extends unknown[]>(f: (...args: A) => number | NDArray, args: A, options: TestRuleOptions = {}): RuleReport {
  const name = f.name || 'f';
  const caller = `testRule(${name})`;
  const layout = Layout.of(args, caller);
  const at = layout.gather(args, caller) as Leaf[];
  const before = layout.flatten(at);
  const float32 = at.some((x) => x instanceof Float32Array || (isNDArray(x) && x.dtype === 'float32'));
  const tolerances = {
    rtol: options.rtol ?? (float32 ? 1e-3 : 1e-6),
    atol: options.atol ?? 1e-10,
    steps: options.steps ?? [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8],
  };
  const seed = options.seed ?? 1;
  /** f's arguments with these leaves (new objects, aliasing as in `args`). */
  const argsAt = (leaves: readonly Leaf[]) => rebuild(args, layout, leaves, { caller });

  // fn: f outside a differentiation, on a copy (so that what it may write does not move the point)
  const copies = argsAt(at.map((x) => leafwise(x, (v) => v, x)));
  const plain = f(...copies);
  const run = differentiated(f, args);
  if (run instanceof Error) return reportOf(name, args, [{ name: 'value', passed: false, detail: `f threw while differentiated: ${run.message}` }]);
  const checks: RuleCheck[] = [valueCheck(plain, run.value, options.valueTolerance ?? (float32 ? 1e-6 : 1e-10))];

  const cotangent = randomCotangent(plain, seed);
  let grads: (Leaf | null)[];
  try {
    grads = layout.gather(run.back(cotangent), `${caller} (the pullback's cotangents)`);
  } catch (e) {
    checks.push({ name: 'pullback', passed: false, detail: `the pullback threw: ${e instanceof Error ? e.message : String(e)}` });
    return reportOf(name, args, checks);
  }
  const fd: FiniteDifferences = { f: (leaves) => f(...argsAt(leaves)), at, plain, cotangent, grads, scale: Math.max(1, ...at.map(maxAbsLeaf)), ...tolerances };
  const argumentSlots = args.map((_, k) => slotsUnder((layout.skeleton as Skeleton[])[k]!));
  const direction = at.map((x, k) => randomDirection(x, seed + 1 + k));
  checks.push(pullbackCheck(fd, direction, argumentSlots));
  checks.push(inputsCheck(before, layout.flatten(layout.gather(args, caller))));
  checks.push(aliasingCheck(aliasedArgument(plain, copies), run.aliases()));
  const forward = pushforwardCheck(fd, direction, () => jvp(ensureRewritten(f), argsAt(at), argsAt(direction) as never)[1]);
  if (forward !== null) checks.push(forward);
  return reportOf(name, args, checks);
}

/** What a differentiated run of f shows: its value, its pullback, what it aliases. */
interface Differentiated {
  value: unknown;
  back: (dy: number | NDArray) => unknown[];
  aliases: () => number | null;
}

function differentiated<A extends unknown[]>(f: (...args: A) => number | NDArray, args: A): Differentiated | Error {
  let aliases: number | null = null;
  // The rule's value on its way out. (This module is not rewritten, so the wrapper handed
  // to pullback below holds no operator that the rewrite would have to see.)
  const observe = (y: number | NDArray, xs: unknown[]) => {
    aliases = aliasedArgument(y, xs);
    return y;
  };
  try {
    // (f itself is checked as gradient checks what it is given: code that was not rewritten would lose derivatives)
    const g = ensureRewritten(f);
    const [value, back] = pullback((...xs: A) => observe(g(...xs), xs), ...args);
    return { value, back: back as Differentiated['back'], aliases: () => aliases };
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** What the dot-product test needs: f of the slots' leaves, the point, the cotangent and the pullback's answer to it. */
interface FiniteDifferences {
  f: (leaves: readonly Leaf[]) => number | NDArray;
  at: readonly Leaf[];
  plain: number | NDArray;
  cotangent: number | NDArray;
  grads: readonly (Leaf | null)[];
  scale: number;
  rtol: number;
  atol: number;
  steps: readonly number[];
}

/** ⟨pullback(ȳ), ẋ⟩ (or `claimed`) against ⟨ȳ, J·ẋ⟩ by central differences, along `tangent` (null slots held still), at the best step. */
function dotTest(fd: FiniteDifferences, tangent: readonly (Leaf | null)[], claimed = dotSlots(fd.grads, tangent)) {
  let best = { h: NaN, measured: NaN, error: Infinity };
  for (const step of fd.steps) {
    const h = step * fd.scale;
    const moved = (sign: number) => fd.at.map((x, k) => (tangent[k] === null ? x : leafwise(x, (xi, ti) => xi + sign * h * ti, x, tangent[k]!)));
    const difference = leafwise(fd.plain, (p, m) => (p - m) / (2 * h), fd.f(moved(1)), fd.f(moved(-1)));
    const measured = dotSlots([fd.cotangent], [difference]);
    const error = Math.abs(measured - claimed);
    if (error < best.error) best = { h, measured, error };
  }
  return { claimed, ...best, passed: best.error <= fd.atol + fd.rtol * Math.max(Math.abs(claimed), Math.abs(best.measured)) };
}

function pullbackCheck(fd: FiniteDifferences, direction: readonly Leaf[], argumentSlots: readonly Set<number>[]): RuleCheck {
  const whole = dotTest(fd, direction);
  const lines = [
    `⟨pullback(ȳ), ẋ⟩ = ${whole.claimed}, finite differences give ⟨ȳ, J·ẋ⟩ = ${whole.measured} ` +
      `(best step ${whole.h.toExponential(0)}, |difference| ${whole.error.toExponential(2)}, tolerance ${fd.atol.toExponential(0)} + ${fd.rtol.toExponential(0)}·|value|)`,
  ];
  if (!whole.passed) {
    // Which argument: the same test along each argument alone.
    argumentSlots.forEach((mine, k) => {
      const alone = dotTest(fd, direction.map((d, slot) => (mine.has(slot) ? d : null)));
      lines.push(`argument ${k}: ${alone.passed ? 'agrees' : `pullback ${alone.claimed}, finite differences ${alone.measured}`}`);
    });
  }
  return { name: 'pullback', passed: whole.passed, detail: lines.join('\n      ') };
}

/**
 * The forward rule's ⟨ȳ, ẏ⟩ (ẏ = `tangent()`, jvp along the pullback check's direction)
 * against the central differences. Null when forward mode refuses f for want of a forward
 * rule: it says so itself, so nothing can be wrong there.
 */
function pushforwardCheck(fd: FiniteDifferences, direction: readonly Leaf[], tangent: () => unknown): RuleCheck | null {
  let dy: unknown;
  try {
    dy = tangent();
  } catch (e) {
    if (e instanceof NoForwardRule) return null; // (no forward rule: nothing to check)
    return { name: 'pushforward', passed: false, detail: `jvp threw: ${e instanceof Error ? e.message : String(e)}` };
  }
  const test = dotTest(fd, direction, dotSlots([fd.cotangent], [dy as Leaf]));
  return {
    name: 'pushforward',
    passed: test.passed,
    detail:
      `⟨ȳ, pushforward(ẋ)⟩ = ${test.claimed}, finite differences give ⟨ȳ, J·ẋ⟩ = ${test.measured} ` +
      `(best step ${test.h.toExponential(0)}, |difference| ${test.error.toExponential(2)}, tolerance ${fd.atol.toExponential(0)} + ${fd.rtol.toExponential(0)}·|value|)`,
  };
}

// (A pullback that writes into the cotangent it receives harms nothing: rule() hands it a copy.)
function inputsCheck(before: Float64Array, after: Float64Array): RuleCheck {
  const changedAt = after.findIndex((v, i) => !Object.is(v, before[i]));
  if (changedAt >= 0) {
    return {
      name: 'inputs',
      passed: false,
      detail: `an argument's number ${changedAt} (in argument order) changed from ${before[changedAt]} to ${after[changedAt]}: f or its pullback writes into its arguments`,
    };
  }
  return { name: 'inputs', passed: true, detail: 'the arguments are as they were' };
}

function aliasingCheck(fn: number | null, theRule: number | null): RuleCheck {
  const said = (k: number | null, who: string) => (k === null ? `${who} returns a new value` : `${who} returns (a view of) argument ${k}`);
  return fn === theRule
    ? { name: 'aliasing', passed: true, detail: `${said(fn, 'fn')}, and so does the rule` }
    : { name: 'aliasing', passed: false, detail: `${said(fn, 'fn')}, but ${said(theRule, 'the rule')}: code that writes into the result would behave differently` };
}

function valueCheck(plain: unknown, traced: unknown, tolerance: number): RuleCheck {
  const a = numbersOf(plain);
  const b = numbersOf(traced);
  if (isNDArray(plain) !== isNDArray(traced) || a.length !== b.length) {
    return { name: 'value', passed: false, detail: `fn gives ${describe(plain)}, the rule ${describe(traced)}` };
  }
  let worst = 0;
  let at = 0;
  a.forEach((v, i) => {
    const d = Object.is(v, b[i]) ? 0 : Math.abs(v - b[i]!) / Math.max(1, Math.abs(v));
    if (!(d <= worst)) [worst, at] = [d, i];
  });
  const where = a.length > 1 ? ` (element ${at})` : '';
  return worst <= tolerance
    ? { name: 'value', passed: true, detail: `the rule's value is fn's (largest relative difference ${worst})` }
    : { name: 'value', passed: false, detail: `the rule gives ${b[at]}${where} where fn gives ${a[at]} (relative difference ${worst} > ${tolerance})` };
}

/** The argument the value is, or shares its numbers with (null: none). */
function aliasedArgument(y: unknown, args: readonly unknown[]): number | null {
  if (!isNDArray(y)) return null;
  const k = args.findIndex((x) => x === y || (isNDArray(x) && x.data.buffer === y.data.buffer));
  return k < 0 ? null : k;
}

/** A random cotangent for f's value: numbers in [-1, 1) in its form (a number, an NDArray of its shape and dtype). */
function randomCotangent(y: unknown, seed: number): number | NDArray {
  if (typeof y === 'number') return 2 * rand(1, { seed }).data[0]! - 1;
  if (isNDArray(y)) return new NDArray(y.shape, rand(y.size, { seed, dtype: y.dtype }).data.map((u) => 2 * u - 1));
  throw new TypeError(`zygote-ts: testRule: f must return a number or an NDArray, got ${describe(y)}.`);
}

/** A random direction for an argument's leaf, in its form. */
function randomDirection(x: Leaf, seed: number): Leaf {
  if (typeof x === 'number' || isNDArray(x)) return randomCotangent(x, seed);
  return leafwise(x, (u) => 2 * u - 1, rand(x.length, { seed, dtype: x instanceof Float32Array ? 'float32' : 'float64' }).data);
}

function numbersOf(y: unknown): number[] {
  if (typeof y === 'number') return [y];
  return isNDArray(y) ? Array.from(y.data) : [];
}

function describe(y: unknown): string {
  if (isNDArray(y)) return `an NDArray of shape [${y.shape.join(', ')}]`;
  return typeof y === 'number' ? `the number ${y}` : `a ${typeof y}`;
}

/** The slots a skeleton holds. */
function slotsUnder(s: Skeleton, out = new Set<number>(), seen = new Set<object>()): Set<number> {
  if (s instanceof SlotRef) out.add(s.slot);
  else if (s !== null && !seen.has(s)) {
    seen.add(s);
    const children = Array.isArray(s) ? s : s instanceof Map ? [...s.values()] : Object.values(s);
    for (const c of children) slotsUnder(c, out, seen);
  }
  return out;
}

function reportOf(name: string, args: readonly unknown[], checks: RuleCheck[]): RuleReport {
  const passed = checks.every((c) => c.passed);
  const failed = checks.filter((c) => !c.passed).length;
  const at = args.map(argumentText).join(', ');
  const head = `testRule(${name}) at (${at}): ${passed ? `all ${checks.length} checks passed` : `${failed} of ${checks.length} checks failed`}`;
  const text = [head, ...checks.map((c) => `  ${c.passed ? '✓' : '✗'} ${c.name}: ${c.detail}`)].join('\n');
  return { passed, checks, text };
}

/** An argument in the report's first line: a number, or what kind of value and its size. */
function argumentText(a: unknown): string {
  if (typeof a === 'number') return String(a);
  if (isNDArray(a)) return `NDArray[${a.shape.join('×')}]`;
  if (a instanceof Float64Array || a instanceof Float32Array) return `${a.constructor.name}[${a.length}]`;
  if (Array.isArray(a)) return `array[${a.length}]`;
  return typeof a === 'object' && a !== null ? (Object.getPrototypeOf(a) as { constructor?: { name?: string } } | null)?.constructor?.name || 'object' : typeof a;
}
