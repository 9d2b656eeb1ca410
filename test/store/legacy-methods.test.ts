import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { applyOp } from '../../src/cli/ops.ts';
import { buildServer } from '../../src/server/app.ts';
import { legacyMethods, routeOf } from '../../src/store/legacy-methods.ts';
import { Store } from '../../src/store/store.ts';
import { tempStore } from '../helpers/store.ts';

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;

test('legacy methods - docs/design.md lists the method table as it is', async () => {
  const doc = await readFile(new URL('../../docs/design.md', import.meta.url), 'utf8');
  const listed = doc
    .split('\n')
    .filter((line) => /^\| \w+ \| (create|store|storeTyped|delete|fetch|uri) \|/.test(line));
  const table = legacyMethods().map(([name, spec]) => {
    const resource = 'resource' in spec ? spec.resource : spec.kind === 'create' ? '' : '(argument)';
    const payload =
      'payload' in spec
        ? spec.payload === 'target'
          ? '(target)'
          : spec.payload
        : spec.kind === 'storeTyped'
          ? '(typed)'
          : '';
    return row([name, spec.kind, resource, payload, spec.args.join(', '), routeOf(name, spec).method]).replaceAll(
      '  ',
      ' ',
    );
  });
  assert.deepEqual(
    listed.map((line) => line.replaceAll('  ', ' ')),
    table,
  );
});

test('legacy methods - every row is a Store method, a route with its arguments as fields, and an apply op', async (t) => {
  const { store, root, roots, done } = await tempStore(t);
  t.after(done);
  const server = await buildServer({ roots });
  t.after(() => server.app.close());
  const doc = (await server.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json();
  for (const [name, spec] of legacyMethods()) {
    assert.equal(typeof (Store.prototype as unknown as Record<string, unknown>)[name], 'function', name);
    const { method, url } = routeOf(name, spec);
    const operation = doc.paths[url]?.[method.toLowerCase()];
    assert.ok(operation, `no route ${method} ${url}`);
    const fields =
      method === 'POST'
        ? Object.keys(operation.requestBody.content['application/json'].schema.properties)
        : operation.parameters.map((p: { name: string }) => p.name);
    assert.deepEqual(fields, [...spec.args], `${name}: the route's fields are its arguments, in the Go order`);
    // An op with no arguments reaches the method: it is refused by the method's own checks, not as unknown.
    await assert.rejects(applyOp(store, root, { method: name }), (err: { code?: string }) => err.code !== 'EUSAGE');
  }
});
