import { isIP } from 'node:net';
import path from 'node:path';
import { errDaemon } from '../errors.ts';

/** The socket of a daemon: the legacy host path, or inside the root it serves. */
export function defaultSocket(root: string | undefined): string {
  return root === undefined ? '/run/vcstore/vcstore.sock' : path.join(path.resolve(root), 'run/vcstore/vcstore.sock');
}

/**
 * `HOST:PORT` for --listen, loopback only: the API has no authentication
 * beyond who may reach it, and on TCP only the host's own users can.
 */
export function loopbackAddress(listen: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(listen);
  const host = match?.[1];
  const port = Number(match?.[2]);
  if (host === undefined || !Number.isInteger(port) || port > 65535) {
    throw errDaemon(`--listen ${JSON.stringify(listen)}: expected HOST:PORT, e.g. 127.0.0.1:7070`);
  }
  const loopback = host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
  if (!loopback) {
    throw errDaemon(
      `--listen ${listen}: only loopback addresses (127.0.0.0/8, ::1, localhost) are allowed; the API has no authentication, use the unix socket`,
    );
  }
  return { host, port };
}
