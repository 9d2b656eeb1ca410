import { createHash } from 'node:crypto';
import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import { StoreError } from '../errors.ts';

/** The record format this code writes and the highest it can read. */
export const FORMAT_VERSION = 1;

// Fixed width with milliseconds, so every time sorts and compares as text.
const isoUtcMs = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Version 1 is strict: an unknown field means a newer or damaged writer. */
export const eventSchema = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  time: z.string().regex(isoUtcMs, 'expected UTC ISO 8601 time with milliseconds'),
  pid: z.number().int().min(0),
  boot: z.string().min(1),
  op: z.string().min(1),
  sandbox: z.string(),
  container: z.string().optional(),
  resource: z.string().optional(),
  resources: z.array(z.string()).nullable().optional(),
  containers: z.array(z.string()).optional(),
  payload: z.string().optional(),
  prev: z.string().regex(/^([0-9a-f]{64})?$/, 'expected lowercase hex SHA-256 or empty'),
});

export interface JournalEvent {
  v: 1;
  seq: number;
  time: string;
  pid: number;
  boot: string;
  op: string;
  sandbox: string;
  container?: string;
  resource?: string;
  resources?: string[] | null;
  containers?: string[];
  payload?: string;
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
