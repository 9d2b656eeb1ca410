import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { errUntrusted, errUsage, osError } from '../errors.ts';
import { silentLogger, type Logger } from '../log.ts';
import { workerSigner, type Signer } from './sign-worker.ts';

/**
 * Authorship of shipped records. Every message a host ships carries the
 * header `Vcstore-Sig: 1 <key ID> <signature>`: version 1, the first 16 hex
 * digits of the SHA-256 of the host's raw Ed25519 public key, and the
 * base64 Ed25519 signature of `vcstore-sig/1\n<host>\n<body>` (the body is
 * the record's canonical bytes, exactly the payload). The host is signed with
 * the body, so a record signed for one host cannot be replayed as another's.
 */
export const SIG_HEADER = 'Vcstore-Sig';
export const SIG_VERSION = 1;

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The bytes a signature covers. */
export const signedBytes = (host: string, body: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(`vcstore-sig/${SIG_VERSION}\n${host}\n`, 'utf8'), body]);

/** The raw 32-byte public key of an Ed25519 key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

export const keyIdOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex').slice(0, 16);

function publicKeyOfRaw(raw: Buffer): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The header value for a body shipped by `host` with its private key. */
export function signature(privateKey: KeyObject, keyId: string, host: string, body: Uint8Array): string {
  return `${SIG_VERSION} ${keyId} ${sign(null, signedBytes(host, body), privateKey).toString('base64')}`;
}

/**
 * The shipper's signer: `signature` with the key and host fixed once, and the
 * Ed25519 work done off the event loop (sign-worker.ts; libuv's thread pool
 * if its thread fails), so the event loop keeps publishing while the next
 * messages are signed.
 */
export function signerOf(privateKey: KeyObject, keyId: string, host: string, log: Logger = silentLogger): Signer {
  const head = Buffer.from(`vcstore-sig/${SIG_VERSION}\n${host}\n`, 'utf8');
  const prefix = `${SIG_VERSION} ${keyId} `;
  const onPool = (body: Uint8Array) =>
    new Promise<string>((resolve, reject) =>
      sign(null, Buffer.concat([head, body]), privateKey, (err, sig) =>
        err ? reject(err) : resolve(prefix + sig.toString('base64')),
      ),
    );
  return workerSigner(privateKey, head, prefix, onPool, (err) =>
    log.warn({ err }, 'the signing thread failed: signing on the thread pool from now on'),
  );
}

/** A trust file line: `<host> ed25519:<base64 raw public key>`, what `vcstore keys` prints. */
export const trustLine = (host: string, raw: Buffer) => `${host} ed25519:${raw.toString('base64')}`;

interface TrustedKey {
  keyId: string;
  key: KeyObject;
}

/** Host → its public keys (more than one while a key is being replaced). */
export class Trust {
  constructor(
    readonly hosts: Map<string, TrustedKey[]>,
    readonly source: string,
  ) {}

  /**
   * Throws EUNTRUSTED, naming the stream sequence, unless `sig` (the message's
   * `Vcstore-Sig` header) is a valid signature of `body` by a key the trust
   * file gives for `host`.
   */
  check(host: string, body: Uint8Array, sig: string | undefined, where: { label: string; streamSeq: number }): void {
    const at = `${where.label} message ${where.streamSeq}`;
    const fail = (why: string) => errUntrusted(`${at}: ${why}`, { offset: where.streamSeq });
    const keys = this.hosts.get(host);
    if (keys === undefined) throw fail(`host ${host} has no key in the trust file ${this.source}`);
    if (sig === undefined || sig === '') throw fail(`unsigned (no ${SIG_HEADER} header)`);
    const parts = sig.split(' ');
    if (parts.length !== 3 || parts[0] !== String(SIG_VERSION))
      throw fail(`${SIG_HEADER} ${JSON.stringify(sig.slice(0, 40))} is not a version ${SIG_VERSION} signature`);
    const [, keyId, b64] = parts as [string, string, string];
    const trusted = keys.find((k) => k.keyId === keyId);
    if (trusted === undefined) throw fail(`signed by key ${keyId}, not a key of host ${host} in ${this.source}`);
    if (!verify(null, signedBytes(host, body), trusted.key, Buffer.from(b64, 'base64')))
      throw fail(`the signature by key ${keyId} does not match the record`);
  }
}

/** Reads a trust file: one `<host> ed25519:<base64>` per line; blank lines and `#` comments are skipped. */
export async function readTrust(file: string): Promise<Trust> {
  const text = await readFile(file, 'utf8').catch((err) => {
    throw osError('open', file, err);
  });
  return parseTrust(text, file);
}

export function parseTrust(text: string, source: string): Trust {
  const hosts = new Map<string, TrustedKey[]>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, host, b64] = /^(\S+)\s+ed25519:([A-Za-z0-9+/]{43}=)$/.exec(line) ?? [];
    const key = b64 === undefined ? undefined : Buffer.from(b64, 'base64');
    if (host === undefined || key?.length !== 32)
      throw errUsage(`${source}:${i + 1}: expected "<host> ed25519:<base64 public key>", got ${JSON.stringify(line)}`);
    hosts.set(host, [...(hosts.get(host) ?? []), { keyId: keyIdOf(key), key: publicKeyOfRaw(key) }]);
  }
  if (hosts.size === 0) throw errUsage(`${source}: no host key in the trust file`);
  return new Trust(hosts, source);
}
