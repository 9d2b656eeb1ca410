import type { FastifyInstance } from 'fastify';
import { errRequest } from '../errors.ts';
import { parseJson } from '../legacy/json-parse.ts';

/**
 * Request bodies are parsed without losing a digit: the Go client sends
 * int64 and uint64 values past 2^53 that JSON.parse would round, and the
 * legacy files must keep them exactly.
 */
export function losslessJsonBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(String(body)));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      done(errRequest(`request body is not valid JSON: ${why}`, err), undefined);
    }
  });
}
