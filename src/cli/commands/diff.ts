import type { Command } from 'commander';
import { diffPoints, type ResourceChange } from '../../audit/diff.ts';
import { jsonText } from '../../audit/json-diff.ts';
import type { Logger } from '../../log.ts';
import { errUsage } from '../../errors.ts';
import { ROOT_ABOUT, ROOT_FLAG, say, seqArg } from '../audit-args.ts';
import { isNatsUrl, natsOptions, withJournal, type RemoteOptions } from '../remote-args.ts';

const MARK = { added: '+', removed: '-', changed: '~' } as const;

export function diffCommand(command: Command, log: () => Logger): void {
  natsOptions(
    command
      .option(ROOT_FLAG, ROOT_ABOUT)
      .requiredOption('--sandbox <id>', 'the sandbox')
      .option(
        '--from <seq|url>',
        'right after this event (0: before the first); a nats:// URL is the server to read from, as for the other commands',
        fromArg,
      )
      .requiredOption('--to <seq>', 'right after this event', seqArg)
      .option('--json', 'one JSON object per changed file'),
    '--nats <url>',
  ).action(async (opts: DiffOptions) => {
    const { seq, url } = opts.from ?? {};
    if (seq === undefined) throw errUsage('give --from SEQ');
    const source = { ...opts, from: url ?? opts.nats };
    const changes = await withJournal(source, (file) => diffPoints(file, seq, opts.to, { log: log() }));
    for (const change of changes) {
      if (opts.json) say(jsonText(change));
      else for (const line of describe(change)) say(line);
    }
  });
}

interface DiffOptions extends Omit<RemoteOptions, 'from'> {
  sandbox: string;
  from?: { seq?: number; url?: string };
  nats?: string;
  to: number;
  json?: boolean;
}

/** `--from` is given twice to read from the stream: once the event, once the server (or use `--nats`). */
function fromArg(value: string, previous: { seq?: number; url?: string } | undefined): { seq?: number; url?: string } {
  return isNatsUrl(value) ? { ...previous, url: value } : { ...previous, seq: seqArg(value) };
}

/** `~ config/sb/config.json` then one indented line per field: `~ Annotations.team: "a" -> "b"`. */
function describe(change: ResourceChange): string[] {
  const outside = change.writtenBy
    ? ` (outside write, pid unknown, seen at ${change.writtenBy.time}: event ${change.writtenBy.seq})`
    : '';
  const lines = [`${MARK[change.change]} ${change.path}${outside}`];
  for (const field of change.fields ?? []) {
    const name = field.field || '(whole file)';
    if (field.change === 'changed') lines.push(`    ~ ${name}: ${jsonText(field.from)} -> ${jsonText(field.to)}`);
    else if (field.change === 'added') lines.push(`    + ${name}: ${jsonText(field.to)}`);
    else lines.push(`    - ${name}: ${jsonText(field.from)}`);
  }
  if (change.fields?.length === 0) lines.push('    (same values, different bytes)');
  return lines;
}
