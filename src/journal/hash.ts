import { hash } from 'node:crypto';

/**
 * Lowercase hex SHA-256 of a record body, as `hashBody` in record.ts computes
 * it. The one-shot `crypto.hash` (Node 20.12) costs about a third of
 * `createHash().update().digest()` for a body of a few hundred bytes, and
 * replay hashes every record for the chain.
 */
export function sha256Hex(body: Uint8Array): string {
  return hash('sha256', body, 'hex');
}
