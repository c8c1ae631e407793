/** One piece of the action text: plain, or covered by evidence of the listed violations. */
export interface Segment {
  text: string;
  /** Indices of the violations whose evidence covers this piece (empty: plain text). */
  marks: number[];
}

/**
 * Split `text` at evidence span boundaries (UTF-16 offsets, end exclusive, as the judge reports
 * them), so each piece can be marked with the violations covering it. Overlapping spans are
 * allowed; spans outside the text are clipped.
 */
export function segments(
  text: string,
  spans: readonly { start: number; end: number; violation: number }[],
): Segment[] {
  const cuts = new Set([0, text.length]);
  const valid = spans
    .map((s) => ({
      ...s,
      start: Math.max(0, Math.min(s.start, text.length)),
      end: Math.max(0, Math.min(s.end, text.length)),
    }))
    .filter((s) => s.end > s.start);
  for (const s of valid) cuts.add(s.start).add(s.end);
  const points = [...cuts].sort((a, b) => a - b);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [from, to] = [points[i]!, points[i + 1]!];
    const marks = [
      ...new Set(valid.filter((s) => s.start <= from && s.end >= to).map((s) => s.violation)),
    ].sort((a, b) => a - b);
    const last = out.at(-1);
    if (last && last.marks.join() === marks.join()) last.text += text.slice(from, to);
    else out.push({ text: text.slice(from, to), marks });
  }
  return out;
}
