/**
 * Two bodies per function, so plain code stays fast after a gradient (issue 15).
 *
 * V8 keeps type feedback per site. A rewritten site that has once seen a traced number
 * (an object) stays polymorphic for the life of the process: `x[i]` over a double array,
 * `a * b` on numbers, all slow down, although the code is again running on plain numbers.
 * So a rewritten function gets its rewritten body twice,
 *
 *     function f(x) { if (__zy.tapes.openTapes) { BODY } else { BODY } }
 *     function g(x) { try { if (__zy.tapes.openTapes) { BODY } else { BODY } } finally { __zy.tapes.openTapes; } }  (a loop in BODY)
 *     (x) => (__zy.tapes.openTapes ? (EXPR) : (EXPR))
 *
 * and only the first copy runs while a differentiation is under way (the test read again
 * in `finally`: see {@link expandTwoBodies}). The two copies are
 * the same text, so which one runs changes no result (a traced number kept past its
 * gradient goes through the same runtime calls either way): the choice only keeps each
 * copy's feedback to its own kind of values.
 *
 * The copy that runs while tracing has nested functions with one body (closures made
 * while tracing are the tape's); the other copy's nested functions have two bodies
 * themselves (a loss closure made in plain code is differentiated later). A function at
 * nesting depth k thus appears k + 2 times; to bound that, a function whose nested
 * functions are large (a module wrapper, a factory of many methods) keeps one body, and
 * its nested functions are considered one by one.
 *
 * A module's top-level function does better: its two copies are functions of their own,
 * its twins (`__zy$t_f`, run while tracing, and `__zy$p_f`, the plain one), and `f` only
 * calls one of them ({@link twinCandidates}):
 *
 *     export function f(x) { return new.target === undefined ? (TEST ? __zy$t_f(x) : __zy$p_f(x)) : Reflect.construct(TEST ? __zy$t_f : __zy$p_f, arguments, new.target); }
 *
 * and a call `g(y)` of such a function in a copy calls that copy's twin of g. Three things
 * made this worth it. A function compiled into its caller (inlined) brought both copies
 * along, and V8 boxed every number where their results met (Points ran 5× slower after one
 * gradient). A plain copy first run after a gradient started from V8's state for the
 * function as the traced copy had left it (W2: 1.24× plain). And V8 put off compiling a
 * function whose only hot path was small but whose whole text was large (W1: 1.25×). The
 * twins are function declarations (hoisted as `f` is) with `f`'s parameters, passed on as
 * they are (or with `this` and `arguments` by `Reflect.apply` when the body reads those),
 * named `f` in stack traces (by a call marked pure, which a bundler drops with the twin, or
 * always when it minifies: the frames then say `__zy$p_f`). A call of `f` from code that
 * was not rewritten has one frame more, at `f`'s name.
 *
 * The rewrite pass marks each chosen body with comments ({@link markTwoBodies}); once
 * the file is written, {@link expandTwoBodies} copies the marked text and its source map.
 */
import type * as acorn from 'acorn';
import { children, isFunction, readsOwn, type Node } from './ast.js';
import type { Editor } from './edit.js';
import { patternNames, runsStrict, type ScopeInfo } from './scope.js';
import { decodeMappings, encodeMappings, type SourceMapV3 } from './sourcemap.js';

/** What picks the copy: some differentiation (of any copy of zygote-ts) is running. */
export const TRACING = '__zy.tapes.openTapes';

/** Marker comments: a body's start (`b` block, `e` expression) and end. Private-use characters, which real code does not spell. */
const OPEN = '/*\uE000';
const CLOSE = '/*\uE001*/';
/** After a twinned function's name; after its declaration (where its twins are written); before a call's callee. */
const NAME_MARK = '/*\uE002*/';
const twinMark = (name: string, args: string) => `/*\uE003${name}(${args})*/`;
const callMark = (name: string) => `/*\uE004${name}*/`;
/** Text that differs between the copies: what the copy that runs while tracing (and code with one body) has, then what the plain copy has. */
const EITHER_OPEN = '/*\uE005*/';
const EITHER_MID = '/*\uE006*/';
const EITHER_CLOSE = '/*\uE007*/';
const MARKER_CHARS = /[\uE000-\uE007]/;
/** A twin's name: the function's, after this (its plain copy; its copy that runs while tracing). */
const TWIN_PREFIX = '__zy$p_';
const TRACED_PREFIX = '__zy$t_';

