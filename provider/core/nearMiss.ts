/**
 * Misspelled settings of ours, found by name alone. A typo must not be ignored: a misspelled
 * `huaweicloud:mrsEndpoint` would let the endpoint fall back to the public cloud's. Pure functions.
 *
 * - In a namespace that is ours alone (`termination:`), every key we do not know is a mistake.
 * - In a namespace shared with other providers (`huaweicloud:`, `blueking:`, `yarn:`), a key is a
 *   mistake only when it is a near miss of one of ours (the same but for case, `_` or `-`, or within
 *   a small edit) and not a real setting of another provider; other keys are left alone.
 */

/**
 * Optimal string alignment distance (Damerau-Levenshtein restricted to adjacent transpositions):
 * insertions, deletions, substitutions and swaps of two neighbours each cost 1.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++)
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/** Case, `_` and `-` do not tell two names apart: `mrs_endpoint`, `MrsEndPoint` and `mrsEndpoint` are one. */
function folded(name: string): string {
  return name.toLowerCase().replace(/[_-]/g, "");
}

/**
 * Whether `name` reads as a typo of `ours`: the same but for case, `_` or `-`; one edit away; or,
 * for names longer than five letters, two edits away while keeping the first three letters
 * (`mrsEnpont`) or holding the whole of ours (`bkAppCode`). Two edits at the start reach other
 * words of the same shape (`ecsEndpoint`, `jobUrl`), and so does a second edit of a short name.
 */
export function isTypoOf(name: string, ours: string): boolean {
  const [a, b] = [folded(name), folded(ours)];
  const distance = editDistance(a, b);
  if (distance <= 1) return true;
  if (distance > 2 || b.length <= 5) return false;
  return a.slice(0, 3) === b.slice(0, 3) || a.includes(b) || b.includes(a);
}

/** `projectName` as Terraform spells it: `project_name`. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** The known name closest to `name` (ties: the first in `known`), or undefined when none is known. */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(folded(name), folded(candidate));
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best?.name;
}

/**
 * The setting of ours that `name` misspells, in a namespace shared with other providers: undefined
 * when `name` is one of ours, exactly a real setting of another provider (`others`, in camelCase or
 * snake_case), nearer to one of theirs that is not ours than to any of ours (`Regional` misspells
 * the Huawei Cloud provider's `regional`, not our `region`), or not a typo of any of ours. The
 * closest of ours wins.
 */
export function misspelledOf(
  name: string,
  ours: readonly string[],
  others: readonly string[] = [],
): string | undefined {
  if (ours.includes(name) || others.some((other) => name === other || name === snakeCase(other)))
    return undefined;
  const typos = ours.filter((candidate) => isTypoOf(name, candidate));
  if (typos.length === 0) return undefined;
  const meant = nearestName(name, typos) as string;
  const distance = (other: string) => editDistance(folded(name), folded(other));
  const theirs = others.filter((other) => !ours.includes(other));
  return theirs.some((other) => distance(other) < distance(meant)) ? undefined : meant;
}
