import { access } from 'node:fs/promises';
import type { Command } from 'commander';
import { osError } from '../../errors.ts';
import { readEvents } from '../../journal/reader.ts';
import { checkId } from '../../layout/ids.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { journalFile } from '../../store/sandbox.ts';
import { describeEvent } from '../format.ts';

export function logCommand(program: Command, log: () => Logger): void {
  program
    .command('log')
    .description("print a sandbox's events, oldest first (read-only, takes no lock)")
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal')
    .requiredOption('--sandbox <id>', 'the sandbox')
    .option('--json', 'one JSON event per line')
    .action(async (opts: { root: string; sandbox: string; json?: boolean }) => {
      checkId('sandbox', opts.sandbox);
      const file = journalFile(rootsUnder(opts.root), opts.sandbox);
      await access(file).catch((err) => {
        throw osError('open', file, err);
      });
      const onTornTail = (t: { offset: number; bytes: number }) =>
        log().warn({ file, ...t }, 'journal ends in a torn record (ignored; a writer will truncate it)');
      for await (const { offset: _offset, ...event } of readEvents(file, { log: log(), onTornTail })) {
        process.stdout.write(`${opts.json ? JSON.stringify(event) : describeEvent(event)}\n`);
      }
    });
}
