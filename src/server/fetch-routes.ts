import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { errInvalidTarget, osError } from '../errors.ts';
import type { Location } from '../layout/uri.ts';
import { decodePayload, isPayloadType, type PayloadType } from '../legacy/payloads.ts';
import type { Store } from '../store/store.ts';
import { containerID, errors, query, sandboxID } from './schemas.ts';

interface FetchQuery {
  sandboxID: string;
  containerID?: string;
  resource?: string;
  target?: string;
}

/** Each fetch method: where its file is, and the Go type the legacy code decoded it into. */
const FETCHES: Record<string, { container: boolean; resource: string; type?: PayloadType }> = {
  fetchSandboxConfig: { container: false, resource: 'config', type: 'SandboxConfig' },
  fetchSandboxState: { container: false, resource: 'state', type: 'State' },
  fetchSandboxNetwork: { container: false, resource: 'network', type: 'NetworkNamespace' },
  fetchHypervisorState: { container: false, resource: 'hypervisor' },
  fetchAgentState: { container: false, resource: 'agent' },
  fetchContainerConfig: { container: true, resource: 'config', type: 'ContainerConfig' },
  fetchContainerState: { container: true, resource: 'state', type: 'State' },
  fetchContainerProcess: { container: true, resource: 'process', type: 'Process' },
  fetchContainerMounts: { container: true, resource: 'mounts', type: '[]Mount' },
  fetchContainerDevices: { container: true, resource: 'devices', type: '[]Device' },
};

const target = {
  type: 'string',
  description:
    'the Go type to check the file against: interface{} (default), QemuState, KataAgentState, HyperAgentState…',
};
const exactBytes = { description: "the legacy file's exact bytes (Go json.Marshal output)" };

/** A resource in a query string: a number is the Go constant's value. */
const resourceArg = (value: string | undefined): unknown =>
  value !== undefined && /^-?\d+$/.test(value) ? Number(value) : value;

/**
 * The fetches answer with the legacy file's bytes, unchanged, once they
 * decode as the type the legacy fetch decoded into: a client decodes them
 * itself, exactly as the legacy code decoded the file.
 */
export function fetchRoutes(app: FastifyInstance, store: Store): void {
  for (const [method, spec] of Object.entries(FETCHES)) {
    const props: Record<string, object> = spec.container ? { sandboxID, containerID } : { sandboxID };
    const querystring =
      spec.type === undefined ? query({ ...props, target }, ['sandboxID']) : query(props, Object.keys(props));
    app.get<{ Querystring: FetchQuery }>(
      `/v1/${method}`,
      {
        schema: {
          summary: `the ${spec.resource} file's bytes`,
          tags: ['storage'],
          querystring,
          response: { 200: exactBytes, ...errors },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const location = spec.container
          ? store.containerURI(q.sandboxID, q.containerID ?? '', spec.resource)
          : store.sandboxURI(q.sandboxID, spec.resource);
        const bytes = readChecked(location, spec.type ?? q.target ?? 'interface{}');
        return reply.type('application/json; charset=utf-8').send(bytes);
      },
    );
  }
  for (const method of ['sandboxURI', 'containerURI'] as const) {
    const props: Record<string, object> =
      method === 'sandboxURI'
        ? { sandboxID, resource: { type: 'string' } }
        : { sandboxID, containerID, resource: { type: 'string' } };
    const uri = { type: 'object', properties: { path: { type: 'string' }, dir: { type: 'string' } } };
    app.get<{ Querystring: FetchQuery }>(
      `/v1/${method}`,
      {
        schema: {
          summary: 'where a resource file lives',
          tags: ['storage'],
          querystring: query(props, Object.keys(props)),
          response: { 200: uri, ...errors },
        },
      },
      async (request) => {
        const q = request.query;
        const { path, dir } =
          method === 'sandboxURI'
            ? store.sandboxURI(q.sandboxID, resourceArg(q.resource))
            : store.containerURI(q.sandboxID, q.containerID ?? '', resourceArg(q.resource));
        return { path, dir };
      },
    );
  }
}

/** The file's text, refused as the legacy fetch refused it: missing, an impossible target, or bytes that do not decode. */
function readChecked(location: Location, type: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(location.path);
  } catch (err) {
    throw osError('open', location.path, err);
  }
  if (!isPayloadType(type)) throw errInvalidTarget(type);
  decodePayload(type, bytes.toString('utf8'));
  return bytes;
}
