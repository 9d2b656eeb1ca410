import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { rootsUnder } from '../../../src/layout/roots.ts';
import { buildServer } from '../../../src/server/app.ts';
import type { Ctx, Suite } from '../context.ts';
import { missingLayoutRows, type Layout } from '../layout.ts';
import { concurrently, interleave, type Workload } from '../measure.ts';
import { alone, compare, withSamples, type Row } from '../report.ts';
import { stateData } from '../workload.ts';
import { vcstoreStores } from './stores.ts';
import { CLI } from '../../helpers/cli.ts';

/** `vcstore serve` in its own process, as a host runs it. */
async function daemon(root: string): Promise<{ socket: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--root', root], {
    env: { ...process.env, VCSTORE_LOG: '' }, // its start and stop lines would interleave with the progress
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

/** How many µs longer a store takes at `slower` ops/s than at `faster`. */
const perStoreGap = (slower: number | null, faster: number | null): number | null =>
  slower === null || faster === null || slower === 0 || faster === 0 ? null : 1e6 / slower - 1e6 / faster;

const percentile = (xs: number[], p: number): number | null => {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/**
 * The daemon's routes in this process, without a socket (fastify's inject):
 * the library's store plus what fastify and the route add (the body's parse,
 * routing, validation, the answer's hash and encoding, the metrics), but no
 * HTTP parse, no connection and no second process.
 */
function throughRoutes(name: string, dir: string): Workload {
  let server: Awaited<ReturnType<typeof buildServer>> | undefined;
  let i = 0;
  const post = async (url: string, body: unknown) => {
    const answer = await server!.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    if (answer.statusCode !== 200) throw new Error(`${url}: ${answer.statusCode} ${answer.body}`);
  };
  return {
    name,
    async setup() {
      server = await buildServer({ roots: rootsUnder(dir) });
      await server.app.ready();
      await post('/v1/createAllResources', { sandboxID: 'one' });
    },
    run: (n) =>
      concurrently(n, 1, () =>
        post('/v1/storeSandboxResource', { sandboxID: 'one', resource: 'state', data: stateData(i++) }),
      ),
    async teardown() {
      await server?.app.close();
    },
  };
}

/** One layout's daemon and its workloads: the library in process, 1 client, 64 clients on one sandbox and on 64. */
async function layoutWorkloads(ctx: Ctx, l: Layout) {
  const root = await l.prefix('serve');
  const { socket, child } = await daemon(root);
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
  const names = {
    lib: `vcstore store in process, 1 writer, ${l.label}`,
    routes: `serve: the store route in process (inject, no socket), 1 writer, ${l.label}`,
    one: `serve: socket stores, 1 client, ${l.label}`,
    busy: `serve: socket stores, 64 clients, 1 sandbox, ${l.label}`,
    spread: `serve: socket stores, 64 clients, 64 sandboxes, ${l.label}`,
  };
  const ids = Array.from({ length: 64 }, (_, k) => `many${k}`);
  const one = overSocket(
    names.one,
    1,
    store(() => 'one'),
    () => create(['one', 'busy', ...ids]),
  );
  const busy = overSocket(
    names.busy,
    64,
    store(() => 'busy'),
  );
  const spread = overSocket(
    names.spread,
    64,
    store((c) => ids[c]!),
  );
  const lib = vcstoreStores(names.lib, await l.prefix('serve-lib'), 1, 1);
  const routes = throughRoutes(names.routes, await l.prefix('serve-routes'));
  return { label: l.label, root, socket, child, names, lib, routes, one, busy, spread };
}

/** The daemon against the library in one process, in each layout: the cost of the HTTP hop, group commit across clients, fetch over the socket. */
export const serveSuite: Suite = {
  name: 'serve',
  about:
    'vcstore serve over its unix socket: stores from 1 and 64 clients, fetch, p50/p99, against the in-process library, in each layout',
  async run(ctx) {
    const started: Awaited<ReturnType<typeof layoutWorkloads>>[] = [];
    try {
      // A smoke run starts one daemon only (each start costs seconds): the first layout's.
      for (const l of ctx.mode === 'smoke' ? ctx.layouts.slice(0, 1) : ctx.layouts)
        started.push(await layoutWorkloads(ctx, l));
      const first = started[0];
      if (!first) return missingLayoutRows('serve', ctx.missingLayouts, 'serve: socket stores');
      const fileName = 'read state.json directly (readFileSync)';
      const healthName = `serve: GET /v1/health over the socket, 1 client, ${ctx.layouts[0]!.label}`;
      const health = overSocket(healthName, 1, (agent) => request(agent, first.socket, 'GET', '/v1/health'));
      const fetchName = `serve: fetchSandboxState over the socket, ${ctx.layouts[0]!.label}`;
      const stateFile = path.join(rootsUnder(first.root).run, 'one', 'state.json');
      const fetched = overSocket(fetchName, 1, (agent) =>
        request(agent, first.socket, 'GET', '/v1/fetchSandboxState?sandboxID=one'),
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
        started.flatMap((w) => [w.lib, w.routes, w.one, w.busy, w.spread]),
        ctx.sizes.stores,
      );
      const reads = await interleave([file, fetched, health], ctx.sizes.fetch);
      const r = (name: string) => (stores.get(name) ?? reads.get(name))!.opsPerSec;
      const rows: Row[] = [];
      const latency: Array<[string, number[]]> = [];
      for (const { label, names, one, busy, spread } of started) {
        rows.push(
          alone(
            'serve',
            names.lib,
            r(names.lib),
            'ops/s',
            'the baseline: Store.storeSandboxResource awaited in a loop',
          ),
          compare(
            'serve',
            names.one,
            r(names.one),
            'ops/s',
            names.lib,
            r(names.lib),
            { op: '>=', ratio: 0.7 },
            'the HTTP hop costs less than a third of a durable write',
          ),
          compare(
            'serve',
            names.routes,
            r(names.routes),
            'ops/s',
            names.lib,
            r(names.lib),
            undefined,
            "what fastify and the route add to the library's store: body parse, routing, validation, the answer's hash and JSON, metrics",
          ),
          alone(
            'serve',
            `serve: what the socket adds per store, 1 client, ${label}`,
            perStoreGap(r(names.one), r(names.routes)),
            'µs',
            'µs per store of the daemon over the route in process: HTTP parse and write on both sides, the connection, a second process to wake',
          ),
          alone(
            'serve',
            `serve: what the route adds per store, 1 writer, ${label}`,
            perStoreGap(r(names.routes), r(names.lib)),
            'µs',
            "µs per store of the route in process over the library: body parse, routing, validation, the answer's hash and JSON, metrics",
          ),
          compare(
            'serve',
            names.busy,
            r(names.busy),
            'ops/s',
            names.one,
            r(names.one),
            { op: '>=', ratio: 10 },
            'group commit across clients',
          ),
          compare('serve', names.spread, r(names.spread), 'ops/s', names.one, r(names.one), { op: '>=', ratio: 3 }),
        );
        latency.push([names.one, one.latencies], [names.busy, busy.latencies], [names.spread, spread.latencies]);
      }
      rows.push(
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
      );
      rows.push(
        alone(
          'serve',
          healthName,
          r(healthName),
          'ops/s',
          'the bare hop: a request that does nothing (HTTP both ways, routing, a small JSON answer)',
        ),
      );
      latency.push([fetchName, fetched.latencies], [healthName, health.latencies], [fileName, fileLatencies]);
      for (const [name, xs] of latency) {
        rows.push(alone('serve', `${name}: p50 latency`, percentile(xs, 50), 'ms'));
        rows.push(alone('serve', `${name}: p99 latency`, percentile(xs, 99), 'ms'));
      }
      rows.push(...missingLayoutRows('serve', ctx.missingLayouts, 'serve: socket stores'));
      return withSamples(rows, (f) => (stores.get(f) ?? reads.get(f))?.samples);
    } finally {
      for (const { child } of started) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    }
  },
};
