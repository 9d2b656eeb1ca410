import { mkdir, open, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Workload } from '../measure.ts';
import { statePayload } from '../workload.ts';

/**
 * The original's write path, reproduced: Go's os.Create truncates the file in
 * place, one Write, Close, no fsync. Fast, and exactly what left empty or
 * torn state.json files after a crash.
 */
export function legacyWrite(name: string, dir: string): Workload {
  const file = path.join(dir, 'legacy-run', 'state.json');
  let i = 0;
  return {
    name,
    async setup() {
      await mkdir(path.dirname(file), { recursive: true, mode: 0o750 });
    },
    async run(n) {
      for (let k = 0; k < n; k++) {
        const fh = await open(file, 'w', 0o666); // O_WRONLY|O_CREAT|O_TRUNC, as os.Create
        try {
          await fh.write(statePayload(i++));
        } finally {
          await fh.close();
        }
      }
    },
  };
}

/** The original's fetch: read the whole file, then json.Unmarshal, here JSON.parse. */
export async function legacyFetch(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8'));
}

/**
 * What the original did to learn a sandbox's state: no history to read, only
 * its files. Reads and parses every file under the sandbox's two folders.
 */
export async function readLegacyTree(folders: string[]): Promise<number> {
  let files = 0;
  for (const folder of folders) files += await readFolder(folder);
  return files;
}

async function readFolder(folder: string): Promise<number> {
  let files = 0;
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files += await readFolder(full);
    else if (entry.isFile()) {
      const text = await readFile(full, 'utf8');
      if (text !== '') JSON.parse(text); // the lock file is empty
      files++;
    }
  }
  return files;
}
