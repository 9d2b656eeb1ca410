import { hash } from 'node:crypto';
import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import { errPayload, type StoreError } from '../errors.ts';

/** The highest record version this code reads and writes. */
export const FORMAT_VERSION = 2;

/** What an `observe` event found at its path: `link` is a symbolic link, recorded by its target, never followed. */
export const FOUND = ['file', 'dir', 'absent', 'link'] as const;
/** What an `observe` event does to the state: `adopt` makes it the state, `restore` only records it. */
export const DRIFT_POLICIES = ['restore', 'adopt'] as const;
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];

// Fixed width with milliseconds, so every time sorts and compares as text.
const isoUtcMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const sha256Hex = /^[0-9a-f]{64}$/;
const maybeSha256 = /^([0-9a-f]{64})?$/;

/** The fields the writer fills in; the rest are the caller's. */
const header = {
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  time: z.string().regex(isoUtcMs, 'expected UTC ISO 8601 time with milliseconds'),
  pid: z.number().int().min(0),
  boot: z.string().min(1),
  prev: z.string().regex(maybeSha256, 'expected lowercase hex SHA-256 or empty'),
  sandbox: z.string(),
};
/**
 * A record carries the lowest version that can express its op, so journals
 * without checkpoints or observations stay readable by version-1 code.
 */
const v1 = { ...header, v: z.literal(1) };
const v2 = { ...header, v: z.literal(2) };
/**
 * The caller's fields of a version-1 record. The journal checks their types;
 * their meaning belongs to the store (docs/journal-format.md lists what the
 * store writes for each op), so any of them may appear on any of these ops.
 */
const callerFields = {
  container: z.string().optional(),
  resource: z.string().optional(),
  resources: z.array(z.string()).nullable().optional(),
  containers: z.array(z.string()).optional(),
  payload: z.string().optional(),
};

// Strict: an unknown field means a newer or damaged writer.
const createSchema = z.strictObject({ ...v1, op: z.literal('create'), ...callerFields });
const storeSchema = z.strictObject({ ...v1, op: z.literal('store'), ...callerFields });
const deleteSchema = z.strictObject({ ...v1, op: z.literal('delete'), ...callerFields });
const rebootSchema = z.strictObject({ ...v1, op: z.literal('reboot'), ...callerFields });
/** a checkpoint's digest of the replayed tree before it (see docs/journal-format.md) */
const checkpointSchema = z.strictObject({
  ...v2,
  op: z.literal('checkpoint'),
  digest: z.string().regex(sha256Hex, 'expected lowercase hex SHA-256'),
});
/**
 * an observation's tree path, what was there, its bytes (text, or base64 when not UTF-8), whether it parsed,
 * a link's target (as text: what readlink says, never what it points at), and the policy applied
 */
const observeSchema = z
  .strictObject({
    ...v2,
    op: z.literal('observe'),
    container: z.string().optional(),
    resource: z.string().optional(),
    path: z.string().min(1),
    found: z.enum(FOUND),
    policy: z.enum(DRIFT_POLICIES),
    payload: z.string().optional(),
    bytes: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')
      .optional(),
    parsed: z.boolean().optional(),
    target: z.string().min(1).optional(),
  })
  .refine((e) => (e.found === 'link') === (e.target !== undefined), {
    message: 'a link observation, and only one, holds its target',
    path: ['target'],
  })
  .refine((e) => e.found === 'file' || (e.bytes === undefined && e.parsed === undefined && e.payload === undefined), {
    message: 'only a file observation holds content',
    path: ['found'],
  })
  .refine((e) => e.bytes === undefined || e.payload === undefined, {
    message: 'an observation holds payload or bytes, not both',
    path: ['bytes'],
  });

/** One record's event: the op decides its fields and its version. */
export const eventSchema = z.discriminatedUnion('op', [
  createSchema,
  storeSchema,
  deleteSchema,
  rebootSchema,
  checkpointSchema,
  observeSchema,
]);
type AllKeys<U> = U extends unknown ? keyof U : never;
/** Each member also says which fields it never has, so any field reads on the union (undefined where absent). */
type Exclusive<U, K extends PropertyKey = AllKeys<U>> = U extends unknown
  ? U & Partial<Record<Exclude<K, keyof U>, never>>
  : never;
export type JournalEvent = Exclusive<z.infer<typeof eventSchema>>;
export type Op = JournalEvent['op'];
/** Every op, in the order of the schema. */
export const OPS: readonly Op[] = eventSchema.options.map((o) => o.shape.op.value);
/** The event of one op. */
export type EventOf<O extends Op> = Extract<JournalEvent, { op: O }>;

type Filled = 'v' | 'seq' | 'time' | 'pid' | 'boot' | 'prev';
/** The fields a caller chooses; the writer fills in the rest. */
export type EventInput = JournalEvent extends infer E ? (E extends JournalEvent ? Omit<E, Filled> : never) : never;