/** A function whose nested functions' text is longer than this keeps one body. */
const MAX_NESTED_TEXT = 2000;
/** A function whose body is longer than this keeps one body (its copies would weigh on load time). */
const MAX_BODY_TEXT = 20000;

type Fn = acorn.Function & Node;

/** Whether `code` can carry the markers (it spells neither of their characters). */
export function canMarkTwoBodies(code: string): boolean {
  return !MARKER_CHARS.test(code);
}

/**
 * Text to insert that differs between a function's copies: `traced` where a
 * differentiation may be running (the copy that runs while tracing, and code with one
 * body), `plain` in the plain copy, where none is (it was picked on entry, and every
 * differentiation it starts has ended when control comes back to it: tapes close in
 * `finally`, and generators and async functions keep one body). Without two bodies, `traced`.
 */
export function eitherCopy(traced: string, plain: string, twoBodies: boolean): string {
  return twoBodies ? `${EITHER_OPEN}${traced}${EITHER_MID}${plain}${EITHER_CLOSE}` : traced;
}

/**
 * Whether `fn` gets two bodies: rewritten code of its own to keep apart (`ownEdits`),
 * small enough, and of a kind whose body can sit in a block unchanged.
 */
export function wantsTwoBodies(fn: Fn, ownEdits: number, nestedText: number, code: string): boolean {
  if (ownEdits === 0 || fn.generator || fn.async) return false;
  if (nestedText > MAX_NESTED_TEXT || fn.body.end - fn.body.start > MAX_BODY_TEXT) return false;
  // A direct `eval` may declare into the function's scope: keep such functions as written.
  const text = code.slice(fn.body.start, fn.body.end);
  if (text.includes('eval')) return false;
  // A tagged template's strings are one object per site, which its tag may keep and compare (a cache): two copies would be two sites.
  if (text.includes('`') && hasTaggedTemplate(fn.body)) return false;
  return fn.body.type !== 'BlockStatement' || functionsCanMove(fn, fn.body);
}

/** Whether `node` holds a tagged template, nested functions included (their text is copied too). */
export function hasTaggedTemplate(node: Node): boolean {
  if (node.type === 'TaggedTemplateExpression') return true;
  for (const child of children(node)) if (hasTaggedTemplate(child)) return true;
  return false;
}

/**
 * A function declaration at the top of a body is var-scoped; in a block it is lexical.
 * That changes nothing unless its name is also a parameter's, a `var`'s or another
 * declaration's (a block makes those a SyntaxError, or a different binding) — a function
 * declared in a nested block included: in sloppy code that one also assigns the function's
 * binding when it runs (Annex B), which a lexical declaration of the name around it stops
 * (`{ function f() { return 'inner' } } after = f; function f() { … }` gave the outer f).
 */
function functionsCanMove(fn: Fn, body: acorn.BlockStatement): boolean {
  const declared = body.body.filter((s): s is acorn.FunctionDeclaration => s.type === 'FunctionDeclaration');
  if (declared.length === 0) return true;
  const others = new Set<string>(['arguments']);
  for (const p of fn.params) for (const id of patternNames(p as Node)) others.add(id.name);
  collectVarNames(body, others);
  for (const stmt of body.body) if (stmt.type !== 'FunctionDeclaration') collectBlockFunctionNames(stmt as Node, others);
  for (const d of declared) {
    const name = d.id.name;
    if (others.has(name)) return false;
    others.add(name);
  }
  return true;
}

