import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../../src/errors.ts';
import { decodePayload, encodePayload, isPayloadType } from '../../src/legacy/payloads.ts';
import { apiValue, fetchedFile, loadOps, raw, storedType } from './go-fixtures.ts';

const ops = loadOps();

const throwsCode = (fn: () => unknown, code: string, message?: string | RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });

test('payloads - every Go-marshaled store value in the fixtures encodes to the same bytes', () => {
  let checked = 0;
  for (const { scenario, line, op } of ops) {
    const type = storedType(op);
    const data = raw(line, 'data');
    if (!type || data === undefined || String(op.error).startsWith('Could not marshall')) continue;
    const expected = type === '[]Device' && data === '[]' ? 'null' : data;
    const actual = encodePayload(type, apiValue(type, data, op));
    assert.equal(actual, expected, `${scenario} ${op.method} ${op.containerID ?? op.sandboxID}`);
    const written = (op.effects as Array<Record<string, string>>).find((e) => e.kind === 'file' && e.content);
    if (op.error === null && written) assert.equal(actual, written.content, `${scenario} ${written.path}`);
    checked++;
  }
  assert.ok(checked >= 195, `only ${checked} store ops checked`);
});

test('payloads - every successful fetch in the fixtures decodes and re-encodes as Go re-marshaled it', () => {
  let checked = 0;
  for (const { scenario, line, op, tree } of ops) {
    const file = fetchedFile(op);
    const result = raw(line, 'result');
    if (!file || op.error !== null || result === undefined) continue;
    const text = tree.get(file.path);
    assert.ok(text !== undefined, `${scenario}: ${file.path} not in the tree`);
    const decoded = decodePayload(file.type, text);
    assert.equal(encodePayload(file.type, decoded), result, `${scenario} ${op.method} ${file.path}`);
    checked++;
  }
  assert.ok(checked >= 74, `only ${checked} fetch ops checked`);
});

test('payloads - every failed decode in the fixtures fails with Go error text', () => {
  let checked = 0;
  for (const { op, tree } of ops) {
    const file = fetchedFile(op);
    const decodeError = ['encoding/json', 'time (via encoding/json)', 'filesystem.go'].includes(op.errorSource);
    if (!file || !decodeError || !tree.has(file.path)) continue;
    const code = op.error === 'Unknown device type, could not unmarshal' ? 'EUNKNOWNDEVICE' : 'EDECODE';
    throwsCode(() => decodePayload(file.type, tree.get(file.path) as string), code, op.error);
    checked++;
  }
  assert.ok(checked >= 19, `only ${checked} failing fetch ops checked`);
});

test('payloads - the three values Go could not marshal fail with its error text', () => {
  throwsCode(
    () => encodePayload('Process', { StartTime: '10000-01-01T00:00:00Z' }),
    'EMARSHAL',
    'Could not marshall data: json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]',
  );
  throwsCode(
    () => encodePayload('SandboxConfig', { ID: 'sb-err', AgentConfig: Infinity }),
    'EMARSHAL',
    'Could not marshall data: json: unsupported value: +Inf',
  );
  throwsCode(
    () => encodePayload('interface{}', { c: () => 1 }),
    'EMARSHAL',
    'Could not marshall data: json: unsupported type: function',
  );
});

