/**
 * Issue 24 item 3: preallocated journal space measured again in the host
 * layout, where the rename of a store's legacy file is on a tmpfs and no
 * longer shares the disk's journal commit with the fdatasync. The journal on
 * the disk (os.tmpdir()), the run folder on /dev/shm; all loops interleaved:
 *   node --import tsx test/bench/prealloc-host.ts [ROUNDS] [OPS]
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { interleave, median } from './measure.ts';
import { limitLoop, overwriteLoop, storeIoLoop } from './suites/limit.ts';
import { storeFrameSize } from './workload.ts';

const [rounds = '9', ops = '300'] = process.argv.slice(2);
const disk = await mkdtemp(path.join(os.tmpdir(), 'vcstore-prealloc-'));
const shm = await mkdtemp('/dev/shm/vcstore-prealloc-');
try {
  const frame = await storeFrameSize();
  for (const d of ['a', 'w']) await mkdir(path.join(disk, d));
  const names = {
    append: 'append+fdatasync',
    wrap: 'overwrite+fdatasync, 8 MiB written first',
    io: "store's I/O, rename on tmpfs",
    ioAhead: "store's I/O, rename on tmpfs, journal into zeros 1 MiB ahead",
  };
  const rates = await interleave(
    [
      limitLoop(names.append, path.join(disk, 'a'), frame),
      overwriteLoop(names.wrap, path.join(disk, 'w'), frame),
      storeIoLoop(names.io, path.join(disk, 'io'), frame, {
        preallocated: false,
        sandboxes: 1,
        project: true,
        runDir: path.join(shm, 'io'),
      }),
      storeIoLoop(names.ioAhead, path.join(disk, 'ahead'), frame, {
        preallocated: true,
        sandboxes: 1,
        project: true,
        runDir: path.join(shm, 'ahead'),
      }),
    ],
    { rounds: Number(rounds), opsPerRound: Number(ops), warmup: 50 },
  );
  const samples = (n: string) => rates.get(n)?.samples ?? [];
  const ratios = (a: string, b: string) => samples(a).map((x, i) => x / (samples(b)[i] ?? NaN));
  for (const n of Object.values(names)) console.log(`${n}: ${median(samples(n)).toFixed(0)}/s`);
  console.log(`overwrite ÷ append, median of ratios: ${median(ratios(names.wrap, names.append)).toFixed(2)}×`);
  console.log(
    `store I/O, zeros ahead ÷ appending, median of ratios: ${median(ratios(names.ioAhead, names.io)).toFixed(2)}×`,
  );
  console.log(
    `per-round ratios (zeros ahead ÷ appending): ${ratios(names.ioAhead, names.io)
      .map((r) => r.toFixed(2))
      .join(' ')}`,
  );
} finally {
  await rm(disk, { recursive: true, force: true });
  await rm(shm, { recursive: true, force: true });
}
