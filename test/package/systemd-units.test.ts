import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmod, lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI } from '../helpers/cli.ts';
import { call } from '../helpers/serve.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const UNITS = path.join(ROOT, 'docs/systemd');
const BINARY = '/usr/local/bin/vcstore';
const NAMES = ['vcstore.service', 'vcstore-watch.service', 'vcstore-ship.service'];
const run = promisify(execFile);

const hasAnalyze = () => spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

/** A unit's `Key=value` lines of its [Service] section. */
function serviceKeys(text: string): Map<string, string> {
  const section = text.slice(text.indexOf('[Service]'), text.indexOf('[Install]'));
  return new Map(
    section
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as [string, string]),
  );
}

test('systemd units - the package ships the three units, hardened, each running the one binary path', async () => {
  const shipped = (await readdir(UNITS)).filter((f) => /\.(service|socket)$/.test(f)).sort();
  assert.deepEqual(shipped, [...NAMES, 'vcstore.socket'].sort());
  for (const name of NAMES) {
    const text = await readFile(path.join(UNITS, name), 'utf8');
    const keys = serviceKeys(text);
    assert.match(keys.get('ExecStart') ?? '', new RegExp(`^${BINARY} (serve|watch|ship) `), name);
    assert.equal(keys.get('User'), 'vcstore', name);
    assert.equal(keys.get('Group'), 'vcstore', name);
    assert.equal(keys.get('ProtectSystem'), 'strict', name);
    assert.equal(keys.get('NoNewPrivileges'), 'yes', name);
    assert.equal(keys.get('PrivateTmp'), 'yes', name);
    assert.equal(keys.get('CapabilityBoundingSet'), '', name);
    assert.ok(keys.get('ReadWritePaths'), `${name} has no ReadWritePaths`);
    assert.equal(keys.get('KillSignal'), 'SIGTERM', name);
  }
  const serve = serviceKeys(await readFile(path.join(UNITS, 'vcstore.service'), 'utf8'));
  assert.deepEqual(
    serve.get('ReadWritePaths')?.split(' ').sort(),
    ['/run/virtcontainers/sandboxes', '/var/lib/virtcontainers/journal', '/var/lib/virtcontainers/sandboxes'],
    'the daemon writes the three roots and nothing else (its socket folder is its RuntimeDirectory)',
  );
  const install = await readFile(path.join(UNITS, 'README.md'), 'utf8');
  assert.ok(
    install.includes(`install -m 0755 dist/vcstore-linux-x64 ${BINARY}`),
    'README says how to install it there',
  );
});

test('systemd units - systemd-analyze verify accepts each unit', async (t) => {
  if (!hasAnalyze()) {
    t.skip('needs systemd-analyze (apt-get install -y systemd)');
    return;
  }
  // verify wants ExecStart's binary to exist: a copy of the units pointing at a stub
  const dir = await tempDir(t, 'units');
  const stub = path.join(dir, 'vcstore');
  await writeFile(stub, '#!/bin/sh\n');
  await chmod(stub, 0o755);
  const copies: string[] = [];
  for (const name of [...NAMES, 'vcstore.socket']) {
    const text = await readFile(path.join(UNITS, name), 'utf8');
    await writeFile(path.join(dir, name), text.replaceAll(BINARY, stub));
    copies.push(path.join(dir, name));
  }
  const verdict = await run('systemd-analyze', ['verify', ...copies]).catch(
    (err: { code: number; stdout: string; stderr: string }) => err,
  );
  const said = `${verdict.stdout}${verdict.stderr}`;
  assert.ok(!('code' in verdict) || verdict.code === 0, said);
  const aboutOurs = said.split('\n').filter((l) => /vcstore[\w-]*\.(service|socket)/.test(l));
  assert.deepEqual(aboutOurs, [], `systemd-analyze warned about the units:\n${said}`);
});

test('systemd units - the docs quote the shipped files exactly', async () => {
  const quoted = new Map<string, string>();
  for (const doc of ['docs/api.md', 'docs/adoption.md', 'docs/fleet.md']) {
    const text = await readFile(path.join(ROOT, doc), 'utf8');
    for (const [, block] of text.matchAll(/```ini\n([\s\S]*?)```/g)) {
      if (!block?.includes('[Service]')) continue;
      const name = NAMES.find((n) =>
        block.includes(`ExecStart=${BINARY} ${n === 'vcstore.service' ? 'serve' : n.slice(8, -8)}`),
      );
      assert.ok(name, `${doc} quotes a unit that is not one of docs/systemd:\n${block}`);
      assert.equal(block, await readFile(path.join(UNITS, name), 'utf8'), `${doc}: ${name} differs from the file`);
      quoted.set(name, doc);
    }
  }
  assert.deepEqual([...quoted.keys()].sort(), [...NAMES].sort(), 'every unit is shown in the docs');
});

test('systemd units - serve listens on the socket systemd passes (socket activation), and leaves it to systemd', async (t) => {
  if (spawnSync('sh', ['-c', 'command -v systemd-socket-activate']).status !== 0) {
    t.skip('needs systemd-socket-activate (apt-get install -y systemd)');
    return;
  }
  const root = await tempDir(t, 'activation');
  const socket = path.join(root, 'activated.sock');
  // systemd-socket-activate binds the socket, then execs serve with it as fd 3 and LISTEN_PID=its pid
  const child = spawn(
    'systemd-socket-activate',
    ['-l', socket, process.execPath, ...CLI, 'serve', '--root', root, '--socket', socket],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  await waitFor(async () => (await lstat(socket).catch(() => undefined)) !== undefined, {
    what: 'the socket',
    detail: () => err,
  });
  // The first connection starts the daemon; it answers on the socket it was given.
  const health = await call(socket, 'GET', '/v1/health');
  assert.equal(health.json().status, 'ok', health.text);
  await waitFor(() => out.includes(`listening on ${socket}`), { what: 'the readiness line', detail: () => err });
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, err);
  assert.ok(err.includes('"msg":"serving"'), err);
});
