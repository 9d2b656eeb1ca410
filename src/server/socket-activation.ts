import type { FastifyInstance } from 'fastify';
import type { PlacedSocket } from './socket-file.ts';

/** The first socket systemd passes (sd_listen_fds(3)): descriptors start at 3. */
const FIRST_PASSED_FD = 3;

/**
 * The listening socket systemd passed to this process (socket activation:
 * `vcstore.socket`), or undefined. LISTEN_PID must be this process: the
 * variables are inherited by children, which must not take the socket too, so
 * they are removed once read.
 */
export function passedSocket(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const ours = env.LISTEN_PID === String(process.pid) && Number(env.LISTEN_FDS) >= 1;
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  return ours ? FIRST_PASSED_FD : undefined;
}

/**
 * Serves the app on a passed socket. fastify's listen() cannot take a
 * descriptor (it reads the bound address), so the app's own HTTP server
 * listens on it; systemd owns the socket file, so nothing is removed at stop.
 */
export async function listenOnPassed(app: FastifyInstance, fd: number): Promise<PlacedSocket> {
  await app.ready();
  await new Promise<void>((resolve, reject) => {
    app.server.once('error', reject);
    app.server.listen({ fd }, () => resolve());
  });
  return {
    remove: () =>
      new Promise<void>((resolve) => (app.server.listening ? app.server.close(() => resolve()) : resolve())),
  };
}
