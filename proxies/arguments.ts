// Wrapping the arguments of one differentiation call, and reading their gradients back.
//
// Numbers become inputs on the tape. Records, class instances, arrays, Maps and Sets get
// stand-ins (standins.ts) whose numbers are inputs. Values with no derivative (strings,
// booleans, functions, opaque objects such as Dates) pass through and get `null`.

import type { Tape } from '../lib/core/tape.js';
import { structuralGradients } from './gradients.js';
import { Wrapping, type ConstantNumbers, type Seeder } from './standins.js';

export class WrappedArguments {
  /** What f receives. */
  readonly values: unknown[];
  private readonly wrapping: Wrapping;

  /** `seeder`: forward mode's, which gives each input its tangents as it is made. */
  constructor(args: readonly unknown[], tape: Tape, seeder: Seeder | null = null) {
    const wrapping = new Wrapping(tape, seeder);
    this.wrapping = wrapping;
    try {
      // (a loop, not `map` with a closure: 1,000 scalar arguments took twice as long so)
      const values = new Array<unknown>(args.length);
      for (let k = 0; k < args.length; k++) values[k] = wrapping.wrap(args[k], k);
      this.values = values;
      wrapping.linkShared();
      wrapping.followIterators(); // (last: nothing after it throws)
    } catch (refusal) {
      wrapping.close(); // f never ran: nothing to write back
      throw refusal;
    }
  }

  /** Numbers in the arguments that f reads as constants (a function's, an opaque object's: see `Wrapping`). */
  get constantNumbers(): readonly ConstantNumbers[] {
    return this.wrapping.constantNumbers ?? [];
  }

  /** Whether argument k can have a gradient at all (a number or a traced structure). */
  differentiable(k: number): boolean {
    return this.wrapping.roots[k] !== null;
  }

  /** Argument k's input (its position in `inputRows`) when it is a number or an array; else null. */
  rootInput(k: number): number | null {
    const slot = this.wrapping.roots[k];
    return typeof slot === 'number' ? slot : null;
  }

  /** The tape row of every input, in the order `gradients` expects their cotangents. */
  get inputRows(): readonly number[] {
    return this.wrapping.inputRows;
  }

  /** Each argument's gradient from the inputs' cotangents (see proxies/gradients.ts). */
  gradients(cotangents: readonly unknown[], zeros = false): unknown[] {
    return structuralGradients(this.wrapping, cotangents, zeros);
  }

  /** After f returned or threw (tape closed): writes f's changes back into the arguments. */
  finish(): void {
    this.wrapping.finish();
  }

  /** After the clean-up of user data: the stand-ins are no longer looked up. */
  close(): void {
    this.wrapping.close();
  }
}
