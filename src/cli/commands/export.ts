import type { Command } from 'commander';
import { exportEvents } from '../../audit/export.ts';
import { journalSize } from '../../audit/journal-size.ts';
import { journaledSandboxes } from '../../layout/journals.ts';
import { StoreError } from '../../errors.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { journalFile } from '../../layout/roots.ts';
import { existingRoot, sandboxJournal, say } from '../audit-args.ts';
import { progressBar } from '../progress.ts';

export function exportCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal')
    .option('--sandbox <id>', 'one sandbox')
    .option('--all', 'every sandbox with a journal, in ID order')
    .action(async (opts: { root: string; sandbox?: string; all?: boolean }) => {
      if (Boolean(opts.all) === (opts.sandbox !== undefined)) throw new StoreError('EUSAGE', 'give --sandbox ID or --all');
      const roots = rootsUnder(await existingRoot(opts.root));
      const files = opts.all
        ? (await journaledSandboxes(roots)).map((id) => journalFile(roots, id))
        : [await sandboxJournal(opts.root, opts.sandbox!)];
      const sizes = await Promise.all(files.map(journalSize));
      const total = sizes.reduce((a, b) => a + b, 0);
      const bar = progressBar('export');
      let before = 0; // bytes of the journals already exported
      for (const [i, file] of files.entries()) {
        const progress = (done: number) => bar.update(before + done, total);
        for await (const line of exportEvents(file, { log: log(), progress })) say(line);
        before += sizes[i];
      }
      bar.done();
    });
}
