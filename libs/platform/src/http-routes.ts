import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** A plain HTTP route served beside the RPC services on the same port. */
export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  /**
   * A find-my-way path (`/v1/audit/:actionId`): static segments match exactly, `:name` matches
   * one segment, percent-decoded into `params.name`; `*` matches the rest (`params['*']`).
   */
  path: string;
  /** A probe (health): answered even when the server refuses other work under overload. */
  probe?: boolean;
  handler: (
    req: NodeRequest,
    res: NodeResponse,
    params: Record<string, string>,
    query: URLSearchParams,
  ) => Promise<void> | void;
}

/** Write a JSON body with status and optional headers. */
export function sendJson(
  res: NodeResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  (res as ServerResponse).writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: NodeResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  (res as ServerResponse).writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Thrown by readBody when the body exceeds its limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/**
 * Read a request body up to `limit` bytes. Rejects early (from Content-Length, or as soon as
 * the limit is crossed) instead of buffering an oversized body.
 */
export async function readBody(req: NodeRequest, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new BodyTooLargeError(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
