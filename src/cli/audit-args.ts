import { access, stat } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { parseTime } from '../audit/time.ts';
import { errNoRoot, errUsage, messageOf, osError } from '../errors.ts';
import { checkId } from '../layout/ids.ts';
import { toResource, type Resource } from '../layout/resources.ts';
import type { ReplayPoint } from '../projector/replay.ts';
import { journalFile, rootsUnder } from '../layout/roots.ts';
import { ifExists } from '../fs/missing.ts';

/** Command-line parsers and checks shared by the audit commands; a bad value is a usage error (exit 2). */

export function seqArg(value: string): number {
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a sequence number (0, 1, 2, …)');
  }
  return Number(value);
}

export const timeArg = (edge: 'start' | 'end') => (value: string) => {
  try {
    return parseTime(value, edge);
  } catch (err) {
    throw new InvalidArgumentError(messageOf(err));
  }
};

/** Accepts the short name (`state`) or the Go constant (`stateFileType`). */
export function resourceArg(value: string): Resource {
  const resource = toResource(value);
  if (resource === undefined)
    throw new InvalidArgumentError(
      'expected config, state, network, hypervisor, agent, process, lock, mounts or devices',
    );
  return resource;
}

/**
 * A folder a reading command was pointed at: one that does not exist is ENOROOT, so a typo in a
 * monitoring job fails instead of reporting an empty, consistent store forever.
 */
export async function existingRoot(dir: string, option = '--root'): Promise<string> {
  const info = await ifExists(dir, stat(dir));
  if (!info?.isDirectory()) throw errNoRoot(option, dir);
  return dir;
}

/** The journal of an existing sandbox: an unsafe ID or a missing journal is a store error (exit 3), as for `log`. */
export async function sandboxJournal(root: string, sandbox: string): Promise<string> {
  await existingRoot(root);
  checkId('sandbox', sandbox);
  const file = journalFile(rootsUnder(root), sandbox);
  await access(file).catch((err) => {
    throw osError('open', file, err);
  });
  return file;
}

/** `--at SEQ` or `--time T`; `required` refuses neither. */
export function pointOf(opts: { at?: number; time?: string }, { required }: { required: boolean }): ReplayPoint {
  if (opts.at !== undefined && opts.time !== undefined) throw errUsage('give --at or --time, not both');
  if (required && opts.at === undefined && opts.time === undefined) throw errUsage('give --at SEQ or --time T');
  return opts.at !== undefined ? { seq: opts.at } : opts.time !== undefined ? { time: opts.time } : {};
}

/** The `--root` option most commands take. */
export const ROOT_FLAG = '--root <dir>';
export const ROOT_ABOUT = 'prefix of the legacy tree and the journal';

/** Writes one line to stdout. */
export const say = (line: string) => process.stdout.write(`${line}\n`);
