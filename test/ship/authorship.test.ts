import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect, headers } from '@nats-io/transport-node';
import stringify from 'fast-json-stable-stringify';
import { rootsUnder } from '../../src/layout/roots.ts';
import { hashBody } from '../../src/journal/record.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { sandboxSubject } from '../../src/ship/subject.ts';
import { keyIdOf, rawPublicKey, signature, SIG_HEADER } from '../../src/ship/trust.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { vcstore } from '../helpers/cli.ts';
import { events } from '../helpers/store.ts';
import { tempDir } from '../helpers/temp.ts';
import { busySandbox, heads } from './support.ts';

/** How each host's history is forged: one chained record appended by someone who may publish on the stream. */
const FORGERIES: Record<string, (body: Buffer, forger: KeyObject, other: KeyObject) => string | undefined> = {
  // a signature header naming the host's key ID, made with a key that is not the host's
  'host.forged': (body, forger) => signature(forger, '0123456789abcdef', 'host.forged', body),
  // no signature at all
  'host.unsigned': () => undefined,
  // a valid signature, by another host's key (host.b is in the trust file)
  'host.other': (body, _forger, other) => signature(other, keyIdOf(rawPublicKey(other)), 'host.other', body),
};

test("ship authorship - a chained forgery, an unsigned record and another host's signature are refused by verify, show and restore", async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const dir = await tempDir(t, 'authorship');
  const nc = await connect({ servers: nats.urls.split(',') });
  try {
    const trustLines: string[] = [];
    for (const host of Object.keys(FORGERIES)) {
      const root = path.join(dir, host);
      const roots = rootsUnder(root);
      const store = new Store({ roots });
      await busySandbox(store, 'sb', { rounds: 2 });
      await store.close();
      const shipper = await startShipper({ servers: nats.urls, roots, host, pollMs: 20 });
      await shipper.caughtUp(await heads(roots)).finally(() => shipper.stop());
      const keys = vcstore(['keys', '--root', root, '--host', host]);
      assert.equal(keys.code, 0, keys.stderr);
      trustLines.push(keys.stdout.trim());
    }
    const other = vcstore(['keys', '--root', path.join(dir, 'host.b'), '--host', 'host.b']);
    trustLines.push(other.stdout.trim());
    const trust = path.join(dir, 'trust');
    await writeFile(trust, `# host ed25519:<public key>, from vcstore keys\n${trustLines.join('\n')}\n`);
    const from = (host: string) => ['--from', nats.urls, '--host', host, '--trust', trust];

    // Untouched, each history reads back clean and signed.
    for (const host of Object.keys(FORGERIES)) {
      const clean = vcstore(['verify', ...from(host)]);
      assert.equal(clean.code, 0, clean.stdout + clean.stderr);
      assert.match(clean.stdout, /^sb: ok, 5 events/m);
    }

    const forger = generateKeyPairSync('ed25519').privateKey;
    const hostB = createPrivateKey(await readFile(path.join(dir, 'host.b/var/lib/virtcontainers/vcstore-ship.key')));
    for (const [host, forge] of Object.entries(FORGERIES)) {
      const last = (await events(rootsUnder(path.join(dir, host)), 'sb')).at(-1)!;
      const next = { ...last, seq: last.seq + 1, prev: hashBody(Buffer.from(stringify(last))) };
      const body = Buffer.from(stringify(next));
      const sig = forge(body, forger, hostB);
      const h = headers();
      if (sig !== undefined) h.set(SIG_HEADER, sig);
      const ack = await jetstream(nc).publish(sandboxSubject('vcstore', host, 'sb'), body, { headers: h });
      const named = new RegExp(`EUNTRUSTED.* message ${ack.seq}: `);

      const verify = vcstore(['verify', ...from(host)]);
      assert.equal(verify.code, 1, `${host}: ${verify.stdout}`);
      assert.match(verify.stdout, named, host);
      const show = vcstore(['show', ...from(host), '--sandbox', 'sb', '--resource', 'state']);
      assert.equal(show.code, 3, `${host}: ${show.stderr}`);
      assert.match(show.stderr, named, host);
      const restored = path.join(dir, `restored-${host}`);
      const restore = vcstore(['restore', ...from(host), '--root', restored]);
      assert.equal(restore.code, 3, `${host}: ${restore.stderr}`);
      assert.match(restore.stderr, named, host);
      // The chain alone accepts each forgery: this is what the signatures add.
      const unchecked = vcstore(['verify', '--from', nats.urls, '--host', host]);
      assert.equal(unchecked.code, 0, `${host}: ${unchecked.stdout}`);
      assert.match(unchecked.stderr, /no --trust file/);
    }
    const why = (host: string) => vcstore(['verify', ...from(host)]).stdout;
    assert.match(why('host.forged'), /signed by key 0123456789abcdef, not a key of host host\.forged/);
    assert.match(why('host.unsigned'), /unsigned \(no Vcstore-Sig header\)/);
    assert.match(why('host.other'), /signed by key [0-9a-f]{16}, not a key of host host\.other/);
  } finally {
    await nc.close();
    await nats.close();
  }
});
