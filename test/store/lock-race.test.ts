import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { bootId } from '../../src/journal/boot-id.ts';
import type { RoundReport } from '../helpers/lock-racer.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { scriptArgv } from '../helpers/script.ts';

const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../helpers/lock-racer.ts');
const RACERS = 8;
/** Racers slowed down right after they judge the holder dead: they come to take over after another already has. */
const SLOW = 3;
const SLOW_MS = 15;
const HOLD_MS = 25;
const ROUNDS = Number(process.env.VCSTORE_LOCK_RACE_ROUNDS) || 40;

interface Racer {
  child: ChildProcessWithoutNullStreams;
  reports: RoundReport[];
  stderr: () => string;
}

async function startRacer(t: TestContext, root: string, holderFile: string, slow: boolean): Promise<Racer> {
  const child = spawn(process.execPath, [...scriptArgv(RACER), root, 'sb', holderFile, String(HOLD_MS)], {
    env: {
      ...process.env,
      VCSTORE_LOCK_WAIT_MS: '20000',
      ...(slow ? { VCSTORE_DELAYPOINT: `lock-judged-dead:${SLOW_MS}` } : {}),
    },
  });
  t.after(() => child.kill('SIGKILL'));
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const racer: Racer = { child, reports: [], stderr: () => err };
  let ready = false;
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'ready') ready = true;
    else racer.reports.push(JSON.parse(line) as RoundReport);
  });
  await waitFor(() => ready, { what: 'a racer to start', hopeless: () => gone(racer) });
  return racer;
}

const gone = (r: Racer) =>
  r.child.exitCode !== null || r.child.signalCode !== null ? `racer exited: ${r.stderr()}` : undefined;

/** The pid of a process that has exited: it can hold nothing. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid!;
}

/** Whether a symbolic link made right after another is removed gets its inode back here (ext4 does at once). */
function reusesInodes(dir: string): boolean {
  const probe = path.join(dir, 'probe');
  let reused = 0;
  for (let i = 0; i < 5; i++) {
    symlinkSync('a', probe);
    const before = lstatSync(probe).ino;
    unlinkSync(probe);
    symlinkSync('b', probe);
    if (lstatSync(probe).ino === before) reused++;
    unlinkSync(probe);
  }
  return reused > 0;
}

const nsOf = () => /\d+/.exec(readlinkSync('/proc/self/ns/pid'))![0];
const bootTag = () => bootId().replaceAll('-', '').slice(0, 8);

test('lock race - many waiters reaping one dead holder, its inode reused by the new lock: one holder at a time, no lock lost', async (t) => {
  const root = await tempDir(t, 'lock-race');
  if (!reusesInodes(root)) {
    t.skip(`${root} does not hand a freed inode to the next file (not ext4?): the reused inode cannot be forced here`);
    return;
  }
  const locks = path.join(root, '@locks');
  mkdirSync(locks, { recursive: true });
  const lockFile = path.join(locks, 'sb.lock');
  const holderFile = path.join(root, 'holder');
  const racers = await Promise.all(Array.from({ length: RACERS }, (_, i) => startRacer(t, root, holderFile, i < SLOW)));

  const dead = `${await deadPid()}.1.${nsOf()}.${bootTag()}`;
  const leftovers: string[] = [];
  let reused = 0;
  const started = Date.now();
  for (let round = 1; round <= ROUNDS; round++) {
    symlinkSync(`${dead}.${randomBytes(6).toString('hex')}`, lockFile);
    const deadIno = lstatSync(lockFile).ino;
    for (const r of racers) r.child.stdin.write(`go ${round}\n`);
    await waitFor(() => racers.every((r) => r.reports.length >= round), {
      what: `every racer to finish round ${round}`,
      hopeless: () => racers.map(gone).find((why) => why !== undefined),
    });
    if (racers.some((r) => r.reports[round - 1]?.ino === deadIno)) reused++;
    const left = readdirSync(locks);
    leftovers.push(...left.map((name) => `round ${round}: ${name}`));
    for (const name of left) rmSync(path.join(locks, name), { force: true });
    rmSync(holderFile, { force: true });
  }
  for (const r of racers) r.child.stdin.write('exit\n');
  await Promise.all(racers.filter((r) => r.child.exitCode === null).map((r) => once(r.child, 'exit')));

  const reports = racers.flatMap((r) => r.reports);
  const overlaps = reports.filter((r) => r.overlap !== undefined);
  const failures = reports.filter((r) => r.error !== undefined);
  t.diagnostic(
    `${ROUNDS} rounds × ${RACERS} racers in ${Date.now() - started} ms; the dead lock's inode went to a new lock in ${reused} rounds; ` +
      `${overlaps.length} overlapping holders, ${failures.length} failures`,
  );
  assert.ok(reused > 0, 'the new lock never reused the dead one’s inode: the case this test is for did not happen');
  assert.deepEqual(
    overlaps.map((r) => `round ${r.round}: pid ${r.pid} held the lock while pid ${r.overlap} did`),
    [],
    'never two holders at once',
  );
  assert.deepEqual(
    failures.map((r) => `round ${r.round}: pid ${r.pid}: ${r.error} ${r.message}`),
    [],
    'no holder loses its lock',
  );
  assert.deepEqual(leftovers, [], 'every lock released and every marker removed');
});
