/**
 * Character tables for char-code loops that stand in front of regexes: a pass over
 * `charCodeAt` that proves a pattern cannot match is much cheaper than the regex trying every
 * position of ordinary prose.
 */

/** Code units `\s` matches (built from the regex itself, so the two always agree). */
export const WHITESPACE = new Uint8Array(0x10000);
for (let c = 0; c < 0x10000; c++) if (/\s/.test(String.fromCharCode(c))) WHITESPACE[c] = 1;

/** A 128-entry table marking the (ASCII) characters of `chars`. */
export function asciiTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}

/** Whether `text` has `min` consecutive characters of the ASCII `table` (a `[class]{min,}` can match). */
export function hasRun(text: string, table: Uint8Array, min: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && table[c] === 1) {
      if (++run >= min) return true;
    } else run = 0;
  }
  return false;
}
