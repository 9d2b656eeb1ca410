import type { Store } from '../../store/store.ts';

export const SANDBOX = 'demo-sandbox';

const state = (s: string, extra: { fstype?: string } = {}) => ({
  type: 'State' as const,
  value: { state: s, ...extra },
});

/** A sandbox created, configured, started, and one container removed: the calls a runtime makes. */
export async function lifecycle(store: Store, say: (line: string) => void): Promise<void> {
  say(`1. A sandbox lifecycle: ${SANDBOX} with containers web and sidecar is created, configured and started.`);
  await store.createAllResources({ id: SANDBOX, containers: ['web', 'sidecar'] });
  await store.storeSandboxResource(SANDBOX, 'config', {
    type: 'SandboxConfig',
    value: { ID: SANDBOX, Hostname: 'demo', HypervisorType: 'qemu', AgentType: 'kata', Annotations: { team: 'infra' } },
  });
  await store.storeSandboxResource(SANDBOX, 'state', state('ready'));
  for (const c of ['web', 'sidecar']) {
    await store.storeContainerResource(SANDBOX, c, 'config', {
      type: 'ContainerConfig',
      value: { ID: c, RootFs: `/rootfs/${c}` },
    });
    await store.storeContainerResource(SANDBOX, c, 'state', state('ready', { fstype: 'ext4' }));
  }
  await store.storeHypervisorState(SANDBOX, { Bridges: null, HotpluggedVCPUs: null, UUID: '0e3a3c7d-demo' });
  await store.storeAgentState(SANDBOX, { ProxyPid: 4242, URL: 'unix:///run/demo/proxy.sock' });
  await store.storeContainerProcess(SANDBOX, 'web', {
    Token: 'tok-web',
    Pid: 4300,
    StartTime: '2026-11-29T10:00:00.25Z',
  });
  await store.storeSandboxResource(SANDBOX, 'state', state('running'));
  await store.storeContainerResource(SANDBOX, 'web', 'state', state('running', { fstype: 'ext4' }));
  say('   …and the sidecar container is removed.');
  await store.deleteContainerResources(SANDBOX, 'sidecar', null);
}
