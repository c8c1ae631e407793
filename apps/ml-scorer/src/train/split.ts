/**
 * The deterministic train / validation / test split. Examples are grouped before hashing: every
 * jailbreak wrapping of one harmful goal, the bare goal itself and every response to it share a
 * group key, so no goal is seen in training and then "detected" in the held-out split.
 */
import { createHash } from 'node:crypto';

/** Which split an example belongs to. */
export type SplitName = 'train' | 'validation' | 'test';

/** Bucket ranges out of 100: test [0, 20), validation [20, 35), train [35, 100). */
export const SPLIT_SPEC = {
  salt: 'nethical-ml-split-v1',
  testBelow: 20,
  validationBelow: 35,
} as const;

/** Lower-cases and collapses everything but letters and digits, so trivial variants group together. */
export function groupKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The split of a group key (stable across runs and machines). */
export function splitOf(key: string): SplitName {
  const digest = createHash('sha256').update(`${SPLIT_SPEC.salt}:${key}`).digest();
  const bucket = digest.readUInt32BE(0) % 100;
  if (bucket < SPLIT_SPEC.testBelow) return 'test';
  if (bucket < SPLIT_SPEC.validationBelow) return 'validation';
  return 'train';
}
