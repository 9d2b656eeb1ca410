import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errRequest } from '../errors.ts';
import { eventHash } from '../journal/record.ts';
import { callMutation } from '../store/legacy-calls.ts';
import { isMutation, legacyMethods, routeOf } from '../store/legacy-methods.ts';
import { storeCore, type Store, type WriteOptions } from '../store/store.ts';
import type { Metrics } from './metrics.ts';
import { argsSchema, BODY_FIELDS, errors, ifMatch, written } from './schemas.ts';

/** `If-Match: 5` or `If-Match: "5"`: the sequence number the sandbox must be at. */
function expectSeqOf(request: FastifyRequest): WriteOptions {
  const header = request.headers['if-match'];
  if (header === undefined) return {};
  const match = typeof header === 'string' ? /^"?(\d{1,15})"?$/.exec(header.trim()) : null;
  if (!match?.[1]) throw errRequest(`If-Match must be a sequence number, not ${JSON.stringify(header)}`);
  return { expectSeq: Number(match[1]) };
}

/**
 * Every mutating method of the legacy resourceStorage, from the method table:
 * the body's fields are the method's arguments, passed in the Go order.
 */
export function storageRoutes(app: FastifyInstance, store: Store, metrics: Metrics): void {
  for (const [method, spec] of legacyMethods()) {
    if (!isMutation(spec)) continue;
    app.post<{ Body: Record<string, unknown> }>(
      routeOf(method, spec).url,
      {
        schema: {
          summary: spec.summary,
          tags: ['storage'],
          body: argsSchema(spec.args, BODY_FIELDS),
          headers: ifMatch,
          response: { 200: written, ...errors },
        },
      },
      async (request) => {
        const options = expectSeqOf(request);
        const started = process.hrtime.bigint();
        const args = spec.args.map((arg) => request.body[arg]);
        const event = await callMutation(storeCore(store), spec, [...args, options]);
        metrics.written(event, Number(process.hrtime.bigint() - started) / 1e9);
        return { seq: event.seq, hash: eventHash(event) };
      },
    );
  }
}
