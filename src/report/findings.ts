import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ifExists } from '../fs/missing.ts';
import { replayJournal } from '../projector/replay.ts';
import type { SandboxVerdict } from '../recovery/verify.ts';
import type { Finding, Verdict } from './types.ts';

/** What `verify` said of the sandbox, as the report records it. */
export function verdictOf(v: SandboxVerdict, checked: Verdict['checked']): Verdict {
  const problems = [
    ...(v.damage ? [`${v.damage.code} after ${v.events} good events: ${v.damage.message}`] : []),
    ...(v.torn ? [`torn tail of ${v.torn.bytes} bytes at offset ${v.torn.offset}`] : []),
    ...(v.lost ? [`history lost: the checkpoint knew events up to ${v.lost.checkpointSeq}`] : []),
    ...v.drift.map((d) => `${d.problem} ${d.path}`),
  ];
  return { clean: v.consistent, checked, problems };
}

/** The verdict's traces of a crash or of damage, placed after the event they follow. */
export function verdictFindings(v: SandboxVerdict): Finding[] {
  const found: Finding[] = [];
  if (v.torn)
    found.push({
      kind: 'torn',
      after: v.seq,
      text: `torn tail: ${v.torn.bytes} bytes of an append that never completed (a crash mid-write); the next writer cuts them`,
    });
  if (v.damage)
    found.push({
      kind: 'damage',
      after: v.seq,
      text: `the journal is damaged after this event (${v.damage.code}): nothing after it can be read`,
    });
  if (v.lost)
    found.push({
      kind: 'lost',
      after: v.seq,
      text: `history lost: the checkpoint knew events up to ${v.lost.checkpointSeq}, the journal ends at ${v.lost.journalSeq}`,
    });
  return found;
}

/**
 * The copies `vcstore recover --truncate-at-corruption` keeps of a journal it
 * cut (`journal.log.broken`, `.broken.1`, …): each says where history was cut
 * and what was removed. Read-only, like every audit read.
 */
export async function cutFindings(file: string): Promise<Finding[]> {
  const dir = path.dirname(file);
  const name = path.basename(file);
  const names = (await ifExists(dir, readdir(dir), 'open')) ?? [];
  const found: Finding[] = [];
  for (const copy of names.filter((n) => n === `${name}.broken` || n.startsWith(`${name}.broken.`)).sort()) {
    const full = path.join(dir, copy);
    const size = (await stat(full)).size;
    const { last, damage } = await replayJournal(full, {}, { untilDamage: true });
    const why = damage ? ` (${damage.code}: ${damage.message})` : '';
    found.push({
      kind: 'cut',
      after: last?.seq ?? 0,
      text: `recover cut the journal after this event: a damaged end${why}; the whole file before the cut is kept in ${copy} (${size} bytes)`,
    });
  }
  return found;
}
