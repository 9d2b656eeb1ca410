import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { applyEdits, editsOf } from '../../src/report/text-delta.ts';
import type { EventRow } from '../../src/report/types.ts';
import { packEvents, unpackEvents } from '../../src/report/wire.ts';

const row = (seq: number, time: string, more: Partial<EventRow> = {}): EventRow => ({
  seq,
  time,
  op: 'store',
  source: 'vcstore',
  pid: 7,
  boot: 0,
  files: [[0, -1, 0]],
  ...more,
});

/** The rows as JSON sees them: what the page would get from the Node side without packing. */
const plain = (rows: EventRow[]) => JSON.parse(JSON.stringify(rows)) as EventRow[];
const roundTrip = (rows: EventRow[]) => unpackEvents(JSON.parse(JSON.stringify(packEvents(rows))) as never);

test('report wire - events come back as they went, whatever their times and fields', () => {
  const rows = [
    row(1, '2026-12-02T16:14:03.038Z', { op: 'create', containers: ['a', 'b'], files: [] }),
    row(2, '2026-12-02T16:14:03.530Z', { resource: 'state', container: 'a', size: 70, files: [[1, -1, 2]] }),
    row(3, '2026-12-02T16:14:59.999Z', { resource: 'state', size: 0 }),
    row(4, '2026-12-02T16:15:00.000Z', {
      op: 'delete',
      resources: null,
      container: 'b',
      files: [
        [1, 2, -1],
        [3, 4, -1],
      ],
    }),
    row(5, '2026-12-02T16:15:00Z', { op: 'reboot', pid: 9, boot: 1, files: [] }), // not toISOString's form
    row(6, '2026-12-02T16:14:00.001Z', {
      op: 'observe',
      source: 'restore',
      path: 'run/sb/x',
      found: 'file',
      parsed: false,
      seen: 5,
    }),
    row(9, '+012026-01-01T00:00:00.000Z', { op: 'checkpoint', files: [] }), // a year of six digits, and a gap in seq
    row(10, '1969-12-31T23:59:59.999Z', { resource: 'config', container: '' }),
  ];
  assert.deepEqual(roundTrip(rows), plain(rows));
});

test('report wire - any run of times toISOString writes comes back exactly', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), { minLength: 1, maxLength: 40 }),
      (times) => {
        const rows = times.map((ms, i) => row(i + 1, new Date(ms).toISOString()));
        assert.deepEqual(roundTrip(rows), plain(rows));
      },
    ),
  );
});

test('report wire - an event costs some 20 characters, not some 150', () => {
  const rows = Array.from({ length: 1000 }, (_, i) =>
    row(i + 1, new Date(Date.UTC(2026, 0, 1) + i * 37).toISOString(), {
      resource: 'state',
      container: ['a', 'b', 'c'][i % 3]!,
      size: 70,
      files: [[i % 3, i, i + 1]],
    }),
  );
  const packed = JSON.stringify(packEvents(rows)).length;
  assert.ok(packed < 30 * rows.length, `${packed} characters for ${rows.length} events`);
  assert.ok(JSON.stringify(rows).length > 5 * packed);
});

test('report texts - a version stored as edits from the one before comes back exactly', () => {
  const chunk = fc.string({ unit: 'binary', maxLength: 40 });
  fc.assert(
    fc.property(
      fc.array(chunk, { minLength: 1, maxLength: 30 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), chunk), { maxLength: 6 }),
      (parts, changes) => {
        const from = parts.join('"state":"running",');
        let text = from;
        for (const [at, cut, put] of changes) {
          const i = at % (text.length + 1);
          text = text.slice(0, i) + put + text.slice(i + cut);
        }
        const edits = editsOf(text, from);
        if (edits !== undefined) assert.equal(applyEdits(from, edits), text);
      },
    ),
    { numRuns: 2000 },
  );
});

test('report texts - a file with a field or two changed costs the change, not the file', () => {
  const config = (n: number, host: string) =>
    JSON.stringify({ ID: 'sb', Hostname: host, Kernel: 'k'.repeat(2000), Annotations: { generation: String(n) } });
  const from = config(119, 'host-21');
  const text = config(124, 'host-22');
  const edits = editsOf(text, from);
  assert.ok(edits !== undefined);
  assert.equal(applyEdits(from, edits), text);
  assert.ok(JSON.stringify(edits).length < 40, JSON.stringify(edits));
  // Texts with nothing in common are kept whole.
  assert.equal(editsOf('x'.repeat(100), 'y'.repeat(100)), undefined);
});
