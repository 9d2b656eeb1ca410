import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import type { Suite } from '../context.ts';
import { interleave, type Workload } from '../measure.ts';
import { alone, compare, withSamples, type Row } from '../report.ts';
import type { Kind, Reply, Request } from '../workers/store-worker.ts';
import { NO_SQLITE, sqliteDriver } from '../sqlite-driver.ts';
import { openDb } from './sqlite.ts';

const WORKER = fileURLToPath(new URL('../workers/store-worker.ts', import.meta.url));
const PROCESSES = 4;

/** PROCESSES child processes, started once; each figure is a workload hosted in all of them. */
class Pool {
  private constructor(private readonly children: ChildProcess[]) {}

  static async start(): Promise<Pool> {
    const children = Array.from({ length: PROCESSES }, () =>
      // Not the parent's execArgv: a --cpu-prof there must not profile the children.
      fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
    );
    await Promise.all(children.map((c) => reply(c, (m) => 'started' in m)));
    return new Pool(children);
  }

  /** Sends each child its request and waits for every answer. */
  async all(request: (p: number) => Request, id: string): Promise<void> {
    const answers = this.children.map((c) => reply(c, (m) => 'id' in m && m.id === id));
    this.children.forEach((c, p) => c.send(request(p)));
    await Promise.all(answers);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(async (c) => {
        if (c.exitCode !== null || c.signalCode !== null) return;
        const exited = once(c, 'exit');
        c.disconnect();
        await exited;
      }),
    );
  }
}

function reply(child: ChildProcess, match: (m: Reply) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Reply) => {
      if (!match(m)) return;
      finish('error' in m ? new Error(`worker ${child.pid}: ${m.error}`) : undefined);
    };
    const onExit = (code: number | null) => finish(new Error(`worker ${child.pid} exited with ${code}`));
    const finish = (err?: Error) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** One figure: every process stores `n / PROCESSES` times; a round ends when the last one is done. */
function inPool(pool: Pool, name: string, kind: Kind, dir: string, shared: boolean, frameSize: number): Workload {
  const sandbox = (p: number) => (shared ? 'sb0' : `sb${p}`);
  return {
    name,
    async setup() {
      if (kind === 'vcstore') {
        const store = new Store({ roots: rootsUnder(dir) });
        for (let p = 0; p < (shared ? 1 : PROCESSES); p++) await store.createAllResources({ id: sandbox(p) });
        await store.close();
      }
      if (kind === 'sqlite') openDb(path.join(dir, 'events.sqlite')).close(); // made once, not raced by four
      await pool.all((p) => ({ setup: { id: name, kind, dir, sandbox: sandbox(p), shared, frameSize } }), name);
    },
    run: (n) =>
      pool.all((p) => ({ run: { id: name, n: Math.floor(n / PROCESSES) + (p < n % PROCESSES ? 1 : 0) } }), name),
    teardown: () => pool.all(() => ({ teardown: name }), name),
  };
}

const label = (shared: boolean) => `${PROCESSES} processes, ${shared ? '1 sandbox' : `${PROCESSES} sandboxes`}`;

/** Four processes storing at once, on separate sandboxes and on one. */
export const processesSuite: Suite = {
  name: 'processes',
  about: '4 processes storing at once, against SQLite with 4 processes and 4 bare fsync loops',
  async run(ctx) {
    const limitName = `limit: ${PROCESSES} processes, append+fdatasync, 1 file each`;
    const shapes = [false, true]; // one sandbox each; one sandbox for all, through the writer lock
    const pool = await Pool.start();
    let rates;
    try {
      const workloads = [inPool(pool, limitName, 'limit', await ctx.folder('limit4'), false, ctx.frameSize)];
      for (const shared of shapes) {
        if (sqliteDriver())
          workloads.push(
            inPool(pool, `SQLite, ${label(shared)}`, 'sqlite', await ctx.folder('sqlite4'), shared, ctx.frameSize),
          );
        workloads.push(
          inPool(
            pool,
            `vcstore store, ${label(shared)}`,
            'vcstore',
            await ctx.folder('vcstore4'),
            shared,
            ctx.frameSize,
          ),
        );
      }
      rates = await interleave(workloads, ctx.sizes.processes);
    } finally {
      await pool.stop();
    }
    const r = (name: string) => rates.get(name)?.opsPerSec ?? null;
    const rows: Row[] = [
      alone('processes', limitName, r(limitName), 'ops/s', 'the limit for 4 appenders on this disk'),
    ];
    for (const shared of shapes) {
      const sql = `SQLite, ${label(shared)}`;
      const vc = `vcstore store, ${label(shared)}`;
      const how = shared
        ? 'one database; each transaction reads the last event of the sandbox first (BEGIN IMMEDIATE)'
        : 'one database';
      rows.push(
        compare(
          'processes',
          sql,
          r(sql),
          'ops/s',
          limitName,
          r(limitName),
          undefined,
          sqliteDriver() ? how : NO_SQLITE,
        ),
      );
      rows.push(compare('processes', vc, r(vc), 'ops/s', limitName, r(limitName)));
      rows.push(
        compare(
          'processes',
          vc,
          r(vc),
          'ops/s',
          sql,
          r(sql),
          { op: '>=', ratio: 1 },
          sqliteDriver() ? undefined : NO_SQLITE,
        ),
      );
    }
    return withSamples(rows, (f) => rates.get(f)?.samples);
  },
};
