import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { errRemote, errUsage, osError } from '../errors.ts';

export interface NatsTarget {
  /** `nats://host:port[,nats://host:port…]`: any member of the cluster */
  servers: string;
  /** a NATS credentials file (JWT and NKey seed) */
  creds?: string | undefined;
  /** a CA bundle to check the servers' TLS certificates */
  tlsCa?: string | undefined;
}

export interface ConnectOptions {
  /** keep trying forever, through server restarts (the shipper); otherwise fail fast (read commands) */
  persistent?: boolean;
  name?: string;
}

function serverList(servers: string): string[] {
  const list = servers
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0 || !list.every((s) => /^(nats|tls):\/\/[^\s/]+$/.test(s))) {
    throw errUsage(`expected nats://HOST:PORT[,nats://HOST:PORT…], got ${JSON.stringify(servers)}`);
  }
  return list;
}

export async function connectTo(target: NatsTarget, opts: ConnectOptions = {}): Promise<NatsConnection> {
  const servers = serverList(target.servers);
  const auth = target.creds === undefined ? {} : { authenticator: credsAuthenticator(readCreds(target.creds)) };
  const tls = target.tlsCa === undefined ? {} : { tls: { caFile: target.tlsCa } };
  try {
    return await connect({
      servers,
      name: opts.name ?? 'vcstore',
      ...auth,
      ...tls,
      ...(opts.persistent
        ? { waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250 }
        : { maxReconnectAttempts: 2, reconnectTimeWait: 250, timeout: 5000 }),
    });
  } catch (err) {
    throw errRemote(`cannot connect to ${servers.join(',')}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

function readCreds(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (err) {
    throw osError('open', file, err);
  }
}
