// lstm: the loss of a stacked LSTM (ADBench's variant: every weight matrix diagonal) that
// predicts each character of a sequence from the one before, and its gradient in the main
// and extra parameters. Scalar code over plain arrays, a loop per character, layer and cell.

import { densegradient } from 'zygote-ts';
import { multipleRuns, type Runs } from './protocol.js';

interface Input extends Runs {
  main_params: number[][]; // per layer: weights then biases, each [forget, in, out, change] × b
  extra_params: number[][]; // input weights, output weights, output biases
  state: number[][]; // per layer: hidden then cell
  sequence: number[][]; // c characters of b bits
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function loss(main: number[][], extra: number[][], initial: number[][], sequence: number[][]): number {
  const layers = main.length / 2;
  const b = main[0]!.length / 4;
  const state = initial.map((r) => r.slice());
  let total = 0;
  let count = 0;
  for (let t = 0; t + 1 < sequence.length; t++) {
    let input = sequence[t]!.map((v, i) => v * extra[0]![i]!);
    for (let layer = 0; layer < layers; layer++) {
      const [w, bias] = [main[2 * layer]!, main[2 * layer + 1]!];
      const [hidden, cell] = [state[2 * layer]!, state[2 * layer + 1]!];
      for (let i = 0; i < b; i++) {
        const forget = sigmoid(input[i]! * w[i]! + bias[i]!);
        const ingate = sigmoid(hidden[i]! * w[b + i]! + bias[b + i]!);
        const outgate = sigmoid(input[i]! * w[2 * b + i]! + bias[2 * b + i]!);
        const change = Math.tanh(hidden[i]! * w[3 * b + i]! + bias[3 * b + i]!);
        cell[i] = cell[i]! * forget + ingate * change;
        hidden[i] = outgate * Math.tanh(cell[i]!);
      }
      input = hidden;
    }
    const prediction = input.map((v, i) => v * extra[1]![i]! + extra[2]![i]!);
    // log Σ exp, with the 2 that ADBench's formula adds to the sum
    const lse = Math.log(prediction.reduce((s, y) => s + Math.exp(y), 0) + 2);
    const next = sequence[t + 1]!;
    for (let i = 0; i < b; i++) total += next[i]! * (prediction[i]! - lse);
    count += b;
  }
  return -total / count;
}

export const objective = multipleRuns(({ main_params, extra_params, state, sequence }: Input) => () =>
  loss(main_params, extra_params, state, sequence),
);

export const jacobian = multipleRuns(({ main_params, extra_params, state, sequence }: Input) => () => {
  const [dmain, dextra] = densegradient((main: number[][], extra: number[][]) => loss(main, extra, state, sequence), main_params, extra_params);
  return [...dmain.flat(), ...dextra.flat()];
});
