/**
 * Was this function rewritten? Asked of `f.toString()` when `f` reaches `gradient`, and of
 * code handed to `Function(…)`. A plain-text check with no parser, so the runtime can ask
 * it without loading the transform.
 *
 * Rewritten code calls into the runtime object (`__zy.mul(a, b)`). Unminified, that name
 * is the sign (a bundler may rename it `__zy2`). A minifier renames it to anything (`o.mul`,
 * `e.mul`): bindings are renamed, but property names are kept and so is the shape of what
 * the transform writes. So a minified source counts as rewritten when it holds
 * - an inline fast path: a call `R.op(…, a, …)` of one of the runtime's operations, as the
 *   branch of a test `typeof a == "number"` (or `"object"`) made just before it:
 *   `typeof a=="number"?a*b:R.mul(a,b)`, `typeof v=="object"&&R.touch(o,v)`. Ordinary
 *   code's `set.add(v)` or `v.add(w)` has no such test. A comparison with a side that is
 *   not a number has no test either: `R.eq(t,"function")`;
 * - a call of an operation that ordinary code has no reason to name (`R.truthy(x)`,
 *   `R.took()`, `R.typeOf(x)`, `R.sne(x,void 0)`, `R.shl(x,8)`, `R.privateGet(…)`);
 * - the test that picks a function's copy, `R.tapes.openTapes` (lib/transform/two-bodies.ts);
 * - the runtime's stand-ins for the globals, used as the globals are (`R.Math.PI`,
 *   `R.Number.isFinite(x)`, `const { isFinite } = R.Number`) on an object that is not a
 *   global object, and the runtime's version of a built-in called (`(0,R.builtin)(Function)(…)`)
 *   or taken as a value (`(0,R.builtin)(Math.sqrt)`, `const { sqrt } = (0,R.builtin)(Math)`);
 * - `(0, R.instanceOf)(a, C)` and `(0, R.predicate)(f)`, spelled so.
 * What remains unrecognised is code whose only rewrites have no fast path and a common
 * name: a `switch` (`R.key(x)`), a bare `isNaN(x)`, arithmetic with an operand known not to
 * be a number (`R.add("#", s)`). Such a function has no derivative to lose, and
 * `gradient` says it was not rewritten, loudly, rather than losing a derivative silently.
 */

const IDENTIFIER = '[A-Za-z_$][\\w$]*';

/**
 * The runtime's operations that the transform calls behind an inline `typeof` test, with the
 * number of arguments it passes them. The count is part of the sign: a program's own
 * `typeof v !== "object" || … : (seen.add(v), …)` (a walk that notes what it has seen) or
 * `typeof a === "number" ? a + b : a.add(b)` (a number type of its own) calls a method of
 * the same name on a tested value, with one argument where the transform passes two.
 */
const TESTED_OPERATIONS = new Map<string, readonly number[]>([
  ...['add', 'sub', 'mul', 'div', 'mod', 'pow', 'lt', 'le', 'gt', 'ge', 'eq', 'ne', 'eqStored', 'neStored', 'touch'].map((name) => [name, [2]] as const),
  ['touchNew', [2, 3]], // (a constructor's store: the field's key third, where the store names it)
  ...['neg', 'pos', 'numeric', 'inc', 'dec'].map((name) => [name, [1]] as const),
]);

/**
 * Operations whose name alone is the sign (no library method is called so). Bit operations
 * and `===`/`!==` with a side known not to be a number (`x === undefined`) have no fast path.
 */
