import assert from 'node:assert/strict';
import { test } from 'node:test';
import { journalHead } from '../../src/audit/head.ts';
import { journalFile, rootsUnder } from '../../src/layout/roots.ts';
import { call, follow, startServe, type ServeProcess } from '../helpers/serve.ts';
import { waitFor } from '../helpers/wait.ts';
import { tempDir } from '../helpers/temp.ts';

test(
  'stream - a follower from 0 on a busy sandbox sees every event exactly once, in order, across a server restart',
  { timeout: 120_000 },
  async (t) => {
    const root = await tempDir(t, 'stream');
    let serve: ServeProcess = await startServe(root);
    const seen: Array<{ seq: number; hash: string; cursor: string }> = [];
    let after = '0';
    const stream = (socket: string) =>
      follow(socket, `/v1/sandboxes/busy/events?follow=true&after=${after}`, (line) => {
        assert.equal(line.error, undefined, JSON.stringify(line.error));
        seen.push({ seq: line.event.seq, hash: line.hash, cursor: line.cursor });
        after = line.cursor;
      });
    // Writers that keep the sandbox busy while the follower reads, until told to stop.
    const write = (socket: string, from: number, count: number) =>
      Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = from; i < from + count; i++) {
            const answer = await call(socket, 'POST', '/v1/storeAgentState', { sandboxID: 'busy', value: { w, i } });
            assert.equal(answer.status, 200, answer.text);
          }
        }),
      );
    try {
      await call(serve.socket, 'POST', '/v1/createAllResources', { sandboxID: 'busy' });
      await write(serve.socket, 0, 25); // a history to catch up on
      let following = stream(serve.socket);
      await write(serve.socket, 25, 25); // live events while it follows
      await waitFor(() => seen.length >= 401, { what: 'the first 401 events', timeout: 30_000 });
      assert.equal(await serve.stop(), 0, 'SIGTERM ends the open stream and the daemon');
      await following.ended;

      serve = await startServe(root);
      following = stream(serve.socket);
      await write(serve.socket, 50, 25);
      const head = await journalHead(journalFile(rootsUnder(root), 'busy'));
      assert.equal(head.seq, 601);
      await waitFor(() => seen.length >= head.seq, { what: `all ${head.seq} events`, timeout: 30_000 });
      const followers = async () =>
        /vcstore_followers (\d+)/.exec((await call(serve.socket, 'GET', '/metrics')).text)?.[1];
      assert.equal(await followers(), '1');
      following.stop();
      await waitFor(async () => (await followers()) === '0', {
        what: 'the follower to be counted out',
        timeout: 10_000,
      });
      assert.deepEqual(
        seen.map((s) => s.seq),
        Array.from({ length: head.seq }, (_, i) => i + 1),
      );
      assert.deepEqual(
        seen.map((s) => s.cursor),
        seen.map((s) => String(s.seq)),
      );
      assert.equal(seen.at(-1)!.hash, head.hash);
    } finally {
      await serve.stop();
    }
  },
);
