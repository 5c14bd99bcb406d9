// The README's TypeScript examples, run as they are written there: each ```ts block through
// the Node loader (dist/ built), in a process of its own, with every line of the form
// `expression; // value` checked against the value its comment shows (to the digits shown),
// and `expression; // throws…` checked to throw (with the message the ```text block after
// it shows, where there is one). A line of several statements shows their values in order
// (`y; back(1); // 6, [3, 2]`), and a value may name its class (`Vec { x: 6 }`, checked;
// `Fraction 7/2`). A new block must be listed below, to run or to skip with a reason, so
// an example cannot drift from what the library does.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const registerUrl = pathToFileURL(join(root, 'dist/lib/transform/register.js')).href;
// (inside the package, so that `zygote-ts` resolves to it; spec/artifacts is not committed)
const dir = join(root, 'spec/artifacts/readme');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** How each block runs, by a line that only it has: what it needs first, or why it is skipped. */
const blocks: { line: string; needs?: string; include?: string; skip?: string; showsNoValue?: true }[] = [
  { line: 'gradient((x: number) => 3 * x ** 2 + 2 * x + 1, 5); // [32]' },
  { line: "import { defineConfig } from 'vite';", skip: "a Vite config: spec/toolchains' e2e builds with it" },
  { line: "import { defineConfig } from 'vitest/config';", skip: "a Vitest config: this repo's own (vitest.config.ts) is one" },
  { line: "import { build } from 'esbuild';", skip: "an esbuild build script: spec/toolchains' e2e builds with it" },
  { line: 'gradient((x: number) => pow(x, 3), 5);' },
  { line: 'jvp((x: number, y: number) => x * y, [2, 3], [1, 0]);' },
  { line: 'const cube = rule(', needs: "import { jvp, rule } from 'zygote-ts';" },
  { line: 'const θ = { W: [[1, 2], [3, 4]], b: [0.5, -0.5] };', needs: "import { gradient } from 'zygote-ts';" },
  { line: 'const d = new Map<string, number>();', needs: "import { gradient } from 'zygote-ts';" },
  { line: '[operators.add](o: Point)', skip: 'a fragment: dist, a and b are the surrounding text’s' },
  { line: 'const W = rand(2, 3), x = rand(3);', showsNoValue: true }, // (random arrays: it runs, its comments describe)
  { line: 'const g = compileGradient((x: number) => (x > 0 ? Math.sin(x) * x : -x));' },
  { line: 'const colordiff = differenceCiede2000();', include: 'culori,chroma-js' },
  { line: 'const mul = rule((a: number, b: number) => a * b, (a, b) => [a * b, (c) => [c * b, c * a]]);' },
  { line: 'numberField(Fraction);', needs: "import { gradient, numberField } from 'zygote-ts';" },
  { line: 'const palette = (θ: number[][]) =>', include: 'culori' },
  { line: 'const fit = leastSquares(' },
  { line: 'let net = new Net(layer(16, 1, 1), layer(1, 16, 3));' },
  { line: 'testRule(mul, 2, 3); // throws:' },
];

interface Block {
  text: string;
  at: number; // the README line of its first line of code
  output?: string; // the ```text block right after it: what it prints or throws
}

function readmeBlocks(): Block[] {
  const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```ts') continue;
    const start = i + 1;
    while (i + 1 < lines.length && lines[i + 1] !== '```') i++;
    const block: Block = { text: lines.slice(start, i + 1).join('\n'), at: start + 1 };
    i++;
    let next = i + 1;
    while (next < lines.length && lines[next] === '') next++;
    if (lines[next] === '```text') {
      const end = lines.indexOf('```', next + 1);
      block.output = lines.slice(next + 1, end).join('\n');
    }
    found.push(block);
  }
  return found;
}

/** A statement on one line whose value the comment after it shows: `expr; // value`. */
const CHECKED = /^(?!(?:const|let|var|import|export|class|function|type|interface|for|if|while|return)\b)([^;]+);\s*\/\/\s*(.+)$/;

