import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { CLI } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';

const STARTS = Number(process.env.VCSTORE_SOCKET_STARTS) || 6;
/** Connection attempts the other user makes after the daemon says it listens, before that start counts as done. */
const AFTER_READY = 200;

/**
 * Connects to the socket again and again as it runs, and on every connection
 * asks to create a sandbox. Prints `answered <status line>` on any answer;
 * on `finish N` makes N more attempts, prints its tally (attempts, errors by
 * code) and exits.
 */
const PROBER = `
const net = require('node:net');
const socket = process.argv[1];
const tally = { attempts: 0, connected: 0, answered: 0, errors: {} };
let limit = Infinity;
const body = JSON.stringify({ sandboxID: 'intruder' });
const request = 'POST /v1/createAllResources HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\n' +
  'Content-Length: ' + body.length + '\\r\\nConnection: close\\r\\n\\r\\n' + body;
function attempt() {
  if (tally.attempts >= limit) { process.stdout.write(JSON.stringify(tally) + '\\n'); process.exit(0); }
  tally.attempts++;
  const conn = net.connect(socket);
  let done = false;
  const next = () => { if (!done) { done = true; conn.destroy(); setImmediate(attempt); } };
  conn.once('connect', () => { tally.connected++; conn.write(request); setTimeout(next, 5000); });
  conn.once('data', (d) => { tally.answered++; process.stdout.write('answered ' + String(d).split('\\r\\n')[0] + '\\n'); next(); });
  conn.once('error', (e) => { tally.errors[e.code] = (tally.errors[e.code] || 0) + 1; next(); });
  conn.once('close', next);
}
process.stdin.on('data', (d) => {
  const m = /finish (\\d+)/.exec(String(d));
  if (m) limit = tally.attempts + Number(m[1]);
});
process.stdout.write('ready\\n');
attempt();
`;

interface Tally {
  attempts: number;
  connected: number;
  answered: number;
  errors: Record<string, number>;
}

const isRoot = () => process.getuid?.() === 0;
const hasSetpriv = () => spawnSync('setpriv', ['--version']).status === 0;

test('daemon socket - started under umask 000, another user connecting in a loop never gets an answer', async (t) => {
  if (!isRoot()) return t.skip('needs root, to run the connecting side as user nobody');
  if (!hasSetpriv()) return t.skip('setpriv is missing (Debian package util-linux)');
  const dir = await tempDir(t, 'socket-umask');
  chmodSync(dir, 0o755); // every ancestor is searchable by nobody: only the socket's own mode keeps it out
  const sockDir = path.join(dir, 'sock');
  mkdirSync(sockDir, { mode: 0o755 });
  chmodSync(sockDir, 0o755);
  const socket = path.join(sockDir, 'vcstore.sock');
  const root = path.join(dir, 'root');

  const answers: string[] = [];
  const tallies: Tally[] = [];
  for (let start = 1; start <= STARTS; start++) {
    const prober = spawn(
      'setpriv',
      ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, '-e', PROBER, socket],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    t.after(() => prober.kill('SIGKILL'));
    const lines: string[] = [];
    createInterface({ input: prober.stdout }).on('line', (line) => lines.push(line));
    await waitFor(() => lines.includes('ready'), { what: 'the prober to start', hopeless: () => exited(prober) });

    const daemon = spawn(
      'sh',
      ['-c', 'umask 000; exec "$0" "$@"', process.execPath, ...CLI, 'serve', '--root', root, '--socket', socket],
      {
        env: { ...process.env, VCSTORE_LOG: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    t.after(() => daemon.kill('SIGKILL'));
    let out = '';
    let err = '';
    daemon.stdout.on('data', (d: Buffer) => (out += d.toString()));
    daemon.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor(() => out.includes('listening on'), {
      what: 'the daemon to listen',
      timeout: 120_000, // a loaded machine starts the CLI slowly
      hopeless: () => (exited(daemon) ? `${exited(daemon)}: ${err}` : undefined),
    });
    const info = lstatSync(socket);
    assert.equal(info.mode & 0o777, 0o660, 'the socket in place is 0660');

    const ended = once(prober, 'close');
    prober.stdin.write(`finish ${AFTER_READY}\n`);
    await ended;
    const tally = JSON.parse(lines.at(-1)!) as Tally;
    tallies.push(tally);
    answers.push(...lines.filter((l) => l.startsWith('answered')).map((l) => `start ${start}: ${l}`));

    daemon.kill('SIGTERM');
    await once(daemon, 'exit');
    assert.equal(existsSync(socket), false, 'the daemon removed its socket');
  }
  const sum = (f: (x: Tally) => number) => tallies.reduce((n, x) => n + f(x), 0);
  const denied = sum((x) => x.errors.EACCES ?? 0);
  t.diagnostic(
    `${STARTS} starts; nobody tried ${sum((x) => x.attempts)} connections: ${sum((x) => x.connected)} connected, ` +
      `${answers.length} answered, ${denied} refused by the socket's mode`,
  );
  assert.deepEqual(answers, [], 'nobody never gets an answer');
  assert.equal(
    sum((x) => x.connected),
    0,
    'nobody never even connects',
  );
  assert.ok(denied > 0, 'the prober reached the socket and was refused by its mode (else it tested nothing)');
  assert.equal(existsSync(path.join(root, 'var/lib/virtcontainers/sandboxes/intruder')), false);
});

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? `exited with ${child.exitCode ?? child.signalCode}`
    : undefined;
