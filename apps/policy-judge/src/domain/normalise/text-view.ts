import type { Span } from '../finding.js';

/** How a view was derived from the original action text. */
export type ViewKind = 'raw' | 'folded' | 'leet' | 'informal' | 'rot13' | 'base64' | 'hex' | 'url';

/**
 * One text the detectors scan. `raw` is the action content itself; the other views are
 * de-obfuscated or decoded copies. Every view can map a match back to the ORIGINAL text:
 * per-character maps for `folded` and `informal` (through the map of the view it was read from),
 * identity for `rot13` and `leet` (same length; `leet` of a folded text uses the folded map), and the encoded
 * segment for decoded payloads (a decoded byte has no single source character).
 */
export interface TextView {
  kind: ViewKind;
  text: string;
  /** Map a `[start, end)` range of `text` to the original content. */
  toOriginal(start: number, end: number): Span;
}

/** The identity view over the original content. */
export function rawView(text: string, kind: ViewKind = 'raw'): TextView {
  return { kind, text, toOriginal: (start, end) => ({ start, end }) };
}

/** A decoded payload: every match maps to the whole encoded segment. */
export function segmentView(kind: ViewKind, text: string, segment: Span): TextView {
  return { kind, text, toOriginal: () => ({ start: segment.start, end: segment.end }) };
}

/**
 * A view built character by character from `source`: view character `i` came from the source
 * code point that starts at `starts[i]` (its end is derived: one code unit, two for a surrogate
 * pair).
 */
export function mappedView(
  kind: ViewKind,
  text: string,
  source: string,
  starts: Uint32Array,
): TextView {
  const endOf = (start: number) => start + ((source.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
  return {
    kind,
    text,
    toOriginal(start, end) {
      if (text.length === 0) return { start: 0, end: 0 };
      const s = starts[Math.min(start, text.length - 1)] ?? 0;
      const last = starts[Math.max(0, Math.min(end, text.length) - 1)];
      const e = last === undefined ? s : endOf(last);
      return { start: s, end: Math.max(s, e) };
    },
  };
}
