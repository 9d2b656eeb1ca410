/**
 * One of many processes racing for a sandbox's writer lock, for the lock race
 * test: on each line `go <round>` it takes the lock, marks itself as the
 * holder, holds it `holdMs` while checking it is still its own, and releases;
 * then prints one JSON line saying how the round went. Exits on `exit`.
 *
 *   node --import tsx lock-racer.ts <journal root> <sandbox> <holder file> <holdMs>
 *
 * The holder file is made with O_EXCL while the lock is held, and removed
 * before release: if it already exists, another process believes it holds the
 * lock at the same time, which the lock must make impossible.
 */
import { closeSync, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../../src/log.ts';
import { lockSandbox } from '../../src/store/writer-lock.ts';

const [journalRoot, sandbox, holderFile, hold] = process.argv.slice(2);
if (journalRoot === undefined || sandbox === undefined || holderFile === undefined || hold === undefined)
  throw new Error('usage: lock-racer.ts <journal root> <sandbox> <holder file> <holdMs>');
const holdMs = Number(hold);
const lockFile = path.join(journalRoot, '@locks', `${sandbox}.lock`);

export interface RoundReport {
  round: number;
  pid: number;
  /** the inode of the lock this process made, seen right after it got it */
  ino?: number;
  /** another process held the lock too while this one did: its pid */
  overlap?: string;
  /** the code of an error the lock raised (ECOMPROMISED from a check) */
  error?: string;
  message?: string;
}

async function round(n: number): Promise<RoundReport> {
  const report: RoundReport = { round: n, pid: process.pid };
  try {
    const lock = await lockSandbox(journalRoot!, sandbox!, silentLogger);
    const ino = lstatSync(lockFile, { throwIfNoEntry: false })?.ino;
    if (ino !== undefined) report.ino = ino;
    const mine = markHolder();
    if (!mine) report.overlap = otherHolder();
    try {
      for (const until = Date.now() + holdMs; Date.now() < until; await sleep(1)) lock.check();
      lock.check();
    } finally {
      if (mine) unlinkSync(holderFile!);
      await lock.release();
    }
  } catch (err) {
    const { code, message } = err as { code?: string; message?: string };
    report.error = code ?? 'unknown';
    report.message = message ?? String(err);
  }
  return report;
}

function markHolder(): boolean {
  let fd;
  try {
    fd = openSync(holderFile!, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  writeSync(fd, String(process.pid));
  closeSync(fd);
  return true;
}

function otherHolder(): string {
  try {
    return readFileSync(holderFile!, 'utf8');
  } catch {
    return 'a holder that has just let go';
  }
}

process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  const [word, n] = line.split(' ');
  if (word === 'exit') break;
  if (word === 'go') process.stdout.write(`${JSON.stringify(await round(Number(n)))}\n`);
}
process.exit(0); // stdin would keep the process alive
