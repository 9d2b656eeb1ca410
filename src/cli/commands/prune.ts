import type { Command } from 'commander';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { parseDuration } from '../../ship/duration.ts';
import { prune } from '../../ship/prune.ts';
import { ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';
import { checkPrefix } from '../../ship/subject.ts';
import { trustOf } from '../remote-args.ts';

interface PruneFlags {
  root: string;
  olderThan: string;
  dryRun?: boolean;
  json?: boolean;
  from?: string;
  prefix?: string;
  creds?: string;
  tlsCa?: string;
  trust?: string;
}

/** The stream a shipped journal is read back from; the NATS client loads only when asked for. */
async function streamReader(opts: PruneFlags) {
  if (opts.prefix !== undefined) checkPrefix(opts.prefix);
  const trust = await trustOf(opts);
  const { readBack } = await import('../../ship/read-back.ts');
  return readBack({ servers: opts.from ?? '', prefix: opts.prefix, creds: opts.creds, tlsCa: opts.tlsCa, trust });
}

export function pruneCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .requiredOption('--older-than <duration>', 'deleted at least this long ago: 90s, 15m, 12h, 30d, 1d12h')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .option('--json', 'one JSON line per sandbox')
    .option('--from <url>', 'a shipped root: the stream to read each journal back from before it goes (nats://…)')
    .option('--prefix <subject>', 'with --from: the subject prefix it was shipped under (default vcstore)')
    .option('--creds <file>', 'with --from: a NATS credentials file')
    .option('--tls-ca <file>', "with --from: a CA bundle for the servers' TLS certificates")
    .option('--trust <file>', "with --from: the hosts' public keys (default $VCSTORE_TRUST)")
    .action(async (opts: PruneFlags) => {
      const cutoff = new Date(Date.now() - parseDuration(opts.olderThan)).toISOString();
      const readBack = opts.from === undefined ? undefined : await streamReader(opts);
      const verdicts = await prune(rootsUnder(opts.root), {
        cutoff,
        dryRun: opts.dryRun === true,
        log: log(),
        readBack,
      }).finally(() => readBack?.close());
      for (const v of verdicts) {
        say(
          opts.json
            ? JSON.stringify(v)
            : `${v.sandbox}: ${v.action} (${v.events} events, ${v.bytes} bytes): ${v.reason}`,
        );
      }
    });
}
