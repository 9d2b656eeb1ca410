import { InvalidArgumentError, type Command } from 'commander';
import { LEGACY_ROOTS, rootsUnder } from '../../layout/roots.ts';
import type { Logger } from '../../log.ts';
import { startDaemon } from '../../server/daemon.ts';
import { defaultSocket } from '../../server/listen-address.ts';
import type { DriftPolicy } from '../../store/drift.ts';
import { onDriftOption } from '../drift-option.ts';

interface ServeOptions {
  root?: string;
  socket?: string;
  socketGroup?: string;
  listen?: string;
  bodyLimit?: number;
  ship?: string;
  host?: string;
  watch?: boolean;
  onDrift: DriftPolicy;
}

const bytesArg = (value: string) => {
  if (!/^\d+$/.test(value) || Number(value) < 1024)
    throw new InvalidArgumentError('expected a size in bytes (at least 1024)');
  return Number(value);
};

export function serveCommand(command: Command, log: () => Logger): void {
  command
    .option('--root <dir>', 'prefix of the legacy tree and the journal (default: the legacy host paths)')
    .option(
      '--socket <path>',
      'the unix socket (default: /run/vcstore/vcstore.sock, or DIR/run/vcstore/vcstore.sock under --root)',
    )
    .option('--socket-group <group>', 'group owning the socket (mode 0660): the users allowed to write every sandbox')
    .option('--listen <host:port>', 'also listen on this loopback TCP address (no authentication: loopback only)')
    .option('--body-limit <bytes>', 'largest request body accepted (default 1048576)', bytesArg)
    .option(
      '--ship <url>',
      'also ship every event to NATS JetStream (nats://HOST:PORT[,…]), as `vcstore ship` does, from a child process',
    )
    .option('--host <id>', "with --ship: this host's ID in the stream (default /etc/machine-id)")
    .option('--watch', 'also record every outside write to the tree, as `vcstore watch` does, from a child process')
    .addOption(onDriftOption())
    .action(async (opts: ServeOptions) => {
      const roots = opts.root === undefined ? LEGACY_ROOTS : rootsUnder(opts.root);
      const socket = opts.socket ?? defaultSocket(opts.root);
      const daemon = await startDaemon({
        roots,
        socket,
        log: log(),
        ...(opts.socketGroup === undefined ? {} : { socketGroup: opts.socketGroup }),
        ...(opts.listen === undefined ? {} : { listen: opts.listen }),
        ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
        root: opts.root,
        ...(opts.ship === undefined
          ? {}
          : { ship: { to: opts.ship, ...(opts.host === undefined ? {} : { host: opts.host }) } }),
        drift: opts.onDrift,
        ...(opts.watch ? { watch: true } : {}),
      });
      // The readiness line: supervisors and tests wait for it.
      process.stdout.write(`vcstore serve: listening on ${daemon.addresses.join(' and ')}\n`);
      log().info({ addresses: daemon.addresses, roots }, 'serving');
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log().info({ signal }, 'stopping: draining requests');
          daemon.stop().then(resolve, (err) => {
            log().error({ err }, 'stop failed');
            resolve();
          });
        };
        // Kept for the whole run: a second signal while draining must not kill the process mid-write.
        process.on('SIGTERM', () => stop('SIGTERM'));
        process.on('SIGINT', () => stop('SIGINT'));
      });
      log().info('stopped');
      process.stdout.write('vcstore serve: stopped\n');
    });
}
