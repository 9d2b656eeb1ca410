import type { Command } from 'commander';
import { diffPoints, type ResourceChange } from '../../audit/diff.ts';
import { jsonText } from '../../audit/json-diff.ts';
import type { Logger } from '../../log.ts';
import { sandboxJournal, say, seqArg } from '../audit-args.ts';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

export function diffCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption('--root <dir>', 'prefix of the legacy tree and the journal')
    .requiredOption('--sandbox <id>', 'the sandbox')
    .requiredOption('--from <seq>', 'right after this event (0: before the first)', seqArg)
    .requiredOption('--to <seq>', 'right after this event', seqArg)
    .option('--json', 'one JSON object per changed file')
    .action(async (opts: { root: string; sandbox: string; from: number; to: number; json?: boolean }) => {
      const file = await sandboxJournal(opts.root, opts.sandbox);
      for (const change of await diffPoints(file, opts.from, opts.to, { log: log() })) {
        if (opts.json) say(jsonText(change));
        else for (const line of describe(change)) say(line);
      }
    });
}

/** `~ config/sb/config.json` then one indented line per field: `~ Annotations.team: "a" -> "b"`. */
function describe(change: ResourceChange): string[] {
  const lines = [`${MARK[change.change]} ${change.path}`];
  for (const field of change.fields ?? []) {
    const name = field.field || '(whole file)';
    if (field.change === 'changed') lines.push(`    ~ ${name}: ${jsonText(field.from)} -> ${jsonText(field.to)}`);
    else if (field.change === 'added') lines.push(`    + ${name}: ${jsonText(field.to)}`);
    else lines.push(`    - ${name}: ${jsonText(field.from)}`);
  }
  if (change.fields?.length === 0) lines.push('    (same values, different bytes)');
  return lines;
}