/** The value a comment shows, as text that parses (`0.0008 (from 0.85)` → `0.0008`), or null. */
function shownValue(comment: string): string | null {
  // (a class named before its fields is checked, `Vec { x: 6 }`; before a number it is dropped, `Fraction 7/2`)
  comment = comment.replace(/\b([A-Z][\w$]*) \{/g, "{ '@class': '$1', ").replace(/\b[A-Z][\w$]* (?=-?\d)/g, '');
  const candidates = [comment, ...[' (', ' —', ' after', ' from'].map((cut) => comment.split(cut)[0]!)];
  // (`5, a number`: the value before the words)
  const parts = comment.split(', ');
  for (let k = parts.length - 1; k >= 1; k--) candidates.push(parts.slice(0, k).join(', '));
  for (const text of candidates) {
    try {
      new Function(`return (${text});`)(); // (a name, `the same`, does not evaluate)
      return text.trim();
    } catch {
      // not a value
    }
  }
  return null;
}

interface Check {
  id: number;
  line: number;
  expression: string;
  shown: string;
}

/** `text` split at its top-level commas (not those inside brackets, braces or quotes). */
function topLevelParts(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k]!;
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, k).trim());
      start = k + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

/** The block's code with its checked lines wrapped, and the checks. */
function instrument(block: Block): { code: string; checks: Check[] } {
  const checks: Check[] = [];
  const lines = block.text.split('\n');
  const out = lines.map((text, k) => {
    const line = block.at + k;
    // (several statements, and their values in order: `y; back(1); back(10); // 6, [3, 2], [30, 20]`)
    const several = /^((?:[^;/]+;\s*){2,})\/\/\s*(.+)$/.exec(text.trim());
    if (several !== null) {
      const statements = several[1]!.split(';').map((t) => t.trim()).filter((t) => t !== '');
      const values = topLevelParts(several[2]!);
      if (values.length === statements.length && statements.every((t) => CHECKED.test(`${t}; // value`))) {
        return statements
          .map((expression, j) => {
            const shown = shownValue(values[j]!);
            if (shown === null) return `${expression};`;
            checks.push({ id: checks.length, line, expression, shown });
            return `__value(${checks.length - 1}, () => (${expression}));`;
          })
          .join(' ');
      }
    }
    let m = CHECKED.exec(text.trim());
    // (a statement whose value the next lines' comments show: `gradient(…);` then `// [{…},` `//  {…}]`)
    if (m === null && /^[^;/]+;\s*$/.test(text.trim()) && lines[k + 1]?.trim().startsWith('//')) {
      let shown = '';
      for (let j = k + 1; j < lines.length && lines[j]!.trim().startsWith('//'); j++) shown += ` ${lines[j]!.trim().slice(2).trim()}`;
      m = CHECKED.exec(`${text.trim()} // ${shown.trim()}`);
    }
    if (m === null) return text;
    const [, expression, comment] = m as unknown as [string, string, string];
    if (comment.startsWith('throws')) {
      checks.push({ id: checks.length, line, expression, shown: 'throws' });
      return `__throws(${checks.length - 1}, () => { ${expression}; });`;
    }
    const shown = shownValue(comment);
    if (shown === null) return text;
    checks.push({ id: checks.length, line, expression, shown });
    return `__value(${checks.length - 1}, () => (${expression}));`;
  });
  const helpers = `
function __plain(v: any): any {
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(__plain);
  const n = v.valueOf();
  if (typeof n === 'number') return n;
  const o: Record<string, unknown> = {};
  const proto = Object.getPrototypeOf(v);
  if (proto !== null && proto !== Object.prototype) o['@class'] = proto.constructor?.name;
  for (const k of Object.keys(v)) o[k] = __plain(v[k]);
  return o;
}
function __value(id: number, f: () => unknown) { console.log('@readme ' + JSON.stringify({ id, value: __plain(f()) })); }
function __throws(id: number, f: () => unknown) {
  try { f(); } catch (e) { console.log('@readme ' + JSON.stringify({ id, threw: e instanceof Error ? e.message : String(e) })); return; }
  console.log('@readme ' + JSON.stringify({ id, threw: null }));
}
`;
  return { code: `${out.join('\n')}\n${helpers}`, checks };
}

/** The numbers in `text`, each with the number of decimals it is written with. */
function decimalsShown(text: string): number[] {
  return [...text.matchAll(/-?\d+(?:\.(\d+))?(?:e[-+]?\d+)?/gi)].map((m) => (m[1] ?? '').length);
}

