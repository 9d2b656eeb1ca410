/**
 * The TypeScript types of the payloads, inferred from their zod schemas so
 * they cannot drift from what the store checks. A fetch returns the output
 * type (every Go field present, zero values filled in, a 64-bit integer past
 * 2^53 as a bigint, any other integer a number); a store accepts the input type (fields may be left out and take
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

/** A struct's declared fields, without the index signature of a zod loose object. */
type DeclaredFields<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };

/**
 * A Go value's type as its schema infers it, less the `[x: string]: unknown`
 * that zod gives a loose object: the store keeps an unknown member it is
 * given, but Go's struct has no such field and drops it, so the type offers
 * none. A map (a record with no declared field) keeps its index signature.
 */
export type GoValue<T> = T extends string | number | bigint | boolean | null | undefined
  ? T
  : T extends ReadonlyArray<infer E>
    ? GoValue<E>[]
    : T extends object
      ? [keyof DeclaredFields<T>] extends [never]
        ? { [K in keyof T]: GoValue<T[K]> }
        : { [K in keyof DeclaredFields<T>]: GoValue<DeclaredFields<T>[K]> }
      : T;
type Out<S extends z.ZodType> = GoValue<z.output<S>>;
type In<S extends z.ZodType> = GoValue<z.input<S>>;

export type SandboxConfig = Out<typeof SandboxConfigSchema>;
export type SandboxConfigInput = In<typeof SandboxConfigSchema>;
export type ContainerConfig = Out<typeof ContainerConfigSchema>;
export type ContainerConfigInput = In<typeof ContainerConfigSchema>;
export type State = Out<typeof StateSchema>;
export type StateInput = In<typeof StateSchema>;
export type Process = Out<typeof ProcessSchema>;
export type ProcessInput = In<typeof ProcessSchema>;
export type Mount = Out<typeof MountSchema>;
export type MountInput = In<typeof MountSchema>;
/** devices.json: `null` or `[{ type: 'BlockDevice', value: { … } }]`, the Go concrete type beside each value */
export type DeviceList = Out<typeof DeviceListSchema>;
export type DeviceListInput = In<typeof DeviceListSchema>;
export type NetworkNamespace = Out<typeof NetworkNamespaceSchema>;
export type NetworkNamespaceInput = In<typeof NetworkNamespaceSchema>;
export type QemuState = Out<typeof QemuStateSchema>;
export type KataAgentState = Out<typeof KataAgentStateSchema>;
export type HyperAgentState = Out<typeof HyperAgentStateSchema>;

/** What a fetch of hypervisor or agent state returns, by the Go type it decodes into. */
export interface FetchedAs {
  QemuState: QemuState;
  KataAgentState: KataAgentState;
  HyperAgentState: HyperAgentState;
}

/** Each payload type's input (what a store takes) and output (what a fetch returns), by its Go type name. */
export interface PayloadTypes {
  SandboxConfig: { input: SandboxConfigInput; output: SandboxConfig };
  ContainerConfig: { input: ContainerConfigInput; output: ContainerConfig };
  State: { input: StateInput; output: State };
  NetworkNamespace: { input: NetworkNamespaceInput; output: NetworkNamespace };
  Process: { input: ProcessInput; output: Process };
  '[]Mount': { input: MountInput[] | null; output: Mount[] | null };
  '[]Device': { input: DeviceListInput; output: DeviceList };
  QemuState: { input: In<typeof QemuStateSchema>; output: QemuState };
  KataAgentState: { input: In<typeof KataAgentStateSchema>; output: KataAgentState };
  HyperAgentState: { input: In<typeof HyperAgentStateSchema>; output: HyperAgentState };
  'interface{}': { input: unknown; output: unknown };
  'map[string]interface{}': { input: Record<string, unknown> | null; output: Record<string, unknown> | null };
  string: { input: string; output: string };
}
export type PayloadInput<T extends keyof PayloadTypes> = PayloadTypes[T]['input'];
export type PayloadOutput<T extends keyof PayloadTypes> = PayloadTypes[T]['output'];