const DISTINCT_OPERATIONS = new Set([
  'truthy', 'iteratorDone', 'iteratorResult', 'took', 'typeOf', 'privateHost', 'privateGet', 'privateSet', 'isStandIn', 'privateStored', 'notePrivate', 'variableStored', 'capturedStored', 'noteVariable', 'callGlobal', 'fieldNew', 'patternTarget', 'privateTarget', 'privateFieldNew', 'privateFieldHeld',
  'seq', 'sne', 'seqStored', 'sneStored', 'caseKeyStored', 'bor', 'band', 'bxor', 'shl', 'shr', 'ushr', 'bnot',
  // built-in calls the runtime supplies (rewrite-builtins.ts)
  'jsonParse', 'jsonStringify', 'objectIs', 'objectIsStored', 'objectGetPrototypeOf', 'objectIsFrozen', 'objectIsSealed', 'objectIsExtensible', 'evalSource', 'callMethod', 'callComputed',
  'float64ArrayFrom', 'float32ArrayFrom', 'float64ArrayOf', 'float32ArrayOf', 'callImported',
  'reflectSet', 'reflectDefineProperty', 'objectDefineProperty', 'objectDefineProperties', 'objectSetPrototypeOf', 'reflectSetPrototypeOf',
  'wasmInstantiate', 'wasmInstantiateStreaming', 'arrayBufferIsView', 'numberNow', 'objectNow', 'jsonNow', 'objectIsStoredVia', 'bindNoted', 'constructImported',
]);

/**
 * Operations whose name a library may have too (`PropTypes.instanceOf(Date)`): a sign only
 * as the transform spells the call, `(0, R.instanceOf)(a, C)`; `(0, R.rewritten)(0)` is the
 * function that marks where a bundled file starts (prologue.ts).
 */
const DISTINCT_WHEN_UNBOUND = new Set(['instanceOf', 'predicate', 'rewritten']);

/** Globals whose calls the transform routes through the runtime: `(0,R.builtin)(Number)(x)`. */
const BUILTINS_CALLED = new Set(['Number', 'Boolean', 'Object', 'Function']);

/**
 * The runtime's stand-ins for globals, as the transform reaches them: `R.Math.sqrt`,
 * `R.Number.isFinite`, or `= R.Math` (`const { sqrt } = Math`).
 */
const GLOBAL_STAND_IN = new RegExp(
  `((?:\\}\\s*)?(?<![=!<>])=\\s*)?(?<![\\w$.])(${IDENTIFIER})\\s*\\.\\s*(Math|Number)(?:\\s*\\.\\s*(${IDENTIFIER})|(?![\\w$]))`,
  'g',
);

/** The members of the real globals that the stand-ins offer: Math's functions, Number's predicates. */
const STAND_IN_MEMBERS: Record<string, ReadonlySet<string>> = {
  Math: new Set(Object.getOwnPropertyNames(Math).filter((k) => typeof (Math as unknown as Record<string, unknown>)[k] === 'function')),
  Number: new Set(['isNaN', 'isFinite', 'isInteger', 'isSafeInteger']),
};

/** Receivers on which `.Math`, `.Number`, `.Function` are the real globals. */
const GLOBAL_OBJECTS = new Set(['globalThis', 'window', 'self', 'global', 'frames', 'parent', 'top', 'this']);

/**
 * `R.name(` or `(0,R.name)(` (how the transform spells a runtime call, so that it passes no
 * `this`), `R` not itself a property (`a.R.name(` is not a runtime call).
 */
const MEMBER_CALL = new RegExp(
  `(?:\\(\\s*0\\s*,\\s*(?<![\\w$.])${IDENTIFIER}\\s*\\.\\s*(${IDENTIFIER})\\s*\\)|(?<![\\w$.])${IDENTIFIER}\\s*\\.\\s*(${IDENTIFIER}))\\s*\\(`,
  'g',
);

/** `typeof a == "number"` (or `"object"`, `!=`, `===`, any quotes, either side first). */
const TYPEOF_TEST = new RegExp(
  `\\btypeof\\s*(${IDENTIFIER})\\s*[!=]==?\\s*(["'\`])(?:number|object)\\2` +
    `|(["'\`])(?:number|object)\\3\\s*[!=]==?\\s*typeof\\s*(${IDENTIFIER})`,
  'g',
);

/** Comparisons, which the transform calls without a test when one side is not a number (`x == "a"`). */
const COMPARISONS = new Set(['lt', 'le', 'gt', 'ge', 'eq', 'ne', 'eqStored', 'neStored']);

