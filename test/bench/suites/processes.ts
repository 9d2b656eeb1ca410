import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import { call, startServe, type ServeProcess } from '../../helpers/serve.ts';
import type { Ctx, Suite } from '../context.ts';
import { missingLayoutRows, type Layout } from '../layout.ts';
import { HANDOFF_SANDBOX, MARK, parseTrace, processOf, straceMissing, traced, type Call } from '../strace.ts';
import { interleave, median, type Workload } from '../measure.ts';
import { alone, compare, withSamples, type Row } from '../report.ts';
import type { Kind, Reply, Request } from '../workers/store-worker.ts';
import { NO_SQLITE, sqliteDriver } from '../sqlite-driver.ts';
import { openDb } from './sqlite.ts';

const WORKER = fileURLToPath(new URL('../workers/store-worker.ts', import.meta.url));
const HANDOFF_WORKER = fileURLToPath(new URL('../workers/lock-handoff.ts', import.meta.url));
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
function inPool(
  pool: Pool,
  name: string,
  kind: Kind,
  dir: string,
  shared: boolean,
  frameSize: number,
  socket?: string,
): Workload {
  const sandbox = (p: number) => (shared ? 'sb0' : `sb${p}`);
  return {
    name,
    async setup() {
      if (kind === 'vcstore') {
        const store = new Store({ roots: rootsUnder(dir) });
        for (let p = 0; p < (shared ? 1 : PROCESSES); p++) await store.createAllResources({ id: sandbox(p) });
        await store.close();
      }
      if (kind === 'daemon')
        for (let p = 0; p < (shared ? 1 : PROCESSES); p++) {
          const made = await call(socket!, 'POST', '/v1/createAllResources', { sandboxID: sandbox(p) });
          if (made.status !== 200) throw new Error(`createAllResources: ${made.status} ${made.text}`);
        }
      if (kind === 'sqlite') openDb(path.join(dir, 'events.sqlite')).close(); // made once, not raced by four
      await pool.all(
        (p) => ({
          setup: { id: name, kind, dir, sandbox: sandbox(p), shared, frameSize, ...(socket ? { socket } : {}) },
        }),
        name,
      );
    },
    run: (n) =>
      pool.all((p) => ({ run: { id: name, n: Math.floor(n / PROCESSES) + (p < n % PROCESSES ? 1 : 0) } }), name),
    teardown: () => pool.all(() => ({ teardown: name }), name),
  };
}

const label = (shared: boolean) => `${PROCESSES} processes, ${shared ? '1 sandbox' : `${PROCESSES} sandboxes`}`;

/**
 * The hand-off run by mode: stores per process, enough for a few turns each
 * of the lock (held up to 200 ms). A smoke run skips it: five processes
 * starting under strace take seconds, and test/bench/strace.test.ts checks
 * the reading of a trace.
 */
const HANDOFF = {
  full: { stores: 400, processes: PROCESSES },
  quick: { stores: 150, processes: PROCESSES },
  smoke: null,
} as const;

interface Handoff {
  /** seconds from the release (unlink of the lock) to the next process's symlink of it */
  take: number;
  /** seconds from that symlink to the same process's first journal write */
  append: number;
}

/**
 * The hand-offs in a trace of processes taking one sandbox's lock in turn:
 * each time a process other than the last holder takes the lock, from the
 * last holder's unlink to the new holder's symlink, then to its first write
 * to the journal. Also how long each holder kept the lock and how many
 * appends it made meanwhile.
 */
