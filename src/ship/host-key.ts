import { constants } from 'node:fs';
import { generateKeyPairSync, createPrivateKey, type KeyObject } from 'node:crypto';
import { lstat, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errUsage, osError } from '../errors.ts';
import { errnoOf } from '../fs/missing.ts';
import { fsyncDir } from '../journal/fsutil.ts';
import type { Roots } from '../layout/roots.ts';
import type { Logger } from '../log.ts';
import { keyIdOf, rawPublicKey, signerOf, trustLine } from './trust.ts';

/** The environment variable that names the host's private key file (`--key` wins). */
export const KEY_ENV = 'VCSTORE_SHIP_KEY';
const KEY_NAME = 'vcstore-ship.key';

/** A host's signing key: Ed25519, made on first use. */
export interface HostKey {
  file: string;
  privateKey: KeyObject;
  /** the raw 32-byte public key */
  publicKey: Buffer;
  keyId: string;
}

/**
 * `--key FILE`, else $VCSTORE_SHIP_KEY, else `vcstore-ship.key` beside the
 * journal root (`/var/lib/virtcontainers/vcstore-ship.key`): outside every
 * journal folder, so no export, restore or prune ever copies or removes it.
 */
export function keyFile(roots: Roots, given?: string): string {
  return path.resolve(given ?? process.env[KEY_ENV] ?? path.join(path.dirname(roots.journal), KEY_NAME));
}

/** The key in `file`, made there (mode 0600, PKCS#8 PEM) when there is none. */
export async function hostKey(file: string): Promise<HostKey> {
  let pem: string;
  try {
    pem = await readKeyFile(file);
  } catch (err) {
    if (errnoOf(err) !== 'ENOENT') throw err;
    await makeKey(file);
    pem = await readKeyFile(file);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw errUsage(`${file}: not a PEM private key`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw errUsage(`${file}: not an Ed25519 key`);
  const publicKey = rawPublicKey(privateKey);
  return { file, privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/** A private key readable by others, or behind a link, is refused: it would sign for anyone who copied it. */
async function readKeyFile(file: string): Promise<string> {
  const st = await lstat(file).catch((err) => {
    if (errnoOf(err) === 'ENOENT') throw err;
    throw osError('open', file, err);
  });
  if (!st.isFile()) throw errUsage(`${file}: the ship key must be a regular file, not a link or a folder`);
  if ((st.mode & 0o077) !== 0)
    throw errUsage(`${file}: the ship key is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
  return readFile(file, 'utf8').catch((err) => {
    throw osError('open', file, err);
  });
}

/** O_EXCL: two shippers starting together make one key, and the other reads it. */
async function makeKey(file: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o750 }); // as a writer makes the journal root's parents
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  let fh;
  try {
    fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    if (errnoOf(err) === 'EEXIST') return;
    throw osError('open', file, err);
  }
  try {
    await fh.writeFile(pem);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(path.dirname(file));
}

/** What the shipper needs per message: the `Vcstore-Sig` value of a body, signed off the event loop; closed when it stops. */
export const signer = (key: HostKey, host: string, log: Logger) => signerOf(key.privateKey, key.keyId, host, log);

export const publicLine = (key: HostKey, host: string) => trustLine(host, key.publicKey);
