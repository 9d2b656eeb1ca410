/**
 * The runtime of the watch figures, in a process of its own as on a host: it
 * writes the legacy tree as the Go code did (open with O_TRUNC, one write,
 * close, no fsync; blocking calls, as Go's syscalls are), and `vcstore watch`
 * in another process records it.
 *
 * argv: root, tag (sandboxes are `<tag>0`…), sandboxes, containers, seconds,
 * writes per second (0: as fast as it can). Lays out the tree (a state.json
 * per sandbox, a state.json and a process.json per container, in both roots'
 * folders as the runtime makes them), sends `{ ready, paths }`, waits for
 * `{ go }`, then rewrites the files in turn, sandboxes interleaved, each
 * content stamped with its write number and the time its write began (ms since
 * the epoch, sub-millisecond). Ends with `{ done, writes, began, ended, last,
 * stamps }`: `last` is each path's final content, `stamps` the time of each
 * timed write (the i-th is write number `paths.length + i`).
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

const [root = '', tag = 'sb', sandboxesArg = '16', containersArg = '3', secondsArg = '1', rateArg = '0'] =
  process.argv.slice(2);
const sandboxes = Number(sandboxesArg);
const containers = Number(containersArg);
const seconds = Number(secondsArg);
const rate = Number(rateArg);
const now = () => performance.timeOrigin + performance.now();

/** Tree paths, the k-th file of every sandbox before the (k+1)-th of any: consecutive writes hit different journals. */
function layout(): string[] {
  const files = [
    'state.json',
    ...Array.from({ length: containers }, (_, c) => [`c${c}/state.json`, `c${c}/process.json`]).flat(),
  ];
  const paths: string[] = [];
  for (const file of files) for (let s = 0; s < sandboxes; s++) paths.push(`run/${tag}${s}/${file}`);
  return paths;
}

const paths = layout();
const disk = (treePath: string) =>
  treePath.startsWith('run/')
    ? path.join(root, 'run/virtcontainers/sandboxes', treePath.slice(4))
    : path.join(root, 'var/lib/virtcontainers/sandboxes', treePath.slice(7));

const last: Record<string, string> = {};
const stamps: number[] = [];

/** The legacy storeFile: truncate, write, close; no fsync. Parses as State and as Process (Go ignores unknown fields). */
function write(n: number): void {
  const treePath = paths[n % paths.length] ?? '';
  const at = now();
  const content = `{"state":"running","n":${n},"at":${at.toFixed(3)}}`;
  const fd = openSync(disk(treePath), 'w', 0o640);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  last[treePath] = content;
  if (n >= paths.length) stamps.push(Number(at.toFixed(3)));
}

for (let s = 0; s < sandboxes; s++)
  for (let c = 0; c < containers; c++)
    for (const top of ['run', 'config']) mkdirSync(disk(`${top}/${tag}${s}/c${c}`), { recursive: true, mode: 0o750 });
// The first pass lays out the files the watcher adopts; the timed writes start after it.
let n = 0;
for (; n < paths.length; n++) write(n);

const go = once(process, 'message');
process.send?.({ ready: true, paths });
await go;

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
const began = now();
const until = began + seconds * 1000;
const total = rate > 0 ? Math.ceil(rate * seconds) : Infinity;
let writes = 0;
while (writes < total) {
  if (rate > 0) {
    // Paced: write i is due i / rate seconds after the start; a late writer catches up in a burst.
    const due = Math.min(total, Math.floor(((now() - began) * rate) / 1000) + 1);
    for (; writes < due; writes++) write(n++);
    if (writes < total) await tick();
  } else {
    // Full speed: 200 writes between looks at the clock, and a turn of the event loop for IPC.
    for (let k = 0; k < 200; k++, writes++) write(n++);
    if (now() >= until) break;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
process.send?.({ done: true, writes, began, ended: now(), last, stamps });
process.disconnect?.();
