// The structures fuzzer (fuzz/structures.ts) inside `npm test`: on a fixed seed's programs of one
// structured argument that f reads and writes in place, withgradient's value is the plain
// program's, the caller's argument is left as plain JavaScript leaves it (also after a throw),
// and each number's partial derivative is the central finite difference where f is smooth.
// Long runs: node --import ./dist/lib/transform/register.js fuzz/structures-cli.ts --seed S --count N
import { describe, expect, it } from 'vitest';
import { configure, dropgrad } from 'zygote-ts';
import { checkForwardStructureText, checkSecondOrderStructureText, checkStructureText, runCompiledStructureCampaign, runStructureCampaign, structurePointsFor } from '../../fuzz/structures.js';
import { structureProgram } from '../../fuzz/structures-grammar.js';
import { print } from '../../fuzz/tree.js';

const PROGRAMS = 300;

describe('structured arguments against plain JavaScript and finite differences', () => {
  it(`agrees on ${PROGRAMS} programs of seed 11, at two points each`, () => {
    const tally = runStructureCampaign(11, 0, PROGRAMS);
    expect(tally.differences).toEqual([]);
    // Points where f is not smooth say nothing: they must stay few, or the fuzzer checks nothing.
    expect(tally.checked).toBeGreaterThan(PROGRAMS * 10);
    expect(tally.skipped).toBeLessThan(tally.checked / 20);
    expect(tally.throwing).toBeGreaterThan(0);
  }, 60_000);

  it('compileGradient agrees with the eager gradient on 150 programs of seed 12 (most compiled, the writing ones uncompiled)', () => {
    const run = runCompiledStructureCampaign(12, 0, 150);
    expect(run.differences).toEqual([]);
    expect(run.fellBack).toBeGreaterThan(0);
    expect(run.fellBack).toBeLessThan(run.programs / 3);
  }, 60_000);

  it('second derivatives through the structure agree with finite differences on 60 programs of seed 13', () => {
    const tally = { programs: 0, checked: 0, skipped: 0, throwing: 0, differences: [] as string[], warned: [] as string[] };
    const previous = configure({ warnings: false });
    try {
      for (let i = 0; i < 60; i++) {
        const d = checkSecondOrderStructureText(print(structureProgram(13, i)), structurePointsFor(13, i), tally);
        if (d !== null) tally.differences.push(`program ${i}: ${d}`);
      }
    } finally {
      configure(previous);
    }
    expect(tally.differences).toEqual([]);
    expect(tally.checked).toBeGreaterThan(150);
  }, 60_000);

  it('forward mode (jvp) agrees with the gradient on 150 programs of seed 14, and leaves the argument as plain JavaScript does', () => {
    const previous = configure({ warnings: false });
    const differences: string[] = [];
    try {
      for (let i = 0; i < 150; i++) {
        const d = checkForwardStructureText(print(structureProgram(14, i)), structurePointsFor(14, i));
        if (d !== null) differences.push(`program ${i}: ${d}`);
      }
    } finally {
      configure(previous);
    }
    expect(differences).toEqual([]);
  }, 60_000);

  it('writes programs through the writes it is for', () => {
    const texts = Array.from({ length: 300 }, (_, i) => print(structureProgram(11, i))).join('\n');
    for (const construct of ['delete s.p', 's.q.sort(', 's.q.splice(', 's.m.delete(', 's.c.w', 's.c.grow(', 'structuredClone(', 'JSON.parse(', 'throw new RangeError', 's.r = s.q', '...rest', 'Object.assign(s', 's.v.set(', 's.st.add(', 's.q.length = ', 'Object.freeze(s.', 'get() {', 's.d.grow(', '.translate(', 'p.scale(', 's.hidden', 's.fn = ']) {
      expect(texts).toContain(construct);
    }
  });

  it('reports a lost derivative and an argument left otherwise than plain JavaScript leaves it', () => {
    const text = (body: string) => print(structureProgram(11, 0)).replace(/const f = \(s\) => \{[\s\S]*?\n\};\n/, `const f = (s) => {\n${body}\n};\n`);
    const at: [number, number][] = [[0.7, -0.3]];
    expect(checkStructureText(text('s.q[0] *= s.p; return s.q[0] + s.c.w;'), at)).toBeNull();
    const global = globalThis as { fuzzDropgrad?: unknown; fuzzKeep?: unknown };
    global.fuzzDropgrad = dropgrad;
    try {
      expect(checkStructureText(text('return fuzzDropgrad(s.p) * s.q[0];'), at)).toMatch(/^at x = 0.7, y = -0.3: d\/d\(s\.p\) is (null|0|undefined), finite differences -0\.(3|2999)/);
    } finally {
      delete global.fuzzDropgrad;
    }
    expect(checkStructureText(text('s.q.length = 1; s.n.t = s.p * 2; return s.p;'), at)).toBeNull();
    // (a write only the differentiated run makes, as a broken write-back would)
    global.fuzzKeep = (s: { n: { t: unknown } }, v: unknown) => {
      if ((v as { [k: symbol]: unknown } | null)?.[Symbol.for('zygote-ts.traced')] === true) s.n.t = 5;
    };
    try {
      expect(checkStructureText(text('fuzzKeep(s, s.p); return s.p;'), at)).toMatch(/^at x = 0.7, y = -0.3: the argument holds .*\["t", true, 5\].* after the gradient/);
    } finally {
      delete global.fuzzKeep;
    }
  });
});
