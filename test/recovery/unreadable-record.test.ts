import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { test } from 'node:test';
import { promisify } from 'node:util';
import stringify from 'fast-json-stable-stringify';
import { bootId } from '../../src/journal/boot-id.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { journalFile } from '../../src/layout/roots.ts';
import { verifySandbox } from '../../src/recovery/verify.ts';
import { appendBytes, frame, frames, sha256 } from '../helpers/corrupt.ts';
import { CLI } from '../helpers/cli.ts';
import { Store } from '../../src/store/store.ts';
import { tempStore } from '../helpers/store.ts';

/**
 * Records with a valid frame, CRC and chain link whose content no vcstore
 * wrote: each must be reported as damage at its offset, never crash a reader.
 */
/** `schema`: the full schema refuses it on every read; otherwise only replaying it (and so opening a writer) does. */
const forged: Record<string, { fields: object; schema: boolean; opens?: boolean }> = {
  'an unknown op': { fields: { op: 'rename', sandbox: 'sb' }, schema: true },
  'a field of another op': {
    fields: { op: 'store', sandbox: 'sb', resource: 'state', payload: '{}', digest: 'ab'.repeat(32) },
    // Readers and a writer's open check what they rely on, not the whole schema (docs/journal-format.md).
    schema: false,
    opens: true,
  },
  'a version that does not match its op': {
    fields: { op: 'checkpoint', sandbox: 'sb', digest: 'ab'.repeat(32), v: 1 },
    schema: true,
  },
  // Its fields have the right types, so a raw reader reads it; replaying it cannot.
  'a resource no store writes': {
    fields: { op: 'store', sandbox: 'sb', resource: 'passwd', payload: '{}' },
    schema: false,
  },
};

for (const [what, { fields, schema, opens }] of Object.entries(forged)) {
  test(`damage - a chained record with ${what} is ECORRUPT at its offset in verify and the CLI, not a crash`, async (ctx) => {
    const t = await tempStore(ctx);
    try {
      await t.store.createAllResources({ id: 'sb' });
      await t.store.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'ready' } });
      await t.store.close();
      const file = journalFile(t.roots, 'sb');
      const last = (await frames(file)).at(-1);
      assert.ok(last);
      const offset = (await stat(file)).size;
      const event = {
        v: 1,
        seq: 3,
        time: '2026-01-01T00:00:00.000Z',
        pid: 1,
        boot: bootId(),
        prev: sha256(last.body),
        ...fields,
      };
      await appendBytes(file, frame(Buffer.from(stringify(event))));

      const verdict = await verifySandbox(t.roots, 'sb');
      assert.equal(verdict.damage?.code, 'ECORRUPT', JSON.stringify(verdict.damage));
      assert.equal(verdict.damage?.offset, offset);
      assert.equal(verdict.events, 2);
      assert.equal(verdict.consistent, false);

      const read = (async () => {
        let n = 0;
        for await (const _ of readEvents(file)) n++;
        return n;
      })();
      if (schema) await assert.rejects(read, { code: 'ECORRUPT', offset });
      else assert.equal(await read, 3, 'a raw reader reads it');

      const cli = await promisify(execFile)(process.execPath, [...CLI, 'verify', '--root', t.root, '--json']).then(
        () => assert.fail('verify of a damaged journal exits non-zero'),
        (err: { code: number; stdout: string }) => err,
      );
      assert.equal(cli.code, 1);
      const [line] = cli.stdout.split('\n');
      const reported = JSON.parse(line ?? '');
      assert.equal(reported.damage.code, 'ECORRUPT');
      assert.equal(reported.damage.offset, offset);

      const writer = new Store({ roots: t.roots });
      try {
        const next = writer.storeSandboxResource('sb', 'state', { type: 'State', value: { state: 'running' } });
        if (opens) await next;
        else await assert.rejects(next, { code: 'ECORRUPT', offset });
      } finally {
        await writer.close();
      }
    } finally {
      await t.done();
    }
  });
}
