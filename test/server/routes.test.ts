import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { journalHead } from '../../src/audit/head.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { STATUS_OF } from '../../src/server/http-errors.ts';
import { call } from '../helpers/serve.ts';
import { snapshot } from '../helpers/tree.ts';
import { inProcessDaemon } from './support.ts';

const withoutSocket = (rel: string) => rel === 'run/vcstore';
let env: Awaited<ReturnType<typeof inProcessDaemon>>;
const post = (method: string, body: unknown, headers?: Record<string, string>) =>
  call(env.socket, 'POST', `/v1/${method}`, body, headers);
const get = (url: string) => call(env.socket, 'GET', url);
const state = (s: string) => ({ type: 'State', value: { state: s } });
const process1 = { Token: 't', Pid: 42, StartTime: '2026-11-29T10:00:00+08:00' };
const mounts = [
  {
    Source: 'proc',
    Destination: '/proc',
    Type: 'proc',
    Options: null,
    HostPath: '',
    ReadOnly: false,
    BlockDevice: null,
  },
];
const devices = [
  {
    type: 'GenericDevice',
    value: {
      DeviceType: 'generic',
      DeviceInfo: {
        HostPath: '/dev/null',
        ContainerPath: '/dev/null',
        DevType: 'c',
        Major: 1,
        Minor: 3,
        FileMode: 0,
        UID: 0,
        GID: 0,
        Hotplugged: false,
        ID: '',
      },
    },
  },
];

before(async () => {
  env = await inProcessDaemon({ bodyLimit: 64 * 1024 });
  assert.equal((await post('createAllResources', { sandboxID: 'sb1', containerIDs: ['c1'] })).status, 200);
});
after(() => env.done());

test('routes - every store answers { seq, hash } with the journal head after its event', async () => {
  const stores: Array<[string, unknown]> = [
    ['storeSandboxResource', { sandboxID: 'sb1', resource: 'state', data: state('running') }],
    [
      'storeSandboxResource',
      { sandboxID: 'sb1', resource: 'configFileType', data: { type: 'SandboxConfig', value: { ID: 'sb1' } } },
    ],
    ['storeContainerResource', { sandboxID: 'sb1', containerID: 'c1', resource: 1, data: state('ready') }],
    [
      'storeContainerResource',
      {
        sandboxID: 'sb1',
        containerID: 'c1',
        resource: 'config',
        data: { type: 'ContainerConfig', value: { ID: 'c1' } },
      },
    ],
    [
      'storeSandboxNetwork',
      { sandboxID: 'sb1', value: { NetNsPath: '/run/netns/x', NetNsCreated: true, Endpoints: null } },
    ],
    ['storeHypervisorState', { sandboxID: 'sb1', value: { Bridges: null, UUID: 'u', big: 9007199254740992 } }],
    ['storeAgentState', { sandboxID: 'sb1', value: { ProxyPid: 7, URL: 'unix:///a<b>' } }],
    ['storeContainerProcess', { sandboxID: 'sb1', containerID: 'c1', value: process1 }],
    ['storeContainerMounts', { sandboxID: 'sb1', containerID: 'c1', value: mounts }],
    ['storeContainerDevices', { sandboxID: 'sb1', containerID: 'c1', value: devices }],
  ];
  for (const [method, body] of stores) {
    const answer = await post(method, typeof body === 'object' ? JSON.stringify(body) : body);
    assert.equal(answer.status, 200, `${method}: ${answer.text}`);
    const head = await journalHead(journalFile(rootsUnder(env.root), 'sb1'));
    assert.deepEqual(answer.json(), { seq: head.seq, hash: head.hash }, method);
  }
});

test('routes - a number past 2^53 is stored exactly (lossless request bodies)', async () => {
  const body = '{"sandboxID":"sb1","value":{"n":9007199254740993,"u":18446744073709551615}}';
  assert.equal((await post('storeHypervisorState', body)).status, 200);
  const file = path.join(rootsUnder(env.root).run, 'sb1/hypervisor.json');
  assert.equal(await readFile(file, 'utf8'), '{"n":9007199254740993,"u":18446744073709551615}');
});

