import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { goEnv, runGo, skipWithoutGo } from '../helpers/go.ts';
import { startServe } from '../helpers/serve.ts';
import { tempDir } from '../helpers/temp.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '../..');

test(
  'go runtime - a program outside the repo builds against the module and drives a live daemon through the adapter',
  { timeout: 10 * 60_000 },
  async (t) => {
    if (skipWithoutGo(t)) return;
    const tmp = await tempDir(t, 'go-runtime');
    // The runtime as its own module: the adapter copied into its virtcontainers package, the client by `replace`.
    const program = path.join(tmp, 'runtime');
    await cp(path.join(HERE, 'runtime'), program, { recursive: true });
    for (const file of ['vcstore_storage.go', 'legacy.go'])
      await cp(path.join(REPO, 'src/go/adapter', file), path.join(program, 'virtcontainers', file));
    await writeFile(
      path.join(program, 'go.mod'),
      [
        'module example.com/runtime',
        '',
        'go 1.19',
        '',
        'require github.com/vcstore/vcstore/src/go v0.0.0',
        '',
        `replace github.com/vcstore/vcstore/src/go => ${path.join(REPO, 'src/go')}`,
        '',
      ].join('\n'),
    );
    const built = await runGo(['build', '-o', 'runtime', '.'], program, goEnv(tmp));
    assert.equal(built.code, 0, built.output);

    const root = path.join(tmp, 'root');
    await mkdir(root);
    const serve = await startServe(root);
    t.after(() => serve.stop());
    const { stdout } = await promisify(execFile)(path.join(program, 'runtime'), [serve.socket]);
    const steps = stdout.split('\n').filter((l) => l.startsWith('ok '));
    assert.equal(steps.length, 20, stdout);
    assert.match(stdout, /^ok exported API: head 9 then 10 events, a stale If-Match refused$/m);
    const run = path.join(root, 'run/virtcontainers/sandboxes/rt-sb');
    assert.match(stdout, new RegExp(`^process file ${run}/rt-c1/process.json$`, 'm'));
    // The daemon wrote the legacy files as the legacy runtime did.
    assert.equal(
      await readFile(path.join(run, 'state.json'), 'utf8'),
      '{"state":"paused","blockIndex":0,"fstype":"","hotpluggedDrive":false}',
    );
    const config = await readFile(path.join(root, 'var/lib/virtcontainers/sandboxes/rt-sb/config.json'), 'utf8');
    assert.ok(config.startsWith('{"ID":"rt-sb","Hostname":"rt-sb",'), config);
  },
);