/** Names of the functions declared in blocks within `node` (not within nested functions). */
function collectBlockFunctionNames(node: Node, out: Set<string>): void {
  if (node.type === 'FunctionDeclaration') {
    if (node.id !== null) out.add(node.id.name);
    return;
  }
  if (isFunction(node)) return;
  for (const child of children(node)) collectBlockFunctionNames(child, out);
}

/** Names declared with `var` in `node`, not counting nested functions. */
function collectVarNames(node: Node, out: Set<string>): void {
  for (const child of children(node)) {
    if (isFunction(child)) continue;
    if (child.type === 'VariableDeclaration' && child.kind === 'var') {
      for (const d of child.declarations) for (const id of patternNames(d.id as Node)) out.add(id.name);
    }
    collectVarNames(child, out);
  }
}

/**
 * Marks `fn`'s body for two copies. Called once the pass is done with the function: for a
 * block body after its temporaries are declared (they stay shared, before the copies), for
 * an expression body before (its temporaries turn it into a block around the copies).
 */
export function markTwoBodies(fn: Fn, ed: Editor): void {
  const body = fn.body;
  if (body.type === 'BlockStatement') {
    let start = body.start + 1;
    for (const stmt of body.body) {
      if (stmt.type !== 'ExpressionStatement' || typeof (stmt as { directive?: unknown }).directive !== 'string') break;
      start = stmt.end;
      // The directive prologue stays first; one that ASI ended gets its `;` before the `if`.
      if (ed.lastToken(stmt) !== ';') ed.suffix(stmt.end, ';');
    }
    // (`l`: a body with a loop of its own, whose copies expandTwoBodies wraps for V8's sake)
    ed.suffix(start, `${OPEN}${hasOwnLoop(body) ? 'l' : 'b'}*/`);
    ed.s.prependRight(body.end - 1, CLOSE);
  } else {
    ed.s.prependRight(body.start, `${OPEN}e*/`);
    ed.s.appendLeft(body.end, CLOSE);
  }
}

const LOOPS: ReadonlySet<string> = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

/** Whether `node` holds a loop, not counting nested functions' loops. */
function hasOwnLoop(node: Node): boolean {
  for (const child of children(node)) {
    if (isFunction(child)) continue;
    if (LOOPS.has(child.type) || hasOwnLoop(child)) return true;
  }
  return false;
}

/**
 * Marks code in a function's text that does not run when the function does: the body of a
 * nested function that keeps one body (a generator, an async function, one too large, …),
 * a nested function's parameters (their defaults), a class field's initial value. Written
 * inside a plain copy, it is no part of that copy: it runs when it is called, also while a
 * differentiation runs (a generator made in plain code, consumed in f), so its text is what
 * code outside any copy has (see eitherCopy), and its calls of twinned functions call the
 * functions themselves.
 */
export function markRunsWhenever(from: number, to: number, ed: Editor): void {
  ed.s.prependRight(from, `${OPEN}o*/`);
  // An empty region (`async function (a) {}`) may already hold text inserted at its one
  // offset (a parameter's note): the end goes after that text, not before the start.
  if (from === to) ed.s.appendRight(to, CLOSE);
  else ed.s.appendLeft(to, CLOSE);
}

/** {@link markRunsWhenever} for a function's one body. */
export function markOneBody(fn: Fn, ed: Editor): void {
  const body = fn.body;
  if (body.type === 'BlockStatement') markRunsWhenever(body.start + 1, body.end - 1, ed);
  else markRunsWhenever(body.start, body.end, ed);
}

/**
 * The module's top-level function declarations that may have twins, by name: not async or
 * generators, never assigned, with plain parameters (the twins repeat their text), named
 * so that the twins' names are free. Only in modules: a script's top-level function is a
 * global, and a twin would be one more. Only in strict code: a sloppy function sees itself in
 * `arguments.callee` and its caller in `f.caller`, where a twin's would be the twin (a
 * CommonJS file that parses as a module, as the bundler plugins parse it, kept
 * `arguments.callee.cache = {}` on the twin, and `f.cache` was undefined after a call).
 */