const V2_OPS: ReadonlySet<Op> = new Set(['checkpoint', 'observe']);
/** The record version of an op: the lowest that expresses it. */
export const versionOf = (op: Op): 1 | 2 => (V2_OPS.has(op) ? 2 : 1);

/** An event's canonical bytes: what its frame holds, and what the chain hashes. */
export const canonicalBody = (event: JournalEvent): Buffer => Buffer.from(stringify(event), 'utf8');

/** The chain hash of an event: the head of the journal right after it, and the next record's `prev`. */
export const eventHash = (event: JournalEvent): string => hashBody(canonicalBody(event));

/** Lowercase hex SHA-256 of a record body: the chain link and the head hash. */
export function hashBody(body: Uint8Array): string {
  // The one-shot hash costs about a third of createHash().update().digest() for a body of a few hundred
  // bytes, and replay hashes every record for the chain.
  return hash('sha256', body, 'hex');
}

function formatIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * The event a caller's input makes with the writer's fields, validated, and its canonical bytes: nothing
 * unreadable is ever written.
 */
export function encodeEvent(
  input: EventInput,
  filled: Pick<JournalEvent, Exclude<Filled, 'v'>>,
  file: string,
): { event: JournalEvent; body: Buffer } {
  const store = storeEvent(input, filled);
  if (store !== undefined) return store;
  const fields: Record<string, unknown> = { ...input, ...filled, v: versionOf(input.op) };
  // An undefined field is absent in the body; keep the returned event equal to what is read back.
  for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
  const parsed = eventSchema.safeParse(fields);
  if (!parsed.success) throw errInvalidEvent(file, parsed.error);
  return { event: parsed.data, body: canonicalBody(parsed.data) };
}

const STORE_FIELDS = new Set(['op', 'sandbox', 'resource', 'payload', 'container']);
const isText = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';
const isCount = (n: number, min: number) => Number.isSafeInteger(n) && n >= min;
const json = JSON.stringify;

/**
 * A store event, the one on every store's path, checked and written without
 * zod or the stable stringifier: exactly what the schema accepts and
 * `canonicalBody` writes (test/journal/store-fast-path.test.ts compares them
 * on random events), its fields in the order the schema gives them.
 * Undefined for anything else, which takes the general path.
 */
function storeEvent(
  input: EventInput,
  filled: Pick<JournalEvent, Exclude<Filled, 'v'>>,
): { event: JournalEvent; body: Buffer } | undefined {
  if (input.op !== 'store') return undefined;
  for (const key in input) if (!STORE_FIELDS.has(key)) return undefined;
  const { sandbox, container, resource, payload } = input;
  const { seq, time, pid, boot, prev } = filled;
  if (typeof sandbox !== 'string' || !isText(container) || !isText(resource) || !isText(payload)) return undefined;
  if (!isCount(seq, 1) || !isCount(pid, 0) || typeof boot !== 'string' || boot === '') return undefined;
  if (typeof time !== 'string' || !isoUtcMs.test(time) || typeof prev !== 'string' || !maybeSha256.test(prev))
    return undefined;
  const event: Record<string, unknown> = { seq, time, pid, boot, prev, sandbox, v: 1, op: 'store' };
  let text = `{"boot":${json(boot)}`;
  if (container !== undefined) {
    event.container = container;
    text += `,"container":${json(container)}`;
  }
  text += ',"op":"store"';
  if (resource !== undefined) event.resource = resource;
  if (payload !== undefined) {
    event.payload = payload;
    text += `,"payload":${json(payload)}`;
  }
  text += `,"pid":${pid},"prev":${json(prev)}`;
  if (resource !== undefined) text += `,"resource":${json(resource)}`;
  text += `,"sandbox":${json(sandbox)},"seq":${seq},"time":${json(time)},"v":1}`;
  return { event: event as JournalEvent, body: Buffer.from(text, 'utf8') };
}

function errInvalidEvent(file: string, cause: z.ZodError): StoreError {
  return errPayload(`${file}: invalid journal event: ${formatIssues(cause)}`, { file, cause });
}

/** Why a body is not a valid record, or the event it holds. */
export function decodeBody(body: Buffer): { event: JournalEvent } | { why: string; cause?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    return { why: 'body is not valid JSON', cause };
  }
  // Checked before the schema so a newer record says so instead of "invalid".
  const v = typeof value === 'object' && value !== null && 'v' in value ? value.v : undefined;
  if (typeof v === 'number' && v > FORMAT_VERSION) return { why: `unsupported record version ${v}` };
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success) return { why: `invalid event: ${formatIssues(parsed.error)}`, cause: parsed.error };
  return { event: parsed.data };
}
