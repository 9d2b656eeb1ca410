import { DRIFT_POLICIES, FORMAT_VERSION, FOUND, OPS, versionOf, type JournalEvent, type Op } from './record.ts';

const OP_SET: ReadonlySet<string> = new Set(OPS);
const isOp = (op: unknown): op is Op => typeof op === 'string' && OP_SET.has(op);
const FOUND_SET: ReadonlySet<string> = new Set(FOUND);
const POLICY_SET: ReadonlySet<string> = new Set(DRIFT_POLICIES);

/**
 * Parses the body of a record whose CRC matched, for replay and open: the
 * full schema (`decodeBody` in record.ts) ran when the record was written and
 * runs again in `verify`, so here only what a reader relies on is checked:
 * the version, the op, and the type of every field the chain and the tree
 * model read. A record that passes this and still cannot be applied is
 * damage at its offset, reported by the caller. The formats the schema
 * checks by pattern (time, hashes, base64), unknown fields, and which op may
 * carry which field are left to `verify`.
 *
 * Returns the event, or why the body is not one (a string, so that a good
 * record costs no wrapper object).
 */
export function parseTrusted(body: Buffer): JournalEvent | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'body is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'invalid event: (root): not an object';
  const e = value as Record<string, unknown>;
  const v = e.v;
  // Checked first so a newer record says so instead of "invalid".
  if (typeof v === 'number' && v > FORMAT_VERSION) return `unsupported record version ${v}`;
  const op = e.op;
  if (!isOp(op)) return 'invalid event: op: unknown op';
  if (v !== versionOf(op)) return 'invalid event: v: record version does not match its op';
  const seq = e.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    return 'invalid event: seq: not a sequence number';
  const wrong =
    notString(e.prev, 'prev') ??
    notString(e.time, 'time') ??
    notString(e.boot, 'boot') ??
    notString(e.sandbox, 'sandbox') ??
    (typeof e.pid === 'number' ? undefined : 'pid') ??
    optionalString(e.container, 'container') ??
    optionalString(e.resource, 'resource') ??
    optionalString(e.payload, 'payload') ??
    optionalString(e.digest, 'digest') ??
    optionalString(e.path, 'path') ??
    optionalString(e.bytes, 'bytes') ??
    optionalString(e.target, 'target') ??
    (e.resources === null ? undefined : optionalStrings(e.resources, 'resources')) ??
    optionalStrings(e.containers, 'containers') ??
    optionalMember(e.found, FOUND_SET, 'found') ??
    optionalMember(e.policy, POLICY_SET, 'policy') ??
    (e.parsed === undefined || typeof e.parsed === 'boolean' ? undefined : 'parsed');
  if (wrong !== undefined) return `invalid event: ${wrong}: wrong type`;
  // The fields the op's own event type requires (its members of the JournalEvent union).
  if (op === 'checkpoint' && typeof e.digest !== 'string') return 'invalid event: digest: a checkpoint has one';
  if (op === 'observe' && (e.path === undefined || e.found === undefined || e.policy === undefined))
    return 'invalid event: path: an observation has a path, found and policy';
  if (op === 'observe' && (e.found === 'link') !== (e.target !== undefined))
    return 'invalid event: target: an observation has a target exactly when it found a link';
  // Every field the union's member for this op requires was checked above, by hand, for speed.
  return value as JournalEvent;
}

const notString = (x: unknown, name: string) => (typeof x === 'string' ? undefined : name);
const optionalString = (x: unknown, name: string) => (x === undefined || typeof x === 'string' ? undefined : name);

function optionalStrings(x: unknown, name: string): string | undefined {
  if (x === undefined) return undefined;
  if (!Array.isArray(x)) return name;
  for (const item of x) if (typeof item !== 'string') return name;
  return undefined;
}

function optionalMember(x: unknown, allowed: ReadonlySet<string>, name: string): string | undefined {
  return x === undefined || (typeof x === 'string' && allowed.has(x)) ? undefined : name;
}
