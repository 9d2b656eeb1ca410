/**
 * The Go toolchain for the interop tests: offline (standard library only, no
 * module downloads), the build caches in the user's cache folder or, when HOME
 * is not writable, in the test's temp folder. A missing `go` skips the test,
 * visibly.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { CLI } from './cli.ts';

export const hasGo = () => spawnSync('sh', ['-c', 'command -v go']).status === 0;

export function skipWithoutGo(t: TestContext): boolean {
  if (hasGo()) return false;
  t.skip('needs go (apt-get install -y golang-go)');
  return true;
}

/** `vcstore serve` as one command line, for the Go tests' $VCSTORE_SERVE. */
export const SERVE_COMMAND = `${process.execPath} ${CLI.join(' ')} serve`;

function homeWritable(): boolean {
  try {
    accessSync(os.homedir(), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The environment of an offline `go` run; `tmp` holds the caches when HOME cannot, and the socket folders. */
export function goEnv(tmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const caches = homeWritable() ? {} : { GOCACHE: path.join(tmp, 'gocache'), GOPATH: path.join(tmp, 'gopath') };
  return {
    ...process.env,
    GOTOOLCHAIN: 'local',
    GOPROXY: 'off',
    GOFLAGS: '-buildvcs=false',
    ...caches,
    TMPDIR: tmp,
    ...extra,
  };
}

/** Runs `go ARGS` in `cwd`; resolves with the exit code and stdout and stderr together. */
export async function runGo(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; output: string }> {
  const child = spawn('go', args, { cwd, env });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

/** A `go test -v` output without its `=== RUN` lines. */
export const withoutRunLines = (output: string) =>
  output
    .split('\n')
    .filter((l) => !l.startsWith('=== '))
    .join('\n');
