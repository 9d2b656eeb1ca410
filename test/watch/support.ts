/** `vcstore watch` as a child process, for the watch tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from '../helpers/cli.ts';
import { waitFor } from '../helpers/wait.ts';

export interface Watch {
  child: ChildProcess;
  stderr: () => string;
}

/** Starts `vcstore watch` on `root` with `args`, and resolves once its first scan is recorded. */
export async function startWatch(root: string, args: string[]): Promise<Watch> {
  const child = spawn(process.execPath, [...CLI, 'watch', '--root', root, '--log-level', 'info', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, VCSTORE_LOG: '' },
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(() => err.includes('"msg":"watching"'), {
    what: 'watch to start',
    timeout: 20_000,
    detail: () => err,
    hopeless: () => (child.exitCode === null && child.signalCode === null ? undefined : `it exited: ${err}`),
  });
  return { child, stderr: () => err };
}

/** Stops a watch that is still running, and waits for it to exit. */
export async function stopWatch(watch: Watch, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (watch.child.exitCode !== null || watch.child.signalCode !== null) return;
  const exited = new Promise((resolve) => watch.child.once('exit', resolve));
  watch.child.kill(signal);
  await exited;
}
