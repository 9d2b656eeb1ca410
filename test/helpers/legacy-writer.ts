/**
 * A runtime as the Go code writes its tree: truncate, write (in pieces, with
 * pauses in between when asked), no fsync; containers made and removed.
 * Prints one JSON line per finished write: {path, content, at} (tree path,
 * ms since epoch), and {removed, at} per removed folder, then "done".
 * Usage: legacy-writer.ts <root> <sandboxes> <containers> <writes> <maxPauseMs> <seed>
 */
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

const [root, sandboxes, containers, writes, maxPause, seed] = process.argv.slice(2);
let x = Number(seed) || 1;
const rand = (n: number) => {
  x = (x * 1103515245 + 12345) % 2147483648;
  return (x >>> 16) % n; // the low bits of this generator cycle with a short period
};
const run = path.join(root!, 'run/virtcontainers/sandboxes');
const config = path.join(root!, 'var/lib/virtcontainers/sandboxes');
// The pauses of a slow writer between and inside its writes: the workload itself, not a wait.
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);

for (let s = 0; s < Number(sandboxes); s++) {
  for (let c = 0; c < Number(containers); c++) {
    mkdirSync(path.join(run, `sb${s}`, `c${c}`), { recursive: true });
    mkdirSync(path.join(config, `sb${s}`, `c${c}`), { recursive: true });
  }
}

for (let i = 0; i < Number(writes); i++) {
  const s = `sb${rand(Number(sandboxes))}`;
  const c = `c${rand(Number(containers))}`;
  if (rand(50) === 0) {
    rmSync(path.join(run, s, c), { recursive: true, force: true });
    say({ removed: `run/${s}/${c}`, at: Date.now() });
    mkdirSync(path.join(run, s, c), { recursive: true });
    continue;
  }
  const inContainer = rand(3) > 0;
  const rel = inContainer ? `${s}/${c}/state.json` : `${s}/state.json`;
  const content = JSON.stringify({ state: `s${i}`, pad: 'x'.repeat(rand(3000)) });
  const file = path.join(run, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'w'); // O_TRUNC: a reader in between sees an empty or partial file
  const bytes = Buffer.from(content);
  const cut = rand(bytes.length);
  writeSync(fd, bytes, 0, cut);
  if (Number(maxPause) > 0 && rand(4) === 0) await pause(rand(Number(maxPause)));
  writeSync(fd, bytes, cut, bytes.length - cut);
  closeSync(fd);
  say({ path: `run/${rel}`, content, at: Date.now() });
  if (Number(maxPause) > 0) await pause(rand(Number(maxPause)));
}
say({ done: true, at: Date.now() });
