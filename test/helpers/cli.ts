import { execFile, spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_SOURCE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli/vcstore.ts');

/**
 * The CLI as the tests spawn it: `spawn(process.execPath, [...CLI, 'apply', …])`. `npm test` bundles it
 * from the sources once (test/run.ts) and names the bundle in VCSTORE_TEST_CLI, since a start through
 * tsx costs about three times the CPU and the suite starts the CLI some three hundred times; a test file run on
 * its own runs the TypeScript sources.
 */
export const CLI = process.env.VCSTORE_TEST_CLI
  ? [process.env.VCSTORE_TEST_CLI]
  : ['--import', import.meta.resolve('tsx'), CLI_SOURCE];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** added to this process's environment */
  env?: Record<string, string>;
  cwd?: string;
  /** what the command reads on stdin */
  input?: string;
  /** ms after which vcstoreAsync kills the command (its signal is then SIGTERM) */
  timeout?: number;
}

// Logs off unless a test turns them on: stderr then holds only what the command says.
const environment = (env: Record<string, string> = {}) => ({ ...process.env, VCSTORE_LOG: '', ...env });

/** Runs the CLI in a child process to its end. */
export function vcstore(args: string[], opts: CliOptions = {}): CliRun {
  const run = spawnSync(process.execPath, [...CLI, ...args], {
    encoding: 'utf8',
    env: environment(opts.env),
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    input: opts.input ?? '',
  });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** The same, without blocking: independent commands can run side by side. */
export function vcstoreAsync(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...CLI, ...args],
      {
        encoding: 'utf8',
        env: environment(opts.env),
        ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
        ...(opts.timeout === undefined ? {} : { timeout: opts.timeout }),
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, signal: err?.signal ?? null, stdout, stderr });
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** The output of a `--json` command: one JSON value per line. */
export const jsonLines = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));

/** `vcstore apply --root ROOT -` with `ops` on stdin. */
export const applyOps = (root: string, ops: object[], opts: Omit<CliOptions, 'input'> = {}): CliRun =>
  vcstore(['apply', '--root', root, '-'], { ...opts, input: JSON.stringify(ops) });

/** The boot id of the writer `applyInEarlierBoot` plays. */
export const EARLIER_BOOT = '00000000-0000-0000-0000-000000000000';

/** Applies `ops` as a writer in an earlier boot did: a child process reading another boot id. Every op must succeed. */
export async function applyInEarlierBoot(root: string, ops: object[]): Promise<void> {
  const bootFile = path.join(root, 'earlier-boot-id');
  await writeFile(bootFile, `${EARLIER_BOOT}\n`);
  const run = applyOps(root, ops, { env: { VCSTORE_BOOT_ID_FILE: bootFile } });
  if (run.code !== 0 || /"error":"/.test(run.stdout))
    throw new Error(`apply in an earlier boot failed: ${run.stderr}${run.stdout}`);
}
