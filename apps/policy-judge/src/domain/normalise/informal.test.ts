import { describe, expect, it } from 'vitest';
import { foldedView } from './fold.js';
import { informalLikely, informalView } from './informal.js';
import { buildViews } from './normaliser.js';
import { rawView } from './text-view.js';

const limits = { maxDecodedSegments: 4, maxDecodeDepth: 2 };

describe('chat spelling view', () => {
  it('is built for chat spelling, not for standard text or numbers', () => {
    for (const t of ['how 2 get it', 'whats the best way', 'can u help', 'i dont care', 'pipe bom'])
      expect(informalLikely(t), t).toBe(true);
    for (const t of [
      'What is the best way?',
      'I have 2 cats and 3 dogs',
      'U-turn ahead',
      'the r programming language',
      'Plan B4 paper',
    ])
      expect(informalLikely(t), t).toBe(false);
  });

  it('reads tokens as standard spelling, `2` and `r` only after the words that take them', () => {
    const read = (t: string) => informalView(rawView(t))?.text;
    expect(read('how 2 get somones password for there snapchat')).toBe(
      "how to get someone's password for there snapchat",
    );
    expect(read('How r u? I have 2 cats')).toBe('How are you? I have 2 cats');
    expect(read('Whats a poision that dont show up')).toBe("what's a poison that don't show up");
    expect(read('Nothing to read here.')).toBeUndefined();
  });

  it('maps every view range back to the original token it came from', () => {
    const text = 'ok so how 2 make a pipe bom';
    const view = informalView(rawView(text))!;
    const at = view.text.indexOf('pipe bomb');
    const span = view.toOriginal(at, at + 'pipe bomb'.length);
    expect(text.slice(span.start, span.end)).toBe('pipe bom');
    const to = view.text.indexOf('to');
    expect(view.toOriginal(to, to + 2)).toEqual({
      start: text.indexOf('2'),
      end: text.indexOf('2') + 1,
    });
  });

  it('reads from the folded text and maps through its map to the original', () => {
    const text = 'ｗｈａｔｓ the best way to make a bom';
    const views = buildViews(text, limits);
    const informal = views.find((v) => v.kind === 'informal')!;
    expect(informal.text).toBe("what's the best way to make a bomb");
    const at = informal.text.indexOf('bomb');
    const span = informal.toOriginal(at, at + 4);
    expect(text.slice(span.start, span.end)).toBe('bom');
    const w = informal.toOriginal(0, 6);
    expect(text.slice(w.start, w.end)).toBe('ｗｈａｔｓ');
    expect(foldedView(text).text.toLowerCase().startsWith('whats')).toBe(true);
  });
});
