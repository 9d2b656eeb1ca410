import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StoreError } from '../../src/errors.ts';
import { decodeGo } from '../../src/legacy/go-decode.ts';
import { encodeGo } from '../../src/legacy/go-encode.ts';
import { JsonNumber, objectEntries, parseJson } from '../../src/legacy/json-parse.ts';
import { decodePayload, encodePayload } from '../../src/legacy/payloads.ts';
import { QemuState } from '../../src/legacy/types/agent.ts';
import { SandboxConfig } from '../../src/legacy/types/config.ts';
import { Addr } from '../../src/legacy/types/netlink.ts';
import { State } from '../../src/legacy/types/state.ts';

const decodeError = (fn: () => unknown, message: string | RegExp) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StoreError, String(err));
    assert.equal(err.code, 'EDECODE');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

const decode = (schema: Parameters<typeof decodeGo>[0], text: string) =>
  decodeGo(schema, parseJson(text, { numbers: 'literal' }));
const roundTrip = (schema: Parameters<typeof decodeGo>[0], text: string) => encodeGo(schema, decode(schema, text));

test('parser - integers past 2^53 become bigints, -0 stays -0, others are numbers', () => {
  assert.deepEqual(parseJson('[9007199254740993,-9223372036854775808,9007199254740991,1.5,1e2]'), [
    9007199254740993n,
    -9223372036854775808n,
    9007199254740991,
    1.5,
    100,
  ]);
  assert.ok(Object.is(parseJson('-0'), -0));
  assert.deepEqual(parseJson(' {"a" : [ true , false , null ] } \n'), { a: [true, false, null] });
});

test('parser - literal mode keeps number text for the decoder', () => {
  assert.deepEqual(parseJson('[1e100,-0]', { numbers: 'literal' }), [new JsonNumber('1e100'), new JsonNumber('-0')]);
});

