// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * The official ECMAScript conformance suite, run plain and rewritten: every test that
 * passes plain must pass rewritten. Not part of `npm test` (test262 is not vendored: it
 * is large and its files are not ours to commit). To run it:
 *
 * ```sh
 * git clone --depth 1 https://github.com/tc39/test262 /tmp/test262   # or any checkout
 * npm run build
 * node --experimental-vm-modules --import ./dist/lib/transform/register.js fuzz/test262.ts \
 *   --test262 /tmp/test262 [--jobs 2] [--out results.json] [--filter text] [language/expressions …]
 * ```
 *
 * Each test runs in a fresh realm (fuzz/realm.ts) with its own copy of the runtime, so a
 * TypeError the runtime throws is the realm's, as test262's `assert.throws` requires. The
 * harness (assert.js, sta.js, the test's includes) is rewritten with the test, as a
 * user's helpers would be. A test runs sloppy and strict unless its flags say otherwise;
 * `$262.createRealm` gives a realm set up the same way.
 * With TEST262_BODIES=traced in the environment, every rewritten function runs the copy
 * it runs while differentiating (the runtime's paths for values that are not traced).
 */
import { fork } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { createRealm, rewrite } from './realm.js';

type Mode = 'plain' | 'rewritten';

/** Which copy of each function runs rewritten: the plain one, or (TEST262_BODIES=traced) the one that runs while differentiating. */
const BODIES = process.env.TEST262_BODIES === 'traced' ? 'traced' : 'plain';

interface Metadata {
  includes: string[];
  flags: Set<string>;
  negative: { phase: string; type: string } | null;
}

/** The test's YAML front matter, as far as running it needs (includes, flags, negative). */
function metadata(source: string): Metadata {
  const start = source.indexOf('/*---');
  const end = source.indexOf('---*/', start);
  const yaml = start < 0 || end < 0 ? '' : source.slice(start + 5, end);
  const list = (key: string): string[] => {
    const inline = new RegExp(`^${key}:\\s*\\[(.*)\\]`, 'm').exec(yaml);
    if (inline) return inline[1]!.split(',').map((s) => s.trim()).filter(Boolean);
    const block = new RegExp(`^${key}:\\s*\\n((?:\\s+-.*\\n?)+)`, 'm').exec(yaml);
    return block ? block[1]!.split('\n').map((l) => l.replace(/^\s*-\s*/, '').trim()).filter(Boolean) : [];
  };
  const negative = /^negative:\s*\n\s+phase:\s*(\S+)\s*\n\s+type:\s*(\S+)/m.exec(yaml) ?? /^negative:\s*\n\s+type:\s*(\S+)\s*\n\s+phase:\s*(\S+)/m.exec(yaml);
  let parsedNegative: Metadata['negative'] = null;
  if (negative) {
    parsedNegative = negative[0].includes('type:') && negative[0].indexOf('type:') < negative[0].indexOf('phase:')
      ? { type: negative[1]!, phase: negative[2]! }
      : { phase: negative[1]!, type: negative[2]! };
  }
  return { includes: list('includes'), flags: new Set(list('flags')), negative: parsedNegative };
}

class Failure extends Error {}

/** The name of a thrown value's constructor, whatever realm it comes from. */
function errorName(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const ctor = (e as { constructor?: { name?: unknown } }).constructor;
    if (ctor && typeof ctor.name === 'string') return ctor.name;
  }
  return typeof e;
}

function describeError(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e) return `${errorName(e)}: ${String((e as { message: unknown }).message)}`;
  return String(e);
}

interface Run {
  harness: string;
  mode: Mode;
  root: string;
}

/** Compile and evaluate a script in `context`, rewritten in rewritten mode (a rewrite failure is a parse-phase error). */
function evaluateScript(code: string, context: vm.Context, run: Run, filename: string): void {
  const source = run.mode === 'rewritten' ? rewrite(code, 'script', true, BODIES) : code;
  new vm.Script(source, { filename }).runInContext(context, { timeout: 10_000 });
}

/** A realm with the test harness's host object `$262` and `print`. */
function testRealm(run: Run, print: (message: string) => void): vm.Context {
  const context = createRealm(run.mode === 'rewritten' ? 'own' : 'none');
  const host = {
    global: vm.runInContext('globalThis', context) as unknown,
    createRealm: () => {
      const inner = testRealm(run, print);
      return vm.runInContext('$262', inner) as unknown;
    },
    evalScript: (code: string) => evaluateScript(code, context, run, 'evalScript.js'),
    detachArrayBuffer: (buffer: ArrayBuffer) => structuredClone(buffer, { transfer: [buffer] }),
    gc: undefined,
  };
  Object.assign(context, { $262: host, print });
  return context;
}

type SourceTextModule = vm.Module & { new (code: string, options: { identifier: string; context: vm.Context }): vm.Module };

async function evaluateModule(code: string, file: string, context: vm.Context, run: Run): Promise<void> {
  const Module = (vm as unknown as { SourceTextModule?: SourceTextModule }).SourceTextModule;
  if (!Module) throw new Failure('module tests need node --experimental-vm-modules');
  const cache = new Map<string, vm.Module>();
  const load = (path: string, text: string): vm.Module => {
    let m = cache.get(path);
    if (!m) {
      const source = run.mode === 'rewritten' ? rewrite(text, 'module', true, BODIES) : text;
      m = new Module(source, { identifier: path, context });
      cache.set(path, m);
    }
    return m;
  };
  const linker = (specifier: string, referencing: vm.Module): vm.Module => {
    const path = resolve(dirname(referencing.identifier), specifier);
    return load(path, readFileSync(path, 'utf8'));
  };
  const main = load(file, code);
  await main.link(linker);
  await main.evaluate({ timeout: 10_000 });
}

