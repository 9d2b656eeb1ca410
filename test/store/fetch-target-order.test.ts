/**
 * Go's json.Unmarshal reads the whole document before it looks at the target:
 * a malformed file fetched into a nil or non-pointer target gets the syntax
 * error, a well-formed one the target's error. Every case Go printed
 * (fixtures/go-json-errors.json) is fetched through the store, `vcstore apply`'s
 * ops and the daemon's route, which share one fetch path.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { isStoreError } from '../../src/errors.ts';
import { runOp } from '../../src/cli/ops.ts';
import { buildServer } from '../../src/server/app.ts';
import { tempStore } from '../helpers/store.ts';

interface Case {
  target: string;
  input: string;
  error: string;
}
const GO: { invalidUnmarshal: Case[] } = JSON.parse(
  readFileSync(new URL('../../fixtures/go-json-errors.json', import.meta.url), 'utf8'),
);

/** The target as the ops files name it: the Go type of the argument passed. */
const goType = (target: string) =>
  target === '<nil>' ? undefined : target.replace(/^non-pointer /, '').replace(/^nil \*/, '*virtcontainers.');

test('fetch - a malformed file gets the syntax error and a well-formed one the target error, as Go checked them', async (t) => {
  const { store, root, roots, done } = await tempStore(t);
  t.after(done);
  const server = await buildServer({ roots });
  t.after(() => server.app.close());
  await store.createAllResources({ id: 'sb' });
  const agent = `${root}/run/virtcontainers/sandboxes/sb/agent.json`;
  const malformed = GO.invalidUnmarshal.filter((c) => !c.error.startsWith('json: Unmarshal('));
  assert.ok(malformed.length >= 2, 'the fixtures hold malformed files fetched into invalid targets');
  for (const { target, input, error } of GO.invalidUnmarshal) {
    await writeFile(agent, input);
    const code = error.startsWith('json: Unmarshal(') ? 'EINVALIDTARGET' : 'EDECODE';
    const failure = await store.fetchAgentState('sb', target as 'interface{}').then(
      () => assert.fail(`${target} ${input}: fetched`),
      (err: unknown) => err,
    );
    assert.ok(isStoreError(failure, code), `${target} ${input}: ${String(failure)}`);
    assert.equal(failure.message, error, `store: ${target} ${input}`);

    const op = { method: 'fetchAgentState', sandboxID: 'sb', ...(goType(target) ? { goType: goType(target) } : {}) };
    if (target !== 'nil *QemuState') {
      const opFailure = await runOp(store, root, op).then(
        () => assert.fail(`apply ${target} ${input}: fetched`),
        (err: unknown) => err,
      );
      assert.ok(isStoreError(opFailure, code), `apply ${target} ${input}: ${String(opFailure)}`);
      assert.equal(opFailure.message, error, `apply: ${target} ${input}`);
    }

    const query = new URLSearchParams({ sandboxID: 'sb', target });
    const reply = await server.app.inject({ method: 'GET', url: `/v1/fetchAgentState?${query}` });
    assert.deepEqual(reply.json(), { code, message: error }, `route: ${target} ${input}`);
  }
});
