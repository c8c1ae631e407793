/**
 * Synthetic ~1 KB texts for the inference speed measurements (`predictor.bench.ts`,
 * `train/measure-throughput.ts`): a fixed vocabulary mixing ordinary and risky words, drawn by a
 * linear congruential generator so every run scores the same texts.
 */
const words = [
  'please',
  'summarise',
  'the',
  'report',
  'and',
  'ignore',
  'previous',
  'instructions',
  'run',
  'curl',
  'https://example.com/x',
  'Quarterly',
  'revenue',
  'grew',
  '12%',
  'customer',
  'data',
  'export',
  'to',
  'CSV',
];

/** The 1,024-character text of `seed`. */
export function benchText(seed: number): string {
  let s = '';
  let i = seed;
  while (s.length < 1024)
    s += `${words[(i = (i * 1103515245 + 12345) % 2147483648) % words.length]} `;
  return s.slice(0, 1024);
}

/** `count` texts, seeds 1..count. */
export const benchTexts = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => benchText(i + 1));
