// The zygote-ts tool for GradBench (issue 16): reads the eval's messages from stdin, one
// JSON object a line, and answers each on stdout. Run it with the loader, from the
// repository: `node --import ./dist/lib/transform/register.js bench/gradbench/run.ts`.
// Each eval is a module of its own beside this file, loaded (and so rewritten) on `define`.

import { createInterface } from 'node:readline';
import type { EvalModule, Message } from './protocol.js';

export const evals = ['hello', 'lse', 'llsq', 'det', 'ode', 'particle', 'saddle', 'kmeans', 'gmm', 'ba', 'ht', 'lstm'] as const;

const modules = new Map<string, EvalModule>();

async function load(name: string): Promise<EvalModule> {
  let m = modules.get(name);
  if (m === undefined) {
    if (!(evals as readonly string[]).includes(name)) throw new Error(`zygote-ts has no implementation of the eval '${name}'`);
    m = (await import(`./${name}.ts`)) as EvalModule;
    modules.set(name, m);
  }
  return m;
}

const describe = (e: unknown) => (e instanceof Error ? (e.stack ?? String(e)) : String(e));

async function respond(message: Message): Promise<object> {
  switch (message.kind) {
    case 'start':
      return { id: message.id, tool: 'zygote-ts' };
    case 'define': {
      const { id, module } = message as Extract<Message, { kind: 'define' }>;
      try {
        const start = process.hrtime.bigint();
        await load(module);
        return { id, success: true, timings: [{ name: 'define', nanoseconds: Number(process.hrtime.bigint() - start) }] };
      } catch (e) {
        return { id, success: false, error: describe(e) };
      }
    }
    case 'evaluate': {
      const m = message as Extract<Message, { kind: 'evaluate' }>;
      try {
        const fn = (await load(m.module))[m.function];
        if (typeof fn !== 'function') throw new Error(`the eval '${m.module}' has no function '${m.function}' here`);
        return { id: m.id, success: true, ...fn(m.input) };
      } catch (e) {
        return { id: m.id, success: false, error: describe(e) };
      }
    }
    default:
      // analysis, and any kind added later: answered with the id alone
      return { id: message.id };
  }
}

// One message at a time, in order: the eval waits for each answer before the next message.
for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  if (line.trim() === '') continue;
  process.stdout.write(JSON.stringify(await respond(JSON.parse(line) as Message)) + '\n');
}
