import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './helpers/temp.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('readme - the library example runs as written and prints what it says', async (t) => {
  const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
  const example = /```ts\n([\s\S]*?)```/.exec(readme)![1];
  const dir = await tempDir(t, 'readme');
  // Inside the package, its own name resolves through package.json "exports"; the vcstore-source
  // condition picks the TypeScript sources, so the test needs no build (test/package proves the build).
  const script = path.join(ROOT, 'test', `.readme-example-${process.pid}.ts`);
  await writeFile(script, example!.replaceAll("'/tmp/vc'", JSON.stringify(dir)));
  try {
    const run = spawnSync(process.execPath, ['--conditions=vcstore-source', '--import', 'tsx', script], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    assert.equal(run.status, 0, run.stderr);
    const printed = /\/\/ (\{.*\})/.exec(example!)![1];
    assert.equal(run.stdout.trim(), printed);
  } finally {
    await rm(script, { force: true });
  }
});
