// End to end: a small TypeScript project (spec/fixtures/jest-app) tested by a real Jest with
// zygote-ts/jest, against zygote-ts as `npm pack` ships it: in Jest's default CommonJS mode
// and in its ES modules (node --experimental-vm-modules). Its tests compare gradients with
// central finite differences, check that a package the transformer's `include` names is
// rewritten and that one it does not name stays loud, and (CommonJS) that a jest.mock written
// under the imports replaces the module they see and that a gradient across jest.resetModules()
// says why it stops; one fails on purpose, and its report must
// name the TypeScript line (source maps). Run by .ci/run, or `npm run test:toolchains`.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installPackedLibrary } from './packed.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const work = join(root, 'spec/artifacts/toolchains-jest');
const app = join(work, 'app');

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

/** A package in the app's node_modules. */
function addPackage(name: string, manifest: object, index: string): void {
  const dir = join(app, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, ...manifest }));
  writeFileSync(join(dir, 'index.js'), index);
}

/** Jest run in the app with `config` (node options first), its JSON report. */
function runJest(config: string, nodeOptions: string[] = []): JestReport {
  const jestPackage = createRequire(join(app, 'package.json')).resolve('jest/package.json');
  const manifest = JSON.parse(readFileSync(jestPackage, 'utf8')) as { bin: string | { jest: string } };
  const bin = join(dirname(jestPackage), typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.jest);
  const output = join(work, `${config}.json`);
  const run = spawnSync(process.execPath, [...nodeOptions, bin, '--config', config, '--ci', '--json', '--outputFile', output, '--cacheDirectory', join(work, 'jest-cache')], {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', ZYGOTE_INCLUDE: '' },
  });
  try {
    return JSON.parse(readFileSync(output, 'utf8')) as JestReport;
  } catch {
    throw new Error(`jest wrote no report (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** Every test (`passed` of them) passed but the one that fails on purpose, whose report points at the TypeScript line that threw. */
function check(report: JestReport, passed: number): void {
  const results = report.testResults.flatMap((file) => file.assertionResults);
  const failed = results.filter((r) => r.status !== 'passed');
  expect(failed.map((r) => r.title)).toEqual(['points at the user line']);
  expect(failed[0]!.failureMessages.join('\n')).toMatch(/RangeError: checked: x must not be negative[\s\S]*src\/model\.ts:27:/);
  expect(report.numPassedTests).toBe(passed);
}

beforeAll(() => {
  rmSync(work, { recursive: true, force: true });
  cpSync(join(root, 'spec/fixtures/jest-app'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'zygote-ts-jest-app', private: true, type: 'module' }, null, 2));
  installPackedLibrary(work, app);
  // An ES module package the transformer's `include` names, and a CommonJS one it does not.
  addPackage('included-square', { type: 'module', exports: './index.js' }, 'export function square(x) { return x * x; }\n');
  addPackage('plain-square', { main: 'index.js' }, 'exports.square = function (x) { return x * x; };\n');
});

describe('a TypeScript project tested by Jest with zygote-ts/jest', () => {
  it('CommonJS (Jest’s default): gradients as finite differences, loud where not rewritten, mapped to the TypeScript; jest.mock hoisted', () => {
    check(runJest('jest.cjs.config.cjs'), 8);
  });

  it('ES modules (--experimental-vm-modules): the same', () => {
    check(runJest('jest.esm.config.cjs', ['--experimental-vm-modules', '--no-warnings']), 6);
  });
});
