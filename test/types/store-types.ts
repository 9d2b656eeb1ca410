/**
 * Checked by `tsc --noEmit -p .` (never run): the legacy methods are typed
 * for consumers. Each `@ts-expect-error` line must fail to compile; if a
 * change made it compile, tsc fails on the unused directive.
 */
import type { z } from 'zod';
import type { JournalEvent, Location, State, Store } from '../../src/index.ts';
import type { GoValue } from '../../src/legacy/payload-types.ts';
import type { DeviceInfo } from '../../src/legacy/types/devices.ts';

// A uint32 is always a number; an int64 may be a bigint past 2^53.
type Info = GoValue<z.output<typeof DeviceInfo>>;
export const fileMode = (info: Info): number => info.FileMode;
// @ts-expect-error -- an int64 past 2^53 is a bigint
export const major = (info: Info): number => info.Major;

export async function storeTypes(store: Store): Promise<void> {
  // The payload follows the resource.
  const event: JournalEvent = await store.storeSandboxResource('sb', 'state', {
    type: 'State',
    value: { state: 'running', blockIndex: 3 },
  });
  await store.storeContainerResource('sb', 'c', 'config', { type: 'ContainerConfig', value: { ID: 'c' } });
  await store.storeSandboxResource('sb', 'config', { type: 'SandboxConfig', value: { ID: 'sb' } });
  // @ts-expect-error -- not a resource name
  await store.storeSandboxResource('sb', 'stat', { type: 'State', value: {} });
  // @ts-expect-error -- a Go constant's number is for JSON callers, not typed ones
  await store.storeSandboxResource('sb', 1, { type: 'State', value: {} });
  // @ts-expect-error -- a State does not go into config
  await store.storeSandboxResource('sb', 'config', { type: 'State', value: {} });
  // @ts-expect-error -- hypervisor state has its own method
  await store.storeSandboxResource('sb', 'hypervisor', { type: 'State', value: {} });
  // @ts-expect-error -- a field State does not have
  await store.storeSandboxResource('sb', 'state', { type: 'State', value: { stat: 'running' } });
  // @ts-expect-error -- blockIndex is an int
  await store.storeSandboxResource('sb', 'state', { type: 'State', value: { blockIndex: '3' } });
  // @ts-expect-error -- a type that is not the resource's
  await store.storeContainerResource('sb', 'c', 'process', { type: 'State', value: {} });
  // The fixed-resource stores take their value's input type.
  await store.storeContainerProcess('sb', 'c', { Pid: 7, Token: 't' });
  // @ts-expect-error -- Pid is an int
  await store.storeContainerProcess('sb', 'c', { Pid: 'seven' });
  // @ts-expect-error -- a container method takes the container's ID
  await store.storeContainerProcess('sb', { Pid: 7 });
  await store.deleteSandboxResources('sb', ['config', 'state']);
  await store.deleteSandboxResources('sb', null);
  // @ts-expect-error -- not a resource name
  await store.deleteContainerResources('sb', 'c', ['stat']);

  // A fetch returns the output type: every field, no index signature.
  const state: State = await store.fetchSandboxState('sb');
  const running: string = state.state;
  const blockIndex: number | bigint = state.blockIndex;
  // @ts-expect-error -- State has no such field
  void state.stat;
  const qemu = await store.fetchHypervisorState('sb', 'QemuState');
  const uuid: string = qemu.UUID;
  const anyState: unknown = await store.fetchAgentState('sb');
  const where: Location = store.containerURI('sb', 'c', 'state');
  // @ts-expect-error -- not a resource name
  store.sandboxURI('sb', 'nope');
  void [event, running, blockIndex, uuid, anyState, where];
}