/** Run one test in one variant: resolves on a pass, throws a Failure (or the test's error) otherwise. */
async function runVariant(file: string, meta: Metadata, run: Run, strict: boolean): Promise<void> {
  const test = readFileSync(file, 'utf8');
  let asyncDone: (message: string) => void = () => {};
  const finished = new Promise<string>((done) => (asyncDone = done));
  const context = testRealm(run, (message) => {
    if (message.startsWith('Test262:Async')) asyncDone(message);
  });
  const isModule = meta.flags.has('module');
  const raw = meta.flags.has('raw');
  let threw: unknown = undefined;
  let didThrow = false;
  try {
    if (!raw) evaluateScript(run.harness + meta.includes.map((inc) => readFileSync(join(run.root, 'harness', inc), 'utf8')).join('\n'), context, run, 'harness.js');
    if (isModule) await evaluateModule(test, file, context, run);
    else evaluateScript(strict ? `"use strict";\n${test}` : test, context, run, file);
  } catch (e) {
    threw = e;
    didThrow = true;
  }
  if (meta.negative) {
    if (!didThrow) throw new Failure(`expected ${meta.negative.type} (${meta.negative.phase}), nothing thrown`);
    if (errorName(threw) !== meta.negative.type) throw new Failure(`expected ${meta.negative.type}, got ${describeError(threw)}`);
    return;
  }
  if (didThrow) throw new Failure(describeError(threw));
  if (meta.flags.has('async')) {
    const timeout = new Promise<string>((done) => setTimeout(() => done('timeout'), 3_000).unref());
    const message = await Promise.race([finished, timeout]);
    if (message !== 'Test262:AsyncTestComplete') throw new Failure(message);
  }
}

/** 'pass', or why the test failed. */
async function runTest(file: string, run: Run): Promise<string> {
  const meta = metadata(readFileSync(file, 'utf8'));
  const variants: boolean[] = meta.flags.has('onlyStrict') || meta.flags.has('module')
    ? [true]
    : meta.flags.has('noStrict') || meta.flags.has('raw')
      ? [false]
      : [false, true];
  for (const strict of variants) {
    try {
      await runVariant(file, meta, run, strict && !meta.flags.has('module'));
    } catch (e) {
      return `${strict ? 'strict' : 'sloppy'}: ${e instanceof Failure ? e.message : describeError(e)}`;
    }
  }
  return 'pass';
}

function listTests(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) listTests(path, out);
    else if (name.endsWith('.js') && !name.includes('_FIXTURE')) out.push(path);
  }
  return out;
}

interface Result {
  file: string;
  plain: string;
  rewritten: string;
}

/** A worker: runs the files it is sent, both ways, and sends back one result per file. */
async function worker(root: string): Promise<void> {
  const harness = ['assert.js', 'sta.js', 'doneprintHandle.js'].map((f) => readFileSync(join(root, 'harness', f), 'utf8')).join('\n');
  process.on('message', async (files: string[]) => {
    for (const file of files) {
      const plain = await runTest(file, { harness, mode: 'plain', root });
      const rewritten = plain === 'pass' ? await runTest(file, { harness, mode: 'rewritten', root }) : 'not run';
      process.send!({ file: relative(root, file), plain, rewritten } satisfies Result);
    }
    process.send!('done');
  });
}

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = args[at + 1]!;
  args.splice(at, 2);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const root = resolve(option(args, '--test262', '/tmp/test262'));
  if (args[0] === '--worker') return worker(root);
  const jobs = Number(option(args, '--jobs', '2'));
  const out = option(args, '--out', '');
  const filter = option(args, '--filter', '');
  const dirs = args.length > 0 ? args : ['language/expressions', 'language/statements', 'language/arguments-object'];
  const files = dirs.flatMap((d) => listTests(join(root, 'test', d))).filter((f) => f.includes(filter));
  const started = Date.now();
  const results: Result[] = [];
  await Promise.all(
    Array.from({ length: jobs }, (_, k) => {
      const shard = files.filter((_, i) => i % jobs === k);
      const child = fork(fileURLToPath(import.meta.url), ['--worker', '--test262', root], { execArgv: process.execArgv });
      return new Promise<void>((done) => {
        child.on('message', (m: Result | 'done') => {
          if (m === 'done') {
            child.kill();
            done();
          } else {
            results.push(m);
            if (results.length % 1000 === 0) process.stderr.write(`${results.length}/${files.length}\n`);
          }
        });
        child.send(shard);
      });
    }),
  );
  results.sort((a, b) => (a.file < b.file ? -1 : 1));
  const plainPass = results.filter((r) => r.plain === 'pass');
  const broken = plainPass.filter((r) => r.rewritten !== 'pass');
  for (const r of broken) console.log(`${r.file}\n  ${r.rewritten}`);
  console.log(`\n${files.length} files, ${plainPass.length} pass plain, ${broken.length} of those fail rewritten (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (out) writeFileSync(out, JSON.stringify(results, null, 1));
}

await main();
