import type { Command } from 'commander';
import { resourceAt } from '../../audit/show.ts';
import { checkId } from '../../layout/ids.ts';
import type { Resource } from '../../layout/resources.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { diskPath } from '../../projector/project.ts';
import { pointOf, resourceArg, sandboxJournal, say, seqArg, timeArg } from '../audit-args.ts';
import { EXIT } from '../exit-codes.ts';

interface ShowOptions {
  root: string;
  sandbox: string;
  container?: string;
  resource: Resource;
  at?: number;
  time?: string;
  json?: boolean;
}

export function showCommand(program: Command, log: () => Logger): void {
  program
    .command('show')
    .description('print one resource as its legacy file held it at a point of the history (default: now)')
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal')
    .requiredOption('--sandbox <id>', 'the sandbox')
    .option('--container <id>', 'a container resource rather than a sandbox one')
    .requiredOption('--resource <name>', 'config, state, network, hypervisor, agent, process, lock, mounts or devices', resourceArg)
    .option('--at <seq>', 'right after this event', seqArg)
    .option('--time <time>', 'as it was at this time (ISO 8601, UTC)', timeArg('start'))
    .option('--json', 'a JSON object with the point, the path and the content')
    .action(async (opts: ShowOptions) => {
      const file = await sandboxJournal(opts.root, opts.sandbox);
      if (opts.container !== undefined) checkId('container', opts.container);
      const where = { sandbox: opts.sandbox, container: opts.container, resource: opts.resource };
      const found = await resourceAt(file, where, pointOf(opts, false), { log: log() });
      const path = diskPath(rootsUnder(opts.root), found.path);
      if (found.content === undefined) process.exitCode = EXIT.findings;
      if (opts.json) {
        say(JSON.stringify({ sandbox: opts.sandbox, seq: found.seq, time: found.time ?? null, path, content: found.content ?? null, ...(found.writtenBy ? { writtenBy: found.writtenBy } : {}) }));
      } else if (found.content === undefined) {
        process.stderr.write(`vcstore: ${path} did not exist after event ${found.seq}\n`);
      } else {
        const by = found.writtenBy;
        if (by?.source === 'observed') process.stderr.write(`vcstore: ${path} holds an outside write (pid unknown) seen at ${by.time}, event ${by.seq}\n`);
        process.stdout.write(found.content); // the exact bytes, no newline added: what `cat` showed then
      }
    });
}
