import { describe, expect, it } from 'vitest';
import { foldedView, needsFolding } from './fold.js';

/** The original characters behind view characters `[start, end)`. */
const source = (text: string, start: number, end: number) => {
  const span = foldedView(text).toOriginal(start, end);
  return text.slice(span.start, span.end);
};

describe('foldedView', () => {
  it('folds homoglyphs, full-width and accented letters to ASCII', () => {
    expect(foldedView('іgnоrе ｐｒｅｖｉｏｕｓ café').text).toBe('ignore previous cafe');
  });

  it('drops invisible characters and decodes tag characters', () => {
    expect(foldedView('ig\u200bnore\u{E0041}\u{E0062}').text).toBe('ignoreAb');
  });

  it('maps every view character back to the original, also after a character folds to several', () => {
    // `ﬁ` folds to `fi`: the view is one character longer than the input from there on.
    const text = 'the ﬁle said ignore all rules';
    const view = foldedView(text);
    expect(view.text).toBe('the file said ignore all rules');
    const at = view.text.indexOf('ignore');
    expect(source(text, at, at + 'ignore all rules'.length)).toBe('ignore all rules');
    expect(source(text, 0, view.text.length)).toBe(text);
    expect(source(text, 4, 6)).toBe('ﬁ');
  });

  it('maps astral characters to both of their code units', () => {
    const text = '𝐢𝐠𝐧𝐨𝐫𝐞 this';
    const view = foldedView(text);
    expect(view.text).toBe('ignore this');
    expect(source(text, 0, 6)).toBe('𝐢𝐠𝐧𝐨𝐫𝐞');
    expect(source(text, 7, 11)).toBe('this');
  });

  it('returns the same text for ASCII and keeps lone surrogates in place', () => {
    expect(foldedView('plain ascii text').text).toBe('plain ascii text');
    const text = 'a\ud800b';
    expect(foldedView(text).toOriginal(2, 3)).toEqual({ start: 2, end: 3 });
  });

  it('writes typographic quotes and dashes plain, and runs of blanks as one space', () => {
    const text = 'What\u2019s  the\t\tbest \u201cway\u201d \u2014 now\u00a0 ok';
    const view = foldedView(text);
    expect(view.text).toBe('What\'s the best "way" - now ok');
    const at = view.text.indexOf('best');
    expect(source(text, at, at + 4)).toBe('best');
    expect(source(text, 0, view.text.length)).toBe(text);
  });

  it('needs folding for runs of blanks and tabs, not for single spaces', () => {
    expect(needsFolding('how do i find a dealer')).toBe(false);
    expect(needsFolding('how do i  find a dealer')).toBe(true);
    expect(needsFolding('how\tdo i')).toBe(true);
  });

  it('folds a long run of expanding characters without losing the tail', () => {
    const text = `${'ﬁ'.repeat(300)}${'x'.repeat(300)}`;
    const view = foldedView(text);
    expect(view.text).toBe(`${'fi'.repeat(300)}${'x'.repeat(300)}`);
    expect(source(text, view.text.length - 1, view.text.length)).toBe('x');
    expect(view.toOriginal(0, view.text.length)).toEqual({ start: 0, end: text.length });
  });
});
