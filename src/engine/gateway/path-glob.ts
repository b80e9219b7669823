/**
 * The glob dialect of approval rules (issue #4 §8), deliberately small: `*` matches any run of
 * characters within one component (a leading dot included — matching more only asks for more
 * approvals), `**` as a whole component matches any number of components (zero included), and every
 * other character is literal (`?`, `[`, `{` have no meaning). Matching is by components, never by
 * string prefix.
 */

/** `*` within one component: the literal pieces must appear in order, anchored at both ends. */
export function matchesComponent(pattern: string, name: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === name;
  const first = pieces[0] ?? '';
  const last = pieces[pieces.length - 1] ?? '';
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = name.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/**
 * Whether glob components match path components in full. Dynamic programming over (glob, path)
 * positions, so a glob with many `**` stays linear in the product of the lengths.
 */
export function matchesGlob(glob: readonly string[], components: readonly string[]): boolean {
  const memo = new Map<number, boolean>();
  const width = components.length + 1;
  const match = (g: number, c: number): boolean => {
    const key = g * width + c;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    const pattern = glob[g];
    if (pattern === undefined) result = c === components.length;
    else if (pattern === '**') result = match(g + 1, c) || (c < components.length && match(g, c + 1));
    else {
      const name = components[c];
      result = name !== undefined && matchesComponent(pattern, name) && match(g + 1, c + 1);
    }
    memo.set(key, result);
    return result;
  };
  return match(0, 0);
}
