// Callbacks f schedules run after the call, when its clean-up is over: a timer that pushes
// the loss to a log (`setTimeout(() => history.push(loss))`) left a traced number there,
// an object to code that was not rewritten (`typeof` 'object', not found by `includes`, not
// a Map key by value). While a differentiation runs, the global functions that schedule
// callbacks are replaced (as structuredClone is: lib/core/swaps.ts) by versions whose
// callback, when it runs, has its stores noted and cleaned as f's are, and is given its
// arguments as they are outside the call (numbers for traced numbers, the caller's objects
// for stand-ins); so are the callbacks such a callback schedules (their closures may hold
// the same traced numbers). Outside those, the versions schedule as the built-ins do. Code
// that kept the built-in in a variable still gets the built-in; `await` in an async
// function f called is not a callback, and is not seen.

import { isDeriving } from '../lib/core/scope.js';
import { holdSwaps, releaseSwaps, swapWhileDeriving } from '../lib/core/swaps.js';
import { beginStores, endStores, outward, takeFrozenHeld, takeLocked } from './cleanup.js';

/** How many cleaned callbacks are running (one may call another's scheduler, or run a differentiation). */
let cleanedRunning = 0;

/** Runs `callback` as a callback f scheduled: what it stores is cleaned when it returns, and what it schedules is run so too. */
function runCleaned(callback: Function, self: unknown, args: unknown[]): unknown {
  cleanedRunning++;
  holdSwaps();
  beginStores();
  try {
    return Reflect.apply(callback, self, args.map(outward));
  } finally {
    endStores();
    takeLocked(); // (a frozen instance it left a traced number in: nothing to report it to after the call)
    takeFrozenHeld();
    cleanedRunning--;
    releaseSwaps();
  }
}

/** `schedule`, taking a callback as its first argument, with that callback run by runCleaned while a differentiation or a cleaned callback runs. */
function cleaning(schedule: Function): Function {
  const swapped = {
    [schedule.name](this: unknown, callback: unknown, ...rest: unknown[]): unknown {
      const run =
        typeof callback === 'function' && (isDeriving() || cleanedRunning > 0)
          ? function (this: unknown, ...args: unknown[]) {
              return runCleaned(callback, this, args);
            }
          : callback; // (outside: as the built-in; a string given to a browser's setTimeout is its own code, run by the built-in)
      return Reflect.apply(schedule, this, [run, ...rest]);
    },
  }[schedule.name]!;
  Object.defineProperty(swapped, 'length', { value: schedule.length });
  // (Node's setTimeout and setImmediate carry util.promisify.custom: promisify must find it)
  for (const key of Object.getOwnPropertySymbols(schedule)) Object.defineProperty(swapped, key, Object.getOwnPropertyDescriptor(schedule, key)!);
  return swapped;
}

function cleanWhileDeriving(owner: Record<string, unknown> | undefined, name: string): void {
  const native = owner?.[name];
  if (typeof native === 'function') swapWhileDeriving(owner!, name, native, cleaning(native), cleaning);
}

const globals = globalThis as unknown as Record<string, unknown>;
for (const name of ['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'requestAnimationFrame', 'requestIdleCallback']) cleanWhileDeriving(globals, name);
cleanWhileDeriving(globals.process as Record<string, unknown> | undefined, 'nextTick');