export function handoffs(calls: Call[]): { handoffs: Handoff[]; holds: number[]; appendsPerHold: number[] } {
  const proc = processOf(calls);
  const lock = `@locks/${HANDOFF_SANDBOX}.lock"`;
  const isWrite = (c: Call) =>
    /^(write|pwrite64|writev|pwritev2?)$/.test(c.name) && /^\d+<[^>]*\/journal\.log>/.test(c.args);
  const found: Handoff[] = [];
  const holds: number[] = [];
  const appendsPerHold: number[] = [];
  let released: { by: number; at: number } | undefined;
  let taken: { by: number; at: number; release?: { by: number; at: number }; appends: number } | undefined;
  let waiting: { by: number; released: number; took: number } | undefined;
  const sorted = [...calls].sort((a, b) => a.time - b.time);
  const go = sorted.findIndex((c) => c.name.startsWith('unlink') && c.args.includes(MARK.go));
  for (const c of sorted.slice(go + 1)) {
    if (c.result.split(' ')[0] !== '0' && !isWrite(c)) continue;
    const by = proc(c.tid);
    if ((c.name === 'symlink' || c.name === 'symlinkat') && c.args.includes(lock)) {
      taken = { by, at: c.time, appends: 0 };
      if (released && released.by !== by) waiting = { by, released: released.at, took: c.time };
    } else if ((c.name === 'unlink' || c.name === 'unlinkat') && c.args.includes(lock)) {
      if (taken?.by === by) {
        holds.push(c.time - taken.at);
        appendsPerHold.push(taken.appends);
      }
      released = { by, at: c.time };
      taken = undefined;
    } else if (isWrite(c)) {
      if (taken?.by === by) taken.appends++;
      if (waiting?.by === by) {
        found.push({ take: waiting.took - waiting.released, append: c.time - waiting.took });
        waiting = undefined;
      }
    }
  }
  return { handoffs: found, holds, appendsPerHold };
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s[Math.min(s.length - 1, Math.floor(0.99 * s.length))]!;
};

/** The lock's hand-off, measured from outside: PROCESSES processes on one sandbox, traced by strace. */
async function handoffRows(ctx: Ctx, layout: Layout): Promise<Row[]> {
  const plan = HANDOFF[ctx.mode];
  const what = `lock hand-off, ${PROCESSES} processes on 1 sandbox, ${layout.label}`;
  if (plan === null)
    return [alone('processes', what, null, 'ms', 'not measured in a smoke run: it starts 5 processes under strace')];
  const { stores: perProcess, processes } = plan;
  const missing = straceMissing();
  if (missing) return [alone('processes', what, null, 'ms', missing)];
  const prefix = await layout.prefix('handoff');
  const file = path.join(await ctx.folder('handoff-trace'), 'handoff.strace');
  const code = await traced(
    file,
    [
      '-ttt',
      '-y',
      '-qq',
      '--seccomp-bpf',
      '-e',
      'trace=clone,clone3,symlink,symlinkat,unlink,unlinkat,write,pwrite64,writev,pwritev,pwritev2',
    ],
    [process.execPath, '--import', 'tsx', HANDOFF_WORKER, prefix, String(perProcess), String(processes)],
  );
  if (code !== 0) throw new Error(`the hand-off run under strace exited with ${code}`);
  const { handoffs: found, holds, appendsPerHold } = handoffs(parseTrace(await readFile(file, 'utf8')));
  const ms = (x: number | null) => (x === null || Number.isNaN(x) ? null : x * 1000);
  const total = found.map((h) => h.take + h.append);
  const how = `strace -f -ttt of ${processes} processes storing ${perProcess} times each on one sandbox with the library; tracing only the lock's symlink and unlink, clones and writes (--seccomp-bpf), each traced call slowed by the stop`;
  if (found.length === 0)
    return [alone('processes', `${what}: release to first append, median`, null, 'ms', `no hand-off seen; ${how}`)];
  return [
    alone(
      'processes',
      `${what}: release to first append, median`,
      ms(median(total)),
      'ms',
      `${found.length} hand-offs; ${how}`,
    ),
    alone('processes', `${what}: release to first append, p99`, ms(p99(total)), 'ms'),
    alone(
      'processes',
      `${what}: release to the next holder's symlink, median`,
      ms(median(found.map((h) => h.take))),
      'ms',
      'the waiters poll for the lock',
    ),
    alone(
      'processes',
      `${what}: symlink to first append, median`,
      ms(median(found.map((h) => h.append))),
      'ms',
      'the new holder catches up with the journal and checks the files',
    ),
    alone(
      'processes',
      `${what}: lock held, median`,
      ms(median(holds)),
      'ms',
      `median appends per hold ${median(appendsPerHold)}`,
    ),
  ];
}

/**
 * Four processes storing at once, on separate sandboxes and on one: each
 * process taking the writer lock (the library), or all storing through one
 * daemon (`vcstore serve`), in each layout, against SQLite's four processes;
 * then the lock's hand-off between processes, timed from outside.
 */
