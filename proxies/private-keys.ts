/**
 * The keys rewritten code gives `#private` members (lib/transform/rewrite-private.ts): the
 * member's name, its class's name and where the class is declared (`"x Base 1f3a9c02:120"`).
 * A class and a class it extends may each declare a `#x`, two members to JavaScript: a
 * stand-in keeps its members by key, so the two stay two.
 */

/** The member's name (`x`). */
export function memberName(key: string): string {
  const space = key.indexOf(' ');
  return space < 0 ? key : key.slice(0, space);
}

/** The name of the class that declares the member. */
export function className(key: string): string {
  const parts = key.split(' ');
  return parts.length < 3 ? '' : parts[1]!;
}

/**
 * What each member is called in gradients, tangents and messages: `#x`, or, where members of
 * two classes of one object's chain share the name, each by its class (`Base#x`, `Derived#x`;
 * with where the class is declared after it when the classes' names are alike too).
 */
export function privateLabels(keys: readonly string[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const key of keys) {
    const name = memberName(key);
    const alike = keys.filter((other) => memberName(other) === name);
    if (alike.length === 1) {
      labels.set(key, `#${name}`);
      continue;
    }
    const cls = className(key);
    const sameClass = alike.filter((other) => className(other) === cls).length > 1;
    labels.set(key, sameClass ? `${cls}#${name} (${key.split(' ')[2] ?? ''})` : `${cls}#${name}`);
  }
  return labels;
}

/** `members` (by key) under the names `privateLabels` gives them. */
export function byLabel<V>(members: ReadonlyMap<string, V>): [string, V][] {
  const labels = privateLabels([...members.keys()]);
  return [...members].map(([key, member]) => [labels.get(key)!, member]);
}
