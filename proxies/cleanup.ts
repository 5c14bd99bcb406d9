// Escape clean-up: no traced value stays in user data after a differentiation.
//
// f may store traced values into objects it did not receive as arguments: a Map or a
// record captured by its closure, a log array it pushes to. Rewritten code notes each
// container written to during a differentiation (`touch`, in barrier.ts); when the call
// ends — returning or throwing — every noted container is walked and each traced value
// in it replaced by its value outside the call (its number, or, inside a nested
// differentiation, the value traced on the enclosing tape). Stand-ins f stored are
// replaced by the objects they stand for.

import { live, isTraced } from '../lib/core/traced.js';
import { isSymbolic } from '../lib/core/symbolic.js';
import { kindOf } from './kinds.js';
import { liveArray, isNDArray } from '../lib/ndarray.js';
import { standInNode } from './standins.js';

/** Containers written to, one list per open differentiation (innermost last). */
const noted: object[][] = [];

export function noteStore(container: unknown): void {
  const depth = noted.length;
  if (depth === 0 || (typeof container !== 'object' && typeof container !== 'function') || container === null) return;
  const list = noted[depth - 1]!;
  if (list[list.length - 1] !== container) list.push(container);
}

/** Starts noting stores for a differentiation that is opening. */
export function beginStores(): void {
  noted.push([]);
}

/**
 * Cleans what the closing differentiation wrote. Values traced on an enclosing tape stay
 * (that differentiation is still running), so its containers are handed to it as well.
 */
export function endStores(): void {
  const list = noted.pop() ?? [];
  if (list.length === 0) return;
  const unique = new Set(list);
  const seen = new Set<object>();
  for (const container of unique) if (standInNode(container) === undefined) cleanDeep(container, seen);
  noted[noted.length - 1]?.push(...unique);
}

/** The value to leave in user data for `v` once this differentiation has closed. */
export function outward(v: unknown): unknown {
  if (isTraced(v)) return settled(live(v));
  if (isNDArray(v)) return liveArray(v);
  if (typeof v !== 'object' || v === null) return v;
  const node = standInNode(v);
  if (node !== undefined) return node.original;
  cleanDeep(v, new Set());
  return v;
}

// A value left by compileGradient's recording holds a symbolic number: leave its number.
const settled = (v: unknown): unknown => (isSymbolic(v) ? v.value : v);

/**
 * A frozen object cannot have been written, and an object that can no longer be read holds
 * nothing anyone can reach. The latter is what f's stores into an immer draft leave noted:
 * `produce` revokes its drafts when the recipe returns (a draft record or array is a
 * revoked Proxy, on which every operation throws; a draft Map or Set throws on any use),
 * and what f stored through a draft lives on in the state `produce` returned, not in it.
 */
function holdsNothingToClean(o: object): boolean {
  try {
    if (Object.isFrozen(o)) return true;
    if (o instanceof Map || o instanceof Set) void o.size;
    return false;
  } catch {
    return true;
  }
}

/** Replaces, in place, traced values and stand-ins anywhere inside `root`. */
function cleanDeep(root: object, seen: Set<object>): void {
  const stack: object[] = [root];
  let o: object | undefined;
  // Replaces one held value; returns the replacement (or `v` itself) and queues objects.
  const settle = (v: unknown): unknown => {
    if (isTraced(v)) return settled(live(v));
    if (isNDArray(v)) return liveArray(v);
    if (typeof v !== 'object' || v === null) return v;
    const node = standInNode(v);
    if (node !== undefined) return node.original;
    if (!seen.has(v)) stack.push(v);
    return v;
  };
  while ((o = stack.pop()) !== undefined) {
    if (seen.has(o)) continue;
    seen.add(o);
    if (holdsNothingToClean(o)) continue;
    const kind = typeof o === 'function' ? 'record' : kindOf(o); // (a class's static fields)
    if (kind === 'array') {
      const a = o as unknown[];
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        const r = settle(v);
        if (r !== v) a[i] = r;
      }
    } else if (kind === 'map') {
      const m = o as Map<unknown, unknown>;
      for (const [k, v] of [...m]) {
        const rk = settle(k);
        const rv = settle(v);
        if (rk !== k) m.delete(k);
        if (rk !== k || rv !== v) m.set(rk, rv);
      }
    } else if (kind === 'set') {
      const s = o as Set<unknown>;
      for (const v of [...s]) {
        const r = settle(v);
        if (r !== v) {
          s.delete(v);
          s.add(r);
        }
      }
    } else if (kind === 'record') {
      for (const key of Reflect.ownKeys(o)) {
        const d = Object.getOwnPropertyDescriptor(o, key);
        if (d === undefined || !('value' in d)) continue;
        const r = settle(d.value);
        if (r !== d.value) {
          if (d.writable) (o as Record<PropertyKey, unknown>)[key] = r;
          else if (d.configurable) Object.defineProperty(o, key, { ...d, value: r });
        }
      }
    }
  }
}
