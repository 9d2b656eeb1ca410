import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { goEnv, runGo, SERVE_COMMAND, skipWithoutGo, withoutRunLines } from '../helpers/go.ts';
import { tempDir } from '../helpers/temp.ts';

const MODULE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/go');

test('go module - vet is clean, the adapter compiles against the copy of resourceStorage', async (t) => {
  if (skipWithoutGo(t)) return;
  const tmp = await tempDir(t, 'go');
  const { code, output } = await runGo(['vet', './...'], MODULE, goEnv(tmp));
  assert.equal(code, 0, output);
});

test(
  'go module - its tests and every Example run against a live vcstore serve',
  { timeout: 10 * 60_000 },
  async (t) => {
    if (skipWithoutGo(t)) return;
    const tmp = await tempDir(t, 'go');
    const { code, output } = await runGo(
      ['test', '-count=1', '-v', './...'],
      MODULE,
      goEnv(tmp, { VCSTORE_SERVE: SERVE_COMMAND }),
    );
    assert.equal(code, 0, withoutRunLines(output));
    for (const name of [
      'TestErrorsAreTypedWithLegacyTexts',
      'TestInvalidFetchTargetsGetGoTexts',
      'TestEventsResumeAfterTheDaemonIsKilled',
      'Example',
      'ExampleError',
      'ExampleWithExpectedSeq',
      'ExampleClient_History',
      'ExampleClient_SandboxEvents',
    ])
      assert.match(output, new RegExp(`--- PASS: ${name} `), `${name} did not run:\n${output}`);
  },
);
