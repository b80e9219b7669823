/**
 * `patch_file`'s rule (issue: "`old_string` must occur exactly once"): an edit must name one place
 * unambiguously, or it is not made. Occurrences are counted overlapping too (`"aa"` occurs twice in
 * `"aaa"`), because either reading of such a match would be a guess.
 */

/** How often `needle` (non-empty) occurs in `text`, overlapping occurrences included, and where the first is. */
export function countOccurrences(text: string, needle: string): { count: number; first: number } {
  const first = text.indexOf(needle);
  let count = 0;
  for (let at = first; at !== -1; at = text.indexOf(needle, at + 1)) count += 1;
  return { count, first };
}

/** The index of the only occurrence of `oldString` in `text`; throws when it occurs zero or several times. */
export function findOnlyOccurrence(action: string, target: string, text: string, oldString: string): number {
  const { count, first } = countOccurrences(text, oldString);
  if (count === 0) throw new Error(`${action}: old_string not found in ${JSON.stringify(target)}`);
  if (count > 1) {
    throw new Error(`${action}: old_string occurs ${count} times in ${JSON.stringify(target)}; it must occur exactly once, so include more of the surrounding text`);
  }
  return first;
}
