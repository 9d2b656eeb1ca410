import { after, before } from 'node:test';
import type { JournalEvent } from '../../src/journal/record.ts';
import { rootsUnder, type Roots } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { applyInEarlierBoot } from './cli.ts';
import { events } from './store.ts';
import { makeTempDir } from './temp.ts';

const state = (s: string) => ({ state: s, blockIndex: 0, fstype: '', hotpluggedDrive: false });

/** Written by a writer in an earlier boot (a child process reading another boot id). */
const BEFORE_REBOOT = [
  { method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: ['c1', 'c2'] } },
  {
    method: 'storeSandboxResource',
    sandboxID: 'sb',
    resource: 'configFileType',
    goType: 'virtcontainers.SandboxConfig',
    data: { ID: 'sb', Annotations: { team: 'a' } },
  },
  {
    method: 'storeSandboxResource',
    sandboxID: 'sb',
    resource: 'stateFileType',
    goType: 'virtcontainers.State',
    data: state('ready'),
  },
  {
    method: 'storeContainerResource',
    sandboxID: 'sb',
    containerID: 'c1',
    resource: 'configFileType',
    goType: 'virtcontainers.ContainerConfig',
    data: { ID: 'c1' },
  },
  {
    method: 'storeContainerResource',
    sandboxID: 'sb',
    containerID: 'c1',
    resource: 'stateFileType',
    goType: 'virtcontainers.State',
    data: state('ready'),
  },
  {
    method: 'storeContainerProcess',
    sandboxID: 'sb',
    containerID: 'c2',
    goType: 'virtcontainers.Process',
    data: { Token: 't2', Pid: 7, StartTime: '2026-11-29T10:00:00Z' },
  },
  { method: 'createAllResources', sandboxID: 'gone', data: { sandboxID: 'gone', containerIDs: [] } },
  {
    method: 'storeSandboxResource',
    sandboxID: 'gone',
    resource: 'stateFileType',
    goType: 'virtcontainers.State',
    data: state('ready'),
  },
  { method: 'deleteSandboxResources', sandboxID: 'gone', resources: null },
];

export interface AuditScenario {
  root: string;
  roots: Roots;
  /** the events of `sb` and `gone`, read back */
  sb: JournalEvent[];
  gone: JournalEvent[];
  done: () => Promise<void>;
}

/**
 * Two sandboxes with a known history. `sb`: 1 create (c1, c2), 2 config
 * (team a), 3 state ready, 4 c1 config, 5 c1 state ready, 6 c2 process — all
 * in an earlier boot — then 7 reboot, 8 create again, 9 state running,
 * 10 config (team b, env prod), 11 delete c2 (config, state), 12 c1 state
 * running. `gone`: create, state, delete (config, state): deleted.
 */
export async function auditScenario(): Promise<AuditScenario> {
  const { dir: root, remove } = await makeTempDir('audit');
  const roots = rootsUnder(root);
  await applyInEarlierBoot(root, BEFORE_REBOOT);
  const store = new Store({ roots });
  try {
    await store.createAllResources({ id: 'sb', containers: ['c1', 'c2'] }); // the reboot (7) is recorded first
    await store.storeSandboxResource('sb', 'state', { type: 'State', value: state('running') });
    await store.storeSandboxResource('sb', 'config', {
      type: 'SandboxConfig',
      value: { ID: 'sb', Annotations: { team: 'b', env: 'prod' } },
    });
    await store.deleteContainerResources('sb', 'c2', null);
    await store.storeContainerResource('sb', 'c1', 'state', { type: 'State', value: state('running') });
  } finally {
    await store.close();
  }
  return { root, roots, sb: await events(roots, 'sb'), gone: await events(roots, 'gone'), done: remove };
}

/**
 * The scenario for every test of the calling file: made once before the
 * first, removed after the last. Its fields are there from the first test on.
 */
export function sharedAuditScenario(): AuditScenario {
  const shared: Partial<AuditScenario> = {};
  before(async () => {
    Object.assign(shared, await auditScenario());
  });
  after(() => shared.done?.());
  // Complete once `before` has run, which node:test guarantees before any test of the file.
  return shared as AuditScenario;
}
