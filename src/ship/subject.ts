import { errStream, errUsage } from '../errors.ts';

/**
 * NATS subjects are `.`-separated tokens, and IDs may contain `.`. A token is
 * written with every byte outside [A-Za-z0-9_+-] as `%XX` (uppercase hex of
 * its UTF-8 byte): `sb.1` is `sb%2E1`. No ID character is `%`, and `%` is
 * itself escaped, so decoding is exact; `*`, `>` and spaces cannot appear.
 */
export function encodeToken(id: string): string {
  if (id === '') throw errUsage('an empty ID cannot name a subject token');
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_+-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeToken(token: string): string {
  if (!/^(?:[A-Za-z0-9_+-]|%[0-9A-F]{2})+$/.test(token)) {
    throw errStream(`subject token ${JSON.stringify(token)} is not an encoded ID`);
  }
  const bytes: number[] = [];
  for (let i = 0; i < token.length;) {
    if (token[i] === '%') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(token.charCodeAt(i));
      i++;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A subject prefix is one or more `.`-separated tokens of [A-Za-z0-9_-]: a
 * wildcard (`*`, `>`) would make the stream capture other prefixes' subjects,
 * and a space or an empty token is no subject at all. Checked before any
 * connection, so a bad value is EUSAGE, never a server error.
 */
export function checkPrefix(prefix: string): string {
  if (prefix.length > 128 || !prefix.split('.').every((t) => /^[A-Za-z0-9_-]+$/.test(t))) {
    throw errUsage(
      `subject prefix ${JSON.stringify(prefix)} must be tokens of [A-Za-z0-9_-] separated by single dots (no wildcards, spaces or empty tokens)`,
    );
  }
  return prefix;
}

/** A JetStream stream name: one token, no wildcard, no path separator. */
export function checkStreamName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name))
    throw errUsage(`stream name ${JSON.stringify(name)} must be 1 to 64 characters of [A-Za-z0-9_-]`);
  return name;
}

/** `<prefix>.<host>.<sandbox>`: one subject per sandbox, so order and the expected-sequence check are per sandbox. */
export const sandboxSubject = (prefix: string, host: string, sandbox: string) =>
  `${prefix}.${encodeToken(host)}.${encodeToken(sandbox)}`;

/** Every sandbox of one host. */
export const hostSubjects = (prefix: string, host: string) => `${prefix}.${encodeToken(host)}.*`;

/** The sandbox a subject of `hostSubjects` names. */
export function sandboxOfSubject(subject: string): string {
  const token = subject.slice(subject.lastIndexOf('.') + 1);
  return decodeToken(token);
}

/** `Nats-Msg-Id`: the stream drops a second message with the same ID inside its duplicate window. */
export const messageId = (host: string, sandbox: string, seq: number) => `${host}/${sandbox}/${seq}`;
