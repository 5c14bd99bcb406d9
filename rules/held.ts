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
  const seen = new Set<object>();
  const live = (v: unknown) => (isTraced(v) || isNDArray(v)) && v.tracedTape !== null && v.tracedTape.active;
  const walk = (v: unknown, path: string): string | null => {
    if (path !== '' && live(v)) return path;
    if (typeof v !== 'object' || v === null || isNDArray(v) || seen.has(v)) return null;
    seen.add(v);
    if (typedStandIn(v) !== undefined) return holdsTracedElements(v) ? `${path}[…]` : null;
    if (ArrayBuffer.isView(v)) return null; // (a plain typed array holds plain numbers)
    if (v instanceof Map) {
      for (const [k, e] of v) {
        const found = walk(k, `${path}.keys()`) ?? walk(e, `${path}.get(${typeof k === 'string' ? JSON.stringify(k) : '…'})`);
        if (found !== null) return found;
      }
      return null;
    }
    if (v instanceof Set) {
      for (const e of v) {
        const found = walk(e, `${path}.values()`);
        if (found !== null) return found;
      }
      return null;
    }
    const array = Array.isArray(v);
    for (const k of Object.keys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, k); // (a getter's value is not read: it is code of its own)
      const found = d !== undefined && 'value' in d ? walk(d.value, array ? `${path}[${k}]` : `${path}.${k}`) : null;
      if (found !== null) return found;
    }
    return null;
  };
  return walk(x, '');
}
