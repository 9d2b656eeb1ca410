import { access } from 'node:fs/promises';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errRequest } from '../errors.ts';
import { checkId } from '../layout/ids.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import { uiBundle } from '../report/bundle.ts';
import { pageHtml } from '../report/html.ts';
import { localReport } from '../report/make.ts';
import { packReport } from '../report/wire.ts';
import { noJournal } from './ndjson.ts';
import { errors, query, uintText } from './schemas.ts';

/**
 * A browser reaches the daemon only through `--listen` (loopback): a page of
 * another site that rebinds its name to 127.0.0.1 still sends its own name as
 * the Host, and is turned away, so it cannot read the history.
 */
function assertLoopbackHost(request: FastifyRequest): void {
  const host = (request.headers.host ?? 'localhost').toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  if (name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name)) return;
  throw errRequest(`the history view answers only to a loopback Host (localhost, 127.0.0.1, [::1]), not ${host}`);
}

/**
 * The report's view, live, at /ui/: read-only, like the history routes it
 * follows. The page is the report's page without data; it lists the
 * sandboxes, draws one from /ui/data/<sandbox>, and reads the event stream to
 * know when to ask for what followed.
 */
export function uiRoutes(app: FastifyInstance, { roots }: { roots: Roots }): void {
  const tags = ['history'];
  app.get('/ui', { schema: { summary: 'the history view (redirects to /ui/)', tags } }, async (request, reply) => {
    assertLoopbackHost(request);
    return reply.redirect('/ui/');
  });
  app.get('/ui/', { schema: { summary: 'the history view: HTML, live', tags } }, async (request, reply) => {
    assertLoopbackHost(request);
    const html = pageHtml({ mode: 'live' }, await uiBundle(), { title: 'vcstore', connect: 'self' });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
  app.get<{ Params: { sandbox: string }; Querystring: { after?: string } }>(
    '/ui/data/:sandbox',
    {
      schema: {
        summary: "a sandbox's report data (the events after `after`, and what they refer to), for the view",
        tags,
        params: { type: 'object', required: ['sandbox'], properties: { sandbox: { type: 'string' } } },
        querystring: query({ after: uintText }),
        response: errors,
      },
    },
    async (request, reply) => {
      assertLoopbackHost(request);
      const { sandbox } = request.params;
      checkId('sandbox', sandbox);
      const file = journalFile(roots, sandbox);
      await access(file).catch(() => {
        throw noJournal(sandbox, file);
      });
      const after = Number(request.query.after ?? 0);
      const data = await localReport(roots, sandbox, { from: 'vcstore serve', after });
      return reply
        .type('application/json')
        .header('cache-control', 'no-store')
        .send(JSON.stringify(packReport(data)));
    },
  );
}
