import type { Command } from 'commander';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { say } from '../audit-args.ts';
import { natsOptions, onRemote, type RemoteOptions } from '../remote-args.ts';
import { errUsage } from '../../errors.ts';

export function restoreCommand(command: Command, log: () => Logger): void {
  natsOptions(
    command
      .requiredOption('--root <dir>', 'where to rebuild: must hold no journal yet')
      .option('--json', 'one JSON line per sandbox'),
  ).action(async (opts: RemoteOptions & { root: string; json?: boolean }) => {
    if (opts.from === undefined || opts.host === undefined) throw errUsage('give --from nats://… and --host');
    const roots = rootsUnder(opts.root);
    const { restoreHost } = await import('../../ship/restore.ts');
    const restored = await onRemote(opts, (remote) => restoreHost(remote, roots, log()));
    for (const r of restored) {
      say(
        opts.json
          ? JSON.stringify(r)
          : `${r.sandbox}: ${r.seq} events restored, head ${r.head.slice(0, 16)}, ${r.rebuilt.length} legacy files written`,
      );
    }
  });
}
