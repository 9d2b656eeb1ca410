import type { Command } from 'commander';
import { checkId } from '../../layout/ids.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { verify, type SandboxVerdict } from '../../recovery/verify.ts';
import { EXIT } from '../exit-codes.ts';
import { checkSource, natsOptions, onRemote, type RemoteOptions } from '../remote-args.ts';

export function verifyCommand(program: Command, _log: () => Logger): void {
  natsOptions(program
    .command('verify')
    .description('check every journal (CRCs, sequence, chain) and compare the legacy tree with its replay (read-only)')
    .option('--root <dir>', 'prefix of the legacy tree and the journal')
    .option('--sandbox <id>', 'only this sandbox')
    .option('--json', 'one JSON line per sandbox, then a summary line'))
    .action(async (opts: RemoteOptions & { sandbox?: string; json?: boolean }) => {
      if (opts.sandbox !== undefined) checkId('sandbox', opts.sandbox);
      checkSource(opts);
      const report = opts.root !== undefined ? await verify(rootsUnder(opts.root), opts.sandbox) : await remoteReport(opts);
      for (const verdict of report.sandboxes) {
        say(opts.json ? JSON.stringify(verdict) : describeVerdict(verdict));
      }
      if (opts.json) say(JSON.stringify({ consistent: report.consistent, untracked: report.untracked }));
      else for (const folder of report.untracked) say(`untracked: ${folder} has no journal`);
      process.exitCode = report.consistent ? EXIT.ok : EXIT.findings;
    });
}

/** The stream's history has no legacy tree beside it: the chain and the replay are what is checked. */
async function remoteReport(opts: RemoteOptions & { sandbox?: string }) {
  const { verifyRemote } = await import('../../ship/verify-remote.ts');
  const sandboxes = await onRemote(opts, (remote) => verifyRemote(remote, opts.sandbox));
  return { sandboxes, untracked: [] as string[], consistent: sandboxes.length > 0 && sandboxes.every((s) => s.consistent) };
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function describeVerdict(v: SandboxVerdict): string {
  const at = `${v.events} events, head #${v.seq} ${v.head.slice(0, 16) || '(empty)'}`;
  if (v.damage) return `${v.sandbox}: ${v.damage.code} after ${v.events} good events: ${v.damage.message}`;
  const problems = [
    ...(v.torn ? [`torn tail of ${v.torn.bytes} bytes at offset ${v.torn.offset}`] : []),
    ...v.drift.map((d) => `${d.problem} ${d.path}`),
  ];
  return problems.length === 0 ? `${v.sandbox}: ok, ${at}` : `${v.sandbox}: ${problems.join('; ')} (${at})`;
}
