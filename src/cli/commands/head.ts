import type { Command } from 'commander';
import { journalHead } from '../../audit/head.ts';
import type { Logger } from '../../log.ts';
import { ROOT_ABOUT, ROOT_FLAG, sandboxJournal, say } from '../audit-args.ts';
import { progressBar } from '../progress.ts';

export function headCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .requiredOption('--sandbox <id>', 'the sandbox')
    .option('--json', 'a JSON object')
    .action(async (opts: { root: string; sandbox: string; json?: boolean }) => {
      const file = await sandboxJournal(opts.root, opts.sandbox);
      const bar = progressBar('head', { total: 0, unit: 'bytes' });
      const head = await journalHead(file, { log: log(), progress: (done, total) => bar.set(done, total) });
      bar.done();
      if (opts.json)
        say(JSON.stringify({ sandbox: opts.sandbox, seq: head.seq, hash: head.hash, time: head.time ?? null }));
      else if (head.seq === 0) say(`${opts.sandbox} seq 0 (empty journal)`);
      else say(`${opts.sandbox} seq ${head.seq} sha256 ${head.hash} (${head.time})`);
    });
}
