import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { test } from 'node:test';
import { journalHead } from '../../src/audit/head.ts';
import { readEvents } from '../../src/journal/reader.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { call, follow, startServe, type ServeProcess } from '../helpers/serve.ts';
import { waitFor } from '../helpers/wait.ts';
import { tempDir } from '../helpers/temp.ts';

const CLIENTS = 64;

interface Ack {
  sandbox: string;
  seq: number;
  hash: string;
}

/** `CLIENTS` clients storing in a loop until `stop()`; every 2xx answer is recorded. */
function storeLoop(socket: string, sandboxOf: (client: number) => string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  const acks: Ack[] = [];
  let running = true;
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    for (let i = 0; running; i++) {
      const sandbox = sandboxOf(client);
      const answer = await call(
        socket,
        'POST',
        '/v1/storeAgentState',
        { sandboxID: sandbox, value: { client, i } },
        {},
        agent,
      ).catch(() => undefined);
      if (answer?.status === 200) acks.push({ sandbox, ...answer.json() });
      else if (answer === undefined) return; // the server went away
    }
  });
  return {
    acks,
    async stop() {
      running = false;
      await Promise.all(clients);
      agent.destroy();
    },
  };
}

async function journalSeqs(root: string, sandbox: string): Promise<Map<number, string>> {
  const { hashBody } = await import('../../src/journal/record.ts');
  const stringify = (await import('fast-json-stable-stringify')).default;
  const seqs = new Map<number, string>();
  for await (const { offset: _o, ...event } of readEvents(journalFile(rootsUnder(root), sandbox))) {
    seqs.set(event.seq, hashBody(Buffer.from(stringify(event), 'utf8')));
  }
  return seqs;
}

test('load - 64 clients storing on one sandbox: every store acknowledged once, in one chain, in groups', async (t) => {
  const root = await tempDir(t, 'load');
  const serve = await startServe(root);
  try {
    await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'busy' });
    const loop = storeLoop(serve.socket, () => 'busy');
    await waitFor(() => loop.acks.length >= 1500, { what: '1500 stores', timeout: 60_000 });
    await loop.stop();
    const seqs = loop.acks.map((a) => a.seq).sort((a, b) => a - b);
    // Every store of the journal was acknowledged once (its checkpoint events are the store's own).
    const stores: number[] = [];
    for await (const event of readEvents(journalFile(rootsUnder(root), 'busy')))
      if (event.op === 'store') stores.push(event.seq);
    assert.deepEqual(seqs, stores, 'each store got its own seq, none lost');
    const journal = await journalSeqs(root, 'busy');
    for (const ack of loop.acks) assert.equal(journal.get(ack.seq), ack.hash, `seq ${ack.seq}`);
    const metrics = (await call(serve.socket, 'GET', '/metrics')).text;
    const sum = Number(/vcstore_group_size_sum (\d+)/.exec(metrics)?.[1]);
    const count = Number(/vcstore_group_size_count (\d+)/.exec(metrics)?.[1]);
    assert.ok(sum / count > 2, `writes were acknowledged in groups (mean ${sum / count})`);
    assert.equal((await call(serve.socket, 'GET', '/v1/verify')).json().consistent, true);
  } finally {
    await serve.stop();
  }
});

