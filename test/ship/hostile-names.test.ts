import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStoreError } from '../../src/errors.ts';
import { rootsUnder } from '../../src/layout/roots.ts';
import { checkHostId } from '../../src/ship/host-id.ts';
import { checkPrefix, checkStreamName } from '../../src/ship/subject.ts';
import { Store } from '../../src/store/store.ts';
import { vcstoreAsync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

// Nothing listens on port 1: a command that tried to connect would fail with EREMOTE (or, for ship, wait forever).
const NOWHERE = 'nats://127.0.0.1:1';
const HOSTILE_PREFIXES = ['vc.*', '>', 'vcstore.>', '*', 'a b', 'x..y', '.vcstore', 'vcstore.', '', 'a\tb', 'vc/x'];
const HOSTILE_HOSTS = ['*', '>', 'a b', '', 'h/1', 'a\nb', 'x'.repeat(129)];
const HOSTILE_STREAMS = ['A.B', 'S*', 'S>', 'a b', 'x/y', '', 'x'.repeat(65)];

test('ship names - every hostile prefix, host ID and stream name is refused by its check with EUSAGE', () => {
  const checks: Array<[(value: string) => string, string[]]> = [
    [checkPrefix, HOSTILE_PREFIXES],
    [checkHostId, HOSTILE_HOSTS],
    [checkStreamName, HOSTILE_STREAMS],
  ];
  for (const [check, values] of checks)
    for (const value of values)
      assert.throws(
        () => check(value),
        (err) => isStoreError(err, 'EUSAGE'),
        `${check.name}(${JSON.stringify(value)})`,
      );
  assert.equal(checkPrefix('vcstore.prod-1'), 'vcstore.prod-1');
  assert.equal(checkHostId('h1.example'), 'h1.example');
  assert.equal(checkStreamName('VCSTORE_1'), 'VCSTORE_1');
});

test('ship names - a hostile --prefix, --host or --stream is EUSAGE (exit 2) before any connection', async (t) => {
  const root = await tempDir(t, 'names');
  const store = new Store({ roots: rootsUnder(root) });
  await store.createAllResources({ id: 'sb', containers: [] });
  await store.close();
  // A deadline: the command that would connect first waits for the server instead of answering.
  const refused = async (args: string[], what: string) => {
    const run = await vcstoreAsync(args, { timeout: 60_000 });
    assert.equal(run.code, 2, `${what}: ${run.signal ?? ''} ${run.stderr}`);
    assert.match(run.stderr, /EUSAGE/, what);
    assert.doesNotMatch(run.stderr, /EREMOTE|EINTERNAL/, what);
  };
  // Each command and option that takes a name, with values of each kind (wildcards, spaces, empty, too long):
  // the checks above see every value, these show that every command runs them before it connects.
  await Promise.all([
    ...['>', 'a b', '', 'vc/x'].map((prefix) =>
      refused(['ship', '--root', root, '--to', NOWHERE, '--host', 'h1', '--prefix', prefix], `ship --prefix ${prefix}`),
    ),
    refused(['verify', '--from', NOWHERE, '--host', 'h1', '--prefix', 'vc.*'], 'verify --prefix vc.*'),
    refused(['prune', '--root', root, '--older-than', '1d', '--from', NOWHERE, '--prefix', 'x..y'], 'prune x..y'),
    ...['*', 'a\nb', 'x'.repeat(129)].map((host) =>
      refused(['ship', '--root', root, '--to', NOWHERE, '--host', host], `ship --host ${JSON.stringify(host)}`),
    ),
    refused(['log', '--from', NOWHERE, '--host', 'a b', '--sandbox', 'sb'], 'log --host "a b"'),
    ...['S>', 'x/y'].map((stream) =>
      refused(['ship', '--root', root, '--to', NOWHERE, '--host', 'h1', '--stream', stream], `ship --stream ${stream}`),
    ),
  ]);
});
