import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { rootsUnder } from '../../../src/layout/roots.ts';
import type { Suite } from '../context.ts';
import { concurrently, interleave, type Workload } from '../measure.ts';
import { alone, compare, withSamples, type Row } from '../report.ts';
import { stateData } from '../workload.ts';
import { vcstoreStores } from './stores.ts';
import { CLI } from '../../helpers/cli.ts';

/** `vcstore serve` in its own process, as a host runs it. */
async function daemon(root: string): Promise<{ socket: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--root', root], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), out.includes('listening') && resolve()));
    child.once('exit', (code) => reject(new Error(`vcstore serve exited with ${code}`)));
  });
  return { socket: path.join(root, 'run/vcstore/vcstore.sock'), child };
}

/** One request on a kept-alive connection; resolves with the body once the answer is whole. */
function request(agent: http.Agent, socket: string, method: string, url: string, body?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, socketPath: socket, method, path: url, headers: body ? { 'content-type': 'application/json' } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`${res.statusCode} ${text}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Operations over the socket, each one's latency kept for p50/p99. */
function overSocket(
  name: string,
  clients: number,
  op: (agent: http.Agent, client: number, i: number) => Promise<unknown>,
  setup?: () => Promise<void>,
): Workload & { latencies: number[] } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let i = 0;
  return {
    name,
    latencies,
    ...(setup ? { setup } : {}),
    run: (n) =>
      concurrently(n, clients, async (client) => {
        const t0 = process.hrtime.bigint();
        await op(agent, client, i++);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }),
    teardown() {
      agent.destroy();
      return Promise.resolve();
    },
  };
}

const percentile = (xs: number[], p: number): number | null => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** The daemon against the library in one process: the cost of the HTTP hop, group commit across clients, fetch over the socket. */
export const serveSuite: Suite = {
  name: 'serve',
  about:
    'vcstore serve over its unix socket: stores from 1 and 64 clients, fetch, p50/p99, against the in-process library',
  async run(ctx) {
    const root = await ctx.folder('serve');
    const { socket, child } = await daemon(root);
    try {
      const store = (sandbox: (client: number) => string) => (agent: http.Agent, client: number, i: number) =>
        request(
          agent,
          socket,
          'POST',
          '/v1/storeSandboxResource',
          JSON.stringify({ sandboxID: sandbox(client), resource: 'state', data: stateData(i) }),
        );
      const create = async (ids: string[]) => {
        const agent = new http.Agent({ keepAlive: true });
        for (const id of ids)
          await request(agent, socket, 'POST', '/v1/createAllResources', JSON.stringify({ sandboxID: id }));
        agent.destroy();
      };
      const libName = 'vcstore store in process, 1 writer';
      const oneName = 'serve: socket stores, 1 client';
      const busyName = 'serve: socket stores, 64 clients, 1 sandbox';
      const spreadName = 'serve: socket stores, 64 clients, 64 sandboxes';
      const fileName = 'read state.json directly (readFileSync)';
      const fetchName = 'serve: fetchSandboxState over the socket';
      const ids = Array.from({ length: 64 }, (_, k) => `many${k}`);
      const stateFile = path.join(rootsUnder(root).run, 'one', 'state.json');
      const one = overSocket(
        oneName,
        1,
        store(() => 'one'),
        () => create(['one', 'busy', ...ids]),
      );
      const busy = overSocket(
        busyName,
        64,
        store(() => 'busy'),
      );
      const spread = overSocket(
        spreadName,
        64,
        store((c) => ids[c]!),
      );
      const fetched = overSocket(fetchName, 1, (agent) =>
        request(agent, socket, 'GET', '/v1/fetchSandboxState?sandboxID=one'),
      );
      const fileLatencies: number[] = [];
      const file: Workload = {
        name: fileName,
        run(n) {
          for (let i = 0; i < n; i++) {
            const t0 = process.hrtime.bigint();
            readFileSync(stateFile);
            fileLatencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          }
          return Promise.resolve();
        },
      };
      const stores = await interleave(
        [vcstoreStores(libName, await ctx.folder('serve-lib'), 1, 1), one, busy, spread],
        ctx.sizes.stores,
      );
      const reads = await interleave([file, fetched], ctx.sizes.fetch);
      const r = (name: string) => (stores.get(name) ?? reads.get(name))!.opsPerSec;
      const rows: Row[] = [
        alone('serve', libName, r(libName), 'ops/s', 'the baseline: Store.storeSandboxResource awaited in a loop'),
        compare(
          'serve',
          oneName,
          r(oneName),
          'ops/s',
          libName,
          r(libName),
          { op: '>=', ratio: 0.7 },
          'the HTTP hop costs less than a third of a durable write',
        ),
        compare(
          'serve',
          busyName,
          r(busyName),
          'ops/s',
          oneName,
          r(oneName),
          { op: '>=', ratio: 10 },
          'group commit across clients',
        ),
        compare('serve', spreadName, r(spreadName), 'ops/s', oneName, r(oneName), { op: '>=', ratio: 3 }),
        alone('serve', fileName, r(fileName), 'ops/s'),
        compare(
          'serve',
          fetchName,
          r(fetchName),
          'ops/s',
          fileName,
          r(fileName),
          undefined,
          'the bytes of the file, checked, over HTTP',
        ),
      ];
      const latency: Array<[string, number[]]> = [
        [oneName, one.latencies],
        [busyName, busy.latencies],
        [spreadName, spread.latencies],
        [fetchName, fetched.latencies],
        [fileName, fileLatencies],
      ];
      for (const [name, xs] of latency) {
        rows.push(alone('serve', `${name}: p50 latency`, percentile(xs, 50), 'ms'));
        rows.push(alone('serve', `${name}: p99 latency`, percentile(xs, 99), 'ms'));
      }
      return withSamples(rows, (f) => (stores.get(f) ?? reads.get(f))?.samples);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  },
};
