import type { Command } from 'commander';
import { journaledSandboxes, journalRootStrays } from '../../layout/journals.ts';
import { checkId } from '../../layout/ids.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { untrackedSandboxes, verifySandbox, type SandboxVerdict } from '../../recovery/verify.ts';
import { existingRoot, ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';
import { EXIT } from '../exit-codes.ts';
import { journalJob } from '../journal-job.ts';
import { checkSource, natsOptions, onRemote, type RemoteOptions } from '../remote-args.ts';
import { errUsage } from '../../errors.ts';
import { hostId } from '../../ship/host-id.ts';

export function verifyCommand(command: Command, _log: () => Logger): void {
  natsOptions(
    command
      .option(ROOT_FLAG, ROOT_ABOUT)
      .option('--sandbox <id>', 'only this sandbox')
      .option('--json', 'one JSON line per sandbox, then a summary line')
      .option(
        '--against <url>',
        'with --root: compare the journals with what this host shipped (nats://…; --host, default /etc/machine-id)',
      ),
  ).action(async (opts: VerifyOptions) => {
    if (opts.sandbox !== undefined) checkId('sandbox', opts.sandbox);
    if (opts.against !== undefined) return verifyAgainstStream(opts);
    checkSource(opts);
    if (opts.root === undefined) return verifyRemote(opts);
    const roots = rootsUnder(await existingRoot(opts.root));
    const ids = opts.sandbox !== undefined ? [opts.sandbox] : await journaledSandboxes(roots);
    const job = await journalJob('verify', roots, ids);
    let consistent = true;
    // Each verdict is printed as it is reached: a long run shows its findings as it goes.
    for (const [i, id] of ids.entries()) {
      const verdict = await verifySandbox(roots, id, { progress: job.within(i) });
      job.finished(i);
      consistent &&= verdict.consistent;
      job.bar.print(opts.json ? JSON.stringify(verdict) : describeVerdict(verdict));
    }
    job.bar.done();
    const untracked = opts.sandbox === undefined ? await untrackedSandboxes(roots, new Set(ids)) : [];
    const strays = opts.sandbox === undefined ? await journalRootStrays(roots) : [];
    consistent &&= untracked.length === 0 && strays.length === 0;
    if (opts.json) say(JSON.stringify({ consistent, untracked, strays }));
    else {
      for (const folder of untracked) say(`untracked: ${folder} has no journal`);
      for (const stray of strays) say(`stray in the journal root: ${stray.name} (${stray.problem})`);
    }
    process.exitCode = consistent ? EXIT.ok : EXIT.findings;
  });
}

type VerifyOptions = RemoteOptions & { sandbox?: string; json?: boolean; against?: string };

/** The local journals against the stream: a chain rewritten end to end on the host is valid locally, not there. */
async function verifyAgainstStream(opts: VerifyOptions): Promise<void> {
  if (opts.root === undefined || opts.from !== undefined)
    throw errUsage('--against nats://… compares --root DIR with the stream: give --root, not --from');
  const roots = rootsUnder(await existingRoot(opts.root));
  const host = await hostId(opts.host);
  const { verifyAgainst } = await import('../../ship/against.ts');
  const verdicts = await onRemote({ ...opts, from: opts.against, host }, (remote) =>
    verifyAgainst(remote, roots, opts.sandbox),
  );
  for (const v of verdicts) {
    if (opts.json) say(JSON.stringify(v));
    else if (v.problem !== undefined) say(`${v.sandbox}: differs from the stream: ${v.problem}`);
    else say(`${v.sandbox}: matches the stream (${v.shipped} of ${v.local} events shipped)`);
  }
  const consistent = verdicts.every((v) => v.consistent);
  if (opts.json) say(JSON.stringify({ consistent }));
  process.exitCode = consistent ? EXIT.ok : EXIT.findings;
}

/** The stream's history has no legacy tree beside it: the chain and the replay are what is checked. */
async function verifyRemote(opts: RemoteOptions & { sandbox?: string; json?: boolean }): Promise<void> {
  const { verifyRemote: check } = await import('../../ship/verify-remote.ts');
  const sandboxes = await onRemote(opts, (remote) => check(remote, opts.sandbox));
  for (const verdict of sandboxes) say(opts.json ? JSON.stringify(verdict) : describeVerdict(verdict));
  const consistent = sandboxes.length > 0 && sandboxes.every((s) => s.consistent);
  if (opts.json) say(JSON.stringify({ consistent, untracked: [], strays: [] }));
  process.exitCode = consistent ? EXIT.ok : EXIT.findings;
}

function describeVerdict(v: SandboxVerdict): string {
  const at = `${v.events} events, head #${v.seq} ${v.head.slice(0, 16) || '(empty)'}`;
  if (v.damage) return `${v.sandbox}: ${v.damage.code} after ${v.events} good events: ${v.damage.message}`;
  const problems = [
    ...(v.torn ? [`torn tail of ${v.torn.bytes} bytes at offset ${v.torn.offset}`] : []),
    ...(v.lost ? [`history lost: the checkpoint knew events up to ${v.lost.checkpointSeq}`] : []),
    ...v.drift.map((d) => `${d.problem} ${d.path}`),
  ];
  return problems.length === 0 ? `${v.sandbox}: ok, ${at}` : `${v.sandbox}: ${problems.join('; ')} (${at})`;
}
