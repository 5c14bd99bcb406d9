// A bench workload file loaded twice: as it is (plain JavaScript), and rewritten by the
// zygote-ts transform (written to a temporary file, imported, and the file removed).
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { transform } from 'zygote-ts/transform';

const here = fileURLToPath(new URL('.', import.meta.url));
const runtimeUrl = pathToFileURL(fileURLToPath(import.meta.resolve('zygote-ts/runtime'))).href;

/** `{ plain, rewritten }`: the modules of bench/`name`, plain and rewritten. */
export async function loadBoth(name) {
  const source = readFileSync(join(here, name), 'utf8');
  const dir = mkdtempSync(join(tmpdir(), 'zygote-bench-'));
  const file = join(dir, name.replace(/\.js$/, '.rewritten.js'));
  writeFileSync(file, transform(source, { runtime: { kind: 'import', specifier: runtimeUrl } }).code);
  try {
    return { plain: await import(pathToFileURL(join(here, name)).href), rewritten: await import(pathToFileURL(file).href) };
  } finally {
    rmSync(dir, { recursive: true });
  }
}
