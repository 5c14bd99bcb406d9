// Map.groupBy (Node 21 and later) keys its groups by identity: given traced numbers, equal
// keys must be one group, as they are plain. Each case runs plain and inside gradient: the
// groups seen must be the same and the gradient must match central differences (the keys
// that meet are equal for every x, x and x * 1, so the differences never cross a tie).
// Skips where this Node has no Map.groupBy (Node 20).
// (Run under Node 24: PATH=<node bin>:$PATH npx vitest run spec/as-value/group-by.test.ts)
import { describe, expect, it } from 'vitest';
import { gradient } from 'zygote-ts';
import { agreesAt as check } from './agree.js';

type GroupBy = <T, K>(items: Iterable<T>, keyOf: (item: T, k: number) => K) => Map<K, T[]>;
const hasGroupBy = typeof (Map as unknown as { groupBy?: GroupBy }).groupBy === 'function';
// (called by its name, as a program does: the rewrite sees `Map.groupBy(…)` once the types are stripped)
type Grouping = MapConstructor & { groupBy: GroupBy };


describe.skipIf(!hasGroupBy)('Map.groupBy keys traced numbers by value', () => {
  it('equal keys are one group, found by value', () => {
    check((x, seen) => {
      const groups = (Map as Grouping).groupBy([x, x * 1, 2, 2 * x - x], (v) => v);
      const mine = groups.get(x * 1) ?? [];
      seen.push(groups.size, mine.length, groups.get(2)?.length);
      return groups.size * x + mine.reduce((a, b) => a + b * b, 0);
    }, 1.3);
  });
  it('keys computed by the callback from each item and its index', () => {
    check((x, seen) => {
      const groups = (Map as Grouping).groupBy([x, 2 * x, x + 0], (v, k) => (k === 1 ? v / 2 : v));
      seen.push([...groups.values()].map((g) => g.length));
      return [...groups.values()].reduce((t, g) => t + g.length * g[0]!, 0);
    }, 0.7);
  });
  it('reached by a name bound to it, a computed key, bind, apply and Reflect.apply, equal keys are one group', () => {
    check((x, seen) => {
      const { groupBy } = Map as Grouping;
      const gb = (Map as Grouping).groupBy;
      const key = 'groupBy';
      const items = () => [x, x * 1, 2];
      const made = [
        groupBy(items(), (v) => v),
        gb(items(), (v) => v),
        (Map as Grouping)[key](items(), (v) => v),
        (Map as Grouping).groupBy.bind(Map)(items(), (v) => v),
        (Map as Grouping).groupBy.apply(Map, [items(), (v: unknown) => v]) as Map<unknown, number[]>,
        Reflect.apply((Map as Grouping).groupBy, Map, [items(), (v: number) => v]) as Map<number, number[]>,
      ];
      seen.push(made.map((m) => m.size));
      return made.reduce((t, m) => t + m.size * x + (m.get(x * 1)?.length ?? 0) * x * x, 0);
    }, 1.3);
  });
  it('the built-in’s errors are kept', () => {
    for (const call of [() => (Map as Grouping).groupBy(null as unknown as number[], (v) => v), () => (Map as Grouping).groupBy([1], 3 as unknown as () => number)]) {
      let plain: unknown;
      try { call(); } catch (e) { plain = String(e); }
      let traced: unknown;
      try { gradient((x: number) => (call(), x), 1); } catch (e) { traced = String(e); }
      expect(plain).toBeDefined();
      expect(traced).toBe(plain);
    }
  });
});
