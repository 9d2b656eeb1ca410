import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { call, startServe } from '../helpers/serve.ts';
import { waitFor } from '../helpers/wait.ts';
import { tempDir } from '../helpers/temp.ts';

test("serve --watch - an outside write to the tree becomes an observe event in the daemon's history", async (t) => {
  const root = await tempDir(t, 'serve-watch');
  const daemon = await startServe(root, ['--watch', '--on-drift', 'adopt']);
  try {
    assert.equal((await call(daemon.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb' })).status, 200);
    // What an unmodified runtime does: truncate and write the file itself.
    await writeFile(
      path.join(rootsUnder(root).run, 'sb', 'state.json'),
      '{"state":"stopped","blockIndex":0,"fstype":"","hotpluggedDrive":false}',
    );
    const events = async () =>
      (await call(daemon.socket, 'GET', '/v1/sandboxes/sb/events')).text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).event);
    await waitFor(async () => (await events()).some((e) => e.op === 'observe'), {
      what: 'the observe event',
      timeout: 20_000,
    });
    const observed = (await events()).find((e) => e.op === 'observe');
    assert.equal(observed.payload, '{"state":"stopped","blockIndex":0,"fstype":"","hotpluggedDrive":false}');
    const fetched = await call(daemon.socket, 'GET', '/v1/fetchSandboxState?sandboxID=sb');
    assert.match(fetched.text, /"stopped"/);
    assert.equal(await daemon.stop(), 0, daemon.stderr());
  } finally {
    await daemon.kill();
  }
});
