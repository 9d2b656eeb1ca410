/**
 * A flood of legacy writes, as a runtime starting many sandboxes at once
 * writes them: per sandbox, four sandbox files and four containers of four
 * files each (20 files), truncate-and-write, no fsync. Prints one line,
 * {"files":N}, when every file is written.
 * Usage: flood-writer.ts <root> <files>
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const [root, files] = process.argv.slice(2);
const run = path.join(root!, 'run/virtcontainers/sandboxes');
const SANDBOX_FILES = ['state.json', 'network.json', 'hypervisor.json', 'agent.json'];
const CONTAINER_FILES = ['state.json', 'process.json', 'mounts.json', 'devices.json'];
let written = 0;
for (let s = 0; written < Number(files); s++) {
  const dir = path.join(run, `flood${s}`);
  const paths = [
    ...SANDBOX_FILES.map((f) => path.join(dir, f)),
    ...[0, 1, 2, 3].flatMap((c) => CONTAINER_FILES.map((f) => path.join(dir, `c${c}`, f))),
  ];
  for (const file of paths) {
    if (written >= Number(files)) break;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ state: 'ready', n: written }));
    written++;
  }
}
process.stdout.write(`${JSON.stringify({ files: written })}\n`);
