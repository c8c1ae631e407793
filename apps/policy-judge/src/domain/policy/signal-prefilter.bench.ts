/**
 * Cost of the signal prefilter (one automaton pass + the formulas) against what it saves:
 * scanning every signal's alternation over the same text.
 * Run: npx vitest bench --config config/vitest.config.ts --run apps/policy-judge/src/domain/policy
 * Figures on the shared 2-core machine are noisy; compare cases within one run.
 */
import { readFileSync } from 'node:fs';
import { bench, describe } from 'vitest';
import { generateCorpus, oneKilobyteAction } from '../../../bench/corpus.js';
import { compilePolicy, signalPossible } from './compile-policy.js';

const policy = compilePolicy(
  readFileSync(new URL('../../../../../config/policies/default.json', import.meta.url), 'utf8'),
  'default.json',
);
const corpus = generateCorpus(500).map((a) => a.content);
const kb = oneKilobyteAction();
const signals = [...policy.signals.values()];
let i = 0;

function scanAll(text: string): number {
  let n = 0;
  for (const s of signals) {
    s.re.lastIndex = 0;
    if (s.re.test(text)) n++;
  }
  return n;
}

function scanPossible(text: string): number {
  const possible = policy.prefilter.possibleSignals(text);
  let n = 0;
  for (const s of signals) {
    if (!signalPossible(s, possible)) continue;
    s.re.lastIndex = 0;
    if (s.re.test(text)) n++;
  }
  return n;
}

describe('every signal over one corpus prompt', () => {
  bench(
    'prefilter only',
    () => void policy.prefilter.possibleSignals(corpus[i++ % corpus.length]!),
  );
  bench(
    'prefilter, then the possible signals',
    () => void scanPossible(corpus[i++ % corpus.length]!),
  );
  bench('every signal scanned', () => void scanAll(corpus[i++ % corpus.length]!));
});

describe('every signal over a 1 KB action', () => {
  bench('prefilter only', () => void policy.prefilter.possibleSignals(kb));
  bench('prefilter, then the possible signals', () => void scanPossible(kb));
  bench('every signal scanned', () => void scanAll(kb));
});