test("routes - every fetch returns the legacy file's exact bytes", async () => {
  await post('storeSandboxResource', { sandboxID: 'sb1', resource: 'state', data: state('a<b>&') });
  const run = rootsUnder(env.root).run;
  const config = rootsUnder(env.root).config;
  const fetches: Array<[string, string]> = [
    ['fetchSandboxConfig?sandboxID=sb1', path.join(config, 'sb1/config.json')],
    ['fetchSandboxState?sandboxID=sb1', path.join(run, 'sb1/state.json')],
    ['fetchSandboxNetwork?sandboxID=sb1', path.join(run, 'sb1/network.json')],
    ['fetchHypervisorState?sandboxID=sb1', path.join(run, 'sb1/hypervisor.json')],
    ['fetchAgentState?sandboxID=sb1&target=KataAgentState', path.join(run, 'sb1/agent.json')],
    ['fetchContainerConfig?sandboxID=sb1&containerID=c1', path.join(config, 'sb1/c1/config.json')],
    ['fetchContainerState?sandboxID=sb1&containerID=c1', path.join(run, 'sb1/c1/state.json')],
    ['fetchContainerProcess?sandboxID=sb1&containerID=c1', path.join(run, 'sb1/c1/process.json')],
    ['fetchContainerMounts?sandboxID=sb1&containerID=c1', path.join(run, 'sb1/c1/mounts.json')],
    ['fetchContainerDevices?sandboxID=sb1&containerID=c1', path.join(run, 'sb1/c1/devices.json')],
  ];
  for (const [url, file] of fetches) {
    const answer = await get(`/v1/${url}`);
    assert.equal(answer.status, 200, `${url}: ${answer.text}`);
    assert.equal(answer.text, await readFile(file, 'utf8'), url);
  }
  assert.match((await get('/v1/fetchSandboxState?sandboxID=sb1')).text, /\\u003cb\\u003e\\u0026/);
  const uri = await get('/v1/containerURI?sandboxID=sb1&containerID=c1&resource=processFileType');
  assert.deepEqual(uri.json(), { path: path.join(run, 'sb1/c1/process.json'), dir: path.join(run, 'sb1/c1') });
  assert.equal(
    (await get('/v1/sandboxURI?sandboxID=sb1&resource=0')).json().path,
    path.join(config, 'sb1/config.json'),
  );
});

/** Requests that must fail with this code, writing nothing. */
const BAD: Array<[string, string, unknown, string, Record<string, string>?]> = [
  [
    'unsafe sandbox ID',
    'storeSandboxResource',
    { sandboxID: '../x', resource: 'state', data: state('x') },
    'EUNSAFEID',
  ],
  ['dot sandbox ID', 'deleteSandboxResources', { sandboxID: '.', resources: null }, 'EUNSAFEID'],
  [
    'slash container ID',
    'storeContainerProcess',
    { sandboxID: 'sb1', containerID: 'a/b', value: process1 },
    'EUNSAFEID',
  ],
  ['unsafe create', 'createAllResources', { sandboxID: 'sb2', containerIDs: ['..'] }, 'EUNSAFEID'],
  [
    'empty sandbox ID',
    'storeSandboxResource',
    { sandboxID: '', resource: 'state', data: state('x') },
    'ENEEDSANDBOXID',
  ],
  [
    'empty container ID',
    'deleteContainerResources',
    { sandboxID: 'sb1', containerID: '', resources: null },
    'ENEEDCONTAINERID',
  ],
  [
    'bad payload',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'state', data: { type: 'State', value: { state: 5 } } },
    'EPAYLOAD',
  ],
  ['bad process', 'storeContainerProcess', { sandboxID: 'sb1', containerID: 'c1', value: { Pid: 'x' } }, 'EPAYLOAD'],
  [
    'bad device',
    'storeContainerDevices',
    { sandboxID: 'sb1', containerID: 'c1', value: [{ type: 'NoDevice', value: {} }] },
    'EPAYLOAD',
  ],
  [
    'unencodable time',
    'storeContainerProcess',
    { sandboxID: 'sb1', containerID: 'c1', value: { ...process1, StartTime: '10000-01-01T00:00:00Z' } },
    'EMARSHAL',
  ],
  [
    'pointer type',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'state', data: { type: '*State', value: {} } },
    'EINVALIDDATATYPE',
  ],
  [
    'type in the wrong slot',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'state', data: { type: 'Process', value: process1 } },
    'EINVALIDRESOURCE',
  ],
  [
    'lock is not storable',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'lock', data: state('x') },
    'EINVALIDRESOURCE',
  ],
  [
    'unknown resource',
    'deleteSandboxResources',
    { sandboxID: 'sb1', resources: ['state', 'nope'] },
    'EINVALIDRESOURCE',
  ],
  ['missing folder', 'storeContainerProcess', { sandboxID: 'sb1', containerID: 'c9', value: process1 }, 'ENOENT'],
  [
    'stale If-Match',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'state', data: state('x') },
    'ECONFLICT',
    { 'if-match': '1' },
  ],
  [
    'bad If-Match',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'state', data: state('x') },
    'EREQUEST',
    { 'if-match': 'W/"x"' },
  ],
  ['malformed JSON', 'storeSandboxResource', '{"sandboxID":"sb1",', 'EREQUEST'],
  ['JSON that is not an object', 'storeAgentState', '[1,2]', 'EREQUEST'],
  ['missing field', 'storeSandboxResource', { sandboxID: 'sb1', data: state('x') }, 'EREQUEST'],
  ['extra field', 'storeAgentState', { sandboxID: 'sb1', value: 1, extra: true }, 'EREQUEST'],
  ['ID of the wrong type', 'storeAgentState', { sandboxID: 5, value: 1 }, 'EREQUEST'],
  [
    'data without a type',
    'storeSandboxResource',
    { sandboxID: 'sb1', resource: 'state', data: { value: {} } },
    'EREQUEST',
  ],
  [
    'not JSON at all',
    'storeAgentState',
    'sandboxID=sb1',
    'EMEDIATYPE',
    { 'content-type': 'application/x-www-form-urlencoded' },
  ],
  ['oversized body', 'storeAgentState', { sandboxID: 'sb1', value: 'x'.repeat(70 * 1024) }, 'ETOOLARGE'],
];

