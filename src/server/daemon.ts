import { createServer } from 'node:http';
import type { Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { DriftPolicy } from '../store/drift.ts';
import { superviseCommand } from './child-command.ts';
import { buildServer, type Server } from './app.ts';
import { lockRoot } from './daemon-lock.ts';
import { loopbackAddress } from './listen-address.ts';
import { listenOnPassed, passedSocket } from './socket-activation.ts';
import { listenPrivately, prepareSocket, type PlacedSocket } from './socket-file.ts';

export interface DaemonOptions {
  roots: Roots;
  /** the unix socket to listen on */
  socket: string;
  socketGroup?: string;
  /** also listen on this loopback HOST:PORT */
  listen?: string;
  bodyLimit?: number;
  log?: Logger;
  /** the --root prefix the daemon serves, for the commands it runs beside it (undefined: the legacy host paths) */
  root?: string | undefined;
  /** ship every event to NATS JetStream from a `vcstore ship` child process (`serve --ship`) */
  ship?: { to: string; host?: string };
  /** what the daemon's store, and the watcher, do with an outside write they find (default restore) */
  drift?: DriftPolicy;
  /** record outside writes from a `vcstore watch` child process (`serve --watch`) */
  watch?: boolean;
}

export interface Daemon {
  server: Server;
  /** where it listens: the socket, and the TCP address with --listen */
  addresses: string[];
  /** drains in-flight requests, ends streams, closes the journals, removes the socket, releases the root */
  stop(): Promise<void>;
}

/** Takes the root, listens, and returns once requests are served. */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const log = options.log ?? silentLogger;
  const tcp = options.listen === undefined ? undefined : loopbackAddress(options.listen);
  const passed = passedSocket(); // started by vcstore.socket: systemd made the socket
  if (passed === undefined) await prepareSocket(options.socket);
  const releaseRoot = await lockRoot(options.roots.journal, log);
  let server: Server | undefined;
  let placed: PlacedSocket | undefined;
  try {
    // Checked again with the root held: a daemon may have started in between.
    if (passed === undefined) await prepareSocket(options.socket);
    server = await buildServer({
      roots: options.roots,
      log,
      shipping: options.ship !== undefined,
      ...(options.drift ? { drift: options.drift } : {}),
      ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    });
    const app = server.app;
    placed =
      passed === undefined
        ? await listenPrivately(options.socket, options.socketGroup, (path) => app.listen({ path }))
        : await listenOnPassed(app, passed);
    const addresses = [options.socket];
    const second = tcp ? await listenTcp(server, tcp) : undefined;
    if (second) addresses.push(second.address);
    const root = ['--root', options.root ?? '/'];
    const children = [
      ...(options.ship
        ? [
            superviseCommand(
              ['ship', ...root, '--to', options.ship.to, ...(options.ship.host ? ['--host', options.ship.host] : [])],
              log,
            ),
          ]
        : []),
      ...(options.watch ? [superviseCommand(['watch', ...root, '--on-drift', options.drift ?? 'adopt'], log)] : []),
    ];
    const running = server;
    const socketFile = placed;
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        running.endStreams();
        for (const child of children) await child.stop();
        await second?.close();
        await running.app.close();
        await socketFile.remove(); // node removes only the private name it bound, gone already
        await releaseRoot();
      })());
    return { server, addresses, stop };
  } catch (err) {
    await server?.app.close();
    await placed?.remove();
    await releaseRoot();
    throw err;
  }
}

/** A second listener on the same app: fastify listens once, so the TCP side is a plain server handing requests to it. */
async function listenTcp(
  server: Server,
  { host, port }: { host: string; port: number },
): Promise<{ address: string; close(): Promise<void> }> {
  const http = createServer((req, res) => server.app.routing(req, res));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => resolve());
  });
  const bound = http.address();
  const address =
    typeof bound === 'object' && bound !== null ? `http://${host}:${bound.port}` : `http://${host}:${port}`;
  const close = () => new Promise<void>((resolve) => http.close(() => resolve()));
  return { address, close };
}
