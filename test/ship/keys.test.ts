import assert from 'node:assert/strict';
import { chmod, lstat, rename, symlink } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { vcstore } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

test('ship keys - made once, mode 0600, outside the journal root; a key readable by others or behind a link is refused', async (t) => {
  const root = await tempDir(t, 'keys');
  const file = path.join(root, 'var/lib/virtcontainers/vcstore-ship.key');
  const first = vcstore(['keys', '--root', root, '--host', 'node-17']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^node-17 ed25519:[A-Za-z0-9+/]{43}=\n$/);
  assert.equal((await lstat(file)).mode & 0o777, 0o600);
  assert.equal(vcstore(['keys', '--root', root, '--host', 'node-17']).stdout, first.stdout, 'the same key again');
  const elsewhere = path.join(root, 'elsewhere.key');
  const env = vcstore(['keys', '--root', root, '--host', 'node-17'], { env: { VCSTORE_SHIP_KEY: elsewhere } });
  assert.notEqual(env.stdout, first.stdout, 'VCSTORE_SHIP_KEY names another key');
  assert.equal((await lstat(elsewhere)).mode & 0o777, 0o600);

  await chmod(file, 0o640);
  const open = vcstore(['keys', '--root', root, '--host', 'node-17']);
  assert.equal(open.code, 2, open.stderr);
  assert.match(open.stderr, /EUSAGE: .*readable by others \(mode 640\)/);
  await chmod(file, 0o600);
  await rename(file, `${file}.real`);
  await symlink(`${file}.real`, file);
  const linked = vcstore(['keys', '--root', root, '--host', 'node-17']);
  assert.equal(linked.code, 2, linked.stderr);
  assert.match(linked.stderr, /EUSAGE: .*must be a regular file, not a link/);
});
