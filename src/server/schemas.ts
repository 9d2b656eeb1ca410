import type { FastifySchema } from 'fastify';

/**
 * The JSON schemas of the API: fastify validates requests with them and
 * /v1/openapi.json is generated from them, so the document cannot drift.
 */

const id = (about: string) => ({ type: 'string', description: about });
export const sandboxID = id('the sandbox ID (a safe path component; "" gives the legacy ENEEDSANDBOXID)');
export const containerID = id('the container ID');
/** The legacy sandboxResource: a name (`state`), a Go constant name (`stateFileType`) or its number. */
export const resource = {
  description:
    'config, state, network, hypervisor, agent, process, lock, mounts or devices; the Go constant name or number also works',
  oneOf: [{ type: 'string' }, { type: 'integer' }],
};
export const resources = {
  description: 'the resources to delete; null means config and state, as the legacy nil list did',
  oneOf: [{ type: 'array', items: resource }, { type: 'null' }],
};
/** A value where Go took an `interface{}`: it carries its Go type. */
export const typed = {
  type: 'object',
  description: 'a value with its Go type, e.g. {"type":"State","value":{"state":"running"}}',
  required: ['type', 'value'],
  additionalProperties: false,
  properties: { type: { type: 'string' }, value: {} },
};
export const anyValue = { description: 'the value, as Go json.Marshal would write it' };

export function body(properties: Record<string, object>, required = Object.keys(properties)) {
  return { type: 'object', required, additionalProperties: false, properties };
}

export function query(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', required, additionalProperties: false, properties };
}

const errorBody = {
  type: 'object',
  required: ['code', 'message'],
  properties: { code: { type: 'string' }, message: { type: 'string' } },
};

export const written = {
  type: 'object',
  description: 'the event appended, once durable',
  required: ['seq', 'hash'],
  properties: {
    seq: { type: 'integer', description: "the event's sequence number in its sandbox's journal" },
    hash: { type: 'string', description: "the event's chain hash: the journal head right after it (vcstore head)" },
  },
};

export const ifMatch = {
  type: 'object',
  properties: {
    'if-match': {
      type: 'string',
      pattern: '^"?\\d+"?$',
      description: "write only if the sandbox's last event has this sequence number (409 ECONFLICT otherwise)",
    },
  },
};

/** Error responses every route may give; the table in docs/api.md says which code has which status. */
export const errors = { '4xx': errorBody, '5xx': errorBody };

export const uintText = { type: 'string', pattern: '^\\d{1,15}$' };

/** A route's documentation only (for routes with nothing to validate). */
export const described = (summary: string, tags: string[]): FastifySchema => ({ summary, tags });
