import { execFile, spawnSync } from 'node:child_process';
import { CLI } from '../helpers/cli.ts';

const env = { ...process.env, VCSTORE_LOG: '' };

export function vcstore(args: string[]) {
  const run = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', env });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The same, without blocking: independent commands can run side by side. */
export function vcstoreAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [...CLI, ...args], { encoding: 'utf8', env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}
