// A helper thread for large matmuls: a Node worker instantiates the same module on the same
// shared memory, so the two threads can each compute a part of C (separate tiles, each
// with its own packing scratch) on operands copied in once.
//
// The threads talk through a mailbox of int32s at the start of the memory, not by
// messages: the main thread cannot receive a message while it waits, and a worker blocked
// in Atomics.wait wakes faster than one returning to its event loop. The main thread
// writes the helper's part, offers it (GO = 1) and notifies, computes its own part, then
// takes the helper's part back if the helper has not claimed it yet (compare-exchange on
// GO: whoever swaps 1 for 0 computes it) — so a helper kept off the CPU by other
// processes costs one compare-exchange, not a wait — or else waits on STATE. The worker
// is unref()ed, so a process exits with it waiting.
//
// Waking a thread blocked in Atomics.wait takes ~15–25 µs here, twice per matmul; so each
// side first spins briefly on the mailbox: the main thread for the helper's part, which
// ends about when its own does, and the helper for the next matmul, which in a gradient
// often follows within a tenth of a millisecond. Spins are short because on a busy
// machine a spinning thread takes a core from someone.
//
// Node only: a browser page's main thread may not Atomics.wait, and spawning the helper
// from a library inside a cross-origin-isolated worker is left for later — browsers run
// single-threaded.

import type { KernelExports, MatmulPart } from './kernels.js';

// The mailbox (int32 slots).
const GO = 0;
const STATE = 1;
const READY = 2;
const PRECISION = 3;
const ARGS = 4;
/** Slots used: the 14 arguments of matmul_<precision> follow ARGS. */
export const MAILBOX_BYTES = (ARGS + 14) * 4;

const WORKING = 0;
const DONE = 1;
const FAILED = 2;

/** How long each side spins on the mailbox before it blocks (ms). */
const MAIN_SPIN_MS = 0.1;
const HELPER_SPIN_MS = 0.1;

/** What the worker runs (a CommonJS script: Node evaluates a string worker so). */
const workerSource = `
const { workerData } = require('node:worker_threads');
const { module, memory } = workerData;
const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
const mailbox = new Int32Array(memory.buffer, 0, ${MAILBOX_BYTES / 4});
Atomics.store(mailbox, ${READY}, 1);
for (;;) {
  const until = performance.now() + ${HELPER_SPIN_MS};
  while (Atomics.load(mailbox, ${GO}) === 0 && performance.now() < until);
  Atomics.wait(mailbox, ${GO}, 0);
  if (Atomics.compareExchange(mailbox, ${GO}, 1, 0) !== 1) continue; // the main thread took it back
  const matmul = mailbox[${PRECISION}] === 0 ? kernels.matmul_f64 : kernels.matmul_f32;
  let state = ${DONE};
  try {
    matmul(...mailbox.subarray(${ARGS}, ${ARGS + 14}));
  } catch {
    state = ${FAILED};
  }
  Atomics.store(mailbox, ${STATE}, state);
  Atomics.notify(mailbox, ${STATE});
}
`;

type WorkerThreads = typeof import('node:worker_threads');
type Os = typeof import('node:os');

/** Node's worker_threads where a helper thread can run (a second core, shared memory), else undefined. */
function nodeWorkerThreads(): WorkerThreads | undefined {
  const node = globalThis.process;
  if (typeof node?.getBuiltinModule !== 'function' || typeof SharedArrayBuffer !== 'function') return undefined;
  if ((node.getBuiltinModule('node:os') as Os).availableParallelism() < 2) return undefined;
  return node.getBuiltinModule('node:worker_threads') as WorkerThreads;
}

/** Whether helper threads can run here: the memory must then be created shared. */
export const helperThreadsPossible = (): boolean => nodeWorkerThreads() !== undefined;

/** One helper thread: started on demand, used once it reports ready. */
export class MatmulHelper {
  private readonly mailbox: Int32Array;
  private started = false;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly exports: KernelExports,
  ) {
    this.mailbox = new Int32Array(memory.buffer, 0, MAILBOX_BYTES / 4);
  }

  /** Starts the worker (it takes tens of milliseconds to become ready; until then, matmuls run on one thread). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const threads = nodeWorkerThreads();
    if (!threads) return;
    try {
      const worker = new threads.Worker(workerSource, { eval: true, workerData: { module: this.module, memory: this.memory }, execArgv: [] });
      worker.unref();
      // a helper that fails to start is never marked ready: the work stays on this thread
      worker.on('error', () => {});
    } catch {
      // no threads here after all
    }
  }

  get ready(): boolean {
    return Atomics.load(this.mailbox, READY) === 1;
  }

  /** Resolves when the helper is ready (false if it is not after `timeoutMs`). */
  async whenReady(timeoutMs = 10_000): Promise<boolean> {
    this.start();
    const until = Date.now() + timeoutMs;
    while (!this.ready && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    return this.ready;
  }

  /**
   * Computes `mine` here and `theirs` on the helper, which must be ready; `args` are
   * matmul's first eight arguments.
   */
  run(precision: 'f64' | 'f32', args: number[], mine: MatmulPart, theirs: MatmulPart): void {
    const mailbox = this.mailbox;
    const partArgs = (part: MatmulPart) => [...args, part.row0, part.row1, part.column0, part.column1, part.packedA, part.packedB];
    mailbox.set(partArgs(theirs), ARGS);
    mailbox[PRECISION] = precision === 'f64' ? 0 : 1;
    Atomics.store(mailbox, STATE, WORKING);
    Atomics.store(mailbox, GO, 1);
    Atomics.notify(mailbox, GO);
    const matmul = this.exports[`matmul_${precision}`];
    matmul(...(partArgs(mine) as Parameters<typeof matmul>));
    const theirsHere = () => matmul(...(partArgs(theirs) as Parameters<typeof matmul>));
    if (Atomics.compareExchange(mailbox, GO, 1, 0) === 1) return theirsHere();
    const until = performance.now() + MAIN_SPIN_MS;
    while (Atomics.load(mailbox, STATE) === WORKING && performance.now() < until);
    while (Atomics.load(mailbox, STATE) === WORKING) Atomics.wait(mailbox, STATE, WORKING);
    if (Atomics.load(mailbox, STATE) === FAILED) theirsHere();
  }
}
