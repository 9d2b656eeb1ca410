import type { Command } from 'commander';
import { listSandboxes, type SandboxSummary } from '../../audit/list.ts';
import { journaledSandboxes } from '../../layout/journals.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { existingRoot, ROOT_ABOUT, ROOT_FLAG } from '../audit-args.ts';
import { EXIT } from '../exit-codes.ts';
import { journalJob } from '../journal-job.ts';

const TIME_WIDTH = '2026-11-29T10:00:00.120Z'.length;

export function listCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .option('--json', 'one JSON object per sandbox')
    .action(async (opts: { root: string; json?: boolean }) => {
      const roots = rootsUnder(await existingRoot(opts.root));
      // The IDs are known before any journal is read: the columns are sized once and each row printed as it comes.
      const ids = await journaledSandboxes(roots);
      const job = await journalJob('list', roots, ids);
      const row = tableRow(Math.max('SANDBOX'.length, ...ids.map((id) => id.length)));
      if (!opts.json) job.bar.print(row(['SANDBOX', 'EVENTS', 'FIRST', 'LAST', 'TREE']));
      let unreadable = false;
      let drifted = false;
      let i = 0;
      try {
        for await (const summary of listSandboxes(roots, { log: log(), progress: (done) => job.within(i)(done) })) {
          job.finished(i++);
          unreadable ||= summary.error !== undefined;
          drifted ||= !summary.consistent;
          job.bar.print(opts.json ? JSON.stringify(summary) : row(cells(summary)));
        }
      } finally {
        job.bar.done();
      }
      process.exitCode = unreadable ? EXIT.store : drifted ? EXIT.findings : EXIT.ok;
    });
}

function tableRow(idWidth: number): (cells: string[]) => string {
  const widths = [idWidth, 'EVENTS'.length, TIME_WIDTH, TIME_WIDTH];
  return (cells) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ');
}

function cells(row: SandboxSummary): string[] {
  return [row.sandbox, String(row.events), row.first ?? '-', row.last ?? '-', status(row)];
}

function status(row: SandboxSummary): string {
  if (row.error) return `unreadable: ${row.error.code}: ${row.error.message}`;
  const tree = row.consistent ? 'consistent' : `drift: ${row.drift.map((d) => `${d.path} ${d.problem}`).join(', ')}`;
  return row.deleted ? `deleted, ${tree}` : tree;
}
