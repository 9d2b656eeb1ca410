import { readFileSync } from 'node:fs';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
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

/**
 * `nats://USER:PASSWORD@HOST:PORT`: a user of the server's `authorization`
 * block (docs/fleet.md, Trust). The client takes the user apart from the
 * URL, so it is split off here; every server of the list must name the same.
 */
function userOf(servers: string[]): { servers: string[]; user?: { user: string; pass: string } } {
  let user: { user: string; pass: string } | undefined;
  const bare = servers.map((s) => {
    const at = s.lastIndexOf('@');
    if (at < 0) return s;
    const scheme = s.indexOf('://') + 3;
    const [name = '', pass = ''] = s.slice(scheme, at).split(':');
    const found = { user: decodeURIComponent(name), pass: decodeURIComponent(pass) };
    if (user !== undefined && (user.user !== found.user || user.pass !== found.pass))
      throw errUsage('every server of --to/--from must name the same user');
    user = found;
    return s.slice(0, scheme) + s.slice(at + 1);
  });
  return user === undefined ? { servers: bare } : { servers: bare, user };
}

export async function connectTo(target: NatsTarget, opts: ConnectOptions = {}): Promise<NatsConnection> {
  const { servers, user } = userOf(serverList(target.servers));
  const auth =
    target.creds !== undefined
      ? { authenticator: credsAuthenticator(readCreds(target.creds)) }
      : user !== undefined
        ? user
        : {};
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

/**
 * The JetStream client and manager of a connection. A module that loads the
 * NATS client only when it is needed imports this module, not the NATS package:
 * a bundle hands a dynamically imported CommonJS package over as its default
 * export only, without its named ones.
 */
export async function jetStreamOf(nc: NatsConnection): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
  return { js: jetstream(nc), jsm: await jetstreamManager(nc) };
}
