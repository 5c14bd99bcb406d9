// The examples menu (playground/src/examples.ts): every file in playground/examples/, and a
// new file dropped into the folder without an entry of its own.
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { examplesOf } from '../../playground/src/examples.js';

describe('the examples menu', () => {
  it('lists every file of playground/examples/, in file-name order, each with its own id', () => {
    const files = readdirSync(fileURLToPath(new URL('../../playground/examples', import.meta.url))).filter((f) => f.endsWith('.ts'));
    const menu = examplesOf(Object.fromEntries(files.map((f) => [f, '// an example\n'])));
    expect(menu.map((e) => e.file)).toEqual([...files].sort());
    expect(new Set(menu.map((e) => e.id)).size).toBe(files.length);
  });

  it('names a new file by its first comment line and its file name', () => {
    const [known, added] = examplesOf({ '19-descent.ts': '// Gradient descent on Rosenbrock’s function.\nimport { gradient } from "zygote-ts";\n', '01-polynomial.ts': '' });
    expect(known).toMatchObject({ id: 'polynomial', group: 'Numbers' });
    expect(added).toEqual({ file: '19-descent.ts', id: 'descent', title: 'Gradient descent on Rosenbrock’s function', group: 'More examples' });
    expect(examplesOf({ '20-x.ts': 'const a = 1;\n' })[0]!.title).toBe('x');
  });
});