test('payloads - a partial struct is completed with Go zero values', () => {
  assert.equal(encodePayload('State', {}), '{"state":"","blockIndex":0,"fstype":"","hotpluggedDrive":false}');
  assert.equal(encodePayload('Process', { Pid: 7 }), '{"Token":"","Pid":7,"StartTime":"0001-01-01T00:00:00Z"}');
  assert.equal(
    encodePayload('[]Mount', [{ Source: 'proc' }]),
    '[{"Source":"proc","Destination":"","Type":"","Options":null,"HostPath":"","ReadOnly":false,"BlockDevice":null}]',
  );
  const config = encodePayload('ContainerConfig', { ID: 'c' });
  assert.match(config, /"Cmd":\{"Args":null,.*"Capabilities":\{"Bounding":null,/);
  assert.match(config, /"Resources":\{"CPUQuota":0,"CPUPeriod":0,"CPUShares":0\}\}$/);
});

test('payloads - unknown members are kept after the known ones', () => {
  assert.equal(
    encodePayload('State', { extra: { z: 1, a: 2 }, state: 'ready' }),
    '{"state":"ready","blockIndex":0,"fstype":"","hotpluggedDrive":false,"extra":{"z":1,"a":2}}',
  );
});

test('payloads - invalid values are EPAYLOAD with readable zod issues', () => {
  throwsCode(
    () => encodePayload('State', { blockIndex: '1' }),
    'EPAYLOAD',
    'invalid State: blockIndex: expected an integer, got string',
  );
  throwsCode(
    () => encodePayload('SandboxConfig', { HypervisorConfig: { DefaultVCPUs: 4294967296 } }),
    'EPAYLOAD',
    'invalid SandboxConfig: HypervisorConfig.DefaultVCPUs: 4294967296 is out of range for uint32 (0 to 4294967295)',
  );
  throwsCode(
    () => encodePayload('[]Device', [{ type: 'USBDevice', value: {} }]),
    'EPAYLOAD',
    /^invalid \[\]Device: \[0\]\.type: /,
  );
  throwsCode(() => encodePayload('State', []), 'EPAYLOAD', 'invalid State: expected object, received array');
  throwsCode(
    () => encodePayload('Process', { StartTime: 'yesterday' }),
    'EPAYLOAD',
    /StartTime: expected an RFC 3339 time/,
  );
  const err = (() => {
    try {
      encodePayload('State', { blockIndex: 1.5 });
    } catch (e) {
      return e as StoreError;
    }
  })();
  assert.ok(Array.isArray(err?.cause) && err.cause.length === 1, 'zod issues in cause');
});

test('payloads - integers are range-checked per Go type and normalized', () => {
  throwsCode(
    () => encodePayload('State', { blockIndex: 2n ** 63n }),
    'EPAYLOAD',
    /blockIndex: 9223372036854775808 is out of range for int/,
  );
  throwsCode(
    () => encodePayload('ContainerConfig', { Resources: { CPUPeriod: -1 } }),
    'EPAYLOAD',
    /out of range for uint64/,
  );
  throwsCode(() => encodePayload('State', { blockIndex: 2 ** 53 }), 'EPAYLOAD', /safe integer or a bigint/);
  assert.match(encodePayload('State', { blockIndex: -0 }), /"blockIndex":0,/);
  assert.match(encodePayload('State', { blockIndex: 5n }), /"blockIndex":5,/);
  assert.match(encodePayload('State', { blockIndex: -(2n ** 63n) }), /"blockIndex":-9223372036854775808,/);
});

test('payloads - devices: nil and empty lists are both null, Type is the DeviceType field', () => {
  assert.equal(encodePayload('[]Device', null), 'null');
  assert.equal(encodePayload('[]Device', []), 'null');
  assert.equal(
    encodePayload('[]Device', [{ type: 'VFIODevice', value: { DeviceType: 'block', BDF: 'x' } }]),
    '[{"Type":"block","Data":{"DeviceType":"block","DeviceInfo":{"HostPath":"","ContainerPath":"","DevType":"",' +
      '"Major":0,"Minor":0,"FileMode":0,"UID":0,"GID":0,"Hotplugged":false,"ID":""},"BDF":"x"}}]',
  );
  assert.equal(decodePayload('[]Device', '[]'), null);
  assert.equal(decodePayload('[]Device', 'null'), null);
  const [device] = decodePayload('[]Device', '[{"Type":"block","Data":{"DeviceType":"block","BDF":"x"}}]') as any[];
  assert.equal(device.type, 'BlockDevice');
  assert.equal(device.value.BDF, undefined);
  assert.equal(device.value.SCSIAddr, '');
  throwsCode(() => decodePayload('[]Device', '[{"Type":"vhost-user-blk-pci","Data":{}}]'), 'EUNKNOWNDEVICE');
  throwsCode(() => decodePayload('[]Device', '[{"Type":"vfio"}]'), 'EDECODE', 'unexpected end of JSON input');
});

test('payloads - network: nil and empty endpoint lists are null, unknown Types are dropped', () => {
  const empty = '{"NetNsPath":"","NetNsCreated":false,"Endpoints":null}';
  assert.equal(encodePayload('NetworkNamespace', { Endpoints: null }), empty);
  assert.equal(encodePayload('NetworkNamespace', { Endpoints: [] }), empty);
  const decoded = decodePayload('NetworkNamespace', '{"Endpoints":[{"Type":"","Data":{}},{"Type":"x"}]}') as any;
  assert.equal(decoded.Endpoints, null);
  throwsCode(() => decodePayload('NetworkNamespace', '{"NetNsPath":"/x"}'), 'EDECODE', 'unexpected end of JSON input');
  throwsCode(
    () => decodePayload('NetworkNamespace', '{"Endpoints":{}}'),
    'EDECODE',
    'json: cannot unmarshal object into Go value of type []virtcontainers.TypedJSONEndpoint',
  );
  const { Endpoints } = decodePayload('NetworkNamespace', '{"Endpoints":[{"Type":"physical","Data":null}]}') as any;
  assert.equal(Endpoints[0].type, 'PhysicalEndpoint');
});

test('payloads - network: an endpoint Go could not marshal is written with null Data', () => {
  const value = {
    Endpoints: [
      {
        type: 'VirtualEndpoint',
        value: { EndpointType: 'virtual', EndpointProperties: { Iface: { Namespace: NaN } } },
      },
    ],
  };
  assert.equal(
    encodePayload('NetworkNamespace', value),
    '{"NetNsPath":"","NetNsCreated":false,"Endpoints":[{"Type":"virtual","Data":null}]}',
  );
});

test('payloads - generic targets decode as Go generic values', () => {
  assert.equal(
    encodePayload('interface{}', decodePayload('interface{}', '{"b":1,"a":[9007199254740993]}')),
    '{"a":[9007199254740992],"b":1}',
  );
  assert.equal(decodePayload('map[string]interface{}', 'null'), null);
  throwsCode(
    () => decodePayload('map[string]interface{}', '[]'),
    'EDECODE',
    'json: cannot unmarshal array into Go value of type map[string]interface {}',
  );
  assert.equal(decodePayload('string', '"x"'), 'x');
  assert.equal(decodePayload('string', 'null'), '');
  assert.equal(encodePayload('string', 'a<b'), '"a\\u003cb"');
});

test('payloads - isPayloadType knows exactly the payload types', () => {
  for (const t of ['SandboxConfig', '[]Device', 'interface{}', 'map[string]interface{}', 'string'])
    assert.ok(isPayloadType(t));
  for (const t of ['state', 'Device', '', 'toString', '__proto__', 1]) assert.ok(!isPayloadType(t));
});
