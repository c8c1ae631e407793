import { describe, expect, it } from 'vitest';
import { CheckpointFormatError, formatCheckpoint, parseCheckpoint } from './checkpoint';
import { toBase64 } from './encoding';
import { hashLeaf } from './hasher';
import { NoteKeyError, generateNoteKeys, parseSignerKey, parseVerifierKey } from './note-keys';
import { openCheckpoint, signCheckpoint } from './signed-checkpoint';
import { NoteError, openNote, signNote } from './signed-note';

// Published example of golang.org/x/mod/sumdb/note (its tests and package docs): Ed25519 is
// deterministic, so signing the same text must give the same bytes as Go.
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  'If you think cryptography is the answer to your problem,\n' +
  "then you don't know what your problem is.\n";
const GO_SIG_LINE =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

const seeded = (byte: number) => () => new Uint8Array(32).fill(byte);

describe('note keys', () => {
  it('read Go key strings and derive the same verifier key and key id', () => {
    const signer = parseSignerKey(GO_SKEY);
    expect(signer.verifierKey).toBe(GO_VKEY);
    expect(signer.keyId).toBe(0xc74f20a3);
    expect(parseVerifierKey(GO_VKEY)).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3 });
  });

  it('generate key pairs that round-trip, deterministically from the injected seed', () => {
    const a = generateNoteKeys('nethical.test/log', seeded(7));
    expect(a).toEqual(generateNoteKeys('nethical.test/log', seeded(7)));
    expect(a.signerKey).toMatch(/^PRIVATE\+KEY\+nethical\.test\/log\+[0-9a-f]{8}\+/);
    expect(parseSignerKey(a.signerKey).verifierKey).toBe(a.verifierKey);
    expect(generateNoteKeys('nethical.test/log').verifierKey).not.toBe(a.verifierKey);
  });

  it('reject malformed keys, wrong key ids and bad names', () => {
    const { signerKey, verifierKey } = generateNoteKeys('k', seeded(1));
    const [name, id, key] = verifierKey.split('+') as [string, string, string];
    const wrongId = (parseInt(id, 16) ^ 1).toString(16).padStart(8, '0');
    for (const bad of [
      '',
      `${name}+${id}`,
      `${name}+${wrongId}+${key}`,
      `${name}+${id}+${key.slice(0, -4)}`,
      `${name}+${id}+${toBase64(Uint8Array.of(2, ...new Uint8Array(32)))}`,
      `bad name+${id}+${key}`,
    ]) {
      expect(() => parseVerifierKey(bad), bad).toThrow(NoteKeyError);
    }
    expect(() => parseSignerKey(signerKey.replace('PRIVATE', 'PUBLIC'))).toThrow(NoteKeyError);
    expect(() => parseSignerKey(signerKey.replace(/\+k\+/, '+j+'))).toThrow(NoteKeyError);
    expect(() => generateNoteKeys('a+b')).toThrow(NoteKeyError);
  });
});

describe('signed notes', () => {
  it('sign byte-exactly like Go and open', () => {
    const note = signNote(GO_TEXT, [parseSignerKey(GO_SKEY)]);
    expect(note).toBe(`${GO_TEXT}\n${GO_SIG_LINE}`);
    const opened = openNote(new TextEncoder().encode(note), [parseVerifierKey(GO_VKEY)]);
    expect(opened.text).toBe(GO_TEXT);
    expect(opened.signatures).toHaveLength(1);
  });

  it('separates unknown keys, rejects tampering, bad signatures and malformed text', () => {
    const mine = parseSignerKey(generateNoteKeys('mine', seeded(2)).signerKey);
    const other = parseSignerKey(generateNoteKeys('other', seeded(3)).signerKey);
    const v = parseVerifierKey(mine.verifierKey);
    const note = signNote('hello\n', [mine, other]);
    const opened = openNote(note, [v]);
    expect(opened.signatures.map((s) => s.name)).toEqual(['mine']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['other']);

    const code = (fn: () => unknown) => {
      try {
        fn();
        return 'ok';
      } catch (err) {
        return err instanceof NoteError ? err.code : String(err);
      }
    };
    expect(code(() => openNote(note, [parseVerifierKey(other.verifierKey)]))).toBe('ok');
    expect(code(() => openNote(signNote('hello\n', [other]), [v]))).toBe('unverified');
    expect(code(() => openNote(note.replace('hello', 'hellO'), [v]))).toBe('invalid-signature');
    expect(code(() => openNote('hello\n', [v]))).toBe('malformed');
    expect(code(() => openNote(note.replace('\u2014', '-'), [v]))).toBe('malformed');
    expect(code(() => openNote(note.replace('hello', 'hel\tlo'), [v]))).toBe('malformed');
    expect(code(() => openNote(note.slice(0, -1), [v]))).toBe('malformed');
    expect(code(() => openNote(Uint8Array.of(0xff, 10, 10), [v]))).toBe('malformed');
    expect(code(() => signNote('no newline', [mine]))).toBe('malformed');
  });
});

describe('checkpoints', () => {
  const rootHash = hashLeaf(new Uint8Array(0));
  const body = `example.com/log\n42\n${toBase64(rootHash)}\n`;

  it('format and parse the C2SP body, with extension lines', () => {
    expect(formatCheckpoint({ origin: 'example.com/log', size: 42, rootHash })).toBe(body);
    expect(parseCheckpoint(body)).toEqual({ origin: 'example.com/log', size: 42, rootHash });
    const ext = parseCheckpoint(`${body}ext one\n`);
    expect(ext.extensions).toEqual(['ext one']);
    expect(formatCheckpoint(ext)).toBe(`${body}ext one\n`);
  });

  it('reject malformed bodies', () => {
    const b64 = toBase64(rootHash);
    for (const bad of [
      `o\n42\n${b64}`,
      `o\n042\n${b64}\n`,
      `o\n-1\n${b64}\n`,
      `o\n4 2\n${b64}\n`,
      `o\n42\n${b64.slice(0, -1)}\n`,
      `o\n42\n${toBase64(rootHash.subarray(1))}\n`,
      `\n42\n${b64}\n`,
      `o\n42\n${b64}\n\n`,
      `o\n42\n`,
      `o\n99999999999999999999\n${b64}\n`,
    ]) {
      expect(() => parseCheckpoint(bad), JSON.stringify(bad)).toThrow(CheckpointFormatError);
    }
  });

  it('sign and open, checking the origin', () => {
    const signer = parseSignerKey(generateNoteKeys('example.com/log', seeded(4)).signerKey);
    const note = signCheckpoint({ origin: 'example.com/log', size: 42, rootHash }, [signer]);
    const v = parseVerifierKey(signer.verifierKey);
    expect(openCheckpoint(note, [v], 'example.com/log').checkpoint.size).toBe(42);
    expect(() => openCheckpoint(note, [v], 'other.log')).toThrow(CheckpointFormatError);
  });
});
