import { errInvalidResource } from '../errors.ts';

/**
 * The legacy resource kinds, in the order of the Go constants
 * (configFileType = 0 … devicesFileType = 8).
 */
export const RESOURCES = [
  'config',
  'state',
  'network',
  'hypervisor',
  'agent',
  'process',
  'lock',
  'mounts',
  'devices',
] as const;

export type Resource = (typeof RESOURCES)[number];

/** Whether a call is about the sandbox or one of its containers (the legacy `sandboxSpecific` flag). */
export type Scope = 'sandbox' | 'container';

const FILE_NAMES: Record<Resource, string> = {
  config: 'config.json',
  state: 'state.json',
  network: 'network.json',
  hypervisor: 'hypervisor.json',
  agent: 'agent.json',
  process: 'process.json',
  lock: 'lock',
  mounts: 'mounts.json',
  devices: 'devices.json',
};

/** Sandbox-only resources never take a container ID (resourceNeedsContainerID). */
const SANDBOX_ONLY = new Set<Resource>(['lock', 'network', 'hypervisor', 'agent']);

/**
 * Accepts what a caller may hold: the short name (`state`), the Go constant
 * name (`stateFileType`) or its number (1). Anything else is not a resource.
 */
export function toResource(value: unknown): Resource | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? RESOURCES[value] : undefined;
  if (typeof value !== 'string') return undefined;
  const name = value.endsWith('FileType') ? value.slice(0, -'FileType'.length) : value;
  return (RESOURCES as readonly string[]).includes(name) ? (name as Resource) : undefined;
}

/** Like toResource, but an unknown value is the legacy "Invalid sandbox resource". */
export function resourceOf(value: unknown): Resource {
  const resource = toResource(value);
  if (resource === undefined) throw errInvalidResource();
  return resource;
}

export const fileName = (resource: Resource): string => FILE_NAMES[resource];

/** config.json lives under the config root; everything else under the run root. */
export const rootOf = (resource: Resource): 'config' | 'run' => (resource === 'config' ? 'config' : 'run');

export function needsContainerID(scope: Scope, resource: Resource): boolean {
  return SANDBOX_ONLY.has(resource) ? false : scope === 'container';
}