/** A client process that sends a store and is SIGKILLed: after all its body or half way. */
async function killedClient(socket: string, tag: string, sent: 'whole' | 'half'): Promise<void> {
  const script = `
    const net = require('node:net');
    const body = Buffer.from(JSON.stringify({ sandboxID: 'sb1', value: { tag: ${JSON.stringify(tag)}, pad: 'x'.repeat(100000) } }));
    const part = ${sent === 'whole'} ? body : body.subarray(0, body.length >> 1);
    const s = net.connect(${JSON.stringify(socket)}, () => {
      s.write('POST /v1/storeAgentState HTTP/1.1\\r\\nHost: x\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + body.length + '\\r\\n\\r\\n');
      s.write(part, () => process.stdout.write('sent\\n'));
    });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(child.stdout, 'data');
  child.kill('SIGKILL');
  await once(child, 'exit');
}

test('load - a client killed mid-request leaves its event whole or absent', async (t) => {
  const root = await tempDir(t, 'load');
  const serve = await startServe(root);
  try {
    await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'sb1' });
    await killedClient(serve.socket, 'half', 'half');
    await killedClient(serve.socket, 'whole', 'whole');
    // Every request after them is served, and the journal holds only whole events.
    const after = await call(serve.socket, 'POST', '/v1/storeAgentState', {
      sandboxID: 'sb1',
      value: { tag: 'after' },
    });
    assert.equal(after.status, 200, after.text);
    const tags: string[] = [];
    for await (const event of readEvents(journalFile(rootsUnder(root), 'sb1'))) {
      if (event.payload) tags.push((JSON.parse(event.payload) as { tag: string }).tag);
    }
    assert.ok(!tags.includes('half'), 'a half-sent body was stored');
    assert.ok(tags.at(-1) === 'after' && tags.length <= 2, `unexpected events ${tags.join(',')}`);
    assert.equal((await call(serve.socket, 'GET', '/v1/verify')).json().consistent, true);
  } finally {
    await serve.stop();
  }
});

test(
  'load - the server SIGKILLed under 64 clients: every 2xx store is in the journal, verify is clean, the stream resumes',
  { timeout: 180_000 },
  async (t) => {
    const root = await tempDir(t, 'load');
    const sandboxes = Array.from({ length: 8 }, (_, i) => `sb${i}`);
    let serve: ServeProcess = await startServe(root);
    try {
      for (const sandbox of sandboxes)
        await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: sandbox });
      // A follower of every sandbox, from the start, that reconnects from its last cursor.
      const seen: Array<{ sandbox: string; seq: number; hash: string }> = [];
      let cursor = '';
      const stream = (socket: string) =>
        follow(socket, `/v1/events?follow=true&after=${cursor}`, (line) => {
          if (line.error) return;
          seen.push({ sandbox: line.event.sandbox, seq: line.event.seq, hash: line.hash });
          cursor = line.cursor;
        });
      let following = stream(serve.socket);
      const loop = storeLoop(serve.socket, (client) => sandboxes[client % sandboxes.length]!);
      await waitFor(() => loop.acks.length >= 800, { what: '800 stores before the kill', timeout: 60_000 });
      await serve.kill();
      await loop.stop();
      await following.ended;

      serve = await startServe(root);
      following = stream(serve.socket);
      // One more store per sandbox: its writer opens the journal, cuts any torn tail and brings the tree in line.
      for (const sandbox of sandboxes) {
        const answer = await call(serve.socket, 'POST', '/v1/storeSandboxResource', {
          sandboxID: sandbox,
          resource: 'state',
          data: { type: 'State', value: { state: 'ready' } },
        });
        assert.equal(answer.status, 200, answer.text);
      }
      const heads = new Map<string, number>();
      for (const sandbox of sandboxes)
        heads.set(sandbox, (await journalHead(journalFile(rootsUnder(root), sandbox))).seq);
      const total = [...heads.values()].reduce((a, b) => a + b, 0);
      await waitFor(() => seen.length >= total, {
        what: `the stream to reach ${total} events`,
        timeout: 30_000,
        detail: () => `at ${seen.length}`,
      });
      following.stop();

      for (const sandbox of sandboxes) {
        const journal = await journalSeqs(root, sandbox);
        for (const ack of loop.acks.filter((a) => a.sandbox === sandbox)) {
          assert.equal(
            journal.get(ack.seq),
            ack.hash,
            `acknowledged ${sandbox}#${ack.seq} is not in the journal as answered`,
          );
        }
        const streamed = seen.filter((s) => s.sandbox === sandbox);
        assert.deepEqual(
          streamed.map((s) => s.seq),
          [...journal.keys()],
          `${sandbox}: the stream has a gap or a repeat`,
        );
        for (const s of streamed) assert.equal(journal.get(s.seq), s.hash);
      }
      const verify = (await call(serve.socket, 'GET', '/v1/verify')).json();
      assert.equal(verify.consistent, true, JSON.stringify(verify));
    } finally {
      await serve.stop();
    }
  },
);
