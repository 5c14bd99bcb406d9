// Differentiation scopes. Each `pullback` opens a tape, runs `f`, and closes the tape in a
// `finally`, so a throwing `f` leaves nothing behind. Tapes nest: a differentiation inside
// `f` (as in `hessian`) opens a deeper tape, and its traced values carry the outer ones as
// their primal values — each tape is its own tag, so perturbations are never confused.

import { Tape } from './tape.js';
import { countOpenTapes } from './foreign.js';
import { setInnermostTapeReader } from '../ndarray.js';
import { swapsBusy, swapsIdle } from './swaps.js';

const open: Tape[] = [];
setInnermostTapeReader(() => innermostOpenTape() ?? null); // (ndarray.ts cannot import this file: it would be a cycle)

/** Opens a tape: reverse mode, or forward mode carrying `forwardWidth` tangents per value. */
export function openTape(forwardWidth = 0): Tape {
  const tape = new Tape(open.length + 1, forwardWidth);
  open.push(tape);
  countOpenTapes(1);
  if (open.length === 1) {
    swapsBusy();
    for (const start of whenBusy) start();
  }
  return tape;
}

const whenIdle: (() => void)[] = [];
const whenBusy: (() => void)[] = [];

/** Registers what to do when a differentiation starts and none was running. */
export function onBusy(start: () => void): void {
  whenBusy.push(start);
}

/** Closes `tape`; its traced values behave as constants from now on. */
export function closeTape(tape: Tape): void {
  tape.close();
  const at = open.lastIndexOf(tape);
  if (at >= 0) {
    const closed = open.length - at;
    open.length = at;
    countOpenTapes(-closed);
  }
  if (open.length === 0) {
    for (const clear of whenIdle) clear();
    swapsIdle();
  }
}

/** Registers bookkeeping to drop whenever no differentiation is running any more. */
export function onIdle(clear: () => void): void {
  whenIdle.push(clear);
}

/** The innermost tape open, if a differentiation is running. */
export function innermostOpenTape(): Tape | undefined {
  return open[open.length - 1];
}

/** True while some differentiation is running (Zygote's `isderiving`). */
export function isDeriving(): boolean {
  return open.length > 0;
}