export function twinCandidates(program: acorn.Program, scope: ScopeInfo, sourceType: 'module' | 'script'): ReadonlyMap<string, Node> {
  const out = new Map<string, Node>();
  // (the twin is named with Object.defineProperty, and called with Reflect)
  if (sourceType !== 'module' || !runsStrict(program, sourceType, scope) || scope.boundNames.has('Object') || scope.boundNames.has('Reflect')) return out;
  for (const stmt of program.body) {
    const d = stmt.type === 'ExportNamedDeclaration' ? stmt.declaration : stmt;
    if (d?.type !== 'FunctionDeclaration' || d.async || d.generator) continue;
    const name = d.id.name;
    if (!/^[A-Za-z_$][\w$]*$/.test(name) || scope.assignedNames.has(name) || scope.allNames.has(TWIN_PREFIX + name) || scope.allNames.has(TRACED_PREFIX + name)) continue;
    if (!d.params.every((p) => p.type === 'Identifier' || (p.type === 'RestElement' && p.argument.type === 'Identifier'))) continue;
    out.set(name, d as Node);
  }
  return out;
}

/**
 * Marks a twin candidate's declaration, once it has two bodies: its twins are written after
 * it. With them goes how the function passes a call on: its parameters (`x,...ys`), or `*`
 * when its body reads `this` or `arguments` (then all of them are passed, by `Reflect.apply`).
 */
export function markTwin(fn: Fn, ed: Editor): void {
  const name = (fn as acorn.FunctionDeclaration).id!.name;
  const args = readsThisOrArguments(fn.body as Node)
    ? '*'
    : fn.params.map((p) => (p.type === 'RestElement' ? `...${(p.argument as acorn.Identifier).name}` : (p as acorn.Identifier).name)).join(',');
  ed.s.appendLeft((fn as acorn.FunctionDeclaration).id!.end, NAME_MARK);
  ed.s.appendLeft(fn.end, twinMark(name, args));
}

/** Whether `node` reads its function's `this` or `arguments`. */
function readsThisOrArguments(node: Node): boolean {
  return readsOwn(node, (n) => n.type === 'ThisExpression' || (n.type === 'Identifier' && n.name === 'arguments'));
}

/** Marks a call of twin candidate `callee` (resolved to it): in a copy it calls that copy's twin, if the function has twins. */
export function markTwinCall(callee: acorn.Identifier, ed: Editor): void {
  ed.s.prependRight(callee.start, callMark(callee.name));
}

interface Region {
  /**
   * A body (`b` block, `e` expression; `o` a function's one body, which runs whenever it is
   * called: see markOneBody); points: `n` a twinned function's name, `t` its twins' place,
   * `c` a call, `a` text that differs between the copies.
   */
  kind: 'b' | 'e' | 'o' | 'n' | 't' | 'c' | 'a';
  /** A block body with a loop of its own (marked `l`). */
  loops?: boolean;
  /** The two texts of an `a` point (see eitherCopy). */
  traced?: string;
  plain?: string;
  /** The function's name (`t`, `c`). */
  name?: string;
  /** How the function passes a call on to its twins (`t`: see markTwin). */
  args?: string;
  /** The open marker's start and end, the close marker's start and end. */
  openStart: number;
  openEnd: number;
  closeStart: number;
  closeEnd: number;
  inner: Region[];
}

/**
 * Any marker: a body's open one has its kind in group 1; a point its character in group 2
 * (`n`) or 3, its name in 4, its arguments in 5 (`t`); text that differs between the
 * copies its two texts in 6 and 7 (they hold no markers: see eitherCopy).
 */
const MARKER = /\/\*\uE000([bleo])\*\/|\/\*\uE001\*\/|\/\*(\uE002)\*\/|\/\*([\uE003\uE004])([\w$]+)(?:\(([\w$.,]*|\*)\))?\*\/|\/\*\uE005\*\/([^\uE000-\uE007]*?)\/\*\uE006\*\/([^\uE000-\uE007]*?)\/\*\uE007\*\//g;