export const processesSuite: Suite = {
  name: 'processes',
  about:
    '4 processes storing at once (each with the library, or through the daemon), against SQLite with 4 processes and 4 bare fsync loops; the lock hand-off',
  async run(ctx) {
    const limitName = `limit: ${PROCESSES} processes, append+fdatasync, 1 file each`;
    const shapes = [false, true]; // one sandbox each; one sandbox for all, through the writer lock
    const libName = (l: Layout, shared: boolean) => `vcstore store, ${label(shared)}, ${l.label}`;
    const daemonName = (l: Layout) => `vcstore store through the daemon, ${label(true)}, ${l.label}`;
    // A smoke run starts one daemon only (each start costs seconds): through the first layout's.
    const daemonLayouts = ctx.mode === 'smoke' ? ctx.layouts.slice(0, 1) : ctx.layouts;
    const starting = await Promise.allSettled([
      Pool.start(),
      ...daemonLayouts.map(async (l) => {
        const root = await l.prefix('serve4');
        return { layout: l, root, serve: await startServe(root, [], { VCSTORE_LOG: '' }) };
      }),
    ]);
    const failed = starting.find((s) => s.status === 'rejected');
    if (failed) {
      for (const s of starting)
        if (s.status === 'fulfilled') await ('stop' in s.value ? s.value.stop() : s.value.serve.stop());
      throw failed.reason;
    }
    const [pool, ...daemons] = starting.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [
      Pool,
      ...{ layout: Layout; root: string; serve: ServeProcess }[],
    ];
    let rates;
    try {
      const workloads = [inPool(pool, limitName, 'limit', await ctx.folder('limit4'), false, ctx.frameSize)];
      if (sqliteDriver())
        for (const shared of shapes)
          workloads.push(
            inPool(pool, `SQLite, ${label(shared)}`, 'sqlite', await ctx.folder('sqlite4'), shared, ctx.frameSize),
          );
      for (const l of ctx.layouts) {
        for (const shared of shapes)
          workloads.push(
            inPool(pool, libName(l, shared), 'vcstore', await l.prefix('vcstore4'), shared, ctx.frameSize),
          );
        const d = daemons.find((x) => x.layout === l);
        if (d) workloads.push(inPool(pool, daemonName(l), 'daemon', d.root, true, ctx.frameSize, d.serve.socket));
      }
      rates = await interleave(workloads, ctx.sizes.processes);
    } finally {
      await pool.stop();
      for (const d of daemons) await d.serve.stop();
    }
    const r = (name: string) => rates.get(name)?.opsPerSec ?? null;
    const rows: Row[] = [
      alone('processes', limitName, r(limitName), 'ops/s', 'the limit for 4 appenders on this disk'),
    ];
    const how = (shared: boolean) =>
      shared
        ? 'one database; each transaction reads the last event of the sandbox first (BEGIN IMMEDIATE)'
        : 'one database';
    for (const shared of shapes) {
      const sql = `SQLite, ${label(shared)}`;
      rows.push(
        compare(
          'processes',
          sql,
          r(sql),
          'ops/s',
          limitName,
          r(limitName),
          undefined,
          sqliteDriver() ? how(shared) : NO_SQLITE,
        ),
      );
    }
    const noSql = sqliteDriver() ? undefined : NO_SQLITE;
    for (const l of ctx.layouts) {
      for (const shared of shapes) {
        const sql = `SQLite, ${label(shared)}`;
        const vc = libName(l, shared);
        rows.push(compare('processes', vc, r(vc), 'ops/s', limitName, r(limitName)));
        rows.push(compare('processes', vc, r(vc), 'ops/s', sql, r(sql), { op: '>=', ratio: 1 }, noSql));
      }
      if (!daemons.some((x) => x.layout === l)) continue;
      const d = daemonName(l);
      const sql = `SQLite, ${label(true)}`;
      rows.push(
        compare(
          'processes',
          d,
          r(d),
          'ops/s',
          sql,
          r(sql),
          { op: '>=', ratio: 1 },
          noSql ?? 'each process one connection to vcstore serve, one request at a time',
        ),
        compare(
          'processes',
          d,
          r(d),
          'ops/s',
          libName(l, true),
          r(libName(l, true)),
          undefined,
          'the daemon against each process taking the lock',
        ),
      );
    }
    rows.push(...missingLayoutRows('processes', ctx.missingLayouts, `vcstore store, ${label(true)}`));
    const withRounds = withSamples(rows, (f) => rates.get(f)?.samples);
    const first = ctx.layouts[0];
    if (first) withRounds.push(...(await handoffRows(ctx, first)));
    return withRounds;
  },
};
