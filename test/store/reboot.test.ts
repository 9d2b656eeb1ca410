import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { bootId } from '../../src/journal/boot-id.ts';
import { Store } from '../../src/store/store.ts';
import { events, tempStore } from '../helpers/store.ts';
import { applyInEarlierBoot, applyOps, CLI, EARLIER_BOOT } from '../helpers/cli.ts';
import { exists } from '../helpers/tree.ts';

// Ops both tests start with: sandbox sb with container c, and c's config.
const CREATE = { method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: ['c'] } };
const STORE_CONFIG = {
  method: 'storeContainerResource',
  sandboxID: 'sb',
  containerID: 'c',
  resource: 'configFileType',
  goType: 'virtcontainers.ContainerConfig',
  data: { ID: 'c' },
};

test('store - a sandbox opened under a new boot id records a reboot that clears its run state only', async (t) => {
  const { root, roots, done } = await tempStore(t);
  try {
    // A writer in an earlier boot: simulated by a child process reading another boot id.
    await applyInEarlierBoot(root, [
      CREATE,
      {
        method: 'storeSandboxResource',
        sandboxID: 'sb',
        resource: 'stateFileType',
        goType: 'virtcontainers.State',
        data: { state: 'running' },
      },
      STORE_CONFIG,
    ]);

    const store = new Store({ roots });
    assert.equal(await store.seq('sb'), 4);
    const log = await events(roots, 'sb');
    assert.equal(log[2]!.boot, EARLIER_BOOT);
    assert.deepEqual([log[3]!.op, log[3]!.boot], ['reboot', bootId()]);
    assert.equal(await exists(path.join(roots.run, 'sb')), false, 'run state must not be resurrected');
    assert.equal(await exists(path.join(roots.config, 'sb', 'c', 'config.json')), true, 'config survives');
    await store.close();

    // Opening again in the same boot records nothing more.
    const again = new Store({ roots });
    assert.equal(await again.seq('sb'), 4);
    await again.close();
  } finally {
    await done();
  }
});

test('store - a durable delete its writer never carried out is carried out after a reboot, whatever came after', async (t) => {
  const { root, roots, done } = await tempStore(t);
  try {
    // Killed right after the delete's event is durable, before any folder is removed.
    const child = applyOps(
      root,
      [
        CREATE,
        STORE_CONFIG,
        { method: 'deleteContainerResources', sandboxID: 'sb', containerID: 'c', resources: ['configFileType'] },
      ],
      { env: { VCSTORE_FAILPOINT: 'journal-synced@3' } },
    );
    assert.equal(child.signal, 'SIGKILL', child.stderr);
    assert.equal(
      await exists(path.join(roots.config, 'sb', 'c', 'config.json')),
      true,
      'the delete was not carried out',
    );

    // The host reboots: the next open records a reboot event, which is now the last event.
    const bootFile = path.join(root, 'new-boot-id');
    await writeFile(bootFile, '11111111-1111-1111-1111-111111111111\n');
    const rebooted = spawnSync(process.execPath, [...CLI, 'recover', '--root', root], {
      encoding: 'utf8',
      env: { ...process.env, VCSTORE_BOOT_ID_FILE: bootFile },
    });
    assert.equal(rebooted.status, 0, rebooted.stderr + rebooted.stdout);
    const store = new Store({ roots });
    const recovery = await store.recover('sb');
    assert.deepEqual(
      (await events(roots, 'sb')).map((e) => e.op),
      ['create', 'store', 'delete', 'reboot'],
    );
    assert.equal(await exists(path.join(roots.config, 'sb', 'c')), false, 'the deleted folder is gone');
    assert.deepEqual(recovery.leftovers, []);
    await store.close();
  } finally {
    await done();
  }
});
