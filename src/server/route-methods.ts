import type { FastifyInstance, RouteOptions } from 'fastify';

/** A route's path as fastify writes it (`/v1/sandboxes/:sandbox/head`, `/ui/*`), as a pattern over a request path. */
function patternOf(url: string): RegExp {
  const parts = url.split('/').map((part) => {
    if (part === '*') return '.*';
    if (part.startsWith(':')) return '[^/]+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}$`);
}

/**
 * The methods each registered path answers, so that a request for a path that
 * exists with the wrong method is told 405 and the `Allow` list, not 404.
 * Fastify's router only answers "no route": it does not say whether the path
 * was known. Call before any route is added.
 */
export function routeMethods(app: FastifyInstance): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: patternOf(route.url), methods });
  });
  return (path) => {
    const allowed = new Set<string>();
    for (const route of routes) if (route.pattern.test(path)) for (const m of route.methods) allowed.add(m);
    return [...allowed].sort();
  };
}
