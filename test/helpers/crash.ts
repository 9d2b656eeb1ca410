import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import stringify from 'fast-json-stable-stringify';
import { readEvents } from '../../src/journal/reader.ts';
import { hashBody } from '../../src/journal/record.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { journaledSandboxes } from '../../src/layout/journals.ts';
import { verify } from '../../src/recovery/verify.ts';
import { Store } from '../../src/store/store.ts';
import { scriptArgv } from './script.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'crash-worker.ts');

export interface Ack {
  sandbox: string;
  seq: number;
  hash: string;
}

export interface WorkerRun {
  acks: Ack[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

export interface Worker {
  pid: number;
  /** the acknowledgements so far, growing as the worker prints them */
  acks: Ack[];
  kill(signal?: NodeJS.Signals): void;
  /** resolves when the worker has exited, with everything it acknowledged */
  ended: Promise<WorkerRun>;
}

/** When to kill a worker from outside: `delayMs` after its `acks`-th acknowledgement, so it dies mid-work. */
export interface KillAt {
  acks: number;
  delayMs: number;
}

/** Starts the crash worker; VCSTORE_FAILPOINT in `env` makes it kill itself, `killAt` kills it from here. */
export function startWorker(
  root: string,
  args: { mode: 'mixed' | 'stores'; seed: number; count: number; sandboxes: string[] },
  options: { env?: Record<string, string>; killAt?: KillAt } = {},
): Worker {
  const argv = [...scriptArgv(WORKER), root, args.mode, String(args.seed), String(args.count), ...args.sandboxes];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: Ack[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    pending += d;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const [word, sandbox, seq, hash] = line.split(' ');
      if (word === 'ack' && sandbox !== undefined && hash !== undefined) acks.push({ sandbox, seq: Number(seq), hash });
      if (acks.length === options.killAt?.acks) setTimeout(() => child.kill('SIGKILL'), options.killAt.delayMs);
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  const ended = new Promise<WorkerRun>((resolve) => {
    child.on('close', (code, signal) => resolve({ acks, signal, code, stderr }));
  });
  return { pid: child.pid ?? 0, acks, kill: (signal = 'SIGKILL') => child.kill(signal), ended };
}

/**
 * Runs the crash worker to its end. `killAfterMs` sends SIGKILL from outside
 * at that time: the random moment of a crash test, not a wait.
 */
export async function runWorker(
  root: string,
  args: { mode: 'mixed' | 'stores'; seed: number; count: number; sandboxes: string[] },
  options: { env?: Record<string, string>; killAfterMs?: number; killAt?: KillAt } = {},
): Promise<WorkerRun> {
  const { killAfterMs: _k, ...start } = options;
  const worker = startWorker(root, args, start);
  const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => worker.kill(), options.killAfterMs);
  try {
    return await worker.ended;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What must hold after any crash, once the store has been opened again: every
 * acknowledged event is in its journal byte for byte, at most one more (the
 * call in flight) follows, every legacy file parses, the tree equals the
 * replay, and writing continues (the write it makes to show that is added to
 * `acks`).
 */
export async function checkAfterCrash(root: string, acks: Ack[], where: string): Promise<void> {
  const roots = rootsUnder(root);
  const store = new Store({ roots });
  const sandboxes = await journaledSandboxes(roots);
  for (const sandbox of sandboxes) await store.recover(sandbox);

  for (const sandbox of sandboxes) {
    const hashes = new Map<number, string>();
    for await (const { offset: _o, ...event } of readEvents(journalFile(roots, sandbox))) {
      hashes.set(event.seq, hashBody(Buffer.from(stringify(event))));
    }
    const acked = acks.filter((a) => a.sandbox === sandbox);
    for (const a of acked)
      assert.equal(hashes.get(a.seq), a.hash, `${where}: acknowledged event ${sandbox}#${a.seq} lost or changed`);
    const top = Math.max(0, ...acked.map((a) => a.seq));
    assert.ok(
      hashes.size <= top + 1,
      `${where}: ${sandbox} has ${hashes.size} events, ${top} acknowledged: more than one in flight`,
    );
  }
  await assertLegacyFilesParse(root, where);
  const report = await verify(roots);
  const problems = report.sandboxes.filter((s) => !s.consistent).map((s) => JSON.stringify(s));
  assert.deepEqual(problems, [], `${where}: tree differs from the journal after recovery`);

  for (const sandbox of sandboxes) {
    const before = await store.seq(sandbox);
    const event = await store.createAllResources({ id: sandbox });
    assert.equal(event.seq, before + 1, `${where}: writing continues on ${sandbox}`);
    // Acknowledged like any other write: a later check of the same journal counts it.
    acks.push({ sandbox, seq: event.seq, hash: hashBody(Buffer.from(stringify(event))) });
  }
  await store.close();
}

async function assertLegacyFilesParse(root: string, where: string): Promise<void> {
  const roots = rootsUnder(root);
  for (const base of [roots.config, roots.run]) {
    const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
      const file = path.join(entry.parentPath ?? entry.path, entry.name);
      const text = await readFile(file, 'utf8');
      assert.doesNotThrow(
        () => JSON.parse(text),
        `${where}: ${file} does not parse: ${JSON.stringify(text.slice(0, 80))}`,
      );
    }
  }
}
