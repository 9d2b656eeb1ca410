import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { rootsUnder } from '../../src/layout/roots.ts';
import { Store } from '../../src/store/store.ts';
import { natsCluster, skipWithoutNats } from '../helpers/nats.ts';
import { CLI, vcstore } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { waitFor } from '../helpers/wait.ts';
import { busySandbox } from './support.ts';

/** What docs/fleet.md (Trust) shows: each host publishes only under its own subjects; the audit user only reads. */
const hostUser = (host: string, password: string) => `
    { user: ${host}, password: ${password}, permissions: {
        publish: { allow: [
          "vcstore.${host}.>",
          "$JS.API.INFO",
          "$JS.API.STREAM.INFO.VCSTORE",
          "$JS.API.STREAM.CREATE.VCSTORE",
          "$JS.API.STREAM.MSG.GET.VCSTORE"
        ] }
        subscribe: { allow: ["_INBOX.>"] }
    } }`;
const CONFIG = `
authorization {
  users = [
    { user: admin, password: admin-pw }
    ${hostUser('host-a', 'a-pw')}
    ${hostUser('host-b', 'b-pw')}
    { user: audit, password: audit-pw, permissions: {
        publish: { allow: [
          "$JS.API.INFO",
          "$JS.API.STREAM.INFO.VCSTORE",
          "$JS.API.STREAM.MSG.GET.VCSTORE",
          "$JS.API.CONSUMER.CREATE.VCSTORE",
          "$JS.API.CONSUMER.CREATE.VCSTORE.>",
          "$JS.API.CONSUMER.INFO.VCSTORE.>",
          "$JS.API.CONSUMER.MSG.NEXT.VCSTORE.>",
          "$JS.API.CONSUMER.DELETE.VCSTORE.>"
        ] }
        subscribe: { allow: ["_INBOX.>"] }
    } }
  ]
}
`;

const refusedByPermissions = (err: Error) =>
  /permission/i.test(`${err.message} ${(err.cause as Error | undefined)?.message ?? ''}`);
const as = (url: string, user: string, pass: string) => url.replace('nats://', `nats://${user}:${pass}@`);

test('ship NATS users - a host may publish only under its own subjects, the audit user only reads', async (t) => {
  if (skipWithoutNats(t)) return;
  const nats = await natsCluster(1, { config: CONFIG, user: 'admin:admin-pw' });
  const url = nats.nodes[0]!.url;
  const dir = await tempDir(t, 'nats-users');
  const root = path.join(dir, 'a');
  const conns: NatsConnection[] = [];
  const login = async (user: string, pass: string) => {
    const nc = await connect({ servers: [url], user, pass });
    conns.push(nc);
    return nc;
  };
  const ship = spawn(
    process.execPath,
    [...CLI, 'ship', '--root', root, '--to', as(url, 'host-a', 'a-pw'), '--host', 'host-a'],
    {
      stdio: 'ignore',
    },
  );
  try {
    const store = new Store({ roots: rootsUnder(root) });
    await busySandbox(store, 'sb', { rounds: 2 });
    await store.close();
    const admin = await jetstreamManager(await login('admin', 'admin-pw'));
    const count = () =>
      admin.streams.info('VCSTORE').then(
        (i) => i.state.messages,
        () => 0,
      );
    await waitFor(async () => (await count()) === 5, { what: 'host-a to ship its 5 events as its own user' });

    // host-a on host-b's subject: refused by the server, nothing stored.
    const hostA = await login('host-a', 'a-pw');
    await assert.rejects(jetstream(hostA).publish('vcstore.host-b.sb', '{}', { timeout: 2000 }), refusedByPermissions);
    // ...nor may it delete or purge what it shipped.
    await assert.rejects((await jetstreamManager(hostA, { timeout: 2000 })).streams.deleteMessage('VCSTORE', 1));
    await assert.rejects((await jetstreamManager(hostA, { timeout: 2000 })).streams.purge('VCSTORE'));

    // The audit user reads every host's history, signatures checked, and may publish nothing.
    const trust = path.join(dir, 'trust');
    await writeFile(trust, vcstore(['keys', '--root', root, '--host', 'host-a']).stdout);
    const read = vcstore(['verify', '--from', as(url, 'audit', 'audit-pw'), '--host', 'host-a', '--trust', trust]);
    assert.equal(read.code, 0, read.stdout + read.stderr);
    assert.match(read.stdout, /^sb: ok, 5 events/m);
    const audit = await login('audit', 'audit-pw');
    await assert.rejects(jetstream(audit).publish('vcstore.host-a.sb', '{}', { timeout: 2000 }), refusedByPermissions);
    assert.equal(await count(), 5, 'nothing refused was stored');
  } finally {
    ship.kill('SIGKILL');
    for (const nc of conns) await nc.close().catch(() => {});
    await nats.close();
  }
});
