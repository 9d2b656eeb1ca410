/**
 * The legacy resourceStorage methods, once. `Store`'s methods, the daemon's
 * routes and their OpenAPI document, and the CLI's `apply` ops are all built
 * from this table, so a method cannot be added, renamed or reordered in one
 * of them alone.
 */
import type { Resource, Scope } from '../layout/resources.ts';
import type { PayloadType } from '../legacy/payloads.ts';

/**
 * A method's arguments, by name. The names are the route's body or query
 * fields and the ops file's keys; their order in a method's `args` is the Go
 * argument order, which is the order `Store`'s method takes them in.
 */
export type Arg = 'sandboxID' | 'containerID' | 'containerIDs' | 'resource' | 'resources' | 'data' | 'value' | 'target';

/**
 * What a method does:
 * - `create`: makes the folders (createAllResources);
 * - `store`: writes `resource` from a value of Go type `payload`;
 * - `storeTyped`: writes the resource named by its argument from a value that carries its Go type (the
 *   legacy `interface{}` and its type switch);
 * - `delete`: removes the folders of the resources named;
 * - `fetch`: reads `resource` as Go type `payload`, or as the `target` argument names for `interface{}`;
 * - `uri`: says where a resource lives.
 */
export type MethodSpec = { scope: Scope; summary: string } & (
  | { kind: 'create'; args: readonly ['sandboxID', 'containerIDs'] }
  | { kind: 'store'; resource: Resource; payload: PayloadType; args: readonly Arg[] }
  | { kind: 'storeTyped'; args: readonly Arg[] }
  | { kind: 'delete'; args: readonly Arg[] }
  | { kind: 'fetch'; resource: Resource; payload: PayloadType | 'target'; args: readonly Arg[] }
  | { kind: 'uri'; args: readonly Arg[] }
);

export type MutationSpec = Extract<MethodSpec, { kind: 'create' | 'store' | 'storeTyped' | 'delete' }>;
export type FetchSpec = Extract<MethodSpec, { kind: 'fetch' }>;
export type UriSpec = Extract<MethodSpec, { kind: 'uri' }>;

const SANDBOX = ['sandboxID'] as const;
const CONTAINER = ['sandboxID', 'containerID'] as const;