test('routes - bad inputs get a JSON error with the documented status and write nothing', async () => {
  const before = await snapshot(env.root, withoutSocket);
  for (const [what, method, body, code, headers] of BAD) {
    const answer = await post(method, body, headers);
    assert.equal(answer.status, STATUS_OF[code as keyof typeof STATUS_OF], `${what}: ${answer.status} ${answer.text}`);
    assert.match(String(answer.headers['content-type']), /^application\/json/, what);
    const error = answer.json();
    assert.equal(error.code, code, `${what}: ${answer.text}`);
    assert.equal(typeof error.message, 'string', what);
    assert.ok(error.message.length > 0, what);
  }
  assert.deepEqual(await snapshot(env.root, withoutSocket), before, 'a refused request wrote something');
});

test('routes - bad fetches, unknown routes and methods get JSON errors', async () => {
  const cases: Array<[string, string, string]> = [
    ['GET', '/v1/fetchSandboxState?sandboxID=..', 'EUNSAFEID'],
    ['GET', '/v1/fetchSandboxState?sandboxID=', 'ENEEDSANDBOXID'],
    ['GET', '/v1/fetchSandboxState?sandboxID=nosuch', 'ENOENT'],
    ['GET', '/v1/fetchContainerState?sandboxID=sb1', 'EREQUEST'],
    ['GET', '/v1/fetchHypervisorState?sandboxID=sb1&target=chan', 'EINVALIDTARGET'],
    ['GET', '/v1/fetchAgentState?sandboxID=sb1&target=string', 'EDECODE'],
    ['GET', '/v1/sandboxURI?sandboxID=sb1&resource=42', 'EINVALIDRESOURCE'],
    ['GET', '/v1/nosuch', 'ENOROUTE'],
    ['DELETE', '/v1/storeSandboxResource', 'EMETHOD'],
    ['GET', '/v1/storeSandboxResource', 'EMETHOD'],
    ['PUT', '/v1/sandboxes/sb1/head', 'EMETHOD'],
    ['GET', '/v1/sandboxes/..%2Fx/head', 'EUNSAFEID'],
    ['GET', '/v1/sandboxes/nosuch/events', 'ENOENT'],
    ['GET', '/v1/sandboxes/sb1/events?after=x', 'EREQUEST'],
    ['GET', '/v1/events?after=sb1', 'EREQUEST'],
    ['GET', '/v1/sandboxes/sb1/show?resource=nope', 'EREQUEST'],
    ['GET', '/v1/sandboxes/sb1/show?resource=state&at=999', 'EUSAGE'],
    ['GET', '/v1/verify?sandbox=a%2Fb', 'EUNSAFEID'],
  ];
  for (const [method, url, code] of cases) {
    const answer = await call(env.socket, method, url);
    assert.equal(answer.json().code, code, `${method} ${url}: ${answer.text}`);
    assert.equal(answer.status, STATUS_OF[code as keyof typeof STATUS_OF], `${method} ${url}`);
  }
});

