// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * A fuzzing campaign over a range of program numbers: each program is generated
 * (grammar.ts), run plain and rewritten (differential.ts), and a program whose runs
 * differ is shrunk (shrink.ts). Used by the CLI (its worker processes) and by the
 * spec that runs a fixed seed inside `npm test`.
 */
import { compare, type Outcome } from './differential.js';
import type { Bodies } from './realm.js';
import type { Through } from './through.js';
import { generate } from './grammar.js';
import { shrink } from './shrink.js';
import { print } from './tree.js';

export interface Failure {
  seed: number;
  index: number;
  /** Whether the rewrite had its inline fast paths. */
  inline: boolean;
  /** Which of each function's two bodies ran. */
  bodies: Bodies;
  /** The toolchain each program passed through first (through.ts). */
  through: Through;
  /** The shrunk program, and how its two runs differ. */
  program: string;
  difference: string;
  plain: Outcome;
  rewritten: Outcome;
}

export interface Tally {
  programs: number;
  /** Programs that did not compile or did not end plain: they say nothing about the rewrite. */
  invalid: number;
  failures: Failure[];
}

/** One program in five is rewritten without inline fast paths (the plain runtime calls). */
export function inlineFor(index: number): boolean {
  return index % 5 !== 4;
}

/**
 * Every other program runs the bodies written for tracing (they nest differently); a
 * strict program is rewritten as a module, whose top-level functions have twins.
 */
export function bodiesFor(index: number, strict: boolean): Bodies {
  const bodies = index % 2 === 1 ? 'traced' : 'plain';
  return strict ? `${bodies}, module` : bodies;
}

/** Programs `from` … `to - 1` of `seed`; stops after `maxFailures` failures. */
export function runCampaign(seed: number, from: number, to: number, maxFailures = 1, through: Through = 'none'): Tally {
  const tally: Tally = { programs: 0, invalid: 0, failures: [] };
  for (let index = from; index < to && tally.failures.length < maxFailures; index++) {
    const { tree, strict } = generate(seed, index);
    const inline = inlineFor(index);
    const bodies = bodiesFor(index, strict);
    const result = compare(print(tree), inline, bodies, through);
    tally.programs++;
    if (result.invalid) tally.invalid++;
    else if (result.difference !== null) {
      const smallest = shrink(tree, (candidate) => compare(print(candidate), inline, bodies, through).difference !== null);
      const program = print(smallest);
      const again = compare(program, inline, bodies, through);
      tally.failures.push({ seed, index, inline, bodies, through, program, difference: again.difference ?? result.difference, plain: again.plain, rewritten: again.rewritten });
    }
  }
  return tally;
}

/** A failure as a report: the program (runnable with the two globals it names) and both runs. */
export function describeFailure(f: Failure): string {
  return [
    `program ${f.index} of seed ${f.seed} (inline fast paths ${f.inline ? 'on' : 'off'}, ${f.bodies} bodies${f.through === 'none' ? '' : `, through ${f.through}`}), shrunk:`,
    '// globals: log(...values) and comparableMessage(message), see fuzz/differential.ts',
    f.program.trim(),
    `first difference: ${f.difference}`,
    `plain:     ${JSON.stringify(f.plain)}`,
    `rewritten: ${JSON.stringify(f.rewritten)}`,
  ].join('\n');
}