test('parser - a __proto__ key is an own member, not the prototype', () => {
  const obj = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(obj), Object.prototype);
  assert.deepEqual(Object.keys(obj), ['__proto__']);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('parser - duplicate keys: last wins, and the file order is kept for the decoder', () => {
  const obj = parseJson('{"a":1,"b":2,"a":3}') as object;
  assert.deepEqual(obj, { a: 3, b: 2 });
  assert.deepEqual(objectEntries(obj), [
    ['a', 1],
    ['b', 2],
    ['a', 3],
  ]);
});

test('parser - escapes decode like Go, lone surrogates become U+FFFD', () => {
  assert.equal(parseJson('"\\u003c\\/\\b\\f\\ud83d\\ude00"'), '</\b\f😀');
  assert.equal(parseJson('"\\ud800x\\udc00"'), '\ufffdx\ufffd');
});

test('parser - syntax errors use Go texts', () => {
  const cases: Array<[string, string]> = [
    ['', 'unexpected end of JSON input'],
    ['{"state":"ready"', 'unexpected end of JSON input'],
    ['{"state":"ready"}garbage', "invalid character 'g' after top-level value"],
    ['\ufeff{}', "invalid character 'ï' looking for beginning of value"],
    ["{'a':1}", "invalid character '\\'' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 "b"}', "invalid character '\"' after object key:value pair"],
    ['[1 2]', "invalid character '2' after array element"],
    ['[1,]', "invalid character ']' looking for beginning of value"],
    ['"a\nb"', "invalid character '\\n' in string literal"],
    ['"\\x"', "invalid character 'x' in string escape code"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.e3', "invalid character 'e' after decimal point in numeric literal"],
    ['tru', "invalid character ' ' in literal true (expecting 'e')"],
    ['trUe', "invalid character 'U' in literal true (expecting 'u')"],
    ['01', "invalid character '1' after top-level value"],
  ];
  for (const [text, message] of cases) decodeError(() => parseJson(text), message);
});

test('parser - nesting is limited (1000 levels; Go allowed 10000)', () => {
  const deep = `${'['.repeat(1000)}${']'.repeat(1000)}`;
  assert.equal(encodePayload('interface{}', decodePayload('interface{}', deep)), deep);
  decodeError(() => parseJson(`${'['.repeat(1001)}${']'.repeat(1001)}`), 'exceeded max depth');
});

test('decoder - keys match exactly first, then case-insensitively; the last duplicate wins', () => {
  const text = '{"State":"paused","blockindex":7,"unknown":true,"FSTYPE":"xfs","state":"running"}';
  assert.deepEqual(decode(State, text), { state: 'running', blockIndex: 7, fstype: 'xfs', hotpluggedDrive: false });
  assert.equal((decode(State, '{"state":"a","State":"b"}') as { state: string }).state, 'b');
  assert.equal((decode(State, '{"state":"a","State":"b","state":"c"}') as { state: string }).state, 'c');
});

test('decoder - missing fields and null give zero values; null keeps an earlier value for non-nil-able fields', () => {
  assert.deepEqual(decode(State, 'null'), { state: '', blockIndex: 0, fstype: '', hotpluggedDrive: false });
  assert.deepEqual(decode(State, '{"state":"x","state":null,"blockIndex":null}'), {
    state: 'x',
    blockIndex: 0,
    fstype: '',
    hotpluggedDrive: false,
  });
  const config = decode(SandboxConfig, '{"Volumes":[],"Annotations":{},"Containers":null,"Hooks":null}') as Record<
    string,
    any
  >;
  assert.deepEqual([config.Volumes, config.Annotations, config.Containers], [[], {}, null]);
  assert.deepEqual(config.Hooks, { PreStartHooks: null, PostStartHooks: null, PostStopHooks: null });
});

test('decoder - a duplicate struct member merges into the earlier value, as Go decodes in place', () => {
  const config = decode(
    SandboxConfig,
    '{"VMConfig":{"Memory":5},"VMConfig":{},"ProxyConfig":{"Path":"p"},"ProxyConfig":{"Debug":true}}',
  );
  assert.deepEqual((config as any).VMConfig, { Memory: 5 });
  assert.deepEqual((config as any).ProxyConfig, { Path: 'p', Debug: true });
});

test('decoder - type mismatches name the struct field or the Go type', () => {
  decodeError(
    () => decode(State, '{"blockIndex":"1"}'),
    'json: cannot unmarshal string into Go struct field State.blockIndex of type int',
  );
  decodeError(
    () => decode(State, '{"state":5}'),
    'json: cannot unmarshal number into Go struct field State.state of type virtcontainers.stateString',
  );
  decodeError(
    () => decode(SandboxConfig, '[]'),
    'json: cannot unmarshal array into Go value of type virtcontainers.SandboxConfig',
  );
  decodeError(
    () => decode(SandboxConfig, '{"Containers":[{"Mounts":[{"Options":"ro"}]}]}'),
    'json: cannot unmarshal string into Go struct field Mount.Containers.Mounts.Options of type []string',
  );
  decodeError(
    () => decode(SandboxConfig, '{"Annotations":{"a":1}}'),
    'json: cannot unmarshal number into Go struct field SandboxConfig.Annotations of type string',
  );
});

test('decoder - ints reject fractions, exponents and out-of-range values with the literal', () => {
  decodeError(
    () => decode(State, '{"blockIndex":1e100}'),
    'json: cannot unmarshal number 1e100 into Go struct field State.blockIndex of type int',
  );
  decodeError(() => decode(State, '{"blockIndex":1.0}'), /number 1\.0 into/);
  decodeError(() => decode(State, '{"blockIndex":9223372036854775808}'), /number 9223372036854775808 into/);
  decodeError(
    () => decodePayload('SandboxConfig', '{"HypervisorConfig":{"DefaultVCPUs":-0}}'),
    /number -0 into Go struct field HypervisorConfig.HypervisorConfig.DefaultVCPUs of type uint32/,
  );
  const big = decode(State, '{"blockIndex":-9223372036854775808}') as { blockIndex: unknown };
  assert.equal(big.blockIndex, -9223372036854775808n);
  assert.equal((decode(State, '{"blockIndex":-0}') as { blockIndex: unknown }).blockIndex, 0);
});

test('decoder - interface{} values become Go generic values: sorted maps, float64 numbers', () => {
  const text =
    '{"AgentConfig":{"z":1,"a":[1,2.5,"x"],"u":18446744073709551615,"p":9007199254740993,"n":-0,"~":{"b":1,"a":2}}}';
  const config = decode(SandboxConfig, text) as Record<string, any>;
  assert.deepEqual(Object.keys(config.AgentConfig), ['a', 'n', 'p', 'u', 'z', '~']);
  assert.equal(
    encodeGo(SandboxConfig.shape.AgentConfig, config.AgentConfig),
    '{"a":[1,2.5,"x"],"n":-0,"p":9007199254740992,"u":18446744073709552000,"z":1,"~":{"a":2,"b":1}}',
  );
  decodeError(
    () => decode(SandboxConfig, '{"ShimConfig":1e400}'),
    'json: cannot unmarshal number 1e400 into Go value of type float64',
  );
});

test('decoder - map[uint32]string keys are parsed as numbers and re-sorted as strings', () => {
  const out = roundTrip(QemuState, '{"Bridges":[{"Address":{"31":"x","01":"a","10":"b"}}]}');
  assert.match(out, /"Address":\{"1":"a","10":"b","31":"x"\}/);
  decodeError(
    () => decode(QemuState, '{"Bridges":[{"Address":{"x":"a"}}]}'),
    'json: cannot unmarshal number x into Go value of type uint32',
  );
});

test('decoder - time strings are normalized; bad ones fail with the time.Parse text', () => {
  const process = decodePayload('Process', '{"StartTime":"2018-05-01T12:50:07.100+00:00"}') as { StartTime: string };
  assert.equal(process.StartTime, '2018-05-01T12:50:07.1Z');
  assert.equal(
    (decodePayload('Process', '{"StartTime":"2018-05-01T1:50:07Z"}') as any).StartTime,
    '2018-05-01T01:50:07Z',
  );
  assert.equal((decodePayload('Process', '{"StartTime":null}') as any).StartTime, '0001-01-01T00:00:00Z');
  const cases: Array<[string, string]> = [
    [
      '"yesterday"',
      'parsing time "\\"yesterday\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "yesterday\\"" as "2006"',
    ],
    ['"2018-13-01T00:00:00Z"', 'parsing time "\\"2018-13-01T00:00:00Z\\"": month out of range'],
    ['"2018-02-30T00:00:00Z"', 'parsing time "\\"2018-02-30T00:00:00Z\\"": day out of range'],
    [
      '"2018-01-01T00:00:00Zjunk"',
      'parsing time "\\"2018-01-01T00:00:00Zjunk\\"" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "junk\\"" as "\\""',
    ],
    ['5', 'parsing time "5" as "\\"2006-01-02T15:04:05Z07:00\\"": cannot parse "5" as "\\""'],
  ];
  for (const [value, message] of cases) decodeError(() => decodePayload('Process', `{"StartTime":${value}}`), message);
});

test('decoder - net.IP text is normalized, nil is "", bad text fails like UnmarshalText', () => {
  const addr = decode(Addr, '{"IP":"::ffff:1.2.3.4","Broadcast":null,"Peer":{"IP":"FE80::0:1"}}') as Record<
    string,
    any
  >;
  assert.equal(addr.IP, '1.2.3.4');
  assert.equal(addr.Mask, null);
  assert.equal(addr.Broadcast, '');
  assert.equal(addr.Peer.IP, 'fe80::1');
  decodeError(() => decode(Addr, '{"IP":"1.2.3"}'), 'invalid IP address: 1.2.3');
});

test('decoder - an Addr gets its embedded IPNet when IP or Mask appears, else none', () => {
  assert.equal(
    roundTrip(Addr, '{"Label":"x"}'),
    '{"Label":"x","Flags":0,"Scope":0,"Peer":null,"Broadcast":"","PreferedLft":0,"ValidLft":0}',
  );
  assert.match(roundTrip(Addr, '{"mask":null}'), /^\{"IP":"","Mask":null,"Label":""/);
});

test('decoder - []byte fields are base64 (or an array of bytes)', () => {
  assert.match(roundTrip(Addr, '{"Mask":"//8A\\nAA=="}'), /"Mask":"\/\/8AAA=="/);
  assert.match(roundTrip(Addr, '{"Mask":[255,255,0,0]}'), /"Mask":"\/\/8AAA=="/);
  decodeError(() => decode(Addr, '{"Mask":"//8AAA"}'), /^illegal base64 data at input byte/);
});

test('decoder - decoded values re-encode to what Go re-marshals', () => {
  const text = ' {"state":"running\\u2028","blockIndex":9223372036854775807,"fstype":"日本語"} ';
  assert.equal(
    encodePayload('State', decodePayload('State', text)),
    '{"state":"running\\u2028","blockIndex":9223372036854775807,"fstype":"日本語","hotpluggedDrive":false}',
  );
});
