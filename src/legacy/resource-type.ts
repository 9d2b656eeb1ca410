import type { Resource } from '../layout/resources.ts';
import type { PayloadType } from './payloads.ts';

/** The Go type the legacy fetch of this resource decoded into. */
export function payloadType(resource: Resource, container?: string): PayloadType {
  if (resource === 'config') return container === undefined ? 'SandboxConfig' : 'ContainerConfig';
  const types: Partial<Record<Resource, PayloadType>> = {
    state: 'State',
    network: 'NetworkNamespace',
    process: 'Process',
    mounts: '[]Mount',
    devices: '[]Device',
  };
  return types[resource] ?? 'interface{}';
}
