// The differential fuzzer (fuzz/) inside `npm test`: a fixed seed's programs run plain and
// rewritten must log the same and end the same. Long runs: `npm run fuzz -- --count N`.
import { describe, expect, it } from 'vitest';
import { describeFailure, runCampaign } from '../../fuzz/campaign.js';
import { comparableMessage, compare } from '../../fuzz/differential.js';
import { shrink } from '../../fuzz/shrink.js';
import { expressionStatement, leaf, Prec, print, statements } from '../../fuzz/tree.js';

const PROGRAMS = 2_000;

describe('differential fuzzer', () => {
  it(`finds no difference in ${PROGRAMS} programs of seed 13`, () => {
    const tally = runCampaign(13, 0, PROGRAMS);
    expect(tally.failures.map(describeFailure)).toEqual([]);
    expect(tally.programs).toBe(PROGRAMS);
    // Programs that do not compile plain test nothing: the grammar must rarely make them.
    expect(tally.invalid).toBeLessThan(PROGRAMS / 50);
  }, 300_000);

  for (const through of ['minify', 'es2015', 'es2017', 'es5'] as const) {
    // (program 43 through es5 read `.apply` of undefined after the spread arguments)
    it(`finds no difference in 50 programs of seed 44110 passed through ${through} first (fuzz/through.ts)`, () => {
      const tally = runCampaign(44110, 0, 50, 1, through);
      expect(tally.failures.map(describeFailure)).toEqual([]);
    }, 120_000);
  }

  it('tells the runs apart where the rewrite is visible: a rewritten function\'s source text', () => {
    const result = compare('let a = 1, b = 2; log(String(function () { return a * b }))');
    expect(result.difference).toMatch(/^log line 1: plain "function \(\) \{ return a \* b \}" \| rewritten /);
    expect(compare('let a = 1; log(a * 2, typeof a, -0)').difference).toBeNull();
  });

  it('a global the realm does not have still throws when read as a value (seed 41 program 45186)', () => {
    // (rewritten code reads structuredClone as the runtime's, but reads the global first)
    expect(compare('typeof structuredClone?.p').difference).toBeNull();
    expect(compare('try { const c = structuredClone; log(typeof c) } catch (e) { log(e.name) }').difference).toBeNull();
  });

  it('compares how the runs end, and what they logged first', () => {
    const result = compare('log(1); log(String(function () { return 1 + x })); throw new RangeError("r")');
    expect(result.plain).toEqual({ log: ['1', '"function () { return 1 + x }"'], end: 'throw RangeError: r' });
    expect(result.rewritten.end).toBe('throw RangeError: r');
  });

  it('compares what was logged before a stack overflow as far as both runs got (depth is no part of the language)', () => {
    const program = 'var a = { valueOf() { log("valueOf"); return a - 0 } }; try { a >= 0 } catch (e) { log(String(e)) } log("after");';
    const result = compare(program);
    expect(result.plain.log.length).not.toBe(result.rewritten.log.length); // (the runtime's conversion frames)
    expect(result.plain.log.at(-1)).toBe('"after"');
    expect(result.difference).toBeNull();
    // What follows the overflow is compared in full.
    expect(compare(program.replace('log("after")', 'log(typeof function () {}.toString())')).difference).toBeNull();
    expect(compare(`${program} log(String(function () { return 1 + x }));`).difference).toMatch(/^log line \d+: plain/);
  });

  it('reads V8’s two wordings of a destructured call that is not a function as one (seed 8 program 246542)', () => {
    expect(comparableMessage('(intermediate value).m is not a function or its return value is not iterable')).toBe('… is not a function or its return value is not iterable');
    expect(comparableMessage('(--b) is not iterable')).not.toBe(comparableMessage('b is not a function'));
    // (the rewrite wraps this initializer in an arrow to have a temporary: V8 words the error the other way)
    const result = compare('class B {} class K extends B { #x = 0; static sf = [a = o.g = this.#x] = super.m(0); }');
    expect(result.rewritten.end).toBe('throw TypeError: … is not a function or its return value is not iterable');
    // (V8 13, Node 24, words the plain one so too)
    expect(['throw TypeError: … is not a function', result.rewritten.end]).toContain(result.plain.end);
    expect(result.difference).toBeNull();
  });

  it('reads V8’s two wordings of `Symbol.iterator in 0` as one (seed 10 program 580271)', () => {
    expect(comparableMessage("Cannot use 'in' operator to search for 'Symbol(Symbol.iterator)' in 0")).toBe(
      comparableMessage('number 0 is not iterable (cannot read property Symbol(Symbol.iterator))'),
    );
    expect(comparableMessage("Cannot use 'in' operator to search for 'p' in 0")).not.toBe(comparableMessage('number 0 is not iterable'));
    // the program itself, plain and rewritten, no longer differs
    const program = [
      'let fuel = 60;',
      'const more = () => fuel-- > 0;',
      'try { L3: do { if (!more()) break; } while (~0); } catch (e) { log(e.name) }',
      "try { Symbol.iterator in 0; } catch (e) { log(e.name + ': ' + comparableMessage(e.message)) }",
    ].join('\n');
    expect(compare(program).difference).toBeNull();
  });

  it('shrinks a failing program to what fails', () => {
    const keep = expressionStatement(leaf('expression', Prec.call, 'log(String(function () { return 1 + 2 * x }))'));
    const noise = (k: number) => expressionStatement(leaf('expression', Prec.call, `log(${k} + 1)`));
    const program = statements([noise(1), keep, noise(2), noise(3)]);
    const smallest = shrink(program, (t) => compare(print(t)).difference !== null);
    expect(print(smallest).trim()).toBe('log(String(function () { return 1 + 2 * x }));');
  });
});
