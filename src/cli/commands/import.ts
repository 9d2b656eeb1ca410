import path from 'node:path';
import type { Command } from 'commander';
import { importLegacy, type ImportResult } from '../../import/legacy.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { existingRoot } from '../audit-args.ts';
import { EXIT } from '../exit-codes.ts';
import { progressBar } from '../progress.ts';

export function importCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal to write')
    .requiredOption('--from <dir>', 'prefix of the legacy tree to adopt (may be --root)')
    .option('--json', 'one JSON object per sandbox')
    .action(async (opts: { root: string; from: string; json?: boolean }) => {
      const from = path.resolve(await existingRoot(opts.from, '--from'));
      const bar = progressBar('import', { total: 0, unit: 'sandboxes' });
      let clean = true;
      for await (const result of importLegacy(rootsUnder(opts.root), rootsUnder(from), {
        log: log(),
        progress: (done, total) => bar.set(done, total),
      })) {
        clean &&= result.status === 'imported' && result.skipped.length === 0 && result.drift.length === 0;
        if (opts.json)
          bar.print(
            JSON.stringify({
              ...result,
              skipped: result.skipped.map((s) => ({ ...s, path: path.relative(from, s.path) })),
            }),
          );
        else for (const line of describe(result, from)) bar.print(line);
      }
      bar.done();
      if (!clean) process.exitCode = EXIT.findings;
    });
}

function describe(result: ImportResult, from: string): string[] {
  if (result.status === 'refused') return [`refused ${result.sandbox}: ${result.reason}`];
  const lines = [`imported ${result.sandbox}: ${result.events} events`];
  for (const s of result.skipped) lines.push(`  skipped ${path.relative(from, s.path)}: ${s.why}`);
  for (const d of result.drift) lines.push(`  drift ${d.path}: ${d.problem}`);
  return lines;
}
