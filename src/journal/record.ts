import { createHash } from 'node:crypto';
import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import { StoreError } from '../errors.ts';

/** The highest record version this code reads and writes. */
export const FORMAT_VERSION = 2;

/**
 * The ops each version may hold. A record carries the lowest version that can
 * express it, so journals without checkpoints stay readable by version-1 code.
 */
export const OPS_V1 = ['create', 'store', 'delete', 'reboot'] as const;
export const OPS = [...OPS_V1, 'checkpoint', 'observe'] as const;

/** What an `observe` event found at its path. */
export const FOUND = ['file', 'dir', 'absent'] as const;
/** What an `observe` event does to the state: `adopt` makes it the state, `restore` only records it. */
export const DRIFT_POLICIES = ['restore', 'adopt'] as const;
export type DriftPolicy = (typeof DRIFT_POLICIES)[number];

export const versionOf = (op: string): 1 | 2 => ((OPS_V1 as readonly string[]).includes(op) ? 1 : 2);

// Fixed width with milliseconds, so every time sorts and compares as text.
const isoUtcMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Strict: an unknown field means a newer or damaged writer. */
export const eventSchema = z
  .strictObject({
    v: z.union([z.literal(1), z.literal(2)]),
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    time: z.string().regex(isoUtcMs, 'expected UTC ISO 8601 time with milliseconds'),
    pid: z.number().int().min(0),
    boot: z.string().min(1),
    op: z.enum(OPS),
    sandbox: z.string(),
    container: z.string().optional(),
    resource: z.string().optional(),
    resources: z.array(z.string()).nullable().optional(),
    containers: z.array(z.string()).optional(),
    payload: z.string().optional(),
    /** a checkpoint's digest of the replayed tree before it (see docs/journal-format.md) */
    digest: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected lowercase hex SHA-256')
      .optional(),
    /** an observation's tree path, what was there, its bytes when not UTF-8 (base64), whether it parsed, and the policy applied */
    path: z.string().min(1).optional(),
    found: z.enum(FOUND).optional(),
    bytes: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64')
      .optional(),
    parsed: z.boolean().optional(),
    policy: z.enum(DRIFT_POLICIES).optional(),
    prev: z.string().regex(/^([0-9a-f]{64})?$/, 'expected lowercase hex SHA-256 or empty'),
  })
  .refine((e) => e.v === versionOf(e.op), { message: 'record version does not match its op', path: ['v'] })
  .refine((e) => (e.op === 'checkpoint') === (e.digest !== undefined), {
    message: 'a digest belongs to a checkpoint, and only there',
    path: ['digest'],
  })
  .refine((e) => (e.op === 'observe') === (e.path !== undefined && e.found !== undefined && e.policy !== undefined), {
    message: 'path, found and policy belong to an observation, and only there',
    path: ['path'],
  })
  .refine(
    (e) =>
      e.found === 'file' ||
      (e.bytes === undefined && e.parsed === undefined && (e.op !== 'observe' || e.payload === undefined)),
    {
      message: 'only a file observation holds content',
      path: ['found'],
    },
  )
  .refine((e) => e.bytes === undefined || e.payload === undefined, {
    message: 'an observation holds payload or bytes, not both',
    path: ['bytes'],
  });

export interface JournalEvent {
  v: 1 | 2;
  seq: number;
  time: string;
  pid: number;
  boot: string;
  op: (typeof OPS)[number];
  sandbox: string;
  container?: string;
  resource?: string;
  resources?: string[] | null;
  containers?: string[];
  payload?: string;
  digest?: string;
  path?: string;
  found?: (typeof FOUND)[number];
  bytes?: string;
  parsed?: boolean;
  policy?: DriftPolicy;
  prev: string;
}

/** The fields a caller chooses; the writer fills in the rest. */
export type EventInput = Omit<JournalEvent, 'v' | 'seq' | 'time' | 'pid' | 'boot' | 'prev'>;

/** Lowercase hex SHA-256 of a record body: the chain link and the head hash. */
export function hashBody(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

export function formatIssues(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Canonical bytes of an event, validated first so nothing unreadable is ever written. */
export function encodeBody(event: JournalEvent, file: string): Buffer {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const why = formatIssues(parsed.error);
    throw new StoreError('EPAYLOAD', `${file}: invalid journal event: ${why}`, { file, cause: parsed.error });
  }
  return Buffer.from(stringify(event), 'utf8');
}

/** Why a body is not a valid record, or the event it holds. */
export function decodeBody(body: Buffer): { event: JournalEvent } | { why: string; cause?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    return { why: 'body is not valid JSON', cause };
  }
  const v = (value as { v?: unknown } | null)?.v;
  // Checked before the schema so a newer record says so instead of "invalid".
  if (typeof v === 'number' && v > FORMAT_VERSION) return { why: `unsupported record version ${v}` };
  const parsed = eventSchema.safeParse(value);
  if (!parsed.success) return { why: `invalid event: ${formatIssues(parsed.error)}`, cause: parsed.error };
  return { event: value as JournalEvent };
}
