import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

// Nothing listens on port 1: a command that tried to connect would fail with EREMOTE (or, for ship, wait forever).
const NOWHERE = 'nats://127.0.0.1:1';
const HOSTILE_PREFIXES = ['vc.*', '>', 'vcstore.>', '*', 'a b', 'x..y', '.vcstore', 'vcstore.', '', 'a\tb', 'vc/x'];
const HOSTILE_HOSTS = ['*', '>', 'a b', '', 'h/1', 'a\nb', 'x'.repeat(129)];

test('ship names - a hostile --prefix, --host or --stream is EUSAGE (exit 2) before any connection', async (t) => {
  const root = await tempDir(t, 'names');
  const store = new Store({ roots: rootsUnder(root) });
  await store.createAllResources({ id: 'sb', containers: [] });
  await store.close();
  const refused = (args: string[], what: string) => {
    // A deadline: the command that would connect first waits for the server instead of answering. Generous:
    // each run starts a CLI from its TypeScript sources, seconds on a busy machine.
    const run = spawnSync(process.execPath, [...CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 2, `${what}: ${run.signal ?? ''} ${run.stderr}`);
    assert.match(run.stderr, /EUSAGE/, what);
    assert.doesNotMatch(run.stderr, /EREMOTE|EINTERNAL/, what);
  };
  // Every value through ship; the readers and prune share the checks, so the four go through them too.
  for (const prefix of HOSTILE_PREFIXES)
    refused(['ship', '--root', root, '--to', NOWHERE, '--host', 'h1', '--prefix', prefix], `ship --prefix ${prefix}`);
  for (const prefix of ['vc.*', '>', 'a b', 'x..y']) {
    refused(['verify', '--from', NOWHERE, '--host', 'h1', '--prefix', prefix], `verify --prefix ${prefix}`);
    refused(['prune', '--root', root, '--older-than', '1d', '--from', NOWHERE, '--prefix', prefix], `prune ${prefix}`);
  }
  for (const host of HOSTILE_HOSTS)
    refused(['ship', '--root', root, '--to', NOWHERE, '--host', host], `ship --host ${JSON.stringify(host)}`);
  for (const host of ['*', '>', 'a b'])
    refused(['log', '--from', NOWHERE, '--host', host, '--sandbox', 'sb'], `log --host ${JSON.stringify(host)}`);
  for (const stream of ['A.B', 'S*', 'S>', 'a b', 'x/y'])
    refused(['ship', '--root', root, '--to', NOWHERE, '--host', 'h1', '--stream', stream], `ship --stream ${stream}`);
});