export const LEGACY_METHODS = {
  createAllResources: {
    kind: 'create',
    scope: 'sandbox',
    args: ['sandboxID', 'containerIDs'],
    summary: 'create the folders (and the lock) of a sandbox and its containers',
  },
  storeSandboxResource: {
    kind: 'storeTyped',
    scope: 'sandbox',
    args: [...SANDBOX, 'resource', 'data'],
    summary: 'store a sandbox resource from a typed value (the legacy type switch applies)',
  },
  storeContainerResource: {
    kind: 'storeTyped',
    scope: 'container',
    args: [...CONTAINER, 'resource', 'data'],
    summary: 'store a container resource from a typed value',
  },
  storeSandboxNetwork: {
    kind: 'store',
    scope: 'sandbox',
    resource: 'network',
    payload: 'NetworkNamespace',
    args: [...SANDBOX, 'value'],
    summary: 'store network.json (a NetworkNamespace whose endpoints are typed values)',
  },
  storeHypervisorState: {
    kind: 'store',
    scope: 'sandbox',
    resource: 'hypervisor',
    payload: 'interface{}',
    args: [...SANDBOX, 'value'],
    summary: 'store hypervisor.json (any value)',
  },
  storeAgentState: {
    kind: 'store',
    scope: 'sandbox',
    resource: 'agent',
    payload: 'interface{}',
    args: [...SANDBOX, 'value'],
    summary: 'store agent.json (any value)',
  },
  storeContainerProcess: {
    kind: 'store',
    scope: 'container',
    resource: 'process',
    payload: 'Process',
    args: [...CONTAINER, 'value'],
    summary: "store a container's process.json (a Process)",
  },
  storeContainerMounts: {
    kind: 'store',
    scope: 'container',
    resource: 'mounts',
    payload: '[]Mount',
    args: [...CONTAINER, 'value'],
    summary: "store a container's mounts.json (a []Mount)",
  },
  storeContainerDevices: {
    kind: 'store',
    scope: 'container',
    resource: 'devices',
    payload: '[]Device',
    args: [...CONTAINER, 'value'],
    summary: "store a container's devices.json (a []Device whose items are typed values)",
  },
  deleteSandboxResources: {
    kind: 'delete',
    scope: 'sandbox',
    args: [...SANDBOX, 'resources'],
    summary: "remove a sandbox's folders for these resources",
  },
  deleteContainerResources: {
    kind: 'delete',
    scope: 'container',
    args: [...CONTAINER, 'resources'],
    summary: "remove a container's folders for these resources",
  },
  fetchSandboxConfig: fetch('sandbox', 'config', 'SandboxConfig'),
  fetchSandboxState: fetch('sandbox', 'state', 'State'),
  fetchSandboxNetwork: fetch('sandbox', 'network', 'NetworkNamespace'),
  fetchHypervisorState: fetch('sandbox', 'hypervisor', 'target'),
  fetchAgentState: fetch('sandbox', 'agent', 'target'),
  fetchContainerConfig: fetch('container', 'config', 'ContainerConfig'),
  fetchContainerState: fetch('container', 'state', 'State'),
  fetchContainerProcess: fetch('container', 'process', 'Process'),
  fetchContainerMounts: fetch('container', 'mounts', '[]Mount'),
  fetchContainerDevices: fetch('container', 'devices', '[]Device'),
  sandboxURI: { kind: 'uri', scope: 'sandbox', args: [...SANDBOX, 'resource'], summary: 'where a resource file lives' },
  containerURI: {
    kind: 'uri',
    scope: 'container',
    args: [...CONTAINER, 'resource'],
    summary: 'where a resource file lives',
  },
} as const satisfies Record<string, MethodSpec>;

/** A fetch: the IDs of its scope, and the target for a resource Go decoded into an `interface{}`. */
function fetch<S extends Scope, R extends Resource, P extends PayloadType | 'target'>(
  scope: S,
  resource: R,
  payload: P,
) {
  const ids = scope === 'sandbox' ? SANDBOX : CONTAINER;
  const args: readonly Arg[] = payload === 'target' ? [...ids, 'target'] : ids;
  return {
    kind: 'fetch',
    scope,
    resource,
    payload,
    args,
    summary: `the ${resource} file's bytes`,
  } as const;
}

export type LegacyMethodTable = typeof LEGACY_METHODS;
export type LegacyMethodName = keyof LegacyMethodTable;
type NamesOf<K extends MethodSpec['kind']> = {
  [M in LegacyMethodName]: LegacyMethodTable[M]['kind'] extends K ? M : never;
}[LegacyMethodName];
/** The methods that append an event. */
export type MutationName = NamesOf<'create' | 'store' | 'storeTyped' | 'delete'>;
export type FetchName = NamesOf<'fetch'>;
export type UriName = NamesOf<'uri'>;

/** Every method with its spec, widened for code that walks the table. */
export const legacyMethods = (): Array<[LegacyMethodName, MethodSpec]> =>
  Object.entries(LEGACY_METHODS) as Array<[LegacyMethodName, MethodSpec]>;

export const isMutation = (spec: MethodSpec): spec is MutationSpec =>
  spec.kind === 'create' || spec.kind === 'store' || spec.kind === 'storeTyped' || spec.kind === 'delete';

/** The route of a method: mutations are POST with a JSON body, fetches and URIs GET with a query string. */
export const routeOf = (name: LegacyMethodName, spec: MethodSpec) =>
  ({ method: isMutation(spec) ? 'POST' : 'GET', url: `/v1/${name}` }) as const;

/** An ops file line names its method as the legacy fixtures do: by the Go method's name. */
export const isLegacyMethod = (name: string): name is LegacyMethodName => Object.hasOwn(LEGACY_METHODS, name);
