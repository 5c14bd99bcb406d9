// zygote-ts/recompile: the source rewriter for pages that compile code at run time.
//
// `import 'zygote-ts/recompile'` makes the runtime able to rewrite code it is handed as
// text (lib/source-rewriter.ts): `gradient` then recompiles a function that was not
// rewritten (one that closes over nothing but globals), and `Function(…)` in rewritten
// code rewrites the body it compiles. Node and apps built with a plugin need no import:
// Node loads the rewriter on first use, and the plugins import this module (as their
// runtime, which it re-exports) for the files that call `Function(…)`.
import { freeVariables, strictnessMatters, transformFunctionSource, transformScript } from './transform/transform.js';
import { provideSourceRewriter } from './source-rewriter.js';

export { __zy } from './runtime.js';

provideSourceRewriter({ transformFunctionSource, freeVariables, strictnessMatters, transformScript });
