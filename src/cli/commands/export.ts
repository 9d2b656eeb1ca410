import type { Command } from 'commander';
import { exportEvents } from '../../audit/export.ts';
import { errUsage } from '../../errors.ts';
import { journaledSandboxes } from '../../layout/journals.ts';
import { journalFile, rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { existingRoot, ROOT_ABOUT, ROOT_FLAG, sandboxJournal } from '../audit-args.ts';
import { journalJob } from '../journal-job.ts';

export function exportCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .option('--sandbox <id>', 'one sandbox')
    .option('--all', 'every sandbox with a journal, in ID order')
    .action(async (opts: { root: string; sandbox?: string; all?: boolean }) => {
      if (Boolean(opts.all) === (opts.sandbox !== undefined)) throw errUsage('give --sandbox ID or --all');
      const roots = rootsUnder(await existingRoot(opts.root));
      const ids = opts.sandbox === undefined ? await journaledSandboxes(roots) : [opts.sandbox];
      if (opts.sandbox !== undefined) await sandboxJournal(opts.root, opts.sandbox);
      const job = await journalJob('export', roots, ids);
      try {
        for (const [i, id] of ids.entries()) {
          const progress = job.within(i);
          for await (const line of exportEvents(journalFile(roots, id), { log: log(), progress })) job.bar.print(line);
          job.finished(i);
        }
      } finally {
        job.bar.done();
      }
    });
}
