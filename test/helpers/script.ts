/**
 * How a test starts one of its TypeScript helper scripts (a crash worker, a
 * lock holder, a legacy writer) as a child process. Each script is bundled
 * with esbuild once per test process, into a folder removed at exit: a start
 * through tsx costs about 0.3 s more CPU than a bundle's, and the crash tests
 * start scripts by the dozen.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';

const built = new Map<string, string>();
let folder: string | undefined;

/** The arguments of `spawn(process.execPath, [...scriptArgv(file), …args])`. */
export function scriptArgv(file: string): string[] {
  let out = built.get(file);
  if (out === undefined) {
    if (folder === undefined) {
      const made = mkdtempSync(path.join(os.tmpdir(), 'vcstore-scripts-'));
      process.on('exit', () => rmSync(made, { recursive: true, force: true }));
      folder = made;
    }
    out = path.join(folder, `${built.size}-${path.basename(file, '.ts')}.mjs`);
    buildSync({
      entryPoints: [file],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      // CommonJS dependencies call require(): an ESM bundle gives them one.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    built.set(file, out);
  }
  return [out];
}