/** `actual` against `shown` (parsed): same shape, strings equal, numbers to the digits shown. */
function agreesWithShown(actual: unknown, shown: string): string | null {
  const expected: unknown = new Function(`return (${shown});`)();
  // (each number's decimals, where the text spells each number once: `1/3` spells two for one)
  const count = (e: unknown): number => (typeof e === 'number' ? 1 : e !== null && typeof e === 'object' ? Object.values(e).reduce((n: number, v) => n + count(v), 0) : 0);
  const digits = decimalsShown(shown).length === count(expected) ? decimalsShown(shown) : [];
  const numbers: number[] = [];
  const walk = (a: unknown, e: unknown, path: string): string | null => {
    if (typeof e === 'number') {
      if (typeof a !== 'number') return `${path}: ${JSON.stringify(a)}, where the README shows ${e}`;
      numbers.push(e);
      // (to the digits shown; where the text has no decimal places, such as 1/3, to 1e-9)
      const places = digits[numbers.length - 1];
      const tolerance = places !== undefined && places > 0 ? 0.5 * 10 ** -places : 1e-9 * Math.max(1, Math.abs(e));
      return Math.abs(a - e) <= tolerance + 1e-12 ? null : `${path}: ${a}, where the README shows ${e}`;
    }
    if (Array.isArray(e)) {
      if (!Array.isArray(a) || a.length !== e.length) return `${path}: ${JSON.stringify(a)}, where the README shows ${shown}`;
      for (let k = 0; k < e.length; k++) {
        const d = walk(a[k], e[k], `${path}[${k}]`);
        if (d !== null) return d;
      }
      return null;
    }
    if (e !== null && typeof e === 'object') {
      if (a === null || typeof a !== 'object') return `${path}: ${JSON.stringify(a)}, where the README shows ${shown}`;
      const keys = Object.keys(e);
      // (a class is checked where the README names it)
      if (keys.join() !== Object.keys(a).filter((k) => k !== '@class' || keys.includes(k)).join()) return `${path}: keys ${Object.keys(a).join()}, where the README shows ${keys.join()}`;
      for (const k of keys) {
        const d = walk((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${path}.${k}`);
        if (d !== null) return d;
      }
      return null;
    }
    return a === e ? null : `${path}: ${JSON.stringify(a)}, where the README shows ${JSON.stringify(e)}`;
  };
  return walk(actual, expected, 'value');
}

describe("the README's examples", () => {
  const found = readmeBlocks();
  it('every TypeScript block is listed here, to run or with the reason it is skipped', () => {
    const unlisted = found.filter((b) => !blocks.some((c) => b.text.includes(c.line))).map((b) => `README line ${b.at}`);
    const lost = blocks.filter((c) => !found.some((b) => b.text.includes(c.line))).map((c) => c.line);
    expect({ unlisted, lost }).toEqual({ unlisted: [], lost: [] });
  });

  for (const listed of blocks) {
    const block = found.find((b) => b.text.includes(listed.line));
    if (block === undefined || listed.skip !== undefined) continue;
    it(`the block at README line ${block.at} gives the values it shows`, () => {
      const { code, checks } = instrument(block);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `line-${block.at}.ts`);
      writeFileSync(file, `${listed.needs ?? ''}\n${code}`);
      const run = spawnSync(process.execPath, ['--import', registerUrl, file], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '', ...(listed.include ? { ZYGOTE_INCLUDE: listed.include } : {}) },
      });
      expect(run.status, run.stderr).toBe(0);
      const results = new Map<number, { value?: unknown; threw?: string | null }>();
      for (const text of run.stdout.split('\n')) if (text.startsWith('@readme ')) {
        const r = JSON.parse(text.slice('@readme '.length)) as { id: number; value?: unknown; threw?: string | null };
        results.set(r.id, r);
      }
      expect(checks.length > 0, 'a block that shows no value is marked showsNoValue').toBe(listed.showsNoValue === undefined);
      if (process.env.README_CHECKS) console.log(block.at, checks.map((c) => `${c.expression} → ${c.shown} → ${JSON.stringify(results.get(c.id))}`));
      const differences: string[] = [];
      for (const check of checks) {
        const r = results.get(check.id);
        if (r === undefined) differences.push(`line ${check.line}: not run`);
        else if (check.shown === 'throws') {
          if (r.threw === null || r.threw === undefined) differences.push(`line ${check.line}: ${check.expression} did not throw`);
          // (the report the README prints after the block is the one thrown)
          else if (block.output !== undefined && r.threw !== block.output) differences.push(`line ${check.line}: ${check.expression} threw\n${r.threw}\nwhere the README shows\n${block.output}`);
        } else {
          const d = agreesWithShown(r.value, check.shown);
          if (d !== null) differences.push(`line ${check.line}: ${check.expression} → ${d}`);
        }
      }
      expect(differences).toEqual([]);
    }, 120_000);
  }
});
