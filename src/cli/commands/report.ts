import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { checkId } from '../../layout/ids.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { errUsage } from '../../errors.ts';
import { uiBundle } from '../../report/bundle.ts';
import { pageHtml } from '../../report/html.ts';
import { localReport, reportOf } from '../../report/make.ts';
import type { ReportData } from '../../report/types.ts';
import { pointOf, ROOT_ABOUT, ROOT_FLAG, sandboxJournal, say, seqArg, timeArg } from '../audit-args.ts';
import { checkSource, natsOptions, onRemote, type RemoteOptions } from '../remote-args.ts';

interface ReportOptions extends RemoteOptions {
  sandbox: string;
  at?: number;
  time?: string;
  out: string;
}

export function reportCommand(command: Command, log: () => Logger): void {
  natsOptions(
    command
      .option(ROOT_FLAG, ROOT_ABOUT)
      .requiredOption('--sandbox <id>', 'the sandbox')
      .option('--at <seq>', 'the history up to this event', seqArg)
      .option('--time <time>', 'the history up to this time (ISO 8601, UTC)', timeArg('end'))
      .requiredOption('--out <file>', 'the HTML file to write (self-contained: it opens offline, from a ticket)'),
  ).action(async (opts: ReportOptions) => {
    checkSource(opts);
    if (!opts.out.trim()) throw errUsage('--out needs a file name');
    const point = pointOf(opts, { required: false });
    const started = Date.now();
    const ui = uiBundle(); // bundled while the history is read
    const data = await dataOf(opts, point, log());
    const html = pageHtml({ mode: 'report', data }, await ui, {
      title: `vcstore report: ${opts.sandbox}`,
      connect: 'none',
    });
    await writeFile(opts.out, html);
    say(
      `report of ${opts.sandbox}: ${data.events.length} events, head #${data.head.seq}, ` +
        `verify ${data.verify.clean ? 'clean' : 'found problems'}; ` +
        `${Buffer.byteLength(html)} bytes written to ${opts.out} in ${Date.now() - started} ms`,
    );
  });
}

async function dataOf(opts: ReportOptions, point: ReturnType<typeof pointOf>, log: Logger): Promise<ReportData> {
  const make = { point, log };
  if (opts.root !== undefined) {
    await sandboxJournal(opts.root, opts.sandbox);
    return localReport(rootsUnder(opts.root), opts.sandbox, { ...make, from: `--root ${opts.root}` });
  }
  checkId('sandbox', opts.sandbox);
  const { withRemoteJournal } = await import('../../ship/remote.ts');
  const { verifyRemote } = await import('../../ship/verify-remote.ts');
  return onRemote(opts, async (remote) => {
    const [verdict] = await verifyRemote(remote, opts.sandbox);
    if (verdict === undefined) throw errUsage(`the stream holds nothing for sandbox ${opts.sandbox}`);
    const from = `--from ${opts.from ?? ''} --host ${opts.host ?? ''}`;
    return withRemoteJournal(remote, opts.sandbox, (file) =>
      reportOf(file, opts.sandbox, verdict, 'stream', { ...make, from }),
    );
  });
}
