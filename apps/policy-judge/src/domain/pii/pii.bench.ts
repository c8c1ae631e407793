/**
 * Hot-path cost of PII detection and redaction on typical agent inputs (200-2000 chars).
 * Run: npx vitest bench --run apps/policy-judge/src/domain/pii
 * Figures on the shared 2-core machine are noisy; compare runs, not absolute numbers.
 */
import { bench, describe } from 'vitest';
import { detectPii } from './index.js';
import { redact } from './redact.js';

const PROSE =
  'Please summarise the quarterly report for the operations team and draft a short reply to the ' +
  'vendor about the delayed shipment. Keep the tone friendly, mention the revised timeline and ' +
  'ask whether they can confirm the new delivery window before the end of next week. ';
const WITH_PII =
  'Customer Ana Lopez (ana.lopez@mail.nethical-demo.io, +44 20 7946 0321) paid with card ' +
  '4739 2058 1640 7329; refund to GB91 BARC 2003 9512 3456 78. Server 10.20.30.40 logged it. ';

const short = PROSE.slice(0, 200);
const medium = (PROSE + WITH_PII).repeat(2).slice(0, 800);
const long = (PROSE.repeat(3) + WITH_PII).repeat(2).slice(0, 2000);
const proseOnly2k = PROSE.repeat(8).slice(0, 2000);

describe('detectPii standard', () => {
  bench('200 chars prose', () => void detectPii(short));
  bench('800 chars with PII', () => void detectPii(medium));
  bench('2000 chars with PII', () => void detectPii(long));
  bench('2000 chars prose only', () => void detectPii(proseOnly2k));
});

describe('detectPii by policy (2000 chars with PII)', () => {
  bench('minimal', () => void detectPii(long, { policy: 'minimal' }));
  bench('standard', () => void detectPii(long, { policy: 'standard' }));
  bench('aggressive', () => void detectPii(long, { policy: 'aggressive' }));
});

describe('redact', () => {
  const entities = detectPii(long);
  bench('redact 2000 chars (entities given)', () => void redact(long, entities, 'standard'));
});

describe('1 MB input', () => {
  const big = (PROSE + WITH_PII).repeat(Math.ceil(1_000_000 / (PROSE + WITH_PII).length));
  bench('detectPii standard 1 MB', () => void detectPii(big), { iterations: 3, time: 0 });
});
