import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { STATUS_OF } from '../../src/server/http-errors.ts';
import { call, type Answer } from '../helpers/serve.ts';
import { inProcessDaemon } from './support.ts';

let env: Awaited<ReturnType<typeof inProcessDaemon>>;
before(async () => {
  env = await inProcessDaemon({ bodyLimit: 4096 });
});
after(async () => env.done());

/** Every failure, fastify's own included, is `{ code, message }` and nothing else, with the code's status. */
function assertErrorBody(answer: Answer, code: string, what: string): { code: string; message: string } {
  assert.equal(answer.status, STATUS_OF[code as keyof typeof STATUS_OF], `${what}: ${answer.status} ${answer.text}`);
  assert.match(String(answer.headers['content-type']), /^application\/json/, what);
  const body = answer.json();
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message'], `${what}: ${answer.text}`);
  assert.equal(body.code, code, `${what}: ${answer.text}`);
  // vcstore's wording: a lowercase phrase (or a method name), no fastify or ajv phrasing, no reason phrase
  assert.doesNotMatch(body.message, /^[A-Z][a-z]/, `${what}: ${body.message}`);
  assert.doesNotMatch(body.message, /FST_|must have required property|must NOT have|Unsupported Media Type/, what);
  return body;
}

test('conventions - a known path with the wrong method is 405 EMETHOD with Allow; an unknown path is 404', async () => {
  const cases: Array<[string, string, string]> = [
    ['DELETE', '/v1/storeSandboxResource', 'POST'],
    ['GET', '/v1/storeAgentState', 'POST'],
    ['PUT', '/v1/sandboxes/sb1/head', 'GET, HEAD'],
    ['POST', '/v1/health', 'GET, HEAD'],
  ];
  for (const [method, url, allow] of cases) {
    const answer = await call(env.socket, method, url);
    const body = assertErrorBody(answer, 'EMETHOD', `${method} ${url}`);
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, allow, `${method} ${url}`);
    assert.match(body.message, new RegExp(`^${method} is not allowed on ${url.replaceAll('/', '\\/')}`));
  }
  const unknown = await call(env.socket, 'GET', '/v1/nosuch');
  assertErrorBody(unknown, 'ENOROUTE', 'GET /v1/nosuch');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.headers.allow, undefined);
});

test('conventions - a body that is not sent as application/json is 415 EMEDIATYPE, missing Content-Type included', async () => {
  const value = JSON.stringify({ sandboxID: 'sb1', value: 1 });
  const cases: Array<[string, Record<string, string>, string | undefined]> = [
    ['form-encoded', { 'content-type': 'application/x-www-form-urlencoded' }, 'sandboxID=sb1'],
    ['text/plain', { 'content-type': 'text/plain' }, value],
    ['no Content-Type', {}, value],
    ['no body and no Content-Type', {}, undefined],
  ];
  for (const [what, headers, body] of cases) {
    const answer = await new Promise<Answer>((resolve, reject) => {
      // call() adds application/json to any body: here the header is exactly what the case says
      const raw = body === undefined ? '' : body;
      const head = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      const socket = connect(env.socket);
      const chunks: Buffer[] = [];
      socket.on('data', (c: Buffer) => chunks.push(c));
      socket.on('error', reject);
      socket.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const [top = '', rest = ''] = text.split('\r\n\r\n');
        const status = Number(top.split(' ')[1]);
        const parsed = Object.fromEntries(
          top
            .split('\r\n')
            .slice(1)
            .map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        resolve({ status, headers: parsed, text: rest, json: () => JSON.parse(rest) });
      });
      socket.write(
        `POST /v1/storeAgentState HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${head}Content-Length: ${Buffer.byteLength(raw)}\r\n\r\n${raw}`,
      );
    });
    const error = assertErrorBody(answer, 'EMEDIATYPE', what);
    assert.equal(answer.status, 415, what);
    assert.match(error.message, /application\/json/, what);
  }
});

test("conventions - fastify's own failures are worded as vcstore's: schema, empty body, size, bad URL, malformed HTTP", async () => {
  const cases: Array<[string, string, string, unknown, string, RegExp]> = [
    [
      'missing field',
      'POST',
      '/v1/storeAgentState',
      { value: 1 },
      'EREQUEST',
      /^invalid request body: missing field sandboxID$/,
    ],
    [
      'unknown field',
      'POST',
      '/v1/storeAgentState',
      { sandboxID: 'sb1', value: 1, extra: true },
      'EREQUEST',
      /^invalid request body: unknown field extra$/,
    ],
    [
      'wrong type',
      'POST',
      '/v1/storeAgentState',
      { sandboxID: 5, value: 1 },
      'EREQUEST',
      /^invalid request body: sandboxID: expected a string$/,
    ],
    [
      'missing query field',
      'GET',
      '/v1/fetchContainerState?sandboxID=sb1',
      undefined,
      'EREQUEST',
      /^invalid query: missing field containerID$/,
    ],
    [
      'too large',
      'POST',
      '/v1/storeAgentState',
      { sandboxID: 'sb1', value: 'x'.repeat(8192) },
      'ETOOLARGE',
      /limit of 4096 bytes/,
    ],
    ['bad percent-encoding', 'GET', '/v1/sandboxes/%E0%A4%A/head', undefined, 'EREQUEST', /percent-encoding/],
  ];
  for (const [what, method, url, body, code, message] of cases) {
    const answer = await call(env.socket, method, url, body);
    assert.match(assertErrorBody(answer, code, what).message, message, what);
  }
  const empty = await call(env.socket, 'POST', '/v1/storeAgentState', '', { 'content-type': 'application/json' });
  assertErrorBody(empty, 'EREQUEST', 'empty JSON body');

  // A request line HTTP cannot parse never reaches a route: fastify's client error handler answers it.
  const text = await new Promise<string>((resolve, reject) => {
    const socket = connect(env.socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
  });
  const [head = '', rest = ''] = text.split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 400 /, text);
  const error = JSON.parse(rest);
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], text);
  assert.equal(error.code, 'EREQUEST');
  assert.match(error.message, /^malformed HTTP request/);
});
