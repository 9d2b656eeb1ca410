import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { applyOps, CLI } from '../helpers/cli.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

interface Running {
  child: ChildProcess;
  out: () => string;
  err: () => string;
}

/** The CLI as a service manager runs it: no VCSTORE_LOG, no --log-level. */
function start(args: string[]): Running {
  const env = { ...process.env };
  delete env.VCSTORE_LOG;
  const child = spawn(process.execPath, [...CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err };
}

/** stderr as journald keeps it: one JSON object per line, nothing else. */
function logLines(stderr: string): Array<{ level: number; msg: string; pid: number }> {
  return stderr
    .trimEnd()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        assert.fail(`a stderr line is not a JSON log line: ${line}`);
      }
    });
}

async function stopped(run: Running, signal: NodeJS.Signals): Promise<number | null> {
  const exit = once(run.child, 'exit');
  run.child.kill(signal);
  const [code] = await exit;
  return code as number | null;
}

test('service logs - serve logs its start and stop at info by default, one JSON line each', async (t) => {
  const root = await tempDir(t, 'serve-logs');
  const serve = start(['serve', '--root', root]);
  await waitFor(() => serve.out().includes('listening on'), {
    what: 'serve to listen',
    detail: serve.err,
    hopeless: () => (serve.child.exitCode !== null ? `serve exited: ${serve.err()}` : undefined),
  });
  await waitFor(() => logLines(serve.err()).some((l) => l.msg === 'serving'), {
    what: 'the serving log line',
    detail: serve.err,
  });
  assert.equal(await stopped(serve, 'SIGTERM'), 0, serve.err());
  const msgs = logLines(serve.err()).map((l) => l.msg);
  for (const expected of ['serving', 'stopping: draining requests', 'stopped']) {
    assert.ok(msgs.includes(expected), `no "${expected}" line in ${serve.err()}`);
  }
  for (const line of logLines(serve.err())) assert.equal(line.pid, serve.child.pid);
});

test('service logs - watch logs its start and stop by default; a one-shot command stays silent', async (t) => {
  const root = await tempDir(t, 'watch-logs');
  const watch = start(['watch', '--root', root]);
  await waitFor(() => logLines(watch.err()).some((l) => l.msg === 'watching'), {
    what: 'the watching log line',
    detail: watch.err,
    hopeless: () => (watch.child.exitCode !== null ? `watch exited: ${watch.err()}` : undefined),
  });
  assert.equal(await stopped(watch, 'SIGINT'), 0, watch.err());
  assert.ok(
    logLines(watch.err()).some((l) => l.msg === 'stopped watching'),
    watch.err(),
  );

  const list = start(['list', '--root', root]);
  const [code] = await once(list.child, 'exit');
  assert.equal(code, 0, list.err());
  assert.equal(list.err(), '', 'a one-shot command logs nothing unless asked');
});

test('service logs - ship logs at info and draws its progress on a terminal', { timeout: 120_000 }, async (t) => {
  if (skipWithoutNats(t)) return;
  const root = await tempDir(t, 'ship-logs');
  const ops = [
    { method: 'createAllResources', sandboxID: 'sb', data: { sandboxID: 'sb', containerIDs: [] } },
    ...Array.from({ length: 5 }, (_, i) => ({
      method: 'storeSandboxResource',
      sandboxID: 'sb',
      resource: 'state',
      goType: 'virtcontainers.State',
      data: { state: `s${i}` },
    })),
  ];
  const applied = applyOps(root, ops);
  assert.equal(applied.code, 0, applied.stderr);
  const nats = await natsCluster();
  t.after(() => nats.close());
  const env = { ...process.env };
  delete env.VCSTORE_LOG;
  const command = [process.execPath, ...CLI, 'ship', '--root', root, '--to', nats.urls, '--host', 'h1']
    .map((a) => `'${a}'`)
    .join(' ');
  // script(1) gives the command a terminal: the bar is drawn there, and ^C on it is SIGINT
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  await waitFor(() => /shipping \[#+\] 100% · 6\/6 events/.test(screen), {
    what: 'the bar to show every event shipped',
    timeout: 60_000,
    detail: () => screen,
    hopeless: () => (child.exitCode !== null ? `ship exited: ${screen}` : undefined),
  });
  const exit = once(child, 'exit');
  child.stdin.write('\x03');
  await exit;
  const logs = screen
    .split(/\r?\n|\r/)
    .map((l) => l.replaceAll('\x1b[K', ''))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg: string });
  assert.ok(
    logs.some((l) => l.msg === 'shipping'),
    screen,
  );
  assert.ok(
    logs.some((l) => l.msg === 'stopped shipping'),
    screen,
  );
});
