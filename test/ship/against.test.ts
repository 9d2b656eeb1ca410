import assert from 'node:assert/strict';
import { cp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { startShipper } from '../../src/ship/shipper.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { vcstore } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { busySandbox, heads, HOST } from './support.ts';

test('verify --against - a journal rewritten end to end with a valid chain passes verify, not the stream', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster();
  const dir = await tempDir(t, 'against');
  const [root, forger] = [path.join(dir, 'host'), path.join(dir, 'forger')];
  try {
    const roots = rootsUnder(root);
    const store = new Store({ roots });
    await busySandbox(store, 'sb', { rounds: 3 });
    await busySandbox(store, 'quiet', { rounds: 1 });
    await store.close();
    const shipper = await startShipper({ servers: nats.urls, roots, host: HOST, pollMs: 20 });
    await shipper.caughtUp(await heads(roots)).finally(() => shipper.stop());
    const trust = path.join(dir, 'trust');
    await writeFile(trust, vcstore(['keys', '--root', root, '--host', HOST]).stdout);
    const against = ['verify', '--root', root, '--against', nats.urls, '--host', HOST, '--trust', trust];

    const clean = vcstore(against);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /^sb: matches the stream \(7 of 7 events shipped\)$/m);

    // Written after shipping stopped: lag, not a finding.
    const more = new Store({ roots });
    await more.storeSandboxResource('quiet', 'state', { type: 'State', value: { state: 'ready' } });
    await more.close();
    assert.match(vcstore(against).stdout, /^quiet: matches the stream \(3 of 4 events shipped\)$/m);

    // The same story told again elsewhere, then put in place of the host's journal, tree and all.
    const other = new Store({ roots: rootsUnder(forger) });
    await busySandbox(other, 'sb', { rounds: 3 });
    await other.close();
    const folder = (r: string) => path.dirname(journalFile(rootsUnder(r), 'sb'));
    await rm(folder(root), { recursive: true });
    await cp(folder(forger), folder(root), { recursive: true });
    const local = vcstore(['verify', '--root', root, '--sandbox', 'sb']);
    assert.equal(local.code, 0, `a valid chain: the local check cannot tell\n${local.stdout}`);

    const found = vcstore(against);
    assert.equal(found.code, 1, found.stdout + found.stderr);
    assert.match(
      found.stdout,
      /^sb: differs from the stream: event 1 differs from the stream's copy \(message \d+\)$/m,
    );
    assert.match(found.stdout, /^quiet: matches/m);
  } finally {
    await nats.close();
  }
});
