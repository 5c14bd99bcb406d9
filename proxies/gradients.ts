// Structural gradients: the cotangents of a call's inputs, put back in the shape of the
// arguments they came from.
//
// A record's gradient is a plain object with its field names (Zygote's named tuple), an
// array's an array, a Map's a Map with the same keys, a Set's a Map from each member to
// its gradient. A field with no path from the output is `null`; an array of numbers is
// dense (0 where there is no path), as in Zygote; a structure with no path at all is
// `null`. An object reached along several paths has one gradient object, shared.

import { Node, type Slot, type Wrapping } from './standins.js';

/**
 * The gradient of each argument, given the cotangent of each input of `wrapping`
 * (`cotangents[k]` for `wrapping.inputs[k]`, null where unreached). With `zeros`,
 * unreached numbers are 0 instead of null (Jacobian rows).
 */
export function structuralGradients(
  wrapping: Wrapping,
  roots: readonly unknown[],
  cotangents: readonly unknown[],
  zeros = false,
): unknown[] {
  const reached = reachedNodes(wrapping, cotangents);
  const built = new Map<Node, object>();
  const pending: Node[] = [];

  const gradientOf = (slot: Slot, dense: boolean): unknown => {
    if (typeof slot === 'number') return cotangents[slot] ?? (dense || zeros ? 0 : null);
    if (slot === null || !reached.has(slot)) return null;
    let g = built.get(slot);
    if (g === undefined) {
      g = slot.kind === 'record' ? {} : slot.kind === 'array' ? new Array<unknown>(slot.length).fill(null) : new Map();
      built.set(slot, g);
      pending.push(slot);
    }
    return g;
  };

  const result = roots.map((root) => gradientOf(root as Slot, false));
  // Filled iteratively, so a long chain of nested objects does not overflow the stack.
  let node: Node | undefined;
  while ((node = pending.pop()) !== undefined) {
    const g = built.get(node)!;
    const { keys, slots } = node;
    if (node.kind === 'record') {
      const o = g as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) o[keys[i] as string] = gradientOf(slots[i]!, false);
      if (node.privates !== null) {
        for (const [name, member] of node.privates) if (member.slot !== null) o[`#${name}`] = gradientOf(member.slot, false);
      }
    } else if (node.kind === 'array') {
      const a = g as unknown[];
      for (let i = 0; i < keys.length; i++) a[keys[i] as number] = gradientOf(slots[i]!, true);
    } else {
      const m = g as Map<unknown, unknown>;
      for (let i = 0; i < keys.length; i++) m.set(keys[i], gradientOf(slots[i]!, false));
    }
  }
  return result;
}

/** The nodes below which some input has a cotangent (propagated up through every parent). */
function reachedNodes(wrapping: Wrapping, cotangents: readonly unknown[]): Set<Node> {
  const reached = new Set<Node>();
  const stack: Node[] = [];
  const mark = (n: Node) => {
    if (!reached.has(n)) {
      reached.add(n);
      stack.push(n);
    }
  };
  for (const node of wrapping.nodes.values()) {
    if (node.slots.some((s) => typeof s === 'number' && cotangents[s] != null)) mark(node);
    else if (node.privates !== null && [...node.privates.values()].some((m) => typeof m.slot === 'number' && cotangents[m.slot] != null)) mark(node);
  }
  let n: Node | undefined;
  while ((n = stack.pop()) !== undefined) for (const p of n.parents) mark(p);
  return reached;
}
