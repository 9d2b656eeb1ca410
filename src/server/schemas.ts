import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import type { Arg } from '../store/legacy-methods.ts';

/**
 * The JSON schemas of the API, made from zod schemas with `z.toJSONSchema`:
 * fastify validates requests with them and /v1/openapi.json is generated
 * from them, so the document cannot drift. A payload (`value`, `data.value`)
 * is checked by the store against its own zod schema, and refused with
 * EPAYLOAD in the store's words, so the route only says it is there.
 */

/** The JSON schema of a zod schema, as fastify's ajv (draft 7) and OpenAPI 3.0 both read it. */
export function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _draft, ...json } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'input',
    override: ({ jsonSchema: node }) => {
      // z.int() bounds itself to safe integers; the API's integers are range-checked where they are used.
      if (node.type === 'integer' && node.minimum === Number.MIN_SAFE_INTEGER) delete node.minimum;
      if (node.type === 'integer' && node.maximum === Number.MAX_SAFE_INTEGER) delete node.maximum;
    },
  });
  return json;
}

const id = (about: string) => z.string().describe(about);
const sandboxID = id('the sandbox ID (a safe path component; "" gives the legacy ENEEDSANDBOXID)');
const containerID = id('the container ID');
/** The legacy sandboxResource: a name (`state`), a Go constant name (`stateFileType`) or its number. */
const resource = z
  .xor([z.string(), z.int()])
  .describe(
    'config, state, network, hypervisor, agent, process, lock, mounts or devices; the Go constant name or number also works',
  );

type Fields = Partial<Record<Arg, z.ZodType>>;

/** Each argument of a legacy method as a request body field (no mutation takes a fetch target). */
export const BODY_FIELDS: Fields = {
  sandboxID,
  containerID,
  containerIDs: z.array(containerID).optional(),
  resource,
  resources: z
    .xor([z.array(resource), z.null()])
    .describe('the resources to delete; null means config and state, as the legacy nil list did'),
  /** A value where Go took an `interface{}`: it carries its Go type. */
  data: z
    .strictObject({ type: z.string(), value: z.unknown() })
    .describe('a value with its Go type, e.g. {"type":"State","value":{"state":"running"}}'),
  value: z.unknown().describe('the value, as Go json.Marshal would write it'),
};

/** Each argument of a legacy method as a query string field. */
export const QUERY_FIELDS: Fields = {
  ...BODY_FIELDS,
  resource: z.string(),
  target: z
    .string()
    .describe(
      'the Go type to check the file against: interface{} (default), QemuState, KataAgentState, HyperAgentState…',
    )
    .optional(),
};

/** The body or query string of a method: its arguments, and no other field. */
export function argsSchema(args: readonly Arg[], fields: Fields): Record<string, unknown> {
  return jsonSchema(z.strictObject(Object.fromEntries(args.map((arg) => [arg, fields[arg] ?? z.never()]))));
}

export function query(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', required, additionalProperties: false, properties };
}

const errorBody = jsonSchema(z.object({ code: z.string(), message: z.string() }));

export const written = jsonSchema(
  z
    .object({
      seq: z.int().describe("the event's sequence number in its sandbox's journal"),
      hash: z.string().describe("the event's chain hash: the journal head right after it (vcstore head)"),
    })
    .describe('the event appended, once durable'),
);

export const location = jsonSchema(z.object({ path: z.string().optional(), dir: z.string().optional() }));

export const exactBytes = jsonSchema(z.unknown().describe("the legacy file's exact bytes (Go json.Marshal output)"));

export const ifMatch = jsonSchema(
  z.object({
    'if-match': z
      .string()
      .regex(/^"?\d+"?$/)
      .describe("write only if the sandbox's last event has this sequence number (409 ECONFLICT otherwise)")
      .optional(),
  }),
);

/** Error responses every route may give; the table in docs/api.md says which code has which status. */
export const errors = { '4xx': errorBody, '5xx': errorBody };

export const uintText = { type: 'string', pattern: '^\\d{1,15}$' };

/** A route's documentation only (for routes with nothing to validate). */
export const described = (summary: string, tags: string[]): FastifySchema => ({ summary, tags });
