import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { packageCopy, type PackageCopy } from '../helpers/package-copy.ts';
import { call } from '../helpers/serve.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const NAME = `vcstore-${process.platform}-${process.arch}`;
let BINARY = '';
let copy: PackageCopy | undefined;
after(async () => copy?.remove());
const run = promisify(execFile);

// No Node.js anywhere the executable could look: PATH names no folder at all.
const NO_NODE = { PATH: '/nonexistent', HOME: '/nonexistent' };

/**
 * Built once for this file (the build:sea steps after tsc: the CommonJS bundle, the blob, postject),
 * in a copy of the package: other test files read the checkout's dist/ meanwhile.
 */
before(async () => {
  copy = await packageCopy('sea-src');
  await run(process.execPath, ['src/build/bundle.mjs', '--sea'], { cwd: copy.dir, env: copy.env });
  await run(process.execPath, ['src/build/sea.mjs'], { cwd: copy.dir, env: copy.env, maxBuffer: 1 << 24 });
  BINARY = path.join(copy.dir, 'dist', NAME);
  const size = (await stat(BINARY)).size;
  console.log(`# single executable: dist/${NAME}, ${(size / 1e6).toFixed(0)} MB`);
});

const vcstore = (args: string[], cwd: string, input?: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(BINARY, args, { cwd, env: NO_NODE, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });

test('single executable - --version, demo and apply run with no node on PATH', { timeout: 300_000 }, async (t) => {
  const cwd = await tempDir(t, 'sea');
  const version = await vcstore(['--version'], cwd);
  assert.equal(version.code, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\njournal format: reads records v1, v2; .*\ncommit: [0-9a-f]{40}\n$/);

  const demo = await vcstore(['demo'], cwd);
  assert.equal(demo.code, 0, `${demo.stdout}${demo.stderr}`);
  assert.match(demo.stdout, /The tree is under /);

  const ops = [{ method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: [] } }];
  const apply = await vcstore(['apply', '--root', path.join(cwd, 'root'), '-'], cwd, JSON.stringify(ops));
  assert.equal(apply.code, 0, apply.stderr);
  assert.equal(JSON.parse(apply.stdout).result.seq, 1);

  const bad = await vcstore(['--frob'], cwd);
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr, "vcstore: EUSAGE: unknown option '--frob'\n");
});

test('single executable - serve answers over its socket and stops on SIGTERM', { timeout: 120_000 }, async (t) => {
  const root = await tempDir(t, 'sea-serve');
  const socket = path.join(root, 'run/vcstore/vcstore.sock');
  const child = spawn(BINARY, ['serve', '--root', root], { env: NO_NODE, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  await waitFor(() => out.includes('listening on'), {
    what: 'the executable to serve',
    detail: () => err,
    hopeless: () => (child.exitCode !== null ? `it exited: ${err}` : undefined),
  });
  const created = await call(socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb1', containerIDs: [] });
  assert.equal(created.status, 200, created.text);
  const health = await call(socket, 'GET', '/v1/health');
  assert.equal(health.json().status, 'ok');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, err);
  assert.ok(
    err.split('\n').some((l) => l.includes('"msg":"serving"')),
    `no start log line: ${err}`,
  );
});
