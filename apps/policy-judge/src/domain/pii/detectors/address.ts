/**
 * Postal addresses, US/UK/Commonwealth style only: a house number, up to four capitalised words
 * and a street suffix, optionally followed by a unit and ", City, ST 12345"; plus PO boxes.
 * Addresses in other conventions (suffix-less, street name first) are not recognised.
 */
import type { Emit } from './scan-context.js';

const SUFFIX =
  '(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Crescent|Cres|Close|Loop|Alley|Plaza|Row|Grove|Gardens|Mews)';
const STREET = `\\d{1,6}[A-Za-z]?[ ]{1,3}(?:[A-Z][A-Za-z'.-]{0,24}[ ]{1,3}){0,4}${SUFFIX}\\b\\.?(?:[ ](?:N|S|E|W|NE|NW|SE|SW)\\b\\.?)?`;
const UNIT = "(?:,?[ ]{1,3}(?:Apt|Apartment|Suite|Ste|Unit|Flat|#)\\.?[ ]{0,2}#?[A-Za-z0-9-]{1,6})?";
const CITY = '(?:,[ ]{0,3}[A-Z][A-Za-z.\'-]{1,24}(?:[ ][A-Z][A-Za-z.\'-]{1,24}){0,2}(?:,[ ]{0,3}[A-Z]{2})?(?:[ ]{1,3}\\d{5}(?:-\\d{4})?)?)?';
const ADDRESS_RE = new RegExp(`(?<![\\w])(?:${STREET}${UNIT}${CITY}|P\\.?[ ]?O\\.?[ ]?Box[ ]{1,3}\\d{1,8})(?![\\w])`, 'g');

/** Emit `STREET_ADDRESS` (confidence 0.7: suffix words like "Way" or "Dr" also occur in prose). */
export function detectAddresses(text: string, emit: Emit): void {
  ADDRESS_RE.lastIndex = 0;
  for (let m = ADDRESS_RE.exec(text); m !== null; m = ADDRESS_RE.exec(text)) {
    emit('STREET_ADDRESS', m.index, m.index + m[0].length, 0.7);
  }
}
