/**
 * Real nats-server processes for the shipping tests: JetStream on, the store
 * in a temp folder, loopback ports picked at random. A missing server skips
 * the test, visibly.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { makeTempDir } from './temp.ts';
import { retry, waitFor } from './wait.ts';

export const hasNatsServer = () => spawnSync('sh', ['-c', 'command -v nats-server']).status === 0;

export function skipWithoutNats(t: TestContext): boolean {
  if (hasNatsServer()) return false;
  t.skip('needs nats-server (apt-get install -y nats-server)');
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface NatsNode {
  url: string;
  /** SIGKILL (or SIGTERM with `graceful`), then wait for the exit */
  stop(how?: 'kill' | 'graceful'): Promise<void>;
  /** the same node again: same port, same store folder */
  start(): Promise<void>;
  /** SIGSTOP: the node holds its connections and answers nothing (a frozen or partitioned server) */
  pause(): void;
  /** SIGCONT after `pause` */
  resume(): void;
}

function node(args: string[], port: number, log: string[]): NatsNode {
  let child: ChildProcess | undefined;
  const url = `nats://127.0.0.1:${port}`;
  return {
    url,
    async start() {
      const proc = spawn('nats-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      proc.stderr?.on('data', (d: Buffer) => log.push(d.toString()));
      await waitForPort(port, 10_000, () => proc.exitCode !== null);
    },
    async stop(how = 'kill') {
      const proc = child;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(how === 'kill' ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

async function waitForPort(port: number, ms: number, died: () => boolean): Promise<void> {
  await waitFor(
    () =>
      new Promise<boolean>((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
        s.once('error', () => resolve(false));
      }),
    {
      what: `nats-server to listen on port ${port}`,
      timeout: ms,
      hopeless: () => (died() ? 'it exited at start' : undefined),
    },
  );
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** every node's URL, comma-separated, as `--to` takes them */
  urls: string;
  log: string[];
  close(): Promise<void>;
}

export interface NatsOptions {
  /** a server configuration file's text (users, permissions), given with `-c` to every node */
  config?: string;
  /** `user:password` to ask for readiness with, when the configuration requires one */
  user?: string;
}

/** One node (`size` 1) or a JetStream cluster of `size` nodes, ready for stream requests. */
export async function natsCluster(size = 1, opts: NatsOptions = {}): Promise<NatsCluster> {
  const { dir, remove } = await makeTempDir('nats');
  const config = path.join(dir, 'nats.conf');
  if (opts.config !== undefined) await writeFile(config, opts.config);
  const log: string[] = [];
  const ports = await Promise.all(Array.from({ length: size }, freePort));
  const routes = await Promise.all(Array.from({ length: size }, freePort));
  const nodes = ports.map((port, i) => {
    const args = ['-js', '-sd', path.join(dir, `n${i}`), '-a', '127.0.0.1', '-p', String(port), '-n', `n${i}`];
    if (opts.config !== undefined) args.push('-c', config);
    if (size > 1) {
      const others = routes
        .filter((_, j) => j !== i)
        .map((p) => `nats://127.0.0.1:${p}`)
        .join(',');
      args.push('--cluster_name', 'vcstore-test', '--cluster', `nats://127.0.0.1:${routes[i]}`, '--routes', others);
    }
    return node(args, port, log);
  });
  const close = async () => {
    for (const n of nodes) await n.stop();
    await remove();
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    const urls = nodes.map((n) => n.url).join(',');
    await jetStreamReady(urls, 30_000, opts.user);
    return { nodes, urls, log, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** A cluster answers JetStream requests only once it has elected a meta leader. */
export async function jetStreamReady(urls: string, ms: number, user?: string): Promise<void> {
  const [name, pass] = user?.split(':') ?? [];
  const nc = await connect({ servers: urls.split(','), ...(name === undefined ? {} : { user: name, pass }) });
  try {
    await retry(async () => (await jetstreamManager(nc, { timeout: 2000 })).getAccountInfo(), {
      what: `JetStream at ${urls} to answer`,
      timeout: ms,
    });
  } finally {
    await nc.close();
  }
}
