import type { FastifyInstance } from 'fastify';
import { callFetch, callUri } from '../store/legacy-calls.ts';
import { legacyMethods, routeOf } from '../store/legacy-methods.ts';
import { storeCore, type Store } from '../store/store.ts';
import { argsSchema, errors, exactBytes, location, QUERY_FIELDS } from './schemas.ts';

const resourceArg = (value: unknown): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;

/**
 * The fetches answer with the legacy file's bytes, unchanged, once they
 * decode as the type the legacy fetch decoded into: a client decodes them
 * itself, exactly as the legacy code decoded the file. The URI routes say
 * where a resource lives. Both are built from the method table: the query's
 * fields are the method's arguments.
 */
export function fetchRoutes(app: FastifyInstance, store: Store): void {
  for (const [method, spec] of legacyMethods()) {
    if (spec.kind !== 'fetch' && spec.kind !== 'uri') continue;
    const schema = {
      summary: spec.summary,
      tags: ['storage'],
      querystring: argsSchema(spec.args, QUERY_FIELDS),
      response: { 200: spec.kind === 'fetch' ? exactBytes : location, ...errors },
    };
    app.get<{ Querystring: Record<string, unknown> }>(routeOf(method, spec).url, { schema }, async (request, reply) => {
      // In a query string a resource is text: a number there is the Go constant's value.
      const args = spec.args.map((arg) => (arg === 'resource' ? resourceArg(request.query[arg]) : request.query[arg]));
      if (spec.kind === 'uri') {
        const { path, dir } = callUri(storeCore(store), spec, args);
        return { path, dir };
      }
      const { bytes } = callFetch(storeCore(store), spec, args);
      return reply.type('application/json; charset=utf-8').send(bytes);
    });
  }
}