/** A literal that is not a number, as written or minified (`undefined`, `void 0`, `"a"`; not booleans: `sel.eq(other, !0)`). */
const NOT_A_NUMBER = /^(?:(["'`]).*\1|void 0|null|undefined)$/s;

/**
 * How far before the call its test may be: the test and the call are one expression
 * (`typeof a=="number"&&typeof b=="number"?a*b:R.mul(a,b)`), so a test far away belongs to
 * other code.
 */
const TEST_REACH = 200;

/** What comes right before an operation in a branch of a test: `? … : R.op(`, `&& R.op(`, `: (t = R.numeric(`. */
const AFTER_TEST = /(?:[?:(,=]|&&)\s*$/;

/**
 * The unminified sign: `__zy` (or a bundler's `__zy2`) followed by a dot, but for a catch
 * clause's `__zy.caught` (rewrite-catch.ts), which code needing no rewrite has too.
 */
const RUNTIME_NAME = /(?<![\w$])__zy\d*\s*\.(?!\s*caught(?![\w$]))/;

/** The test that picks a function's copy (two-bodies.ts): `R.tapes.openTapes`, all a twinned function's own code has. */
const BODY_TEST = new RegExp(`(?<![\\w$.])${IDENTIFIER}\\s*\\.\\s*tapes\\s*\\.\\s*openTapes(?![\\w$])`);

/**
 * Does this (function) source call into the runtime, i.e. was it rewritten?
 *
 * @example
 * ```ts
 * import { isRewritten } from 'zygote-ts/transform';
 * isRewritten('(x) => __zy.mul(x, x)');                            // true
 * isRewritten('t=>typeof t=="number"?t*t:e.mul(t,t)');            // true (minified)
 * isRewritten('(x) => x * x');                                    // false
 * isRewritten('(v, w) => v.add(w).length() * 2');                 // false
 * ```
 */
export function isRewritten(fnSource: string): boolean {
  if (RUNTIME_NAME.test(fnSource) || BODY_TEST.test(fnSource)) return true;
  const tested = typeofTests(fnSource);
  for (const call of fnSource.matchAll(MEMBER_CALL)) {
    const name = (call[1] ?? call[2])!;
    if (DISTINCT_OPERATIONS.has(name) || (call[1] !== undefined && DISTINCT_WHEN_UNBOUND.has(name))) return true;
    if (name !== 'builtin' && !TESTED_OPERATIONS.has(name)) continue;
    const args = argumentsOf(fnSource, call.index + call[0].length);
    if (name === 'builtin') {
      if (args.length === 1 && (BUILTINS_CALLED.has(args[0]!) || isMathTakenAsAValue(args[0]!) || isBuiltinTakenAsAValue(args[0]!))) return true;
      continue;
    }
    if (!TESTED_OPERATIONS.get(name)!.includes(args.length)) continue;
    if (COMPARISONS.has(name) && args.some((a) => NOT_A_NUMBER.test(a))) return true;
    const inBranch = AFTER_TEST.test(fnSource.slice(Math.max(0, call.index - 4), call.index));
    if (inBranch && args.some((a) => tested.get(a)?.some((at) => at < call.index && at >= call.index - TEST_REACH))) return true;
  }
  for (const reach of fnSource.matchAll(GLOBAL_STAND_IN)) {
    const [, assigned, receiver, global, member] = reach as unknown as (string | undefined)[];
    if (!GLOBAL_OBJECTS.has(receiver!) && usedAsTheGlobal(global!, member, assigned)) return true;
  }
  return false;
}

/** `Math` or one of its functions, as the transform hands them to `R.builtin` when a program takes them as values (`const { sqrt } = Math`, `xs.map(Math.sqrt)`). */
function isMathTakenAsAValue(text: string): boolean {
  const member = /^Math(?:\s*\.\s*([\w$]+))?$/.exec(text);
  return member !== null && (member[1] === undefined || STAND_IN_MEMBERS['Math']!.has(member[1]));
}

/**
 * A built-in the runtime has its version of, as the transform hands it to `R.builtin` when a
 * program takes it as a value (`xs.filter(isFinite)`, `const is = Object.is`,
 * `xs.map(Number.isFinite)`, also of an alias of Number: `N.isFinite`).
 */
function isBuiltinTakenAsAValue(text: string): boolean {
  return /^(?:isNaN|isFinite|parseFloat|parseInt|structuredClone|Object\s*\.\s*is|[\w$]+\s*\.\s*(?:isNaN|isFinite|isInteger|isSafeInteger|parseFloat|parseInt))$/.test(text);
}

/**
 * Whether `R.Math`/`R.Number` is used as the global it stands in for: a member the stand-in
 * offers (`R.Math.sqrt`, `R.Number.isFinite`), or `Math` itself taken apart (`const { sqrt } = R.Math`).
 */
function usedAsTheGlobal(global: string, member: string | undefined, assigned: string | undefined): boolean {
  if (member !== undefined) return STAND_IN_MEMBERS[global]!.has(member);
  // (`const { sqrt } = R.Math`; `R.Number` only destructured: `x = e.Number` is a TypeScript enum's member)
  return assigned !== undefined && (global === 'Math' || assigned.startsWith('}'));
}

/** Each identifier tested with `typeof`, and where. */
function typeofTests(source: string): Map<string, number[]> {
  const tested = new Map<string, number[]>();
  for (const t of source.matchAll(TYPEOF_TEST)) {
    const name = (t[1] ?? t[4])!;
    const at = tested.get(name);
    if (at === undefined) tested.set(name, [t.index]);
    else at.push(t.index);
  }
  return tested;
}

/** The top-level arguments of the call whose `(` ends just before `from`, trimmed. */
function argumentsOf(source: string, from: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < source.length; i++) {
    const c = source[i]!;
    if (c === '"' || c === "'" || c === '`') {
      i = closingQuote(source, i);
    } else if (c === '(' || c === '[' || c === '{') {
      depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) {
        args.push(source.slice(start, i).trim());
        return args;
      }
      depth--;
    } else if (c === ',' && depth === 0) {
      args.push(source.slice(start, i).trim());
      start = i + 1;
    }
  }
  return args;
}

/** Index of the quote that closes the string opening at `open` (template holes not followed). */
function closingQuote(source: string, open: number): number {
  const quote = source[open];
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === quote) return i;
  }
  return source.length;
}

