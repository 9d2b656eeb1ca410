import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { parseDuration } from '../../src/ship/duration.ts';
import { DEFAULT_STREAM, misfit } from '../../src/ship/stream.ts';
import { decodeToken, encodeToken, sandboxOfSubject, sandboxSubject } from '../../src/ship/subject.ts';

test('ship subject - IDs with dots and other bytes are encoded reversibly into one token', () => {
  for (const id of ['sb1', 'sb.1', 'a.b.c', '..', '100%', 'x+y_z-w', 'é*>', ' ']) {
    const token = encodeToken(id);
    assert.match(token, /^(?:[A-Za-z0-9_+-]|%[0-9A-F]{2})+$/, id);
    assert.equal(decodeToken(token), id);
  }
  assert.equal(encodeToken('sb.1'), 'sb%2E1');
  assert.equal(sandboxSubject('vcstore', 'h.1', 'sb.1'), 'vcstore.h%2E1.sb%2E1');
  assert.equal(sandboxOfSubject('vcstore.h%2E1.sb%2E1'), 'sb.1');
  assert.throws(() => decodeToken('sb.1'), { code: 'ESTREAM' });
  assert.throws(() => decodeToken('sb%2'), { code: 'ESTREAM' });
});

test('ship stream - a stream that could drop, lose or re-admit events does not fit', () => {
  const good = {
    name: 'VCSTORE',
    subjects: ['vcstore.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: 1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    duplicate_window: 600e9,
    sealed: false,
  } as StreamConfig;
  assert.deepEqual(misfit(good, DEFAULT_STREAM, 'vcstore.>'), []);
  const bad = (change: Partial<StreamConfig>) => misfit({ ...good, ...change }, DEFAULT_STREAM, 'vcstore.>');
  assert.match(bad({ storage: StorageType.Memory }).join(), /storage is memory/);
  assert.match(bad({ num_replicas: 3 }).join(), /3 replicas, not 1/);
  assert.match(bad({ retention: RetentionPolicy.Workqueue }).join(), /retention/);
  assert.match(bad({ subjects: ['other.>'] }).join(), /do not include vcstore\.>/);
  assert.match(bad({ max_age: 3600e9 }).join(), /max_age 3600 s/);
  assert.match(bad({ max_msgs_per_subject: 100 }).join(), /max_msgs_per_subject/);
  assert.match(bad({ duplicate_window: 120e9 }).join(), /duplicate window 120000 ms/);
});

test('ship prune - durations: units, sums, and nonsense refused', () => {
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('1d12h'), 36 * 3_600_000);
  assert.equal(parseDuration('0s'), 0);
  for (const bad of ['', '12', '1y', '1h ', '-1h']) assert.throws(() => parseDuration(bad), { code: 'EUSAGE' }, bad);
});
