// Callbacks f schedules run after the call, when its clean-up is over: a timer that pushes
// the loss to a log (`setTimeout(() => history.push(loss))`) left a traced number there,
// an object to code that was not rewritten (`typeof` 'object', not found by `includes`, not
// a Map key by value). While a differentiation runs, the global functions that schedule
// callbacks are swapped (as structuredClone is, rules/builtins.ts) for versions whose
// callback, when it runs, has its stores noted and cleaned as f's are, and is given its
// arguments as they are outside the call (numbers for traced numbers, the caller's objects
// for stand-ins); so are the callbacks such a callback schedules (their closures may hold
// the same traced numbers). Code that kept the built-in in a variable still gets the
// built-in; `await` in an async function f called is not a callback, and is not seen.

import { isDeriving, onBusy, onIdle } from '../lib/core/scope.js';
import { beginStores, endStores, outward, takeLocked } from './cleanup.js';

/** How many cleaned callbacks are running (one may call another's scheduler, or run a differentiation). */
let cleanedRunning = 0;
const swapIns: (() => void)[] = [];
const swapOuts: (() => void)[] = [];

/** Runs `callback` as a callback f scheduled: what it stores is cleaned when it returns, and what it schedules is run so too. */
function runCleaned(callback: Function, self: unknown, args: unknown[]): unknown {
  if (cleanedRunning++ === 0) for (const swapIn of swapIns) swapIn();
  beginStores();
  try {
    return Reflect.apply(callback, self, args.map(outward));
  } finally {
    endStores();
    takeLocked(); // (a frozen instance it left a traced number in: nothing to report it to after the call)
    if (--cleanedRunning === 0 && !isDeriving()) for (const swapOut of swapOuts) swapOut();
  }
}

/** `schedule`, taking a callback as its first argument, with that callback run by runCleaned. */
function cleaning(schedule: Function): Function {
  const swapped = {
    [schedule.name](this: unknown, callback: unknown, ...rest: unknown[]): unknown {
      const run =
        typeof callback === 'function'
          ? function (this: unknown, ...args: unknown[]) {
              return runCleaned(callback, this, args);
            }
          : callback; // (a string given to a browser's setTimeout: its own code, run by the built-in)
      return Reflect.apply(schedule, this, [run, ...rest]);
    },
  }[schedule.name]!;
  Object.defineProperty(swapped, 'length', { value: schedule.length });
  // (Node's setTimeout and setImmediate carry util.promisify.custom: promisify must find it)
  for (const key of Object.getOwnPropertySymbols(schedule)) Object.defineProperty(swapped, key, Object.getOwnPropertyDescriptor(schedule, key)!);
  return swapped;
}

/** Swaps `owner[name]` for its cleaning version while a differentiation runs (unless the program put its own there). */
function swapWhileBusy(owner: Record<string, unknown> | undefined, name: string): void {
  const native = owner?.[name];
  if (typeof native !== 'function') return;
  const swapped = cleaning(native);
  const swap = (from: unknown, to: unknown) => {
    try {
      if (owner![name] === from) owner![name] = to;
    } catch {
      // (a frozen global object: the built-in stays)
    }
  };
  const swapIn = () => swap(native, swapped);
  const swapOut = () => swap(swapped, native);
  swapIns.push(swapIn);
  swapOuts.push(swapOut);
  onBusy(swapIn);
  onIdle(() => {
    if (cleanedRunning === 0) swapOut(); // (a differentiation a cleaned callback ran: it still schedules cleaned ones)
  });
}

const globals = globalThis as unknown as Record<string, unknown>;
for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback']) swapWhileBusy(globals, name);
swapWhileBusy(globals.process as Record<string, unknown> | undefined, 'nextTick');
