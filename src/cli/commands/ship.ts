import { once } from 'node:events';
import { InvalidArgumentError, type Command } from 'commander';
import { errUsage } from '../../errors.ts';
import { rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { hostId } from '../../ship/host-id.ts';
import { checkPrefix, checkStreamName } from '../../ship/subject.ts';
import type { SandboxLag } from '../../ship/sandbox-shipper.ts';
import { shipStatus, type ShipStatus } from '../../ship/status.ts';
import { ROOT_ABOUT, ROOT_FLAG, say } from '../audit-args.ts';
import { EXIT } from '../exit-codes.ts';
import { progressBar } from '../progress.ts';

interface ShipOptions {
  root: string;
  to?: string;
  stream?: string;
  prefix?: string;
  replicas: number;
  host?: string;
  creds?: string;
  tlsCa?: string;
  status?: boolean;
  json?: boolean;
  key?: string;
}

const replicasArg = (v: string) => {
  if (!/^[1-5]$/.test(v)) throw new InvalidArgumentError('expected 1 to 5');
  return Number(v);
};

export function shipCommand(command: Command, log: () => Logger): void {
  command
    .requiredOption(ROOT_FLAG, ROOT_ABOUT)
    .option('--to <url>', 'nats://HOST:PORT[,nats://HOST:PORT…]: any servers of the cluster')
    .option('--stream <name>', 'the JetStream stream, created if missing (default VCSTORE)')
    .option('--prefix <subject>', 'subject prefix: events go to <prefix>.<host>.<sandbox> (default vcstore)')
    .option('--replicas <n>', 'copies the stream keeps when it is created (default 1; 3 on a cluster)', replicasArg, 1)
    .option('--host <id>', 'this host in the subjects (default: /etc/machine-id)')
    .option('--creds <file>', 'a NATS credentials file')
    .option('--tls-ca <file>', "a CA bundle for the servers' TLS certificates")
    .option(
      '--key <file>',
      'the Ed25519 key that signs every message, made if missing (default $VCSTORE_SHIP_KEY, else vcstore-ship.key beside the journal root)',
    )
    .option('--status', 'print the shipping lag per sandbox from the cursors, and exit')
    .option('--json', 'with --status: one JSON line per sandbox')
    .action(async (opts: ShipOptions) => {
      const roots = rootsUnder(opts.root);
      if (opts.status) return printStatus(await shipStatus(roots), opts.json);
      if (opts.to === undefined) throw errUsage('give --to nats://HOST:PORT (or --status)');
      const host = await hostId(opts.host);
      // Before any connection: a wildcard prefix would make a stream that captures other prefixes.
      if (opts.prefix !== undefined) checkPrefix(opts.prefix);
      if (opts.stream !== undefined) checkStreamName(opts.stream);
      const stream = {
        replicas: opts.replicas,
        ...(opts.stream ? { name: opts.stream } : {}),
        ...(opts.prefix ? { prefix: opts.prefix } : {}),
      };
      const target = {
        servers: opts.to,
        ...(opts.creds ? { creds: opts.creds } : {}),
        ...(opts.tlsCa ? { tlsCa: opts.tlsCa } : {}),
      };
      const { startShipper } = await import('../../ship/shipper.ts'); // the NATS client loads only when asked for
      const key = opts.key === undefined ? {} : { key: opts.key };
      const shipper = await startShipper({ ...target, roots, host, stream, ...key, log: log() });
      log().info({ host, servers: opts.to.replace(/\/\/[^@/]*@/g, '//') }, 'shipping'); // no password in the log
      const reported = new Set<string>();
      // On a terminal, one bar: events acknowledged by the stream out of events in the journals.
      const bar = progressBar('shipping', { total: 0, unit: 'events' });
      const report = setInterval(() => {
        const lags = shipper.lag();
        bar.set(
          lags.reduce((n, s) => n + s.shippedSeq, 0),
          lags.reduce((n, s) => n + s.journalSeq, 0),
        );
        if (lags.some((s) => s.state === 'stopped' && !reported.has(s.sandbox))) bar.done(); // a line, not a torn bar
        reportStopped(lags, reported);
      }, 500);
      await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM'), shipper.done]);
      clearInterval(report);
      bar.done();
      await shipper.stop();
      reportStopped(shipper.lag(), reported);
      const lags = shipper.lag();
      log().info(
        { sandboxes: lags.length, lag: lags.reduce((n, s) => n + s.lag, 0), stopped: reported.size },
        'stopped shipping',
      );
      process.exitCode = reported.size > 0 ? EXIT.findings : EXIT.ok;
    });
}

/** A sandbox that cannot be shipped safely is said once, on stderr, and makes the exit code 1. */
function reportStopped(lags: SandboxLag[], reported: Set<string>): void {
  for (const s of lags) {
    if (s.state !== 'stopped' || reported.has(s.sandbox)) continue;
    reported.add(s.sandbox);
    process.stderr.write(
      `vcstore: ${s.sandbox}: not shipped after event ${s.shippedSeq}: ${s.error?.code}: ${s.error?.message}\n`,
    );
  }
}

function printStatus(all: ShipStatus[], json?: boolean): void {
  for (const s of all) {
    if (json) say(JSON.stringify(s));
    else
      say(
        `${s.sandbox}: ${s.shippedSeq}/${s.journalSeq} shipped, lag ${s.lag}${s.error ? `, stopped: ${s.error.code}: ${s.error.message}` : ''}`,
      );
  }
  process.exitCode = all.some((s) => s.error) ? EXIT.findings : EXIT.ok;
}
