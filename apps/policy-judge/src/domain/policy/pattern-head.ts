/**
 * The leading group of a pattern (its "head"): for `(?:H)R`, the source `(?:H)`, when the group
 * is not quantified and something follows it. Every match of the pattern starts with a match of
 * its head at the same position, so the positions where the head matches are the only places
 * the whole pattern needs to be tried (see `SignalHead` in compile-policy.ts).
 *
 * Patterns are in the safe subset (safe-pattern.ts: no lookaround, no backreferences), so a
 * group is a plain `(`…`)` whose brackets can be paired by skipping escapes and classes.
 */
export function patternHead(source: string): string | undefined {
  if (!source.startsWith('(?:')) return undefined;
  let depth = 0;
  let headEnd = -1;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++; // the escaped character
    } else if (c === '[') {
      // A class ends at the first unescaped `]` after its opening (JavaScript: `[]` is empty).
      for (i += source[i + 1] === '^' ? 2 : 1; i < source.length && source[i] !== ']'; i++)
        if (source[i] === '\\') i++;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      if (--depth === 0 && headEnd < 0) headEnd = i + 1;
    } else if (c === '|' && depth === 0) {
      return undefined; // `(?:H)R|S`: S need not start with H
    }
  }
  if (headEnd < 0 || headEnd >= source.length || '?*+{'.includes(source[headEnd]!))
    return undefined;
  return source.slice(0, headEnd);
}
