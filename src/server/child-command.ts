import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from '../log.ts';

/**
 * Runs a vcstore command beside the daemon as a child process: `ship` for
 * `serve --ship`, `watch` for `serve --watch`. In a process of its own it
 * never waits behind the daemon's writes on one event loop (in one process the
 * shipping lag grew to seconds under load), and it writes, if it writes, as
 * any other writer does, through the sandbox locks. It is restarted with a
 * growing pause if it exits, and stopped with the daemon.
 */
export function superviseCommand(args: string[], log: Logger): { stop(): Promise<void> } {
  let child: ChildProcess | undefined;
  let stopped = false;
  let pause = 500;
  const start = () => {
    // The same CLI as this process, with the same loader flags (tsx when run from the sources).
    child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? '', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const started = Date.now();
    child.once('exit', (code, signal) => {
      if (stopped) return;
      pause = Date.now() - started > 60_000 ? 500 : Math.min(pause * 2, 30_000);
      log.error({ command: args[0], code, signal, restartInMs: pause }, 'child command exited: restarting');
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
