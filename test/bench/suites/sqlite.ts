import type Database from 'better-sqlite3';
import stringify from 'fast-json-stable-stringify';
import { bootId } from '../../../src/journal/boot-id.ts';
import { hashBody } from '../../../src/journal/record.ts';
import { concurrently, type Workload } from '../measure.ts';
import { requireSqlite } from '../sqlite-driver.ts';
import { statePayload } from '../workload.ts';

/**
 * What a user would otherwise pick: SQLite in WAL mode with synchronous=FULL
 * (each commit fsyncs the WAL, so an acknowledged store survives a power
 * loss, as vcstore's does), one row per event holding the same JSON body,
 * one transaction per store.
 */
export function openDb(file: string): Database.Database {
  const db = new (requireSqlite())(file);
  db.pragma('busy_timeout = 10000'); // first: several processes take turns on the write lock
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE IF NOT EXISTS events (
    sandbox TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (sandbox, seq)) WITHOUT ROWID`);
  return db;
}

/**
 * One sandbox's writer over a database: the same event body vcstore writes,
 * chained the same way. `shared`: other processes write to this sandbox too,
 * so the last event is read inside the write transaction, as correct code
 * over a shared table must.
 */
export class SqliteSandbox {
  private seq = 0;
  private head = '';
  private readonly write: (i: number) => void;

  constructor(db: Database.Database, id: string, shared = false) {
    const insert = db.prepare('INSERT INTO events (sandbox, seq, body) VALUES (?, ?, ?)');
    const last = db.prepare('SELECT seq, body FROM events WHERE sandbox = ? ORDER BY seq DESC LIMIT 1');
    const txn = db.transaction((i: number) => {
      if (shared) {
        const row = last.get(id) as { seq: number; body: string } | undefined;
        this.seq = row?.seq ?? 0;
        this.head = row ? hashBody(Buffer.from(row.body)) : '';
      }
      const body = eventBody(id, this.seq + 1, this.head, i);
      insert.run(id, this.seq + 1, body);
      this.seq++;
      this.head = hashBody(Buffer.from(body));
    });
    // IMMEDIATE takes the write lock up front: a deferred one would fail with SQLITE_BUSY on upgrade.
    this.write = shared ? (i: number) => txn.immediate(i) : txn;
  }

  /** Async like a store call, though better-sqlite3 blocks the thread for the whole commit. */
  store(i: number): Promise<void> {
    this.write(i);
    return Promise.resolve();
  }
}

function eventBody(sandbox: string, seq: number, prev: string, i: number): string {
  const time = new Date().toISOString();
  return stringify({
    v: 1,
    seq,
    time,
    pid: process.pid,
    boot: bootId(),
    op: 'store',
    sandbox,
    resource: 'state',
    payload: statePayload(i),
    prev,
  });
}

/** `writers` async loops storing on `sandboxes` sandboxes (1, or one per writer) of one database. */
export function sqliteStores(name: string, file: string, writers: number, sandboxes: 1 | 'each'): Workload {
  let db: Database.Database | undefined;
  let targets: SqliteSandbox[] = [];
  let i = 0;
  return {
    name,
    setup() {
      db = openDb(file);
      const count = sandboxes === 1 ? 1 : writers;
      targets = Array.from({ length: count }, (_, k) => new SqliteSandbox(db!, `sb${k}`));
      return Promise.resolve();
    },
    run: (n) => concurrently(n, writers, (w) => targets[w % targets.length]!.store(i++)),
    teardown() {
      db?.close();
      return Promise.resolve();
    },
  };
}

/** Replay's baseline: every event of a sandbox, in order, each body parsed. */
export function sqliteRead(file: string, sandbox: string): number {
  const db = new (requireSqlite())(file, { readonly: true });
  try {
    let n = 0;
    const rows = db.prepare('SELECT body FROM events WHERE sandbox = ? ORDER BY seq').pluck().iterate(sandbox);
    for (const body of rows) {
      JSON.parse(body as string);
      n++;
    }
    return n;
  } finally {
    db.close();
  }
}

/** Loads one sandbox's rows in large transactions: building a data set, not a measurement. */
export class BulkLoader {
  private readonly db: Database.Database;
  private readonly flush: (rows: string[]) => void;
  private rows: string[] = [];
  private seq = 1;

  constructor(
    file: string,
    private readonly sandbox: string,
  ) {
    this.db = openDb(file);
    this.db.pragma('synchronous = OFF');
    const insert = this.db.prepare('INSERT INTO events (sandbox, seq, body) VALUES (?, ?, ?)');
    this.flush = this.db.transaction((rows: string[]) => {
      for (const body of rows) insert.run(this.sandbox, this.seq++, body);
    });
  }

  add(body: string): void {
    this.rows.push(body);
    if (this.rows.length === 10_000) this.flush(this.rows.splice(0));
  }

  finish(): void {
    this.flush(this.rows.splice(0));
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }
}
