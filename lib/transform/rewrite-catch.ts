/**
 * Catch clauses hand their error to the runtime first (lib/caught.ts), so that a
 * differentiation can tell when f caught one of the library's own errors (a value it cannot
 * follow) and went on down a path plain JavaScript would not take:
 *
 *   catch (e) { … }          →  catch (e) { (0, __zy.caught)(e); … }
 *   catch { … }              →  catch (__zy$caught) { (0, __zy.caught)(__zy$caught); … }
 *   catch ({ message }) { … } →  catch (__zy$caught) { let { message } = (0, __zy.caught)(__zy$caught); … }
 *
 * A pattern becomes a `let` of the block: as the catch parameter's names, they may not be
 * declared again in it. The edit is no rewrite of the function's own: alone it gives the
 * function no second body (two-bodies.ts), and `caught` is no sign that code was rewritten
 * (recognize.ts), so a function whose only change is here still needs none to be differentiated.
 */
import type * as acorn from 'acorn';
import type { Rewriter } from './context.js';
import { runtime } from './context.js';

const CAUGHT = '__zy$caught';

export const rewriteCatchClause: Rewriter = {
  name: 'catch-clause',
  types: ['CatchClause'],
  test: () => true,
  uncounted: true,
  rewrite(node, ctx) {
    const { param, body } = node as acorn.CatchClause;
    const { ed } = ctx;
    const open = body.start + 1; // (after the block's `{`)
    if (param === null || param === undefined) {
      ed.prefix(body.start, `(${CAUGHT}) `);
      ed.prefix(open, `${runtime('caught')}(${CAUGHT});`);
    } else if (param.type === 'Identifier') {
      ed.prefix(open, `${runtime('caught')}(${param.name});`);
    } else {
      const pattern = ed.text(param);
      ed.overwrite(param.start, param.end, CAUGHT);
      ed.prefix(open, `let ${pattern} = ${runtime('caught')}(${CAUGHT});`);
    }
  },
};
