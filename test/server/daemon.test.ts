import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { lstat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { call, startServe } from '../helpers/serve.ts';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';

const run = promisify(execFile);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
      env: { ...process.env, VCSTORE_LOCK_STALE_MS: '2000' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('daemon - socket is 0660, a second daemon on the root is refused, SIGTERM removes the socket', async (t) => {
  const root = await tempDir(t, 'daemon');
  const serve = await startServe(root);
  try {
    const info = await lstat(serve.socket);
    assert.ok(info.isSocket());
    assert.equal(info.mode & 0o777, 0o660);
    const same = await cli(['serve', '--root', root]);
    assert.equal(same.code, 3);
    assert.match(same.stderr, /EDAEMON: another vcstore serve is listening on/);
    // Another socket, same root: the root's lock refuses it.
    const other = await cli(['serve', '--root', root, '--socket', path.join(root, 'other.sock')]);
    assert.equal(other.code, 3);
    assert.match(other.stderr, /EDAEMON: another vcstore serve holds this root/);
    assert.equal((await call(serve.socket, 'GET', '/v1/health')).status, 200);
  } finally {
    assert.equal(await serve.stop(), 0);
    await assert.rejects(lstat(serve.socket), { code: 'ENOENT' });
  }
});

test('daemon - a stale socket file left by a killed daemon is replaced', async (t) => {
  const root = await tempDir(t, 'daemon');
  const first = await startServe(root);
  await first.kill();
  assert.ok((await lstat(first.socket)).isSocket(), 'SIGKILL leaves the socket file');
  const second = await startServe(root);
  assert.equal((await call(second.socket, 'GET', '/v1/health')).json().status, 'ok');
  assert.equal(await second.stop(), 0);
});

test('daemon - --listen takes loopback addresses only, a socket path must fit in sun_path', async (t) => {
  const root = await tempDir(t, 'daemon');
  const long = await cli(['serve', '--root', root, '--socket', path.join(root, 'x'.repeat(120), 's.sock')]);
  assert.equal(long.code, 3);
  assert.match(long.stderr, /EDAEMON: socket path .* bytes: the limit is 107/);
  const refused = await cli(['serve', '--root', root, '--listen', '0.0.0.0:7070']);
  assert.equal(refused.code, 3);
  assert.match(refused.stderr, /only loopback addresses/);
  const serve = await startServe(root, ['--listen', '127.0.0.1:0']);
  const url = /and (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.stdout())?.[1];
  assert.ok(url, serve.stdout());
  const status = await new Promise<number>((resolve, reject) =>
    http.get(`${url}/v1/health`, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject),
  );
  assert.equal(status, 200);
  assert.equal(await serve.stop(), 0);
});

test('daemon - SIGTERM lets an in-flight store finish before the journals close', async (t) => {
  const root = await tempDir(t, 'daemon');
  const serve = await startServe(root);
  await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb1' });
  const stores = Array.from({ length: 20 }, (_, i) =>
    call(serve.socket, 'POST', '/v1/storeAgentState', { sandboxID: 'sb1', value: { i } }).catch(() => undefined),
  );
  // Signalled while the stores are in flight: the ones the server answered with 200 are durable.
  serve.child.kill('SIGTERM');
  const answers = await Promise.all(stores);
  assert.equal(await serve.stop(), 0);
  const acked = answers.filter((a) => a?.status === 200).map((a) => a!.json().seq as number);
  const seqs = new Set<number>();
  for await (const e of readEvents(journalFile(rootsUnder(root), 'sb1'))) seqs.add(e.seq);
  for (const seq of acked) assert.ok(seqs.has(seq), `acknowledged event ${seq} missing`);
  for (const a of answers)
    if (a && a.status !== 200) assert.equal(a.json().code !== undefined, true, `${a.status} ${a.text}`);
});

test('daemon - a CLI writer and the daemon on the same root stay correct', async (t) => {
  const root = await tempDir(t, 'daemon');
  const serve = await startServe(root);
  try {
    await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb1', containerIDs: ['c1'] });
    // The CLI applies ops to the same sandbox while the daemon writes it.
    const ops = path.join(root, 'ops.json');
    const cliOps = Array.from({ length: 10 }, (_, i) => ({
      method: 'storeHypervisorState',
      sandboxID: 'sb1',
      goType: 'map[string]interface {}',
      data: { cli: i },
    }));
    await writeFile(ops, JSON.stringify(cliOps));
    const daemonWrites = (async () => {
      for (let i = 0; i < 10; i++) {
        const answer = await call(serve.socket, 'POST', '/v1/storeAgentState', {
          sandboxID: 'sb1',
          value: { daemon: i },
        });
        assert.equal(answer.status, 200, answer.text);
      }
    })();
    const applied = await cli(['apply', '--root', root, ops]);
    await daemonWrites;
    assert.equal(applied.code, 0, applied.stderr);
    // The daemon sees the CLI's events before its next write, and everything chains.
    const last = await call(serve.socket, 'POST', '/v1/storeSandboxResource', {
      sandboxID: 'sb1',
      resource: 'state',
      data: { type: 'State', value: { state: 'ready' } },
    });
    assert.equal(last.json().seq, 22);
    const fetched = await call(serve.socket, 'GET', '/v1/fetchHypervisorState?sandboxID=sb1');
    assert.equal(fetched.text, '{"cli":9}');
    const verify = await call(serve.socket, 'GET', '/v1/verify');
    assert.equal(verify.json().consistent, true, verify.text);
    const cliVerify = await cli(['verify', '--root', root]);
    assert.equal(cliVerify.code, 0, cliVerify.stdout);
  } finally {
    await serve.stop();
  }
});
