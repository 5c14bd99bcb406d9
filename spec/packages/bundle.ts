// Bundles a real npm package twice with esbuild: as published, and rewritten by the
// zygote-ts esbuild plugin (`include: [pkg]`). Both bundles start with `@zygote-ignore`
// so that the Vite plugin running these specs leaves them exactly as built.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import zygote from '../../lib/transform/esbuild.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'zygote-packages-'));

export async function bundlePair(name: string, entrySource: string): Promise<{ plain: string; rewritten: string }> {
  const entry = join(dir, `${name}-entry.mjs`);
  writeFileSync(entry, entrySource);
  const out = { plain: join(dir, `${name}-plain.mjs`), rewritten: join(dir, `${name}-rewritten.mjs`) };
  const common = {
    entryPoints: [entry],
    bundle: true,
    format: 'esm' as const,
    platform: 'node' as const,
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    banner: { js: '// @zygote-ignore (built for spec/packages)' },
    logLevel: 'silent' as const,
  };
  await build({ ...common, outfile: out.plain });
  // The entry file is in the temp dir (a "user" file): exclude it, rewrite only the package.
  await build({ ...common, outfile: out.rewritten, plugins: [zygote({ include: [name], exclude: [entry] })] });
  return { plain: pathToFileURL(out.plain).href, rewritten: pathToFileURL(out.rewritten).href };
}
