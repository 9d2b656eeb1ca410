/**
 * One of the "4 processes". It hosts any number of workloads (stores through
 * the library or through a daemon's socket, SQLite commits or bare appends), set up and run on command from the parent over
 * IPC, so that process start-up stays out of the timing and one pool of
 * processes serves every figure of the suite in turn.
 */
import http from 'node:http';
import path from 'node:path';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { Store } from '../../../src/store/store.ts';
import type { Workload } from '../measure.ts';
import { limitLoop } from '../suites/limit.ts';
import { openDb, SqliteSandbox } from '../suites/sqlite.ts';
import { stateData } from '../workload.ts';

export type Kind = 'vcstore' | 'sqlite' | 'limit' | 'daemon';
export interface Spec {
  id: string;
  kind: Kind;
  dir: string;
  sandbox: string;
  /** other processes store on this sandbox too */
  shared: boolean;
  frameSize: number;
  /** kind daemon: the unix socket of the `vcstore serve` to store through */
  socket?: string;
}
export type Request = { setup: Spec } | { run: { id: string; n: number } } | { teardown: string };
export type Reply = { id: string; ok: true } | { id: string; error: string } | { started: true };

function workload(spec: Spec): Workload {
  if (spec.kind === 'limit') return limitLoop(`limit-${spec.sandbox}`, spec.dir, spec.frameSize);
  let i = 0;
  if (spec.kind === 'sqlite') {
    const db = openDb(path.join(spec.dir, 'events.sqlite'));
    // When other processes write to this sandbox, the last event is read inside each transaction.
    const writer = new SqliteSandbox(db, spec.sandbox, spec.shared);
    return {
      name: spec.id,
      async run(n) {
        for (let k = 0; k < n; k++) await writer.store(i++);
      },
      teardown: () => {
        db.close();
        return Promise.resolve();
      },
    };
  }
  if (spec.kind === 'daemon') {
    // One kept-alive connection, one request at a time: a runtime process storing through the daemon.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    return {
      name: spec.id,
      async run(n) {
        for (let k = 0; k < n; k++) await storeOverSocket(agent, spec.socket!, spec.sandbox, i++);
      },
      teardown: () => {
        agent.destroy();
        return Promise.resolve();
      },
    };
  }
  const store = new Store({ roots: rootsUnder(spec.dir) });
  return {
    name: spec.id,
    async run(n) {
      for (let k = 0; k < n; k++) await store.storeSandboxResource(spec.sandbox, 'state', stateData(i++));
    },
    teardown: () => store.close(),
  };
}

function storeOverSocket(agent: http.Agent, socket: string, sandboxID: string, i: number): Promise<void> {
  const body = JSON.stringify({ sandboxID, resource: 'state', data: stateData(i) });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        socketPath: socket,
        method: 'POST',
        path: '/v1/storeSandboxResource',
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const hosted = new Map<string, Workload>();

async function handle(req: Request): Promise<string> {
  if ('setup' in req) {
    const w = workload(req.setup);
    await w.setup?.();
    hosted.set(req.setup.id, w);
    return req.setup.id;
  }
  if ('run' in req) {
    await hosted.get(req.run.id)!.run(req.run.n);
    return req.run.id;
  }
  await hosted.get(req.teardown)?.teardown?.();
  hosted.delete(req.teardown);
  return req.teardown;
}

if (process.send) {
  process.on('message', (req: Request) => {
    const id = 'setup' in req ? req.setup.id : 'run' in req ? req.run.id : req.teardown;
    handle(req).then(
      () => process.send!({ id, ok: true } satisfies Reply),
      (err: Error) => process.send!({ id, error: err.stack ?? String(err) } satisfies Reply),
    );
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ started: true } satisfies Reply);
}
