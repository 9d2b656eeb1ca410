import { fastify, LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { packageVersion } from '../version.ts';
import type { Roots } from '../layout/roots.ts';
import { silentLogger, type Logger } from '../log.ts';
import type { DriftPolicy } from '../store/drift.ts';
import { Store } from '../store/store.ts';
import { fetchRoutes } from './fetch-routes.ts';
import { historyRoutes } from './history-routes.ts';
import { errDaemon } from '../errors.ts';
import {
  asApiError,
  clientErrorHandler,
  errorHandler,
  notFoundHandler,
  requireJsonBodies,
  sendError,
} from './http-errors.ts';
import { losslessJsonBodies } from './json-body.ts';
import { Metrics } from './metrics.ts';
import { collectOperations, openApiDocument } from './openapi.ts';
import { routeMethods } from './route-methods.ts';
import { described } from './schemas.ts';
import { storageRoutes } from './storage-routes.ts';
import { uiRoutes } from './ui-routes.ts';

export interface ServerOptions {
  roots: Roots;
  log?: Logger;
  /** the largest request body accepted, in bytes (413 ETOOLARGE past it; default 1 MiB) */
  bodyLimit?: number;
  /** how often followed journals are polled, in ms (default 100) */
  pollMs?: number;
  /** a shipper runs beside the daemon: /metrics reports its lag */
  shipping?: boolean;
  /** what the store does with an outside write it finds (recorded first either way; default restore) */
  drift?: DriftPolicy;
  /** StoreOptions.lingerMs (default VCSTORE_LINGER_MS, or 2 ms) */
  lingerMs?: number;
}

export interface Server {
  app: FastifyInstance;
  store: Store;
  metrics: Metrics;
  /** ends every open event stream, so that closing the server does not wait for them */
  endStreams(): void;
}

const VERSION = packageVersion();

/** How long the daemon keeps a sandbox's lock for a client's next store (VCSTORE_LINGER_MS; 0 turns it off). */
const lingerMs = () => {
  const ms = Number(process.env.VCSTORE_LINGER_MS ?? 2);
  return Number.isFinite(ms) && ms >= 0 ? ms : 2;
};

/** The daemon's HTTP API over one Store, not yet listening: tests use inject(), `vcstore serve` listens on a socket. */
export async function buildServer(options: ServerOptions): Promise<Server> {
  const log = options.log ?? silentLogger;
  const store = new Store({
    roots: options.roots,
    log,
    lingerMs: options.lingerMs ?? lingerMs(),
    ...(options.drift ? { drift: options.drift } : {}),
  });
  const metrics = new Metrics(options.shipping ? options.roots : undefined);
  const streams = new AbortController();
  // Typed as fastify's logger, so the instance's type is the plain FastifyInstance the routes take.
  const loggerInstance: FastifyBaseLogger = log;
  const app = fastify({
    loggerInstance,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // A client that sends its request slowly is cut off; an open event stream is not.
    requestTimeout: 30_000,
    keepAliveTimeout: 5_000,
    // Closing is answered below, as a JSON error like any other.
    return503OnClosing: false,
    // A line per request would flood journald at info: failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // fastify's own failures get the same { code, message } body as every other error
    frameworkErrors: (err, _request, reply) => void sendError(reply, asApiError(err)),
    clientErrorHandler,
  });
  app.server.headersTimeout = 10_000;
  const operations = collectOperations(app);
  const allowedOn = routeMethods(app);
  losslessJsonBodies(app);
  app.setErrorHandler(errorHandler((code) => metrics.failed(code)));
  app.setNotFoundHandler(notFoundHandler((code) => metrics.failed(code), allowedOn));
  app.addHook(
    'onRequest',
    requireJsonBodies((code) => metrics.failed(code)),
  );
  const followers = {
    signal: streams.signal,
    opened: () => metrics.followerOpened(),
    closed: () => metrics.followerClosed(),
  };

  storageRoutes(app, store, metrics);
  fetchRoutes(app, store);
  historyRoutes(app, { roots: options.roots, followers, pollMs: options.pollMs ?? 100 });
  uiRoutes(app, { roots: options.roots });
  const health = {
    type: 'object',
    properties: {
      status: { type: 'string' },
      version: { type: 'string' },
      pid: { type: 'integer' },
      uptime: { type: 'number' },
      roots: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  app.get(
    '/v1/health',
    { schema: { summary: 'the daemon is up; its version and roots', tags: ['operations'], response: { 200: health } } },
    async () => ({
      status: 'ok',
      version: VERSION,
      pid: process.pid,
      uptime: process.uptime(),
      roots: options.roots,
    }),
  );
  app.get(
    '/metrics',
    { schema: described('Prometheus metrics (text format)', ['operations']) },
    async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.get(
    '/v1/openapi.json',
    { schema: described("this OpenAPI document, made from the routes' own schemas", ['operations']) },
    async () => openApiDocument(operations, VERSION),
  );
  let closing = false;
  app.addHook('onRequest', async (_request, reply) => {
    if (!closing) return;
    metrics.failed('EDAEMON');
    return sendError(reply, errDaemon('the daemon is shutting down: retry on its successor'));
  });
  app.addHook('preClose', async () => {
    closing = true;
    streams.abort();
  });
  app.addHook('onClose', async () => {
    streams.abort();
    await store.close();
  });
  return { app, store, metrics, endStreams: () => streams.abort() };
}
