import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { StoreError } from '../../src/errors.ts';
import { encodeAny, encodeGo } from '../../src/legacy/go-encode.ts';
import { marshalTime } from '../../src/legacy/go-time.ts';
import { encodePayload } from '../../src/legacy/payloads.ts';
import { QemuState } from '../../src/legacy/types/agent.ts';
import { Addr } from '../../src/legacy/types/netlink.ts';
import { Process } from '../../src/legacy/types/state.ts';

const marshalError = (fn: () => unknown, reason: string) =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StoreError);
    assert.equal(err.code, 'EMARSHAL');
    assert.equal(err.message, `Could not marshall data: ${reason}`);
    return true;
  });

test('encoder - HTML-sensitive characters and U+2028/U+2029 are escaped, in values and keys', () => {
  assert.equal(encodeAny('a<b>&c'), '"a\\u003cb\\u003e\\u0026c"');
  assert.equal(encodeAny('\u2028\u2029'), '"\\u2028\\u2029"');
  assert.equal(encodeAny({ '<k>': '&' }), '{"\\u003ck\\u003e":"\\u0026"}');
});

test('encoder - quotes, backslashes and \\n \\r \\t use short escapes, other controls \\u00XX', () => {
  assert.equal(encodeAny('"q" \\b\\'), '"\\"q\\" \\\\b\\\\"');
  assert.equal(encodeAny('\n\r\t'), '"\\n\\r\\t"');
  assert.equal(encodeAny('\u0000\u0007\b\f\u001b\u001f'), '"\\u0000\\u0007\\u0008\\u000c\\u001b\\u001f"');
});

test('encoder - DEL, slash and non-ASCII text are written raw', () => {
  assert.equal(encodeAny('\u007f / é 日本 😀 \ufffd'), '"\u007f / é 日本 😀 \ufffd"');
});

test('encoder - a lone surrogate is written as the \\ufffd escape, like invalid UTF-8 in Go', () => {
  assert.equal(encodeAny('a\ud800b'), '"a\\ufffdb"');
  assert.equal(encodeAny('\udc00'), '"\\ufffd"');
  assert.equal(encodeAny('\ud83d\ude00'), '"😀"');
});

test('encoder - map keys sorted by UTF-8 bytes', () => {
  const keys = ['😀', 'z', '～', 'b', 'a b', 'A', '2', '10', ''];
  const map = Object.fromEntries(keys.map((k) => [k, 'v']));
  const schema = z.record(z.string(), z.string());
  const order = ['', '10', '2', 'A', 'a b', 'b', 'z', '～', '😀'];
  assert.equal(encodeGo(schema, map), `{${order.map((k) => `"${k}":"v"`).join(',')}}`);
});

test('encoder - integer map keys are written as strings and sorted as strings', () => {
  const value = {
    Bridges: [{ Address: { 31: 'last', 3: 'vfio', 2: 'b', 10: 'net0', 1: 'a' }, Type: 'pci', ID: 'br', Addr: 2 }],
  };
  assert.equal(
    encodeGo(QemuState, QemuState.parse(value)),
    '{"Bridges":[{"Address":{"1":"a","10":"net0","2":"b","3":"vfio","31":"last"},"Type":"pci","ID":"br","Addr":2}],' +
      '"HotpluggedVCPUs":null,"UUID":""}',
  );
});

test('encoder - struct fields in shape order, unknown members after them in insertion order', () => {
  const schema = z.looseObject({ b: z.string(), a: z.number() });
  assert.equal(encodeGo(schema, { z: 1, a: 2, y: [3], b: 'x' }), '{"b":"x","a":2,"z":1,"y":[3]}');
});

test('encoder - nil and empty slices and maps stay distinct', () => {
  const schema = z.looseObject({ s: z.array(z.string()).nullable(), m: z.record(z.string(), z.string()).nullable() });
  assert.equal(encodeGo(schema, { s: null, m: null }), '{"s":null,"m":null}');
  assert.equal(encodeGo(schema, { s: [], m: {} }), '{"s":[],"m":{}}');
});

