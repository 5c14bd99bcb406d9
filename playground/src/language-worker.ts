// The TypeScript language service, in a worker of its own (loaded after the first run): the
// compiler, the standard library's declarations, and the types of every module the
// playground offers (zygote-ts from dist/, culori's @types, fraction.js, complex.js,
// decimal.js), all bundled (build.mjs) into a virtual file system. @valtown/codemirror-ts
// answers the editor's questions (diagnostics, completion, hover) through Comlink.
import ts from 'typescript';
import { expose } from 'comlink';
import { createSystem, createVirtualTypeScriptEnvironment } from '@typescript/vfs';
import { createWorker } from '@valtown/codemirror-ts/worker';
import files from 'virtual:type-files';
import { USER_PATH } from './language-path.js';

// What the worker that runs the code offers besides the standard library (worker.ts).
const GLOBALS = `
interface Console {
  log(...data: unknown[]): void; info(...data: unknown[]): void; warn(...data: unknown[]): void;
  error(...data: unknown[]): void; debug(...data: unknown[]): void; table(...data: unknown[]): void; dir(...data: unknown[]): void;
}
declare var console: Console;
declare function setTimeout(handler: (...args: unknown[]) => void, timeout?: number, ...args: unknown[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function queueMicrotask(callback: () => void): void;
declare function structuredClone<T>(value: T): T;
declare var performance: { now(): number };
`;

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  lib: ['es2023'],
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  // Every file is a module (top-level await works, as on the page), with or without imports.
  moduleDetection: ts.ModuleDetectionKind.Force,
  strict: true,
  noUncheckedIndexedAccess: false,
  skipLibCheck: true,
  esModuleInterop: true,
  allowSyntheticDefaultImports: true,
  types: [],
};

expose(
  createWorker(() => {
    const fs = new Map(Object.entries(files));
    fs.set('/playground-globals.d.ts', GLOBALS);
    fs.set(USER_PATH, '\n'); // (an empty file counts as missing)
    return createVirtualTypeScriptEnvironment(createSystem(fs), ['/playground-globals.d.ts', USER_PATH], ts, options);
  }),
);