/**
 * An imported name as a toolchain that runs after the rewrite spells it: a member of the
 * object that stands for the module. Vite's SSR transform (and so Vitest) turns `Vec` into
 * `__vite_ssr_import_0__.Vec`, Vitest's mocks into `__vi_import_0__.Vec`, and esbuild's
 * CommonJS output an external package's `Vec` into `import_pkg.Vec`.
 */
const TOOLCHAIN_IMPORT = /(?<![\w$.])(__vite_ssr_import_\d+__|__vi_import_\d+__|import_[\w$]+)\s*\.\s*([A-Za-z_$][\w$]*)/g;

/**
 * A counter that istanbul's coverage (`vitest --coverage` with istanbul) adds to every
 * function, statement and branch after the rewrite: `cov_1x2y3z().s[2]++`, `cov_1x2y3z().b[0][1]++`.
 */
const COVERAGE_COUNTER = /(?<![\w$.])cov_[\w$]+\(\)\s*\.\s*(?:s|f|b|bT)\s*\[\d+\](?:\s*\[\d+\])?\s*\+\+/g;

/**
 * A function's source as its file's rewrite saw it, so that the transform can be asked what it
 * would change in it: toolchains that run after the rewrite add what the transform would
 * rewrite in a function that has nothing else to rewrite, and that function, rewritten, was
 * refused as not rewritten. Each import spelled as a member is made one name again
 * (`new __vite_ssr_import_0__.Vec(p)` → `new __vite_ssr_import_0__$Vec(p)`: the transform
 * rewrites `new a.B(…)`, whose constructor may be a typed array's, and `a.data`, but not an
 * imported `new Vec(…)` nor `data`), and each coverage counter is a plain `0`.
 *
 * @example
 * ```ts
 * asItsRewriteSawIt('(p) => (0,__vite_ssr_import_1__.energy)(new __vite_ssr_import_1__.Vec(p))');
 * // '(p) => (0,__vite_ssr_import_1__$energy)(new __vite_ssr_import_1__$Vec(p))'
 * asItsRewriteSawIt('w => { cov_ab1().f[0]++; return loss(w); }'); // 'w => { 0; return loss(w); }'
 * ```
 */
