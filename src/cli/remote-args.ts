import type { Command } from 'commander';
import { errUsage } from '../errors.ts';
import { checkId } from '../layout/ids.ts';
import { checkHostId } from '../ship/host-id.ts';
import type { Remote } from '../ship/remote.ts';
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
}

export const isNatsUrl = (value: string) => /^(nats|tls):\/\//.test(value);

export function natsOptions(cmd: Command, from = '--from <url>'): Command {
  return cmd
    .option(from, 'read the history from NATS JetStream instead (nats://HOST:PORT[,…]), with --host')
    .option('--host <id>', 'with --from: the host whose history to read')
    .option('--stream <name>', 'with --from: the JetStream stream (default VCSTORE)')
    .option('--prefix <subject>', 'with --from: the subject prefix (default vcstore)')
    .option('--creds <file>', 'with --from: a NATS credentials file')
    .option('--tls-ca <file>', "with --from: a CA bundle for the servers' TLS certificates");
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
  const { withRemote } = await import('../ship/remote.ts'); // the NATS client loads only when asked for
  return withRemote({ ...target, stream: opts.stream, prefix: opts.prefix, creds: opts.creds, tlsCa: opts.tlsCa }, fn);
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
