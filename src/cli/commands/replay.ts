import path from 'node:path';
import type { Command } from 'commander';
import { replayToDir } from '../../audit/materialize.ts';
import type { Logger } from '../../log.ts';
import { pointOf, ROOT_ABOUT, ROOT_FLAG, say, seqArg, timeArg } from '../audit-args.ts';
import { natsOptions, withJournal, type RemoteOptions } from '../remote-args.ts';
import { progressBar } from '../progress.ts';

interface ReplayOptions extends RemoteOptions {
  sandbox: string;
  at?: number;
  time?: string;
  out: string;
  json?: boolean;
}

export function replayCommand(command: Command, log: () => Logger): void {
  natsOptions(
    command
      .option(ROOT_FLAG, ROOT_ABOUT)
      .requiredOption('--sandbox <id>', 'the sandbox')
      .option('--at <seq>', 'right after this event', seqArg)
      .option('--time <time>', 'as it was at this time (ISO 8601, UTC)', timeArg('start'))
      .requiredOption('--out <dir>', 'an empty or new folder, laid out like --root')
      .option('--json', 'a JSON summary'),
  ).action(async (opts: ReplayOptions) => {
    const out = path.resolve(opts.out);
    const bar = progressBar('replay', { total: 0, unit: 'bytes' });
    const state = await withJournal(opts, (file) =>
      replayToDir(file, pointOf(opts, { required: true }), out, {
        log: log(),
        progress: (done, total) => bar.set(done, total),
      }),
    );
    bar.done();
    const summary = { sandbox: opts.sandbox, seq: state.last?.seq ?? 0, time: state.last?.time ?? null, out };
    const counts = { dirs: state.model.dirs.size, files: state.model.files.size };
    if (opts.json) say(JSON.stringify({ ...summary, ...counts }));
    else
      say(
        `replayed ${opts.sandbox} as of event ${summary.seq} (${summary.time ?? 'before the first event'}) into ${out}: ${counts.dirs} folders, ${counts.files} files`,
      );
  });
}
