import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { JournalEvent } from '../../src/journal/record.ts';
import { resourceOf } from '../../src/layout/resources.ts';
import { rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { storePath } from '../../src/projector/tree-model.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { events } from '../helpers/store.ts';
import { elapse, waitFor } from '../helpers/wait.ts';
import { tempDir } from '../helpers/temp.ts';
import { startWatch as startWatchWith, stopWatch, type Watch } from './support.ts';
import { scriptArgv } from '../helpers/script.ts';

const WRITER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers/legacy-writer.ts');
const SETTLE_MS = 50;

/** Starts `vcstore watch` and resolves once its first scan is recorded. */
const startWatch = (root: string) => startWatchWith(root, ['--settle-ms', String(SETTLE_MS)]);

interface Written {
  path?: string;
  content?: string;
  removed?: string;
  at: number;
}

/** Runs the legacy writer to the end; `onLine` sees each finished write as it lands. */
function runWriter(root: string, args: number[], onLine: (w: Written) => void = () => {}): Promise<Written[]> {
  const child = spawn(process.execPath, [...scriptArgv(WRITER), root, ...args.map(String)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const out: Written[] = [];
  let buf = '';
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const w = JSON.parse(buf.slice(0, nl)) as Written;
      buf = buf.slice(nl + 1);
      out.push(w);
      onLine(w);
    }
  });
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(out.filter((w) => w.at && !('done' in w))) : reject(new Error(`writer exited ${code}`)),
    ),
  );
}

/** Every file and folder on disk is what the journal's last events say. */
async function recordedInFull(roots: Roots, ids: string[]): Promise<boolean> {
  for (const id of ids) if ((await verifySandbox(roots, id)).drift.length > 0) return false;
  return true;
}

async function driftOf(roots: Roots, ids: string[]): Promise<string> {
  const all = [];
  for (const id of ids) all.push(...(await verifySandbox(roots, id)).drift);
  return JSON.stringify(all.slice(0, 5));
}

/** The events that recorded a value at a path: observations, and the stores of a sandbox adopted whole. */
const observed = (log: JournalEvent[], treePath: string) =>
  log.filter(
    (e) =>
      (e.op === 'observe' && e.path === treePath) ||
      (e.op === 'store' && storePath(e.sandbox, e.container ?? '', resourceOf(e.resource)) === treePath),
  );

async function withRoot(t: TestContext, fn: (root: string, roots: Roots) => Promise<void>): Promise<void> {
  const root = await tempDir(t, 'watch');
  await fn(root, rootsUnder(root));
}

const IDS = ['sb0', 'sb1', 'sb2'];

test('watch - a legacy writer beside it: the last event of every file is the file, lasting writes in order, torn reads never a value', (t) =>
  withRoot(t, async (root, roots) => {
    const watch = await startWatch(root);
    try {
      const writes = await runWriter(root, [3, 2, 150, 40, 7]);
      await waitFor(() => recordedInFull(roots, IDS), {
        what: 'the tree to be recorded in full',
        timeout: 20_000,
        detail: () => driftOf(roots, IDS),
      });
      for (const id of IDS) {
        const log = await events(roots, id);
        const byPath = new Map<string, Written[]>();
        for (const w of writes)
          if (w.path?.startsWith(`run/${id}/`)) byPath.set(w.path, [...(byPath.get(w.path) ?? []), w]);
        for (const [treePath, list] of byPath) {
          const seen = observed(log, treePath);
          const contents = new Set(list.map((w) => w.content));
          for (const e of seen) {
            // A value is only ever a whole write; anything else is marked torn.
            if (e.op === 'store')
              assert.ok(contents.has(e.payload), `${treePath} #${e.seq}: adopted a value never written`);
            else if (e.payload !== undefined && contents.has(e.payload))
              assert.equal(e.parsed, true, `${treePath} #${e.seq}`);
            else if (e.found === 'file')
              assert.equal(e.parsed, false, `${treePath} #${e.seq}: a partial write recorded as a value`);
          }
          // Every write that stayed in place well past the settle time is in the history, in order.
          const values = seen.filter((e) => e.parsed !== false && e.found !== 'absent').map((e) => e.payload);
          let from = 0;
          for (const [i, w] of list.entries()) {
            const next = writes.find(
              (o) =>
                o.at >= w.at &&
                o !== w &&
                (o.path === treePath || (o.removed !== undefined && treePath.startsWith(`${o.removed}/`))),
            );
            // Well past: the settle time plus the read and the append, with room for a loaded test machine.
            if (next && next.at - w.at < SETTLE_MS * 12) continue;
            const at = values.indexOf(w.content, from);
            assert.ok(
              at >= 0,
              `${treePath}: write ${i} (lasted ${next ? next.at - w.at : 'to the end'} ms) missing or out of order`,
            );
            from = at + 1;
          }
        }
      }
    } finally {
      await stopWatch(watch);
    }
  }));

test('watch - killed in the middle and restarted: nothing final is missing, and an unchanged file is not recorded again', (t) =>
  withRoot(t, async (root, roots) => {
    let watch = await startWatch(root);
    let killed = false;
    let restarted: Promise<Watch> | undefined;
    try {
      await runWriter(root, [3, 2, 120, 30, 11], (w) => {
        if (!killed && w.at && w.path) {
          killed = true;
          // SIGKILL once the writer is under way, and back while it still writes.
          restarted = stopWatch(watch, 'SIGKILL').then(() => startWatch(root));
        }
      });
      assert.ok(restarted, 'the writer wrote');
      watch = await restarted;
      await waitFor(() => recordedInFull(roots, IDS), {
        what: 'the tree to be recorded in full',
        timeout: 20_000,
        detail: () => driftOf(roots, IDS),
      });
      const counts = await Promise.all(IDS.map(async (id) => (await events(roots, id)).length));
      await stopWatch(watch);
      watch = await startWatch(root);
      assert.match(watch.stderr(), /"reason":"start","sandboxes":\d+,"events":0,/);
      assert.deepEqual(
        await Promise.all(IDS.map(async (id) => (await events(roots, id)).length)),
        counts,
        'no duplicate event',
      );
    } finally {
      await stopWatch(watch);
    }
  }));

test('watch - stopped while 10,000 writes land, then resumed: a rescan records the final state and the log says a gap was possible', (t) =>
  withRoot(t, async (root, roots) => {
    await runWriter(root, [3, 2, 3, 0, 5]); // the sandboxes exist before the watch
    const watch = await startWatch(root);
    try {
      watch.child.kill('SIGSTOP');
      const stoppedAt = Date.now();
      await runWriter(root, [3, 2, 10_000, 0, 13]);
      // Long enough to be seen as a stop (the watcher's gap threshold is 2 s).
      await elapse(Math.max(0, 2500 - (Date.now() - stoppedAt)));
      watch.child.kill('SIGCONT');
      await waitFor(() => watch.stderr().includes('a gap was possible'), {
        what: 'the gap to be logged',
        timeout: 20_000,
        detail: () => watch.stderr().slice(-500),
      });
      await waitFor(() => recordedInFull(roots, IDS), {
        what: 'the final state to be recorded',
        timeout: 30_000,
        detail: () => driftOf(roots, IDS),
      });
      assert.equal(await driftOf(roots, IDS), '[]');
    } finally {
      await stopWatch(watch);
    }
  }));
