import type { FastifyInstance, RouteOptions } from 'fastify';

// The OpenAPI fields every route's schema carries (fastify passes them through untouched).
declare module 'fastify' {
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
  }
}

interface Operation {
  method: string;
  url: string;
  schema: Record<string, unknown>;
}

/**
 * Collects every route's schema as it is registered, so the OpenAPI document
 * is made from the very schemas that validate requests. Call before any
 * route is added.
 */
export function collectOperations(app: FastifyInstance): Operation[] {
  const operations: Operation[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      operations.push({
        method: method.toLowerCase(),
        url: route.url,
        schema: (route.schema ?? {}) as Record<string, unknown>,
      });
    }
  });
  return operations;
}

/** An OpenAPI 3.0 document for the collected routes. */
export function openApiDocument(operations: Operation[], version: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const { method, url, schema } of operations) {
    const path = url.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters = [
      ...fields(schema.params, 'path'),
      ...fields(schema.querystring, 'query'),
      ...fields(schema.headers, 'header'),
    ];
    const responses: Record<string, object> = {};
    for (const [status, body] of Object.entries((schema.response ?? { 200: {} }) as Record<string, object>)) {
      responses[status.toUpperCase()] = {
        description: describe(body),
        content: { 'application/json': { schema: body } },
      };
    }
    (paths[path] ??= {})[method] = {
      summary: schema.summary,
      tags: schema.tags,
      parameters,
      ...(schema.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'vcstore',
      version,
      description:
        'The vcstore daemon: the legacy resourceStorage methods and the journal history over HTTP on a unix socket',
    },
    paths,
  };
}

function fields(schema: unknown, where: string): object[] {
  const s = schema as { properties?: Record<string, object>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s?.required ?? []).includes(name),
    schema: property,
  }));
}

const describe = (body: object) => (body as { description?: string }).description ?? 'see the schema';
