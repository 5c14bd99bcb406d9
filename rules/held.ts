// Where a value holds a traced number of a running differentiation, at any depth: for
// functions that take numbers and NDArrays only, to refuse other kinds that would carry a
// derivative past them unseen.

import { isNDArray } from '../lib/ndarray.js';
import { isTraced } from '../lib/core/traced.js';
import { holdsTracedElements, typedStandIn } from '../proxies/typed-arrays.js';

/**
 * The path (`[0]`, `.a`, `.get("k")`) to a live traced number or NDArray inside `x` — an
 * array, a record or class instance, a Map, a Set, a typed array — or null for none. `x`
 * itself is not looked at as a number. Objects met twice are looked into once.
 */
export function tracedInside(x: unknown): string | null {
  // (a walk with a stack of its own, in the order of a recursive one: a linked list of 20 000
  // nodes, which the eager gradient takes, overflowed the call stack in dropgrad)
  const seen = new Set<object>();
  const live = (v: unknown) => (isTraced(v) || isNDArray(v)) && v.tracedTape !== null && v.tracedTape.active;
  interface Step { readonly value: unknown; readonly step: string; readonly from: Step | null }
  const pathOf = (at: Step | null, tail = ''): string => {
    const steps: string[] = [tail];
    for (let s = at; s !== null; s = s.from) steps.push(s.step);
    return steps.reverse().join('');
  };
  const todo: Step[] = [{ value: x, step: '', from: null }];
  while (todo.length > 0) {
    const at = todo.pop()!;
    const v = at.value;
    if (at.from !== null && live(v)) return pathOf(at);
    if (typeof v !== 'object' || v === null || isNDArray(v) || seen.has(v)) continue;
    seen.add(v);
    if (typedStandIn(v) !== undefined) {
      if (holdsTracedElements(v)) return pathOf(at, '[…]');
      continue;
    }
    if (ArrayBuffer.isView(v)) continue; // (a plain typed array holds plain numbers)
    const next: Step[] = [];
    if (v instanceof Map) {
      for (const [k, e] of v) next.push({ value: k, step: '.keys()', from: at }, { value: e, step: `.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`, from: at });
    } else if (v instanceof Set) {
      for (const e of v) next.push({ value: e, step: '.values()', from: at });
    } else {
      const array = Array.isArray(v);
      for (const k of Object.keys(v)) {
        const d = Object.getOwnPropertyDescriptor(v, k); // (a getter's value is not read: it is code of its own)
        if (d !== undefined && 'value' in d) next.push({ value: d.value, step: array ? `[${k}]` : `.${k}`, from: at });
      }
    }
    for (let i = next.length - 1; i >= 0; i--) todo.push(next[i]!);
  }
  return null;
}
