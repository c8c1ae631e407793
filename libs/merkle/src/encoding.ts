/** Standard base64 (RFC 4648 §4, padded), as Go's base64.StdEncoding writes it. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Strict standard base64 decoding: padding required, no whitespace or URL alphabet, canonical
 * trailing bits. Returns undefined for anything else (Buffer.from would silently skip junk).
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const buf = Buffer.from(text, 'base64');
  if (buf.toString('base64') !== text) return undefined;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Decode hex (any case); undefined when not an even-length hex string. */
export function fromHex(text: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) return undefined;
  return new Uint8Array(Buffer.from(text, 'hex'));
}
