// GradBench's protocol, as this tool speaks it: the eval sends one JSON message a line
// (start, define, evaluate, analysis) and the tool answers each with one line carrying
// the same id. Written from the protocol's description; no GradBench code is used.

/** Nanoseconds spent on one named part of an answer (`evaluate`: one run of the function). */
export interface Timing {
  name: string;
  nanoseconds: number;
}

/** The fields of an input that asks for repeated runs. */
export interface Runs {
  min_runs: number;
  min_seconds: number;
}

export type Message =
  | { id: number; kind: 'start'; eval?: string; config?: unknown }
  | { id: number; kind: 'define'; module: string }
  | { id: number; kind: 'evaluate'; module: string; function: string; input: unknown; description?: string }
  | { id: number; kind: 'analysis'; of: number; valid: boolean; error?: string }
  | { id: number; kind: string };

export interface Evaluation {
  output: unknown;
  timings?: Timing[];
}

/** An eval's functions, by the names the eval sends. */
export type EvalModule = Record<string, (input: any) => Evaluation>;

/**
 * A function that runs `min_runs` times, and again until `min_seconds` have passed, timing
 * each run. `prepare` reads the input into the form the computation takes (untimed, as a
 * C++ tool's parsing is) and returns the computation; its result must be plain JSON data.
 */
export function multipleRuns<I extends Runs>(prepare: (input: I) => () => unknown): (input: I) => Evaluation {
  return (input) => {
    const run = prepare(input);
    const timings: Timing[] = [];
    let output: unknown;
    let seconds = 0;
    do {
      const start = process.hrtime.bigint();
      output = run();
      const ns = Number(process.hrtime.bigint() - start);
      timings.push({ name: 'evaluate', nanoseconds: ns });
      seconds += ns / 1e9;
    } while (timings.length < input.min_runs || seconds < input.min_seconds);
    return { output, timings };
  };
}
