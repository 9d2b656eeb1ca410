import type { Command } from 'commander';
import { errUsage } from '../errors.ts';
import { checkId } from '../layout/ids.ts';
import { checkHostId } from '../ship/host-id.ts';
import type { Remote } from '../ship/remote.ts';
import { checkPrefix, checkStreamName } from '../ship/subject.ts';
import type { Trust } from '../ship/trust.ts';
import { sandboxJournal } from './audit-args.ts';

/** `--from nats://…` and friends: an audit command reads a host's history from the stream instead of `--root`. */
export interface RemoteOptions {
  root?: string | undefined;
  from?: string | undefined;
  host?: string | undefined;
  stream?: string | undefined;
  prefix?: string | undefined;
  creds?: string | undefined;
  tlsCa?: string | undefined;
  trust?: string | undefined;
}

/** The environment variable naming the trust file, for a daemon or a script that cannot pass `--trust`. */
export const TRUST_ENV = 'VCSTORE_TRUST';

export const isNatsUrl = (value: string) => /^(nats|tls):\/\//.test(value);

export function natsOptions(cmd: Command, from = '--from <url>'): Command {
  return cmd
    .option(from, 'read the history from NATS JetStream instead (nats://HOST:PORT[,…]), with --host')
    .option('--host <id>', 'with --from: the host whose history to read')
    .option('--stream <name>', 'with --from: the JetStream stream (default VCSTORE)')
    .option('--prefix <subject>', 'with --from: the subject prefix (default vcstore)')
    .option('--creds <file>', 'with --from: a NATS credentials file')
    .option('--tls-ca <file>', "with --from: a CA bundle for the servers' TLS certificates")
    .option(
      '--trust <file>',
      `with --from: the hosts' public keys (default $${TRUST_ENV}); every message must be signed`,
    );
}

/**
 * The trust file of `--trust` or $VCSTORE_TRUST, read; without one the
 * messages' authorship is not checked, and stderr says so every time.
 */
export async function trustOf(opts: { trust?: string | undefined }): Promise<Trust | undefined> {
  const file = opts.trust ?? (process.env[TRUST_ENV] || undefined);
  if (file === undefined) {
    process.stderr.write(
      `vcstore: no --trust file (or $${TRUST_ENV}): who wrote the stream's messages is not checked, only their chain\n`,
    );
    return undefined;
  }
  const { readTrust } = await import('../ship/trust.ts');
  return readTrust(file);
}

/** Exactly one of `--root` and `--from`. */
export function checkSource(opts: RemoteOptions): void {
  if ((opts.root === undefined) === (opts.from === undefined))
    throw errUsage('give --root DIR or --from nats://… (with --host)');
  if (opts.from !== undefined && opts.host === undefined)
    throw errUsage('--from needs --host: the host whose history to read');
}

export async function onRemote<T>(opts: RemoteOptions, fn: (remote: Remote) => Promise<T>): Promise<T> {
  const target = { servers: opts.from ?? '', host: checkHostId(opts.host ?? '') };
  if (opts.prefix !== undefined) checkPrefix(opts.prefix);
  if (opts.stream !== undefined) checkStreamName(opts.stream);
  const trust = await trustOf(opts);
  const { withRemote } = await import('../ship/remote.ts'); // the NATS client loads only when asked for
  return withRemote(
    { ...target, stream: opts.stream, prefix: opts.prefix, creds: opts.creds, tlsCa: opts.tlsCa, trust },
    fn,
  );
}

/** The sandbox's journal: the local one, or its history from the stream, chain-checked, in a temporary file. */
export async function withJournal<T>(
  opts: RemoteOptions & { sandbox: string },
  fn: (file: string) => Promise<T>,
): Promise<T> {
  checkSource(opts);
  if (opts.root !== undefined) return fn(await sandboxJournal(opts.root, opts.sandbox));
  checkId('sandbox', opts.sandbox);
  const { withRemoteJournal } = await import('../ship/remote.ts');
  return onRemote(opts, (remote) => withRemoteJournal(remote, opts.sandbox, fn));
}
