/**
 * One operation in a loop, profiled, to see where a figure's time goes:
 *   node --import tsx test/bench/profile.ts store|fetch|open|replay [N] [--out FILE]
 *   node --import tsx test/bench/profile-summary.ts FILE
 * store: N single-writer stores; fetch: N fetchSandboxState; open: N opens
 * from a checkpoint of a 10k-event sandbox; replay: one replay of N events.
 * A CPU profile shows waiting on the disk only as idle, so this also prints
 * the fs calls of one operation and the wall time spent in or awaiting each.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { rootsUnder } from '../../src/layout/roots.ts';
import { replayJournal } from '../../src/projector/replay.ts';
import { Store } from '../../src/store/store.ts';
import { cpuProfile } from './cpu-profile.ts';
import { buildDataset } from './dataset.ts';
import { countFsCalls, type FsCalls } from './fs-calls.ts';
import { stateData, tempDir } from './workload.ts';

type Loop = {
  warm: () => Promise<unknown>;
  op: (i: number) => Promise<unknown>;
  ops: number;
  perOp: number;
  done: () => Promise<void>;
};

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' } } });
const [what = 'store', count] = positionals;
const out = values.out ?? `/tmp/vcstore-${what}.cpuprofile`;
const { dir, done } = await tempDir(`profile-${what}`);

async function storeLoop(n: number): Promise<Loop> {
  const store = new Store({ roots: rootsUnder(dir) });
  await store.createAllResources({ id: 'sb' });
  const op = (i: number) => store.storeSandboxResource('sb', 'state', stateData(i));
  return {
    warm: async () => {
      for (let i = 0; i < 100; i++) await op(i);
    },
    op,
    ops: n,
    perOp: 1,
    done: () => store.close(),
  };
}

async function fetchLoop(n: number): Promise<Loop> {
  const { warm, done: close } = await storeLoop(0);
  const store = new Store({ roots: rootsUnder(dir) });
  const op = () => store.fetchSandboxState('sb');
  return {
    warm: async () => {
      await warm();
      for (let i = 0; i < 1000; i++) await op();
    },
    op,
    ops: n,
    perOp: 1,
    done: async () => {
      await close();
      await store.close();
    },
  };
}

async function openLoop(n: number): Promise<Loop> {
  const ds = await buildDataset(path.join(dir), 10_000);
  const op = async () => {
    const store = new Store({ roots: ds.roots });
    await store.seq(ds.sandbox);
    await store.close(); // leaves the checkpoint at the last event, for the next open
  };
  return {
    warm: async () => {
      for (let i = 0; i < 20; i++) await op();
    },
    op,
    ops: n,
    perOp: 1,
    done: async () => {},
  };
}

async function replayLoop(n: number): Promise<Loop> {
  const ds = await buildDataset(path.join(dir), n);
  const op = () => replayJournal(ds.journal);
  return { warm: op, op, ops: 1, perOp: n, done: async () => {} };
}

const loops: Record<string, (n: number) => Promise<Loop>> = {
  store: storeLoop,
  fetch: fetchLoop,
  open: openLoop,
  replay: replayLoop,
};
const defaults: Record<string, number> = { store: 3000, fetch: 20_000, open: 500, replay: 100_000 };
if (!loops[what]) throw new Error(`profile what? one of ${Object.keys(loops).join(', ')}`);
try {
  const loop = await loops[what](Number(count ?? defaults[what]));
  await loop.warm();
  const calls = await countFsCalls();
  let counted = new Map<string, FsCalls>();
  let s = 0;
  await cpuProfile(out, async () => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < loop.ops; i++) await loop.op(i);
    s = Number(process.hrtime.bigint() - start) / 1e9;
    counted = calls.stop(); // before the profile is written
  });
  const n = loop.ops * loop.perOp;
  console.log(
    `${what}: ${n} in ${s.toFixed(2)} s, ${Math.round(n / s)}/s, ${((s / loop.ops) * 1e6).toFixed(0)} µs per call (profiled); profile in ${out}`,
  );
  console.log('fs calls per call, and the wall time spent in or awaiting them:');
  let awaited = 0;
  for (const [name, c] of [...counted].sort((a, b) => b[1].seconds - a[1].seconds)) {
    if (c.count / loop.ops < 0.01) continue; // a checkpoint now and then
    awaited += c.seconds;
    const us = (c.seconds / loop.ops) * 1e6;
    console.log(
      `  ${name.padEnd(20)} ${(c.count / loop.ops).toFixed(2).padStart(7)} calls  ${us.toFixed(0).padStart(7)} µs  ${((100 * c.seconds) / s).toFixed(1).padStart(5)} %`,
    );
  }
  const rest = s - awaited;
  console.log(
    `  ${'everything else'.padEnd(20)}                ${((rest / loop.ops) * 1e6).toFixed(0).padStart(7)} µs  ${((100 * rest) / s).toFixed(1).padStart(5)} %  (JavaScript; proper-lockfile's fs calls)`,
  );
  await loop.done();
} finally {
  await done();
}
