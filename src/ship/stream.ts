import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { errStream } from '../errors.ts';

export interface StreamSpec {
  /** stream name (default VCSTORE) */
  name: string;
  /** subject prefix: the stream holds `<prefix>.>` (default vcstore) */
  prefix: string;
  /** copies kept by the cluster: 1, or 3 for a cluster that survives a lost node */
  replicas: number;
  /** how long the stream remembers a message ID, in ms: a resend inside it is dropped */
  duplicateWindowMs: number;
}

export const DEFAULT_STREAM: StreamSpec = {
  name: 'VCSTORE',
  prefix: 'vcstore',
  replicas: 1,
  duplicateWindowMs: 10 * 60_000,
};

const NS = 1_000_000;

/**
 * A cluster that is still forming (no meta leader yet, or too few peers known
 * for the replicas asked) refuses a stream request for a while: worth waiting for.
 */
export function streamNotReady(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /no suitable peers|insufficient resources|jetstream not (enabled|ready)|no responders|timeout|503/i.test(
    message,
  );
}

/**
 * Creates the stream, or checks that an existing one keeps every message for
 * good: file storage, the replicas asked, limits retention with no limit that
 * would drop history, our subjects, and a duplicate window at least as long.
 */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const subjects = `${spec.prefix}.>`;
  const found = await jsm.streams.info(spec.name).catch((err: Error & { code?: unknown }) => {
    if (/stream not found/i.test(err.message)) return undefined;
    throw err;
  });
  if (found === undefined) {
    const config: Partial<StreamConfig> & { name: string } = {
      name: spec.name,
      subjects: [subjects],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: spec.replicas,
      duplicate_window: spec.duplicateWindowMs * NS,
    };
    await jsm.streams.add(config);
    return;
  }
  const misfits = misfit(found.config, spec, subjects);
  if (misfits.length > 0) {
    throw errStream(`stream ${spec.name} does not fit: ${misfits.join('; ')}`);
  }
}

/** Why an existing stream could lose or reorder shipped events; empty when it fits. */
export function misfit(c: StreamConfig, spec: StreamSpec, subjects: string): string[] {
  const why: string[] = [];
  if (c.storage !== StorageType.File) why.push(`storage is ${c.storage}, not file`);
  if (c.num_replicas !== spec.replicas) why.push(`${c.num_replicas} replicas, not ${spec.replicas}`);
  if (c.retention !== RetentionPolicy.Limits) why.push(`retention is ${c.retention}, not limits`);
  if (!c.subjects?.includes(subjects))
    why.push(`subjects ${JSON.stringify(c.subjects ?? [])} do not include ${subjects}`);
  const limited = (v: number | undefined) => v !== undefined && v > 0;
  if (limited(c.max_msgs)) why.push(`max_msgs ${c.max_msgs} would drop history`);
  if (limited(c.max_bytes)) why.push(`max_bytes ${c.max_bytes} would drop history`);
  if (limited(c.max_age)) why.push(`max_age ${c.max_age / NS / 1000} s would drop history`);
  if (limited(c.max_msgs_per_subject)) why.push(`max_msgs_per_subject ${c.max_msgs_per_subject} would drop history`);
  if ((c.duplicate_window ?? 0) < spec.duplicateWindowMs * NS) {
    why.push(`duplicate window ${(c.duplicate_window ?? 0) / NS} ms is shorter than ${spec.duplicateWindowMs} ms`);
  }
  if (c.sealed) why.push('sealed');
  return why;
}
