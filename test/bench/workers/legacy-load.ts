/**
 * The runtime of the watch figures, in a process of its own as on a host:
 * rewrites, in turn, the files of a tree laid out by `layOut`
 * (../legacy-files.ts), as the Go code wrote them, while `vcstore watch`
 * records them.
 *
 * argv: root. Sends `{ ready }`, then for each `{ tag, shape, seconds, rate,
 * spacingMs }` it is sent (rate 0: as fast as it can; spacingMs: the least
 * time each file must stay in place when paced) writes that tree and answers
 * `{ done, first, writes, began, ended, last, stamps }` (WriterDone in
 * ../watch-process.ts). Each content holds its write number (counted on from
 * the number of files laid out, across runs of the same tree) and the time
 * its write began.
 */
import { legacyPaths, writeLegacy, type Shape } from '../legacy-files.ts';

const [root = ''] = process.argv.slice(2);
const now = () => performance.timeOrigin + performance.now();
const tick = (ms: number) => new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

interface Load {
  tag: string;
  shape: Shape;
  seconds: number;
  rate: number;
  spacingMs?: number;
}

/** The next write number of each tree: never the same content twice. */
const next = new Map<string, number>();

async function run({ tag, shape, seconds, rate, spacingMs = 0 }: Load) {
  const paths = legacyPaths(tag, shape);
  const last: Record<string, string> = {};
  const stamps: number[] = [];
  const first = next.get(tag) ?? paths.length;
  let n = first;
  const write = () => {
    const treePath = paths[n % paths.length] ?? '';
    const at = now();
    last[treePath] = writeLegacy(root, treePath, n++, at);
    stamps.push(Number(at.toFixed(3)));
  };
  const began = now();
  const until = began + seconds * 1000;
  const total = rate > 0 ? Math.ceil(rate * seconds) : Infinity;
  // Paced: write i is due i / rate seconds after the start. The files are rewritten in turn, one every
  // paths / rate seconds, so a writer late by k writes that catches up in a burst still leaves each file in
  // place paths / rate - k / rate: it catches up as far as that keeps `spacingMs`, and lets its schedule slip
  // beyond (a loaded machine wakes a 1 ms timer late, often by more than 5 ms of writes).
  const slack = Math.max(1, Math.ceil(rate / 200), Math.floor(paths.length - (rate * spacingMs) / 1000));
  let origin = began;
  let writes = 0;
  while (writes < total) {
    if (rate > 0) {
      let due = Math.floor(((now() - origin) * rate) / 1000) + 1;
      if (due - writes > slack) {
        origin += ((due - writes - slack) * 1000) / rate;
        due = writes + slack;
      }
      for (due = Math.min(total, due); writes < due; writes++) write();
      if (writes < total) await tick(1);
    } else {
      // Full speed: 200 writes between looks at the clock, and a turn of the event loop for IPC.
      for (let k = 0; k < 200; k++, writes++) write();
      if (now() >= until) break;
      await tick(0);
    }
  }
  next.set(tag, n);
  return { done: true, first, writes, began, ended: now(), last, stamps };
}

process.on('message', (load: Load) => {
  void run(load).then((done) => process.send?.(done));
});
process.send?.({ ready: true });
