import { constants } from 'node:fs';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import { osError } from '../errors.ts';
import { openExisting } from '../journal/fsutil.ts';
import type { JournalEvent } from '../journal/record.ts';
import type { RecordMark } from '../journal/mark.ts';
import type { Logger } from '../log.ts';
import type { TreeModel } from '../projector/tree-model.ts';
import { errnoOf } from '../fs/missing.ts';

/**
 * The replayed tree at a `checkpoint` event, so that opening a sandbox reads
 * only the events after it. A cache that proves nothing by itself: it is used
 * only when the record at its mark is a checkpoint event of the journal whose
 * digest equals the digest of this tree. The journal's chain binds that
 * digest, so a forged tree is caught unless the journal itself is rewritten.
 */
const checkpointSchema = z.strictObject({
  v: z.literal(2),
  seq: z.number().int().min(1),
  start: z.number().int().min(0),
  end: z.number().int().min(1),
  head: z.string().regex(/^[0-9a-f]{64}$/),
  model: z.strictObject({
    dirs: z.array(z.string()),
    files: z.record(z.string(), z.string()),
    removed: z.array(z.string()),
    binary: z.record(z.string(), z.string()).optional(),
    links: z.record(z.string(), z.string()).optional(),
  }),
});

export type Checkpoint = z.infer<typeof checkpointSchema>;

/** A checkpoint event is appended after this many events (after the group that reaches it). */
export const CHECKPOINT_EVERY = 1000;

export const checkpointFile = (journal: string) => path.join(path.dirname(journal), 'checkpoint.json');

const TMP_SUFFIX = '.tmp';

/** The checkpoint file if it is readable and well formed; whether it matches the journal is the caller's to check. */
export async function readCheckpoint(file: string, log: Logger): Promise<Checkpoint | undefined> {
  let text: string;
  try {
    const fh = await openExisting(file, false);
    try {
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return undefined;
    log.warn({ file, err }, 'ignoring unreadable checkpoint');
    return undefined;
  }
  try {
    return checkpointSchema.parse(JSON.parse(text));
  } catch (err) {
    log.warn({ file, err }, 'ignoring malformed checkpoint');
    return undefined;
  }
}

/** Whether the record at the checkpoint's mark is the checkpoint event that commits to its tree. */
export function provesCheckpoint(event: JournalEvent, model: TreeModel): boolean {
  return event.op === 'checkpoint' && event.digest === model.digest();
}

export async function writeCheckpoint(
  file: string,
  state: { mark: RecordMark; seq: number; head: string; model: TreeModel },
): Promise<void> {
  const checkpoint: Checkpoint = {
    v: 2,
    seq: state.seq,
    start: state.mark.start,
    end: state.mark.end,
    head: state.head,
    model: state.model.toJSON(),
  };
  const tmp = `${file}.${process.pid}.${Date.now()}${TMP_SUFFIX}`;
  const handle = await open(
    tmp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o600,
  );
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

/** Removes the temp files of checkpoint writes a crash interrupted; returns their names. */
export async function removeCheckpointTemps(journal: string): Promise<string[]> {
  const dir = path.dirname(journal);
  const prefix = `${path.basename(checkpointFile(journal))}.`;
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw osError('open', dir, err);
  });
  const temps = names.filter((n) => n.startsWith(prefix) && n.endsWith(TMP_SUFFIX));
  for (const name of temps) await rm(path.join(dir, name), { force: true });
  return temps;
}
