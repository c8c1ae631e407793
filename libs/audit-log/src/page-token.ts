import { createHash } from 'node:crypto';
import { AuditPageTokenError } from './errors';

/**
 * Opaque cursor for `list`: the position (commit time, sequence) of the last record returned,
 * bound to a digest of the filter so a token cannot be replayed against another query.
 */
export interface PageCursor {
  committedUs: bigint;
  sequence: bigint;
}

/** Short digest of a filter; a token is only valid for the filter it was issued for. */
export function filterDigest(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 12);
}

/** Encode a cursor for the given filter digest. */
export function encodePageToken(cursor: PageCursor, digest: string): string {
  const body = JSON.stringify({
    c: cursor.committedUs.toString(),
    s: cursor.sequence.toString(),
    f: digest,
  });
  return Buffer.from(body).toString('base64url');
}

/** Decode a token; throws `AuditPageTokenError` when malformed or issued for another filter. */
export function decodePageToken(token: string, digest: string): PageCursor {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    if (body.f !== digest) throw new Error('filter mismatch');
    if (typeof body.c !== 'string' || typeof body.s !== 'string') throw new Error('shape');
    return { committedUs: BigInt(body.c), sequence: BigInt(body.s) };
  } catch {
    throw new AuditPageTokenError('page_token: not a token issued for this query');
  }
}
