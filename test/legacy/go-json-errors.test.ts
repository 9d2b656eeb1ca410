/**
 * encoding/json's error texts, as Go 1.19 printed them: fixtures/go-json-errors.json
 * is the output of test/legacy/go-json-errors (run with `go run .`), nothing
 * in it is written by hand.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { StoreError } from '../../src/errors.ts';
import { parseJson } from '../../src/legacy/json-parse.ts';
import { decodePayload } from '../../src/legacy/payloads.ts';
import type { FetchTarget } from '../../src/store/store.ts';
import { rejectsWith, tempStore } from '../helpers/store.ts';

interface GoTexts {
  go: string;
  syntax: Array<{ input: string; error: string }>;
  invalidUnmarshal: Array<{ target: string; input: string; error: string }>;
}

const GO: GoTexts = JSON.parse(readFileSync(new URL('../../fixtures/go-json-errors.json', import.meta.url), 'utf8'));

function errorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof StoreError, String(err));
    return err;
  }
  assert.fail('no error');
}

test('go json errors - the fixture is Go 1.19 output and covers the cuts inside a literal', () => {
  assert.match(GO.go, /^go1\.19/);
  assert.ok(GO.syntax.length > 300, `${GO.syntax.length} cases`);
  for (const input of ['nul', 'tru', '{"hotpluggedDrive":fals', '-', '{"blockIndex":1.', '{"blockIndex":1e'])
    assert.ok(
      GO.syntax.some((c) => c.input === input),
      input,
    );
});

test('go json errors - every syntax error text is exactly what Go 1.19 says', () => {
  const differ = GO.syntax.flatMap(({ input, error }) => {
    const got = errorOf(() => parseJson(input));
    return got.code === 'EDECODE' && got.message === error
      ? []
      : [`${JSON.stringify(input)}: ${got.message} ≠ ${error}`];
  });
  assert.deepEqual(differ, []);
});

test('go json errors - a fetch decoding a cut file reports Go text', () => {
  const cut = GO.syntax.find((c) => c.input === '{"blockIndex":1e')!;
  assert.equal(errorOf(() => decodePayload('State', cut.input)).message, cut.error);
});

test('go json errors - a nil or non-pointer fetch target gets the json.InvalidUnmarshalError text', async (t) => {
  const { store, root, done } = await tempStore(t);
  t.after(done);
  await store.createAllResources({ id: 'sb' });
  const agent = `${root}/run/virtcontainers/sandboxes/sb/agent.json`;
  // The cases with a well-formed file; test/store/fetch-target-order.test.ts fetches the malformed ones too.
  const cases = GO.invalidUnmarshal.filter((c) => c.error.startsWith('json: Unmarshal('));
  assert.equal(cases.length, 8);
  for (const { target, input, error } of cases) {
    await writeFile(agent, input);
    const err = await rejectsWith(store.fetchAgentState('sb', target as FetchTarget), 'EINVALIDTARGET');
    assert.equal(err.message, error, `${target} ${input}`);
  }
});
