import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../log.ts';

export interface ShipChildOptions {
  /** the --root prefix the daemon serves (undefined: the legacy host paths) */
  root: string | undefined;
  /** nats://HOST:PORT[,…] */
  to: string;
  host?: string;
  log: Logger;
}

/**
 * `serve --ship`: the shipper runs as a `vcstore ship` child process, so that
 * its reads and publishes never wait behind the daemon's writes on one event
 * loop (in one process the shipping lag grew to seconds under load). The
 * child is restarted with a growing pause if it exits, and stopped with the
 * daemon. Its lag is read from its cursors (see Metrics).
 */
export function superviseShipper(options: ShipChildOptions): { stop(): Promise<void> } {
  let child: ChildProcess | undefined;
  let stopped = false;
  let pause = 500;
  const args = ['ship', '--to', options.to, ...(options.root === undefined ? ['--root', '/'] : ['--root', options.root]), ...(options.host ? ['--host', options.host] : [])];
  const start = () => {
    // The same CLI as this process, with the same loader flags (tsx when run from the sources).
    child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const started = Date.now();
    child.once('exit', (code, signal) => {
      if (stopped) return;
      pause = Date.now() - started > 60_000 ? 500 : Math.min(pause * 2, 30_000);
      options.log.error({ code, signal, restartInMs: pause }, 'shipper exited: restarting');
      setTimeout(() => stopped || start(), pause).unref();
    });
  };
  start();
  return {
    async stop() {
      stopped = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
