import { create } from '@bufbuild/protobuf';
import { TimestampSchema, type Timestamp } from '@bufbuild/protobuf/wkt';

/**
 * The audit log keeps time at microsecond precision, because that is what PostgreSQL
 * `timestamptz` stores: anything finer would not survive a round trip and the recomputed
 * leaf would differ. Times travel as bigint microseconds since the Unix epoch.
 */

/** Microseconds since the epoch of a protobuf Timestamp (nanoseconds are truncated). */
export function timestampToMicros(ts: Timestamp): bigint {
  return ts.seconds * 1_000_000n + BigInt(Math.floor(ts.nanos / 1000));
}

/** A protobuf Timestamp at the given microsecond. */
export function microsToTimestamp(micros: bigint): Timestamp {
  let seconds = micros / 1_000_000n;
  let rest = micros % 1_000_000n;
  if (rest < 0n) {
    seconds -= 1n;
    rest += 1_000_000n;
  }
  return create(TimestampSchema, { seconds, nanos: Number(rest) * 1000 });
}

/**
 * RFC 3339 in UTC with exactly six fractional digits, e.g. `2026-11-27T06:48:12.123456Z`.
 * This is the form used in the canonical leaf and accepted by PostgreSQL as input.
 */
export function microsToIso(micros: bigint): string {
  let ms = micros / 1000n;
  let sub = micros % 1000n;
  if (sub < 0n) {
    ms -= 1n;
    sub += 1000n;
  }
  const base = new Date(Number(ms)).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  return `${base.slice(0, 23)}${sub.toString().padStart(3, '0')}Z`;
}

/** Microseconds of an RFC 3339 string with up to 9 fractional digits (UTC `Z` or an offset). */
export function isoToMicros(iso: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) throw new Error(`not an RFC 3339 timestamp: ${iso}`);
  const wholeMs = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(wholeMs)) throw new Error(`not an RFC 3339 timestamp: ${iso}`);
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(wholeMs) * 1000n + BigInt(frac);
}

/** Microseconds of a clock reading in milliseconds. */
export function msToMicros(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1000n;
}
