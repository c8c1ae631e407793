import { findEncodedSegments, rot13, rot13Likely } from './decoders.js';
import { foldedView, needsFolding } from './fold.js';
import { informalLikely, informalView } from './informal.js';
import { deleet, leetLikely } from './leet.js';
import { rawView, segmentView, type TextView } from './text-view.js';

/** Bounds of the normaliser, from the policy's `limits`. */
export interface NormaliserLimits {
  /** Decoded payloads scanned at most (base64/hex/url). */
  maxDecodedSegments: number;
  /** Decoded payloads are themselves decoded again up to this depth (base64 inside base64). */
  maxDecodeDepth: number;
}

/**
 * Build every view detectors should scan: the original, the folded (homoglyph/zero-width)
 * view when the text is not plain ASCII, leetspeak read as letters (one view with `1` as `i`,
 * one with `1` as `l`) when a word mixes digits into letters, chat spelling read as standard English
 * ("how 2", "whats", "u", "dont") when the text has such a token, a ROT13 view when the text looks rotated, and each
 * decoded payload (recursively, bounded). Views equal to the original are dropped.
 */
export function buildViews(text: string, limits: NormaliserLimits): TextView[] {
  const views: TextView[] = [rawView(text)];
  let plain: TextView = views[0]!;
  if (needsFolding(text)) {
    const folded = foldedView(text);
    if (folded.text !== text) {
      views.push(folded);
      plain = folded;
    }
  }
  // Leetspeak, read from the folded text when there is one (same length: the folded view's map).
  if (leetLikely(plain.text)) {
    // The `l` reading differs from the `i` one only where there is a `1` to read.
    for (const one of plain.text.includes('1') ? (['i', 'l'] as const) : (['i'] as const)) {
      const read = deleet(plain.text, one);
      if (read !== plain.text && !views.some((v) => v.text === read)) {
        views.push({ kind: 'leet', text: read, toOriginal: plain.toOriginal });
      }
    }
  }
  if (informalLikely(plain.text)) {
    const read = informalView(plain);
    if (read) views.push(read);
  }
  if (rot13Likely(text)) views.push(rawView(rot13(text), 'rot13'));
  let frontier: Array<{ text: string; depth: number; origin?: TextView }> = [{ text, depth: 0 }];
  let budget = limits.maxDecodedSegments;
  while (frontier.length > 0 && budget > 0) {
    const next: typeof frontier = [];
    for (const item of frontier) {
      if (item.depth >= limits.maxDecodeDepth || budget <= 0) continue;
      for (const seg of findEncodedSegments(item.text, budget)) {
        budget--;
        // Nested payloads map to the outermost encoded segment of the original text.
        const span = item.origin ? item.origin.toOriginal(0, 1) : seg.segment;
        const view = segmentView(seg.kind, seg.text, span);
        views.push(view);
        if (needsFolding(seg.text))
          views.push(segmentView(seg.kind, foldedView(seg.text).text, span));
        next.push({ text: seg.text, depth: item.depth + 1, origin: view });
      }
    }
    frontier = next;
  }
  return views;
}
