import { readdir } from 'node:fs/promises';
import stringify from 'fast-json-stable-stringify';
import { StoreError } from '../errors.ts';
import { readEvents } from '../journal/reader.ts';
import { hashBody, type JournalEvent } from '../journal/record.ts';
import { isSafeId } from '../layout/ids.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { TreeModel } from '../projector/tree-model.ts';

/** What reading a whole journal found, without changing anything. */
export interface JournalHealth {
  events: number;
  seq: number;
  /** SHA-256 of the last record body: equal to the stored one, since bodies are canonical */
  head: string;
  /** the bytes of an unfinished append at the end (a writer cuts them) */
  torn?: { offset: number; bytes: number };
  /** a damaged or unchained record: nothing after it was read */
  damage?: { code: string; offset?: number; message: string };
  /** the tree the readable events describe */
  model: TreeModel;
  last?: JournalEvent;
}

/** Reads a journal to the end or to its first damage, replaying it as it goes. */
export async function inspectJournal(file: string): Promise<JournalHealth> {
  const health: JournalHealth = { events: 0, seq: 0, head: '', model: new TreeModel() };
  try {
    for await (const { offset: _offset, ...event } of readEvents(file, { onTornTail: (t) => (health.torn = t) })) {
      health.model.apply(event);
      health.events++;
      health.last = event;
    }
  } catch (err) {
    if (!(err instanceof StoreError)) throw err;
    health.damage = { code: err.code, offset: err.offset, message: err.message };
  }
  if (health.last) {
    health.seq = health.last.seq;
    health.head = hashBody(Buffer.from(stringify(health.last)));
  }
  return health;
}

/** Every sandbox that has a journal folder, sorted (the writer locks' folder is not one: its name is no ID). */
export async function journaledSandboxes(roots: Roots): Promise<string[]> {
  const entries = await readdir(roots.journal, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && isSafeId(e.name))
    .map((e) => e.name)
    .sort();
}

export { journalFile };
