// Builds the playground once for all the browser tests and serves it on localhost; each
// test file gets the address with `inject('playgroundURL')`.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { buildPlayground } from '../../playground/build.mjs';
import { serve } from '../../playground/serve.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    playgroundURL: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  await buildPlayground();
  const server = await serve(join(root, 'playground/dist'), 0);
  project.provide('playgroundURL', server.url);
  return () => server.close();
}