/** The marked regions of `code`, nested; null when the markers do not pair up (then nothing is copied). */
function regionsOf(code: string): Region[] | null {
  const top: Region[] = [];
  const stack: Region[] = [];
  for (const m of code.matchAll(MARKER)) {
    const kind = m[1];
    const point = m[2] ?? m[3];
    if (m[6] !== undefined) {
      const end = m.index + m[0].length;
      const r: Region = { kind: 'a', traced: m[6], plain: m[7], openStart: m.index, openEnd: end, closeStart: end, closeEnd: end, inner: [] };
      (stack.length > 0 ? stack[stack.length - 1]!.inner : top).push(r);
      continue;
    }
    if (point !== undefined) {
      const end = m.index + m[0].length;
      const r: Region = { kind: point === '\uE002' ? 'n' : point === '\uE003' ? 't' : 'c', name: m[4], args: m[5], openStart: m.index, openEnd: end, closeStart: end, closeEnd: end, inner: [] };
      (stack.length > 0 ? stack[stack.length - 1]!.inner : top).push(r);
      continue;
    }
    if (kind === 'b' || kind === 'l' || kind === 'e' || kind === 'o') {
      stack.push({ kind: kind === 'l' ? 'b' : kind, loops: kind === 'l', openStart: m.index, openEnd: m.index + m[0].length, closeStart: -1, closeEnd: -1, inner: [] });
      continue;
    }
    const region = stack.pop();
    if (region === undefined) return null;
    region.closeStart = m.index;
    region.closeEnd = m.index + m[0].length;
    (stack.length > 0 ? stack[stack.length - 1]!.inner : top).push(region);
  }
  return stack.length === 0 ? top : null;
}

/** A source-map segment without its generated column: [] (unmapped) or [source, line, column(, name)]. */
type Origin = number[];

/** The output being assembled: text, and the origins of its copied pieces by output offset. */
class Output {
  text = '';
  readonly offsets: number[] = [];
  readonly origins: Origin[] = [];

  constructor(
    private readonly code: string,
    /** Generated offset → origin, in offset order (null: no map to carry). */
    private readonly segments: { offsets: number[]; origins: Origin[] } | null,
  ) {}

  insert(text: string): void {
    this.text += text;
  }

  /** Appends `text`, mapped where `code[at]` maps. */
  insertMapped(text: string, at: number): void {
    const base = this.text.length;
    this.text += text;
    const origin = this.originAt(at, true);
    if (origin !== null) this.push(base, origin);
  }

  /** Appends `code[from, to)`, with the map's segments over it. */
  copy(from: number, to: number): void {
    if (to <= from) return;
    const base = this.text.length;
    this.text += this.code.slice(from, to);
    const segs = this.segments;
    if (segs === null) return;
    let k = upperBound(segs.offsets, from) - 1;
    // (a piece that starts inside a segment maps where that segment does, moved along its line)
    const within = this.originAt(from, false);
    if (within !== null) this.push(base, within);
    for (k = Math.max(k, 0); k < segs.offsets.length && segs.offsets[k]! < to; k++) {
      if (segs.offsets[k]! >= from) this.push(base + segs.offsets[k]! - from, segs.origins[k]!);
    }
  }

  /**
   * Where `code[at]` maps: the origin of the segment it is in, moved along its line; null
   * when none is, or (`atStart` false) when a segment starts at `at` (it is copied as it is).
   */
  private originAt(at: number, atStart: boolean): Origin | null {
    const segs = this.segments;
    if (segs === null) return null;
    const k = upperBound(segs.offsets, at) - 1;
    if (k < 0 || (!atStart && segs.offsets[k] === at)) return null;
    const origin = segs.origins[k]!;
    const moved = origin.length >= 3 && !this.code.slice(segs.offsets[k]!, at).includes('\n');
    return moved ? [origin[0]!, origin[1]!, origin[2]! + at - segs.offsets[k]!] : origin;
  }

  private push(offset: number, origin: Origin): void {
    this.offsets.push(offset);
    this.origins.push(origin);
  }
}

