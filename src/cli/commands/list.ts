import type { Command } from 'commander';
import { listSandboxes, type SandboxSummary } from '../../audit/list.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { existingRoot, say } from '../audit-args.ts';
import { EXIT } from '../exit-codes.ts';
import { progressBar } from '../progress.ts';

export function listCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal')
    .option('--json', 'one JSON object per sandbox')
    .action(async (opts: { root: string; json?: boolean }) => {
      const rows: SandboxSummary[] = [];
      const bar = progressBar('list');
      for await (const row of listSandboxes(rootsUnder(await existingRoot(opts.root)), { log: log(), progress: bar.update })) {
        bar.done();
        if (opts.json) say(JSON.stringify(row));
        rows.push(row); // one line per sandbox, never per event
      }
      if (!opts.json) printTable(rows);
      process.exitCode = rows.some((r) => r.error) ? EXIT.store : rows.some((r) => !r.consistent) ? EXIT.findings : EXIT.ok;
    });
}

function printTable(rows: SandboxSummary[]): void {
  const table = [['SANDBOX', 'EVENTS', 'FIRST', 'LAST', 'TREE'], ...rows.map(cells)];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) say(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '));
}

function cells(row: SandboxSummary): string[] {
  return [row.sandbox, String(row.events), row.first ?? '-', row.last ?? '-', status(row)];
}

function status(row: SandboxSummary): string {
  if (row.error) return `unreadable: ${row.error.code}: ${row.error.message}`;
  const tree = row.consistent ? 'consistent' : `drift: ${row.drift.map((d) => `${d.path} ${d.problem}`).join(', ')}`;
  return row.deleted ? `deleted, ${tree}` : tree;
}
