/**
 * Postal addresses by street pattern (no gazetteer):
 * - US/UK/Commonwealth: house number, up to four capitalised words and a street suffix
 *   ("742 Evergreen Terrace"), optionally a unit and ", City, ST 12345"; PO boxes; US military
 *   addresses (PSC/Unit/CMR ... Box ..., APO/FPO/DPO).
 * - Continental European: a street word ending in a street-type suffix followed by the house
 *   number ("Koskikatu 25", "Mellemvej 32", "Hauptstraße 5"), or a street-type word first
 *   ("Via Roma 12", "Rue Gafsa 62", "Calle Mayor 3"), optionally preceded by a postcode or number.
 * Addresses in other conventions (no street-type word, free-form rural addresses) are missed.
 */
import type { Emit } from './scan-context.js';

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Cres|Close|Loop|Alley|Plaza|Row|Grove|Gardens|Mews)';
const STREET = `\\d{1,6}[A-Za-z]?[ ]{1,3}(?:[A-Z][A-Za-z'.-]{0,24}[ ]{1,3}){0,4}${SUFFIX}\\b\\.?(?:[ ](?:N|S|E|W|NE|NW|SE|SW)\\b\\.?)?`;
const UNIT =
  '(?:,?[ ]{1,3}(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\\.?[ ]{0,2}#?[A-Za-z0-9-]{1,6})?';
const CITY =
  "(?:,[ ]{0,3}[A-Z][A-Za-z.'-]{1,24}(?:[ ][A-Z][A-Za-z.'-]{1,24}){0,2}(?:,[ ]{0,3}[A-Z]{2})?(?:[ ]{1,3}\\d{5}(?:-\\d{4})?)?)?";
const MILITARY =
  "(?:(?:PSC|Unit|CMR)[ ]\\d{3,5},?[ ]Box[ ]\\d{3,5}(?:\\s{1,3}[ADF]PO[ ]A[AEP][ ]\\d{5})?|(?:USS|USNS|USNV|USCGC)[ ][A-Z][A-Za-z\\u00C0-\\u024F'-]{1,30}\\s{1,3}FPO[ ]A[AEP][ ]\\d{5})";
const ADDRESS_RE = new RegExp(
  `(?<![\\w])(?:${STREET}${UNIT}${CITY}|${MILITARY}|P\\.?[ ]?O\\.?[ ]?Box[ ]{1,3}\\d{1,8})(?![\\w])`,
  'g',
);

/** Street-type suffixes glued to the street name (Nordic, German, Dutch, Slavic, Finnish). */
const GLUED_SUFFIX_RE =
  /(?:katu|kuja|tie|polku|vej|vænget|gade|gata|gatan|gaten|veien|vegen|väg|vägen|stræde|straße|strasse|gasse|weg|allee|platz|damm|laan|straat|gracht|ulica|utca)[ ]{1,2}\d{1,4}[a-zA-Z]?(?![\p{L}\d])/giu;
/** Street-type words written before the name (Romance languages, Polish). */
const PREFIX_STREET_RE =
  /(?<![\p{L}\d])(?:Via|Viale|Vicolo|Piazza|Corso|Rue|Avenue|Chemin|Calle|Avenida|Rua|Travessa|Carrera|Rambla|ul\.|Aleja)[ ][\p{Lu}][\p{L}'.-]{1,30}(?:[ ][\p{L}'.-]{1,30}){0,3}[ ,]{1,2}\d{1,4}[a-zA-Z]?(?![\p{L}\d])/gu;
const LETTER_RE = /[\p{L}'-]/u;

/** Emit `STREET_ADDRESS` (confidence 0.7: suffix words like "Way" or "Dr" also occur in prose). */
export function detectAddresses(text: string, emit: Emit): void {
  ADDRESS_RE.lastIndex = 0;
  for (let m = ADDRESS_RE.exec(text); m !== null; m = ADDRESS_RE.exec(text)) {
    emit('STREET_ADDRESS', m.index, m.index + m[0].length, 0.7);
  }
  // Glued suffixes: find "suffix + number" (cheap literal scan), then walk back over the
  // street word and an optional house number or postcode, so no pattern starts at every letter.
  GLUED_SUFFIX_RE.lastIndex = 0;
  for (let m = GLUED_SUFFIX_RE.exec(text); m !== null; m = GLUED_SUFFIX_RE.exec(text)) {
    let start = m.index;
    while (start > 0 && m.index - start < 30 && LETTER_RE.test(text.charAt(start - 1))) start--;
    if (m.index - start < 2) continue; // the suffix alone ("Weg 5") is too weak
    let before = start;
    while (before > 0 && text.charCodeAt(before - 1) === 32) before--;
    let digits = before;
    while (digits > 0 && before - digits < 6 && /\d/.test(text.charAt(digits - 1))) digits--;
    if (digits < before && (digits === 0 || !/[\p{L}\d]/u.test(text.charAt(digits - 1))))
      start = digits;
    emit('STREET_ADDRESS', start, m.index + m[0].length, 0.65);
  }
  PREFIX_STREET_RE.lastIndex = 0;
  for (let m = PREFIX_STREET_RE.exec(text); m !== null; m = PREFIX_STREET_RE.exec(text)) {
    emit('STREET_ADDRESS', m.index, m.index + m[0].length, 0.65);
  }
}
