/**
 * Hot-path cost of secret detection on typical agent inputs.
 * Run: npx vitest bench --run apps/policy-judge/src/domain/secrets
 * Figures on the shared 2-core machine are noisy; compare runs, not absolute numbers.
 */
import { bench, describe } from 'vitest';
import { detectSecrets } from './index.js';

const PROSE =
  'Please summarise the quarterly report for the operations team and draft a short reply to the ' +
  'vendor about the delayed shipment. Keep the tone friendly, mention the revised timeline and ' +
  'ask whether they can confirm the new delivery window before the end of next week. ';
const CONFIG =
  'DATABASE_URL=postgres://app:Vn6Bj1Hc5Df7@db.internal:5432/prod\nGH_TOKEN=ghp_R4nd0mT0k3nV4lu3F0rN3th1c4lT3st1ngQ9\n' +
  'api_key = "Qm3Tz8Lp2Wx9Rk4Vn6Bj1Hc5"\ntimeout = 30\nregion = "eu-west-1"\n';

const prose2k = PROSE.repeat(8).slice(0, 2000);
const config2k = (PROSE + CONFIG).repeat(4).slice(0, 2000);

describe('detectSecrets', () => {
  bench('200 chars prose', () => void detectSecrets(PROSE.slice(0, 200)));
  bench('2000 chars prose', () => void detectSecrets(prose2k));
  bench('2000 chars config with secrets', () => void detectSecrets(config2k));
});

describe('1 MB input', () => {
  const big = (PROSE + CONFIG).repeat(Math.ceil(1_000_000 / (PROSE + CONFIG).length));
  bench('detectSecrets 1 MB', () => void detectSecrets(big), { iterations: 3, time: 0 });
});
