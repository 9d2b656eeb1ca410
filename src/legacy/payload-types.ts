/**
 * The TypeScript types of the payloads, inferred from their zod schemas so
 * they cannot drift from what the store checks. A fetch returns the output
 * type (every Go field present, zero values filled in, integers past 2^53 as
 * bigint); a store accepts the input type (fields may be left out and take
 * their Go zero value, as in a Go struct literal).
 */
import type { z } from 'zod';
import type { DeviceList as DeviceListSchema } from './device-list.ts';
import type { NetworkNamespace as NetworkNamespaceSchema } from './network-namespace.ts';
import type {
  HyperAgentState as HyperAgentStateSchema,
  KataAgentState as KataAgentStateSchema,
  QemuState as QemuStateSchema,
} from './types/agent.ts';
import type { SandboxConfig as SandboxConfigSchema } from './types/config.ts';
import type { ContainerConfig as ContainerConfigSchema } from './types/container.ts';
import type { Mount as MountSchema } from './types/mount.ts';
import type { Process as ProcessSchema, State as StateSchema } from './types/state.ts';

export type SandboxConfig = z.output<typeof SandboxConfigSchema>;
export type SandboxConfigInput = z.input<typeof SandboxConfigSchema>;
export type ContainerConfig = z.output<typeof ContainerConfigSchema>;
export type ContainerConfigInput = z.input<typeof ContainerConfigSchema>;
export type State = z.output<typeof StateSchema>;
export type StateInput = z.input<typeof StateSchema>;
export type Process = z.output<typeof ProcessSchema>;
export type ProcessInput = z.input<typeof ProcessSchema>;
export type Mount = z.output<typeof MountSchema>;
export type MountInput = z.input<typeof MountSchema>;
/** devices.json: `null` or `[{ type: 'BlockDevice', value: { … } }]`, the Go concrete type beside each value */
export type DeviceList = z.output<typeof DeviceListSchema>;
export type DeviceListInput = z.input<typeof DeviceListSchema>;
export type NetworkNamespace = z.output<typeof NetworkNamespaceSchema>;
export type NetworkNamespaceInput = z.input<typeof NetworkNamespaceSchema>;
export type QemuState = z.output<typeof QemuStateSchema>;
export type KataAgentState = z.output<typeof KataAgentStateSchema>;
export type HyperAgentState = z.output<typeof HyperAgentStateSchema>;

/** What a fetch of hypervisor or agent state returns, by the Go type it decodes into. */
export interface FetchedAs {
  QemuState: QemuState;
  KataAgentState: KataAgentState;
  HyperAgentState: HyperAgentState;
}
