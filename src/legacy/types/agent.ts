/** Hypervisor and agent state (hypervisor.json, agent.json), as in types.md. */
import { z } from 'zod';
import { goString, goStruct, goUintKey, int, slice, str } from './primitives.ts';

export const Bridge = goStruct('virtcontainers.Bridge', {
  // map[uint32]string: keys written as decimal strings, sorted as strings
  Address: z.record(goUintKey('uint32'), goString()).nullable().default(null),
  Type: str('virtcontainers.bridgeType'),
  ID: str(),
  Addr: int(),
});

export const CPUDevice = goStruct('virtcontainers.CPUDevice', { ID: str() });

export const QemuState = goStruct('virtcontainers.QemuState', {
  Bridges: slice(Bridge),
  HotpluggedVCPUs: slice(CPUDevice),
  UUID: str(),
});

export const KataAgentState = goStruct('virtcontainers.KataAgentState', { ProxyPid: int(), URL: str() });

export const HyperAgentState = goStruct('virtcontainers.HyperAgentState', { ProxyPid: int(), URL: str() });
