import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import type { JournalEvent } from '../../src/journal/record.ts';
import { CLI } from '../helpers/cli.ts';
import type { Shape } from './legacy-files.ts';

/** ms since the epoch, sub-millisecond: the clock the legacy writer stamps its contents with. */
export const epochNow = () => performance.timeOrigin + performance.now();

/** An event `vcstore watch --json` printed, and when its line reached this process. */
export type Seen = (event: JournalEvent, at: number) => void;

export interface WatchProcess {
  /** the warnings that say a rescan happened (a failed watch, a stop long enough for a gap) */
  rescans(): string[];
  /** seconds of CPU the process has used (user and system), null where /proc cannot tell */
  cpuSeconds(): number | null;
  stop(): Promise<void>;
}

/** utime + stime from /proc/PID/stat, in clock ticks of 1/100 s (USER_HZ on Linux). */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** Calls `onLine` for each whole line of a stream. */
function lines(stream: Readable, onLine: (line: string) => void): void {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
}

/**
 * `vcstore watch --root ROOT --json` in its own process, as a host runs it
 * (logging at info, as the systemd unit of docs/adoption.md does): resolves
 * once its first scan is recorded. `--json` prints each event once its append
 * has returned, that is after its fdatasync: a line's arrival is the moment
 * the event was durable, plus one pipe hop.
 */
export async function startWatch(root: string, seen: Seen): Promise<WatchProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...CLI, 'watch', '--root', root, '--json', '--log-level', 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VCSTORE_LOG: '' } },
  );
  const { stdout, stderr } = child;
  if (!stdout || !stderr) throw new Error('bench: vcstore watch has no output pipes');
  lines(stdout, (line) => seen(JSON.parse(line) as JournalEvent, epochNow()));
  const rescans: string[] = [];
  let tail = '';
  const started = new Promise<void>((resolve, reject) => {
    lines(stderr, (line) => {
      tail = `${tail.slice(-2000)}\n${line}`;
      if (line.includes('"msg":"watching"')) resolve();
      if (line.includes('rescanning')) rescans.push(line);
    });
    child.once('exit', (code) => reject(new Error(`bench: vcstore watch exited with ${code}: ${tail}`)));
  });
  await started;
  return {
    rescans: () => rescans,
    cpuSeconds: () => (child.pid === undefined ? null : cpuSeconds(child.pid)),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** What the legacy writer process (workers/legacy-load.ts) reports at its end. */
export interface WriterDone {
  /** the write number of the first timed write */
  first: number;
  writes: number;
  /** ms since the epoch: the first timed write began, the last one ended */
  began: number;
  ended: number;
  /** each path's final content */
  last: Record<string, string>;
  /** when each timed write began; the i-th is write number `first + i` */
  stamps: number[];
}

interface LoadMessage extends Partial<WriterDone> {
  ready?: boolean;
  done?: boolean;
}

export interface LegacyWriter {
  /** resolves once the process is up, waiting for work */
  ready: Promise<void>;
  /**
   * rewrites the tree `<tag>N` laid out by `layOut`, for `seconds` at `rate` writes/s (0: full speed); paced,
   * a late writer catches up only as far as every file still stays `spacingMs` in place
   */
  run(tag: string, shape: Shape, load: { seconds: number; rate: number; spacingMs?: number }): Promise<WriterDone>;
  stop(): Promise<void>;
}

const LOAD_WORKER = fileURLToPath(new URL('./workers/legacy-load.ts', import.meta.url));

/** The legacy writer in a process of its own, under `root`. */
export function legacyWriter(root: string): LegacyWriter {
  const child = fork(LOAD_WORKER, [root], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready: () => void = () => {};
  let done: (summary: WriterDone) => void = () => {};
  const up = new Promise<void>((resolve) => (ready = resolve));
  const exited = once(child, 'exit');
  const failed = exited.then(([code]) => {
    throw new Error(`bench: the legacy writer ended early (${String(code)})`);
  });
  failed.catch(() => {}); // only ever raced: an exit after the work is done is no failure
  child.on('message', (msg: LoadMessage) => {
    if (msg.ready) ready();
    if (msg.done)
      done({
        first: msg.first ?? 0,
        writes: msg.writes ?? 0,
        began: msg.began ?? 0,
        ended: msg.ended ?? 0,
        last: msg.last ?? {},
        stamps: msg.stamps ?? [],
      });
  });
  return {
    ready: Promise.race([up, failed]),
    run(tag, shape, load) {
      const finished = new Promise<WriterDone>((resolve) => (done = resolve));
      child.send({ tag, shape, ...load });
      return Promise.race([finished, failed]);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
