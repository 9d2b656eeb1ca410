/**
 * strace(1), for the rows that count system calls or time a hand-off
 * between processes from outside them. It is not part of vcstore's install:
 * the rows skip, saying why, when it is missing or cannot trace here.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

const PACKAGE_HINT = 'install the Debian package strace (apt-get install -y strace)';

let checked: string | null | undefined;

/** null when strace runs and may trace a child here; else why not, naming the package. */
export function straceMissing(): string | null {
  if (checked !== undefined) return checked;
  const run = spawnSync('strace', ['-f', '-qq', '-o', '/dev/null', 'true'], { encoding: 'utf8' });
  if (run.error)
    checked = `not measured: strace is not installed (${(run.error as NodeJS.ErrnoException).code}); ${PACKAGE_HINT}`;
  else if (run.status !== 0)
    checked = `not measured: strace cannot trace here (ptrace refused?): ${run.stderr.split('\n')[0] ?? ''}`;
  else checked = null;
  return checked;
}

/**
 * strace attached to a running process and all its threads (`-f -p PID`),
 * writing its trace to `file`; resolves once every thread is attached.
 * `stop()` detaches (SIGINT) and waits for the trace to be written.
 */
export async function attach(
  pid: number,
  file: string,
  args: string[],
): Promise<{ stop(): Promise<void>; child: ChildProcess }> {
  const child = spawn('strace', ['-f', ...args, '-o', file, '-p', String(pid)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // "Process N attached" (one thread) or "Process N attached with K threads": all of them are traced from here.
      if (new RegExp(`Process ${pid} attached`).test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`strace exited with ${code} before attaching: ${err}`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** One line of an `strace -f` trace: who, when (with -ttt), the call, its arguments and its result. */
export interface Call {
  tid: number;
  time: number;
  name: string;
  args: string;
  result: string;
}

const LINE = /^(\d+)\s+(?:(\d+\.\d+)\s+)?([a-z0-9_]+)\((.*)\)\s+=\s+(.*)$/;
const UNFINISHED = /^(\d+)\s+(?:(\d+\.\d+)\s+)?([a-z0-9_]+)\((.*) <unfinished \.\.\.>$/;

/**
 * The calls of a trace, each at the time it was entered. A call that
 * another thread interrupted is written in two lines (`<unfinished ...>`,
 * then `<... name resumed>`): it is taken from the first, its result from
 * the second.
 */
export function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  const pending = new Map<number, Call>();
  for (const line of text.split('\n')) {
    let m = LINE.exec(line);
    if (m) {
      calls.push({ tid: Number(m[1]), time: Number(m[2] ?? 0), name: m[3]!, args: m[4]!, result: m[5]! });
      continue;
    }
    m = UNFINISHED.exec(line);
    if (m) {
      const call = { tid: Number(m[1]), time: Number(m[2] ?? 0), name: m[3]!, args: m[4]!, result: '?' };
      pending.set(call.tid, call);
      calls.push(call);
      continue;
    }
    const resumed = /^(\d+)\s+(?:\d+\.\d+\s+)?<\.\.\. [a-z0-9_]+ resumed>(.*)\)\s+=\s+(.*)$/.exec(line);
    if (resumed) {
      const call = pending.get(Number(resumed[1]));
      if (call) {
        call.args += resumed[2];
        call.result = resumed[3]!;
        pending.delete(call.tid);
      }
    }
  }
  return calls;
}

/**
 * The process each thread of a `-f` trace belongs to, from its clone calls
 * (the trace must include clone and clone3): a clone with CLONE_THREAD
 * makes a thread of the caller's process, any other a new process.
 */
export function processOf(calls: Call[]): (tid: number) => number {
  const tgid = new Map<number, number>();
  const of = (tid: number) => tgid.get(tid) ?? tid;
  for (const c of calls) {
    if (c.name !== 'clone' && c.name !== 'clone3') continue;
    const child = Number(c.result.split(' ')[0]);
    if (!Number.isInteger(child) || child <= 0) continue;
    tgid.set(child, c.args.includes('CLONE_THREAD') ? of(c.tid) : child);
  }
  return of;
}

/** Runs a command under `strace -f` with these options, its trace written to `file`; resolves with its exit code. */
export async function traced(file: string, args: string[], command: string[]): Promise<number | null> {
  const child = spawn('strace', ['-f', ...args, '-o', file, ...command], { stdio: ['ignore', 'inherit', 'inherit'] });
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

/**
 * Marker calls: a worker makes a system call naming one of these paths
 * (which never exist) so that its trace shows where the measured part
 * begins and ends.
 */
export const MARK = {
  /** store-count.ts: before and after the counted stores (a stat) */
  begin: '/vcstore-bench-mark/begin',
  end: '/vcstore-bench-mark/end',
  /** lock-handoff.ts: every process warm, the measured stores start (an unlink) */
  go: '/vcstore-bench-mark/go',
};

/** The sandbox the hand-off run's processes share. */
export const HANDOFF_SANDBOX = 'sb0';
