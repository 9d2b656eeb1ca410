import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { bootId } from '../../src/journal/boot-id.ts';
import { encodeFrame } from '../../src/journal/encoder.ts';
import { hashBody } from '../../src/journal/record.ts';
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

  const fh = await open(journal, 'a');
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  let chunk: Buffer[] = [];
  let bytes = 0;
  let payload = '';
  try {
    for (let seq = 2; seq <= events; seq++) {
      payload = statePayload(seq);
      const body = stringify({
        v: 1, seq, time: new Date(base + seq).toISOString(), pid: process.pid, boot: bootId(),
        op: 'store', sandbox, resource: 'state', payload, prev: head,
      });
      const bodyBytes = Buffer.from(body, 'utf8');
      head = hashBody(bodyBytes);
      const frame = encodeFrame(bodyBytes);
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
  return { events, sandbox, roots, journal, folders: [path.join(roots.run, sandbox), path.join(roots.config, sandbox)], sqlite };
}
