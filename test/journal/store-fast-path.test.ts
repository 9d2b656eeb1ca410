import assert from 'node:assert/strict';
import test from 'node:test';
import { canonicalBody, encodeEvent, eventSchema, type EventInput } from '../../src/journal/record.ts';

// A small seeded generator: the same events on every run.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const PIECES = [
  'a',
  'Z',
  '0',
  ' ',
  '"',
  '\\',
  '\n',
  '\u0000',
  '\u001f',
  '<',
  '>',
  '&',
  '\u2028',
  'é',
  '😀',
  '\ud800',
  '\udc00',
  '{',
  '}',
];

function text(next: () => number, max: number): string {
  let s = '';
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

const hex64 = (next: () => number) =>
  Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(next() * 16)]).join('');

test('journal - a store event is checked and written exactly as the schema and the stable stringifier would', () => {
  const next = rng(24);
  for (let i = 0; i < 2000; i++) {
    const input: Record<string, unknown> = { op: 'store', sandbox: text(next, 12) };
    if (next() < 0.7) input.resource = text(next, 8);
    if (next() < 0.8) input.payload = text(next, 200);
    if (next() < 0.4) input.container = text(next, 8);
    if (next() < 0.1) input.payload = undefined;
    const filled = {
      seq: 1 + Math.floor(next() * 2 ** 40),
      time: new Date(Math.floor(next() * 4e12)).toISOString(),
      pid: Math.floor(next() * 2 ** 22),
      boot: text(next, 10) || 'b',
      prev: next() < 0.1 ? '' : hex64(next),
    };
    const { event, body } = encodeEvent(input as EventInput, filled, 'f');
    const fields: Record<string, unknown> = { ...input, ...filled, v: 1 };
    for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
    const general = eventSchema.parse(fields);
    assert.equal(JSON.stringify(event), JSON.stringify(general), 'the event, its fields in the same order');
    assert.deepEqual(body, canonicalBody(general), 'the canonical bytes');
  }
});

test('journal - a store event the schema refuses is refused', () => {
  const input = { op: 'store', sandbox: 'sb', resource: 'state', payload: '{}' } as EventInput;
  const filled = { seq: 1, time: '2026-12-02T10:00:00.000Z', pid: 1, boot: 'b', prev: '' };
  const bad: Array<[string, EventInput, typeof filled]> = [
    ['seq 0', input, { ...filled, seq: 0 }],
    ['a fractional seq', input, { ...filled, seq: 1.5 }],
    ['a negative pid', input, { ...filled, pid: -1 }],
    ['an empty boot', input, { ...filled, boot: '' }],
    ['a time without milliseconds', input, { ...filled, time: '2026-12-02T10:00:00Z' }],
    ['an upper-case prev', input, { ...filled, prev: 'A'.repeat(64) }],
    ['an unknown field', { ...input, extra: 1 } as unknown as EventInput, filled],
    ['a payload that is not text', { ...input, payload: 1 } as unknown as EventInput, filled],
  ];
  for (const [why, i, f] of bad) assert.throws(() => encodeEvent(i, f, 'f'), { code: 'EPAYLOAD' }, why);
});