export function asItsRewriteSawIt(fnSource: string): string {
  return fnSource.replace(TOOLCHAIN_IMPORT, (_, module: string, name: string) => `${module}$${name}`).replace(COVERAGE_COUNTER, '0');
}

/** What the transform rewrites: operators, tests, `typeof`, and the globals it replaces. */
const REWRITTEN_TOKEN =
  /[-+*/%<>!&|^~?#]|==|\b(?:if|while|for|do|switch|typeof|instanceof|Math|Number|Boolean|Object|isNaN|isFinite|Function|structuredClone|filter|find|findIndex|findLast|findLastIndex|some|every|reject|partition|takeWhile|dropWhile)\b/;

/** Punctuators that hold those characters but are not rewritten: `=>`, `?.`, `??`, `??=`. */
const KEPT_PUNCTUATORS = /=>|\?\?=?|\?\.(?!\d)/g;

/**
 * Could the transform change anything in this source? A conservative text test (no
 * parser): false only when no operator, test, `typeof` or replaced global occurs outside
 * strings, comments and number literals (`-1`, `1e-5`), as in `(p) => p.norm()` or
 * `(w) => sum(matmul(w, W0))` — code that runs the same rewritten or not.
 *
 * @example
 * ```ts
 * import { mayNeedRewrite } from 'zygote-ts/transform';
 * mayNeedRewrite('(p) => p.norm()');     // false
 * mayNeedRewrite('(x) => x * x');        // true
 * mayNeedRewrite('(s) => s.at("-*-")');  // false
 * ```
 */
export function mayNeedRewrite(fnSource: string): boolean {
  return REWRITTEN_TOKEN.test(codeOutsideLiterals(fnSource).replace(KEPT_PUNCTUATORS, ' '));
}

/** After these an operand begins: a `/` starts a regular expression, a `-1` is a number. */
const BEFORE_OPERAND = new Set(['', '(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';']);

/**
 * The source with strings, template text, comments, regular expressions and the signs of
 * number literals blanked out (template holes are code, and kept).
 */
function codeOutsideLiterals(source: string): string {
  let out = '';
  let last = ''; // the last character of code, to tell a regular expression from a division
  const holes: number[] = []; // the brace depth at which each open template hole closes
  let depth = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && (next === '/' || next === '*')) {
      const end = next === '/' ? source.indexOf('\n', i) : source.indexOf('*/', i + 2) + 1;
      if (end <= 0) break;
      i = end;
      continue;
    }
    if (c === '"' || c === "'") {
      i = closingQuote(source, i);
    } else if (c === '`' || (c === '}' && holes.at(-1) === depth)) {
      if (c === '}') holes.pop();
      i = templateTextEnd(source, i + 1);
      if (source.startsWith('${', i)) {
        holes.push(depth);
        i++;
      }
    } else if (c === '/' && BEFORE_OPERAND.has(last)) {
      i = regexEnd(source, i);
    } else if ((c === '-' || c === '+') && isSignOfNumber(source, i, last)) {
      out += ' ';
      continue;
    } else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      out += c;
      if (c.trim() !== '') last = c;
      continue;
    }
    out += ' ';
    last = '"'; // a literal is an operand: a `/` after it divides
  }
  return out;
}

/** A `-`/`+` that is part of a number literal: `[-1, 2]`, `1e-5` (the transform leaves those). */
function isSignOfNumber(source: string, at: number, last: string): boolean {
  const digitFollows = /^\.?\d/.test(source.slice(at + 1, at + 3));
  return digitFollows && (BEFORE_OPERAND.has(last) || /\d[eE]$/.test(source.slice(Math.max(0, at - 2), at)));
}

/** From inside a template's text: the index of its closing backquote or of the `$` of a `${` hole. */
function templateTextEnd(source: string, from: number): number {
  for (let i = from; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '`' || source.startsWith('${', i)) return i;
  }
  return source.length;
}

/** The index of the last character (flags included) of the regular expression starting at `open`. */
function regexEnd(source: string, open: number): number {
  let inClass = false;
  for (let i = open + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      while (/[a-z]/.test(source[i + 1] ?? '')) i++;
      return i;
    }
  }
  return source.length;
}
