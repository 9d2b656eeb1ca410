import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { bootId } from '../../src/journal/boot-id.ts';
import { encodeFrame } from '../../src/journal/encoder.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { hashBody, type JournalEvent } from '../../src/journal/record.ts';
import { TreeModel } from '../../src/projector/tree-model.ts';
import { CHECKPOINT_EVERY, checkpointFile, type Checkpoint } from '../../src/recovery/checkpoint.ts';
import { journalFile, rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { writeFileAtomic } from '../../src/projector/atomic-write.ts';
import { Store } from '../../src/store/store.ts';
import { sqliteDriver } from './sqlite-driver.ts';
import { BulkLoader } from './suites/sqlite.ts';
import { statePayload } from './workload.ts';

/** A sandbox with a long history, as vcstore and as SQLite hold it. */
export interface Dataset {
  events: number;
  sandbox: string;
  roots: Roots;
  journal: string;
  /** the sandbox's two legacy folders */
  folders: string[];
  /** null when the SQLite baseline is not installed */
  sqlite: string | null;
}

const FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * Builds a journal of `events` events without an fsync per event (a million
 * fsynced stores would take the better part of an hour): the real Store
 * creates the sandbox, then store events are framed with the journal's own
 * encoder and chained as the writer chains them, and the legacy tree is left
 * as projecting them would leave it. SQLite gets the same bodies.
 */
export async function buildDataset(dir: string, events: number): Promise<Dataset> {
  const sandbox = 'sb';
  const roots = rootsUnder(dir);
  const store = new Store({ roots });
  await store.createAllResources({ id: sandbox }); // event 1, and the folders and lock file
  await store.close();

  const journal = journalFile(roots, sandbox);
  const first = await readFile(journal);
  let head = hashBody(first.subarray(8)); // the file holds exactly one frame
  const sqlite = sqliteDriver() ? path.join(dir, 'events.sqlite') : null;
  const loader = sqlite === null ? undefined : new BulkLoader(sqlite, sandbox);
  loader?.add(first.subarray(8).toString('utf8'));

  const model = new TreeModel();
  for await (const { offset: _o, ...event } of readEvents(journal)) model.apply(event);
  // The tree at a checkpoint: the create's folders, the lock, and the store just before it.
  const checkpointModel = (seq: number) => {
    const at = new TreeModel();
    for (const dir of model.dirs) at.dirs.add(dir);
    for (const [file, content] of model.files)
      at.files.set(file, file.endsWith('state.json') ? statePayload(seq - 1) : content);
    return at.toJSON();
  };
  let checkpointed = 0;
  let offset = first.length;
  let mark: Omit<Checkpoint, 'model'> | undefined;
  const fh = await open(journal, 'a');
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  let chunk: Buffer[] = [];
  let bytes = 0;
  let payload = '';
  try {
    // A checkpoint event after every 1000 others, as the writer appends them, committing to the tree's digest.
    for (let seq = 2; seq <= events; seq++) {
      const common = {
        seq,
        time: new Date(base + seq).toISOString(),
        pid: process.pid,
        boot: bootId(),
        sandbox,
        prev: head,
      };
      let event: JournalEvent;
      if (seq - checkpointed > CHECKPOINT_EVERY) {
        event = { ...common, v: 2, op: 'checkpoint', digest: model.digest() };
        checkpointed = seq;
      } else {
        payload = statePayload(seq);
        event = { ...common, v: 1, op: 'store', resource: 'state', payload };
      }
      model.apply(event);
      const body = stringify(event);
      const bodyBytes = Buffer.from(body, 'utf8');
      head = hashBody(bodyBytes);
      const frame = encodeFrame(bodyBytes);
      if (event.op === 'checkpoint') mark = { v: 2, seq, start: offset, end: offset + frame.length, head };
      offset += frame.length;
      chunk.push(frame);
      bytes += frame.length;
      loader?.add(body);
      if (bytes >= FLUSH_BYTES) {
        await fh.write(Buffer.concat(chunk));
        chunk = [];
        bytes = 0;
      }
    }
    await fh.write(Buffer.concat(chunk));
    await fh.datasync();
  } finally {
    await fh.close();
    loader?.finish();
  }
  // What projecting the last store left: state.json holds its payload.
  if (events > 1) await writeFileAtomic(path.join(roots.run, sandbox, 'state.json'), payload);
  if (mark) await writeFile(checkpointFile(journal), stringify({ ...mark, model: checkpointModel(mark.seq) }));
  return {
    events,
    sandbox,
    roots,
    journal,
    folders: [path.join(roots.run, sandbox), path.join(roots.config, sandbox)],
    sqlite,
  };
}
