import { access } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { diffPoints } from '../audit/diff.ts';
import { journalHead } from '../audit/head.ts';
import { history } from '../audit/history.ts';
import { listSandboxes } from '../audit/list.ts';
import { resourceAt } from '../audit/show.ts';
import { parseTime } from '../audit/time.ts';
import { errRequest } from '../errors.ts';
import { checkId } from '../layout/ids.ts';
import { toResource } from '../layout/resources.ts';
import { journalFile, type Roots } from '../layout/roots.ts';
import type { ReplayPoint } from '../projector/replay.ts';
import { verify } from '../recovery/verify.ts';
import { formatCursor, parseCursor } from './cursor.ts';
import { allEvents } from './merged-follow.ts';
import { lineOf, noJournal, sendNdjson, type Followers } from './ndjson.ts';
import { described, errors, query, uintText } from './schemas.ts';

export interface HistoryConfig {
  roots: Roots;
  followers: Followers;
  /** how often followed journals are polled, in ms */
  pollMs: number;
}

const sandboxParam = { type: 'object', required: ['sandbox'], properties: { sandbox: { type: 'string' } } };
const follow = {
  type: 'string',
  enum: ['true', 'false', '1', '0', ''],
  description: 'stay open and send events as they are appended',
};
const ndjson = {
  description:
    'NDJSON: one {"cursor","hash","event"} per line; a failure ends the stream with {"error":{code,message}}',
};
const seqOf = (text: string | undefined) => (text === undefined ? undefined : Number(text));
const isOn = (flag: string | undefined) => flag === 'true' || flag === '1' || flag === '';

/** The journal of a sandbox that has one: an unsafe ID is 400, a missing journal 404. */
async function existingJournal(roots: Roots, sandbox: string): Promise<string> {
  checkId('sandbox', sandbox);
  const file = journalFile(roots, sandbox);
  await access(file).catch(() => {
    throw noJournal(sandbox, file);
  });
  return file;
}

function pointOf(q: { at?: string; time?: string }): ReplayPoint {
  if (q.at !== undefined && q.time !== undefined) throw errRequest('give at or time, not both');
  if (q.at !== undefined) return { seq: Number(q.at) };
  return q.time !== undefined ? { time: parseTime(q.time, 'end') } : {};
}

/** The audit queries as routes: read-only, lock-free, exactly what the CLI's commands answer. */
export function historyRoutes(app: FastifyInstance, { roots, followers, pollMs }: HistoryConfig): void {
  const tags = ['history'];
  app.get<{ Params: { sandbox: string }; Querystring: { after?: string; follow?: string } }>(
    '/v1/sandboxes/:sandbox/events',
    {
      schema: {
        summary: "a sandbox's events after a sequence number (NDJSON); follow keeps it open",
        tags,
        params: sandboxParam,
        querystring: query({ after: uintText, follow }),
        response: { 200: ndjson, ...errors },
      },
    },
    async (request, reply) => {
      const { sandbox } = request.params;
      const q = request.query;
      const file = await existingJournal(roots, sandbox);
      const fromSeq = (seqOf(q.after) ?? 0) + 1;
      await sendNdjson(request, reply, followers, async function* (signal) {
        const opts = isOn(q.follow) ? { follow: { signal, intervalMs: pollMs } } : {};
        for await (const event of history(file, { fromSeq }, opts)) yield lineOf(String(event.seq), event);
      });
    },
  );
  app.get<{ Querystring: { after?: string; follow?: string } }>(
    '/v1/events',
    {
      schema: {
        summary: "every sandbox's events after a cursor (NDJSON); follow keeps it open",
        tags,
        querystring: query({ after: { type: 'string' }, follow }),
        response: { 200: ndjson, ...errors },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const cursor = parseCursor(q.after);
      await sendNdjson(request, reply, followers, async function* (signal) {
        for await (const event of allEvents(roots, new Map(cursor), {
          signal,
          follow: isOn(q.follow),
          intervalMs: pollMs,
        })) {
          cursor.set(event.sandbox, event.seq);
          yield lineOf(formatCursor(cursor), event);
        }
      });
    },
  );
  const head = {
    type: 'object',
    properties: {
      sandbox: { type: 'string' },
      seq: { type: 'integer' },
      hash: { type: 'string' },
      time: { type: ['string', 'null'] },
    },
  };
  app.get<{ Params: { sandbox: string } }>(
    '/v1/sandboxes/:sandbox/head',
    {
      schema: {
        summary: "the journal's last sequence number and chain hash",
        tags,
        params: sandboxParam,
        response: { 200: head, ...errors },
      },
    },
    async (request) => {
      const { sandbox } = request.params;
      const h = await journalHead(await existingJournal(roots, sandbox));
      return { sandbox, seq: h.seq, hash: h.hash, time: h.time ?? null };
    },
  );
  app.get<{
    Params: { sandbox: string };
    Querystring: { resource: string; container?: string; at?: string; time?: string };
  }>(
    '/v1/sandboxes/:sandbox/show',
    {
      schema: {
        summary: 'one legacy file as it was after an event (at) or at a time',
        tags,
        params: sandboxParam,
        querystring: query(
          { resource: { type: 'string' }, container: { type: 'string' }, at: uintText, time: { type: 'string' } },
          ['resource'],
        ),
      },
    },
    async (request) => {
      const { sandbox } = request.params;
      const q = request.query;
      const resource = toResource(q.resource);
      if (resource === undefined) throw errRequest(`unknown resource ${JSON.stringify(q.resource)}`);
      if (q.container !== undefined) checkId('container', q.container);
      const file = await existingJournal(roots, sandbox);
      const where = q.container === undefined ? { sandbox, resource } : { sandbox, container: q.container, resource };
      const at = await resourceAt(file, where, pointOf(q));
      return {
        seq: at.seq,
        time: at.time ?? null,
        path: at.path,
        exists: at.content !== undefined,
        content: at.content ?? null,
      };
    },
  );
  app.get<{ Params: { sandbox: string }; Querystring: { from: string; to: string } }>(
    '/v1/sandboxes/:sandbox/diff',
    {
      schema: {
        summary: 'what changed between the points after two events, field by field',
        tags,
        params: sandboxParam,
        querystring: query({ from: uintText, to: uintText }, ['from', 'to']),
      },
    },
    async (request) => {
      const { sandbox } = request.params;
      const q = request.query;
      return diffPoints(await existingJournal(roots, sandbox), Number(q.from), Number(q.to));
    },
  );
  app.get(
    '/v1/sandboxes',
    { schema: described('every sandbox with a journal, and whether its tree is consistent', tags) },
    async () => {
      const all = [];
      for await (const summary of listSandboxes(roots)) all.push(summary);
      return all;
    },
  );
  app.get<{ Querystring: { sandbox?: string } }>(
    '/v1/verify',
    {
      schema: {
        summary: 'check every journal (or one) and compare the tree with its replay',
        tags,
        querystring: query({ sandbox: { type: 'string' } }),
      },
    },
    async (request) => {
      const { sandbox } = request.query;
      if (sandbox !== undefined) checkId('sandbox', sandbox);
      return verify(roots, sandbox);
    },
  );
}
