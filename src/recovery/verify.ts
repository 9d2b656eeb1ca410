import { readdir } from 'node:fs/promises';
import { compareTree, type Drift } from '../projector/compare.ts';
import { journaledSandboxes, journalRootStrays } from '../layout/journals.ts';
import { silentLogger } from '../log.ts';
import { checkpointFile, readCheckpoint } from './checkpoint.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { ReplayOptions } from '../projector/replay.ts';
import { inspectJournal, type JournalHealth } from './inspect.ts';
import { fileExists, ifExists } from '../fs/missing.ts';

export interface SandboxVerdict {
  sandbox: string;
  events: number;
  seq: number;
  head: string;
  torn?: JournalHealth['torn'];
  damage?: JournalHealth['damage'];
  /** the checkpoint knew of more events than the journal holds: history was lost */
  lost?: { checkpointSeq: number; journalSeq: number };
  /** how the legacy tree differs from the replay; a leftover temp file is `extra` */
  drift: Drift[];
  consistent: boolean;
}

export interface VerifyReport {
  sandboxes: SandboxVerdict[];
  /** sandbox folders in the legacy tree that no journal knows */
  untracked: string[];
  /** entries of the journal root that are not a sandbox's journal folder */
  strays: Array<{ name: string; problem: string }>;
  consistent: boolean;
}

/** Checks every journal (CRCs, sequence, chain) and compares each legacy tree with its replay. Read-only. */
export async function verify(roots: Roots, sandboxID?: string): Promise<VerifyReport> {
  const ids = sandboxID === undefined ? await journaledSandboxes(roots) : [sandboxID];
  const sandboxes: SandboxVerdict[] = [];
  for (const id of ids) sandboxes.push(await verifySandbox(roots, id));
  const untracked = sandboxID === undefined ? await untrackedSandboxes(roots, new Set(ids)) : [];
  const strays = sandboxID === undefined ? await journalRootStrays(roots) : [];
  const consistent = untracked.length === 0 && strays.length === 0 && sandboxes.every((s) => s.consistent);
  return { sandboxes, untracked, strays, consistent };
}

/** `progress` is told how many bytes of the journal have been read, of its size. */
export async function verifySandbox(
  roots: Roots,
  sandboxID: string,
  opts: Pick<ReplayOptions, 'progress'> = {},
): Promise<SandboxVerdict> {
  const file = journalFile(roots, sandboxID);
  const health = await inspectJournal(file, opts);
  const { events, seq, head, torn } = health;
  let damage = health.damage;
  if (!damage && !(await fileExists(file)))
    damage = { code: 'ENOENT', message: `${file}: no journal for this sandbox` };
  // A damaged journal has no trustworthy replay to compare the tree with.
  const drift = damage ? [] : await compareTree(roots, health.model, sandboxID);
  const checkpoint = damage ? undefined : await readCheckpoint(checkpointFile(file), silentLogger);
  const lost = checkpoint && checkpoint.seq > seq ? { checkpointSeq: checkpoint.seq, journalSeq: seq } : undefined;
  const consistent = !torn && !damage && !lost && drift.length === 0;
  return { sandbox: sandboxID, events, seq, head, torn, damage, ...(lost ? { lost } : {}), drift, consistent };
}

/** Sandbox folders of the legacy tree (`config/ID`, `run/ID`) that no journal in `known` accounts for. */
export async function untrackedSandboxes(roots: Roots, known: Set<string>): Promise<string[]> {
  const found = new Set<string>();
  for (const root of ['config', 'run'] as const) {
    for (const name of (await ifExists(roots[root], readdir(roots[root]), 'open')) ?? []) {
      if (!known.has(name)) found.add(`${root}/${name}`);
    }
  }
  return [...found].sort();
}