test('encoder - an Addr without IPNet has no IP/Mask keys; with one, both are written', () => {
  assert.equal(
    encodeGo(Addr, Addr.parse({ Label: 'no-ipnet' })),
    '{"Label":"no-ipnet","Flags":0,"Scope":0,"Peer":null,"Broadcast":"","PreferedLft":0,"ValidLft":0}',
  );
  assert.match(encodeGo(Addr, Addr.parse({ IP: '10.0.0.5' })), /^\{"IP":"10.0.0.5","Mask":null,"Label":""/);
});

test('encoder - net.IP is normalized as Go prints it, net.IPMask is canonical base64', () => {
  const addr = Addr.parse({ IP: '::FFFF:10.0.0.1', Mask: '//8AAA==', Broadcast: 'FE80:0:0:0:0:0:0:1' });
  assert.match(encodeGo(Addr, addr), /^\{"IP":"10.0.0.1","Mask":"\/\/8AAA==",.*"Broadcast":"fe80::1",/);
  assert.equal(Addr.safeParse({ IP: '010.0.0.1' }).success, false);
  assert.equal(Addr.safeParse({ Mask: 'not base64' }).success, false);
});

test('encoder - -0 is written -0, bigints exactly', () => {
  assert.equal(encodeAny(-0), '-0');
  assert.equal(
    encodeAny([-(2n ** 63n), 2n ** 64n - 1n, 2n ** 53n + 1n]),
    '[-9223372036854775808,18446744073709551615,9007199254740993]',
  );
});

test('encoder - floats use the ES6 shortest form with the same exponent thresholds as Go', () => {
  assert.equal(
    encodeAny([1e21, 1e-7, 1e20, 0.000001, 1 / 3, 3.5, -0.25, 1.5e-7]),
    '[1e+21,1e-7,100000000000000000000,0.000001,0.3333333333333333,3.5,-0.25,1.5e-7]',
  );
});

test('encoder - NaN, infinities, cycles and non-JSON values are EMARSHAL with Go texts', () => {
  marshalError(() => encodeAny(NaN), 'json: unsupported value: NaN');
  marshalError(() => encodeAny({ a: Infinity }), 'json: unsupported value: +Inf');
  marshalError(() => encodeAny([-Infinity]), 'json: unsupported value: -Inf');
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  marshalError(() => encodeAny(cycle), 'json: unsupported value: encountered a cycle via map[string]interface {}');
  marshalError(() => encodeAny({ f: () => 1 }), 'json: unsupported type: function');
  marshalError(() => encodeAny(Symbol('s')), 'json: unsupported type: symbol');
  marshalError(() => encodeAny(new Map()), 'json: unsupported type: Map');
});

test('encoder - a shared (non-cyclic) object is fine', () => {
  const shared = { a: 1 };
  assert.equal(encodeAny([shared, shared]), '[{"a":1},{"a":1}]');
});

test('encoder - interface{} objects keep insertion order unless they have integer-like keys', () => {
  assert.equal(encodeAny({ z: 1, a: 2 }), '{"z":1,"a":2}');
  assert.equal(encodeAny({ b: 1, 10: 2, 2: 3, a: 4 }), '{"10":2,"2":3,"a":4,"b":1}');
});

test('encoder - undefined members are omitted, undefined array elements are null', () => {
  assert.equal(encodeAny({ a: undefined, b: [undefined, 1] }), '{"b":[null,1]}');
});

test('encoder - a Date in an interface{} value is written as time.Time', () => {
  assert.equal(encodeAny({ at: new Date(Date.UTC(2018, 4, 1, 12, 50, 7, 100)) }), '{"at":"2018-05-01T12:50:07.1Z"}');
});

test('encoder - time.Time is normalized as RFC3339Nano (all fixture 05-process cases)', () => {
  const cases: Array<[string | Date, string]> = [
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    ['2018-04-24T02:04:54.000Z', '2018-04-24T02:04:54Z'],
    ['2018-05-01T12:50:07.100000000Z', '2018-05-01T12:50:07.1Z'],
    ['2018-05-01T20:50:07.123456789+08:00', '2018-05-01T20:50:07.123456789+08:00'],
    ['2017-12-31T23:59:59.000120-07:00', '2017-12-31T23:59:59.00012-07:00'],
    ['2019-01-01T00:00:00.000000001+05:30', '2019-01-01T00:00:00.000000001+05:30'],
    ['1970-01-01T00:00:00.000999Z', '1970-01-01T00:00:00.000999Z'],
    ['2018-05-01T00:00:00+00:00', '2018-05-01T00:00:00Z'],
    ['2018-05-01T00:00:00-00:00', '2018-05-01T00:00:00Z'],
    [new Date(0), '1970-01-01T00:00:00Z'],
  ];
  for (const [input, expected] of cases) {
    assert.equal(
      encodeGo(Process, Process.parse({ StartTime: input })),
      `{"Token":"","Pid":0,"StartTime":"${expected}"}`,
    );
  }
});

test('encoder - invalid times are rejected by the schema', () => {
  for (const bad of [
    '2018-02-30T00:00:00Z',
    '2018-01-01T24:00:00Z',
    '2018-01-01 00:00:00Z',
    '2018-01-01T00:00:00',
    '2018-01-01T00:00:00.1234567890Z',
  ]) {
    assert.equal(Process.safeParse({ StartTime: bad }).success, false, bad);
  }
});

test('encoder - a year outside 0-9999 fails at encode time with the Go marshal error', () => {
  const reason = 'json: error calling MarshalJSON for type time.Time: Time.MarshalJSON: year outside of range [0,9999]';
  marshalError(() => encodePayload('Process', { StartTime: '10000-01-01T00:00:00Z' }), reason);
  marshalError(() => marshalTime('-0001-12-31T00:00:00Z'), reason);
  assert.equal(marshalTime('0000-01-01T00:00:00Z'), '0000-01-01T00:00:00Z');
});

test('encoder - output is compact with no trailing newline', () => {
  const out = encodePayload('State', { state: 'ready' });
  assert.equal(out, '{"state":"ready","blockIndex":0,"fstype":"","hotpluggedDrive":false}');
});