/** The first index whose value is greater than `x` (`values` ascending). */
function upperBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Offsets where each line of `text` starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * `code` (rewritten, with markers) with each marked body written twice, and its source
 * map carried over: both copies map to the original body. Markers that do not pair up
 * (which the pass should never leave) are dropped, every body then written once.
 *
 * A block body with a loop of its own has its copies in `try { … } finally { TEST; }`, for
 * V8's sake (others do not: V8 inlines a small method, a vector's `add`, into its callers
 * up to a budget of text, which the wrapper's text spent for nothing). V8 compiles a
 * hot loop on its own (on-stack replacement) and keeps that code apart from the
 * function's; a loop compiled so, entered again from unoptimised code on every later call,
 * kept the function from being compiled whole. Two ways:
 * - compiled before the first differentiation, where V8 folded the test to a constant, the
 *   loop's code stayed when the first traced call threw the function's code away (W2 stayed
 *   at 3.7× plain): read in `finally`, the test is in the loop's code too, which is thrown
 *   away with the rest when the test changes;
 * - compiled in its first run, a plain copy's loop reached code after it that had never
 *   run, left the loop's code there on every call, and was entered again on the next
 *   (Points stayed at 5× plain). Code after a loop in its own copy would not have run; the
 *   `finally` has, at the end of the traced call.
 * A read of a field of the runtime's own record, which cannot throw: nothing a program
 * can observe.
 */
export function expandTwoBodies(code: string, map: SourceMapV3 | null): { code: string; map: SourceMapV3 | null } {
  if (!MARKER_CHARS.test(code)) return { code, map };
  const regions = regionsOf(code);
  const segments = map === null ? null : flatten(code, map.mappings);
  const out = new Output(code, segments);
  if (regions === null) {
    writeStripped(code, out);
  } else {
    const twins = twinsOf(regions);
    const twinOfBody = new Map([...twins].map(([name, t]) => [t.body, { fn: name, ...t }]));
    // Where the text is: at the top (a body here gets two copies), in a copy that runs
    // while tracing (nested bodies get one), or in a plain copy. A call of a twinned
    // function in a copy calls that copy's twin.
    type Place = 'top' | 'traced' | 'plain';
    const twinPrefix = (place: Place) => (place === 'traced' ? TRACED_PREFIX : TWIN_PREFIX);
    const write = (from: number, to: number, inner: readonly Region[], place: Place): void => {
      let at = from;
      for (const r of inner) {
        out.copy(at, r.openStart);
        at = r.closeEnd;
        if (r.kind === 'c') {
          const name = r.name!;
          if (place !== 'top' && twins.has(name) && code.startsWith(name, r.openEnd) && !/[\w$]/.test(code[r.openEnd + name.length] ?? '')) {
            out.insertMapped(twinPrefix(place) + name, r.openEnd);
            at = r.openEnd + name.length;
          }
        } else if (r.kind === 't') {
          const twin = twins.get(r.name!);
          if (twin !== undefined) {
            for (const copy of ['traced', 'plain'] as const) {
              const id = twinPrefix(copy) + r.name!;
              out.insert(`function ${id}`);
              out.copy(twin.name.closeEnd, twin.body.openStart); // (its parameters, `{` and the shared temporaries)
              write(twin.body.openEnd, twin.body.closeStart, twin.body.inner, copy);
              // (pure: a bundler drops it, and a twin nothing calls with it, as it drops an unused function)
              out.insert(`}/* @__PURE__ */ Object.defineProperty(${id}, "name", { value: ${JSON.stringify(r.name!)} });`);
            }
          }
        } else if (r.kind === 'a') {
          out.insert(place === 'plain' ? r.plain! : r.traced!);
        } else if (r.kind === 'o') {
          // (a function with one body, in a copy or not: it may run while tracing or not)
          write(r.openEnd, r.closeStart, r.inner, 'top');
        } else if (r.kind === 'n') {
          // (nothing: a place)
        } else if (place === 'traced') write(r.openEnd, r.closeStart, r.inner, 'traced');
        else if (r.kind === 'b' && twinOfBody.has(r)) {
          // A twinned function calls its copies, functions of their own (see twinCandidates):
          // with its parameters, unless its body reads `this` or `arguments` (V8 did not
          // compile a function passing `arguments` on with Reflect.apply: W1 1.25× plain).
          const { fn: twin, args, name } = twinOfBody.get(r)!;
          const pick = `${TRACING} ? ${TRACED_PREFIX}${twin} : ${TWIN_PREFIX}${twin}`;
          const call = args === '*' ? `Reflect.apply(${pick}, this, arguments)` : `(${TRACING} ? ${TRACED_PREFIX}${twin}(${args}) : ${TWIN_PREFIX}${twin}(${args}))`;
          out.insertMapped(`return new.target === undefined ? ${call} : Reflect.construct(${pick}, arguments, new.target);`, name.openStart - twin.length); // (at its name)
        } else if (r.kind === 'b') {
          // (the `try … finally` only around a body with a loop: see above; a small method
          // without one is inlined by V8 into its callers, whose budget a larger text exhausts)
          out.insert(r.loops ? `try { if (${TRACING}) {` : `if (${TRACING}) {`);
          write(r.openEnd, r.closeStart, r.inner, 'traced');
          out.insert('} else {');
          write(r.openEnd, r.closeStart, r.inner, 'plain');
          out.insert(r.loops ? `} } finally { ${TRACING}; }` : '}');
        } else {
          out.insert(`(${TRACING} ? (`);
          write(r.openEnd, r.closeStart, r.inner, 'traced');
          out.insert(') : (');
          write(r.openEnd, r.closeStart, r.inner, 'plain');
          out.insert('))');
        }
      }
      out.copy(at, to);
    };
    write(0, code.length, regions, 'top');
  }
  if (map === null) return { code: out.text, map: null };
  return { code: out.text, map: { ...map, mappings: encodeMappings(unflatten(out)) } };
}