test('routes - history: head, events, cursor resume, show, diff, list and verify', async () => {
  const head = (await get('/v1/sandboxes/sb1/head')).json();
  assert.equal(head.sandbox, 'sb1');
  const lines = (await get('/v1/sandboxes/sb1/events')).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, head.seq);
  assert.deepEqual(
    lines.map((l) => l.event.seq),
    Array.from({ length: head.seq }, (_, i) => i + 1),
  );
  assert.equal(lines.at(-1).hash, head.hash);
  const rest = (await get(`/v1/sandboxes/sb1/events?after=${lines[4].cursor}`)).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(rest, lines.slice(5));
  await post('createAllResources', { sandboxID: 'sb0' });
  const all = (await get('/v1/events')).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(all.length, head.seq + 1);
  assert.equal(all.at(-1).cursor, `sb0:1,sb1:${head.seq}`);
  const resumed = (await get(`/v1/events?after=${all[0].cursor}`)).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    resumed,
    all.slice(1).map((l) => ({ ...l, cursor: l.cursor })),
  );
  const shown = (await get('/v1/sandboxes/sb1/show?resource=state&at=2')).json();
  assert.deepEqual({ seq: shown.seq, exists: shown.exists }, { seq: 2, exists: true });
  assert.equal(shown.content, '{"state":"running","blockIndex":0,"fstype":"","hotpluggedDrive":false}');
  const diff = (await get('/v1/sandboxes/sb1/diff?from=1&to=2')).json();
  assert.equal(diff[0].change, 'added');
  assert.equal(diff[0].resource, 'state');
  const list = (await get('/v1/sandboxes')).json();
  assert.deepEqual(
    list.map((s: { sandbox: string; consistent: boolean }) => [s.sandbox, s.consistent]),
    [
      ['sb0', true],
      ['sb1', true],
    ],
  );
  const report = (await get('/v1/verify')).json();
  assert.equal(report.consistent, true);
  assert.equal((await get('/v1/verify?sandbox=sb1')).json().sandboxes[0].seq, head.seq);
});

test('routes - health, metrics and the OpenAPI document', async () => {
  const health = (await get('/v1/health')).json();
  assert.equal(health.status, 'ok');
  assert.equal(health.roots.journal, rootsUnder(env.root).journal);
  const metrics = await get('/metrics');
  assert.match(String(metrics.headers['content-type']), /^text\/plain/);
  for (const name of [
    'vcstore_events_appended_total{op="store"}',
    'vcstore_group_size_bucket',
    'vcstore_durable_write_seconds_bucket',
    'vcstore_errors_total{code="EUNSAFEID"}',
    'vcstore_open_sandboxes',
    'vcstore_followers',
  ]) {
    assert.ok(metrics.text.includes(name), `missing ${name}`);
  }
  const doc = (await get('/v1/openapi.json')).json();
  assert.equal(doc.openapi, '3.0.3');
  for (const p of [
    '/v1/createAllResources',
    '/v1/storeContainerDevices',
    '/v1/deleteContainerResources',
    '/v1/fetchContainerDevices',
    '/v1/sandboxURI',
    '/v1/sandboxes/{sandbox}/events',
    '/v1/events',
    '/v1/sandboxes/{sandbox}/head',
    '/v1/sandboxes/{sandbox}/show',
    '/v1/sandboxes/{sandbox}/diff',
    '/v1/sandboxes',
    '/v1/verify',
    '/v1/health',
    '/metrics',
  ]) {
    assert.ok(doc.paths[p], `openapi lacks ${p}`);
  }
  assert.equal(
    doc.paths['/v1/storeSandboxResource'].post.requestBody.content['application/json'].schema.required.includes('data'),
    true,
  );
});
