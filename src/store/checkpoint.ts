import { constants } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import { eventSchema, hashBody, type JournalEvent } from '../journal/record.ts';
import type { RecordMark } from '../journal/writer.ts';
import type { Logger } from '../log.ts';
import { TreeModel } from '../projector/tree-model.ts';

/**
 * The replayed tree at event `seq`, so that opening a sandbox reads only the
 * events after it. A cache: the journal stays the truth, and a checkpoint
 * that is unreadable or does not match the journal is ignored and rewritten.
 */
const checkpointSchema = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().min(1),
  start: z.number().int().min(0),
  end: z.number().int().min(1),
  head: z.string().regex(/^[0-9a-f]{64}$/),
  last: eventSchema,
  dirs: z.array(z.string()),
  files: z.record(z.string(), z.string()),
  /** SHA-256 of the checkpoint's canonical JSON without this field: a damaged checkpoint is ignored */
  digest: z.string(),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;

/** Write a checkpoint every this many events (and when a store is closed). */
export const CHECKPOINT_EVERY = 1000;

export const checkpointFile = (journal: string) => path.join(path.dirname(journal), 'checkpoint.json');

export async function readCheckpoint(file: string, log: Logger): Promise<Checkpoint | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const checkpoint = checkpointSchema.parse(JSON.parse(text));
    const { digest, ...content } = checkpoint;
    if (digestOf(content) !== digest) throw new Error('digest mismatch');
    return checkpoint;
  } catch (err) {
    log.warn({ file, err }, 'ignoring unreadable checkpoint');
    return undefined;
  }
}

export function modelOf(checkpoint: Checkpoint): TreeModel {
  const model = new TreeModel();
  for (const dir of checkpoint.dirs) model.dirs.add(dir);
  for (const [file, content] of Object.entries(checkpoint.files)) model.files.set(file, content);
  return model;
}

const digestOf = (content: Omit<Checkpoint, 'digest'>) => hashBody(Buffer.from(stringify(content)));

export async function writeCheckpoint(
  file: string,
  state: { mark: RecordMark; seq: number; head: string; last: JournalEvent; model: TreeModel },
): Promise<void> {
  const content: Omit<Checkpoint, 'digest'> = {
    v: 1,
    seq: state.seq,
    start: state.mark.start,
    end: state.mark.end,
    head: state.head,
    last: state.last,
    dirs: [...state.model.dirs],
    files: Object.fromEntries(state.model.files),
  };
  const checkpoint: Checkpoint = { ...content, digest: digestOf(content) };
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      await handle.writeFile(stringify(checkpoint));
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
