// A request's value is typed by the store's own schema check, not by the compiler: a wrong one is EPAYLOAD.
import type { DeviceListInput, MountInput, NetworkNamespaceInput, ProcessInput } from '../legacy/payload-types.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errRequest } from '../errors.ts';
import { eventHash, type JournalEvent } from '../journal/record.ts';
import type { Typed } from '../store/checks.ts';
import type { Store, WriteOptions } from '../store/store.ts';
import type { Metrics } from './metrics.ts';
import {
  anyValue,
  body,
  containerID,
  errors,
  ifMatch,
  resource,
  resources,
  sandboxID,
  typed,
  written,
} from './schemas.ts';

/** What a mutation route receives: the union of the bodies below. */
interface Args {
  sandboxID: string;
  containerID: string;
  containerIDs?: string[];
  resource: unknown;
  resources: unknown[] | null;
  data: Typed;
  value: unknown;
}

type Mutation = (store: Store, a: Args, options: WriteOptions) => Promise<JournalEvent>;

const SANDBOX_VALUE = body({ sandboxID, value: anyValue });
const CONTAINER_VALUE = body({ sandboxID, containerID, value: anyValue });

/** Every mutating method of the legacy resourceStorage, with its body and the Store call it makes. */
const MUTATIONS: Record<string, { summary: string; body: object; run: Mutation }> = {
  createAllResources: {
    summary: 'create the folders (and the lock) of a sandbox and its containers',
    body: body({ sandboxID, containerIDs: { type: 'array', items: containerID } }, ['sandboxID']),
    run: (s, a, o) => s.createAllResources({ id: a.sandboxID, containers: a.containerIDs ?? [] }, o),
  },
  storeSandboxResource: {
    summary: 'store a sandbox resource from a typed value (the legacy type switch applies)',
    body: body({ sandboxID, resource, data: typed }),
    run: (s, a, o) => s.storeSandboxResource(a.sandboxID, a.resource, a.data, o),
  },
  storeContainerResource: {
    summary: 'store a container resource from a typed value',
    body: body({ sandboxID, containerID, resource, data: typed }),
    run: (s, a, o) => s.storeContainerResource(a.sandboxID, a.containerID, a.resource, a.data, o),
  },
  storeSandboxNetwork: {
    summary: 'store network.json (a NetworkNamespace whose endpoints are typed values)',
    body: SANDBOX_VALUE,
    run: (s, a, o) => s.storeSandboxNetwork(a.sandboxID, a.value as NetworkNamespaceInput, o),
  },
  storeHypervisorState: {
    summary: 'store hypervisor.json (any value)',
    body: SANDBOX_VALUE,
    run: (s, a, o) => s.storeHypervisorState(a.sandboxID, a.value, o),
  },
  storeAgentState: {
    summary: 'store agent.json (any value)',
    body: SANDBOX_VALUE,
    run: (s, a, o) => s.storeAgentState(a.sandboxID, a.value, o),
  },
  storeContainerProcess: {
    summary: "store a container's process.json (a Process)",
    body: CONTAINER_VALUE,
    run: (s, a, o) => s.storeContainerProcess(a.sandboxID, a.containerID, a.value as ProcessInput, o),
  },
  storeContainerMounts: {
    summary: "store a container's mounts.json (a []Mount)",
    body: CONTAINER_VALUE,
    run: (s, a, o) => s.storeContainerMounts(a.sandboxID, a.containerID, a.value as MountInput[] | null, o),
  },
  storeContainerDevices: {
    summary: "store a container's devices.json (a []Device whose items are typed values)",
    body: CONTAINER_VALUE,
    run: (s, a, o) => s.storeContainerDevices(a.sandboxID, a.containerID, a.value as DeviceListInput, o),
  },
  deleteSandboxResources: {
    summary: "remove a sandbox's folders for these resources",
    body: body({ sandboxID, resources }),
    run: (s, a, o) => s.deleteSandboxResources(a.sandboxID, a.resources, o),
  },
  deleteContainerResources: {
    summary: "remove a container's folders for these resources",
    body: body({ sandboxID, containerID, resources }),
    run: (s, a, o) => s.deleteContainerResources(a.sandboxID, a.containerID, a.resources, o),
  },
};

/** `If-Match: 5` or `If-Match: "5"`: the sequence number the sandbox must be at. */
function expectSeqOf(request: FastifyRequest): WriteOptions {
  const header = request.headers['if-match'];
  if (header === undefined) return {};
  const match = typeof header === 'string' ? /^"?(\d{1,15})"?$/.exec(header.trim()) : null;
  if (!match?.[1]) throw errRequest(`If-Match must be a sequence number, not ${JSON.stringify(header)}`);
  return { expectSeq: Number(match[1]) };
}

export function storageRoutes(app: FastifyInstance, store: Store, metrics: Metrics): void {
  for (const [method, { summary, body: bodySchema, run }] of Object.entries(MUTATIONS)) {
    app.post<{ Body: Args }>(
      `/v1/${method}`,
      {
        schema: {
          summary,
          tags: ['storage'],
          body: bodySchema,
          headers: ifMatch,
          response: { 200: written, ...errors },
        },
      },
      async (request) => {
        const options = expectSeqOf(request);
        const started = process.hrtime.bigint();
        const event = await run(store, request.body, options);
        metrics.written(event, Number(process.hrtime.bigint() - started) / 1e9);
        return { seq: event.seq, hash: eventHash(event) };
      },
    );
  }
}
