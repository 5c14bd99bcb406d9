// @zygote-ignore: the harness is not code under test; it runs programs plain and rewritten itself.
/**
 * Shrinking a failing program: drop statements from lists, replace a subtree by the
 * smallest one of its kind (`0`, `;`, `a`) or by one of its own subtrees of the same
 * kind, and keep any change after which the program still fails. Repeats until no
 * single change keeps it failing (a local minimum, usually a few lines).
 */
import { type Kind, Prec, type Slot, type Tree, leaf, print } from './tree.js';

/** Index path from the root to a slot: the part's index at each level. */
type Path = readonly number[];

const SMALLEST: Readonly<Record<Kind, Tree | null>> = {
  expression: leaf('expression', Prec.primary, '0'),
  target: leaf('target', Prec.primary, 'a'),
  statement: leaf('statement', Prec.statement, ';'),
  other: null,
};

/** Whether `candidate` may stand where a subtree of kind `kind` stood. */
function fits(kind: Kind, candidate: Tree): boolean {
  if (kind === 'expression') return candidate.kind === 'expression' || candidate.kind === 'target';
  return kind !== 'other' && candidate.kind === kind;
}

function slots(tree: Tree, path: number[] = [], out: [Path, Slot][] = []): [Path, Slot][] {
  tree.parts.forEach((part, i) => {
    if (typeof part === 'string') return;
    out.push([[...path, i], part]);
    slots(part.tree, [...path, i], out);
  });
  return out;
}

function descendants(tree: Tree, out: Tree[] = []): Tree[] {
  for (const part of tree.parts) {
    if (typeof part === 'string') continue;
    out.push(part.tree);
    descendants(part.tree, out);
  }
  return out;
}

/** `tree` with the part at `path` replaced (`null`: removed, with the separator after it in a list). */
function replaceAt(tree: Tree, path: Path, replacement: Tree | null): Tree {
  const [i, ...rest] = path as [number, ...number[]];
  const parts = [...tree.parts];
  const part = parts[i] as Slot;
  if (rest.length > 0) parts[i] = { ...part, tree: replaceAt(part.tree, rest, replacement) };
  else if (replacement === null) parts.splice(i, tree.list ? 2 : 1);
  else parts[i] = { ...part, tree: replacement };
  return { ...tree, parts };
}

function size(tree: Tree): number {
  return print(tree).length;
}

/** Candidate changes of `tree`, each smaller than it, the biggest cuts first. */
function* candidates(tree: Tree): Generator<Tree> {
  const all = slots(tree);
  // Whole statements out of lists, from the end (later statements rarely feed earlier ones).
  for (const [path] of [...all].reverse()) {
    if (parentTree(tree, path).list) yield replaceAt(tree, path, null);
  }
  for (const [path, s] of all) {
    const smallest = SMALLEST[s.tree.kind];
    if (smallest !== null && print(s.tree) !== print(smallest)) yield replaceAt(tree, path, smallest);
  }
  for (const [path, s] of all) {
    const own = size(s.tree);
    const inner = descendants(s.tree).filter((t) => fits(s.tree.kind, t) && size(t) < own).sort((a, b) => size(a) - size(b));
    for (const t of inner) yield replaceAt(tree, path, t);
  }
}

function parentTree(tree: Tree, path: Path): Tree {
  let t = tree;
  for (const i of path.slice(0, -1)) t = (t.parts[i] as Slot).tree;
  return t;
}

/**
 * The smallest variant of `tree` found for which `fails` still holds (`fails(tree)` must
 * hold), trying at most `budget` candidates.
 */
export function shrink(tree: Tree, fails: (candidate: Tree) => boolean, budget = 3_000): Tree {
  let best = tree;
  let tried = 0;
  for (let improved = true; improved && tried < budget; ) {
    improved = false;
    for (const candidate of candidates(best)) {
      if (++tried > budget) break;
      if (fails(candidate)) {
        best = candidate;
        improved = true;
        break;
      }
    }
  }
  return best;
}
