/**
 * A bare gRPC unary caller on node:http2, for measurement only (see transport-floor.ts): it takes
 * the client library out of a latency figure. One frame out, the reply's frames concatenated,
 * `grpc-status` from the trailers. No deadlines, reconnection, compression or status details;
 * nothing outside perf/ uses it.
 */
import http2 from 'node:http2';

export interface RawGrpcClient {
  /** Call `path` with an already-serialised request; resolves the reply message bytes. */
  unary(path: string, request: Uint8Array, done: (err: Error | null, reply?: Buffer) => void): void;
  close(): void;
}

export async function connectRawGrpc(authority: string): Promise<RawGrpcClient> {
  const session = http2.connect(authority);
  await new Promise<void>((resolve, reject) => session.once('connect', () => resolve()).once('error', reject));
  return {
    unary(path, request, done) {
      const frame = Buffer.allocUnsafe(5 + request.length);
      frame[0] = 0;
      frame.writeUInt32BE(request.length, 1);
      frame.set(request, 5);
      const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let failed: Error | undefined;
      stream.on('response', (h) => {
        // Trailers-only reply (an error): the status is in the headers.
        if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      });
      stream.on('trailers', (t) => {
        status = String(t['grpc-status']);
      });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e) => {
        failed = e;
      });
      stream.on('close', () => {
        if (failed) return done(failed);
        if (status !== '0') return done(new Error(`grpc-status ${status ?? 'missing'}`));
        const body = Buffer.concat(chunks);
        if (body.length < 5) return done(new Error('no reply message'));
        done(null, body.subarray(5, 5 + body.readUInt32BE(1)));
      });
      stream.end(frame);
    },
    close: () => session.close(),
  };
}