/**
 * The twins to write, by function name: each top-level twin place with its function's name
 * place and block body before it (a call of any other name calls the function itself).
 */
function twinsOf(regions: readonly Region[]): Map<string, { name: Region; body: Region; args: string }> {
  const twins = new Map<string, { name: Region; body: Region; args: string }>();
  let name: Region | null = null;
  let body: Region | null = null;
  for (const r of regions) {
    if (r.kind === 'n') (name = r), (body = null);
    else if (r.kind === 'b' && name !== null) body = r;
    else if (r.kind === 't' && name !== null && body !== null && r.args !== undefined) twins.set(r.name!, { name, body, args: r.args });
    if (r.kind === 't') name = body = null;
  }
  return twins;
}

/** Every marker removed: one body each (and the text of code that may run while tracing). */
function writeStripped(code: string, out: Output): void {
  let at = 0;
  for (const m of code.matchAll(MARKER)) {
    out.copy(at, m.index);
    if (m[6] !== undefined) out.insert(m[6]);
    at = m.index + m[0].length;
  }
  out.copy(at, code.length);
}

/** A map's segments keyed by generated offset. */
function flatten(code: string, mappings: string): { offsets: number[]; origins: Origin[] } {
  const starts = lineStarts(code);
  const offsets: number[] = [];
  const origins: Origin[] = [];
  decodeMappings(mappings).forEach((line, l) => {
    const start = starts[l];
    if (start === undefined) return;
    for (const seg of line) {
      offsets.push(start + seg[0]);
      origins.push(seg.slice(1));
    }
  });
  return { offsets, origins };
}

/** The output's segments by line and column. */
function unflatten(out: Output): number[][][] {
  const starts = lineStarts(out.text);
  const lines: number[][][] = starts.map(() => []);
  let line = 0;
  for (let k = 0; k < out.offsets.length; k++) {
    const offset = out.offsets[k]!;
    while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
    lines[line]!.push([offset - starts[line]!, ...out.origins[k]!]);
  }
  return lines;
}
