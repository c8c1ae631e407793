import { findEncodedSegments, rot13, rot13Likely } from './decoders.js';
import { foldedView, needsFolding } from './fold.js';
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
 * view when the text is not plain ASCII, a ROT13 view when the text looks rotated, and each
 * decoded payload (recursively, bounded). Views equal to the original are dropped.
 */
export function buildViews(text: string, limits: NormaliserLimits): TextView[] {
  const views: TextView[] = [rawView(text)];
  if (needsFolding(text)) {
    const folded = foldedView(text);
    if (folded.text !== text) views.push(folded);
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
        if (needsFolding(seg.text)) views.push(segmentView(seg.kind, foldedView(seg.text).text, span));
        next.push({ text: seg.text, depth: item.depth + 1, origin: view });
      }
    }
    frontier = next;
  }
  return views;
}
